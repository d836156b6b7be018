// The labour margin of issue 20 with all four services as real processes on real PostgreSQL:
// crew with cost rates in scheduling (one paid in GBP), an order confirmed and planned, and
// GetLabourMargin and the forecast's include_labour counting what the quote charges for crew
// against what scheduling says the plan costs, in the company's currency, for ADMIN only.
#include <absl/numeric/int128.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>

#include "salesops/v1/order_intake.grpc.pb.h"
#include "salesops/v1/pricing.pb.h"
#include "salesops/v1/scheduling.grpc.pb.h"
#include "services/common/grpc_errors.h"
#include "services/common/money.h"
#include "tests/order_intake/order_fixture.h"

namespace salesops::testing {
namespace {

using common::ParseGrpcError;

constexpr int64_t kGbpToEurMillionths = 1'170'000;  // 1 GBP = 1.17 EUR

int64_t Micros(const google::type::Money& money) {
  return common::MoneyToMicros(money, "test").value();
}

// Half away from zero to the cent, as every converted amount is.
int64_t ToCents(absl::int128 micros_times_million) {
  const absl::int128 cent = absl::int128(10'000) * 1'000'000;
  const absl::int128 half = cent / 2;
  return static_cast<int64_t>(
      (micros_times_million >= 0 ? micros_times_million + half : micros_times_million - half) /
      cent * 10'000);
}

class LabourMarginTest : public OrderSuiteTest {
 protected:
  void SetUp() override {
    OrderSuiteTest::SetUp();
    if (HasFatalFailure()) return;
    // What each of the fixture's crew costs an hour; the driver is paid in pounds.
    const std::map<std::string, std::pair<int64_t, std::string>> hourly_costs = {
        {"wanda", {25'000'000, "EUR"}},
        {"walt", {26'500'000, "EUR"}},
        {"dana", {20'000'000, "GBP"}},
        {"vic", {32'000'000, "EUR"}},
        {"val", {30'750'000, "EUR"}}};
    for (const auto& [id, cost] : hourly_costs) {
      v1::GetCrewMemberRequest get;
      get.set_crew_member_id(id);
      v1::GetCrewMemberResponse member;
      ASSERT_TRUE(suite_.scheduling->Call(&SchedulingStub::GetCrewMember, get, &member).ok());
      v1::UpdateCrewMemberRequest update;
      *update.mutable_crew_member() = member.crew_member();
      *update.mutable_crew_member()->mutable_hourly_cost() =
          common::MoneyFromMicros(cost.first, cost.second);
      v1::UpdateCrewMemberResponse updated;
      grpc::Status status =
          suite_.scheduling->Call(&SchedulingStub::UpdateCrewMember, update, &updated);
      ASSERT_TRUE(status.ok()) << id << ": " << status.error_message();
    }
    v1::CreateExchangeRateRequest rate;
    rate.mutable_exchangerate()->set_from_currency("GBP");
    rate.mutable_exchangerate()->set_to_currency("EUR");
    rate.mutable_exchangerate()->set_factor_millionths(kGbpToEurMillionths);
    v1::CreateExchangeRateResponse created;
    ASSERT_TRUE(suite_.orders->Call(&OrderStub::CreateExchangeRate, rate, &created).ok());
    gbp_rate_id_ = created.exchangerate().exchangerate_id();
  }

  // A one-wall order (2 video crew for 2 h: 4 h at 45.00 EUR = 180.00 EUR of crew), confirmed,
  // with the solver run over it.
  v1::Order ConfirmedAndAssigned() {
    v1::CreateOrderResponse created;
    grpc::Status status = Create(Draft(1), &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    v1::ConfirmOrderResponse confirmed;
    status = Confirm(created.order(), &confirmed);
    EXPECT_TRUE(status.ok()) << status.error_message();
    v1::RunAssignmentRequest run;
    v1::RunAssignmentResponse ran;
    status = suite_.scheduling->Call(&SchedulingStub::RunAssignment, run, &ran);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return confirmed.order();
  }

  grpc::Status Margin(const std::string& order_id, v1::GetLabourMarginResponse* response,
                      const std::string& token = "") {
    v1::GetLabourMarginRequest request;
    request.set_order_id(order_id);
    return suite_.orders->Call(&OrderStub::GetLabourMargin, request, response, token);
  }

  // Scheduling's word on the order's cost, asked directly.
  v1::OrderLabourCost SchedulingCost(const std::string& order_id) {
    v1::GetLabourCostsRequest request;
    request.add_order_ids(order_id);
    v1::GetLabourCostsResponse response;
    grpc::Status status =
        suite_.scheduling->Call(&SchedulingStub::GetLabourCosts, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.orders_size() == 1 ? response.orders(0) : v1::OrderLabourCost();
  }

  v1::GetPipelineForecastRequest Forecast(bool include_labour) {
    v1::GetPipelineForecastRequest request;
    *request.mutable_range()->mutable_not_before() = At(0);
    *request.mutable_range()->mutable_no_later_than() = At(48);
    request.mutable_bucket_size()->set_seconds(24 * 3600);
    request.set_include_labour(include_labour);
    return request;
  }

  std::string gbp_rate_id_;
};

TEST_F(LabourMarginTest, TheQuotesCrewPriceAgainstThePlansCostInTheCompanysCurrency) {
  const v1::Order order = ConfirmedAndAssigned();
  ASSERT_FALSE(order.order_id().empty());
  const v1::OrderLabourCost planned = SchedulingCost(order.order_id());
  ASSERT_TRUE(planned.planned());
  ASSERT_GT(planned.lines_size(), 0);

  v1::GetLabourMarginResponse response;
  grpc::Status status = Margin(order.order_id(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::LabourMargin& margin = response.margin();
  EXPECT_EQ(margin.order_id(), order.order_id());
  EXPECT_TRUE(margin.planned());

  // The price: the quote's crew lines at their hourly cost, 4 h at 45.00 EUR.
  int64_t price = 0;
  for (const v1::CrewCostLine& line : order.quote().crew_lines()) {
    price += Micros(line.hourly_cost()) * line.person_time().seconds() / 3600;
  }
  EXPECT_EQ(price, 180'000'000);
  EXPECT_EQ(Micros(margin.labour_price()), price);
  EXPECT_EQ(margin.labour_price().currency_code(), "EUR");

  // The cost: scheduling's lines, on site (setup, strike) apart from the warehouse and driving
  // work, each currency summed, pounds at 1.17 to the cent.
  std::map<std::string, int64_t> on_site_by_currency;
  std::map<std::string, int64_t> handling_by_currency;
  bool driver_paid_in_pounds = false;
  for (const v1::LabourCostLine& line : planned.lines()) {
    const bool on_site =
        line.task_kind() == v1::TASK_KIND_SETUP || line.task_kind() == v1::TASK_KIND_STRIKE;
    (on_site ? on_site_by_currency : handling_by_currency)[line.cost().currency_code()] +=
        Micros(line.cost());
    driver_paid_in_pounds |= line.crew_member_id() == "dana";
  }
  EXPECT_TRUE(driver_paid_in_pounds) << "the delivery's driver is on the plan";
  ASSERT_TRUE(handling_by_currency.count("GBP"));
  auto in_euros = [](std::map<std::string, int64_t>& by_currency) {
    return by_currency["EUR"] + ToCents(absl::int128(by_currency["GBP"]) * kGbpToEurMillionths);
  };
  const int64_t cost = in_euros(on_site_by_currency);
  EXPECT_GT(cost, 0);
  EXPECT_EQ(Micros(margin.labour_cost()), cost);
  EXPECT_EQ(margin.labour_cost().currency_code(), "EUR");
  EXPECT_EQ(Micros(margin.handling_cost()), in_euros(handling_by_currency));
  EXPECT_GT(Micros(margin.handling_cost()), 0);
  EXPECT_EQ(Micros(margin.margin()), price - cost);
  const int64_t millionths = static_cast<int64_t>(
      std::llround(static_cast<double>(price - cost) * 1'000'000.0 / static_cast<double>(price)));
  EXPECT_EQ(margin.margin_millionths(), millionths);
  EXPECT_EQ(margin.unstaffed_crew_time().seconds(), planned.unstaffed_crew_time().seconds());
  ASSERT_EQ(margin.lines_size(), planned.lines_size());
  for (int i = 0; i < planned.lines_size(); ++i) {
    EXPECT_EQ(margin.lines(i).crew_member_id(), planned.lines(i).crew_member_id());
    EXPECT_EQ(Micros(margin.lines(i).cost()), Micros(planned.lines(i).cost()));
  }
  EXPECT_EQ(margin.explanation().rfind("Quote 180.00 EUR for 4 h of crew; plan ", 0), 0)
      << margin.explanation();

  // Without the pound's rate there is no honest cost: refused, naming the pair.
  v1::DeleteExchangeRateRequest remove;
  remove.set_exchangerate_id(gbp_rate_id_);
  v1::DeleteExchangeRateResponse removed;
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::DeleteExchangeRate, remove, &removed).ok());
  status = Margin(order.order_id(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ParseGrpcError(status).reason, "PRICING_NOT_CONFIGURED");
  EXPECT_NE(status.error_message().find("from GBP to EUR"), std::string::npos)
      << status.error_message();
}

TEST_F(LabourMarginTest, OnlyAdminReadsItAndAnUnknownOrderIsNotFound) {
  const v1::Order order = ConfirmedAndAssigned();
  v1::GetLabourMarginResponse response;
  for (const std::string& token : {suite_.orders->tokens().sales, suite_.orders->tokens().ops}) {
    EXPECT_EQ(Margin(order.order_id(), &response, token).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  grpc::Status status = Margin("no-such-order", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
  status = Margin("", &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_FALSE(ParseGrpcError(status).violations.empty());
  EXPECT_EQ(ParseGrpcError(status).violations.at(0).field, "order_id");
}

TEST_F(LabourMarginTest, ACancelledOrderStillAnswersAndAQuoteIsUnplanned) {
  v1::CreateOrderResponse quote;
  ASSERT_TRUE(Create(Draft(1, "Quote Co"), &quote).ok());
  v1::GetLabourMarginResponse response;
  grpc::Status status = Margin(quote.order().order_id(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(response.margin().planned());
  EXPECT_EQ(Micros(response.margin().labour_price()), 180'000'000);
  EXPECT_EQ(Micros(response.margin().labour_cost()), 0);
  EXPECT_EQ(response.margin().margin_millionths(), 1'000'000);

  const v1::Order order = ConfirmedAndAssigned();
  v1::CancelOrderRequest cancel;
  cancel.set_order_id(order.order_id());
  cancel.set_reason("The show was called off");
  v1::CancelOrderResponse cancelled;
  status = suite_.orders->Call(&OrderStub::CancelOrder, cancel, &cancelled);
  ASSERT_TRUE(status.ok()) << status.error_message();
  status = Margin(order.order_id(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Micros(response.margin().labour_price()), 180'000'000);
}

TEST_F(LabourMarginTest, TheForecastCountsConfirmedLabourForAdminOnly) {
  const v1::Order order = ConfirmedAndAssigned();
  v1::CreateOrderResponse quote;  // open: its crew is in no labour figure
  ASSERT_TRUE(Create(Draft(1, "Quote Co"), &quote).ok());
  v1::GetLabourMarginResponse margin;
  ASSERT_TRUE(Margin(order.order_id(), &margin).ok());

  v1::GetPipelineForecastResponse forecast;
  grpc::Status status =
      suite_.orders->Call(&OrderStub::GetPipelineForecast, Forecast(true), &forecast);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(forecast.buckets_size(), 2);
  const v1::PipelineBucket& day = forecast.buckets(0);
  EXPECT_EQ(day.confirmed_order_count(), 1);
  EXPECT_EQ(day.open_quote_count(), 1);
  ASSERT_TRUE(day.has_labour_revenue());
  EXPECT_EQ(Micros(day.labour_revenue()), 180'000'000);
  EXPECT_EQ(day.labour_revenue().currency_code(), "EUR");
  EXPECT_EQ(Micros(day.labour_cost()), Micros(margin.margin().labour_cost()));
  EXPECT_GT(Micros(day.labour_cost()), 0);
  EXPECT_EQ(Micros(day.handling_cost()), Micros(margin.margin().handling_cost()));
  EXPECT_EQ(day.unstaffed_crew_time().seconds(), margin.margin().unstaffed_crew_time().seconds());
  // The empty day has the fields, at zero.
  ASSERT_TRUE(forecast.buckets(1).has_labour_cost());
  EXPECT_EQ(Micros(forecast.buckets(1).labour_cost()), 0);
  EXPECT_EQ(Micros(forecast.buckets(1).labour_revenue()), 0);

  // Sales may read the forecast, but not what people cost.
  status = suite_.orders->Call(&OrderStub::GetPipelineForecast, Forecast(true), &forecast,
                               suite_.orders->tokens().sales);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ParseGrpcError(status).reason, "ROLE_NOT_ALLOWED");
  EXPECT_NE(status.error_message().find("include_labour"), std::string::npos);

  // Without include_labour nobody's forecast has the fields, ADMIN's included.
  for (const std::string& token : {suite_.orders->tokens().sales, suite_.orders->tokens().admin}) {
    status =
        suite_.orders->Call(&OrderStub::GetPipelineForecast, Forecast(false), &forecast, token);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(forecast.buckets(0).confirmed_order_count(), 1);
    EXPECT_FALSE(forecast.buckets(0).has_labour_revenue());
    EXPECT_FALSE(forecast.buckets(0).has_labour_cost());
    EXPECT_FALSE(forecast.buckets(0).has_unstaffed_crew_time());
  }
}

TEST_F(LabourMarginTest, SchedulingUnreachableIsDependencyUnavailable) {
  const v1::Order order = ConfirmedAndAssigned();
  suite_.scheduling.reset();
  v1::GetLabourMarginResponse response;
  grpc::Status status = Margin(order.order_id(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_EQ(ParseGrpcError(status).reason, "DEPENDENCY_UNAVAILABLE");
  v1::GetPipelineForecastResponse forecast;
  status = suite_.orders->Call(&OrderStub::GetPipelineForecast, Forecast(true), &forecast);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
}

}  // namespace
}  // namespace salesops::testing
