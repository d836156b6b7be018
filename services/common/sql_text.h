#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace salesops::common {

// A PostgreSQL text[] literal for a bound parameter ("$1::text[]"); every
// element quoted and escaped, whatever it holds.
inline std::string PgTextArray(const std::vector<std::string>& values) {
  std::string literal = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) literal += ',';
    literal += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') literal += '\\';
      literal += c;
    }
    literal += '"';
  }
  return literal + "}";
}

// A PostgreSQL bigint[] literal for a bound parameter ("$1::bigint[]").
inline std::string PgBigintArray(const std::vector<int64_t>& values) {
  std::string literal = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) literal += ',';
    literal += std::to_string(values[i]);
  }
  return literal + "}";
}

// An ILIKE pattern matching `text` anywhere, with its own % and _ taken literally.
inline std::string ContainsPattern(const std::string& text) {
  std::string pattern = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  return pattern + "%";
}

// One page of a keyset-paginated listing; `next_after` is the last key
// returned when more follow (the page token's content).
template <typename T>
struct Page {
  std::vector<T> entries;
  std::string next_after;
};

// Fills a page from rows fetched with LIMIT limit + 1: the extra row, when
// present, only proves that more follow, and the last key kept becomes the
// next page's starting point.
template <typename T, typename Rows, typename Convert, typename KeyOf>
void FillPage(Page<T>& page, const Rows& rows, int limit, Convert convert, KeyOf key_of) {
  for (const auto& row : rows) {
    if (static_cast<int>(page.entries.size()) == limit) {
      page.next_after = key_of(page.entries.back());
      break;
    }
    page.entries.push_back(convert(row));
  }
}

}  // namespace salesops::common
