# How salesops keeps its build fast on a 2-core machine (see README "Building fast"):
# - compile flags per kind of code: service code at -O2, tests and generated code at -Og/-O1,
#   and line-table debug info (-g1) everywhere: backtraces and gdb's `bt` work, and the
#   compiler writes a fraction of the DWARF of -g;
# - lld when it is installed (links in a fraction of ld.bfd's time);
# - ccache when it is installed, with the settings that let it cache compiles that use the
#   precompiled headers (the cache folder itself is chosen by scripts/lib/common.sh);
# - precompiled headers for the heavy third-party headers, one per flag set, shared between
#   targets with REUSE_FROM (salesops_precompiled_headers below).
include(CheckLinkerFlag)

# CMake's RelWithDebInfo default is "-O2 -g -DNDEBUG"; keep an explicit choice.
if(CMAKE_CXX_FLAGS_RELWITHDEBINFO STREQUAL "-O2 -g -DNDEBUG")
  set(CMAKE_CXX_FLAGS_RELWITHDEBINFO "-O2 -g1 -DNDEBUG" CACHE STRING
      "Flags of RelWithDebInfo builds (salesops: line tables only)" FORCE)
endif()

option(SALESOPS_PRECOMPILED_HEADERS "Precompile the heavy third-party headers" ON)
option(SALESOPS_USE_LLD "Link with lld when it is installed" ON)
# salesopsctl's command files and the tests' multi-file binaries are compiled a few files at a
# time as one unit: each of their files parses the same heavy headers (CLI11, the generated
# stubs, gtest) and instantiates the same templates, which a batch does once. Service code is
# left out, so an edit there recompiles one file.
option(SALESOPS_UNITY_BUILD "Compile salesopsctl and the tests in batches (unity build)" ON)

# salesops_unity_build(<target> <files per batch>)
function(salesops_unity_build target batch_size)
  if(SALESOPS_UNITY_BUILD)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${batch_size})
  endif()
endfunction()

if(SALESOPS_USE_LLD)
  check_linker_flag(CXX "-fuse-ld=lld" SALESOPS_LINKER_LLD_WORKS)
  if(SALESOPS_LINKER_LLD_WORKS)
    add_link_options(-fuse-ld=lld)
  endif()
endif()

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  # ccache only caches a compile that uses a precompiled header with this sloppiness
  # (ccache manual, "Precompiled headers").
  set(salesops_ccache_launcher env CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
      "${CCACHE_PROGRAM}")
  set(CMAKE_CXX_COMPILER_LAUNCHER ${salesops_ccache_launcher})
  set(CMAKE_C_COMPILER_LAUNCHER ${salesops_ccache_launcher})
endif()

# Code whose speed does not matter at run time (tests) or that is large and simple (generated
# protobuf code) compiles in far less time without -O2's inlining. The flag follows the build
# type's, so it wins; Debug builds keep -O0.
set(SALESOPS_TEST_OPTIMIZATION $<$<NOT:$<CONFIG:Debug>>:-Og>)
set(SALESOPS_GENERATED_OPTIMIZATION $<$<NOT:$<CONFIG:Debug>>:-O1>)

# The third-party headers nearly every file includes and that cost seconds to parse. Only
# headers that emit no code when merely included (CLI11 does: its validators are objects
# defined in the header) and never generated .pb.h files, which change with our protos.
set(SALESOPS_PRECOMPILED_STD_HEADERS <algorithm> <chrono> <functional> <map> <memory> <mutex>
    <optional> <set> <string> <string_view> <thread> <unordered_map> <vector>)
set(SALESOPS_PRECOMPILED_SERVICE_HEADERS
    <absl/status/status.h> <absl/status/statusor.h> <absl/strings/str_cat.h>
    <absl/time/time.h> <google/protobuf/message.h> <google/protobuf/repeated_field.h>
    <google/protobuf/timestamp.pb.h> <google/protobuf/duration.pb.h>
    <google/protobuf/util/time_util.h> <grpcpp/grpcpp.h> <grpcpp/impl/codegen/async_stream.h>
    <grpcpp/impl/codegen/async_unary_call.h> <grpcpp/impl/codegen/client_callback.h>
    <grpcpp/impl/codegen/method_handler.h> <grpcpp/impl/codegen/server_callback_handlers.h>
    <pqxx/pqxx> <spdlog/spdlog.h> <prometheus/registry.h> <prometheus/counter.h>
    <prometheus/gauge.h> <prometheus/histogram.h> <nlohmann/json.hpp>)
set(SALESOPS_PRECOMPILED_TEST_HEADERS <gtest/gtest.h> <gmock/gmock.h>)

# salesops_precompiled_headers(<host> <kind> <libraries...>): an object library that only
# builds the precompiled header for one flag set (kind: SERVICE or TEST), compiled with the
# same usage requirements as its users; salesops_reuse_precompiled_headers(<target> <host>)
# makes a target use it.
function(salesops_precompiled_headers host kind)
  set(source "${CMAKE_CURRENT_BINARY_DIR}/${host}.cc")
  file(CONFIGURE OUTPUT "${source}" CONTENT "// Compiled only to produce ${host}'s precompiled header.\n")
  add_library(${host} OBJECT "${source}")
  target_link_libraries(${host} PRIVATE ${ARGN})
  if(NOT SALESOPS_PRECOMPILED_HEADERS)
    return()
  endif()
  set(headers ${SALESOPS_PRECOMPILED_STD_HEADERS} ${SALESOPS_PRECOMPILED_SERVICE_HEADERS})
  if(kind STREQUAL "TEST")
    list(APPEND headers ${SALESOPS_PRECOMPILED_TEST_HEADERS})
    target_compile_options(${host} PRIVATE ${SALESOPS_TEST_OPTIMIZATION})
  endif()
  target_precompile_headers(${host} PRIVATE ${headers})
endfunction()

function(salesops_reuse_precompiled_headers target host)
  if(SALESOPS_PRECOMPILED_HEADERS)
    set_target_properties(${target} PROPERTIES PRECOMPILE_HEADERS_REUSE_FROM ${host})
  endif()
endfunction()
