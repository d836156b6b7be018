#include "services/common/validation.h"

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "salesops/v1/events.pb.h"
#include "salesops/v1/inventory.pb.h"
#include "salesops/v1/order_intake.pb.h"
#include "services/common/grpc_errors.h"
#include "services/common/page_token.h"

namespace salesops::common {
namespace {

using ::testing::EndsWith;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

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

TEST(ValidationTest, PlainTextIsStrictUtf8WithoutControlCharacters) {
  EXPECT_TRUE(IsPlainText("order 1042 – Café ✓ 𝄞"));
  EXPECT_TRUE(IsPlainText(""));
  for (std::string bad :
       {std::string("a\0b", 3), std::string("tab\t"), std::string("\xff"), std::string("\xc0\xaf"),
        std::string("\xe0\x80\xaf"), std::string("\xed\xa0\x80"), std::string("\xf4\x90\x80\x80"),
        std::string("\xe2\x82"), std::string("\x80")}) {
    EXPECT_FALSE(IsPlainText(bad)) << ::testing::PrintToString(bad);
  }
}

TEST(PageTokenTest, AForgedTokenIsAFieldViolationWhateverItHolds) {
  EXPECT_EQ(*DecodePageToken("orders", EncodePageToken("orders", "1042")), "1042");
  for (std::string position : {std::string("10\0"
                                           "42",
                                           5),
                               std::string("\xff\xfe"), std::string(400, '9')}) {
    absl::StatusOr<std::string> decoded =
        DecodePageToken("orders", EncodePageToken("orders", position));
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(ParseGrpcError(ToGrpcStatus(decoded.status())).violations.at(0).field, "page_token");
  }
  EXPECT_FALSE(DecodePageToken("orders", EncodePageToken("items", "1")).ok());
  EXPECT_FALSE(DecodePageToken("orders", "!!not base64!!").ok());
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

TEST(TextFittingTest, OneLineTurnsControlCharactersIntoSpacesAndCutsAtACharacter) {
  EXPECT_EQ(OneLine("Dock is round the back.\n\tRing twice.\r\n", 100),
            "Dock is round the back.  Ring twice.  ");
  EXPECT_EQ(OneLine(std::string("a\0b\x1b[31m\x7f", 9) + "c\u0085d", 100), "a b [31m c d");
  EXPECT_EQ(OneLine("Café-1017 ✓", 100), "Café-1017 ✓");
  std::string accents;
  for (int i = 0; i < 10; ++i) accents += "é";  // two bytes each
  // 10 bytes: "…" takes 3, and the 7 left hold three whole "é".
  EXPECT_EQ(OneLine(accents, 10), "ééé…");
  // Bytes that are not UTF-8 (a cut sequence, a stray byte) become U+FFFD.
  EXPECT_EQ(OneLine(std::string("ab\xff", 3) + "c" + std::string("\xe2\x82", 2), 100),
            "ab\uFFFDc\uFFFD\uFFFD");
}

v1::Event ValidEvent() {
  v1::Event event;
  event.set_event_id("4f9b2c1e-8d3a-4c5b-9e7f-0a1b2c3d4e5f");
  event.set_type(v1::EVENT_TYPE_ORDER_AMENDED);
  *event.mutable_occur_time() = At(1800000000);
  event.set_source_service("order-intake");
  event.set_summary("Order 1042 rev 3: +4 LED-PANEL-500 to pull (client added a wall)");
  event.mutable_order_changed()->set_reason("Client added a wall.\nThey pay the rush fee.");
  return event;
}

TEST(TextFittingTest, AnEventBuiltFromALongMultiLineReasonFitsEveryDeclaredLimit) {
  std::string reason;
  for (int i = 0; i < 100; ++i)
    reason += "The client moved the stage, line " + std::to_string(i) + "\n";
  ASSERT_GT(reason.size(), 2000u);
  v1::Event event = ValidEvent();
  event.set_summary("Order 1042 rev 3: +4 LED-PANEL-500 to pull (" + reason + ")");
  event.mutable_order_changed()->set_reason(reason);
  event.mutable_order_changed()->mutable_impact()->set_summary(std::string(3000, 'x'));
  ASSERT_THAT(Fields(event), Not(IsEmpty()));

  FitTextToRules(event);
  EXPECT_THAT(Fields(event), IsEmpty());
  // The summary: one line, within 1000 bytes, its start kept.
  EXPECT_LE(event.summary().size(), 1000u);
  EXPECT_THAT(event.summary(), StartsWith("Order 1042 rev 3: +4 LED-PANEL-500 to pull (The client "
                                          "moved the stage, line 0 The client"));
  EXPECT_THAT(event.summary(), EndsWith("…"));
  EXPECT_EQ(event.summary().find('\n'), std::string::npos);
  // The reason is multi-line text: its newlines stay, and it is cut to its own 2000 bytes.
  const std::string& fitted = event.order_changed().reason();
  EXPECT_LE(fitted.size(), 2000u);
  EXPECT_GE(fitted.size(), 1990u);
  EXPECT_EQ(fitted.substr(0, fitted.size() - 3), reason.substr(0, fitted.size() - 3));
  EXPECT_THAT(fitted, EndsWith("…"));
  EXPECT_EQ(event.order_changed().impact().summary().size(), 2000u);
}

TEST(TextFittingTest, RepeatedAndNestedTextIsFittedAndWhatPassesIsLeftAlone) {
  v1::Event event = ValidEvent();
  event.set_type(v1::EVENT_TYPE_TASK_ASSIGNED);
  v1::TaskPayload* task = event.mutable_task();
  task->add_crew_member_names("Ana");
  task->add_crew_member_names("Bo\tB" + std::string(300, 'o'));
  task->set_explanation("Ana has the rigging skill\nand is free 06:00-09:00");
  task->set_reason(std::string("blocked:\n\0dock closed", 21));
  ASSERT_THAT(Fields(event), Not(IsEmpty()));

  FitTextToRules(event);
  EXPECT_THAT(Fields(event), IsEmpty());
  EXPECT_EQ(task->crew_member_names(0), "Ana");
  EXPECT_THAT(task->crew_member_names(1), StartsWith("Bo Boo"));
  EXPECT_LE(task->crew_member_names(1).size(), 200u);
  EXPECT_EQ(task->explanation(), "Ana has the rigging skill and is free 06:00-09:00");
  EXPECT_EQ(task->reason(), "blocked:\n dock closed");

  const v1::Event valid = ValidEvent();
  v1::Event unchanged = valid;
  FitTextToRules(unchanged);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(unchanged, valid));
}

}  // namespace
}  // namespace salesops::common
