// GetPipelineForecast: expected revenue and demand per bucket, from open
// quotes weighted by their win probability next to confirmed work, and with include_labour
// (ADMIN only) confirmed work's labour revenue against its planned labour cost.
#include <absl/strings/str_cat.h>
#include <google/protobuf/util/time_util.h>

#include <map>
#include <optional>
#include <vector>

#include "services/common/grpc_errors.h"
#include "services/common/money.h"
#include "services/common/skill_codes.h"
#include "services/common/time_util.h"
#include "services/common/validation.h"
#include "services/order_intake/labour_margin.h"
#include "services/order_intake/lifecycle.h"
#include "services/order_intake/order_intake_service.h"

namespace salesops::order_intake {

using google::protobuf::util::TimeUtil;

namespace {

constexpr int kMaxBuckets = 1000;

struct BucketTotals {
  int64_t confirmed_micros = 0;
  int64_t open_micros = 0;
  double weighted_micros = 0;
  int confirmed_orders = 0;
  int open_quotes = 0;
  std::map<std::string, int64_t> confirmed_crew_seconds;  // by skill code
  std::map<std::string, double> weighted_crew_seconds;
  std::map<std::string, int> confirmed_units;
  std::map<std::string, double> weighted_units;
  // include_labour, confirmed orders only, in micros of the company's currency.
  int64_t labour_revenue_micros = 0;
  int64_t labour_cost_micros = 0;
  int64_t handling_cost_micros = 0;
  int64_t unstaffed_crew_seconds = 0;
};

}  // namespace

grpc::Status OrderIntakeServiceImpl::GetPipelineForecast(
    grpc::ServerContext* context, const v1::GetPipelineForecastRequest* request,
    v1::GetPipelineForecastResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    std::vector<common::FieldViolation> violations = common::ValidateRequest(*request);
    const int64_t bucket_seconds = TimeUtil::DurationToSeconds(request->bucket_size());
    const v1::Window& range = request->range();
    if (bucket_seconds <= 0) {
      violations.push_back({"bucket_size", "must be positive"});
    } else if (range.has_not_before() && range.has_no_later_than()) {
      const int64_t span = TimeUtil::TimestampToSeconds(range.no_later_than()) -
                           TimeUtil::TimestampToSeconds(range.not_before());
      if ((span + bucket_seconds - 1) / bucket_seconds > kMaxBuckets) {
        violations.push_back({"bucket_size", absl::StrCat("makes more than ", kMaxBuckets,
                                                          " buckets; choose a larger one")});
      }
    }
    if (!range.has_not_before()) violations.push_back({"range.not_before", "is required"});
    if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));
    // What people cost is ADMIN's alone, as GetLabourMargin is; the rest of the forecast is not.
    if (request->include_labour() && runtime_.CallerOf(*context).role() != v1::ROLE_ADMIN) {
      return common::ReasonedError(absl::StatusCode::kPermissionDenied, v1::ROLE_NOT_ALLOWED,
                                   "only ADMIN may ask for include_labour (what people cost); "
                                   "ask again without it");
    }
    std::optional<CompanyCurrency> company;
    if (request->include_labour()) {
      SALESOPS_ASSIGN_OR_RETURN(company, CompanyCurrencyToday());
    }
    // include_labour: the confirmed orders, and the bucket each is in, to ask scheduling about.
    std::vector<std::string> labour_order_ids;
    std::vector<int> labour_buckets;

    const int64_t start = TimeUtil::TimestampToSeconds(range.not_before());
    const int64_t end = TimeUtil::TimestampToSeconds(range.no_later_than());
    const int bucket_count = static_cast<int>((end - start + bucket_seconds - 1) / bucket_seconds);
    std::vector<BucketTotals> buckets(bucket_count);
    std::string currency = options_.pricing.currency;

    v1::ListOrdersRequest list;
    *list.mutable_delivery_range() = range;
    list.set_salesperson_id(request->salesperson_id());
    std::string after;
    do {
      SALESOPS_ASSIGN_OR_RETURN(common::Page<v1::Order> page,
                                store_.List(list, common::kMaxPageSize, after));
      for (const v1::Order& order : page.entries) {
        const bool open = IsOpenQuote(order.stage());
        if (!open &&
            (order.stage() == v1::ORDER_STAGE_CANCELLED || order.stage() == v1::ORDER_STAGE_LOST)) {
          continue;
        }
        const int64_t at =
            TimeUtil::TimestampToSeconds(order.delivery_window().window().no_later_than());
        const int index = static_cast<int>((at - start) / bucket_seconds);
        if (index < 0 || index >= bucket_count) continue;
        BucketTotals& bucket = buckets[index];
        const double weight = open ? order.pipeline().win_probability() : 1.0;
        // Revenue is what the company keeps: net of discounts and before tax (quotes priced
        // before issue 17 have no net total, and no tax either).
        const google::type::Money& revenue =
            order.quote().has_net_total() ? order.quote().net_total() : order.quote().total();
        SALESOPS_ASSIGN_OR_RETURN(
            const int64_t total,
            common::MoneyToMicros(revenue,
                                  absl::StrCat("the quote total of order ", order.order_id())));
        const std::string bucket_name = absl::StrCat(
            "the revenue of the bucket from ",
            TimeUtil::ToString(TimeUtil::SecondsToTimestamp(start + index * bucket_seconds)));
        if (!order.quote().total().currency_code().empty()) {
          currency = order.quote().total().currency_code();
        }
        if (open) {
          ++bucket.open_quotes;
          SALESOPS_ASSIGN_OR_RETURN(bucket.open_micros,
                                    common::CheckedAdd(bucket.open_micros, total, bucket_name));
          bucket.weighted_micros += weight * static_cast<double>(total);
        } else {
          ++bucket.confirmed_orders;
          SALESOPS_ASSIGN_OR_RETURN(
              bucket.confirmed_micros,
              common::CheckedAdd(bucket.confirmed_micros, total, bucket_name));
          if (company) {
            SALESOPS_ASSIGN_OR_RETURN(const LabourPrice price,
                                      LabourPriceOf(order.quote(), *company, order.order_id()));
            SALESOPS_ASSIGN_OR_RETURN(
                bucket.labour_revenue_micros,
                common::CheckedAdd(bucket.labour_revenue_micros, price.price_micros, bucket_name));
            labour_order_ids.push_back(order.order_id());
            labour_buckets.push_back(index);
          }
        }
        if (!request->include_demand()) continue;
        for (const v1::CrewCostLine& crew : order.quote().crew_lines()) {
          const int64_t seconds = TimeUtil::DurationToSeconds(crew.person_time());
          if (open) {
            bucket.weighted_crew_seconds[common::SkillCodeOf(crew)] +=
                weight * static_cast<double>(seconds);
          } else {
            bucket.confirmed_crew_seconds[common::SkillCodeOf(crew)] += seconds;
          }
        }
        SALESOPS_ASSIGN_OR_RETURN(v1::ResolveProductsResponse resolved, Resolve(order, "order"));
        for (const v1::InventoryLine& line : resolved.inventory_lines()) {
          if (open) {
            bucket.weighted_units[line.inventory_code()] += weight * line.quantity();
          } else {
            bucket.confirmed_units[line.inventory_code()] += line.quantity();
          }
        }
      }
      after = page.next_after;
    } while (!after.empty());

    if (company) {
      SALESOPS_ASSIGN_OR_RETURN(const std::vector<v1::OrderLabourCost> costs,
                                LabourCostsOf(labour_order_ids));
      for (size_t i = 0; i < costs.size(); ++i) {
        BucketTotals& bucket = buckets[labour_buckets[i]];
        const std::string bucket_name = absl::StrCat(
            "the labour cost of the bucket from ",
            TimeUtil::ToString(
                TimeUtil::SecondsToTimestamp(start + labour_buckets[i] * bucket_seconds)));
        SALESOPS_ASSIGN_OR_RETURN(const PlannedLabourCost cost, LabourCostOf(costs[i], *company));
        SALESOPS_ASSIGN_OR_RETURN(
            bucket.labour_cost_micros,
            common::CheckedAdd(bucket.labour_cost_micros, cost.crew_micros, bucket_name));
        SALESOPS_ASSIGN_OR_RETURN(
            bucket.handling_cost_micros,
            common::CheckedAdd(bucket.handling_cost_micros, cost.handling_micros, bucket_name));
        SALESOPS_ASSIGN_OR_RETURN(
            bucket.unstaffed_crew_seconds,
            common::CheckedAdd(bucket.unstaffed_crew_seconds,
                               TimeUtil::DurationToSeconds(costs[i].unstaffed_crew_time()),
                               bucket_name));
      }
    }

    for (int i = 0; i < bucket_count; ++i) {
      const BucketTotals& totals = buckets[i];
      v1::PipelineBucket* bucket = response->add_buckets();
      *bucket->mutable_window()->mutable_not_before() =
          TimeUtil::SecondsToTimestamp(start + i * bucket_seconds);
      *bucket->mutable_window()->mutable_no_later_than() =
          TimeUtil::SecondsToTimestamp(std::min(end, start + (i + 1) * bucket_seconds));
      const std::string bucket_name = absl::StrCat(
          "the revenue of the bucket from ", TimeUtil::ToString(bucket->window().not_before()));
      SALESOPS_ASSIGN_OR_RETURN(const int64_t weighted,
                                common::RoundToMicros(totals.weighted_micros, bucket_name));
      SALESOPS_ASSIGN_OR_RETURN(const int64_t expected,
                                common::CheckedAdd(totals.confirmed_micros, weighted, bucket_name));
      *bucket->mutable_confirmed_revenue() =
          common::MoneyFromMicros(totals.confirmed_micros, currency);
      *bucket->mutable_open_quote_revenue() = common::MoneyFromMicros(totals.open_micros, currency);
      *bucket->mutable_weighted_quote_revenue() = common::MoneyFromMicros(weighted, currency);
      *bucket->mutable_expected_revenue() = common::MoneyFromMicros(expected, currency);
      bucket->set_confirmed_order_count(totals.confirmed_orders);
      bucket->set_open_quote_count(totals.open_quotes);
      if (company) {
        *bucket->mutable_labour_revenue() =
            common::MoneyFromMicros(totals.labour_revenue_micros, company->currency);
        *bucket->mutable_labour_cost() =
            common::MoneyFromMicros(totals.labour_cost_micros, company->currency);
        *bucket->mutable_handling_cost() =
            common::MoneyFromMicros(totals.handling_cost_micros, company->currency);
        *bucket->mutable_unstaffed_crew_time() =
            TimeUtil::SecondsToDuration(totals.unstaffed_crew_seconds);
      }
      std::map<std::string, std::pair<int64_t, double>> skills;
      for (const auto& [skill, seconds] : totals.confirmed_crew_seconds) {
        skills[skill].first = seconds;
      }
      for (const auto& [skill, seconds] : totals.weighted_crew_seconds) {
        skills[skill].second = seconds;
      }
      for (const auto& [skill, time] : skills) {
        v1::SkillDemand* demand = bucket->add_crew_demand();
        common::SetSkill(demand, skill);
        *demand->mutable_confirmed_crew_time() = TimeUtil::SecondsToDuration(time.first);
        *demand->mutable_weighted_crew_time() =
            TimeUtil::SecondsToDuration(static_cast<int64_t>(time.second + 0.5));
      }
      std::map<std::string, std::pair<int, double>> codes;
      for (const auto& [code, units] : totals.confirmed_units) codes[code].first = units;
      for (const auto& [code, units] : totals.weighted_units) codes[code].second = units;
      for (const auto& [code, units] : codes) {
        v1::CodeDemand* demand = bucket->add_stock_demand();
        demand->set_inventory_code(code);
        demand->set_confirmed_quantity(units.first);
        demand->set_weighted_quantity(units.second);
      }
    }
    return absl::OkStatus();
  }());
}

}  // namespace salesops::order_intake
