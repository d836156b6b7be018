// GetLabourMargin, and what it and the pipeline forecast read to count labour: scheduling's
// costs of the plans and the exchange rates valid today. The arithmetic is labour_margin.h's.
#include <absl/strings/str_cat.h>

#include <algorithm>
#include <map>

#include "services/common/errors.h"
#include "services/common/grpc_errors.h"
#include "services/common/validation.h"
#include "services/order_intake/labour_margin.h"
#include "services/order_intake/order_intake_service.h"

namespace salesops::order_intake {

namespace {

// Orders per GetLabourCosts call: the request takes 200, but the answer carries every line of
// every plan, and 20 large plans stay far inside one gRPC message.
constexpr size_t kLabourCostBatch = 20;

}  // namespace

absl::StatusOr<CompanyCurrency> OrderIntakeServiceImpl::CompanyCurrencyToday() {
  SALESOPS_ASSIGN_OR_RETURN(const PricingConfig config, pricing_.LoadPricingConfig());
  // Today as the company's calendar has it, the day its exchange rates are kept by.
  return CompanyCurrency{options_.pricing.currency, config.exchange_rates, Today(CompanyZone())};
}

absl::StatusOr<std::vector<v1::OrderLabourCost>> OrderIntakeServiceImpl::LabourCostsOf(
    const std::vector<std::string>& order_ids) {
  std::vector<v1::OrderLabourCost> costs;
  costs.reserve(order_ids.size());
  for (size_t first = 0; first < order_ids.size(); first += kLabourCostBatch) {
    const size_t end = std::min(order_ids.size(), first + kLabourCostBatch);
    v1::GetLabourCostsRequest request;
    for (size_t i = first; i < end; ++i) request.add_order_ids(order_ids[i]);
    SALESOPS_ASSIGN_OR_RETURN(v1::GetLabourCostsResponse answer,
                              scheduling_.GetLabourCosts(request, CallDeadline()));
    // Matched by id rather than by place, so that an answer out of order cannot put one order's
    // cost on another.
    std::map<std::string, v1::OrderLabourCost*> answered;
    for (v1::OrderLabourCost& cost : *answer.mutable_orders()) answered[cost.order_id()] = &cost;
    for (size_t i = first; i < end; ++i) {
      auto cost = answered.find(order_ids[i]);
      if (cost == answered.end()) {
        return common::ReasonedError(
            absl::StatusCode::kInternal, v1::INTERNAL_ERROR,
            absl::StrCat("scheduling answered GetLabourCosts without order ", order_ids[i]));
      }
      costs.push_back(std::move(*cost->second));
    }
  }
  return costs;
}

grpc::Status OrderIntakeServiceImpl::GetLabourMargin(grpc::ServerContext*,
                                                     const v1::GetLabourMarginRequest* request,
                                                     v1::GetLabourMarginResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(common::CheckRequest(*request));
    // Whatever its stage: a cancelled or lost order's margin is a read like any other (scheduling
    // costs whatever plan it keeps for it), and a quote's cost is 0 until it is planned.
    SALESOPS_ASSIGN_OR_RETURN(const v1::Order order, store_.Get(request->order_id()));
    SALESOPS_ASSIGN_OR_RETURN(const CompanyCurrency company, CompanyCurrencyToday());
    SALESOPS_ASSIGN_OR_RETURN(const LabourPrice price,
                              LabourPriceOf(order.quote(), company, order.order_id()));
    SALESOPS_ASSIGN_OR_RETURN(const std::vector<v1::OrderLabourCost> costs,
                              LabourCostsOf({order.order_id()}));
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_margin(),
                              LabourMarginOf(price, costs.front(), company));
    return absl::OkStatus();
  }());
}

}  // namespace salesops::order_intake
