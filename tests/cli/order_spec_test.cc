// An order as people write it, on flags or in a YAML or JSON file, turned into the Order the
// services take; an amendment changes just what was written.
#include "cli/order_spec.h"

#include <gtest/gtest.h>

#include "cli/input_parsing.h"

namespace salesops::cli {
namespace {

TEST(OrderSpecTest, YamlAndJsonFilesUseTheFlagNames) {
  absl::StatusOr<OrderSpec> yaml = OrderSpecFromYaml(YAML::Load(R"(
customer: Northwind Conferences
deliver-by: 2030-05-01 08:00
pinned-reason: The dock is free 07:45-08:00 only
products: {LED-WALL-5X3: 3, PA-SPEECH: 1}
notes: ["power: 2 x 63 A CEE", "Call Ada at the gate"]
win-probability: 0.7
)"),
                                                     "quote.yaml");
  ASSERT_TRUE(yaml.ok()) << yaml.status();
  absl::StatusOr<OrderSpec> json = OrderSpecFromYaml(
      YAML::Load(R"({"customer": "Northwind Conferences", "deliver-by": "2030-05-01 08:00",
                     "pinned-reason": "The dock is free 07:45-08:00 only",
                     "products": ["LED-WALL-5X3=3", "PA-SPEECH=1"],
                     "notes": ["power: 2 x 63 A CEE", "Call Ada at the gate"],
                     "win-probability": 0.7})"),
      "quote.json");
  ASSERT_TRUE(json.ok()) << json.status();

