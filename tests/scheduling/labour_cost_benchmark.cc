// What costing the plan takes, measured (never asserted): the forecast asks scheduling for the
// labour cost of up to 200 orders per call, so one call costs 200 plans here, each of N tasks with
// two to four people, employees in zones with shifts, freelancers on offers, travel and per
// diems. Run: build/tests/scheduling/labour_cost_benchmark
#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

#include "services/scheduling/labour_cost.h"

namespace salesops::scheduling {
namespace {

google::type::Money Euros(int64_t units) {
  google::type::Money money;
  money.set_currency_code("EUR");
  money.set_units(units);
  return money;
}

void BM_CostTwoHundredOrders(benchmark::State& state) {
  const int tasks_per_order = static_cast<int>(state.range(0));
  std::map<std::string, v1::CrewMember> crew;
  for (int c = 0; c < 60; ++c) {
    v1::CrewMember member;
    member.set_crew_member_id("crew-" + std::to_string(c));
    member.set_zone_id(c % 2 ? "Europe/Berlin" : "Europe/London");
    member.set_beyond_shift_percent(50);
    member.set_night_work_percent(25);
    if (c % 5 == 4) {
      member.set_employment(v1::EMPLOYMENT_FREELANCER);
      *member.mutable_day_fee() = Euros(380);
      *member.mutable_hour_fee() = Euros(55);
    } else {
      *member.mutable_hourly_cost() = Euros(28 + c % 18);
      for (int day = 1; day <= 5; ++day) {
        v1::WorkShift* shift = member.add_weekly_shifts();
        shift->set_weekday(static_cast<v1::Weekday>(day));
        shift->mutable_start_offset()->set_seconds(7 * 3600);
        shift->mutable_shift_duration()->set_seconds(9 * 3600);
      }
    }
    crew[member.crew_member_id()] = member;
  }
  PayRules rules;
  rules.per_diem = Euros(28);
  rules.per_diem_from_travel = 60;
  const v1::TaskKind kinds[] = {v1::TASK_KIND_PREP,  v1::TASK_KIND_LOAD_OUT, v1::TASK_KIND_DELIVER,
                                v1::TASK_KIND_SETUP, v1::TASK_KIND_STRIKE,   v1::TASK_KIND_RETURN};
  const Minutes day0 = 29'400 * kDay;  // a Monday in 2050, UTC
  std::vector<OrderPlan> plans;
  for (int o = 0; o < 200; ++o) {
    OrderPlan plan;
    plan.order_id = "order-" + std::to_string(o);
    plan.venue_travel[""] = 30 + o % 120;
    for (int t = 0; t < tasks_per_order; ++t) {
      CostedTask task;
      task.task_id = plan.order_id + "/task-" + std::to_string(t);
      task.kind = kinds[t % 6];
      task.duration = 120 + (t % 8) * 60;
      task.headcount = 2 + t % 3;
      const Minutes start = day0 + (o % 28) * kDay + (t % 6) * 4 * 60 + 360;
      task.planned = Span{start, start + task.duration};
      for (int p = 0; p < task.headcount; ++p) {
        const std::string id = "crew-" + std::to_string((o * 7 + t * 3 + p) % 60);
        if (crew.at(id).employment() == v1::EMPLOYMENT_FREELANCER) {
          task.offers.push_back({id, v1::OFFER_STATE_ACCEPTED, *task.planned, Euros(380)});
        } else {
          task.crew_ids.push_back(id);
        }
      }
      plan.tasks.push_back(std::move(task));
    }
    plans.push_back(std::move(plan));
  }
  int64_t lines = 0;
  for (auto _ : state) {
    for (const OrderPlan& plan : plans) {
      absl::StatusOr<v1::OrderLabourCost> cost = CostOrder(plan, crew, rules);
      if (!cost.ok()) state.SkipWithError(std::string(cost.status().message()).c_str());
      lines += cost->lines_size();
      benchmark::DoNotOptimize(cost);
    }
  }
  state.counters["lines_per_call"] =
      benchmark::Counter(static_cast<double>(lines) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_CostTwoHundredOrders)->Arg(12)->Arg(60)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace salesops::scheduling

BENCHMARK_MAIN();
