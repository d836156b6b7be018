#include "services/common/csv.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_replace.h>

#include "services/common/validation.h"

namespace salesops::common {

std::string CsvCell(std::string_view value) {
  std::string text = OneLine(value, std::string::npos);
  const size_t first = text.find_first_not_of(' ');
  if (first != std::string::npos &&
      std::string_view("=+-@").find(text[first]) != std::string::npos) {
    text.insert(0, "'");
  }
  if (text.find_first_of(",\"") == std::string::npos) return text;
  return absl::StrCat("\"", absl::StrReplaceAll(text, {{"\"", "\"\""}}), "\"");
}

}  // namespace salesops::common
