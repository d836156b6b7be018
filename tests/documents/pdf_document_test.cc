// The PDF layout read back the way a person would see it: the text by pdftotext (pages separated
// by '\f'), the pixels by pdftoppm.
#include "services/documents/pdf_document.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_split.h>
#include <cairo.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace salesops::documents {
namespace {

// A directory of its own under /tmp, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    char name[] = "/tmp/pdf_document_test.XXXXXX";
    if (mkdtemp(name) != nullptr) path_ = name;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  bool ok() const { return !path_.empty(); }
  std::string File(const std::string& name) const { return absl::StrCat(path_, "/", name); }

 private:
  std::string path_;
};

// Paths here come from mkdtemp and fixed names, so single quotes are enough; refuse anything else.
std::string Quoted(const std::string& path) {
  EXPECT_EQ(path.find('\''), std::string::npos) << path;
  return absl::StrCat("'", path, "'");
}

void WriteFile(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

// Runs `command` and returns its standard output; fails the test unless it exits with 0.
std::string RunCommand(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "cannot run " << command;
    return output;
  }
  char buffer[4096];
  size_t read = 0;
  while ((read = fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, read);
  const int status = pclose(pipe);
  EXPECT_EQ(status, 0) << command;
  return output;
}

// The text of every page, in order, as pdftotext lays it out.
std::vector<std::string> PagesOf(std::string_view pdf) {
  TempDir dir;
  if (!dir.ok()) {
    ADD_FAILURE() << "mkdtemp failed";
    return {};
  }
  const std::string path = dir.File("document.pdf");
  WriteFile(path, pdf);
  const std::string text =
      RunCommand(absl::StrCat("pdftotext -layout -enc UTF-8 ", Quoted(path), " -"));
  std::vector<std::string> pages = absl::StrSplit(text, '\f');
  // pdftotext ends every page with '\f', the last one too.
  if (!pages.empty() && pages.back().empty()) pages.pop_back();
  return pages;
}

std::string TextOf(std::string_view pdf) {
  std::string text;
  for (const std::string& page : PagesOf(pdf)) absl::StrAppend(&text, page, "\f");
  return text;
}

int Occurrences(std::string_view text, std::string_view word) {
  int count = 0;
  for (size_t at = text.find(word); at != std::string_view::npos;
       at = text.find(word, at + word.size())) {
    ++count;
  }
  return count;
}

struct CairoSurfaceDestroy {
  void operator()(cairo_surface_t* surface) const { cairo_surface_destroy(surface); }
};
using SurfacePtr = std::unique_ptr<cairo_surface_t, CairoSurfaceDestroy>;

// The first page at 50 dpi, as a Cairo image surface.
SurfacePtr RasterizeFirstPage(std::string_view pdf) {
  TempDir dir;
  if (!dir.ok()) {
    ADD_FAILURE() << "mkdtemp failed";
    return nullptr;
  }
  const std::string pdf_path = dir.File("document.pdf");
  WriteFile(pdf_path, pdf);
  RunCommand(absl::StrCat("pdftoppm -png -r 50 -f 1 -l 1 -singlefile ", Quoted(pdf_path), " ",
                          Quoted(dir.File("page"))));
  SurfacePtr image(cairo_image_surface_create_from_png(dir.File("page.png").c_str()));
  if (cairo_surface_status(image.get()) != CAIRO_STATUS_SUCCESS) {
    ADD_FAILURE() << "cannot read page.png: "
                  << cairo_status_to_string(cairo_surface_status(image.get()));
    return nullptr;
  }
  return image;
}

// Every page at 300 dpi, decoded by zbarimg: the contents of the Code 128 barcodes on each page,
// sorted (zbarimg reports them in no particular order).
std::vector<std::vector<std::string>> BarcodesOnPages(std::string_view pdf) {
  TempDir dir;
  if (!dir.ok()) {
    ADD_FAILURE() << "mkdtemp failed";
    return {};
  }
  const std::string pdf_path = dir.File("document.pdf");
  WriteFile(pdf_path, pdf);
  RunCommand(
      absl::StrCat("pdftoppm -r 300 -png ", Quoted(pdf_path), " ", Quoted(dir.File("page"))));
  // page-1.png, page-2.png, ... (or page-01.png, ...): as many digits on every page.
  std::vector<std::string> images;
  for (const auto& entry : std::filesystem::directory_iterator(dir.File(""))) {
    if (entry.path().extension() == ".png") images.push_back(entry.path().string());
  }
  std::sort(images.begin(), images.end());
  std::vector<std::vector<std::string>> pages;
  for (const std::string& image : images) {
    // zbarimg exits with 4 when it finds no barcode: a page without one.
    const std::string output =
        RunCommand(absl::StrCat("zbarimg --raw -q --nodbus -Sdisable -Scode128.enable ",
                                Quoted(image), " || [ $? -eq 4 ]"));
    std::vector<std::string> codes = absl::StrSplit(output, '\n', absl::SkipEmpty());
    std::sort(codes.begin(), codes.end());
    pages.push_back(std::move(codes));
  }
  return pages;
}

std::vector<std::string> AllBarcodes(std::string_view pdf) {
  std::vector<std::string> codes;
  for (const std::vector<std::string>& page : BarcodesOnPages(pdf)) {
    codes.insert(codes.end(), page.begin(), page.end());
  }
  std::sort(codes.begin(), codes.end());
  return codes;
}

// A word as pdftotext -bbox places it, in points from the page's top-left corner.
struct Word {
  std::string text;
  double top;
  double bottom;
};

// The words of every page, in order.
std::vector<std::vector<Word>> WordsOnPages(std::string_view pdf) {
  TempDir dir;
  if (!dir.ok()) {
    ADD_FAILURE() << "mkdtemp failed";
    return {};
  }
  const std::string path = dir.File("document.pdf");
  WriteFile(path, pdf);
  const std::string html = RunCommand(absl::StrCat("pdftotext -bbox ", Quoted(path), " -"));
  // <page ...> starts a page; each word is on a line of its own:
  // <word xMin="1.0" yMin="2.0" xMax="3.0" yMax="4.0">text</word>
  std::vector<std::vector<Word>> pages;
  const std::vector<std::string> lines = absl::StrSplit(html, '\n');
  for (const std::string& indented_line : lines) {
    std::string_view line = indented_line;
    line.remove_prefix(std::min(line.find_first_not_of(' '), line.size()));
    if (line.starts_with("<page ")) pages.emplace_back();
    if (!line.starts_with("<word ") || pages.empty()) continue;
    double x_min = 0;
    double y_min = 0;
    double x_max = 0;
    double y_max = 0;
    const size_t text_start = line.find('>') + 1;
    const size_t text_end = line.rfind("</word>");
    if (std::sscanf(std::string(line).c_str(),
                    "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\"", &x_min, &y_min,
                    &x_max, &y_max) != 4 ||
        text_end == std::string_view::npos || text_end < text_start) {
      ADD_FAILURE() << "cannot read " << line;
      continue;
    }
    pages.back().push_back(
        Word{std::string(line.substr(text_start, text_end - text_start)), y_min, y_max});
  }
  return pages;
}

struct Rgb {
  int red;
  int green;
  int blue;
};

// The pixel at (x, y) of a surface from cairo_image_surface_create_from_png (RGB24 or ARGB32:
// both are native-endian 32-bit words, 0xAARRGGBB).
Rgb PixelAt(cairo_surface_t* image, int x, int y) {
  const unsigned char* row =
      cairo_image_surface_get_data(image) + y * cairo_image_surface_get_stride(image);
  uint32_t pixel = 0;
  std::memcpy(&pixel, row + 4 * x, sizeof(pixel));
  return Rgb{static_cast<int>(pixel >> 16 & 0xff), static_cast<int>(pixel >> 8 & 0xff),
             static_cast<int>(pixel & 0xff)};
}

// The share of pixels that are not white, in a rectangle given in fractions of the page.
double InkShare(cairo_surface_t* image, double left, double top, double right, double bottom,
                bool (*counts)(Rgb)) {
  cairo_surface_flush(image);
  const int width = cairo_image_surface_get_width(image);
  const int height = cairo_image_surface_get_height(image);
  int inked = 0;
  int total = 0;
  for (int y = static_cast<int>(top * height); y < static_cast<int>(bottom * height); ++y) {
    for (int x = static_cast<int>(left * width); x < static_cast<int>(right * width); ++x) {
      ++total;
      if (counts(PixelAt(image, x, y))) ++inked;
    }
  }
  return total == 0 ? 0 : static_cast<double>(inked) / total;
}

bool NotWhite(Rgb pixel) { return pixel.red < 240 || pixel.green < 240 || pixel.blue < 240; }
bool Red(Rgb pixel) { return pixel.red > 200 && pixel.green < 60 && pixel.blue < 60; }

// A red PNG of the given size, made with Cairo.
std::string RedPng(int width, int height) {
  SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height));
  cairo_t* cr = cairo_create(surface.get());
  cairo_set_source_rgb(cr, 1, 0, 0);
  cairo_paint(cr);
  cairo_destroy(cr);
  std::string png;
  const cairo_status_t status = cairo_surface_write_to_png_stream(
      surface.get(),
      [](void* closure, const unsigned char* data, unsigned int length) {
        static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
        return CAIRO_STATUS_SUCCESS;
      },
      &png);
  EXPECT_EQ(status, CAIRO_STATUS_SUCCESS);
  return png;
}

