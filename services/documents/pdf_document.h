#pragma once

#include <absl/status/statusor.h>

#include <string>
#include <variant>
#include <vector>

namespace salesops::documents {

// A business document (quote, order confirmation, pull sheet, delivery note, invoice, credit
// note) as a list of blocks, laid out on A4 pages by Pango and drawn to PDF by Cairo. The
// services fill it in words of the document's language; this module knows nothing of orders.
//
// The first page starts with the letterhead (title, recipient, logo, sender); every page ends
// with the footer and the page label. Pages break between blocks and inside them where the block
// allows it (table rows, paragraph lines); a block that would be cut otherwise starts the next
// page whole. A heading stays with what it heads, a table's header row with its first row, a
// row with its sub-lines, and totals with the table's last row.
//
// Text is plain UTF-8 (never markup: '<' and '&' are just characters); invalid UTF-8 is drawn
// as U+FFFD.

struct Heading {
  std::string text;
};

// Running text; '\n' starts a new line, long lines wrap.
struct Paragraph {
  std::string text;
  bool small = false;  // terms, notes: a smaller size
};

// "label: value" lines with the labels aligned (dates, references, validity). The colon is
// added unless the label ends in one. The list moves to the next page whole unless it is longer
// than a page.
struct KeyValues {
  std::vector<std::pair<std::string, std::string>> pairs;
};

struct Column {
  std::string heading;
  double width_mm = 20;        // the last column may take what is left of the text width
  bool right_aligned = false;  // amounts and quantities
  // Cells of this column are drawn as a Code 128 barcode of the cell's text (inventory codes on
  // a pull sheet, for the warehouse's scanners), with the text in small print under it; an empty
  // cell draws nothing. Bars are 8 mm high with modules of 0.254 mm, narrowed down to 0.19 mm
  // for a code too wide for its column, with a quiet zone of 10 modules on either side inside
  // the cell. A code that still does not fit, or that Code 128 cannot encode (characters beyond
  // ISO 8859-1, invalid UTF-8, more than 60 symbol characters: about 60 letters or 120 digits),
  // is drawn as ordinary text instead. The header row and sub-lines are text, as in any column.
  bool barcode = false;
};

// A table whose rows break across pages, repeating the header row on each. A cell wraps within
// its column; cells beyond the columns are not drawn. A row whose first cell starts with "\t" is
// drawn indented (a sub-line, e.g. how a line was priced) in a smaller size, its text running on
// over the empty cells after it.
struct Table {
  std::vector<Column> columns;
  std::vector<std::vector<std::string>> rows;
};

// Right-aligned total lines under a table ("Net", "VAT 19 %", "Total"); `emphasized` lines are
// bold with a rule above.
struct TotalLine {
  std::string label;
  std::string amount;
  bool emphasized = false;
};
struct Totals {
  std::vector<TotalLine> lines;
};

// Lines to sign on, side by side ("Driver", "Received by"), each with a caption under it.
struct SignatureLines {
  std::vector<std::string> captions;
};

using Block = std::variant<Heading, Paragraph, KeyValues, Table, Totals, SignatureLines>;

struct Document {
  std::string title;                      // "Quote", "Angebot": large, top left
  std::vector<std::string> sender_lines;  // company name first, then its address; top right
  // PNG bytes; empty: no logo. Drawn top right, scaled down to fit 40 x 18 mm (never enlarged
  // beyond a pixel a point); at most 4096 pixels on either side.
  std::string logo_png;
  std::vector<std::string> recipient_lines;  // the client's name and address, under the title
  std::vector<Block> blocks;
  // Small print at the foot of every page (bank details, registration); '\n' separates lines.
  std::string footer;
  // The page number at the foot, with {page} and {pages} replaced: "Page {page} of {pages}".
  std::string page_label = "Page {page} of {pages}";
  // PDF metadata. `creation_date` (ISO 8601, "2027-03-01T10:00:00Z") is written as the PDF's
  // creation and modification date, so the same document renders to the same bytes whenever it
  // is rendered. Empty, or not of that form (fractions of seconds included), the PDF has no
  // date: never the time of rendering.
  std::string pdf_title;
  std::string pdf_author;
  std::string creation_date;
};

// The document as PDF bytes. INVALID_ARGUMENT for a logo that is not a PNG (or is larger than
// 4096 pixels on a side); INTERNAL when Cairo fails. Deterministic: the same Document gives the
// same bytes (with the same Cairo, Pango and fonts). Safe to call from several threads at once.
absl::StatusOr<std::string> RenderPdf(const Document& document);

}  // namespace salesops::documents
