#include "services/common/validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "salesops/v1/inventory.pb.h"
#include "salesops/v1/order_intake.pb.h"
#include "services/common/grpc_errors.h"

namespace salesops::common {
namespace {

using ::testing::IsEmpty;

// Field paths of the violations, in order.
std::vector<std::string> Fields(const google::protobuf::Message& request) {
  std::vector<std::string> fields;
  for (const FieldViolation& violation : ValidateRequest(request))
    fields.push_back(violation.field);
  return fields;
}

google::protobuf::Timestamp At(int64_t seconds) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(seconds);
  return timestamp;
}

v1::CheckAvailabilityRequest ValidAvailabilityRequest() {
  v1::CheckAvailabilityRequest request;
  auto* line = request.add_lines();
  line->set_inventory_code("LED-PANEL-500");
  line->set_quantity(4);
  *request.mutable_window()->mutable_not_before() = At(1800000000);
  *request.mutable_window()->mutable_no_later_than() = At(1800086400);
  return request;
}

TEST(CatalogCodeTest, AcceptsTheDocumentedFormatOnly) {
  EXPECT_TRUE(IsValidCatalogCode("LED-PANEL-500"));
  EXPECT_TRUE(IsValidCatalogCode("K2"));
  EXPECT_TRUE(IsValidCatalogCode(std::string(40, 'A')));
  EXPECT_FALSE(IsValidCatalogCode("A"));                   // too short
  EXPECT_FALSE(IsValidCatalogCode(std::string(41, 'A')));  // too long
  EXPECT_FALSE(IsValidCatalogCode("led-panel"));           // lower case
  EXPECT_FALSE(IsValidCatalogCode("-LED"));                // leading dash
  EXPECT_FALSE(IsValidCatalogCode("LED PANEL"));           // space
  EXPECT_FALSE(IsValidCatalogCode("LED_PANEL"));           // underscore
}

TEST(ValidationTest, ValidRequestHasNoViolations) {
  EXPECT_THAT(ValidateRequest(ValidAvailabilityRequest()), IsEmpty());
  EXPECT_TRUE(CheckRequest(ValidAvailabilityRequest()).ok());
}

TEST(ValidationTest, NestedCodesAreCheckedWhereverTheyAppearWithTheirPath) {
  v1::CheckAvailabilityRequest request = ValidAvailabilityRequest();
  auto* bad = request.add_lines();
  bad->set_inventory_code("led panel");
  bad->set_quantity(1);
  std::vector<FieldViolation> violations = ValidateRequest(request);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].field, "lines[1].inventory_code");
  EXPECT_NE(violations[0].description.find("not a valid inventory code"), std::string::npos);
}

TEST(ValidationTest, RequiredFieldsAndQuantityBounds) {
  v1::CheckAvailabilityRequest request;
  EXPECT_EQ(Fields(request), (std::vector<std::string>{"lines", "window"}));

  request = ValidAvailabilityRequest();
  request.mutable_lines(0)->set_quantity(0);
  request.mutable_lines(0)->clear_inventory_code();
  EXPECT_EQ(Fields(request),
            (std::vector<std::string>{"lines[0].inventory_code", "lines[0].quantity"}));
}

TEST(ValidationTest, WindowMustEndAfterItStarts) {
  v1::CheckAvailabilityRequest request = ValidAvailabilityRequest();
  *request.mutable_window()->mutable_not_before() = At(1800086400);
  EXPECT_EQ(Fields(request), (std::vector<std::string>{"window.not_before"}));
  request.mutable_window()->clear_no_later_than();
  EXPECT_EQ(Fields(request), (std::vector<std::string>{"window.no_later_than"}));
}

TEST(ValidationTest, ListsAndStringsAreBounded) {
  v1::CheckAvailabilityRequest request = ValidAvailabilityRequest();
  for (int i = 0; i < 600; ++i) *request.add_lines() = request.lines(0);
  EXPECT_EQ(Fields(request), (std::vector<std::string>{"lines"}));

  v1::CheckAvailabilityRequest long_string = ValidAvailabilityRequest();
  long_string.set_exclude_order_id(std::string(101, 'x'));
  EXPECT_EQ(Fields(long_string), (std::vector<std::string>{"exclude_order_id"}));
}

