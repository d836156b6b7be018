// What people cost (issue 20, item 2; README "What people cost"): the handler of GetLabourCosts.
// The rules are labour_cost.h's; the SQL is postgres_labour_cost_store.cc's. Nothing here logs a
// rate or an amount, nor puts one in a metric.
#include <map>
#include <string>
#include <vector>

#include "services/common/grpc_errors.h"
#include "services/common/validation.h"
#include "services/scheduling/labour_cost.h"
#include "services/scheduling/scheduling_service.h"

namespace salesops::scheduling {
namespace {

// Room under the default gRPC message limit (4 MiB) for the envelope.
constexpr size_t kLargestLabourCostAnswer = 4 * 1024 * 1024 - 64 * 1024;

// Each order asked for at most once: the answer has one entry per order, in request order.
absl::Status CheckOrdersAskedOnce(const v1::GetLabourCostsRequest& request) {
  std::vector<common::FieldViolation> violations;
  std::map<std::string, int> first_asked;
  for (int i = 0; i < request.order_ids_size(); ++i) {
    auto [first, added] = first_asked.emplace(request.order_ids(i), i);
    if (!added) {
      violations.push_back({"order_ids[" + std::to_string(i) + "]",
                            "appears twice (also order_ids[" + std::to_string(first->second) +
                                "]); ask for each order once"});
    }
  }
  if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));
  return absl::OkStatus();
}

}  // namespace

grpc::Status SchedulingServiceImpl::GetLabourCosts(grpc::ServerContext*,
                                                   const v1::GetLabourCostsRequest* request,
                                                   v1::GetLabourCostsResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(common::CheckRequest(*request));
    SALESOPS_RETURN_IF_ERROR(CheckOrdersAskedOnce(*request));
    const std::vector<std::string> order_ids(request->order_ids().begin(),
                                             request->order_ids().end());
    SALESOPS_ASSIGN_OR_RETURN(const SchedulingStore::LabourCostFacts facts,
                              store_->LoadLabourCostFacts(order_ids));
    const PayRules rules = PayRulesOf(facts.rules);
    for (const std::string& order_id : order_ids) {
      auto plan = facts.plans.find(order_id);
      if (plan == facts.plans.end()) {
        v1::OrderLabourCost& unplanned = *response->add_orders();
        unplanned.set_order_id(order_id);
        unplanned.set_planned(false);
        continue;
      }
      SALESOPS_ASSIGN_OR_RETURN(*response->add_orders(),
                                CostOrder(plan->second, facts.crew, rules));
    }
    // Names and explanations come from stored records; the answer keeps to the proto's limits.
    common::FitTextToRules(*response);
    // Large plans, many at once, could outgrow a gRPC message (4 MiB by default, on both ends):
    // a clear refusal beats a broken transport.
    if (response->ByteSizeLong() > kLargestLabourCostAnswer) {
      const size_t bytes = response->ByteSizeLong();
      response->Clear();
      return common::ReasonedError(
          absl::StatusCode::kResourceExhausted, v1::LIMIT_REACHED,
          "the labour cost of these " + std::to_string(order_ids.size()) + " orders takes " +
              std::to_string(bytes) + " bytes, more than one answer carries; ask for fewer");
    }
    return absl::OkStatus();
  }());
}

}  // namespace salesops::scheduling
