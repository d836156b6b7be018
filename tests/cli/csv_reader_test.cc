// CSV as spreadsheets write it: quoted commas, quotes and line breaks; errors
// that name the file, the row and the column.
#include "cli/csv_reader.h"

#include <gtest/gtest.h>

#include <fstream>

namespace salesops::cli {
namespace {

std::string WriteFile(const std::string& text) {
  std::string path = ::testing::TempDir() + "/cli-csv-" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".csv";
  std::ofstream(path) << text;
  return path;
}

TEST(CsvReaderTest, ReadsQuotedFieldsByHeaderName) {
  std::string path = WriteFile(
      "inventory_code,description,quantity_owned\n"
      "LED-PANEL-500,\"LED panel 500 x 500 mm, \"\"indoor\"\"\",96\n"
      "\n"
      "CABLE-XLR-10,\"XLR cable\n10 m\",200\r\n");
  absl::StatusOr<std::vector<CsvRecord>> records =
      ReadCsvFile(path, {"inventory_code"}, {"inventory_code", "description", "quantity_owned"});
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].Get("description"), "LED panel 500 x 500 mm, \"indoor\"");
  EXPECT_EQ((*records)[0].Get("quantity_owned"), "96");
  EXPECT_EQ((*records)[0].row, 2);
  EXPECT_EQ((*records)[1].Get("description"), "XLR cable\n10 m");
  EXPECT_EQ((*records)[1].Get("warehouse_id"), "");
}

TEST(CsvReaderTest, RefusesMissingAndUnknownColumnsAndBrokenQuotes) {
  std::string missing = WriteFile("description\nLED panel\n");
  absl::StatusOr<std::vector<CsvRecord>> records = ReadCsvFile(missing, {"inventory_code"}, {});
  ASSERT_FALSE(records.ok());
  EXPECT_NE(records.status().message().find("no 'inventory_code' column"), std::string::npos);

  std::string misspelt = WriteFile("inventory_code,quantity\nLED-PANEL-500,3\n");
  records = ReadCsvFile(misspelt, {"inventory_code"}, {"inventory_code", "quantity_owned"});
  ASSERT_FALSE(records.ok());
  EXPECT_NE(records.status().message().find("unknown column 'quantity'"), std::string::npos);

  std::string broken = WriteFile("inventory_code,description\nLED-1,\"never closed\n");
  EXPECT_FALSE(ReadCsvFile(broken, {"inventory_code"}, {}).ok());

  std::string too_many = WriteFile("inventory_code\nLED-1,extra\n");
  records = ReadCsvFile(too_many, {"inventory_code"}, {});
  ASSERT_FALSE(records.ok());
  EXPECT_NE(records.status().message().find("row 2"), std::string::npos);
}

}  // namespace
}  // namespace salesops::cli
