#include "services/documents/pdf_document.h"

#include <absl/status/status.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <absl/strings/str_replace.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <glib-object.h>
#include <glib.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "services/documents/cairo_support.h"
#include "services/documents/zint_drawing.h"

namespace salesops::documents {
namespace {

// A4 portrait.
constexpr double kPageWidth = 595.28;
constexpr double kPageHeight = 841.89;
constexpr double kMargin = Mm(18);
constexpr double kTextLeft = kMargin;
constexpr double kTextRight = kPageWidth - kMargin;
constexpr double kTextWidth = kTextRight - kTextLeft;  // 174 mm

// The letterhead on the first page: title and recipient on the left, logo and sender on the right.
constexpr double kSenderWidth = Mm(70);
constexpr double kHeaderColumnGap = Mm(8);
constexpr double kTitleToRecipient = Mm(6);
constexpr double kLogoToSender = Mm(3);
constexpr double kLetterheadToContent = Mm(10);
constexpr double kLogoMaxWidth = Mm(40);
constexpr double kLogoMaxHeight = Mm(18);
// Decoding allocates 4 bytes a pixel; a logo never needs more than this on either side.
constexpr uint32_t kLogoMaxPixels = 4096;

// The footer sits in the bottom margin's upper part, under a rule; the page label is on its right.
constexpr double kFooterBottom = kPageHeight - Mm(12);
constexpr double kPageLabelWidth = Mm(45);
constexpr double kFooterTextToLabel = Mm(4);
constexpr double kFooterRuleToText = Mm(1.5);
constexpr double kContentToFooterRule = Mm(4);

// Vertical space before a block; it is dropped at the top of a page.
constexpr double kBlockGap = Mm(4);
constexpr double kGapBeforeHeading = Mm(6);
constexpr double kGapAfterHeading = Mm(1.5);
constexpr double kGapBeforeTotals = Mm(1);

constexpr double kCellPaddingX = Mm(1.5);
constexpr double kCellPaddingY = Mm(1);
constexpr double kSubLineIndent = Mm(4);
constexpr double kSubLineGapAbove = Mm(0.3);
constexpr double kMinColumnWidth = Mm(5);
constexpr double kMinLastColumnWidth = Mm(15);
constexpr double kMinCellTextWidth = Mm(2);

// Code 128 barcodes in table cells. A module (the narrowest bar) of 1/100 inch is a whole number
// of dots on 300 and 600 dpi printers, so every bar prints equally wide; narrower than 0.19 mm,
// the handheld scanners of a warehouse stop reading reliably. The quiet zone, blank on either
// side, is what ISO/IEC 15417 asks for; it lies within the cell's text area, inside the padding,
// so no neighbour's ink can reach it.
constexpr double kBarcodeModule = Mm(0.254);
constexpr double kMinBarcodeModule = Mm(0.19);
constexpr double kBarcodeQuietZoneModules = 10;
constexpr double kBarcodeHeight = Mm(8);
constexpr double kBarcodeToText = Mm(0.8);

constexpr double kKeyValueGap = Mm(4);
constexpr double kMaxKeyWidth = Mm(60);
constexpr double kKeyValueSpacing = Mm(0.6);

constexpr double kMinAmountWidth = Mm(25);
constexpr double kTotalsColumnGap = Mm(6);
constexpr double kTotalLineSpacing = Mm(0.8);
constexpr double kEmphasizedTotalGapAbove = Mm(1.5);

constexpr double kSignatureRoom = Mm(15);
constexpr double kSignatureGap = Mm(10);
constexpr double kSignatureCaptionGap = Mm(1);

constexpr double kThickRule = 0.6;
constexpr double kThinRule = 0.25;

// Grey levels (0 is black, 1 white).
constexpr double kBlack = 0;
constexpr double kSubLineGrey = 0.4;
constexpr double kRowRuleGrey = 0.7;
constexpr double kFooterGrey = 0.3;

// Placement tolerance against rounding in the sums of heights.
constexpr double kEpsilon = 0.01;

constexpr char kFontFamily[] = "DejaVu Sans";

struct TextStyle {
  double size;  // points
  bool bold;
};
constexpr TextStyle kBodyStyle{9, false};
constexpr TextStyle kBodyBoldStyle{9, true};
constexpr TextStyle kTitleStyle{20, true};
constexpr TextStyle kHeadingStyle{11, true};
constexpr TextStyle kSmallStyle{7.5, false};

struct LayoutIterFree {
  void operator()(PangoLayoutIter* iter) const { pango_layout_iter_free(iter); }
};
using LayoutIterPtr = std::unique_ptr<PangoLayoutIter, LayoutIterFree>;
// Shared: a paragraph's lines are placed one by one, and a table's header row on every page.
using LayoutRef = std::shared_ptr<PangoLayout>;

// What a page shows, positioned in points from the page's top-left corner (or, inside a Piece,
// from the piece's top-left corner at the left margin).
struct DrawLayout {
  LayoutRef layout;
  double x;  // top-left corner
  double y;
  double grey;
};
struct DrawLayoutLine {
  LayoutRef layout;
  int line;
  double x;  // left end of the baseline
  double baseline;
  double grey;
};
struct DrawRule {
  double x_from;
  double x_to;
  double y;
  double width;
  double grey;
};
struct DrawImage {
  cairo_surface_t* image;  // owned by RenderPdf, outlives the pages
  double x;
  double y;
  double scale;
};
// Filled rectangles rather than an image, so that the bars stay sharp at any resolution.
struct DrawBars {
  std::vector<Bar> bars;  // in points from x
  double x;               // top-left corner
  double y;
  double height;
};
using DrawOp = std::variant<DrawLayout, DrawLayoutLine, DrawRule, DrawImage, DrawBars>;

DrawOp Translated(DrawOp op, double dx, double dy) {
  std::visit(
      [&](auto& drawn) {
        using T = std::decay_t<decltype(drawn)>;
        if constexpr (std::is_same_v<T, DrawLayout> || std::is_same_v<T, DrawImage> ||
                      std::is_same_v<T, DrawBars>) {
          drawn.x += dx;
          drawn.y += dy;
        } else if constexpr (std::is_same_v<T, DrawLayoutLine>) {
          drawn.x += dx;
          drawn.baseline += dy;
        } else {
          drawn.x_from += dx;
          drawn.x_to += dx;
          drawn.y += dy;
        }
      },
      op);
  return op;
}

// A strip of a block across the text width that a page break may precede but never cut: a table
// row, a line of a paragraph, a heading, a total line.
struct Piece {
  double height = 0;
  double space_before = 0;  // dropped at the top of a page
  // Moved to the next page with the following piece when both do not fit (a heading with what it
  // heads, a table row with its sub-lines, the lines of a key/value list).
  bool keep_with_next = false;
  // For a table's rows: the index of its header row in the table headers, drawn again at the top
  // of each page the table continues on.
  int repeated_header = -1;
  std::vector<DrawOp> ops;  // relative to the piece's top-left corner
};

std::string ValidUtf8(std::string_view text) {
  if (text.empty()) return {};
  if (g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr)) {
    return std::string(text);
  }
  // Pango would warn on stderr about it; a replacement character marks the spot instead.
  gchar* valid = g_utf8_make_valid(text.data(), static_cast<gssize>(text.size()));
  std::string result(valid);
  g_free(valid);
  return result;
}

void WrapAt(PangoLayout* layout, double width) {
  pango_layout_set_width(layout, pango_units_from_double(std::max(width, 1.0)));
  pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
}

// Caller text is set as plain text, never as markup, so '<' and '&' are just characters.
LayoutRef NewLayout(PangoContext* context, std::string_view text, TextStyle style,
                    double wrap_width = -1, PangoAlignment alignment = PANGO_ALIGN_LEFT) {
  LayoutRef layout(pango_layout_new(context), GObjectUnref());
  const FontDescriptionPtr font(pango_font_description_new());
  pango_font_description_set_family(font.get(), kFontFamily);
  pango_font_description_set_weight(font.get(),
                                    style.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  // Absolute: in user-space units, which are points on the PDF surface, whatever the resolution.
  pango_font_description_set_absolute_size(font.get(), style.size * PANGO_SCALE);
  pango_layout_set_font_description(layout.get(), font.get());
  if (wrap_width > 0) WrapAt(layout.get(), wrap_width);
  pango_layout_set_alignment(layout.get(), alignment);
  const std::string valid = ValidUtf8(text);
  pango_layout_set_text(layout.get(), valid.data(),
                        static_cast<int>(std::min<size_t>(valid.size(), INT_MAX)));
  return layout;
}

double LayoutWidth(PangoLayout* layout) {
  int width = 0;
  pango_layout_get_size(layout, &width, nullptr);
  return pango_units_to_double(width);
}

double LayoutHeight(PangoLayout* layout) {
  int height = 0;
  pango_layout_get_size(layout, nullptr, &height);
  return pango_units_to_double(height);
}

// Turns blocks into pieces, measured with the same Pango context that draws them, so the page
// breaks computed from the measurements are the ones drawn.
class PieceComposer {
 public:
  explicit PieceComposer(PangoContext* context) : context_(context) {}

  void Add(const Block& block) {
    const size_t first_piece = pieces_.size();
    std::visit([this](const auto& kind) { Compose(kind); }, block);
    if (pieces_.size() == first_piece) return;  // an empty block leaves the spacing alone
    const bool is_heading = std::holds_alternative<Heading>(block);
    const bool is_totals = std::holds_alternative<Totals>(block);
    double space = kBlockGap;
    if (previous_block_ == PreviousBlock::kHeading) {
      space = kGapAfterHeading;
    } else if (is_heading) {
      space = kGapBeforeHeading;
    } else if (is_totals) {
      space = kGapBeforeTotals;
    }
    pieces_[first_piece].space_before = space;
    // Totals do not start a page on their own, away from the rows they add up.
    if (is_totals && previous_block_ == PreviousBlock::kTable) {
      pieces_[first_piece - 1].keep_with_next = true;
    }
    previous_block_ = is_heading                             ? PreviousBlock::kHeading
                      : std::holds_alternative<Table>(block) ? PreviousBlock::kTable
                                                             : PreviousBlock::kOther;
  }

  const std::vector<Piece>& pieces() const { return pieces_; }
  const std::vector<Piece>& table_headers() const { return table_headers_; }

 private:
  void Compose(const Heading& heading) {
    Piece piece;
    LayoutRef layout = NewLayout(context_, heading.text, kHeadingStyle, kTextWidth);
    piece.height = LayoutHeight(layout.get());
    piece.keep_with_next = true;  // never the last thing on a page
    piece.ops.push_back(DrawLayout{std::move(layout), 0, 0, kBlack});
    pieces_.push_back(std::move(piece));
  }

  // One piece a line, so that a long paragraph continues on the next page.
  void Compose(const Paragraph& paragraph) {
    if (paragraph.text.empty()) return;
    const TextStyle style = paragraph.small ? kSmallStyle : kBodyStyle;
    const LayoutRef layout = NewLayout(context_, paragraph.text, style, kTextWidth);
    const size_t first_line = pieces_.size();
    const LayoutIterPtr iter(pango_layout_get_iter(layout.get()));
    int line = 0;
    do {
      PangoRectangle extents;
      pango_layout_iter_get_line_extents(iter.get(), nullptr, &extents);
      const int baseline = pango_layout_iter_get_baseline(iter.get());
      Piece piece;
      piece.height = pango_units_to_double(extents.height);
      piece.ops.push_back(DrawLayoutLine{layout, line, pango_units_to_double(extents.x),
                                         pango_units_to_double(baseline - extents.y), kBlack});
      pieces_.push_back(std::move(piece));
      ++line;
    } while (pango_layout_iter_next_line(iter.get()));
    // No single line alone at the foot of a page (orphan) or at the head of the next (widow).
    const size_t lines = pieces_.size() - first_line;
    if (lines <= 3) {
      for (size_t i = first_line; i + 1 < pieces_.size(); ++i) pieces_[i].keep_with_next = true;
    } else {
      pieces_[first_line].keep_with_next = true;
      pieces_[pieces_.size() - 2].keep_with_next = true;
    }
  }

  void Compose(const KeyValues& key_values) {
    if (key_values.pairs.empty()) return;
    std::vector<LayoutRef> keys;
    double key_width = 0;
    for (const auto& [key, value] : key_values.pairs) {
      std::string label = key;
      if (!label.empty() && !label.ends_with(':')) label += ':';
      keys.push_back(NewLayout(context_, label, kBodyStyle));
      key_width = std::max(key_width, LayoutWidth(keys.back().get()));
    }
    key_width = std::min(key_width, kMaxKeyWidth);
    const double value_x = key_width + kKeyValueGap;
    for (size_t i = 0; i < keys.size(); ++i) {
      WrapAt(keys[i].get(), key_width);
      LayoutRef value =
          NewLayout(context_, key_values.pairs[i].second, kBodyStyle, kTextWidth - value_x);
      Piece piece;
      piece.height = std::max(LayoutHeight(keys[i].get()), LayoutHeight(value.get())) +
                     (i + 1 < keys.size() ? kKeyValueSpacing : 0);
      // The list moves to the next page whole, unless it is longer than a page.
      piece.keep_with_next = i + 1 < keys.size();
      piece.ops.push_back(DrawLayout{keys[i], 0, 0, kBlack});
      piece.ops.push_back(DrawLayout{std::move(value), value_x, 0, kBlack});
      pieces_.push_back(std::move(piece));
    }
  }

  // The widths given, the last column taking what the others leave of the text width (the others
  // shrink in proportion if they would leave it less than kMinLastColumnWidth).
  static std::vector<double> ColumnWidths(const std::vector<Column>& columns) {
    std::vector<double> widths;
    double others = 0;
    for (const Column& column : columns) {
      const double width = std::isfinite(column.width_mm)
                               ? std::clamp(Mm(column.width_mm), kMinColumnWidth, kTextWidth)
                               : kMinColumnWidth;
      widths.push_back(width);
      others += width;
    }
    others -= widths.back();
    const double room_for_others = kTextWidth - kMinLastColumnWidth;
    if (others > room_for_others) {
      for (size_t i = 0; i + 1 < widths.size(); ++i) widths[i] *= room_for_others / others;
      others = room_for_others;
    }
    widths.back() = kTextWidth - others;
    return widths;
  }

  // A row of cells; `header` and sub-lines are styled, and a rule is drawn under the row unless
  // a sub-line of it follows. A sub-line's text spans the empty cells after it, so that a narrow
  // first column does not squeeze it.
  Piece TableRow(const Table& table, const std::vector<double>& widths,
                 const std::vector<std::string>& cells, bool header, bool next_is_sub_line) {
    const bool sub_line = !header && !cells.empty() && cells[0].starts_with('\t');
    const TextStyle style = header ? kBodyBoldStyle : (sub_line ? kSmallStyle : kBodyStyle);
    const double grey = sub_line ? kSubLineGrey : kBlack;
    const double padding_above = sub_line ? kSubLineGapAbove : kCellPaddingY;
    const double padding_below = next_is_sub_line ? 0 : kCellPaddingY;
    const auto cell_text = [&cells](size_t column) {
      return column < cells.size() ? std::string_view(cells[column]) : std::string_view();
    };
    Piece piece;
    double tallest = 0;
    double x = 0;
    for (size_t column = 0; column < table.columns.size();) {
      std::string_view text = cell_text(column);
      double width = widths[column];
      size_t next_column = column + 1;
      double indent = 0;
      if (column == 0 && sub_line) {
        text.remove_prefix(1);
        indent = kSubLineIndent;
        for (; next_column < table.columns.size() && cell_text(next_column).empty();
             ++next_column) {
          width += widths[next_column];
        }
      }
      const bool right_aligned = table.columns[column].right_aligned;
      const double text_width = std::max(width - 2 * kCellPaddingX - indent, kMinCellTextWidth);
      std::optional<double> barcode_height;
      if (table.columns[column].barcode && !header && !sub_line && !text.empty()) {
        barcode_height = ComposeBarcodeCell(text, x + kCellPaddingX, text_width, right_aligned,
                                            padding_above, &piece.ops);
      }
      if (barcode_height.has_value()) {
        tallest = std::max(tallest, *barcode_height);
      } else {
        // An empty cell still has a line's height, so that an empty row is not flat.
        LayoutRef layout = NewLayout(context_, text, style, text_width,
                                     right_aligned ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
        tallest = std::max(tallest, LayoutHeight(layout.get()));
        if (!text.empty()) {
          piece.ops.push_back(
              DrawLayout{std::move(layout), x + kCellPaddingX + indent, padding_above, grey});
        }
      }
      x += width;
      column = next_column;
    }
    piece.height = padding_above + tallest + padding_below;
    if (header) {
      piece.ops.push_back(DrawRule{0, kTextWidth, piece.height, kThickRule, kBlack});
    } else if (!next_is_sub_line) {
      piece.ops.push_back(DrawRule{0, kTextWidth, piece.height, kThinRule, kRowRuleGrey});
    }
    // A header is not left alone at the foot of a page, nor a row without its sub-lines.
    piece.keep_with_next = header || next_is_sub_line;
    return piece;
  }

  // Adds to `ops` the Code 128 barcode of `text`, in a cell's text area `width` wide from `left`
  // and `top`, with the text in small print under it, and returns the height they take. Nullopt
  // (and nothing added) when zint refuses the text or the code does not fit even with the
  // narrowest modules: the cell then shows the text like any other.
  std::optional<double> ComposeBarcodeCell(std::string_view text, double left, double width,
                                           bool right_aligned, double top,
                                           std::vector<DrawOp>* ops) {
    const std::optional<Code128Bars> code = EncodeCode128(text);
    if (!code.has_value()) return std::nullopt;
    const double symbol_modules = code->modules + 2 * kBarcodeQuietZoneModules;
    const double module = std::min(kBarcodeModule, width / symbol_modules);
    if (module < kMinBarcodeModule) return std::nullopt;
    const double symbol_left = right_aligned ? left + width - symbol_modules * module : left;
    const double bars_left = symbol_left + kBarcodeQuietZoneModules * module;
    DrawBars bars{{}, bars_left, top, kBarcodeHeight};
    bars.bars.reserve(code->bars.size());
    for (const Bar& bar : code->bars) {
      bars.bars.push_back(Bar{bar.left * module, bar.width * module});
    }
    ops->push_back(std::move(bars));

    // Centred under the bars, where a reader looks for it, but within the cell.
    LayoutRef caption = NewLayout(context_, text, kSmallStyle);
    const double caption_width = LayoutWidth(caption.get());
    double caption_x = left;
    if (caption_width <= width) {
      const double bars_centre = bars_left + code->modules * module / 2;
      caption_x = std::clamp(bars_centre - caption_width / 2, left, left + width - caption_width);
    } else {
      WrapAt(caption.get(), width);
      pango_layout_set_alignment(caption.get(),
                                 right_aligned ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    }
    const double caption_top = kBarcodeHeight + kBarcodeToText;
    const double height = caption_top + LayoutHeight(caption.get());
    ops->push_back(DrawLayout{std::move(caption), caption_x, top + caption_top, kBlack});
    return height;
  }

  void Compose(const Table& table) {
    if (table.columns.empty()) return;
    const std::vector<double> widths = ColumnWidths(table.columns);
    std::vector<std::string> headings;
    for (const Column& column : table.columns) headings.push_back(column.heading);
    Piece header = TableRow(table, widths, headings, /*header=*/true, /*next_is_sub_line=*/false);
    const int header_index = static_cast<int>(table_headers_.size());
    table_headers_.push_back(header);
    pieces_.push_back(std::move(header));
    for (size_t row = 0; row < table.rows.size(); ++row) {
      const bool next_is_sub_line = row + 1 < table.rows.size() && !table.rows[row + 1].empty() &&
                                    table.rows[row + 1][0].starts_with('\t');
      Piece piece = TableRow(table, widths, table.rows[row], /*header=*/false, next_is_sub_line);
      piece.repeated_header = header_index;
      pieces_.push_back(std::move(piece));
    }
  }

  // Labels right-aligned in one column, amounts right-aligned in another that ends where a table's
  // right-aligned cells end.
  void Compose(const Totals& totals) {
    if (totals.lines.empty()) return;
    std::vector<LayoutRef> labels;
    std::vector<LayoutRef> amounts;
    double label_width = 0;
    double amount_width = kMinAmountWidth;
    for (const TotalLine& line : totals.lines) {
      const TextStyle style = line.emphasized ? kBodyBoldStyle : kBodyStyle;
      labels.push_back(NewLayout(context_, line.label, style));
      amounts.push_back(NewLayout(context_, line.amount, style));
      label_width = std::max(label_width, LayoutWidth(labels.back().get()));
      amount_width = std::max(amount_width, LayoutWidth(amounts.back().get()));
    }
    const double right = kTextWidth - kCellPaddingX;
    amount_width = std::min(amount_width, kTextWidth / 2);
    label_width = std::min(label_width, right - amount_width - kTotalsColumnGap);
    const double amount_x = right - amount_width;
    const double label_x = amount_x - kTotalsColumnGap - label_width;
    for (size_t i = 0; i < totals.lines.size(); ++i) {
      WrapAt(labels[i].get(), label_width);
      pango_layout_set_alignment(labels[i].get(), PANGO_ALIGN_RIGHT);
      WrapAt(amounts[i].get(), amount_width);
      pango_layout_set_alignment(amounts[i].get(), PANGO_ALIGN_RIGHT);
      Piece piece;
      double top = 0;
      if (totals.lines[i].emphasized) {
        piece.ops.push_back(DrawRule{label_x - kCellPaddingX, kTextWidth,
                                     kEmphasizedTotalGapAbove / 2, kThickRule, kBlack});
        top = kEmphasizedTotalGapAbove;
      }
      piece.height = top + std::max(LayoutHeight(labels[i].get()), LayoutHeight(amounts[i].get())) +
                     kTotalLineSpacing;
      piece.keep_with_next = i + 1 < totals.lines.size();
      piece.ops.push_back(DrawLayout{labels[i], label_x, top, kBlack});
      piece.ops.push_back(DrawLayout{amounts[i], amount_x, top, kBlack});
      pieces_.push_back(std::move(piece));
    }
  }

  void Compose(const SignatureLines& signatures) {
    if (signatures.captions.empty()) return;
    const double count = static_cast<double>(signatures.captions.size());
    const double width = (kTextWidth - (count - 1) * kSignatureGap) / count;
    Piece piece;
    double tallest_caption = 0;
    for (size_t i = 0; i < signatures.captions.size(); ++i) {
      const double x = static_cast<double>(i) * (width + kSignatureGap);
      piece.ops.push_back(DrawRule{x, x + width, kSignatureRoom, kThickRule, kBlack});
      LayoutRef caption = NewLayout(context_, signatures.captions[i], kSmallStyle, width);
      tallest_caption = std::max(tallest_caption, LayoutHeight(caption.get()));
      piece.ops.push_back(
          DrawLayout{std::move(caption), x, kSignatureRoom + kSignatureCaptionGap, kBlack});
    }
    piece.height = kSignatureRoom + kSignatureCaptionGap + tallest_caption;
    pieces_.push_back(std::move(piece));
  }

  PangoContext* context_;
  std::vector<Piece> pieces_;
  std::vector<Piece> table_headers_;
  enum class PreviousBlock { kNone, kHeading, kTable, kOther };
  PreviousBlock previous_block_ = PreviousBlock::kNone;
};

// Places the pieces top to bottom, starting a page when the next piece (with those it keeps with)
// does not fit above the footer. Runs once, before anything is drawn: the page count is known
// when the first page label is drawn, and the breaks are the ones drawn.
class Paginator {
 public:
  Paginator(std::vector<DrawOp> letterhead, double first_content_top, double content_bottom,
            const std::vector<Piece>& table_headers)
      : content_bottom_(content_bottom), table_headers_(table_headers), y_(first_content_top) {
    pages_.push_back(std::move(letterhead));
  }

  std::vector<std::vector<DrawOp>> Paginate(const std::vector<Piece>& pieces) && {
    for (size_t i = 0; i < pieces.size(); ++i) {
      const Piece& piece = pieces[i];
      if (!page_empty_) {
        const double kept_height = KeptHeight(pieces, i);
        const bool kept_fit_here =
            y_ + piece.space_before + kept_height <= content_bottom_ + kEpsilon;
        const bool kept_fit_a_page =
            kMargin + RepeatedHeaderHeight(piece) + kept_height <= content_bottom_ + kEpsilon;
        const bool piece_fits_here =
            y_ + piece.space_before + piece.height <= content_bottom_ + kEpsilon;
        // What is kept together and longer than a page breaks where it must.
        if (!kept_fit_here && (kept_fit_a_page || !piece_fits_here)) NewPage();
      }
      if (page_empty_ && piece.repeated_header >= 0) {
        Put(table_headers_[static_cast<size_t>(piece.repeated_header)]);
      }
      Put(piece);
    }
    return std::move(pages_);
  }

 private:
  // The height of the piece and the pieces it keeps with, spaces between them included.
  static double KeptHeight(const std::vector<Piece>& pieces, size_t first) {
    double height = pieces[first].height;
    for (size_t i = first; i + 1 < pieces.size() && pieces[i].keep_with_next; ++i) {
      height += pieces[i + 1].space_before + pieces[i + 1].height;
    }
    return height;
  }

  double RepeatedHeaderHeight(const Piece& piece) const {
    if (piece.repeated_header < 0) return 0;
    return table_headers_[static_cast<size_t>(piece.repeated_header)].height;
  }

  void NewPage() {
    pages_.emplace_back();
    y_ = kMargin;
    page_empty_ = true;
  }

  void Put(const Piece& piece) {
    if (!page_empty_) y_ += piece.space_before;
    for (const DrawOp& op : piece.ops) pages_.back().push_back(Translated(op, kTextLeft, y_));
    y_ += piece.height;
    page_empty_ = false;
  }

  const double content_bottom_;
  const std::vector<Piece>& table_headers_;
  std::vector<std::vector<DrawOp>> pages_;
  double y_;
  bool page_empty_ = true;
};

struct Letterhead {
  std::vector<DrawOp> ops;
  double bottom = kMargin;
};

Letterhead ComposeLetterhead(PangoContext* context, const Document& document,
                             cairo_surface_t* logo) {
  Letterhead letterhead;
  const double left_width = kTextWidth - kSenderWidth - kHeaderColumnGap;
  double left_bottom = kMargin;
  if (!document.title.empty()) {
    LayoutRef title = NewLayout(context, document.title, kTitleStyle, left_width);
    left_bottom += LayoutHeight(title.get());
    letterhead.ops.push_back(DrawLayout{std::move(title), kTextLeft, kMargin, kBlack});
  }
  if (!document.recipient_lines.empty()) {
    if (!document.title.empty()) left_bottom += kTitleToRecipient;
    LayoutRef recipient =
        NewLayout(context, absl::StrJoin(document.recipient_lines, "\n"), kBodyStyle, left_width);
    const double height = LayoutHeight(recipient.get());
    letterhead.ops.push_back(DrawLayout{std::move(recipient), kTextLeft, left_bottom, kBlack});
    left_bottom += height;
  }

  double right_bottom = kMargin;
  if (logo != nullptr) {
    const double width = cairo_image_surface_get_width(logo);
    const double height = cairo_image_surface_get_height(logo);
    // One pixel a point at most: a small logo is not blown up.
    const double scale = std::min({1.0, kLogoMaxWidth / width, kLogoMaxHeight / height});
    letterhead.ops.push_back(DrawImage{logo, kTextRight - width * scale, kMargin, scale});
    right_bottom += height * scale + kLogoToSender;
  }
  if (!document.sender_lines.empty()) {
    const double sender_x = kTextRight - kSenderWidth;
    LayoutRef company = NewLayout(context, document.sender_lines.front(), kBodyBoldStyle,
                                  kSenderWidth, PANGO_ALIGN_RIGHT);
    const double company_height = LayoutHeight(company.get());
    letterhead.ops.push_back(DrawLayout{std::move(company), sender_x, right_bottom, kBlack});
    right_bottom += company_height;
    if (document.sender_lines.size() > 1) {
      LayoutRef address = NewLayout(
          context,
          absl::StrJoin(document.sender_lines.begin() + 1, document.sender_lines.end(), "\n"),
          kBodyStyle, kSenderWidth, PANGO_ALIGN_RIGHT);
      const double address_height = LayoutHeight(address.get());
      letterhead.ops.push_back(DrawLayout{std::move(address), sender_x, right_bottom, kBlack});
      right_bottom += address_height;
    }
  }
  if (letterhead.ops.empty()) return letterhead;
  letterhead.bottom = std::max(left_bottom, right_bottom) + kLetterheadToContent;
  return letterhead;
}

// The footer's text is the same on every page; the page label is set per page when drawing, in a
// box of fixed size so that its text cannot move the page breaks.
struct Footer {
  LayoutRef text;     // null without footer text
  double top = 0;     // of the footer text and page label
  double rule_y = 0;  // 0: no rule
  double content_bottom = kPageHeight - kMargin;
};

Footer ComposeFooter(PangoContext* context, const Document& document) {
  Footer footer;
  double height = 0;
  if (!document.footer.empty()) {
    footer.text = NewLayout(context, document.footer, kSmallStyle,
                            kTextWidth - kPageLabelWidth - kFooterTextToLabel);
    height = LayoutHeight(footer.text.get());
  }
  if (!document.page_label.empty()) {
    // The height a label with three-digit numbers would take.
    const std::string widest_label =
        absl::StrReplaceAll(document.page_label, {{"{page}", "888"}, {"{pages}", "888"}});
    const LayoutRef label =
        NewLayout(context, widest_label, kSmallStyle, kPageLabelWidth, PANGO_ALIGN_RIGHT);
    height = std::max(height, LayoutHeight(label.get()));
  }
  if (height == 0) return footer;
  footer.top = kFooterBottom - height;
  footer.rule_y = footer.top - kFooterRuleToText;
  footer.content_bottom = footer.rule_y - kContentToFooterRule;
  return footer;
}

void Draw(cairo_t* cr, const DrawOp& op) {
  std::visit(
      [cr](const auto& drawn) {
        using T = std::decay_t<decltype(drawn)>;
        if constexpr (std::is_same_v<T, DrawLayout>) {
          cairo_set_source_rgb(cr, drawn.grey, drawn.grey, drawn.grey);
          cairo_move_to(cr, drawn.x, drawn.y);
          pango_cairo_show_layout(cr, drawn.layout.get());
        } else if constexpr (std::is_same_v<T, DrawLayoutLine>) {
          cairo_set_source_rgb(cr, drawn.grey, drawn.grey, drawn.grey);
          cairo_move_to(cr, drawn.x, drawn.baseline);
          pango_cairo_show_layout_line(
              cr, pango_layout_get_line_readonly(drawn.layout.get(), drawn.line));
        } else if constexpr (std::is_same_v<T, DrawRule>) {
          cairo_set_source_rgb(cr, drawn.grey, drawn.grey, drawn.grey);
          cairo_set_line_width(cr, drawn.width);
          cairo_move_to(cr, drawn.x_from, drawn.y);
          cairo_line_to(cr, drawn.x_to, drawn.y);
          cairo_stroke(cr);
        } else if constexpr (std::is_same_v<T, DrawBars>) {
          // Black whatever the text's grey: scanners need the contrast.
          cairo_set_source_rgb(cr, kBlack, kBlack, kBlack);
          for (const Bar& bar : drawn.bars) {
            cairo_rectangle(cr, drawn.x + bar.left, drawn.y, bar.width, drawn.height);
          }
          cairo_fill(cr);
        } else {
          cairo_save(cr);
          cairo_translate(cr, drawn.x, drawn.y);
          cairo_scale(cr, drawn.scale, drawn.scale);
          cairo_set_source_surface(cr, drawn.image, 0, 0);
          cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
          cairo_paint(cr);
          cairo_restore(cr);
        }
      },
      op);
}

void DrawFooter(cairo_t* cr, PangoContext* context, const Document& document, const Footer& footer,
                size_t page, size_t pages) {
  if (footer.rule_y > 0) {
    Draw(cr, DrawRule{kTextLeft, kTextRight, footer.rule_y, kThinRule, kRowRuleGrey});
  }
  if (footer.text != nullptr) Draw(cr, DrawLayout{footer.text, kTextLeft, footer.top, kFooterGrey});
  if (!document.page_label.empty()) {
    const std::string label = absl::StrReplaceAll(
        document.page_label, {{"{page}", absl::StrCat(page)}, {"{pages}", absl::StrCat(pages)}});
    Draw(cr, DrawLayout{NewLayout(context, label, kSmallStyle, kPageLabelWidth, PANGO_ALIGN_RIGHT),
                        kTextRight - kPageLabelWidth, footer.top, kFooterGrey});
  }
}

struct PngSource {
  std::string_view bytes;
  size_t offset = 0;
};

cairo_status_t ReadPng(void* closure, unsigned char* data, unsigned int length) {
  auto* source = static_cast<PngSource*>(closure);
  if (source->bytes.size() - source->offset < length) return CAIRO_STATUS_READ_ERROR;
  std::memcpy(data, source->bytes.data() + source->offset, length);
  source->offset += length;
  return CAIRO_STATUS_SUCCESS;
}

uint32_t BigEndian32(std::string_view bytes) {
  uint32_t value = 0;
  for (unsigned char byte : bytes.substr(0, 4)) value = value << 8 | byte;
  return value;
}

absl::StatusOr<SurfacePtr> DecodeLogo(std::string_view png) {
  constexpr std::string_view kPngSignature("\x89PNG\r\n\x1a\n", 8);
  const absl::Status not_a_png = absl::InvalidArgumentError("the logo is not a PNG image");
  // The signature, then the IHDR chunk: length, type, width and height (big-endian).
  if (png.size() < 24 || !png.starts_with(kPngSignature)) return not_a_png;
  if (BigEndian32(png.substr(16)) > kLogoMaxPixels ||
      BigEndian32(png.substr(20)) > kLogoMaxPixels) {
    return absl::InvalidArgumentError(
        absl::StrCat("the logo is larger than ", kLogoMaxPixels, " x ", kLogoMaxPixels, " pixels"));
  }
  PngSource source{png};
  SurfacePtr image(cairo_image_surface_create_from_png_stream(&ReadPng, &source));
  const cairo_status_t status = cairo_surface_status(image.get());
  if (status == CAIRO_STATUS_NO_MEMORY) return CairoError("the PDF", status);
  if (status != CAIRO_STATUS_SUCCESS) return not_a_png;
  return image;
}

}  // namespace

absl::StatusOr<std::string> RenderPdf(const Document& document) {
  SurfacePtr logo;
  if (!document.logo_png.empty()) {
    absl::StatusOr<SurfacePtr> decoded = DecodeLogo(document.logo_png);
    if (!decoded.ok()) return decoded.status();
    logo = *std::move(decoded);
  }

  std::string pdf;
  const SurfacePtr surface(
      cairo_pdf_surface_create_for_stream(&AppendToString, &pdf, kPageWidth, kPageHeight));
  if (cairo_status_t status = cairo_surface_status(surface.get()); status != CAIRO_STATUS_SUCCESS) {
    return CairoError("the PDF", status);
  }
  if (!document.pdf_title.empty()) {
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_TITLE,
                                   ValidUtf8(document.pdf_title).c_str());
  }
  if (!document.pdf_author.empty()) {
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_AUTHOR,
                                   ValidUtf8(document.pdf_author).c_str());
  }
  // Cairo stamps the current time as the creation date unless told otherwise; a date it cannot
  // read (the empty one included) leaves the date out, so the bytes never depend on the clock.
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATE_DATE,
                                 document.creation_date.c_str());
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_MOD_DATE,
                                 document.creation_date.c_str());

  const CairoPtr cr(cairo_create(surface.get()));
  const PangoContextPtr context = NewPangoContext(cr.get());

  Letterhead letterhead = ComposeLetterhead(context.get(), document, logo.get());
  const Footer footer = ComposeFooter(context.get(), document);
  PieceComposer composer(context.get());
  for (const Block& block : document.blocks) composer.Add(block);
  const std::vector<std::vector<DrawOp>> pages =
      Paginator(std::move(letterhead.ops), letterhead.bottom, footer.content_bottom,
                composer.table_headers())
          .Paginate(composer.pieces());

  for (size_t page = 0; page < pages.size(); ++page) {
    for (const DrawOp& op : pages[page]) Draw(cr.get(), op);
    DrawFooter(cr.get(), context.get(), document, footer, page + 1, pages.size());
    cairo_show_page(cr.get());
    if (cairo_status_t status = cairo_status(cr.get()); status != CAIRO_STATUS_SUCCESS) {
      return CairoError("the PDF", status);
    }
  }
  cairo_surface_finish(surface.get());
  if (cairo_status_t status = cairo_surface_status(surface.get()); status != CAIRO_STATUS_SUCCESS) {
    return CairoError("the PDF", status);
  }
  return pdf;
}

}  // namespace salesops::documents
