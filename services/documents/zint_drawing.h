#pragma once

// Internal to services/documents (pdf_document.cc and labels.cc): barcode symbols encoded by zint
// and handed over as rectangles in modules, so that each renderer picks its own module width and
// draws them with Cairo as vector rectangles, sharp at any resolution.

#include <zint.h>

#include <climits>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace salesops::documents {

struct ZintSymbolDelete {
  void operator()(zint_symbol* symbol) const { ZBarcode_Delete(symbol); }
};
using ZintSymbolPtr = std::unique_ptr<zint_symbol, ZintSymbolDelete>;

// Zint's vector layout of `text` (UTF-8) in `symbology`, or null when zint refuses the text.
// Without quiet zones, which the renderer adds in its own module width, and without zint's
// human-readable text: Pango sets it, in the document's font. `option_1` and `eci` are zint's
// (-1 and 0: its defaults).
inline ZintSymbolPtr EncodeVector(std::string_view text, int symbology, int option_1 = -1,
                                  int eci = 0) {
  if (text.empty() || text.size() > INT_MAX) return nullptr;
  ZintSymbolPtr symbol(ZBarcode_Create());
  if (symbol == nullptr) return nullptr;
  symbol->symbology = symbology;
  symbol->input_mode = UNICODE_MODE;
  symbol->option_1 = option_1;
  symbol->eci = eci;
  symbol->show_hrt = 0;
  symbol->output_options |= BARCODE_NO_QUIET_ZONES;
  const int result = ZBarcode_Encode_and_Buffer_Vector(
      symbol.get(), reinterpret_cast<const unsigned char*>(text.data()),
      static_cast<int>(text.size()), /*rotate_angle=*/0);
  // Warnings (below ZINT_ERROR) still give a readable symbol.
  if (result >= ZINT_ERROR || symbol->vector == nullptr || symbol->rows <= 0 ||
      symbol->width <= 0 || !(symbol->vector->width > 0) || !(symbol->vector->height > 0)) {
    return nullptr;
  }
  return symbol;
}

// A vertical bar of a barcode, from `left` to `left + width` (in modules or points, as stated
// where it is used).
struct Bar {
  double left;
  double width;
};

// The bars of a Code 128 symbol, in modules from the left edge of its first bar; no quiet zone.
struct Code128Bars {
  std::vector<Bar> bars;
  double modules = 0;  // from the first bar's left edge to the last bar's right edge
};

// Zint encodes the text (UTF-8, which it converts to the ISO 8859-1 that Code 128 carries) and
// lays out its bars; nullopt when it refuses the text: empty, too long (60 symbol characters),
// invalid UTF-8 or beyond ISO 8859-1.
inline std::optional<Code128Bars> EncodeCode128(std::string_view text) {
  const ZintSymbolPtr symbol = EncodeVector(text, BARCODE_CODE128);
  if (symbol == nullptr || symbol->rows != 1) return std::nullopt;
  // Zint's vector units are a fixed fraction of a module (a half in 2.11): measured, not assumed.
  const double modules_per_unit = symbol->width / static_cast<double>(symbol->vector->width);
  Code128Bars code;
  code.modules = symbol->width;
  for (const zint_vector_rect* rect = symbol->vector->rectangles; rect != nullptr;
       rect = rect->next) {
    if (rect->colour != -1) continue;  // only the foreground is ink
    code.bars.push_back(Bar{rect->x * modules_per_unit, rect->width * modules_per_unit});
  }
  if (code.bars.empty()) return std::nullopt;
  return code;
}

// A dark area of a 2D symbol, in modules from the symbol's top-left corner (zint merges runs of
// dark modules, so one rectangle may cover several).
struct ModuleRect {
  double x;
  double y;
  double width;
  double height;
};

// A QR code: its dark areas and its size in modules, quiet zone not included.
struct QrModules {
  std::vector<ModuleRect> dark;
  int size = 0;
};

// The QR code of `payload` (UTF-8) with error correction level M at least (15 % of the symbol may
// be scuffed off; zint raises the level when the version it needs anyway has room). ASCII is
// encoded as it is; other text as UTF-8 under ECI 26, so that readers need not guess the
// character set (without it, zint would convert to Shift JIS or ISO 8859-1). Nullopt when zint
// refuses the payload: empty, invalid UTF-8, or beyond a QR code's capacity.
inline std::optional<QrModules> EncodeQrCode(std::string_view payload) {
  constexpr int kErrorCorrectionM = 2;
  constexpr int kEciUtf8 = 26;
  bool ascii = true;
  for (const char c : payload) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  const ZintSymbolPtr symbol =
      EncodeVector(payload, BARCODE_QRCODE, kErrorCorrectionM, ascii ? 0 : kEciUtf8);
  if (symbol == nullptr || symbol->rows != symbol->width) return std::nullopt;
  const double modules_per_x_unit = symbol->width / static_cast<double>(symbol->vector->width);
  const double modules_per_y_unit = symbol->rows / static_cast<double>(symbol->vector->height);
  QrModules code;
  code.size = symbol->width;
  for (const zint_vector_rect* rect = symbol->vector->rectangles; rect != nullptr;
       rect = rect->next) {
    if (rect->colour != -1) continue;
    code.dark.push_back(ModuleRect{rect->x * modules_per_x_unit, rect->y * modules_per_y_unit,
                                   rect->width * modules_per_x_unit,
                                   rect->height * modules_per_y_unit});
  }
  if (code.dark.empty()) return std::nullopt;
  return code;
}

}  // namespace salesops::documents
