// Timesheets in PostgreSQL (migration 0110): PostgresSchedulingStore's timesheet methods, kept
// apart from the rest of the store. The rules (who may report, confirm and approve what; the
// report and the CSV) are timesheet_rules.h's and the handlers'; here is only the SQL.
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "services/common/errors.h"
#include "services/common/idempotency.h"
#include "services/common/sql_text.h"
#include "services/common/time_util.h"
#include "services/scheduling/once_under.h"
#include "services/scheduling/postgres_scheduling_store.h"

namespace salesops::scheduling {
namespace {

// One transaction under `key` (once_under.h), answered with the entry alone.
template <typename Response>
absl::StatusOr<Response> EntryOnceUnder(
    common::ConnectionPool& pool, std::string_view name, const RequestKey& key,
    const std::function<absl::Status(pqxx::work&, Response&)>& act) {
  SALESOPS_ASSIGN_OR_RETURN(Answered<Response> answered, OnceUnder<Response>(pool, name, key, act));
  return std::move(answered.response);
}

// An entry with what its task plans for the person (0 when the plan gives nothing).
constexpr char kTimesheetEntryColumns[] =
    "e.entry_id, coalesce(e.task_id, ''), e.order_id, e.crew_member_id, e.start_minute, "
    "e.finish_minute, e.break_minutes, e.note, e.state, e.reported_by, e.confirmed_by, "
    "e.approved_by, "
    "e.rejection_reason, e.revision, ts_to_us(e.create_time), ts_to_us(e.update_time), "
    "coalesce(t.duration, 0), e.other_work";
constexpr char kTimesheetEntryFrom[] =
    " FROM timesheet_entries e LEFT JOIN tasks t ON t.task_id = e.task_id ";

// SELECT of entries (as TimesheetEntryFromRow reads them) with `rest`: WHERE, ORDER BY, ...
std::string SelectTimesheetEntries(const std::string& rest) {
  return absl::StrCat("SELECT ", kTimesheetEntryColumns, kTimesheetEntryFrom, rest);
}

constexpr int64_t kNoBound = std::numeric_limits<int64_t>::max() / 4;

google::protobuf::Timestamp TimesheetMinute(int64_t minute) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(minute * 60);
  return timestamp;
}

v1::TimesheetEntry TimesheetEntryFromRow(const pqxx::row& row) {
  v1::TimesheetEntry entry;
  entry.set_entry_id(row[0].as<std::string>());
  entry.set_task_id(row[1].as<std::string>());
  entry.set_order_id(row[2].as<std::string>());
  entry.set_crew_member_id(row[3].as<std::string>());
  const int64_t start = row[4].as<int64_t>();
  const int64_t finish = row[5].as<int64_t>();
  const int64_t break_minutes = row[6].as<int64_t>();
  *entry.mutable_start_time() = TimesheetMinute(start);
  *entry.mutable_finish_time() = TimesheetMinute(finish);
  entry.mutable_break_duration()->set_seconds(break_minutes * 60);
  entry.set_note(row[7].as<std::string>());
  entry.set_state(static_cast<v1::TimesheetState>(row[8].as<int>()));
  entry.set_reported_by(row[9].as<std::string>());
  entry.set_confirmed_by(row[10].as<std::string>());
  entry.set_approved_by(row[11].as<std::string>());
  entry.set_rejection_reason(row[12].as<std::string>());
  entry.set_etag(row[13].as<std::string>());
  *entry.mutable_create_time() = common::TimestampFromMicros(row[14].as<int64_t>());
  *entry.mutable_update_time() = common::TimestampFromMicros(row[15].as<int64_t>());
  entry.mutable_worked_duration()->set_seconds((finish - start - break_minutes) * 60);
  entry.mutable_planned_duration()->set_seconds(row[16].as<int64_t>() * 60);
  entry.set_other_work(static_cast<v1::OtherWork>(row[17].as<int>()));
  return entry;
}

WorkedEntry WorkedEntryFromRow(const pqxx::row& row) {
  WorkedEntry entry;
  entry.entry_id = row[0].as<std::string>();
  entry.task_id = row[1].as<std::string>();
  entry.order_id = row[2].as<std::string>();
  entry.crew_member_id = row[3].as<std::string>();
  entry.hours = {row[4].as<int64_t>(), row[5].as<int64_t>(), row[6].as<int64_t>()};
  entry.state = static_cast<v1::TimesheetState>(row[8].as<int>());
  entry.approved_by = row[11].as<std::string>();
  entry.other_work = static_cast<v1::OtherWork>(row[17].as<int>());
  return entry;
}

absl::StatusOr<v1::TimesheetEntry> ReadTimesheetEntry(pqxx::work& tx, const std::string& entry_id,
                                                      bool lock) {
  pqxx::result rows =
      tx.exec_params(SelectTimesheetEntries(lock ? "WHERE e.entry_id = $1 FOR UPDATE OF e"
                                                 : "WHERE e.entry_id = $1"),
                     entry_id);
  if (rows.empty()) {
    return common::ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                                 "hours " + entry_id + " do not exist");
  }
  return TimesheetEntryFromRow(rows[0]);
}