Table ItemTable() {
  Table table;
  table.columns = {
      {"Pos", 12, false}, {"Beschreibung", 90, false}, {"Menge", 20, true}, {"Betrag", 30, true}};
  return table;
}

Document GermanQuote() {
  Document document;
  document.title = "Angebot";
  document.sender_lines = {"Bühnentechnik Müller GmbH", "Hafenstraße 12", "20457 Hamburg"};
  document.recipient_lines = {"Konzertbüro Süd", "z. Hd. Frau Jäger", "Ölmühlweg 3",
                              "80331 München"};
  document.blocks.push_back(KeyValues{
      {{"Angebotsnr.", "Q-2027-0042"}, {"Datum", "01.03.2027"}, {"Gültig bis", "31.03.2027"}}});
  document.blocks.push_back(Heading{"Positionen"});
  Table table = ItemTable();
  table.rows = {{"1", "Line-Array <L-Acoustics> & Subwoofer", "2", "1.200,00 €"},
                {"\tTagespreis 600,00 € × 2 Tage", "", "", ""},
                {"2", "Mischpult für ≥ 48 Kanäle", "1", "450,00 €"}};
  document.blocks.push_back(std::move(table));
  document.blocks.push_back(Totals{{{"Netto", "1.650,00 €", false},
                                    {"USt. 19 %", "313,50 €", false},
                                    {"Gesamt", "1.963,50 €", true}}});
  document.blocks.push_back(Paragraph{"Es gelten unsere Allgemeinen Geschäftsbedingungen.", true});
  document.blocks.push_back(SignatureLines{{"Fahrer", "Empfangen von"}});
  document.footer =
      "Hamburger Sparkasse · IBAN DE12 2005 0550 1234 5678 90\nHRB 12345, Amtsgericht "
      "Hamburg";
  document.page_label = "Seite {page} von {pages}";
  document.pdf_title = "Angebot Q-2027-0042";
  document.pdf_author = "Bühnentechnik Müller GmbH";
  document.creation_date = "2027-03-01T10:00:00Z";
  return document;
}

