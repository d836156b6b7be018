#include "services/inventory/catalog.h"

#include <gtest/gtest.h>

#include "services/common/grpc_errors.h"
#include "services/common/validation.h"

namespace salesops::inventory {
namespace {

v1::Product MakeProduct(const std::string& code,
                        std::vector<std::pair<std::string, int>> components,
                        std::vector<std::tuple<v1::Skill, int, int>> crew, int prep_minutes) {
  v1::Product product;
  product.set_product_code(code);
  product.set_name(code + " name");
  product.mutable_day_rate()->set_currency_code("EUR");
  product.mutable_day_rate()->set_units(100);
  for (const auto& [inventory_code, quantity] : components) {
    auto* component = product.add_components();
    component->set_inventory_code(inventory_code);
    component->set_quantity(quantity);
  }
  for (const auto& [skill, minutes, headcount] : crew) {
    auto* need = product.add_crew_needs();
    need->set_skill(skill);
    need->mutable_duration()->set_seconds(minutes * 60);
    need->set_headcount(headcount);
  }
  product.mutable_prep_time()->set_seconds(prep_minutes * 60);
  return product;
}

Catalog DemoCatalog() {
  return {{"LED-WALL-3X2", MakeProduct("LED-WALL-3X2", {{"LED-PANEL-500", 24}, {"CABLE-PWR", 6}},
                                       {{v1::SKILL_VIDEO, 120, 2}}, 90)},
          {"PA-SMALL", MakeProduct("PA-SMALL", {{"SPK-12", 2}, {"CABLE-PWR", 2}},
                                   {{v1::SKILL_AUDIO, 60, 1}}, 30)}};
}

google::protobuf::RepeatedPtrField<v1::ProductLine> Lines(
    std::vector<std::pair<std::string, int>> lines) {
  google::protobuf::RepeatedPtrField<v1::ProductLine> result;
  for (const auto& [code, quantity] : lines) {
    auto* line = result.Add();
    line->set_product_code(code);
    line->set_quantity(quantity);
  }
  return result;
}

TEST(ResolveProductLinesTest, ExplodesKitsAndSumsPerInventoryCode) {
  auto resolved = ResolveProductLines(Lines({{"LED-WALL-3X2", 2}, {"PA-SMALL", 1}}), DemoCatalog());
  ASSERT_TRUE(resolved.ok()) << resolved.status();
  ASSERT_EQ(resolved->inventory_lines_size(), 3);
  // Sorted by code, shared CABLE-PWR summed: 2 x 6 + 1 x 2.
  EXPECT_EQ(resolved->inventory_lines(0).inventory_code(), "CABLE-PWR");
  EXPECT_EQ(resolved->inventory_lines(0).quantity(), 14);
  EXPECT_EQ(resolved->inventory_lines(1).inventory_code(), "LED-PANEL-500");
  EXPECT_EQ(resolved->inventory_lines(1).quantity(), 48);
  EXPECT_EQ(resolved->inventory_lines(2).quantity(), 2);
  // Prep: 2 x 90 min + 30 min.
  EXPECT_EQ(resolved->prep_duration().seconds(), 210 * 60);
  ASSERT_EQ(resolved->resolved_lines_size(), 2);
  EXPECT_EQ(resolved->resolved_lines(0).day_rate().units(), 100);
}

TEST(ResolveProductLinesTest, CrewNeedsScaleWithQuantity) {
  auto resolved = ResolveProductLines(Lines({{"LED-WALL-3X2", 3}}), DemoCatalog());
  ASSERT_TRUE(resolved.ok());
  ASSERT_EQ(resolved->crew_needs_size(), 1);
  EXPECT_EQ(resolved->crew_needs(0).skill(), v1::SKILL_VIDEO);
  EXPECT_EQ(resolved->crew_needs(0).headcount(), 2);
  EXPECT_EQ(resolved->crew_needs(0).duration().seconds(), 3 * 120 * 60);
}

TEST(ResolveProductLinesTest, UnknownCodesNameEachBadLine) {
  auto resolved = ResolveProductLines(Lines({{"PA-SMALL", 1}, {"NO-SUCH", 1}, {"ALSO-MISSING", 2}}),
                                      DemoCatalog());
  ASSERT_FALSE(resolved.ok());
  common::ErrorDetails details = common::ParseGrpcError(common::ToGrpcStatus(resolved.status()));
  EXPECT_EQ(details.code, grpc::StatusCode::FAILED_PRECONDITION);  // may exist later
  EXPECT_EQ(details.reason, "UNKNOWN_PRODUCT_CODE");
  ASSERT_EQ(details.violations.size(), 2u);
  EXPECT_EQ(details.violations[0].field, "lines[1].product_code");
  EXPECT_EQ(details.violations[1].field, "lines[2].product_code");
}

TEST(ResolveProductLinesTest, LinesThatMultiplyPastWhatCanBePlannedAreOutOfRange) {
  // Each product and each quantity within its own limits; their products are not. Crew time
  // once went to protobuf's SecondsToDuration past its range, which aborts the process.
  Catalog catalog = DemoCatalog();
  v1::Product long_job = MakeProduct("LONG-JOB", {}, {{v1::SKILL_AUDIO, 60, 1}}, 0);
  long_job.mutable_crew_needs(0)->mutable_duration()->set_seconds(common::kMaxDurationSeconds);
  catalog["LONG-JOB"] = long_job;
  catalog["BIG-KIT"] = MakeProduct("BIG-KIT", {{"CABLE-PWR", 100000}}, {}, 0);
  for (const auto& [lines, field] :
       std::vector<std::pair<std::vector<std::pair<std::string, int>>, std::string>>{
           {{{"PA-SMALL", 1}, {"LONG-JOB", 2}}, "lines[1] (LONG-JOB)"},
           {{{"BIG-KIT", 10000}}, "lines[0] (BIG-KIT)"},
           {{{"BIG-KIT", 9}, {"BIG-KIT", 9}}, "the lines together"}}) {
    auto resolved = ResolveProductLines(Lines(lines), catalog);
    ASSERT_FALSE(resolved.ok()) << field;
    EXPECT_EQ(resolved.status().code(), absl::StatusCode::kOutOfRange) << field;
    EXPECT_NE(resolved.status().message().find(field), std::string::npos)
        << resolved.status().message();
  }
  EXPECT_TRUE(ResolveProductLines(Lines({{"BIG-KIT", 10}}), catalog).ok());
}

}  // namespace
}  // namespace salesops::inventory
