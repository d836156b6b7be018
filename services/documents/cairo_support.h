#pragma once

// What the PDF renderers of services/documents share (pdf_document.cc, labels.cc): owners of
// Cairo's and Pango's C objects, millimetres in points, the PDF written into a string, and a
// Pango context that lays text out the same wherever the service runs. Internal to the folder.
#include <absl/status/status.h>
#include <absl/strings/str_cat.h>
#include <cairo.h>
#include <glib-object.h>
#include <pango/pangocairo.h>

#include <memory>
#include <new>
#include <string>
#include <string_view>

namespace salesops::documents {

// Cairo's PDF surfaces work in points; paper and labels are specified in millimetres.
constexpr double Mm(double millimetres) { return millimetres * 72.0 / 25.4; }

// Owners of the C objects, so that every return path releases them.
struct GObjectUnref {
  void operator()(void* object) const { g_object_unref(object); }
};
struct CairoSurfaceDestroy {
  void operator()(cairo_surface_t* surface) const { cairo_surface_destroy(surface); }
};
struct CairoDestroy {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};
struct FontOptionsDestroy {
  void operator()(cairo_font_options_t* options) const { cairo_font_options_destroy(options); }
};
struct FontDescriptionFree {
  void operator()(PangoFontDescription* font) const { pango_font_description_free(font); }
};
using SurfacePtr = std::unique_ptr<cairo_surface_t, CairoSurfaceDestroy>;
using CairoPtr = std::unique_ptr<cairo_t, CairoDestroy>;
using PangoContextPtr = std::unique_ptr<PangoContext, GObjectUnref>;
using FontOptionsPtr = std::unique_ptr<cairo_font_options_t, FontOptionsDestroy>;
using FontDescriptionPtr = std::unique_ptr<PangoFontDescription, FontDescriptionFree>;

// "Cairo failed to render <what>: <Cairo's reason>".
inline absl::Status CairoError(const char* what, cairo_status_t status) {
  return absl::InternalError(
      absl::StrCat("Cairo failed to render ", what, ": ", cairo_status_to_string(status)));
}

// A cairo_write_func_t appending to the std::string `closure`.
inline cairo_status_t AppendToString(void* closure, const unsigned char* data,
                                     unsigned int length) {
  // No exception may unwind through Cairo's C frames.
  try {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  } catch (const std::bad_alloc&) {
    return CAIRO_STATUS_NO_MEMORY;
  }
  return CAIRO_STATUS_SUCCESS;
}

// Measures and draws with the metrics of the outlines, unhinted and with fractional glyph
// positions: what a PDF viewer scales, and the same wherever the service runs.
inline PangoContextPtr NewPangoContext(cairo_t* cr) {
  PangoContextPtr context(pango_cairo_create_context(cr));
  pango_cairo_context_set_resolution(context.get(), 72);
  const FontOptionsPtr options(cairo_font_options_create());
  cairo_font_options_set_hint_style(options.get(), CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics(options.get(), CAIRO_HINT_METRICS_OFF);
  pango_cairo_context_set_font_options(context.get(), options.get());
  pango_context_set_round_glyph_positions(context.get(), FALSE);
  return context;
}

}  // namespace salesops::documents
