// Labels read back the way the warehouse reads them: each page rendered at 300 dpi and scanned by
// zbarimg (which names the symbology: "CODE-128:" or "QR-Code:"), page sizes from pdfinfo, the
// pixels and the text of a page from pdftoppm and pdftotext.
#include "services/documents/labels.h"

#include <absl/status/status.h>
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_split.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/test_support.h"

namespace salesops::documents {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr double kPointsPerMm = 72.0 / 25.4;

// A PDF written to a directory of its own under /tmp, removed with everything in it.
class PdfFile {
 public:
  explicit PdfFile(std::string_view pdf) {
    char name[] = "/tmp/labels_test.XXXXXX";
    if (mkdtemp(name) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed";
      return;
    }
    dir_ = name;
    std::ofstream(path(), std::ios::binary)
        .write(pdf.data(), static_cast<std::streamsize>(pdf.size()));
  }
  ~PdfFile() {
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }
  PdfFile(const PdfFile&) = delete;
  PdfFile& operator=(const PdfFile&) = delete;

  std::string path() const { return dir_ + "/labels.pdf"; }
  std::string File(const std::string& name) const { return absl::StrCat(dir_, "/", name); }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

// Runs `command` and returns its standard output; fails the test unless it exits with 0.
std::string Run(const std::string& command) {
  std::string output;
  EXPECT_EQ(salesops::testing::RunCommand(command, &output), 0) << command;
  return output;
}

// How labels sit on a page, from its top-left corner.
struct Grid {
  int columns;
  int rows;
  double label_width_mm;
  double label_height_mm;
};
constexpr Grid kA4Grid{3, 8, 70, 37};
constexpr Grid kRollGrid{1, 1, 62, 29};

// The first `count` labels, each cut out of its page at 300 dpi and scanned by zbarimg for Code 128
// and QR codes: "CODE-128:<text>" and "QR-Code:<text>" lines, sorted on each label (zbarimg reports
// them in no particular order). One by one, because zbarimg misses a QR code now and then among two
// dozen lined up on a whole sheet, which no phone sees at once; and a symbol found on a label is
// then on that label and not across its neighbour.
std::vector<std::vector<std::string>> SymbolsOnLabels(std::string_view pdf, const Grid& grid,
                                                      int count) {
  const PdfFile file(pdf);
  constexpr double kPixelsPerMm = 300 / 25.4;
  const int width = static_cast<int>(grid.label_width_mm * kPixelsPerMm);
  const int height = static_cast<int>(grid.label_height_mm * kPixelsPerMm);
  std::vector<std::vector<std::string>> labels;
  for (int i = 0; i < count; ++i) {
    const int page = i / (grid.columns * grid.rows) + 1;
    const int slot = i % (grid.columns * grid.rows);
    const int left =
        static_cast<int>(std::lround(slot % grid.columns * grid.label_width_mm * kPixelsPerMm));
    const int top =
        static_cast<int>(std::lround(slot / grid.columns * grid.label_height_mm * kPixelsPerMm));
    Run(absl::StrCat("pdftoppm -r 300 -png -singlefile -f ", page, " -l ", page, " -x ", left,
                     " -y ", top, " -W ", width, " -H ", height, " ",
                     salesops::testing::ShellQuote(file.path()), " ",
                     salesops::testing::ShellQuote(file.File("label"))));
    // zbarimg exits with 4 when it finds nothing.
    const std::string output = Run(
        absl::StrCat("zbarimg --nodbus -q -Sdisable -Scode128.enable -Sqrcode.enable ",
                     salesops::testing::ShellQuote(file.File("label.png")), " || [ $? -eq 4 ]"));
    std::vector<std::string> symbols = absl::StrSplit(output, '\n', absl::SkipEmpty());
    std::sort(symbols.begin(), symbols.end());
    labels.push_back(std::move(symbols));
  }
  return labels;
}

// What a label's two symbols scan as, sorted as SymbolsOnLabels sorts them.
std::vector<std::string> Scanned(const std::string& code, const std::string& payload) {
  return {"CODE-128:" + code, "QR-Code:" + payload};
}

struct PageSize {
  double width_mm;
  double height_mm;
};

// The size of every page, as pdfinfo reads it.
std::vector<PageSize> PageSizes(std::string_view pdf) {
  const PdfFile file(pdf);
  const std::string info =
      Run(absl::StrCat("pdfinfo -f 1 -l 100000 ", salesops::testing::ShellQuote(file.path())));
  // "Page    1 size: 175.748 x 82.2047 pts"
  std::vector<PageSize> sizes;
  const std::vector<std::string> lines = absl::StrSplit(info, '\n');
  for (const std::string& line : lines) {
    int page = 0;
    double width = 0;
    double height = 0;
    if (std::sscanf(line.c_str(), "Page %d size: %lf x %lf pts", &page, &width, &height) == 3) {
      sizes.push_back({width / kPointsPerMm, height / kPointsPerMm});
    }
  }
  return sizes;
}

// The first page in grey at 72 dpi, a pixel a point: 255 is white.
struct GreyPage {
  int width = 0;
  int height = 0;
  std::string pixels;