  for (const OrderSpec& spec : {*yaml, *json}) {
    v1::Order order;
    ASSERT_TRUE(ApplyOrderSpec(spec, &order).ok());
    EXPECT_EQ(order.customer().name(), "Northwind Conferences");
    EXPECT_EQ(order.delivery_window().window().no_later_than().seconds(),
              ParseTime("2030-05-01 08:00")->seconds());
    EXPECT_TRUE(order.delivery_window().pinned());
    EXPECT_EQ(order.delivery_window().pinned_reason(), "The dock is free 07:45-08:00 only");
    ASSERT_EQ(order.product_lines_size(), 2);
    EXPECT_EQ(order.product_lines(0).product_code(), "LED-WALL-5X3");
    EXPECT_EQ(order.product_lines(0).quantity(), 3);
    ASSERT_EQ(order.notes_size(), 2);
    EXPECT_EQ(order.notes(0).kind(), v1::NOTE_KIND_POWER);
    EXPECT_EQ(order.notes(0).text(), "2 x 63 A CEE");
    EXPECT_EQ(order.notes(1).kind(), v1::NOTE_KIND_OTHER);
    EXPECT_DOUBLE_EQ(order.pipeline().win_probability(), 0.7);
  }
}

TEST(OrderSpecTest, TheCommercialSideIsWrittenAsPeopleSayIt) {
  absl::StatusOr<OrderSpec> spec = OrderSpecFromYaml(YAML::Load(R"(
organisation: Tourneewerk GmbH
venue-id: venue-1001
order-discount: 5% repeat client
discounts: {LED-WALL-5X3: "12.5% launch partner"}
custom: ["fee: Rigging fee of the venue = 350 EUR", "service: Show programmer = 650 EUR x 2"]
options: ["LED-WALL-BIG=1 instead of LED-WALL-5X3", "HAZER=2"]
products: {LED-WALL-5X3: 1}
phases:
  - id: berlin
    name: Berlin, Tempodrom
    venue: Tempodrom Berlin
    travel: 3h30m
    deliver-by: 2030-05-03 14:00
    products: {LED-WALL-5X3: 1}
)"),
                                                     "tour.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  v1::Order order;
  absl::Status applied = ApplyOrderSpec(*spec, &order);
  ASSERT_TRUE(applied.ok()) << applied;
  EXPECT_EQ(order.organisation_id(), "Tourneewerk GmbH");  // salesopsctl looks the name up
  EXPECT_EQ(order.venue_id(), "venue-1001");
  EXPECT_EQ(order.order_discount().percent_bp(), 500);
  EXPECT_EQ(order.order_discount().reason(), "repeat client");
  ASSERT_EQ(order.line_discounts_size(), 1);
  EXPECT_EQ(order.line_discounts(0).discount().percent_bp(), 1250);
  EXPECT_EQ(order.line_discounts(0).discount().reason(), "launch partner");
  ASSERT_EQ(order.custom_lines_size(), 2);
  EXPECT_EQ(order.custom_lines(0).category(), v1::CUSTOM_LINE_CATEGORY_FEE);
  EXPECT_EQ(order.custom_lines(0).description(), "Rigging fee of the venue");
  EXPECT_EQ(order.custom_lines(0).unit_price().units(), 350);
  EXPECT_EQ(order.custom_lines(1).quantity(), 2);
  ASSERT_EQ(order.optional_lines_size(), 2);
  EXPECT_EQ(order.optional_lines(0).instead_of(), "LED-WALL-5X3");
  EXPECT_EQ(order.optional_lines(1).line().quantity(), 2);
  ASSERT_EQ(order.phases_size(), 1);
  EXPECT_EQ(order.phases(0).phase_id(), "berlin");
  EXPECT_EQ(order.phases(0).venue().travel_time().seconds(), 12600);
  EXPECT_EQ(order.phases(0).product_lines(0).product_code(), "LED-WALL-5X3");

  // A discount without a reason, or a custom line without a price, names the flag.
  OrderSpec bad;
  bad.order_discount = "10%";
  EXPECT_NE(ApplyOrderSpec(bad, &order).message().find("--order-discount"), std::string::npos);
  bad = OrderSpec();
  bad.custom_lines = {"fee: Rigging fee"};
  EXPECT_NE(ApplyOrderSpec(bad, &order).message().find("--custom"), std::string::npos);
}

TEST(OrderSpecTest, ATypoIsAnErrorNotASilentDefault) {
  absl::StatusOr<OrderSpec> spec =
      OrderSpecFromYaml(YAML::Load("customer: X\ndeliver_by: tomorrow 08:00\n"), "quote.yaml");
  ASSERT_FALSE(spec.ok());
  EXPECT_NE(spec.status().message().find("unknown field 'deliver_by'"), std::string::npos);

  OrderSpec bad_time;
  bad_time.deliver_by = "next tuesday";
  v1::Order order;
  absl::Status status = ApplyOrderSpec(bad_time, &order);
  EXPECT_NE(status.message().find("--deliver-by"), std::string::npos) << status;
}

TEST(OrderSpecTest, FlagsWinOverTheFileAndAnAmendmentChangesJustWhatIsGiven) {
  OrderSpec file;
  file.customer = "Northwind";
  file.venue = "Harbour Hall";
  file.products = {"LED-WALL-5X3=3", "PA-SPEECH=1"};
  OrderSpec flags;
  flags.venue = "Congress Center";
  flags.products = {"LED-WALL-5X3=1"};
  v1::Order order;
  ASSERT_TRUE(ApplyOrderSpec(MergeOrderSpecs(file, flags), &order).ok());
  EXPECT_EQ(order.customer().name(), "Northwind");
  EXPECT_EQ(order.venue().name(), "Congress Center");
  ASSERT_EQ(order.product_lines_size(), 2);  // one line per product: the flag's quantity
  EXPECT_EQ(order.product_lines(0).quantity(), 1);

  OrderSpec amendment;
  amendment.products = {"PA-SPEECH=0", "MIC-PACK-8=1"};
  amendment.pinned_reason = "none";
  ASSERT_TRUE(ApplyOrderSpec(amendment, &order).ok());
  ASSERT_EQ(order.product_lines_size(), 2);
  EXPECT_EQ(order.product_lines(0).product_code(), "LED-WALL-5X3");
  EXPECT_EQ(order.product_lines(1).product_code(), "MIC-PACK-8");
  EXPECT_EQ(order.venue().name(), "Congress Center");  // untouched
  EXPECT_FALSE(order.delivery_window().pinned());

  EXPECT_EQ(OrderFieldFlags().at("delivery_window.window.no_later_than"), "--deliver-by");
  EXPECT_EQ(OrderFieldFlags().at("customer.name"), "--customer");
}

}  // namespace
}  // namespace salesops::cli
