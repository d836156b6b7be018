#include "cli/scan_input.h"

#include <absl/strings/ascii.h>
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_split.h>
#include <absl/strings/strip.h>

#include <algorithm>
#include <iostream>
#include <random>

namespace salesops::cli {
namespace {

bool IsWholeNumber(absl::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), absl::ascii_isdigit);
}

}  // namespace

absl::Status CheckBarcode(absl::string_view barcode) {
  const bool printable =
      std::all_of(barcode.begin(), barcode.end(), [](char c) { return c >= '!' && c <= '~'; });
  if (!barcode.empty() && barcode.size() <= kLongestBarcode && printable) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "'", barcode, "' is not a barcode: printable ASCII, 1 to ", kLongestBarcode, " characters"));
}

absl::StatusOr<TypedScan> SplitTypedScan(absl::string_view text, int largest_quantity) {
  std::vector<absl::string_view> words =
      absl::StrSplit(text, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  if (words.empty()) return absl::InvalidArgumentError("nothing to scan");
  TypedScan scan;
  size_t barcode_index = 0;
  if (words.size() >= 2 && IsWholeNumber(words[0])) {
    if (!absl::SimpleAtoi(words[0], &scan.quantity) || scan.quantity < 1 ||
        scan.quantity > largest_quantity) {
      return absl::InvalidArgumentError(
          absl::StrCat("a quantity is 1 to ", largest_quantity, ", not ", words[0]));
    }
    barcode_index = 1;
  }
  scan.barcode = std::string(words[barcode_index]);
  for (size_t i = barcode_index + 1; i < words.size(); ++i) scan.rest.emplace_back(words[i]);
  return scan;
}

bool ReadScanLine(std::istream& in, std::string& line) {
  std::string text;
  if (!std::getline(in, text)) return false;
  line = std::string(absl::StripAsciiWhitespace(text));
  return line != "done" && line != "q";
}

std::string NewScanRequestId(absl::string_view prefix) {
  static std::mt19937_64 random{std::random_device{}()};
  return absl::StrFormat("%s-%016x%016x", prefix, random(), random());
}

void RingBell() { std::cerr << '\a' << std::flush; }

}  // namespace salesops::cli