std::optional<TimesheetTask> ReadTimesheetTask(pqxx::transaction_base& tx,
                                               const std::string& task_id) {
  pqxx::result rows = tx.exec_params(
      "SELECT task_id, order_id, duration, crew_ids FROM tasks WHERE task_id = $1", task_id);
  if (rows.empty()) return std::nullopt;
  TimesheetTask task;
  task.task_id = rows[0][0].as<std::string>();
  task.order_id = rows[0][1].as<std::string>();
  task.duration = rows[0][2].as<int64_t>();
  task.crew_ids = common::ParseTextArray(rows[0][3]);
  return task;
}

// The transaction-scoped advisory lock of one person's hours (FNV-1a over the id, 64 bits): two
// reports of the same person take turns, so that the second finds the first's entry and neither
// misses that they overlap. The single-key lock space is apart from the two-key locks the rest
// of the store takes.
int64_t TimesheetPersonLock(const std::string& crew_member_id) {
  uint64_t hash = 14695981039346656037ull;
  auto mix = [&](unsigned char c) {
    hash ^= c;
    hash *= 1099511628211ull;
  };
  for (char c : std::string("timesheet\n")) mix(static_cast<unsigned char>(c));
  for (char c : crew_member_id) mix(static_cast<unsigned char>(c));
  return static_cast<int64_t>(hash);
}

// The first of the person's hours, other than `entry_id` and not sent back, overlapping `hours`:
// any of them for other work, only other work for hours on a task.
absl::Status CheckNoOverlap(pqxx::work& tx, const std::string& crew_member_id,
                            const std::string& entry_id, const ReportedHours& hours,
                            bool other_work) {
  pqxx::result overlapping = tx.exec_params(
      "SELECT entry_id, start_minute, finish_minute, break_minutes FROM timesheet_entries "
      "WHERE crew_member_id = $1 AND entry_id <> $2 AND state <> $3 AND start_minute < $4 "
      "AND finish_minute > $5 AND ($6 OR task_id IS NULL) ORDER BY start_minute LIMIT 1",
      crew_member_id, entry_id, static_cast<int>(v1::TIMESHEET_STATE_REJECTED), hours.finish,
      hours.start, other_work);
  if (overlapping.empty()) return absl::OkStatus();
  const pqxx::row row = overlapping[0];
  return OverlappingHoursError(crew_member_id, row[0].as<std::string>(),
                               {row[1].as<int64_t>(), row[2].as<int64_t>(), row[3].as<int64_t>()});
}

// The names and contracted weeks of `people`.
std::map<std::string, CrewContract> ReadCrewContracts(pqxx::transaction_base& tx,
                                                      const std::set<std::string>& people) {
  std::map<std::string, CrewContract> crew;
  if (people.empty()) return crew;
  for (const auto& row : tx.exec_params(
           "SELECT crew_member_id, display_name, body FROM crew_members "
           "WHERE crew_member_id = ANY($1::text[])",
           common::PgTextArray(std::vector<std::string>(people.begin(), people.end())))) {
    v1::CrewMember member;
    pqxx::binarystring body(row[2]);
    member.ParseFromArray(body.data(), static_cast<int>(body.size()));
    CrewContract& contract = crew[row[0].as<std::string>()];
    contract.display_name = row[1].as<std::string>();
    contract.contracted_week =
        std::max<int64_t>(0, member.contracted_weekly_duration().seconds() / 60);
  }
  return crew;
}

}  // namespace

