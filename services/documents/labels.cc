#include "services/documents/labels.h"

#include <absl/status/status.h>
#include <absl/strings/str_cat.h>
#include <cairo-pdf.h>
#include <cairo.h>
#include <glib-object.h>
#include <glib.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstddef>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <string_view>

#include "services/documents/cairo_support.h"
#include "services/documents/zint_drawing.h"

namespace salesops::documents {
namespace {

// One dot of a 300 dpi label printer, two of a 600 dpi one, one pixel of a 300 dpi rendering.
// Barcode modules are a whole number of dots and symbols start on a dot, so that every bar prints
// exactly as wide as the others of its width: modules of 2.5 dots would print bars of 2 or 3 dots
// at random, and scanners read bar widths.
constexpr double kDot = 72.0 / 300;

// The blank the standards ask for around a symbol, in modules: ISO/IEC 15417 for Code 128,
// ISO/IEC 18004 for QR. It lies within the label's content area, never on its margin, so the
// label's edge or a neighbour's ink cannot reach it.
constexpr double kCode128QuietZoneModules = 10;
constexpr double kQrQuietZoneModules = 4;
// 0.34 mm: wider bars do not scan any better, they only stretch a short code across the label.
constexpr int kMaxCode128ModuleDots = 4;

// Where a label's lines are cut before Pango shapes them: more than ever fits on a label line, and
// a bound on the work a megabyte of title would cost, times 2000 labels.
constexpr glong kMaxLineCharacters = 200;
// The code shrinks to fit its line before it is cut short, down to this size: 60 capitals and
// digits fit on either stock at it (about 56 mm), and smaller print is hardly read.
constexpr double kMinCodeSize = 3.5;
// Shrinking leaves this much room, so that the rounding of glyph advances cannot make Pango cut
// the last character after all.
constexpr double kShrinkSlack = 0.99;

constexpr char kFontFamily[] = "DejaVu Sans";

struct StockGeometry {
  double page_width;  // points
  double page_height;
  int columns;  // labels across a page
  int rows;     // and down it, from the top-left corner: no page margins
  double label_width;
  double label_height;
  double margin_x;  // blank inside the label's edge
  double margin_y;
  double code_size;  // points
  double title_size;
  double subtitle_size;
  double symbols_to_text;
};

// The outer labels of the sheet touch its edges, and laser printers leave about 4 mm there blank.
constexpr StockGeometry kA4SheetGeometry{
    .page_width = 595.28,
    .page_height = 841.89,
    .columns = 3,
    .rows = 8,
    .label_width = Mm(70),
    .label_height = Mm(37),
    .margin_x = Mm(4),
    .margin_y = Mm(4),
    .code_size = 12,
    .title_size = 8,
    .subtitle_size = 6.5,
    .symbols_to_text = Mm(1),
};
// Brother QL printers leave about 1.5 mm at the sides of the 62 mm tape blank, and 3 mm at either
// end of a die-cut label.
constexpr StockGeometry kRoll62mmGeometry{
    .page_width = Mm(62),
    .page_height = Mm(29),
    .columns = 1,
    .rows = 1,
    .label_width = Mm(62),
    .label_height = Mm(29),
    .margin_x = Mm(1.5),
    .margin_y = Mm(3),
    .code_size = 10,
    .title_size = 7,
    .subtitle_size = 6,
    .symbols_to_text = Mm(0.8),
};

using LayoutPtr = std::unique_ptr<PangoLayout, GObjectUnref>;

absl::Status CheckLabel(const Label& label, size_t index) {
  const auto invalid = [index](const std::string& field, const std::string& problem) {
    // The offending text is not repeated: it comes from the caller.
    return absl::InvalidArgumentError(absl::StrCat("labels[", index, "].", field, " ", problem));
  };
  if (label.code.empty()) return invalid("code", "is empty");
  if (label.code.size() > static_cast<size_t>(kMaxLabelCodeLength)) {
    return invalid("code", absl::StrCat("is longer than ", kMaxLabelCodeLength, " characters"));
  }
  for (const char c : label.code) {
    if (c < ' ' || c > '~') {
      return invalid("code", "holds a character other than printable ASCII (space to '~')");
    }
  }
  if (label.qr_payload.size() > static_cast<size_t>(kMaxQrPayloadBytes)) {
    return invalid("qr_payload", absl::StrCat("is longer than ", kMaxQrPayloadBytes, " bytes"));
  }
  // A QR code carries any bytes, but what a phone shows of invalid UTF-8 is anyone's guess.
  if (!g_utf8_validate(label.qr_payload.data(), static_cast<gssize>(label.qr_payload.size()),
                       nullptr)) {
    return invalid("qr_payload", "is not valid UTF-8 (or holds a NUL)");
  }
  return absl::OkStatus();
}

// Caller text as a label line takes it: valid UTF-8 (Pango would warn on stderr about anything
// else; a replacement character marks the spot instead), and cut after kMaxLineCharacters, with
// "…" showing that it was.
std::string LineText(std::string_view text) {
  if (text.empty()) return {};
  // A character takes at most 4 bytes: enough bytes for one character more than is kept.
  const size_t kept_bytes = std::min<size_t>(text.size(), (kMaxLineCharacters + 1) * 4);
  gchar* valid = g_utf8_make_valid(text.data(), static_cast<gssize>(kept_bytes));
  std::string line(valid);
  g_free(valid);
  const bool too_long = g_utf8_strlen(line.c_str(), -1) > kMaxLineCharacters;
  if (too_long) {
    line.resize(static_cast<size_t>(g_utf8_offset_to_pointer(line.c_str(), kMaxLineCharacters) -
                                    line.c_str()));
  }
  if (too_long || kept_bytes < text.size()) line += "…";
  return line;
}

// One line of plain text (never markup), '\n' included: drawn as a glyph, not as a second line the
// label has no room for.
LayoutPtr NewLine(PangoContext* context, const std::string& text, double size, bool bold) {
  LayoutPtr layout(pango_layout_new(context));
  const FontDescriptionPtr font(pango_font_description_new());
  pango_font_description_set_family(font.get(), kFontFamily);
  pango_font_description_set_weight(font.get(), bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  // Absolute: in user-space units, which are points on the PDF surface, whatever the resolution.
  pango_font_description_set_absolute_size(font.get(), size * PANGO_SCALE);
  pango_layout_set_font_description(layout.get(), font.get());
  pango_layout_set_single_paragraph_mode(layout.get(), TRUE);
  pango_layout_set_text(layout.get(), text.data(),
                        static_cast<int>(std::min<size_t>(text.size(), INT_MAX)));
  return layout;
}

void EllipsizeAt(PangoLayout* layout, double width) {
  pango_layout_set_width(layout, pango_units_from_double(width));
  pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
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

double LayoutBaseline(PangoLayout* layout) {
  return pango_units_to_double(pango_layout_get_baseline(layout));
}

void ShowOnBaseline(cairo_t* cr, PangoLayout* layout, double x, double baseline) {
  cairo_move_to(cr, x, baseline - LayoutBaseline(layout));
  pango_cairo_show_layout(cr, layout);
}

// Where things go on every label of a stock, in points from the label's top-left corner.
struct LabelFrame {
  double content_left;
  double content_top;
  double content_right;
  double symbols_bottom;
  double code_baseline;
  double title_baseline;
  double subtitle_baseline;
};

// The text lines sit at the foot of the content area, one under the other; the symbols take what
// is left above them. The lines are measured on a sample rather than on each label's text, so that
// they stand at the same height on every label (a fallback font for some script may be taller; the
// label's clip keeps it on the label).
LabelFrame MeasureFrame(PangoContext* context, const StockGeometry& stock) {
  constexpr char kSample[] = "ÁÇgjy";
  const LayoutPtr code = NewLine(context, kSample, stock.code_size, /*bold=*/true);
  const LayoutPtr title = NewLine(context, kSample, stock.title_size, /*bold=*/false);
  const LayoutPtr subtitle = NewLine(context, kSample, stock.subtitle_size, /*bold=*/false);
  LabelFrame frame;
  frame.content_left = stock.margin_x;
  frame.content_top = stock.margin_y;
  frame.content_right = stock.label_width - stock.margin_x;
  const double subtitle_top = stock.label_height - stock.margin_y - LayoutHeight(subtitle.get());
  const double title_top = subtitle_top - LayoutHeight(title.get());
  const double code_top = title_top - LayoutHeight(code.get());
  frame.subtitle_baseline = subtitle_top + LayoutBaseline(subtitle.get());
  frame.title_baseline = title_top + LayoutBaseline(title.get());
  frame.code_baseline = code_top + LayoutBaseline(code.get());
  frame.symbols_bottom = code_top - stock.symbols_to_text;
  return frame;
}

// A symbol's module width, and whether it is a whole number of dots.
struct Module {
  double width;
  bool whole_dots;
};

// The module for a symbol of `modules` (quiet zones included) in `room` points: the most whole
// dots that fit (at most `max_dots`), with a dot to spare for moving the symbol onto the dot grid.
// Where not even one dot a module fits, the symbol is scaled to the room: too fine to print
// crisply, but still on the label.
Module ModuleFor(double modules, double room, int max_dots) {
  const double dots = std::min<double>(max_dots, std::floor((room - kDot) / (modules * kDot)));
  if (dots >= 1) return Module{dots * kDot, true};
  return Module{room / modules, false};
}

enum class Snap { kDown, kNearest };

// `x` moved onto the dot grid: by less than a dot down, or by half a dot at most to the nearest.
// A symbol scaled to its room has no grid to keep and stays where it is.
double OnDotGrid(double x, const Module& module, Snap snap) {
  if (!module.whole_dots) return x;
  const double dots = x / kDot;
  return (snap == Snap::kDown ? std::floor(dots) : std::round(dots)) * kDot;
}

// Draws the symbols in the row above the text lines: the QR code at the right, as large as the
// row's height allows, and the Code 128 centred in the room left of it, its bars as tall as the QR
// code's dark part. `left` and `top` are the label's corner on the page, in points.
void DrawSymbols(cairo_t* cr, const LabelFrame& frame, const Code128Bars& code, const QrModules& qr,
                 double left, double top) {
  const double row_top = top + frame.content_top;
  const double row_height = frame.symbols_bottom - frame.content_top;
  const double content_right = left + frame.content_right;

  const double qr_modules = qr.size + 2 * kQrQuietZoneModules;
  const Module qr_module = ModuleFor(qr_modules, row_height, INT_MAX);
  const double qr_side = qr_modules * qr_module.width;
  // Onto the dot grid within the room: leftwards, and by at most half of the spare dot vertically.
  const double qr_left = OnDotGrid(content_right - qr_side, qr_module, Snap::kDown);
  const double qr_top = OnDotGrid(row_top + (row_height - qr_side) / 2, qr_module, Snap::kNearest);
  const double dark_left = qr_left + kQrQuietZoneModules * qr_module.width;
  const double dark_top = qr_top + kQrQuietZoneModules * qr_module.width;
  for (const ModuleRect& rect : qr.dark) {
    cairo_rectangle(cr, dark_left + rect.x * qr_module.width, dark_top + rect.y * qr_module.width,
                    rect.width * qr_module.width, rect.height * qr_module.width);
  }

  const double code_room_left = left + frame.content_left;
  const double code_room = qr_left - code_room_left;
  const double code_modules = code.modules + 2 * kCode128QuietZoneModules;
  const Module module = ModuleFor(code_modules, code_room, kMaxCode128ModuleDots);
  const double bars_left =
      OnDotGrid(code_room_left + (code_room - code_modules * module.width) / 2 +
                    kCode128QuietZoneModules * module.width,
                module, Snap::kNearest);
  const double bars_height = qr.size * qr_module.width;
  for (const Bar& bar : code.bars) {
    cairo_rectangle(cr, bars_left + bar.left * module.width, dark_top, bar.width * module.width,
                    bars_height);
  }
  // Black, one fill for both symbols: scanners need the contrast, and the rectangles never overlap.
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_fill(cr);
}

absl::Status DrawLabel(cairo_t* cr, PangoContext* context, const StockGeometry& stock,
                       const LabelFrame& frame, const Label& label, size_t index, double left,
                       double top) {
  const std::optional<Code128Bars> code = EncodeCode128(label.code);
  const std::optional<QrModules> qr =
      EncodeQrCode(label.qr_payload.empty() ? label.code : label.qr_payload);
  // CheckLabel let through only what zint encodes; this is zint disagreeing.
  if (!code.has_value() || !qr.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("labels[", index, "] cannot be encoded as Code 128 and QR code"));
  }

  cairo_save(cr);
  // Whatever a glyph does (a stack of combining marks, a tall fallback font), it stays on its
  // label and off the neighbours'.
  cairo_rectangle(cr, left, top, stock.label_width, stock.label_height);
  cairo_clip(cr);
  DrawSymbols(cr, frame, *code, *qr, left, top);

  const double text_left = left + frame.content_left;
  const double text_width = frame.content_right - frame.content_left;
  LayoutPtr code_line = NewLine(context, label.code, stock.code_size, /*bold=*/true);
  if (const double natural = LayoutWidth(code_line.get()); natural > text_width) {
    const double size =
        std::max(kMinCodeSize, stock.code_size * text_width / natural * kShrinkSlack);
    code_line = NewLine(context, label.code, size, /*bold=*/true);
  }
  EllipsizeAt(code_line.get(), text_width);
  // What is left out of a code too long even so is its middle: both ends tell codes apart.
  pango_layout_set_ellipsize(code_line.get(), PANGO_ELLIPSIZE_MIDDLE);
  ShowOnBaseline(cr, code_line.get(), text_left, top + frame.code_baseline);

  if (!label.title.empty()) {
    const LayoutPtr title =
        NewLine(context, LineText(label.title), stock.title_size, /*bold=*/false);
    EllipsizeAt(title.get(), text_width);
    ShowOnBaseline(cr, title.get(), text_left, top + frame.title_baseline);
  }
  if (!label.subtitle.empty()) {
    const LayoutPtr subtitle =
        NewLine(context, LineText(label.subtitle), stock.subtitle_size, /*bold=*/false);
    EllipsizeAt(subtitle.get(), text_width);
    ShowOnBaseline(cr, subtitle.get(), text_left, top + frame.subtitle_baseline);
  }
  cairo_restore(cr);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> RenderLabels(const std::vector<Label>& labels, LabelStock stock) {
  if (labels.empty()) return absl::InvalidArgumentError("no labels to print");
  if (labels.size() > static_cast<size_t>(kMaxLabels)) {
    return absl::InvalidArgumentError(
        absl::StrCat(labels.size(), " labels are more than ", kMaxLabels, " at once"));
  }
  // All of them before the first is drawn: a refusal costs no rendering.
  for (size_t i = 0; i < labels.size(); ++i) {
    if (absl::Status checked = CheckLabel(labels[i], i); !checked.ok()) return checked;
  }
  const StockGeometry& geometry =
      stock == LabelStock::kRoll62mm ? kRoll62mmGeometry : kA4SheetGeometry;

  std::string pdf;
  const SurfacePtr surface(cairo_pdf_surface_create_for_stream(
      &AppendToString, &pdf, geometry.page_width, geometry.page_height));
  if (cairo_status_t status = cairo_surface_status(surface.get()); status != CAIRO_STATUS_SUCCESS) {
    return CairoError("the labels", status);
  }
  // Cairo stamps the current time as the creation date unless told otherwise; a date it cannot
  // read (the empty one) leaves the date out, so the bytes never depend on the clock.
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATE_DATE, "");
  cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_MOD_DATE, "");

  const CairoPtr cr(cairo_create(surface.get()));
  const PangoContextPtr context = NewPangoContext(cr.get());
  const LabelFrame frame = MeasureFrame(context.get(), geometry);
  const size_t per_page = static_cast<size_t>(geometry.columns) * geometry.rows;
  for (size_t i = 0; i < labels.size(); ++i) {
    const size_t slot = i % per_page;
    const double left = static_cast<double>(slot % geometry.columns) * geometry.label_width;
    const double top = static_cast<double>(slot / geometry.columns) * geometry.label_height;
    if (absl::Status drawn =
            DrawLabel(cr.get(), context.get(), geometry, frame, labels[i], i, left, top);
        !drawn.ok()) {
      return drawn;
    }
    if (slot + 1 == per_page || i + 1 == labels.size()) {
      cairo_show_page(cr.get());
      if (cairo_status_t status = cairo_status(cr.get()); status != CAIRO_STATUS_SUCCESS) {
        return CairoError("the labels", status);
      }
    }
  }
  cairo_surface_finish(surface.get());
  if (cairo_status_t status = cairo_surface_status(surface.get()); status != CAIRO_STATUS_SUCCESS) {
    return CairoError("the labels", status);
  }
  return pdf;
}

}  // namespace salesops::documents