TEST(ValidationTest, PageSizeMustBeWithinBounds) {
  v1::ListItemsRequest request;
  request.set_page_size(-1);
  EXPECT_FALSE(Fields(request).empty());
  EXPECT_EQ(Fields(request).front(), "page_size");
  request.set_page_size(kMaxPageSize + 1);
  EXPECT_EQ(Fields(request).front(), "page_size");
  request.set_page_size(20);
  EXPECT_THAT(Fields(request), IsEmpty());
  EXPECT_EQ(EffectivePageSize(0), kDefaultPageSize);
  EXPECT_EQ(EffectivePageSize(20), 20);
}

TEST(ValidationTest, PinnedDeliveryNeedsAReason) {
  v1::CreateOrderRequest request;
  v1::DeliveryWindow* delivery = request.mutable_order()->mutable_delivery_window();
  *delivery->mutable_window()->mutable_no_later_than() = At(1800000000);
  delivery->set_pinned(true);
  std::vector<std::string> fields = Fields(request);
  EXPECT_NE(std::find(fields.begin(), fields.end(), "order.delivery_window.pinned_reason"),
            fields.end());
  delivery->set_pinned_reason("Venue only opens the dock at 07:00 sharp");
  fields = Fields(request);
  EXPECT_EQ(std::find(fields.begin(), fields.end(), "order.delivery_window.pinned_reason"),
            fields.end());
}

TEST(ValidationTest, MoneyMustBeWellFormed) {
  v1::UpsertProductRequest request;
  v1::Product* product = request.mutable_product();
  product->set_product_code("LED-WALL-3X2");
  product->set_name("LED wall 3x2 m");
  product->mutable_day_rate()->set_currency_code("eur");
  product->mutable_day_rate()->set_units(10);
  product->mutable_day_rate()->set_nanos(-5);
  EXPECT_EQ(Fields(request),
            (std::vector<std::string>{"product.day_rate.currency_code", "product.day_rate.nanos"}));
  product->mutable_day_rate()->set_currency_code("EUR");
  product->mutable_day_rate()->set_nanos(500000000);
  EXPECT_THAT(Fields(request), IsEmpty());
}

TEST(ValidationTest, OutputOnlyFieldsAreIgnored) {
  v1::UpsertProductRequest request;
  request.mutable_product()->set_product_code("LED-WALL-3X2");
  request.mutable_product()->set_name("LED wall");
  // update_time is OUTPUT_ONLY: even an invalid value is not the caller's problem.
  request.mutable_product()->mutable_update_time()->set_nanos(-1);
  EXPECT_THAT(Fields(request), IsEmpty());
}

TEST(ValidationTest, UnknownEnumValuesAreRejected) {
  v1::ListItemsRequest request;
  request.set_tracking(static_cast<v1::TrackingMode>(42));
  EXPECT_EQ(Fields(request), (std::vector<std::string>{"tracking"}));
}

TEST(ValidationTest, CheckRequestNamesEveryField) {
  absl::Status status = CheckRequest(v1::CheckAvailabilityRequest());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  ErrorDetails details = ParseGrpcError(ToGrpcStatus(status));
  ASSERT_EQ(details.violations.size(), 2u);
  EXPECT_EQ(details.violations[0].field, "lines");
  EXPECT_EQ(details.violations[1].field, "window");
}

TEST(ValidationTest, NoStringHoldsAControlCharacterAndOnlyMultiLineTextHoldsNewlines) {
  // An id with a NUL was once cut at the NUL on its way to PostgreSQL: "1017\0zzz" read 1017.
  v1::GetOrderRequest get;
  get.set_order_id(std::string("1017\0zzz", 8));
  EXPECT_EQ(Fields(get), (std::vector<std::string>{"order_id"}));
  for (std::string bad :
       {std::string("a\nb"), std::string("a\rb"), std::string("a\tb"), std::string("esc\x1b[31m"),
        std::string("del\x7f"), std::string("c1\xc2\x85")}) {
    get.set_order_id(bad);
    EXPECT_EQ(Fields(get), (std::vector<std::string>{"order_id"})) << bad;
  }
  get.set_order_id("Café-1017 ✓");  // non-ASCII text is fine
  EXPECT_THAT(Fields(get), IsEmpty());

  v1::AddNoteRequest note;
  note.set_order_id("1017");
  note.mutable_note()->set_text("Dock is round the back.\n\tRing twice.\r\n");
  EXPECT_THAT(Fields(note), IsEmpty());
  note.mutable_note()->set_text(std::string("a\0b", 3));
  EXPECT_EQ(Fields(note), (std::vector<std::string>{"note.text"}));
}