absl::StatusOr<v1::TimesheetEntry> PostgresSchedulingStore::ReportHours(
    const RequestKey& key, const HoursReport& report,
    const std::function<absl::Status(const TimesheetTask&, v1::TimesheetState)>& may_report) {
  return EntryOnceUnder<v1::TimesheetEntry>(
      pool_, "report_hours", key, [&](pqxx::work& tx, v1::TimesheetEntry& entry) -> absl::Status {
        const bool other_work = report.other_work != v1::OTHER_WORK_UNSPECIFIED;
        std::optional<TimesheetTask> task =
            other_work ? TimesheetTask() : ReadTimesheetTask(tx, report.task_id);
        if (!task) {
          return common::ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                                       "task " + report.task_id + " does not exist");
        }
        tx.exec_params("SELECT pg_advisory_xact_lock($1)",
                       TimesheetPersonLock(report.crew_member_id));
        // The entry these hours replace: the person's on the task, or their other work starting
        // at the same minute.
        pqxx::result existing =
            other_work
                ? tx.exec_params(
                      "SELECT entry_id, state FROM timesheet_entries WHERE task_id IS NULL AND "
                      "crew_member_id = $1 AND start_minute = $2 FOR UPDATE",
                      report.crew_member_id, report.hours.start)
                : tx.exec_params(
                      "SELECT entry_id, state FROM timesheet_entries WHERE task_id = $1 AND "
                      "crew_member_id = $2 FOR UPDATE",
                      report.task_id, report.crew_member_id);
        const v1::TimesheetState state =
            existing.empty() ? v1::TIMESHEET_STATE_UNSPECIFIED
                             : static_cast<v1::TimesheetState>(existing[0][1].as<int>());
        SALESOPS_RETURN_IF_ERROR(may_report(*task, state));
        if (tx.exec_params("SELECT 1 FROM crew_members WHERE crew_member_id = $1",
                           report.crew_member_id)
                .empty()) {
          return common::ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                                       "crew member " + report.crew_member_id + " does not exist");
        }
        std::string entry_id = existing.empty() ? "" : existing[0][0].as<std::string>();
        SALESOPS_RETURN_IF_ERROR(
            CheckNoOverlap(tx, report.crew_member_id, entry_id, report.hours, other_work));
        if (existing.empty()) {
          entry_id = tx.exec1("SELECT gen_random_uuid()::text")[0].as<std::string>();
          tx.exec_params(
              "INSERT INTO timesheet_entries (entry_id, task_id, order_id, crew_member_id, "
              "start_minute, finish_minute, break_minutes, note, state, reported_by, other_work) "
              "VALUES ($1, nullif($2, ''), $3, $4, $5, $6, $7, $8, $9, $10, $11)",
              entry_id, task->task_id, task->order_id, report.crew_member_id, report.hours.start,
              report.hours.finish, report.hours.break_minutes, report.note,
              static_cast<int>(v1::TIMESHEET_STATE_REPORTED), report.actor_id,
              static_cast<int>(report.other_work));
        } else {
          // Reported again: the new hours replace the old, and whoever confirmed or approved
          // them before has to look again.
          tx.exec_params(
              "UPDATE timesheet_entries SET start_minute = $2, finish_minute = $3, "
              "break_minutes = $4, note = $5, state = $6, reported_by = $7, confirmed_by = '', "
              "approved_by = '', rejection_reason = '', other_work = $8, "
              "revision = revision + 1, update_time = now() WHERE entry_id = $1",
              entry_id, report.hours.start, report.hours.finish, report.hours.break_minutes,
              report.note, static_cast<int>(v1::TIMESHEET_STATE_REPORTED), report.actor_id,
              static_cast<int>(report.other_work));
        }
        SALESOPS_ASSIGN_OR_RETURN(entry, ReadTimesheetEntry(tx, entry_id, false));
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::TimesheetEntry> PostgresSchedulingStore::DecideHours(
    const RequestKey& key, const HoursDecision& decision,
    const std::function<absl::Status(const v1::TimesheetEntry&, const TimesheetTask&)>&
        may_decide) {
  return EntryOnceUnder<v1::TimesheetEntry>(
      pool_, "decide_hours", key, [&](pqxx::work& tx, v1::TimesheetEntry& entry) -> absl::Status {
        SALESOPS_ASSIGN_OR_RETURN(const v1::TimesheetEntry before,
                                  ReadTimesheetEntry(tx, decision.entry_id, true));
        std::optional<TimesheetTask> task =
            before.task_id().empty() ? TimesheetTask() : ReadTimesheetTask(tx, before.task_id());
        if (!task) return absl::InternalError("hours name a task that does not exist");
        SALESOPS_RETURN_IF_ERROR(may_decide(before, *task));
        if (!decision.etag.empty() && before.etag() != decision.etag) {
          return common::ReasonedError(
              absl::StatusCode::kAborted, v1::STALE_REVISION,
              "hours " + decision.entry_id + " changed; read them again and retry");
        }
        const int state = static_cast<int>(StateAfter(decision.action));
        if (decision.action == HoursAction::kConfirm) {
          tx.exec_params(
              "UPDATE timesheet_entries SET state = $2, confirmed_by = $3, "
              "revision = revision + 1, update_time = now() WHERE entry_id = $1",
              decision.entry_id, state, decision.actor_id);
        } else {
          tx.exec_params(
              "UPDATE timesheet_entries SET state = $2, approved_by = $3, rejection_reason = $4, "
              "revision = revision + 1, update_time = now() WHERE entry_id = $1",
              decision.entry_id, state, decision.actor_id,
              decision.action == HoursAction::kReject ? decision.reason : std::string());
        }
        SALESOPS_ASSIGN_OR_RETURN(entry, ReadTimesheetEntry(tx, decision.entry_id, false));
        return absl::OkStatus();
      });
}

absl::StatusOr<std::optional<TimesheetTask>> PostgresSchedulingStore::GetTimesheetTask(
    const std::string& task_id) {
  std::optional<TimesheetTask> task;
  absl::Status status = pool_.Read("get_timesheet_task", [&](pqxx::transaction_base& tx) {
    task = ReadTimesheetTask(tx, task_id);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return task;
}

absl::StatusOr<Page<v1::TimesheetEntry>> PostgresSchedulingStore::ListTimesheets(
    const v1::ListTimesheetsRequest& filter, int limit, const std::string& after) {
  // The page token's position: "<start minute>:<entry id>" of the last entry listed.
  int64_t after_start = -kNoBound;
  std::string after_id;
  if (!after.empty()) {
    const size_t colon = after.find(':');
    if (colon == std::string::npos || !absl::SimpleAtoi(after.substr(0, colon), &after_start) ||
        after_start < -kNoBound || after_start > kNoBound) {
      return common::InvalidArgumentError({{"page_token", "is not a token this listing gave"}});
    }
    after_id = after.substr(colon + 1);
  }
  int64_t from = -kNoBound, to = kNoBound;
  if (filter.has_range()) {
    if (filter.range().has_not_before()) from = FirstMinuteFrom(filter.range().not_before());
    if (filter.range().has_no_later_than()) to = FirstMinuteFrom(filter.range().no_later_than());
  }
  std::vector<int64_t> states;
  for (int state : filter.states()) states.push_back(state);
  Page<v1::TimesheetEntry> page;
  absl::Status status = pool_.Read("list_timesheets", [&](pqxx::transaction_base& tx) {
    common::FillPage(
        page,
        tx.exec_params(
            SelectTimesheetEntries(
                "WHERE (e.start_minute, e.entry_id) > ($1, $2)"
                " AND ($3 = '' OR e.crew_member_id = $3) AND ($4 = '' OR e.order_id = $4)"
                " AND ($5 = '' OR e.task_id = $5)"
                " AND (cardinality($6::bigint[]) = 0 OR e.state = ANY($6::bigint[]))"
                " AND e.start_minute >= $7 AND e.start_minute < $8"
                " ORDER BY e.start_minute, e.entry_id LIMIT $9"),
            after_start, after_id, filter.crew_member_id(), filter.order_id(), filter.task_id(),
            common::PgBigintArray(states), from, to, limit + 1),
        limit, [](const pqxx::row& row) { return TimesheetEntryFromRow(row); },
        [](const v1::TimesheetEntry& entry) {
          return absl::StrCat(entry.start_time().seconds() / 60, ":", entry.entry_id());
        });
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

absl::StatusOr<SchedulingStore::LabourFacts> PostgresSchedulingStore::LoadLabourFacts(
    const LabourQuery& query) {
  LabourFacts facts;
  const WeekSpan weeks = WeeksAround(query.from, query.to);
  absl::Status status = pool_.InTransaction("load_labour_facts", [&](pqxx::work& tx) {
    facts = LabourFacts();
    std::set<std::string> people;
    for (const auto& row :
         tx.exec_params("SELECT task_id, order_id, planned_start, duration, crew_ids FROM tasks "
                        "WHERE state <> $1 AND planned_start >= $2 AND planned_start < $3 "
                        "AND cardinality(crew_ids) > 0 AND ($4 = '' OR order_id = $4) "
                        "AND ($5 = '' OR crew_ids @> ARRAY[$5]::text[]) ORDER BY task_id",
                        static_cast<int>(v1::TASK_STATE_CANCELLED), query.from, query.to,
                        query.order_id, query.crew_member_id)) {
      PlannedPlace& place = facts.planned.emplace_back();
      place.task_id = row[0].as<std::string>();
      place.order_id = row[1].as<std::string>();
      place.start = row[2].as<int64_t>();
      place.duration = row[3].as<int64_t>();
      place.crew_ids = common::ParseTextArray(row[4]);
      for (const std::string& person : place.crew_ids) {
        if (query.crew_member_id.empty() || person == query.crew_member_id) people.insert(person);
      }
    }
    for (const auto& row : tx.exec_params(
             "SELECT DISTINCT crew_member_id FROM timesheet_entries "
             "WHERE start_minute >= $1 AND start_minute < $2 AND ($3 = '' OR order_id = $3) "
             "AND ($4 = '' OR crew_member_id = $4)",
             query.from, query.to, query.order_id, query.crew_member_id)) {
      people.insert(row[0].as<std::string>());
    }
    if (!people.empty()) {
      // Everything the people concerned worked in the weeks around the range, whatever the
      // order: their weeks' overtime is theirs, not an order's.
      for (const auto& row : tx.exec_params(
               SelectTimesheetEntries(
                   "WHERE e.crew_member_id = ANY($1::text[]) AND e.start_minute >= $2 "
                   "AND e.start_minute < $3 ORDER BY e.start_minute, e.entry_id"),
               common::PgTextArray(std::vector<std::string>(people.begin(), people.end())),
               weeks.from, weeks.to)) {
        facts.worked.push_back(WorkedEntryFromRow(row));
      }
    }
    facts.crew = ReadCrewContracts(tx, people);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return facts;
}

absl::StatusOr<SchedulingStore::LabourFacts> PostgresSchedulingStore::LoadApprovedHours(
    Minutes from, Minutes to) {
  LabourFacts facts;
  const WeekSpan weeks = WeeksAround(from, to);
  absl::Status status = pool_.InTransaction("load_approved_hours", [&](pqxx::work& tx) {
    facts = LabourFacts();
    std::set<std::string> people;
    for (const auto& row : tx.exec_params(
             SelectTimesheetEntries("WHERE e.state = $1 AND e.start_minute >= $2 AND "
                                    "e.start_minute < $3 ORDER BY e.start_minute, e.entry_id"),
             static_cast<int>(v1::TIMESHEET_STATE_APPROVED), weeks.from, weeks.to)) {
      facts.worked.push_back(WorkedEntryFromRow(row));
      people.insert(facts.worked.back().crew_member_id);
    }
    facts.crew = ReadCrewContracts(tx, people);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return facts;
}

}  // namespace salesops::scheduling