// A document whose table has `rows` rows "Artikel-001", "Artikel-002", ...
Document LongTable(int rows) {
  Document document;
  document.title = "Packliste";
  document.recipient_lines = {"Lager Nord"};
  Table table = ItemTable();
  for (int row = 1; row <= rows; ++row) {
    table.rows.push_back({absl::StrCat(row), absl::StrFormat("Artikel-%03d", row),
                          absl::StrCat(row % 7 + 1), absl::StrCat(row * 10, ",00 €")});
  }
  document.blocks.push_back(std::move(table));
  document.footer = "Fußzeile";
  document.creation_date = "2027-03-01T10:00:00Z";
  return document;
}

// A pull sheet whose first column shows the inventory codes as barcodes.
Document PullSheet(const std::vector<std::string>& codes) {
  Document document;
  document.title = "Packliste";
  document.recipient_lines = {"Lager Nord"};
  Table table;
  table.columns = {{"Code", 60, false, /*barcode=*/true}, {"Artikel", 80}, {"Menge", 20, true}};
  for (size_t i = 0; i < codes.size(); ++i) {
    table.rows.push_back({codes[i], absl::StrCat("Artikel ", i + 1), absl::StrCat(i % 4 + 1)});
  }
  document.blocks.push_back(std::move(table));
  document.footer = "Fußzeile";
  document.creation_date = "2027-03-01T10:00:00Z";
  return document;
}

std::vector<std::string> Sorted(std::vector<std::string> strings) {
  std::sort(strings.begin(), strings.end());
  return strings;
}

