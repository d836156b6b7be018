#pragma once

#include <absl/status/statusor.h>

#include <string>
#include <vector>

namespace salesops::documents {

// Printable labels for equipment, shelves and bins: on each, a Code 128 barcode (for the
// warehouse's handheld scanners) and a QR code (for phones) side by side at the top, and under
// them the code in large print, a title and a subtitle. Text is plain UTF-8 (never markup: '<' and
// '&' are just characters; invalid UTF-8 is drawn as U+FFFD), on one line each, cut short with
// "…" where the label ends.
struct Label {
  std::string code;        // printed big and encoded in Code 128 (ASCII, at most 60 characters)
  std::string title;       // one line under it, e.g. the item's description
  std::string subtitle;    // small, e.g. "WH-NORTH · bin A-12" or "Serial SN-0042"
  std::string qr_payload;  // encoded as a QR code beside the Code 128; empty: `code`
};

enum class LabelStock {
  kA4Sheet,   // A4 sheets of 3 x 8 labels, 70 x 37 mm each (a common Avery/Herma layout), no page
              // margins; filled left to right, top to bottom
  kRoll62mm,  // 62 x 29 mm die-cut labels, one label a page (Brother QL 62 mm roll)
};

// What RenderLabels accepts.
inline constexpr int kMaxLabels = 2000;
inline constexpr int kMaxLabelCodeLength = 60;
// A QR code of this many bytes is version 6 at error correction level M (41 x 41 modules): its
// modules stay 3 printer dots (0.25 mm) wide at 300 dpi even on the 62 mm roll.
inline constexpr int kMaxQrPayloadBytes = 100;

// The labels as PDF bytes, in the order given. Barcodes are vector rectangles whose modules are
// whole dots of a 300 dpi printer (and so of a 600 dpi one) wherever they fit, each symbol inside
// its quiet zone.
//
// INVALID_ARGUMENT, naming the label's index, for no labels or more than kMaxLabels; for a code
// that is empty, longer than kMaxLabelCodeLength, or not printable ASCII (space to '~': Code 128
// carries ASCII control characters too, but they cannot be printed and scanners type them as
// keystrokes); for a `qr_payload` that is not valid UTF-8 or longer than kMaxQrPayloadBytes.
// INTERNAL when Cairo fails. Deterministic: the same labels give the same bytes (no creation
// date; with the same Cairo, Pango, zint and fonts). Safe to call from several threads at once.
//
// Code 128 modules are as wide as the room beside the QR code allows, 4 dots (0.34 mm) at most: 3
// dots (0.25 mm) for codes of up to about 11 characters, 2 dots (0.17 mm) up to about 20, a dot up
// to about 40 (more where digits come in pairs, which Code 128 packs two to a symbol character).
// Longer codes get bars finer than a printer's dot, which no scanner reads; their QR code carries
// them regardless. The code in print shrinks to fit its line, down to 3.5 points, and loses its
// middle to "…" beyond that.
absl::StatusOr<std::string> RenderLabels(const std::vector<Label>& labels, LabelStock stock);

}  // namespace salesops::documents
