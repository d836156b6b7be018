# cmake -DNAMESPACE=<ns> -DFUNCTION=<fn> -DINPUT_DIR=<dir> -DOUTPUT=<file.cc> -P EmbedMigrations.cmake
# Compiles a service's migrations/NNNN_what.sql files into a function returning
# them, so the binary carries exactly the SQL it was built with.
file(GLOB sql_files "${INPUT_DIR}/*.sql")
list(SORT sql_files)
set(body "")
foreach(sql_file IN LISTS sql_files)
  get_filename_component(file_name "${sql_file}" NAME_WE)
  if(NOT file_name MATCHES "^([0-9]+)_(.+)$")
    message(FATAL_ERROR "migration ${sql_file} must be named NNNN_what.sql")
  endif()
  math(EXPR version "${CMAKE_MATCH_1}")
  set(name "${CMAKE_MATCH_2}")
  file(READ "${sql_file}" sql)
  string(APPEND body "      {${version}, \"${name}\", R\"salesops_sql(${sql})salesops_sql\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp" "// Generated from ${INPUT_DIR} by cmake/EmbedMigrations.cmake; do not edit.
#include <vector>

#include \"services/common/migration.h\"

namespace ${NAMESPACE} {

const std::vector<salesops::common::Migration>& ${FUNCTION}() {
  static const auto* migrations = new std::vector<salesops::common::Migration>{
${body}  };
  return *migrations;
}

}  // namespace ${NAMESPACE}
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
