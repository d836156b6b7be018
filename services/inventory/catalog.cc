#include "services/inventory/catalog.h"

#include <google/protobuf/util/time_util.h>

#include "services/common/errors.h"

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
    return common::InvalidArgumentError(std::move(unknown), v1::UNKNOWN_PRODUCT_CODE);
  }

  v1::ResolveProductsResponse response;
  std::map<std::string, int64_t> quantity_by_code;
  std::map<std::pair<int, int>, int64_t> crew_seconds;  // (skill, headcount) -> seconds
  int64_t prep_seconds = 0;
  for (const v1::ProductLine& line : lines) {
    const v1::Product& product = catalog.at(line.product_code());
    v1::ResolvedProductLine* resolved = response.add_resolved_lines();
    *resolved->mutable_line() = line;
    resolved->set_product_name(product.name());
    if (product.has_day_rate()) *resolved->mutable_day_rate() = product.day_rate();
    for (const v1::InventoryLine& component : product.components()) {
      v1::InventoryLine* exploded = resolved->add_inventory_lines();
      exploded->set_inventory_code(component.inventory_code());
      exploded->set_quantity(component.quantity() * line.quantity());
      quantity_by_code[component.inventory_code()] += exploded->quantity();
    }
    for (const v1::CrewNeed& need : product.crew_needs()) {
      v1::CrewNeed* scaled = resolved->add_crew_needs();
      scaled->set_skill(need.skill());
      scaled->set_headcount(need.headcount());
      int64_t seconds = TimeUtil::DurationToSeconds(need.duration()) * line.quantity();
      *scaled->mutable_duration() = TimeUtil::SecondsToDuration(seconds);
      crew_seconds[{need.skill(), need.headcount()}] += seconds;
    }
    int64_t line_prep = TimeUtil::DurationToSeconds(product.prep_time()) * line.quantity();
    *resolved->mutable_prep_duration() = TimeUtil::SecondsToDuration(line_prep);
    prep_seconds += line_prep;
  }
  for (const auto& [code, quantity] : quantity_by_code) {
    v1::InventoryLine* total = response.add_inventory_lines();
    total->set_inventory_code(code);
    total->set_quantity(static_cast<int32_t>(quantity));
  }
  for (const auto& [key, seconds] : crew_seconds) {
    v1::CrewNeed* total = response.add_crew_needs();
    total->set_skill(static_cast<v1::Skill>(key.first));
    total->set_headcount(key.second);
    *total->mutable_duration() = TimeUtil::SecondsToDuration(seconds);
  }
  *response.mutable_prep_duration() = TimeUtil::SecondsToDuration(prep_seconds);
  return response;
}

}  // namespace salesops::inventory