TEST(PdfDocumentTest, ShowsEveryBlockKindWithItsText) {
  absl::StatusOr<std::string> pdf = RenderPdf(GermanQuote());
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  ASSERT_TRUE(pdf->starts_with("%PDF-"));

  const std::vector<std::string> pages = PagesOf(*pdf);
  ASSERT_EQ(pages.size(), 1u) << TextOf(*pdf);
  const std::string& text = pages[0];
  for (const char* expected :
       {"Angebot", "Bühnentechnik Müller GmbH", "Hafenstraße 12", "20457 Hamburg",
        "Konzertbüro Süd", "z. Hd. Frau Jäger", "Ölmühlweg 3", "80331 München",
        // KeyValues, with the colon after the label.
        "Angebotsnr.:", "Q-2027-0042", "Gültig bis:", "31.03.2027", "Positionen",
        // The table: headings, cells with characters that markup would have choked on, a sub-line.
        "Beschreibung", "Menge", "Betrag", "Line-Array <L-Acoustics> & Subwoofer", "1.200,00 €",
        "Tagespreis 600,00 € × 2 Tage", "Mischpult für ≥ 48 Kanäle", "450,00 €",
        // Totals, the small print, the signature captions, the footer and the page label.
        "Netto", "1.650,00 €", "USt. 19 %", "313,50 €", "Gesamt", "1.963,50 €",
        "Allgemeinen Geschäftsbedingungen", "Fahrer", "Empfangen von",
        "IBAN DE12 2005 0550 1234 5678 90", "HRB 12345, Amtsgericht Hamburg", "Seite 1 von 1"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << " in\n" << text;
  }
  // The sub-line's tab is dropped, not drawn.
  EXPECT_EQ(text.find('\t'), std::string::npos) << text;

  // Each total's label and amount share a line, in order.
  const size_t net = text.find("Netto");
  const size_t vat = text.find("USt. 19 %");
  const size_t total = text.find("Gesamt");
  ASSERT_NE(total, std::string::npos);
  EXPECT_LT(net, vat);
  EXPECT_LT(vat, total);
  const std::string_view total_line =
      std::string_view(text).substr(total, text.find('\n', total) - total);
  EXPECT_NE(total_line.find("1.963,50 €"), std::string_view::npos) << total_line;

  // Top to bottom: title, recipient, table, totals, signatures, footer.
  EXPECT_LT(text.find("Angebot"), text.find("Konzertbüro Süd"));
  EXPECT_LT(text.find("Konzertbüro Süd"), text.find("Beschreibung"));
  EXPECT_LT(text.find("Mischpult"), net);
  EXPECT_LT(total, text.find("Fahrer"));
  EXPECT_LT(text.find("Fahrer"), text.find("IBAN"));
}

TEST(PdfDocumentTest, WritesTheMetadata) {
  absl::StatusOr<std::string> pdf = RenderPdf(GermanQuote());
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  TempDir dir;
  ASSERT_TRUE(dir.ok());
  const std::string path = dir.File("document.pdf");
  WriteFile(path, *pdf);
  const std::string info = RunCommand(absl::StrCat("pdfinfo -isodates ", Quoted(path)));
  EXPECT_NE(info.find("Angebot Q-2027-0042"), std::string::npos) << info;
  EXPECT_NE(info.find("Bühnentechnik Müller GmbH"), std::string::npos) << info;
  EXPECT_NE(info.find("2027-03-01T10:00:00"), std::string::npos) << info;
  EXPECT_NE(info.find("A4"), std::string::npos) << info;

  // Without a creation date there is none, rather than the time of rendering.
  Document undated = GermanQuote();
  undated.creation_date.clear();
  absl::StatusOr<std::string> undated_pdf = RenderPdf(undated);
  ASSERT_TRUE(undated_pdf.ok()) << undated_pdf.status();
  EXPECT_EQ(undated_pdf->find("/CreationDate"), std::string::npos);
  EXPECT_EQ(undated_pdf->find("/ModDate"), std::string::npos);
  // Nor with a date Cairo cannot read.
  undated.creation_date = "2027-03-01T10:00:00.5Z";
  undated_pdf = RenderPdf(undated);
  ASSERT_TRUE(undated_pdf.ok()) << undated_pdf.status();
  EXPECT_EQ(undated_pdf->find("/CreationDate"), std::string::npos);
}

TEST(PdfDocumentTest, LongTableBreaksBetweenRowsAndRepeatsItsHeader) {
  constexpr int kRows = 120;
  absl::StatusOr<std::string> pdf = RenderPdf(LongTable(kRows));
  ASSERT_TRUE(pdf.ok()) << pdf.status();

  const std::vector<std::string> pages = PagesOf(*pdf);
  ASSERT_GE(pages.size(), 3u) << TextOf(*pdf);
  const std::string page_count = absl::StrCat(pages.size());
  for (size_t page = 0; page < pages.size(); ++page) {
    SCOPED_TRACE(absl::StrCat("page ", page + 1));
    EXPECT_EQ(Occurrences(pages[page], "Beschreibung"), 1) << pages[page];
    EXPECT_NE(pages[page].find("Betrag"), std::string::npos) << pages[page];
    EXPECT_NE(pages[page].find(absl::StrCat("Page ", page + 1, " of ", page_count)),
              std::string::npos)
        << pages[page];
    EXPECT_NE(pages[page].find("Fußzeile"), std::string::npos) << pages[page];
  }
  EXPECT_NE(pages[2].find(absl::StrCat("Page 3 of ", page_count)), std::string::npos);

  // Every row once, in order, none lost or doubled at a break.
  const std::string text = TextOf(*pdf);
  size_t previous = 0;
  for (int row = 1; row <= kRows; ++row) {
    const std::string article = absl::StrFormat("Artikel-%03d", row);
    EXPECT_EQ(Occurrences(text, article), 1) << article;
    const size_t at = text.find(article);
    EXPECT_GT(at, previous) << article;
    previous = at;
  }
  // The title is on the first page only.
  EXPECT_NE(pages[0].find("Packliste"), std::string::npos);
  EXPECT_EQ(pages[1].find("Packliste"), std::string::npos);
}

TEST(PdfDocumentTest, RowStaysWithItsSubLinesAcrossABreak) {
  // Plain rows first shift where the breaks fall among the rows with sub-lines.
  for (int plain_rows = 0; plain_rows <= 2; ++plain_rows) {
    SCOPED_TRACE(absl::StrCat(plain_rows, " plain rows first"));
    Document document = LongTable(plain_rows);
    Table& table = std::get<Table>(document.blocks[0]);
    for (int row = 1; row <= 60; ++row) {
      table.rows.push_back(
          {absl::StrCat(row), absl::StrFormat("Position-%03d", row), "1", "1,00 €"});
      table.rows.push_back({absl::StrFormat("\tTeil-%03d-a", row), "", "", ""});
      table.rows.push_back({absl::StrFormat("\tTeil-%03d-b", row), "", "", ""});
    }
    absl::StatusOr<std::string> pdf = RenderPdf(document);
    ASSERT_TRUE(pdf.ok()) << pdf.status();
    const std::vector<std::string> pages = PagesOf(*pdf);
    ASSERT_GE(pages.size(), 2u);
    for (int row = 1; row <= 60; ++row) {
      const std::string position = absl::StrFormat("Position-%03d", row);
      for (const std::string& page : pages) {
        if (page.find(position) == std::string::npos) continue;
        EXPECT_NE(page.find(absl::StrFormat("Teil-%03d-a", row)), std::string::npos) << position;
        EXPECT_NE(page.find(absl::StrFormat("Teil-%03d-b", row)), std::string::npos) << position;
      }
    }
  }
}

TEST(PdfDocumentTest, ParagraphLongerThanAPageContinuesOnTheNext) {
  Document document;
  document.title = "Bedingungen";
  std::string text;
  for (int line = 1; line <= 150; ++line) {
    absl::StrAppend(&text, line > 1 ? "\n" : "", absl::StrFormat("Zeile-%03d", line));
  }
  document.blocks.push_back(Paragraph{text, false});
  absl::StatusOr<std::string> pdf = RenderPdf(document);
  ASSERT_TRUE(pdf.ok()) << pdf.status();

  const std::vector<std::string> pages = PagesOf(*pdf);
  EXPECT_GE(pages.size(), 2u);
  const std::string all = TextOf(*pdf);
  size_t previous = 0;
  for (int line = 1; line <= 150; ++line) {
    const std::string word = absl::StrFormat("Zeile-%03d", line);
    EXPECT_EQ(Occurrences(all, word), 1) << word;
    EXPECT_GT(all.find(word), previous) << word;
    previous = all.find(word);
  }
  // The first page is filled before the paragraph continues.
  EXPECT_GE(Occurrences(pages[0], "Zeile-"), 40);
}

// Wherever the filler above pushes it, a heading shares its page with the table it heads, and the
// table's header row shares its page with the first row.
TEST(PdfDocumentTest, HeadingIsNeverLeftAloneAtTheFootOfAPage) {
  for (int filler = 25; filler <= 45; ++filler) {
    SCOPED_TRACE(absl::StrCat(filler, " filler paragraphs"));
    Document document;
    document.title = "Angebot";
    for (int i = 1; i <= filler; ++i) {
      document.blocks.push_back(Paragraph{absl::StrCat("Füllabsatz ", i), false});
    }
    document.blocks.push_back(Heading{"Überschrift"});
    Table table = ItemTable();
    table.rows = {{"1", "Erste-Zeile", "1", "1,00 €"}, {"2", "Zweite-Zeile", "1", "1,00 €"}};
    document.blocks.push_back(std::move(table));
    absl::StatusOr<std::string> pdf = RenderPdf(document);
    ASSERT_TRUE(pdf.ok()) << pdf.status();
    for (const std::string& page : PagesOf(*pdf)) {
      if (page.find("Überschrift") == std::string::npos) continue;
      EXPECT_NE(page.find("Beschreibung"), std::string::npos) << page;
      EXPECT_NE(page.find("Erste-Zeile"), std::string::npos) << page;
    }
  }
}

// Wherever the table ends, its totals are not alone on a page of their own.
TEST(PdfDocumentTest, TotalsStayWithTheLastRow) {
  for (int rows = 30; rows <= 45; ++rows) {
    SCOPED_TRACE(absl::StrCat(rows, " rows"));
    Document document = LongTable(rows);
    document.blocks.push_back(Totals{{{"Netto", "10,00 €", false}, {"Gesamt", "11,90 €", true}}});
    absl::StatusOr<std::string> pdf = RenderPdf(document);
    ASSERT_TRUE(pdf.ok()) << pdf.status();
    for (const std::string& page : PagesOf(*pdf)) {
      if (page.find("Gesamt") == std::string::npos) continue;
      EXPECT_NE(page.find(absl::StrFormat("Artikel-%03d", rows)), std::string::npos) << page;
      EXPECT_NE(page.find("Netto"), std::string::npos) << page;
    }
  }
}

TEST(PdfDocumentTest, SameDocumentGivesTheSameBytes) {
  absl::StatusOr<std::string> first = RenderPdf(GermanQuote());
  absl::StatusOr<std::string> second = RenderPdf(GermanQuote());
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(*first == *second) << "the two renderings differ";

  Document changed = GermanQuote();
  std::get<Table>(changed.blocks[2]).rows[0][3] = "1.300,00 €";
  absl::StatusOr<std::string> third = RenderPdf(changed);
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_FALSE(*first == *third) << "a changed cell gave the same bytes";

  // Also across pages and without a creation date (Cairo would stamp the clock).
  Document undated = LongTable(120);
  undated.creation_date.clear();
  absl::StatusOr<std::string> undated_first = RenderPdf(undated);
  absl::StatusOr<std::string> undated_second = RenderPdf(undated);
  ASSERT_TRUE(undated_first.ok()) << undated_first.status();
  ASSERT_TRUE(undated_second.ok()) << undated_second.status();
  EXPECT_TRUE(*undated_first == *undated_second) << "the two renderings differ";
}

// Services render on their request threads; each thread has its own Pango font map.
TEST(PdfDocumentTest, ConcurrentRendersGiveTheSameBytes) {
  const absl::StatusOr<std::string> expected = RenderPdf(GermanQuote());
  ASSERT_TRUE(expected.ok()) << expected.status();
  std::vector<absl::StatusOr<std::string>> results(4);
  std::vector<std::thread> threads;
  for (absl::StatusOr<std::string>& result : results) {
    threads.emplace_back([&result] { result = RenderPdf(GermanQuote()); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const absl::StatusOr<std::string>& result : results) {
    ASSERT_TRUE(result.ok()) << result.status();
    EXPECT_TRUE(*result == *expected) << "a rendering on another thread differs";
  }
}

TEST(PdfDocumentTest, EmptyDocumentIsOnePageWithItsLabel) {
  absl::StatusOr<std::string> pdf = RenderPdf(Document());
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  const std::vector<std::string> pages = PagesOf(*pdf);
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_NE(pages[0].find("Page 1 of 1"), std::string::npos) << pages[0];
}

TEST(PdfDocumentTest, DrawsTheLogoTopRight) {
  Document document = GermanQuote();
  document.logo_png = RedPng(120, 40);
  absl::StatusOr<std::string> pdf = RenderPdf(document);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  SurfacePtr page = RasterizeFirstPage(*pdf);
  ASSERT_NE(page, nullptr);
  // Red in the top right corner, nowhere else.
  EXPECT_GT(InkShare(page.get(), 0.6, 0, 1, 0.15, Red), 0.02);
  EXPECT_EQ(InkShare(page.get(), 0, 0, 0.6, 1, Red), 0);
  EXPECT_EQ(InkShare(page.get(), 0, 0.15, 1, 1, Red), 0);

  // The text is still all there.
  EXPECT_NE(TextOf(*pdf).find("Bühnentechnik Müller GmbH"), std::string::npos);

  // A large logo is scaled down to the letterhead's box (40 x 18 mm, about 8 % x 6 % of the page).
  document.logo_png = RedPng(2000, 2000);
  pdf = RenderPdf(document);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  page = RasterizeFirstPage(*pdf);
  ASSERT_NE(page, nullptr);
  const double red = InkShare(page.get(), 0, 0, 1, 1, Red);
  EXPECT_GT(red, 0.001);
  EXPECT_LT(red, 0.01);
}

TEST(PdfDocumentTest, RefusesALogoThatIsNotAPng) {
  for (const std::string& logo :
       {std::string("GIF89a not a png at all, just some bytes here"), std::string("\x89PNG"),
        // The signature and a header, then nothing.
        RedPng(10, 10).substr(0, 40)}) {
    Document document = GermanQuote();
    document.logo_png = logo;
    absl::StatusOr<std::string> pdf = RenderPdf(document);
    EXPECT_EQ(pdf.status().code(), absl::StatusCode::kInvalidArgument) << pdf.status();
    EXPECT_EQ(pdf.status().message(), "the logo is not a PNG image");
  }
  // Nor a PNG too large to decode for a letterhead.
  Document document = GermanQuote();
  document.logo_png = RedPng(5000, 10);
  EXPECT_EQ(RenderPdf(document).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PdfDocumentTest, BarcodeColumnScansAsTheCodes) {
  const std::vector<std::string> codes = {"LED-PANEL-500", "CABLE-XLR-10", "TRUSS-3M", "MIC-WL-HH",
                                          "TAPE-GAFFER-50"};
  absl::StatusOr<std::string> pdf = RenderPdf(PullSheet(codes));
  ASSERT_TRUE(pdf.ok()) << pdf.status();

  // Each code scans exactly once, as itself.
  EXPECT_EQ(AllBarcodes(*pdf), Sorted(codes));
  // And is printed under its barcode for people to read, next to its row's other cells.
  const std::vector<std::string> pages = PagesOf(*pdf);
  ASSERT_EQ(pages.size(), 1u) << TextOf(*pdf);
  for (const std::string& code : codes) {
    EXPECT_EQ(Occurrences(pages[0], code), 1) << code << " in\n" << pages[0];
  }
  EXPECT_NE(pages[0].find("Artikel 5"), std::string::npos) << pages[0];

  // The same document gives the same bytes.
  absl::StatusOr<std::string> again = RenderPdf(PullSheet(codes));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE(*pdf == *again) << "the two renderings differ";

  // Without the flag the codes are only text: nothing to scan.
  Document plain = PullSheet(codes);
  std::get<Table>(plain.blocks[0]).columns[0].barcode = false;
  absl::StatusOr<std::string> plain_pdf = RenderPdf(plain);
  ASSERT_TRUE(plain_pdf.ok()) << plain_pdf.status();
  EXPECT_TRUE(AllBarcodes(*plain_pdf).empty());
}

TEST(PdfDocumentTest, BarcodeRowsBreakAcrossPagesWhole) {
  std::vector<std::string> codes;
  for (int i = 1; i <= 40; ++i) codes.push_back(absl::StrFormat("ART-%03d-XL", i));
  absl::StatusOr<std::string> pdf = RenderPdf(PullSheet(codes));
  ASSERT_TRUE(pdf.ok()) << pdf.status();

  const std::vector<std::string> pages = PagesOf(*pdf);
  ASSERT_GE(pages.size(), 3u) << TextOf(*pdf);
  const std::vector<std::vector<std::string>> barcodes = BarcodesOnPages(*pdf);
  ASSERT_EQ(barcodes.size(), pages.size());
  EXPECT_EQ(AllBarcodes(*pdf), Sorted(codes));
  // A row's barcode is on the page its text is on: no row is cut by a break.
  for (size_t page = 0; page < pages.size(); ++page) {
    SCOPED_TRACE(absl::StrCat("page ", page + 1));
    std::vector<std::string> printed;
    for (const std::string& code : codes) {
      if (pages[page].find(code) != std::string::npos) printed.push_back(code);
    }
    EXPECT_FALSE(printed.empty());
    EXPECT_EQ(barcodes[page], printed);
  }

  // The row height includes the 8 mm of bars above each code's text, and the last row ends above
  // the footer.
  const double bar_height = 8 * 72 / 25.4;
  const std::vector<std::vector<Word>> words = WordsOnPages(*pdf);
  ASSERT_EQ(words.size(), pages.size());
  for (size_t page = 0; page < words.size(); ++page) {
    SCOPED_TRACE(absl::StrCat("page ", page + 1));
    std::vector<const Word*> code_words;
    const Word* footer = nullptr;
    for (const Word& word : words[page]) {
      if (word.text.starts_with("ART-")) code_words.push_back(&word);
      if (word.text == "Fußzeile") footer = &word;
    }
    ASSERT_FALSE(code_words.empty());
    ASSERT_NE(footer, nullptr);
    for (size_t i = 1; i < code_words.size(); ++i) {
      EXPECT_GT(code_words[i]->top - code_words[i - 1]->bottom, bar_height)
          << code_words[i - 1]->text << " to " << code_words[i]->text;
    }
    EXPECT_LT(code_words.back()->bottom, footer->top);
  }
}

// A code zint refuses, or one too wide for its column even with the narrowest bars, is drawn as
// text; a code that fits only with narrower bars still scans.
TEST(PdfDocumentTest, BarcodeFallsBackToTextWhenRefusedOrTooWide) {
  Document document = PullSheet({});
  Table& table = std::get<Table>(document.blocks[0]);
  table.columns = {{"Schmal", 30, false, /*barcode=*/true},
                   {"Breit", 45, false, /*barcode=*/true},
                   {"Artikel", 60}};
  table.rows = {
      // 187 modules with the quiet zones: 35.5 mm at 0.19 mm, in 27 mm; 0.22 mm in 42 mm.
      {"CABLE-XLR-10", "CABLE-XLR-10", "zu breit, verschmälert"},
      // Code 128 carries ISO 8859-1 only.
      {"PREIS-5-€", "", "abgelehnt"},
      // Invalid UTF-8, drawn as U+FFFD.
      {"\xff\xfe"
       "BAD",
       "", "ungültig"},
      // Longer than Code 128's 60 symbol characters.
      {"", std::string(70, 'L'), "zu lang"},
      {"", "", "leer"},
      {"A1", "", "passt"},
      // A sub-line is text in every column.
      {"\tSUB-LINE-7", "", ""},
      {"\tSUB-LINE-8", "SUB-LINE-9", ""},
  };
  absl::StatusOr<std::string> pdf = RenderPdf(document);
  ASSERT_TRUE(pdf.ok()) << pdf.status();

  EXPECT_EQ(AllBarcodes(*pdf), Sorted({"A1", "CABLE-XLR-10"}));
  const std::string text = TextOf(*pdf);
  EXPECT_EQ(Occurrences(text, "CABLE-XLR-10"), 2) << text;
  for (const char* expected :
       {"PREIS-5-€", "BAD", "LLLLLLLLLL", "leer", "A1", "SUB-LINE-7", "SUB-LINE-8", "SUB-LINE-9"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << " in\n" << text;
  }

  // Text instead of a barcode is on its row's first line, level with the row's other cells; a
  // barcode's caption is under 8 mm of bars.
  const std::vector<std::vector<Word>> words = WordsOnPages(*pdf);
  ASSERT_EQ(words.size(), 1u);
  const auto tops_of = [&words](std::string_view text) {
    std::vector<double> tops;
    for (const Word& word : words[0]) {
      if (word.text.find(text) != std::string::npos) tops.push_back(word.top);
    }
    return tops;
  };
  const double bar_height = 8 * 72 / 25.4;
  for (const auto& [code, cell_in_row] :
       std::vector<std::pair<std::string, std::string>>{{"CABLE-XLR-10", "verschmälert"},
                                                        {"PREIS-5-€", "abgelehnt"},
                                                        {"BAD", "ungültig"},
                                                        {"LLLLLLLLLL", "lang"},
                                                        {"A1", "passt"}}) {
    SCOPED_TRACE(code);
    const std::vector<double> row_top = tops_of(cell_in_row);
    ASSERT_EQ(row_top.size(), 1u);
    const std::vector<double> code_tops = tops_of(code);
    ASSERT_FALSE(code_tops.empty());
    const double first_line_top = *std::min_element(code_tops.begin(), code_tops.end());
    if (code == "A1") {
      EXPECT_GT(first_line_top - row_top[0], bar_height);
    } else {
      EXPECT_NEAR(first_line_top, row_top[0], 0.5);
    }
  }
}

TEST(PdfDocumentTest, FirstPageIsNotBlank) {
  absl::StatusOr<std::string> pdf = RenderPdf(GermanQuote());
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  SurfacePtr page = RasterizeFirstPage(*pdf);
  ASSERT_NE(page, nullptr);
  EXPECT_NEAR(cairo_image_surface_get_width(page.get()), 413, 2);  // 210 mm at 50 dpi
  EXPECT_NEAR(cairo_image_surface_get_height(page.get()), 585, 2);
  // Text and rules, but mostly paper.
  const double ink = InkShare(page.get(), 0, 0, 1, 1, NotWhite);
  EXPECT_GT(ink, 0.02);
  EXPECT_LT(ink, 0.5);
  // The letterhead is at the top, the footer at the bottom, and the margins stay empty.
  EXPECT_GT(InkShare(page.get(), 0, 0, 1, 0.2, NotWhite), 0.02);
  EXPECT_GT(InkShare(page.get(), 0, 0.9, 1, 1, NotWhite), 0.005);
  EXPECT_EQ(InkShare(page.get(), 0, 0, 0.07, 1, NotWhite), 0);
  EXPECT_EQ(InkShare(page.get(), 0.93, 0, 1, 1, NotWhite), 0);
}

}  // namespace
}  // namespace salesops::documents
