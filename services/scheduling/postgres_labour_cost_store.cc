// What people cost in PostgreSQL: PostgresSchedulingStore's read of what an order's labour cost
// is computed from, kept apart from the rest of the store. The rules are labour_cost.h's; here
// is only the SQL.
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "services/common/db_pool.h"
#include "services/common/sql_text.h"
#include "services/scheduling/postgres_scheduling_store.h"

namespace salesops::scheduling {

absl::StatusOr<SchedulingStore::LabourCostFacts> PostgresSchedulingStore::LoadLabourCostFacts(
    const std::vector<std::string>& order_ids) {
  LabourCostFacts facts;
  const std::string orders = common::PgTextArray(order_ids);
  absl::Status status = pool_.InTransaction("load_labour_cost_facts", [&](pqxx::work& tx) {
    facts = LabourCostFacts();
    // One consistent snapshot of jobs, tasks, offers and people; it reads, so it waits for
    // nobody and nobody waits for it.
    tx.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    for (const auto& row :
         tx.exec_params("SELECT order_id, plan_request FROM jobs WHERE order_id = ANY($1::text[]) "
                        "AND state <> $2",
                        orders, static_cast<int>(v1::JOB_STATE_CANCELLED))) {
      OrderPlan& plan = facts.plans[row[0].as<std::string>()];
      plan.order_id = row[0].as<std::string>();
      plan.venue_travel = VenueTravelOf(common::ParseRecord<v1::PlanJobRequest>(row[1]));
    }
    if (facts.plans.empty()) return absl::OkStatus();

    std::set<std::string> people;
    // Each order's tasks in its job's order; index by task id for the offers below.
    std::map<std::string, std::pair<std::string, size_t>> task_index;
    for (const auto& row : tx.exec_params(
             "SELECT t.order_id, t.task_id, t.kind, t.phase_id, t.duration, t.headcount, "
             "t.planned_start, t.planned_finish, t.crew_ids, t.crew_by_offer FROM tasks t "
             "JOIN jobs j USING (order_id) WHERE t.order_id = ANY($1::text[]) AND j.state <> $2 "
             "AND t.state <> $3 ORDER BY t.order_id, t.position, t.task_id",
             orders, static_cast<int>(v1::JOB_STATE_CANCELLED),
             static_cast<int>(v1::TASK_STATE_CANCELLED))) {
      OrderPlan& plan = facts.plans[row[0].as<std::string>()];
      CostedTask& task = plan.tasks.emplace_back();
      task.task_id = row[1].as<std::string>();
      task.kind = static_cast<v1::TaskKind>(row[2].as<int>());
      task.phase_id = row[3].as<std::string>();
      task.duration = row[4].as<int64_t>();
      task.headcount = row[5].as<int>();
      if (!row[6].is_null() && !row[7].is_null()) {
        task.planned = Span{row[6].as<int64_t>(), row[7].as<int64_t>()};
      }
      task.crew_ids = common::ParseTextArray(row[8]);
      task.crew_by_offer = row[9].as<bool>();
      people.insert(task.crew_ids.begin(), task.crew_ids.end());
      task_index[task.task_id] = {plan.order_id, plan.tasks.size() - 1};
    }
    // Offers still in play: waiting for an answer, or accepted (what the freelancer was promised).
    for (const auto& row :
         tx.exec_params("SELECT task_id, crew_member_id, state, start_minute, finish_minute, body "
                        "FROM crew_offers WHERE order_id = ANY($1::text[]) AND state IN ($2, $3) "
                        "ORDER BY task_id, place",
                        orders, static_cast<int>(v1::OFFER_STATE_SENT),
                        static_cast<int>(v1::OFFER_STATE_ACCEPTED))) {
      auto found = task_index.find(row[0].as<std::string>());
      if (found == task_index.end()) continue;  // a cancelled task's
      CostedOffer& offer =
          facts.plans[found->second.first].tasks[found->second.second].offers.emplace_back();
      offer.crew_member_id = row[1].as<std::string>();
      offer.state = static_cast<v1::OfferState>(row[2].as<int>());
      offer.work = {row[3].as<int64_t>(), row[4].as<int64_t>()};
      offer.fee = common::ParseRecord<v1::CrewOffer>(row[5]).fee();
      if (offer.state == v1::OFFER_STATE_ACCEPTED) people.insert(offer.crew_member_id);
    }
    if (!people.empty()) {
      for (const auto& row : tx.exec_params(
               "SELECT crew_member_id, display_name, body FROM crew_members "
               "WHERE crew_member_id = ANY($1::text[])",
               common::PgTextArray(std::vector<std::string>(people.begin(), people.end())))) {
        v1::CrewMember member = common::ParseRecord<v1::CrewMember>(row[2]);
        member.set_crew_member_id(row[0].as<std::string>());
        member.set_display_name(row[1].as<std::string>());
        facts.crew[member.crew_member_id()] = std::move(member);
      }
    }
    if (pqxx::result kept = tx.exec("SELECT body FROM crew_rules"); !kept.empty()) {
      facts.rules = common::ParseRecord<v1::CrewRules>(kept[0][0]);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return facts;
}

}  // namespace salesops::scheduling
