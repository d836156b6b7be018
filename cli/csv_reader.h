#pragma once

#include <absl/status/statusor.h>

#include <map>
#include <string>
#include <vector>

namespace salesops::cli {

// One data row of a CSV file, by header name; `row` counts from 1 for the
// header, so it matches what a spreadsheet shows.
struct CsvRecord {
  int row = 0;
  std::map<std::string, std::string> fields;
  // The field, or "" when the column is absent or the cell empty.
  std::string Get(const std::string& column) const;
};

// Reads an RFC 4180 CSV file (quoted fields may hold commas, quotes and line
// breaks; blank lines are skipped) whose first row names the columns.
// `required_columns` must all be present; columns outside `known_columns`
// (when given) are an error, so a misspelt header is not silently ignored.
absl::StatusOr<std::vector<CsvRecord>> ReadCsvFile(const std::string& path,
                                                   const std::vector<std::string>& required_columns,
                                                   const std::vector<std::string>& known_columns);

}  // namespace salesops::cli