TEST(ValidationTest, RequestIdIsPlainText) {
  v1::AddNoteRequest request;
  request.set_order_id("1017");
  request.mutable_note()->set_text("ok");
  request.set_request_id("order-1017:note.1_b");
  EXPECT_THAT(Fields(request), IsEmpty());
  for (const char* bad : {"café", "with space", "semi;colon", "slash/", "quote\""}) {
    request.set_request_id(bad);
    EXPECT_EQ(Fields(request), (std::vector<std::string>{"request_id"})) << bad;
  }
  EXPECT_TRUE(IsSafeRequestId(std::string(100, 'x')));
  EXPECT_FALSE(IsSafeRequestId(std::string(101, 'x')));
  EXPECT_FALSE(IsSafeRequestId(""));
}

TEST(ValidationTest, TimesStayWithin2000To2199AndWindowsWithinTwoYears) {
  v1::CheckAvailabilityRequest request = ValidAvailabilityRequest();
  *request.mutable_window()->mutable_not_before() = At(946684800 - 1);  // 1999-12-31T23:59:59
  EXPECT_EQ(Fields(request), (std::vector<std::string>{"window.not_before"}));
  request = ValidAvailabilityRequest();
  *request.mutable_window()->mutable_no_later_than() = At(7258118400);  // 2200-01-01
  EXPECT_EQ(Fields(request), (std::vector<std::string>{"window.no_later_than"}));
  request = ValidAvailabilityRequest();
  *request.mutable_window()->mutable_no_later_than() = At(1800000000 + kMaxWindowSpanSeconds);
  EXPECT_THAT(Fields(request), IsEmpty());
  *request.mutable_window()->mutable_no_later_than() = At(1800000000 + kMaxWindowSpanSeconds + 1);
  EXPECT_EQ(Fields(request), (std::vector<std::string>{"window"}));
}

TEST(ValidationTest, DurationsAtTheIntegerExtremesAreRefused) {
  // std::abs(INT64_MIN) is undefined: an -O2 build once let these two through.
  v1::GetAvailabilityCalendarRequest request;
  request.set_inventory_code("LED-PANEL-500");
  *request.mutable_range()->mutable_not_before() = At(1800000000);
  *request.mutable_range()->mutable_no_later_than() = At(1800086400);
  request.mutable_bucket_size()->set_seconds(std::numeric_limits<int64_t>::min());
  EXPECT_EQ(Fields(request), (std::vector<std::string>{"bucket_size"}));
  request.mutable_bucket_size()->set_seconds(-1);
  request.mutable_bucket_size()->set_nanos(std::numeric_limits<int32_t>::min());
  EXPECT_EQ(Fields(request), (std::vector<std::string>{"bucket_size"}));
}

TEST(ValidationTest, DurationsAreLengthsAndNeverNegative) {
  v1::UpsertProductRequest request;
  v1::Product& product = *request.mutable_product();
  product.set_product_code("LED-WALL-3X2");
  product.mutable_prep_time()->set_seconds(-60);
  auto* need = product.add_crew_needs();
  need->mutable_duration()->set_nanos(-1);
  std::vector<std::string> fields = Fields(request);
  EXPECT_NE(std::find(fields.begin(), fields.end(), "product.prep_time"), fields.end());
  EXPECT_NE(std::find(fields.begin(), fields.end(), "product.crew_needs[0].duration"),
            fields.end());
}

TEST(ValidationTest, AnAnswerListsTheFirstTwentyViolationsAndCountsTheRest) {
  v1::CheckAvailabilityRequest request = ValidAvailabilityRequest();
  request.clear_lines();
  for (int i = 0; i < 500; ++i) {
    auto* line = request.add_lines();
    line->set_inventory_code(std::string(5000, 'x'));  // too long, and not a code
    line->set_quantity(1);
  }
  grpc::Status status = ToGrpcStatus(CheckRequest(request));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ErrorDetails details = ParseGrpcError(status);
  EXPECT_EQ(details.violations.size(), kMaxReportedViolations);
  EXPECT_NE(status.error_message().find("the first 20 are listed"), std::string::npos)
      << status.error_message();
  EXPECT_LE(status.error_details().size(), 8u * 1024);
}

}  // namespace
}  // namespace salesops::common
