#pragma once

// CSV cells for the exports people open in a spreadsheet (the invoice journal, the payroll
// export): every cell built from caller text goes through CsvCell.
#include <string>
#include <string_view>

namespace salesops::common {

// A text cell (RFC 4180): one line of UTF-8; defused when a spreadsheet would read it as a
// formula (its first character after spaces is = + - or @: prefixed with '), and quoted when it
// holds a comma or a quote.
std::string CsvCell(std::string_view value);

}  // namespace salesops::common
