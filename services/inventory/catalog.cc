#include "services/inventory/catalog.h"

#include <google/protobuf/util/time_util.h>

#include <tuple>

#include "services/common/errors.h"
#include "services/common/skill_codes.h"
#include "services/common/validation.h"

namespace salesops::inventory {

using google::protobuf::util::TimeUtil;

absl::StatusOr<v1::ResolveProductsResponse> ResolveProductLines(
    const google::protobuf::RepeatedPtrField<v1::ProductLine>& lines, const Catalog& catalog) {
  std::vector<common::FieldViolation> unknown;
  for (int i = 0; i < lines.size(); ++i) {
    if (catalog.count(lines[i].product_code()) == 0) {
      unknown.push_back({"lines[" + std::to_string(i) + "].product_code",
                         "unknown product code '" + lines[i].product_code() + "'"});
    }
  }
  if (!unknown.empty()) {
    return common::UnknownReferenceError(std::move(unknown), v1::UNKNOWN_PRODUCT_CODE);
  }

  // Every product is bounded, but a line multiplies it: what the lines resolve to must still be
  // stock that can exist and time that can be written down (protobuf aborts the process on a
  // Duration past 10,000 years). Beyond that the request is OUT_OF_RANGE, naming the line.
  // Inputs are bounded by the validator, so none of these int64 products can overflow.
  auto out_of_range = [&](int i, const std::string& what) {
    return common::ReasonedError(absl::StatusCode::kOutOfRange, v1::AMOUNT_OUT_OF_RANGE,
                                 "lines[" + std::to_string(i) + "] (" + lines[i].product_code() +
                                     ") resolves to " + what + ": more than can be planned");
  };
  for (int i = 0; i < lines.size(); ++i) {
    const v1::Product& product = catalog.at(lines[i].product_code());
    for (const v1::InventoryLine& component : product.components()) {
      if (int64_t{component.quantity()} * lines[i].quantity() > kMaxResolvedQuantity) {
        return out_of_range(i, std::to_string(int64_t{component.quantity()} * lines[i].quantity()) +
                                   " x " + component.inventory_code());
      }
    }
    for (const v1::CrewNeed& need : product.crew_needs()) {
      if (need.duration().seconds() * lines[i].quantity() > common::kMaxDurationSeconds) {
        return out_of_range(i, "more crew time than 200 years");
      }
    }
    if (product.prep_time().seconds() * lines[i].quantity() > common::kMaxDurationSeconds) {
      return out_of_range(i, "more prep time than 200 years");
    }
  }

  v1::ResolveProductsResponse response;
  std::map<std::string, int64_t> quantity_by_code;
  // (skill, level, headcount) -> seconds
  std::map<std::tuple<std::string, int, int>, int64_t> crew_seconds;
  int64_t prep_seconds = 0;
  for (const v1::ProductLine& line : lines) {
    const v1::Product& product = catalog.at(line.product_code());
    v1::ResolvedProductLine* resolved = response.add_resolved_lines();
    *resolved->mutable_line() = line;
    resolved->set_product_name(product.name());
    if (product.has_day_rate()) *resolved->mutable_day_rate() = product.day_rate();
    if (product.has_sale_price()) *resolved->mutable_sale_price() = product.sale_price();
    for (const v1::InventoryLine& component : product.components()) {
      v1::InventoryLine* exploded = resolved->add_inventory_lines();
      exploded->set_inventory_code(component.inventory_code());
      exploded->set_quantity(component.quantity() * line.quantity());
      quantity_by_code[component.inventory_code()] += exploded->quantity();
    }
    for (const v1::CrewNeed& need : product.crew_needs()) {
      v1::CrewNeed* scaled = resolved->add_crew_needs();
      common::SetSkill(scaled, common::SkillCodeOf(need));
      scaled->set_min_level(need.min_level());
      scaled->set_headcount(need.headcount());
      int64_t seconds = TimeUtil::DurationToSeconds(need.duration()) * line.quantity();
      *scaled->mutable_duration() = TimeUtil::SecondsToDuration(seconds);
      crew_seconds[{common::SkillCodeOf(need), need.min_level(), need.headcount()}] += seconds;
    }
    int64_t line_prep = TimeUtil::DurationToSeconds(product.prep_time()) * line.quantity();
    *resolved->mutable_prep_duration() = TimeUtil::SecondsToDuration(line_prep);
    prep_seconds += line_prep;
  }
  for (const auto& [code, quantity] : quantity_by_code) {
    if (quantity > kMaxResolvedQuantity) {
      return common::ReasonedError(absl::StatusCode::kOutOfRange, v1::AMOUNT_OUT_OF_RANGE,
                                   "the lines together need " + std::to_string(quantity) + " x " +
                                       code + ": more than can be planned");
    }
    v1::InventoryLine* total = response.add_inventory_lines();
    total->set_inventory_code(code);
    total->set_quantity(static_cast<int32_t>(quantity));
  }
  if (prep_seconds > common::kMaxDurationSeconds) {
    return common::ReasonedError(absl::StatusCode::kOutOfRange, v1::AMOUNT_OUT_OF_RANGE,
                                 "the lines together need more prep time than 200 years");
  }
  for (const auto& [key, seconds] : crew_seconds) {
    if (seconds > common::kMaxDurationSeconds) {
      return common::ReasonedError(absl::StatusCode::kOutOfRange, v1::AMOUNT_OUT_OF_RANGE,
                                   "the lines together need more crew time than 200 years");
    }
    v1::CrewNeed* total = response.add_crew_needs();
    common::SetSkill(total, std::get<0>(key));
    total->set_min_level(std::get<1>(key));
    total->set_headcount(std::get<2>(key));
    *total->mutable_duration() = TimeUtil::SecondsToDuration(seconds);
  }
  *response.mutable_prep_duration() = TimeUtil::SecondsToDuration(prep_seconds);
  return response;
}

}  // namespace salesops::inventory
