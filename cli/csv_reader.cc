#include "cli/csv_reader.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <csv.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace salesops::cli {
namespace {

// libcsv (Debian's libcsv-dev) does the quoting rules; it hands over fields
// and row ends through these callbacks.
struct Rows {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> current;
};

void OnField(void* data, size_t length, void* rows) {
  static_cast<Rows*>(rows)->current.emplace_back(static_cast<const char*>(data), length);
}

void OnRowEnd(int /*terminator*/, void* rows) {
  Rows* parsed = static_cast<Rows*>(rows);
  parsed->rows.push_back(std::move(parsed->current));
  parsed->current.clear();
}

}  // namespace

std::string CsvRecord::Get(const std::string& column) const {
  auto found = fields.find(column);
  return found == fields.end() ? "" : found->second;
}

absl::StatusOr<std::vector<CsvRecord>> ReadCsvFile(const std::string& path,
                                                   const std::vector<std::string>& required_columns,
                                                   const std::vector<std::string>& known_columns) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError("cannot read " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();

  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
    return absl::InternalError("cannot start the CSV parser");
  }
  Rows parsed;
  bool ok =
      csv_parse(&parser, text.data(), text.size(), OnField, OnRowEnd, &parsed) == text.size() &&
      csv_fini(&parser, OnField, OnRowEnd, &parsed) == 0;
  std::string error = ok ? "" : csv_strerror(csv_error(&parser));
  csv_free(&parser);
  if (!ok) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not valid CSV after row ", parsed.rows.size(), ": ", error));
  }
  if (parsed.rows.empty()) return absl::InvalidArgumentError(path + " is empty: no header row");

  const std::vector<std::string>& header = parsed.rows.front();
  for (const std::string& column : required_columns) {
    if (std::find(header.begin(), header.end(), column) == header.end()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": no '", column,
                                                     "' column (the header needs ",
                                                     absl::StrJoin(required_columns, ","), ")"));
    }
  }
  if (!known_columns.empty()) {
    for (const std::string& column : header) {
      if (std::find(known_columns.begin(), known_columns.end(), column) == known_columns.end()) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": unknown column '", column,
                         "' (known: ", absl::StrJoin(known_columns, ","), ")"));
      }
    }
  }
  std::vector<CsvRecord> records;
  for (size_t i = 1; i < parsed.rows.size(); ++i) {
    const std::vector<std::string>& row = parsed.rows[i];
    if (row.size() > header.size()) {
      return absl::InvalidArgumentError(absl::StrCat(path, " row ", i + 1, ": ", row.size(),
                                                     " fields, the header has ", header.size()));
    }
    CsvRecord record;
    record.row = static_cast<int>(i + 1);
    for (size_t column = 0; column < row.size(); ++column) {
      record.fields[header[column]] = row[column];
    }
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace salesops::cli
