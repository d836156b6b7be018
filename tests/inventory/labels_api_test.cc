// Issue 19's labels over gRPC on a real inventory process: every code printed as Code 128 and QR
// decodes back from the PDF, unknown codes are named, the print run is bounded, and ops (not
// sales) print them.
#include <gtest/gtest.h>

#include <algorithm>

#include "services/common/grpc_errors.h"
#include "tests/inventory/inventory_client.h"

namespace salesops::testing {
namespace {

using Stub = v1::InventoryService::Stub;

class LabelsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(inventory_.started()) << inventory_.log();
    for (const std::string code : {"LED-PANEL-500", "CABLE-XLR-10"}) {
      v1::UpsertItemRequest request;
      request.mutable_item()->set_inventory_code(code);
      request.mutable_item()->set_description("Described " + code);
      request.mutable_item()->set_category("video");
      request.mutable_item()->set_quantity_owned(4);
      v1::UpsertItemResponse response;
      ASSERT_TRUE(inventory_.Call(&Stub::UpsertItem, request, &response).ok());
    }
  }

  grpc::Status Labels(std::vector<std::string> codes, v1::LabelStock stock, int copies,
                      v1::GetLabelsResponse* response, const std::string& token) {
    v1::GetLabelsRequest request;
    for (const std::string& code : codes) request.add_inventory_codes(code);
    request.set_stock(stock);
    request.set_copies(copies);
    return inventory_.Call(&Stub::GetLabels, request, response, token);
  }

  InventoryFixture inventory_;
};

TEST_F(LabelsApiTest, EveryCodePrintedDecodesBackAsCode128AndQr) {
  v1::GetLabelsResponse sheet;
  grpc::Status status = Labels({"LED-PANEL-500", "CABLE-XLR-10"}, v1::LABEL_STOCK_A4_SHEET, 2,
                               &sheet, inventory_.tokens().ops);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(sheet.label_count(), 4);
  const std::vector<std::string> decoded = PdfBarcodes(sheet.pdf());
  // Each label carries the code twice (Code 128 and QR). A whole-page scan can miss a symbol
  // among many (labels_test scans each label alone); each of the two copies must read back.
  EXPECT_GE(std::count(decoded.begin(), decoded.end(), "LED-PANEL-500"), 2)
      << ::testing::PrintToString(decoded);
  EXPECT_GE(std::count(decoded.begin(), decoded.end(), "CABLE-XLR-10"), 2)
      << ::testing::PrintToString(decoded);
  for (const std::string& code : decoded) {
    EXPECT_TRUE(code == "LED-PANEL-500" || code == "CABLE-XLR-10") << code;
  }
  EXPECT_NE(PdfText(sheet.pdf()).find("Described LED-PANEL-500"), std::string::npos);

  v1::GetLabelsResponse roll;
  ASSERT_TRUE(
      Labels({"CABLE-XLR-10"}, v1::LABEL_STOCK_ROLL_62MM, 1, &roll, inventory_.tokens().ops).ok());
  EXPECT_EQ(roll.label_count(), 1);
  const std::vector<std::string> on_roll = PdfBarcodes(roll.pdf());
  EXPECT_EQ(std::count(on_roll.begin(), on_roll.end(), "CABLE-XLR-10"), 2);
}

TEST_F(LabelsApiTest, UnknownCodesAreNamedRunsAreBoundedAndSalesCannotPrint) {
  v1::GetLabelsResponse response;
  grpc::Status status = Labels({"LED-PANEL-500", "NO-SUCH-CODE"}, v1::LABEL_STOCK_A4_SHEET, 1,
                               &response, inventory_.tokens().ops);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(status.error_message().find("inventory_codes[1]"), std::string::npos);

  std::vector<std::string> many(41, "LED-PANEL-500");
  status = Labels(many, v1::LABEL_STOCK_A4_SHEET, 50, &response, inventory_.tokens().ops);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(common::ParseGrpcError(status).violations.at(0).field, "copies");

  status = Labels({"lower-case"}, v1::LABEL_STOCK_A4_SHEET, 1, &response, inventory_.tokens().ops);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  status = Labels({}, v1::LABEL_STOCK_A4_SHEET, 1, &response, inventory_.tokens().ops);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  status =
      Labels({"LED-PANEL-500"}, v1::LABEL_STOCK_A4_SHEET, 1, &response, inventory_.tokens().sales);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace salesops::testing