  // The darkest pixel at or beyond `left` or `top` (in points from the top-left corner).
  int DarkestBeyond(double left, double top) const {
    int darkest = 255;
    for (int y = 0; y < height; ++y) {
      for (int x = 0; x < width; ++x) {
        if (x < left && y < top) continue;
        darkest = std::min<int>(darkest, static_cast<unsigned char>(pixels[y * width + x]));
      }
    }
    return darkest;
  }
};

GreyPage RenderFirstPage(std::string_view pdf) {
  const PdfFile file(pdf);
  Run(absl::StrCat("pdftoppm -gray -r 72 -f 1 -l 1 -singlefile ",
                   salesops::testing::ShellQuote(file.path()), " ",
                   salesops::testing::ShellQuote(file.File("page"))));
  // Binary PGM: "P5", width, height, maxval, one whitespace, then a byte a pixel.
  std::ifstream in(file.File("page.pgm"), std::ios::binary);
  GreyPage page;
  std::string magic;
  int maxval = 0;
  in >> magic >> page.width >> page.height >> maxval;
  in.get();
  if (magic != "P5" || page.width <= 0 || page.height <= 0 || maxval != 255) {
    ADD_FAILURE() << "cannot read page.pgm";
    return {};
  }
  page.pixels.resize(static_cast<size_t>(page.width) * page.height);
  in.read(page.pixels.data(), static_cast<std::streamsize>(page.pixels.size()));
  return page;
}

std::string TextOf(std::string_view pdf) {
  const PdfFile file(pdf);
  return Run(absl::StrCat("pdftotext -layout -enc UTF-8 ",
                          salesops::testing::ShellQuote(file.path()), " -"));
}

Label Item(int number) {
  Label label;
  label.code = absl::StrCat("AV-", 100000 + number);
  label.title = "Shure SM58 dynamic vocal microphone";
  label.subtitle = absl::StrCat("WH-NORTH · bin A-", number);
  return label;
}

TEST(RenderLabelsTest, A4SheetOfThirtyLabelsHasTwoPagesAndEveryCodeScansBothWays) {
  std::vector<Label> labels;
  for (int i = 1; i <= 30; ++i) labels.push_back(Item(i));

  const absl::StatusOr<std::string> pdf = RenderLabels(labels, LabelStock::kA4Sheet);

  ASSERT_TRUE(pdf.ok()) << pdf.status();
  const std::vector<PageSize> sizes = PageSizes(*pdf);
  ASSERT_EQ(sizes.size(), 2u);
  for (const PageSize& size : sizes) {
    EXPECT_NEAR(size.width_mm, 210, 0.1);
    EXPECT_NEAR(size.height_mm, 297, 0.1);
  }
  // Left to right, top to bottom: the first 24 on the first sheet, the other 6 on the second.
  const std::vector<std::vector<std::string>> scanned = SymbolsOnLabels(*pdf, kA4Grid, 30);
  ASSERT_EQ(scanned.size(), labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    EXPECT_EQ(scanned[i], Scanned(labels[i].code, labels[i].code)) << "label " << i;
  }
  const std::string text = TextOf(*pdf);
  EXPECT_THAT(text, HasSubstr("AV-100030"));
  EXPECT_THAT(text, HasSubstr("Shure SM58"));
  EXPECT_THAT(text, HasSubstr("WH-NORTH · bin A-30"));
}

TEST(RenderLabelsTest, Roll62mmHasAPageOfLabelSizeForEachLabel) {
  const std::vector<Label> labels = {Item(1), Item(2), Item(3)};

  const absl::StatusOr<std::string> pdf = RenderLabels(labels, LabelStock::kRoll62mm);

  ASSERT_TRUE(pdf.ok()) << pdf.status();
  const std::vector<PageSize> sizes = PageSizes(*pdf);
  ASSERT_EQ(sizes.size(), 3u);
  for (const PageSize& size : sizes) {
    EXPECT_NEAR(size.width_mm, 62, 0.01);
    EXPECT_NEAR(size.height_mm, 29, 0.01);
  }
  EXPECT_THAT(SymbolsOnLabels(*pdf, kRollGrid, 3),
              ElementsAre(Scanned("AV-100001", "AV-100001"), Scanned("AV-100002", "AV-100002"),
                          Scanned("AV-100003", "AV-100003")));
}

TEST(RenderLabelsTest, QrPayloadOtherThanTheCodeScansAsThePayload) {
  Label url = Item(7);
  url.qr_payload = "https://rental.example.com/items/AV-100007";
  Label non_ascii = Item(8);
  non_ascii.qr_payload = "Köln · Lager Süd";

  const absl::StatusOr<std::string> pdf = RenderLabels({url, non_ascii}, LabelStock::kRoll62mm);

  ASSERT_TRUE(pdf.ok()) << pdf.status();
  EXPECT_THAT(SymbolsOnLabels(*pdf, kRollGrid, 2),
              ElementsAre(Scanned("AV-100007", "https://rental.example.com/items/AV-100007"),
                          Scanned("AV-100008", "Köln · Lager Süd")));
}

// The limits a caller may reach still print and scan on the smallest stock.
TEST(RenderLabelsTest, LongestPayloadAndCodeStillScanOnTheRoll) {
  Label longest_payload = Item(9);
  longest_payload.qr_payload = "https://rental.example.com/items/AV-100009?tenant=";
  longest_payload.qr_payload.resize(kMaxQrPayloadBytes, 'x');
  Label longest_code;
  longest_code.code = std::string(kMaxLabelCodeLength, 'W');
  longest_code.title = "Longest code";

  const absl::StatusOr<std::string> pdf =
      RenderLabels({longest_payload, longest_code}, LabelStock::kRoll62mm);

  ASSERT_TRUE(pdf.ok()) << pdf.status();
  const std::vector<std::vector<std::string>> pages = SymbolsOnLabels(*pdf, kRollGrid, 2);
  ASSERT_EQ(pages.size(), 2u);
  EXPECT_EQ(pages[0], Scanned("AV-100009", longest_payload.qr_payload));
  // The bars of 60 characters are finer than a printer's dot on a 62 mm label; the QR code carries
  // the code.
  EXPECT_THAT(pages[1], Contains("QR-Code:" + longest_code.code));
}

TEST(RenderLabelsTest, RefusesWhatCode128OrTheStockCannotCarry) {
  const auto refusal = [](std::vector<Label> labels) {
    return RenderLabels(labels, LabelStock::kA4Sheet).status();
  };
  const auto with_code = [](std::string code) {
    Label label = Item(1);
    label.code = std::move(code);
    return std::vector<Label>{Item(0), label};
  };
  const auto with_payload = [](std::string payload) {
    Label label = Item(1);
    label.qr_payload = std::move(payload);
    return std::vector<Label>{Item(0), label};
  };
  for (const absl::Status& status : {
           refusal(with_code("")),
           refusal(with_code("AV-Ä1")),
           refusal(with_code(std::string(kMaxLabelCodeLength + 1, 'A'))),
           refusal(with_code("AV\n1")),
           refusal(with_payload(std::string(kMaxQrPayloadBytes + 1, 'x'))),
           refusal(with_payload("bad \xff UTF-8")),
       }) {
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
    EXPECT_THAT(status.message(), HasSubstr("labels[1]."));
  }
  EXPECT_EQ(refusal(std::vector<Label>(kMaxLabels + 1, Item(1))).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(refusal({}).code(), absl::StatusCode::kInvalidArgument);
  // The bounds themselves are fine.
  EXPECT_TRUE(
      RenderLabels(with_code(std::string(kMaxLabelCodeLength, '~')), LabelStock::kA4Sheet).ok());
  EXPECT_TRUE(RenderLabels(std::vector<Label>(kMaxLabels, Item(1)), LabelStock::kRoll62mm).ok());
}

TEST(RenderLabelsTest, SameLabelsGiveTheSameBytes) {
  std::vector<Label> labels;
  for (int i = 1; i <= 5; ++i) labels.push_back(Item(i));
  labels[2].qr_payload = "https://rental.example.com/items/AV-100003";

  for (const LabelStock stock : {LabelStock::kA4Sheet, LabelStock::kRoll62mm}) {
    const absl::StatusOr<std::string> first = RenderLabels(labels, stock);
    const absl::StatusOr<std::string> second = RenderLabels(labels, stock);
    ASSERT_TRUE(first.ok()) << first.status();
    ASSERT_TRUE(second.ok()) << second.status();
    EXPECT_EQ(*first, *second);
    EXPECT_THAT(*first, Not(HasSubstr("/CreationDate")));
  }
}

TEST(RenderLabelsTest, HostileTextIsCutShortWithinItsLabel) {
  Label label = Item(1);
  label.title.clear();
  for (int i = 0; i < 5000; ++i) absl::StrAppend(&label.title, "<&> שלום עולם مرحبا <b>x</b> ");
  label.title += "\n\t\xff";
  label.title += std::string("\0", 1);
  label.title += "END-OF-TITLE";
  label.subtitle = std::string(100000, 'W') + "END-OF-SUBTITLE";

  const absl::StatusOr<std::string> pdf = RenderLabels({label}, LabelStock::kA4Sheet);

  ASSERT_TRUE(pdf.ok()) << pdf.status();
  // The first label of the sheet is 70 x 37 mm at its top-left corner, with a 4 mm margin inside:
  // its text ends there, and the rest of the sheet stays blank.
  const GreyPage page = RenderFirstPage(*pdf);
  ASSERT_GT(page.width, 0);
  EXPECT_GE(page.DarkestBeyond(66 * kPointsPerMm + 1, 33 * kPointsPerMm + 1), 250);
  // Cairo keeps the text an ellipsis stands for in the PDF (for copying): what is far beyond any
  // label line is dropped before, and does not swell the file.
  const std::string text = TextOf(*pdf);
  EXPECT_THAT(text, Not(HasSubstr("END-OF-TITLE")));
  EXPECT_THAT(text, Not(HasSubstr("END-OF-SUBTITLE")));
  EXPECT_LT(pdf->size(), 100'000u);
  EXPECT_THAT(SymbolsOnLabels(*pdf, kA4Grid, 1), ElementsAre(Scanned("AV-100001", "AV-100001")));
}

}  // namespace
}  // namespace salesops::documents
