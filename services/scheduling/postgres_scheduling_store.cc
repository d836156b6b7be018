#include "services/scheduling/postgres_scheduling_store.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <google/protobuf/empty.pb.h>
#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>
#include <google/protobuf/wrappers.pb.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "google/rpc/error_details.pb.h"
#include "services/common/errors.h"
#include "services/common/idempotency.h"
#include "services/common/money.h"
#include "services/common/outbox.h"
#include "services/common/skill_codes.h"
#include "services/common/sql_text.h"
#include "services/common/time_util.h"
#include "services/scheduling/crew_skills.h"
#include "services/scheduling/crew_zone.h"
#include "services/scheduling/job_plan.h"
#include "services/scheduling/labour_cost.h"
#include "services/scheduling/offer_rules.h"
#include "services/scheduling/once_under.h"
#include "services/scheduling/planner.h"

namespace salesops::scheduling {
namespace {

using common::ReasonedError;

// Crew members and vehicles are stored whole (the API message in `body`),
// with the columns listings filter on beside it; these describe the two.
struct DocumentTable {
  const char* table;
  const char* id_column;
  const char* what;  // for messages: "crew member", "vehicle"
};
constexpr DocumentTable kCrewTable{"crew_members", "crew_member_id", "crew member"};
constexpr DocumentTable kVehicleTable{"vehicles", "vehicle_id", "vehicle"};

template <typename Message>
Message FromRow(const pqxx::row& row) {
  // Columns: body, revision, ts_to_us(create_time), ts_to_us(update_time).
  Message message;
  pqxx::binarystring body(row[0]);
  message.ParseFromArray(body.data(), static_cast<int>(body.size()));
  message.set_etag(row[1].as<std::string>());
  *message.mutable_create_time() = common::TimestampFromMicros(row[2].as<int64_t>());
  *message.mutable_update_time() = common::TimestampFromMicros(row[3].as<int64_t>());
  return message;
}

template <typename Message>
std::string Body(Message message) {
  // Output-only fields come from the row, not the stored body.
  message.clear_etag();
  message.clear_create_time();
  message.clear_update_time();
  return message.SerializeAsString();
}

std::string Returning() {
  return " RETURNING body, revision, ts_to_us(create_time), ts_to_us(update_time)";
}

template <typename Message>
absl::StatusOr<Message> GetDocument(common::ConnectionPool& pool, const DocumentTable& table,
                                    const std::string& id) {
  Message message;
  absl::Status status = pool.InTransaction(std::string("get_") + table.table, [&](pqxx::work& tx) {
    pqxx::result rows = tx.exec_params(
        std::string("SELECT body, revision, ts_to_us(create_time), ts_to_us(update_time) FROM ") +
            table.table + " WHERE " + table.id_column + " = $1",
        id);
    if (rows.empty()) {
      return ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                           std::string(table.what) + " " + id + " does not exist");
    }
    message = FromRow<Message>(rows[0]);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return message;
}

// Checks the etag of the row being updated (locked), or reports it missing.
absl::Status CheckRevision(pqxx::work& tx, const DocumentTable& table, const std::string& id,
                           const std::string& etag) {
  pqxx::result rows = tx.exec_params(std::string("SELECT revision FROM ") + table.table +
                                         " WHERE " + table.id_column + " = $1 FOR UPDATE",
                                     id);
  if (rows.empty()) {
    return ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                         std::string(table.what) + " " + id + " does not exist");
  }
  if (!etag.empty() && rows[0][0].as<std::string>() != etag) {
    return ReasonedError(absl::StatusCode::kAborted, v1::STALE_REVISION,
                         std::string(table.what) + " " + id +
                             " was changed by someone else; read it again and retry");
  }
  return absl::OkStatus();
}

// A stable 32-bit key for a person or vehicle (FNV-1a), the same in every replica: the first
// half of the two-key advisory locks below.
int32_t ResourceKey(char kind, const std::string& id) {
  uint32_t hash = 2166136261u;
  auto mix = [&](unsigned char c) {
    hash ^= c;
    hash *= 16777619u;
  };
  mix(static_cast<unsigned char>(kind));
  for (char c : id) mix(static_cast<unsigned char>(c));
  return static_cast<int32_t>(hash);
}
constexpr int32_t kWholeResource = -1;  // second key: the person or vehicle as a whole

constexpr DocumentTable kSkillTable{"skills", "skill_code", "skill"};

// "2027-03-31", or "" for an unset day (stored as NULL).
std::string DayText(const google::type::Date& day) {
  if (day.year() == 0) return "";
  char text[16];
  std::snprintf(text, sizeof(text), "%04d-%02d-%02d", day.year(), day.month(), day.day());
  return text;
}

// Checks the member's skills against the catalog (CheckAgainstCatalog), under a share lock on
// the skills' rows (an UpdateSkill waits, and sees these holders), then keeps them for the
// filtering queries, in the member's transaction.
absl::Status SaveCrewSkills(pqxx::work& tx, const v1::CrewMember& member) {
  std::vector<std::string> codes;
  for (const v1::HeldSkill& held : member.held_skills()) codes.push_back(held.skill_code());
  std::map<std::string, v1::SkillDefinition> catalog;
  for (const auto& row : tx.exec_params(
           "SELECT body FROM skills WHERE skill_code = ANY($1::text[]) ORDER BY skill_code "
           "FOR SHARE",
           common::PgTextArray(codes))) {
    v1::SkillDefinition skill = common::ParseRecord<v1::SkillDefinition>(row[0]);
    catalog[skill.skill_code()] = std::move(skill);
  }
  SALESOPS_RETURN_IF_ERROR(CheckAgainstCatalog(HeldSkillRefs(member), catalog));
  tx.exec_params("DELETE FROM crew_skills WHERE crew_member_id = $1", member.crew_member_id());
  for (const v1::HeldSkill& held : member.held_skills()) {
    tx.exec_params(
        "INSERT INTO crew_skills (crew_member_id, skill_code, level, certificate_expiry_day) "
        "VALUES ($1, $2, $3, NULLIF($4, '')::date)",
        member.crew_member_id(), held.skill_code(), std::max(held.level(), 1),
        DayText(held.certificate_expiry_day()));
  }
  return absl::OkStatus();
}

}  // namespace

namespace {

// The second advisory-lock key for a person id being taken (ResourceKey('p', person_id) first).
constexpr int32_t kPersonIdClaim = -2;

// Keeps `member`'s person_id in its column, refusing one another member has: a CREW token with
// that id would not know whose schedule it is. Under a lock on the id, so that two members
// written at once cannot both take it. '' (no person) is never taken.
absl::Status KeepPersonId(pqxx::work& tx, const v1::CrewMember& member) {
  const std::string& person_id = member.person_id();
  if (!person_id.empty()) {
    tx.exec_params("SELECT pg_advisory_xact_lock($1, $2)", ResourceKey('p', person_id),
                   kPersonIdClaim);
    pqxx::result taken = tx.exec_params(
        "SELECT crew_member_id FROM crew_members WHERE person_id = $1 AND crew_member_id <> $2",
        person_id, member.crew_member_id());
    if (!taken.empty()) {
      const std::string message = "crew_member.person_id: " + person_id +
                                  " is already crew member " + taken[0][0].as<std::string>() +
                                  "'s (one person, one crew member)";
      google::rpc::BadRequest bad_request;
      auto* violation = bad_request.add_field_violations();
      violation->set_field("crew_member.person_id");
      violation->set_description(common::TruncateText(message, common::kMaxViolationTextBytes));
      return common::WithDetail(
          ReasonedError(absl::StatusCode::kAlreadyExists, v1::ALREADY_EXISTS, message),
          bad_request);
    }
  }
  tx.exec_params("UPDATE crew_members SET person_id = $2 WHERE crew_member_id = $1",
                 member.crew_member_id(), person_id);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::CreateCrewMemberResponse> PostgresSchedulingStore::CreateCrewMember(
    const RequestKey& key, v1::CrewMember member) {
  SALESOPS_ASSIGN_OR_RETURN(
      Answered<v1::CreateCrewMemberResponse> answered,
      OnceUnder<v1::CreateCrewMemberResponse>(
          pool_, "create_crew_member", key,
          [&](pqxx::work& tx, v1::CreateCrewMemberResponse& response) -> absl::Status {
            if (member.crew_member_id().empty()) {
              member.set_crew_member_id(
                  tx.exec1("SELECT gen_random_uuid()::text")[0].as<std::string>());
            }
            pqxx::result rows = tx.exec_params(
                "INSERT INTO crew_members (crew_member_id, display_name, home_warehouse_id, "
                "active, body) VALUES ($1, $2, $3, $4, $5) "
                "ON CONFLICT (crew_member_id) DO NOTHING" +
                    Returning(),
                member.crew_member_id(), member.display_name(), member.home_warehouse_id(),
                member.active(), pqxx::binarystring(Body(member)));
            if (rows.empty()) {
              return ReasonedError(absl::StatusCode::kAlreadyExists, v1::ALREADY_EXISTS,
                                   "crew member " + member.crew_member_id() + " already exists");
            }
            SALESOPS_RETURN_IF_ERROR(SaveCrewSkills(tx, member));
            SALESOPS_RETURN_IF_ERROR(KeepPersonId(tx, member));
            *response.mutable_crew_member() = FromRow<v1::CrewMember>(rows[0]);
            return absl::OkStatus();
          }));
  return std::move(answered.response);
}

absl::StatusOr<v1::UpdateCrewMemberResponse> PostgresSchedulingStore::UpdateCrewMember(
    const RequestKey& key, const v1::CrewMember& wanted, const std::string& etag,
    bool keep_hourly_cost) {
  SALESOPS_ASSIGN_OR_RETURN(
      Answered<v1::UpdateCrewMemberResponse> answered,
      OnceUnder<v1::UpdateCrewMemberResponse>(
          pool_, "update_crew_member", key,
          [&](pqxx::work& tx, v1::UpdateCrewMemberResponse& response) -> absl::Status {
            SALESOPS_RETURN_IF_ERROR(CheckRevision(tx, kCrewTable, wanted.crew_member_id(), etag));
            v1::CrewMember member = wanted;
            if (keep_hourly_cost) {
              // Locked until the update: an ADMIN's new cost rate is never lost to OPS's edit.
              const pqxx::result stored = tx.exec_params(
                  "SELECT body FROM crew_members WHERE crew_member_id = $1 FOR UPDATE",
                  member.crew_member_id());
              member.clear_hourly_cost();
              if (!stored.empty()) {
                const v1::CrewMember before = common::ParseRecord<v1::CrewMember>(stored[0][0]);
                if (before.has_hourly_cost()) *member.mutable_hourly_cost() = before.hourly_cost();
              }
            }
            *response.mutable_crew_member() = FromRow<v1::CrewMember>(tx.exec_params1(
                "UPDATE crew_members SET display_name = $2, home_warehouse_id = $3, active = $4, "
                "body = $5, revision = revision + 1, update_time = now() "
                "WHERE crew_member_id = $1" +
                    Returning(),
                member.crew_member_id(), member.display_name(), member.home_warehouse_id(),
                member.active(), pqxx::binarystring(Body(member))));
            SALESOPS_RETURN_IF_ERROR(SaveCrewSkills(tx, member));
            SALESOPS_RETURN_IF_ERROR(KeepPersonId(tx, member));
            return absl::OkStatus();
          }));
  return std::move(answered.response);
}

absl::StatusOr<v1::CrewMember> PostgresSchedulingStore::GetCrewMember(const std::string& id) {
  return GetDocument<v1::CrewMember>(pool_, kCrewTable, id);
}

absl::StatusOr<v1::CreateSkillResponse> PostgresSchedulingStore::CreateSkill(
    const RequestKey& key, const v1::SkillDefinition& skill) {
  SALESOPS_ASSIGN_OR_RETURN(
      Answered<v1::CreateSkillResponse> answered,
      OnceUnder<v1::CreateSkillResponse>(
          pool_, "create_skill", key,
          [&](pqxx::work& tx, v1::CreateSkillResponse& response) -> absl::Status {
            pqxx::result rows = tx.exec_params(
                "INSERT INTO skills (skill_code, body) VALUES ($1, $2) "
                "ON CONFLICT (skill_code) DO NOTHING" +
                    Returning(),
                skill.skill_code(), pqxx::binarystring(Body(skill)));
            if (rows.empty()) {
              return ReasonedError(absl::StatusCode::kAlreadyExists, v1::ALREADY_EXISTS,
                                   "skill " + skill.skill_code() + " already exists");
            }
            *response.mutable_skill() = FromRow<v1::SkillDefinition>(rows[0]);
            return absl::OkStatus();
          }));
  return std::move(answered.response);
}

absl::StatusOr<v1::UpdateSkillResponse> PostgresSchedulingStore::UpdateSkill(
    const RequestKey& key, const v1::SkillDefinition& skill, const std::string& etag) {
  SALESOPS_ASSIGN_OR_RETURN(
      Answered<v1::UpdateSkillResponse> answered,
      OnceUnder<v1::UpdateSkillResponse>(
          pool_, "update_skill", key,
          [&](pqxx::work& tx, v1::UpdateSkillResponse& response) -> absl::Status {
            SALESOPS_RETURN_IF_ERROR(CheckRevision(tx, kSkillTable, skill.skill_code(), etag));
            // Under the skill's row lock: a member being saved with it waits (SaveCrewSkills).
            const int levels = std::max(skill.level_names_size(), 1);
            pqxx::row used = tx.exec_params1(
                "SELECT (SELECT coalesce(max(level), 0) FROM crew_skills WHERE skill_code = $1), "
                "(SELECT coalesce(max(min_level), 0) FROM tasks WHERE skill_code = $1 "
                " AND state IN (1, 2, 3, 5)), "
                "(SELECT count(*) FROM crew_skills WHERE skill_code = $1 "
                " AND certificate_expiry_day IS NULL)",
                skill.skill_code());
            std::vector<common::FieldViolation> violations;
            if (used[0].as<int>() > levels || used[1].as<int>() > levels) {
              violations.push_back(
                  {"skill.level_names",
                   "cannot drop level " +
                       std::to_string(std::max(used[0].as<int>(), used[1].as<int>())) +
                       ": a crew member holds it or open work asks for it"});
            }
            if (skill.certificate_required() && used[2].as<int64_t>() > 0) {
              violations.push_back({"skill.certificate_required",
                                    std::to_string(used[2].as<int64_t>()) +
                                        " crew members hold this skill without a certificate "
                                        "expiry day; give theirs first"});
            }
            if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));
            *response.mutable_skill() = FromRow<v1::SkillDefinition>(tx.exec_params1(
                "UPDATE skills SET body = $2, revision = revision + 1, update_time = now() "
                "WHERE skill_code = $1" +
                    Returning(),
                skill.skill_code(), pqxx::binarystring(Body(skill))));
            return absl::OkStatus();
          }));
  return std::move(answered.response);
}

absl::StatusOr<v1::SkillDefinition> PostgresSchedulingStore::GetSkill(
    const std::string& skill_code) {
  return GetDocument<v1::SkillDefinition>(pool_, kSkillTable, skill_code);
}

absl::StatusOr<Page<v1::SkillDefinition>> PostgresSchedulingStore::ListSkills(
    int limit, const std::string& after) {
  Page<v1::SkillDefinition> page;
  absl::Status status = pool_.InTransaction("list_skills", [&](pqxx::work& tx) {
    common::FillPage(
        page,
        tx.exec_params("SELECT body, revision, ts_to_us(create_time), ts_to_us(update_time) "
                       "FROM skills WHERE skill_code > $1 ORDER BY skill_code LIMIT $2",
                       after, limit + 1),
        limit, [](const pqxx::row& row) { return FromRow<v1::SkillDefinition>(row); },
        [](const auto& entry) { return entry.skill_code(); });
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

absl::StatusOr<std::map<std::string, v1::SkillDefinition>> PostgresSchedulingStore::SkillsNamed(
    const std::vector<std::string>& codes) {
  std::map<std::string, v1::SkillDefinition> found;
  if (codes.empty()) return found;
  absl::Status status = pool_.InTransaction("skills_named", [&](pqxx::work& tx) {
    for (const auto& row : tx.exec_params(
             "SELECT body, revision, ts_to_us(create_time), ts_to_us(update_time) FROM skills "
             "WHERE skill_code = ANY($1::text[])",
             common::PgTextArray(codes))) {
      v1::SkillDefinition skill = FromRow<v1::SkillDefinition>(row);
      found[skill.skill_code()] = std::move(skill);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return found;
}

absl::StatusOr<Page<v1::CrewMember>> PostgresSchedulingStore::ListCrewMembers(
    const v1::ListCrewMembersRequest& filter, int limit, const std::string& after) {
  Page<v1::CrewMember> page;
  absl::Status status = pool_.InTransaction("list_crew_members", [&](pqxx::work& tx) {
    common::FillPage(
        page,
        tx.exec_params("SELECT body, revision, ts_to_us(create_time), ts_to_us(update_time), "
                       "crew_member_id FROM crew_members WHERE crew_member_id > $1"
                       " AND ($2 = '' OR EXISTS (SELECT 1 FROM crew_skills s WHERE"
                       " s.crew_member_id = crew_members.crew_member_id AND s.skill_code = $2))"
                       " AND ($3 = '' OR home_warehouse_id = $3)"
                       " AND ($4 OR active) AND ($5 = '' OR display_name ILIKE $6)"
                       " ORDER BY crew_member_id LIMIT $7",
                       after, common::SkillCodeOf(filter), filter.home_warehouse_id(),
                       filter.include_inactive(), filter.search_text(),
                       common::ContainsPattern(filter.search_text()), limit + 1),
        limit, [](const pqxx::row& row) { return FromRow<v1::CrewMember>(row); },
        [](const auto& entry) { return entry.crew_member_id(); });
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

absl::StatusOr<v1::CreateVehicleResponse> PostgresSchedulingStore::CreateVehicle(
    const RequestKey& key, v1::Vehicle vehicle) {
  SALESOPS_ASSIGN_OR_RETURN(
      Answered<v1::CreateVehicleResponse> answered,
      OnceUnder<v1::CreateVehicleResponse>(
          pool_, "create_vehicle", key,
          [&](pqxx::work& tx, v1::CreateVehicleResponse& response) -> absl::Status {
            if (vehicle.vehicle_id().empty()) {
              vehicle.set_vehicle_id(
                  tx.exec1("SELECT gen_random_uuid()::text")[0].as<std::string>());
            }
            pqxx::result rows = tx.exec_params(
                "INSERT INTO vehicles (vehicle_id, display_name, vehicle_class, "
                "home_warehouse_id, active, body) VALUES ($1, $2, $3, $4, $5, $6) "
                "ON CONFLICT (vehicle_id) DO NOTHING" +
                    Returning(),
                vehicle.vehicle_id(), vehicle.display_name(),
                static_cast<int>(vehicle.vehicle_class()), vehicle.home_warehouse_id(),
                vehicle.active(), pqxx::binarystring(Body(vehicle)));
            if (rows.empty()) {
              return ReasonedError(absl::StatusCode::kAlreadyExists, v1::ALREADY_EXISTS,
                                   "vehicle " + vehicle.vehicle_id() + " already exists");
            }
            *response.mutable_vehicle() = FromRow<v1::Vehicle>(rows[0]);
            return absl::OkStatus();
          }));
  return std::move(answered.response);
}

absl::StatusOr<v1::UpdateVehicleResponse> PostgresSchedulingStore::UpdateVehicle(
    const RequestKey& key, const v1::Vehicle& vehicle, const std::string& etag) {
  SALESOPS_ASSIGN_OR_RETURN(
      Answered<v1::UpdateVehicleResponse> answered,
      OnceUnder<v1::UpdateVehicleResponse>(
          pool_, "update_vehicle", key,
          [&](pqxx::work& tx, v1::UpdateVehicleResponse& response) -> absl::Status {
            SALESOPS_RETURN_IF_ERROR(CheckRevision(tx, kVehicleTable, vehicle.vehicle_id(), etag));
            *response.mutable_vehicle() = FromRow<v1::Vehicle>(tx.exec_params1(
                "UPDATE vehicles SET display_name = $2, vehicle_class = $3, "
                "home_warehouse_id = $4, active = $5, body = $6, revision = revision + 1, "
                "update_time = now() WHERE vehicle_id = $1" +
                    Returning(),
                vehicle.vehicle_id(), vehicle.display_name(),
                static_cast<int>(vehicle.vehicle_class()), vehicle.home_warehouse_id(),
                vehicle.active(), pqxx::binarystring(Body(vehicle))));
            return absl::OkStatus();
          }));
  return std::move(answered.response);
}

absl::StatusOr<v1::Vehicle> PostgresSchedulingStore::GetVehicle(const std::string& id) {
  return GetDocument<v1::Vehicle>(pool_, kVehicleTable, id);
}

absl::StatusOr<Page<v1::Vehicle>> PostgresSchedulingStore::ListVehicles(
    const v1::ListVehiclesRequest& filter, int limit, const std::string& after) {
  Page<v1::Vehicle> page;
  absl::Status status = pool_.InTransaction("list_vehicles", [&](pqxx::work& tx) {
    common::FillPage(
        page,
        tx.exec_params(
            "SELECT body, revision, ts_to_us(create_time), ts_to_us(update_time) FROM vehicles "
            "WHERE vehicle_id > $1 AND ($2 = 0 OR vehicle_class = $2)"
            " AND ($3 = '' OR home_warehouse_id = $3) AND ($4 OR active)"
            " ORDER BY vehicle_id LIMIT $5",
            after, static_cast<int>(filter.vehicle_class()), filter.home_warehouse_id(),
            filter.include_inactive(), limit + 1),
        limit, [](const pqxx::row& row) { return FromRow<v1::Vehicle>(row); },
        [](const auto& entry) { return entry.vehicle_id(); });
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

namespace {

constexpr char kUnavailabilityColumns[] =
    "unavailability_id::text, coalesce(crew_member_id, ''), coalesce(vehicle_id, ''), kind, "
    "ts_to_us(lower(during)), ts_to_us(upper(during)), reason, created_by, ts_to_us(create_time)";

v1::Unavailability UnavailabilityFromRow(const pqxx::row& row) {
  v1::Unavailability out;
  out.set_unavailability_id(row[0].as<std::string>());
  if (!row[1].as<std::string>().empty()) out.set_crew_member_id(row[1].as<std::string>());
  if (!row[2].as<std::string>().empty()) out.set_vehicle_id(row[2].as<std::string>());
  out.set_kind(static_cast<v1::UnavailabilityKind>(row[3].as<int>()));
  *out.mutable_window()->mutable_not_before() = common::TimestampFromMicros(row[4].as<int64_t>());
  *out.mutable_window()->mutable_no_later_than() =
      common::TimestampFromMicros(row[5].as<int64_t>());
  out.set_reason(row[6].as<std::string>());
  out.mutable_created_by()->set_id(row[7].as<std::string>());
  *out.mutable_create_time() = common::TimestampFromMicros(row[8].as<int64_t>());
  return out;
}

}  // namespace

absl::StatusOr<Answered<v1::AddUnavailabilityResponse>> PostgresSchedulingStore::AddUnavailability(
    const RequestKey& key, const v1::Unavailability& unavailability, const std::string& actor_id) {
  return OnceUnder<v1::AddUnavailabilityResponse>(
      pool_, "add_unavailability", key,
      [&](pqxx::work& tx, v1::AddUnavailabilityResponse& response) -> absl::Status {
        const bool crew = unavailability.has_crew_member_id();
        const DocumentTable& table = crew ? kCrewTable : kVehicleTable;
        const std::string& id =
            crew ? unavailability.crew_member_id() : unavailability.vehicle_id();
        SALESOPS_RETURN_IF_ERROR(CheckRevision(tx, table, id, ""));
        // The person or vehicle as a whole, exclusively: a plan being written for them waits, and
        // one that read the schedule before sees this time off when it checks its places.
        tx.exec_params("SELECT pg_advisory_xact_lock($1, $2)", ResourceKey(crew ? 'c' : 'v', id),
                       kWholeResource);
        *response.mutable_unavailability() = UnavailabilityFromRow(tx.exec_params1(
            std::string("INSERT INTO unavailability (crew_member_id, vehicle_id, kind, during, "
                        "reason, created_by) VALUES (NULLIF($1, ''), NULLIF($2, ''), $3, "
                        "tstzrange(us_to_ts($4), us_to_ts($5), '[)'), $6, $7) RETURNING ") +
                kUnavailabilityColumns,
            crew ? id : "", crew ? "" : id, static_cast<int>(unavailability.kind()),
            common::ToMicros(unavailability.window().not_before()),
            common::ToMicros(unavailability.window().no_later_than()), unavailability.reason(),
            actor_id));
        return absl::OkStatus();
      });
}

absl::StatusOr<Page<v1::Unavailability>> PostgresSchedulingStore::ListUnavailability(
    const v1::ListUnavailabilityRequest& filter, int limit, const std::string& after) {
  Page<v1::Unavailability> page;
  absl::Status status = pool_.InTransaction("list_unavailability", [&](pqxx::work& tx) {
    bool overlapping = filter.has_overlapping() && filter.overlapping().has_not_before();
    common::FillPage(
        page,
        tx.exec_params(
            std::string("SELECT ") + kUnavailabilityColumns +
                " FROM unavailability WHERE unavailability_id::text > $1"
                " AND ($2 = '' OR crew_member_id = $2) AND ($3 = '' OR vehicle_id = $3)"
                " AND ($4 = 0 OR kind = $4)"
                " AND (NOT $5 OR during && tstzrange(us_to_ts($6), us_to_ts($7), '[)'))"
                " ORDER BY unavailability_id::text LIMIT $8",
            after, filter.crew_member_id(), filter.vehicle_id(), static_cast<int>(filter.kind()),
            overlapping, overlapping ? common::ToMicros(filter.overlapping().not_before()) : 0,
            overlapping ? common::ToMicros(filter.overlapping().no_later_than()) : 0, limit + 1),
        limit, [](const pqxx::row& row) { return UnavailabilityFromRow(row); },
        [](const auto& entry) { return entry.unavailability_id(); });
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

absl::StatusOr<v1::DeleteUnavailabilityResponse> PostgresSchedulingStore::DeleteUnavailability(
    const RequestKey& key, const std::string& id,
    const std::function<absl::Status(const v1::Unavailability&)>& may_delete) {
  SALESOPS_ASSIGN_OR_RETURN(
      Answered<v1::DeleteUnavailabilityResponse> answered,
      OnceUnder<v1::DeleteUnavailabilityResponse>(
          pool_, "delete_unavailability", key,
          [&](pqxx::work& tx, v1::DeleteUnavailabilityResponse& response) -> absl::Status {
            pqxx::result rows = tx.exec_params(
                std::string("SELECT ") + kUnavailabilityColumns +
                    " FROM unavailability WHERE unavailability_id::text = $1 FOR UPDATE",
                id);
            if (rows.empty()) {
              return ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                                   "unavailability " + id + " does not exist");
            }
            SALESOPS_RETURN_IF_ERROR(may_delete(UnavailabilityFromRow(rows[0])));
            tx.exec_params("DELETE FROM unavailability WHERE unavailability_id::text = $1", id);
            response.set_unavailability_id(id);
            return absl::OkStatus();
          }));
  return std::move(answered.response);
}

absl::StatusOr<std::optional<std::string>> PostgresSchedulingStore::EarlierAnswer(
    const RequestKey& key) {
  if (key.request_id.empty()) return std::optional<std::string>();
  const common::IdempotentRequest idempotent = IdempotencyOf(key);
  std::optional<std::string> earlier;
  absl::Status status = pool_.InTransaction("earlier_answer", [&](pqxx::work& tx) {
    SALESOPS_ASSIGN_OR_RETURN(earlier, idempotent.Replay(tx));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return earlier;
}

absl::StatusOr<std::string> PostgresSchedulingStore::RememberAnswer(
    const RequestKey& key, const google::protobuf::Message& response) {
  if (key.request_id.empty()) return response.SerializeAsString();
  const common::IdempotentRequest idempotent = IdempotencyOf(key);
  std::string standing;
  absl::Status status = pool_.InTransaction("remember_answer", [&](pqxx::work& tx) {
    SALESOPS_ASSIGN_OR_RETURN(std::optional<std::string> earlier, idempotent.Replay(tx));
    if (earlier) {
      standing = *std::move(earlier);
      return absl::OkStatus();
    }
    idempotent.Remember(tx, response);
    standing = response.SerializeAsString();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return standing;
}

absl::Status PostgresSchedulingStore::ReviseAnswer(const RequestKey& key,
                                                   const google::protobuf::Message& response) {
  if (key.request_id.empty()) return absl::OkStatus();
  return pool_.InTransaction("revise_answer", [&](pqxx::work& tx) {
    tx.exec_params(
        "UPDATE idempotency_keys SET response = $3 WHERE method = $1 AND request_id = $2",
        key.method, key.request_id, pqxx::binarystring(response.SerializeAsString()));
    return absl::OkStatus();
  });
}

}  // namespace salesops::scheduling

namespace salesops::scheduling {
namespace {

constexpr int kJobTentative = v1::JOB_STATE_TENTATIVE;
constexpr int kJobPlanned = v1::JOB_STATE_PLANNED;
constexpr int kJobCancelled = v1::JOB_STATE_CANCELLED;
constexpr char kSourceService[] = "scheduling";
// Task states still in play for the solver.
constexpr char kOpenStates[] = "(1, 2, 3, 5)";  // planned, assigned, started, blocked

google::protobuf::Timestamp AtMinute(Minutes minute) {
  return common::TimestampFromMicros(minute * 60 * 1000000);
}

constexpr char kTaskColumns[] =
    "task_id, order_id, kind, state, not_before, no_later_than, duration, skill, headcount, "
    "needs_vehicle, pinned, predecessors, coalesce(planned_start, -1), "
    "coalesce(planned_finish, -1), crew_ids, vehicle_id, late, at_risk_reason, explanation, "
    "overtime, state_note, revision, ts_to_us(update_time), phase_id, skill_code, min_level, "
    "offer_note";

v1::Task TaskFromRow(const pqxx::row& row) {
  v1::Task task;
  task.set_task_id(row[0].as<std::string>());
  task.set_job_id(row[1].as<std::string>());
  task.set_order_id(row[1].as<std::string>());
  task.set_kind(static_cast<v1::TaskKind>(row[2].as<int>()));
  task.set_state(static_cast<v1::TaskState>(row[3].as<int>()));
  *task.mutable_window()->mutable_not_before() = AtMinute(row[4].as<int64_t>());
  *task.mutable_window()->mutable_no_later_than() = AtMinute(row[5].as<int64_t>());
  task.mutable_duration()->set_seconds(row[6].as<int64_t>() * 60);
  common::SetSkill(&task, row[24].as<std::string>());
  task.set_min_level(row[25].as<int>());
  task.set_headcount(row[8].as<int>());
  task.set_hard_slot(row[10].as<bool>());
  for (const std::string& id : common::ParseTextArray(row[11])) task.add_predecessor_task_ids(id);
  int64_t start = row[12].as<int64_t>();
  int64_t finish = row[13].as<int64_t>();
  if (start >= 0) {
    *task.mutable_planned_start_time() = AtMinute(start);
    *task.mutable_planned_finish_time() = AtMinute(finish);
    task.mutable_slack()->set_seconds((row[5].as<int64_t>() - finish) * 60);
  }
  std::string vehicle = row[15].as<std::string>();
  for (const std::string& crew_id : common::ParseTextArray(row[14])) {
    v1::Assignment* assignment = task.add_assignments();
    assignment->set_crew_member_id(crew_id);
    assignment->set_vehicle_id(vehicle);
    if (start >= 0) {
      *assignment->mutable_start_time() = AtMinute(start);
      *assignment->mutable_finish_time() = AtMinute(finish);
    }
    assignment->set_explanation(row[18].as<std::string>().substr(0, 1000));
    assignment->set_frozen(task.state() == v1::TASK_STATE_STARTED);
  }
  bool late = row[16].as<bool>();
  task.set_at_risk(late || task.state() == v1::TASK_STATE_BLOCKED);
  task.set_at_risk_reason(task.state() == v1::TASK_STATE_BLOCKED
                              ? v1::AT_RISK_REASON_TASK_BLOCKED
                              : static_cast<v1::AtRiskReason>(row[17].as<int>()));
  // Offered to freelancers and waiting for their answers: not covered until they accept.
  const std::string offer_note = row[26].as<std::string>();
  if (!offer_note.empty() && task.state() != v1::TASK_STATE_BLOCKED) {
    task.set_at_risk(true);
    task.set_at_risk_reason(v1::AT_RISK_REASON_CREW_PENDING);
    task.set_at_risk_explanation(offer_note.substr(0, 1000));
  } else if (task.at_risk()) {
    task.set_at_risk_explanation(row[18].as<std::string>().substr(0, 1000));
    if (finish >= 0) *task.mutable_earliest_feasible_finish_time() = AtMinute(finish);
  }
  task.set_state_note(row[20].as<std::string>());
  task.set_etag(row[21].as<std::string>());
  *task.mutable_update_time() = common::TimestampFromMicros(row[22].as<int64_t>());
  task.set_phase_id(row[23].as<std::string>());
  return task;
}

void AddJobEvent(pqxx::work& tx, v1::EventType type, const std::string& order_id, int64_t revision,
                 const std::string& actor_id, const std::string& summary,
                 const std::function<void(v1::Event&)>& fill) {
  v1::Event event;
  event.set_type(type);
  event.set_order_id(order_id);
  event.set_order_revision(revision);
  event.mutable_actor()->set_id(actor_id);
  event.set_summary(summary);
  if (fill) fill(event);
  common::AppendToOutbox(tx, std::move(event), kSourceService);
}

}  // namespace

namespace {

// ---- Reading what planning needs -------------------------------------------------------------

// Active crew (weekly shifts laid out over `covered`, a day either side) and vehicles, with
// their time off inside `covered`.
void LoadResources(pqxx::work& tx, Span covered, std::vector<CrewMember>& crew,
                   std::vector<Vehicle>& vehicles) {
  std::map<std::string, int> crew_index;
  for (const auto& row : tx.exec("SELECT crew_member_id, body FROM crew_members WHERE active "
                                 "ORDER BY crew_member_id")) {
    v1::CrewMember member;
    pqxx::binarystring body(row[1]);
    member.ParseFromArray(body.data(), static_cast<int>(body.size()));
    CrewMember solver_member;
    solver_member.id = row[0].as<std::string>();
    solver_member.name = member.display_name();
    NormalizeSkills(member, absl::Now());
    solver_member.skills = SolverSkillsOf(member);
    solver_member.freelancer = member.employment() == v1::EMPLOYMENT_FREELANCER;
    std::vector<std::tuple<int, Minutes, Minutes>> weekly;
    for (const v1::WorkShift& shift : member.weekly_shifts()) {
      weekly.emplace_back(static_cast<int>(shift.weekday()), shift.start_offset().seconds() / 60,
                          shift.shift_duration().seconds() / 60);
    }
    solver_member.shifts = ExpandWeeklyShifts(weekly, covered.start - kDay, covered.end + kDay);
    crew_index[solver_member.id] = static_cast<int>(crew.size());
    crew.push_back(std::move(solver_member));
  }
  std::map<std::string, int> vehicle_index;
  for (const auto& row :
       tx.exec("SELECT vehicle_id FROM vehicles WHERE active ORDER BY vehicle_id")) {
    vehicle_index[row[0].as<std::string>()] = static_cast<int>(vehicles.size());
    vehicles.push_back({row[0].as<std::string>(), {}});
  }
  for (const auto& row : tx.exec_params(
           "SELECT coalesce(crew_member_id, ''), coalesce(vehicle_id, ''), "
           "ts_to_us(lower(during)) / 60000000, ts_to_us(upper(during)) / 60000000 "
           "FROM unavailability WHERE during && tstzrange(us_to_ts($1), us_to_ts($2), '[)')",
           covered.start * 60 * 1000000, covered.end * 60 * 1000000)) {
    Span span{row[2].as<int64_t>(), row[3].as<int64_t>()};
    auto crew_found = crew_index.find(row[0].as<std::string>());
    if (crew_found != crew_index.end()) crew[crew_found->second].unavailable.push_back(span);
    auto vehicle_found = vehicle_index.find(row[1].as<std::string>());
    if (vehicle_found != vehicle_index.end()) {
      vehicles[vehicle_found->second].unavailable.push_back(span);
    }
  }
}

// Open work that holds a place overlapping [$1, $2): the planner's fixed blocks. The GiST index
// tasks_placed_during answers this from the span alone, whatever the number of jobs.
constexpr char kPlacedOverlapping[] =
    "state IN (1, 2, 3, 5) AND planned_start IS NOT NULL "
    "AND int8range(planned_start, planned_finish) && int8range($1, $2)";

Assignment PlacementFromRow(const pqxx::row& row, int first) {
  // Columns from `first`: task_id, planned_start, planned_finish, crew_ids, vehicle_id.
  Assignment placed;
  placed.task_id = row[first].as<std::string>();
  placed.start = row[first + 1].as<int64_t>();
  placed.finish = row[first + 2].as<int64_t>();
  placed.crew_ids = common::ParseTextArray(row[first + 3]);
  placed.vehicle_id = row[first + 4].as<std::string>();
  return placed;
}

// ---- Writing placements without a global lock -----------------------------------------------

struct NewPlace {
  char kind;  // 'c' crew member, 'v' vehicle
  std::string id;
  Span span;
};

std::vector<NewPlace> PlacesOf(const Assignment& out) {
  std::vector<NewPlace> places;
  if (out.finish <= out.start) return places;
  for (const std::string& id : out.crew_ids) places.push_back({'c', id, {out.start, out.finish}});
  if (!out.vehicle_id.empty()) places.push_back({'v', out.vehicle_id, {out.start, out.finish}});
  return places;
}

// Takes the locks that make "is this time still free?" a question with a stable answer: each
// person or vehicle as a whole in shared mode (time off takes it exclusively), then each
// (person or vehicle, day) the new places touch. Always in key order, so two writers cannot
// wait on each other; a deadlock between hash-colliding keys is retried by the pool. Then
// answers whether any new place overlaps open work placed by someone else (other than the
// tasks in `excluded_tasks` and the job `excluded_job`) or time off.
bool PlacesStillFree(pqxx::work& tx, const std::vector<NewPlace>& places,
                     const std::vector<std::string>& excluded_tasks,
                     const std::string& excluded_job) {
  if (places.empty()) return true;
  std::set<int32_t> whole;
  std::set<std::pair<int32_t, int32_t>> days;
  std::vector<std::string> kinds, ids;
  std::vector<std::string> starts, finishes;
  for (const NewPlace& place : places) {
    int32_t key = ResourceKey(place.kind, place.id);
    whole.insert(key);
    for (Minutes day = place.span.start / kDay; day <= (place.span.end - 1) / kDay; ++day) {
      days.insert({key, static_cast<int32_t>(day)});
    }
    kinds.push_back(std::string(1, place.kind));
    ids.push_back(place.id);
    starts.push_back(std::to_string(place.span.start));
    finishes.push_back(std::to_string(place.span.end));
  }
  std::vector<std::string> first_keys, second_keys;
  for (int32_t key : whole) {
    first_keys.push_back(std::to_string(key));
    second_keys.push_back(std::to_string(kWholeResource));
  }
  tx.exec_params(
      "SELECT count(pg_advisory_xact_lock_shared(k1, k2)) FROM (SELECT k1, k2 FROM "
      "unnest($1::int[], $2::int[]) AS l(k1, k2) ORDER BY k1, k2) ordered",
      common::PgTextArray(first_keys), common::PgTextArray(second_keys));
  first_keys.clear();
  second_keys.clear();
  for (const auto& [key, day] : days) {
    first_keys.push_back(std::to_string(key));
    second_keys.push_back(std::to_string(day));
  }
  tx.exec_params(
      "SELECT count(pg_advisory_xact_lock(k1, k2)) FROM (SELECT k1, k2 FROM "
      "unnest($1::int[], $2::int[]) AS l(k1, k2) ORDER BY k1, k2) ordered",
      common::PgTextArray(first_keys), common::PgTextArray(second_keys));
  pqxx::row taken = tx.exec_params1(
      "SELECT count(*) FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) "
      "AS p(kind, id, s, f) WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.state IN (1, 2, 3, 5) "
      "AND t.planned_start IS NOT NULL "
      "AND int8range(t.planned_start, t.planned_finish) && int8range(p.s, p.f) "
      "AND t.order_id <> $6 AND NOT (t.task_id = ANY($5::text[])) "
      "AND ((p.kind = 'c' AND p.id = ANY(t.crew_ids)) OR (p.kind = 'v' AND t.vehicle_id = p.id))) "
      "OR EXISTS (SELECT 1 FROM unavailability u WHERE "
      "u.during && tstzrange(us_to_ts(p.s * 60000000), us_to_ts(p.f * 60000000), '[)') "
      "AND ((p.kind = 'c' AND u.crew_member_id = p.id) OR (p.kind = 'v' AND u.vehicle_id = p.id)))",
      common::PgTextArray(kinds), common::PgTextArray(ids), common::PgTextArray(starts),
      common::PgTextArray(finishes), common::PgTextArray(excluded_tasks), excluded_job);
  return taken[0].as<int64_t>() == 0;
}

void AddAtRiskEvent(pqxx::work& tx, const Task& task, const Assignment& out, int state) {
  AddJobEvent(
      tx, v1::EVENT_TYPE_TASK_AT_RISK, task.job_id, 0, kSourceService,
      "Order " + task.job_id + ": " + v1::TaskKind_Name(task.kind) + " at risk: " + out.explanation,
      [&](v1::Event& event) {
        v1::TaskPayload* payload = event.mutable_task();
        payload->set_task_id(task.id);
        payload->set_job_id(task.job_id);
        payload->set_kind(task.kind);
        payload->set_state(static_cast<v1::TaskState>(state));
        payload->set_at_risk_reason(out.at_risk_reason);
        payload->set_explanation(out.explanation);
        *payload->mutable_earliest_feasible_finish_time() = AtMinute(out.finish);
      });
}

// Stores a delivery's commitment (the main phase's on the job, another's on its phase); says so
// when it changed.
void SaveCommitment(pqxx::work& tx, const std::string& order_id, int64_t order_revision,
                    const PlannedCommitment& commitment, int64_t previous_us) {
  int64_t commitment_us = commitment.no_later_than * 60 * 1000000;
  if (commitment.phase_id.empty()) {
    tx.exec_params(
        "UPDATE jobs SET commitment_time = us_to_ts($2), commitment_meets = $3, "
        "commitment_explanation = $4, last_assignment_time = now() WHERE order_id = $1",
        order_id, commitment_us, commitment.meets_request, commitment.explanation);
  } else {
    tx.exec_params(
        "UPDATE job_phases SET commitment_time = us_to_ts($3), commitment_meets = $4, "
        "commitment_explanation = $5 WHERE order_id = $1 AND phase_id = $2",
        order_id, commitment.phase_id, commitment_us, commitment.meets_request,
        commitment.explanation);
    tx.exec_params("UPDATE jobs SET last_assignment_time = now() WHERE order_id = $1", order_id);
  }
  if (previous_us == commitment_us) return;
  AddJobEvent(
      tx, v1::EVENT_TYPE_COMMITMENT_CHANGED, order_id, order_revision, kSourceService,
      "Order " + order_id + (commitment.phase_id.empty() ? "" : " phase " + commitment.phase_id) +
          ": " +
          (commitment.meets_request ? "delivery committed as requested"
                                    : "delivery committed later than requested"),
      [&](v1::Event& event) {
        v1::Commitment* now = event.mutable_commitment()->mutable_commitment();
        *now->mutable_no_later_than() = common::TimestampFromMicros(commitment_us);
        now->set_meets_request(commitment.meets_request);
        now->set_explanation(commitment.explanation);
        if (previous_us != 0) {
          *event.mutable_commitment()->mutable_previous_commitment()->mutable_no_later_than() =
              common::TimestampFromMicros(previous_us);
        }
      });
}

constexpr char kJobColumns[] =
    "order_id, order_revision, state, win_probability, plan_request, "
    "coalesce(ts_to_us(commitment_time), 0), commitment_meets, commitment_explanation, "
    "coalesce(ts_to_us(last_assignment_time), 0), ts_to_us(create_time), "
    "ts_to_us(update_time), transfer_request IS NOT NULL";

// The transfer a job was planned from (jobs.transfer_request); nullopt for an order's job.
std::optional<v1::PlanTransferRequest> TransferOf(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  pqxx::binarystring body(field);
  v1::PlanTransferRequest transfer;
  transfer.ParseFromArray(body.data(), static_cast<int>(body.size()));
  return transfer;
}

// A job without its tasks, from kJobColumns.
v1::Job JobFromRow(const pqxx::row& row) {
  v1::Job job;
  job.set_job_id(row[0].as<std::string>());
  job.set_order_id(row[0].as<std::string>());
  job.set_order_revision(row[1].as<int64_t>());
  job.set_state(static_cast<v1::JobState>(row[2].as<int>()));
  job.set_win_probability(row[3].as<double>());
  v1::PlanJobRequest request;
  pqxx::binarystring body(row[4]);
  request.ParseFromArray(body.data(), static_cast<int>(body.size()));
  *job.mutable_delivery_window() = request.delivery_window();
  // A transfer's van run has no show: it is left out rather than answered empty.
  if (!row[11].as<bool>()) *job.mutable_event_schedule() = request.event_schedule();
  for (const v1::JobPhase& phase : request.phases()) {
    v1::PhaseCommitment* planned = job.add_phase_commitments();
    planned->set_phase_id(phase.phase_id());
    planned->set_name(phase.name());
    *planned->mutable_delivery_window() = phase.delivery_window();
    *planned->mutable_event_schedule() = phase.event_schedule();
  }
  if (row[5].as<int64_t>() != 0) {
    *job.mutable_commitment()->mutable_no_later_than() =
        common::TimestampFromMicros(row[5].as<int64_t>());
    job.mutable_commitment()->set_meets_request(row[6].as<bool>());
    job.mutable_commitment()->set_explanation(row[7].as<std::string>().substr(0, 1000));
  }
  if (row[8].as<int64_t>() != 0) {
    *job.mutable_last_assignment_time() = common::TimestampFromMicros(row[8].as<int64_t>());
  }
  *job.mutable_create_time() = common::TimestampFromMicros(row[9].as<int64_t>());
  *job.mutable_update_time() = common::TimestampFromMicros(row[10].as<int64_t>());
  return job;
}

// Adds their tasks, in plan order, to `jobs`, in one statement.
void AddTasks(pqxx::work& tx, std::vector<v1::Job*> jobs) {
  if (jobs.empty()) return;
  std::map<std::string, v1::Job*> by_order;
  std::vector<std::string> order_ids;
  for (v1::Job* job : jobs) {
    by_order[job->order_id()] = job;
    order_ids.push_back(job->order_id());
  }
  for (const auto& task_row : tx.exec_params(
           std::string("SELECT ") + kTaskColumns +
               " FROM tasks WHERE order_id = ANY($1::text[]) ORDER BY order_id, position",
           common::PgTextArray(order_ids))) {
    v1::Job& job = *by_order.at(task_row[1].as<std::string>());
    *job.add_tasks() = TaskFromRow(task_row);
    if (job.tasks().rbegin()->at_risk()) job.set_at_risk_task_count(job.at_risk_task_count() + 1);
  }
}

// Adds each further phase's commitment to `jobs` (whose phase_commitments JobFromRow laid out),
// in one statement.
void AddPhaseCommitments(pqxx::work& tx, const std::vector<v1::Job*>& jobs) {
  std::map<std::string, v1::Job*> by_order;
  std::vector<std::string> order_ids;
  for (v1::Job* job : jobs) {
    if (job->phase_commitments_size() == 0) continue;
    by_order[job->order_id()] = job;
    order_ids.push_back(job->order_id());
  }
  if (order_ids.empty()) return;
  for (const auto& row :
       tx.exec_params("SELECT order_id, phase_id, ts_to_us(commitment_time), commitment_meets, "
                      "commitment_explanation FROM job_phases WHERE order_id = ANY($1::text[]) "
                      "AND commitment_time IS NOT NULL",
                      common::PgTextArray(order_ids))) {
    v1::Job& job = *by_order.at(row[0].as<std::string>());
    for (v1::PhaseCommitment& phase : *job.mutable_phase_commitments()) {
      if (phase.phase_id() != row[1].as<std::string>()) continue;
      v1::Commitment* commitment = phase.mutable_commitment();
      *commitment->mutable_no_later_than() = common::TimestampFromMicros(row[2].as<int64_t>());
      commitment->set_meets_request(row[3].as<bool>());
      commitment->set_explanation(row[4].as<std::string>().substr(0, 1000));
    }
  }
}

absl::StatusOr<v1::Job> ReadJob(pqxx::work& tx, const std::string& order_id) {
  pqxx::result rows = tx.exec_params(
      std::string("SELECT ") + kJobColumns + " FROM jobs WHERE order_id = $1", order_id);
  if (rows.empty()) {
    return ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                         "no job for order " + order_id);
  }
  v1::Job job = JobFromRow(rows[0]);
  AddTasks(tx, {&job});
  AddPhaseCommitments(tx, {&job});
  return job;
}

// Takes the job's lock: plans, cancellations and undo records of one order go one at a time.
void LockJob(pqxx::work& tx, const std::string& order_id) {
  tx.exec_params("SELECT pg_advisory_xact_lock(hashtext('job:' || $1))", order_id);
}

// STEP_UNDONE when a CancelJob recorded PlanJob `request_id` as undone.
absl::Status RefuseIfUndone(pqxx::work& tx, const std::string& request_id) {
  if (request_id.empty()) return absl::OkStatus();
  if (tx.exec_params("SELECT 1 FROM undone_requests WHERE request_id = $1", request_id).empty()) {
    return absl::OkStatus();
  }
  return ReasonedError(
      absl::StatusCode::kAborted, v1::STEP_UNDONE,
      "PlanJob " + request_id + " was undone by a CancelJob that named it; nothing was planned");
}

// ALREADY_EXISTS unless the job `job_id` (planned from transfer `planned_from`, nullopt for an
// order's job) is the one `asked` plans: an order's job and a transfer's van run never share an
// id, and a transfer's run is planned once, from one body.
absl::Status RefuseAnotherJob(const std::string& job_id,
                              const std::optional<v1::PlanTransferRequest>& planned_from,
                              const std::optional<v1::PlanTransferRequest>& asked) {
  if (!planned_from && !asked) return absl::OkStatus();
  if (planned_from && asked) {
    if (google::protobuf::util::MessageDifferencer::Equals(*planned_from, *asked)) {
      return absl::OkStatus();
    }
    return ReasonedError(absl::StatusCode::kAlreadyExists, v1::ALREADY_EXISTS,
                         "transfer " + job_id +
                             " is planned already, with other details; its van run is planned "
                             "once (CancelJob frees it)");
  }
  if (asked) {
    return ReasonedError(
        absl::StatusCode::kAlreadyExists, v1::ALREADY_EXISTS,
        "an order's job has the id " + job_id + "; a transfer needs an id of its own");
  }
  return ReasonedError(absl::StatusCode::kAlreadyExists, v1::ALREADY_EXISTS,
                       job_id + " is a transfer's van run; an order needs an id of its own");
}

// Keeps `response` under the plan's key as the answer its caller gets: the PlanJobResponse, or
// for a transfer the PlanTransferResponse (the job alone).
void RememberPlan(pqxx::work& tx, const common::IdempotentRequest& idempotent,
                  const SchedulingStore::JobPlan& plan, const v1::PlanJobResponse& response) {
  if (!plan.transfer) {
    idempotent.Remember(tx, response);
    return;
  }
  v1::PlanTransferResponse answer;
  *answer.mutable_job() = response.job();
  idempotent.Remember(tx, answer);
}

// The answer RememberPlan kept for an identical earlier request, as a PlanJobResponse.
absl::StatusOr<std::optional<v1::PlanJobResponse>> ReplayedPlan(
    pqxx::work& tx, const common::IdempotentRequest& idempotent,
    const SchedulingStore::JobPlan& plan) {
  if (!plan.transfer) return Replayed<v1::PlanJobResponse>(tx, idempotent);
  SALESOPS_ASSIGN_OR_RETURN(std::optional<v1::PlanTransferResponse> earlier,
                            Replayed<v1::PlanTransferResponse>(tx, idempotent));
  if (!earlier) return std::optional<v1::PlanJobResponse>();
  v1::PlanJobResponse response;
  *response.mutable_job() = std::move(*earlier->mutable_job());
  return std::optional<v1::PlanJobResponse>(std::move(response));
}

}  // namespace

absl::Status PostgresSchedulingStore::CheckPlanNotUndone(const std::string& plan_request_id) {
  if (plan_request_id.empty()) return absl::OkStatus();
  return pool_.InTransaction("check_plan_not_undone",
                             [&](pqxx::work& tx) { return RefuseIfUndone(tx, plan_request_id); });
}

absl::StatusOr<SchedulingStore::PlanningView> PostgresSchedulingStore::LoadPlanningView(
    Span covered, const std::string& job_id) {
  PlanningView view;
  absl::Status status = pool_.InTransaction("load_planning_view", [&](pqxx::work& tx) {
    view = PlanningView();
    view.covered = covered;
    // One consistent snapshot; it reads, so it waits for nobody and nobody waits for it.
    tx.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    if (!job_id.empty()) {
      pqxx::result job = tx.exec_params(
          "SELECT order_revision, state, transfer_request FROM jobs WHERE order_id = $1", job_id);
      if (!job.empty()) {
        view.job_exists = true;
        view.job_revision = job[0][0].as<int64_t>();
        view.job_cancelled = job[0][1].as<int>() == kJobCancelled;
        view.job_transfer = TransferOf(job[0][2]);
        for (const auto& row : tx.exec_params(
                 "SELECT task_id, planned_start, planned_finish, crew_ids, vehicle_id FROM tasks "
                 "WHERE order_id = $1 AND state IN (3, 4) AND planned_start IS NOT NULL",
                 job_id)) {
          Assignment kept = PlacementFromRow(row, 0);
          view.job_started_tasks[kept.task_id] = kept;
        }
      }
    }
    for (const auto& row : tx.exec_params(
             std::string("SELECT task_id, planned_start, planned_finish, crew_ids, vehicle_id "
                         "FROM tasks WHERE ") +
                 kPlacedOverlapping +
                 " AND order_id <> $3 AND (cardinality(crew_ids) > 0 OR vehicle_id <> '')",
             covered.start, covered.end, job_id)) {
      view.placed.push_back(PlacementFromRow(row, 0));
    }
    LoadResources(tx, covered, view.crew, view.vehicles);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return view;
}

absl::StatusOr<std::optional<SchedulingStore::SavedPlan>> PostgresSchedulingStore::SavePlacedJob(
    const RequestKey& key, const JobPlan& plan, const AssignmentResult& placed,
    const std::vector<PlannedCommitment>& commitments, const std::string& actor_id) {
  const common::IdempotentRequest idempotent = IdempotencyOf(key);
  std::optional<SavedPlan> saved;
  const v1::PlanJobRequest& request = plan.request;
  if (placed.assignments.size() != plan.tasks.size()) {
    return absl::InternalError(absl::StrCat("the planner placed ", placed.assignments.size(),
                                            " tasks of ", plan.tasks.size()));
  }
  const int phase_count = plan.request.phases_size();
  if (commitments.size() != static_cast<size_t>(phase_count) + 1 ||
      plan.phases_requested_by.size() != static_cast<size_t>(phase_count)) {
    return absl::InternalError(absl::StrCat("a plan of ", phase_count + 1, " phases came with ",
                                            commitments.size(), " commitments"));
  }
  absl::Status status = pool_.InTransaction("save_placed_job", [&](pqxx::work& tx) {
    saved.reset();
    LockJob(tx, request.order_id());
    // After the lock: a CancelJob that undid this request has committed by now, or waits for
    // this plan to commit and then cancels it.
    // Undone first: a retry of a plan its saga has since undone learns so, not the old answer.
    SALESOPS_RETURN_IF_ERROR(RefuseIfUndone(tx, request.request_id()));
    SALESOPS_ASSIGN_OR_RETURN(std::optional<v1::PlanJobResponse> earlier,
                              ReplayedPlan(tx, idempotent, plan));
    if (earlier) {
      saved = SavedPlan{*std::move(earlier), true};
      return absl::OkStatus();
    }
    pqxx::result existing = tx.exec_params(
        "SELECT order_revision, state, coalesce(ts_to_us(commitment_time), 0), transfer_request "
        "FROM jobs WHERE order_id = $1",
        request.order_id());
    int64_t previous_commitment_us = 0;
    if (!existing.empty()) {
      SALESOPS_RETURN_IF_ERROR(
          RefuseAnotherJob(request.order_id(), TransferOf(existing[0][3]), plan.transfer));
      int64_t revision = existing[0][0].as<int64_t>();
      // The same transfer is answered its job whatever its state: a retry that comes after a
      // CancelJob must not bring the van run back.
      if (plan.transfer ||
          (revision == request.order_revision() && existing[0][1].as<int>() != kJobCancelled)) {
        SavedPlan again{{}, true};
        SALESOPS_ASSIGN_OR_RETURN(*again.response.mutable_job(), ReadJob(tx, request.order_id()));
        RememberPlan(tx, idempotent, plan, again.response);
        saved = std::move(again);
        return absl::OkStatus();
      }
      if (revision > request.order_revision()) {
        return ReasonedError(absl::StatusCode::kAborted, v1::STALE_REVISION,
                             "job " + request.order_id() + " is already planned at revision " +
                                 std::to_string(revision));
      }
      previous_commitment_us = existing[0][2].as<int64_t>();
    }
    std::vector<NewPlace> places;
    for (size_t i = 0; i < plan.tasks.size(); ++i) {
      if (plan.tasks[i].started) continue;  // already where it is
      for (NewPlace& place : PlacesOf(placed.assignments[i])) places.push_back(std::move(place));
    }
    if (!PlacesStillFree(tx, places, {}, request.order_id())) return absl::OkStatus();

    SavedPlan result;
    // An order's job keeps a NULL transfer_request (an empty one stands for it here).
    tx.exec_params(
        "INSERT INTO jobs (order_id, order_revision, state, tentative, win_probability, "
        "plan_request, requested_by, transfer_request) VALUES ($1, $2, $3, $4, $5, $6, "
        "us_to_ts($7), NULLIF($8::bytea, ''::bytea)) "
        "ON CONFLICT (order_id) DO UPDATE SET order_revision = $2, state = $3, tentative = $4, "
        "win_probability = $5, plan_request = $6, requested_by = us_to_ts($7), "
        "transfer_request = NULLIF($8::bytea, ''::bytea), update_time = now()",
        request.order_id(), request.order_revision(),
        request.tentative() ? kJobTentative : kJobPlanned, request.tentative(),
        request.tentative() ? request.win_probability() : 1.0,
        pqxx::binarystring(request.SerializeAsString()), plan.requested_by * 60 * 1000000,
        pqxx::binarystring(plan.transfer ? plan.transfer->SerializeAsString() : std::string()));
    // The further phases of this revision replace those of the last one; a phase planned
    // again keeps its commitment until SaveCommitment below says whether it changed.
    std::vector<std::string> phase_ids;
    for (const v1::JobPhase& phase : request.phases()) phase_ids.push_back(phase.phase_id());
    tx.exec_params(
        "DELETE FROM job_phases WHERE order_id = $1 AND NOT (phase_id = ANY($2::text[]))",
        request.order_id(), common::PgTextArray(phase_ids));
    std::map<std::string, int64_t> previous_phase_commitment_us;
    for (int i = 0; i < phase_count; ++i) {
      pqxx::row kept = tx.exec_params1(
          "INSERT INTO job_phases (order_id, phase_id, position, requested_by) "
          "VALUES ($1, $2, $3, us_to_ts($4)) ON CONFLICT (order_id, phase_id) DO UPDATE SET "
          "position = $3, requested_by = us_to_ts($4) "
          "RETURNING coalesce(ts_to_us(commitment_time), 0)",
          request.order_id(), phase_ids[i], i, plan.phases_requested_by[i] * 60 * 1000000);
      previous_phase_commitment_us[phase_ids[i]] = kept[0].as<int64_t>();
    }

    // What the new revision changes, task by task (ids are stable per kind and skill).
    std::map<std::string, std::string> before;  // id -> shape
    Minutes crew_before = 0, crew_after = 0;
    for (const auto& row : tx.exec_params(
             "SELECT task_id, not_before || '/' || no_later_than || '/' || duration || '/' || "
             "skill_code || '/' || greatest(min_level, 1) || '/' || headcount, "
             "duration * headcount FROM tasks WHERE order_id = $1",
             request.order_id())) {
      before[row[0].as<std::string>()] = row[1].as<std::string>();
      crew_before += row[2].as<int64_t>();
    }
    std::set<std::string> kept;
    for (size_t position = 0; position < plan.tasks.size(); ++position) {
      const Task& task = plan.tasks[position];
      const Assignment& out = placed.assignments[position];
      std::vector<std::string> predecessors;
      for (int p : task.predecessors) predecessors.push_back(plan.tasks[p].id);
      std::string shape = std::to_string(task.not_before) + "/" +
                          std::to_string(task.no_later_than) + "/" + std::to_string(task.duration) +
                          "/" + task.skill + "/" + std::to_string(std::max(task.min_level, 1)) +
                          "/" + std::to_string(task.headcount);
      crew_after += task.duration * task.headcount;
      kept.insert(task.id);
      auto found = before.find(task.id);
      if (found == before.end()) {
        result.response.mutable_change()->add_added_task_ids(task.id);
      } else if (found->second != shape) {
        result.response.mutable_change()->add_changed_task_ids(task.id);
      }
      // A started or finished task keeps its state and place; the others take theirs now.
      tx.exec_params(
          "INSERT INTO tasks (task_id, order_id, position, kind, state, not_before, "
          "no_later_than, duration, skill, headcount, needs_vehicle, pinned, predecessors, "
          "planned_start, planned_finish, crew_ids, vehicle_id, late, at_risk_reason, "
          "explanation, overtime, phase_id, skill_code, min_level) VALUES ($1, $2, $3, $4, $13, "
          "$5, $6, $7, $8, $9, $10, $11, $12::text[], $14, $15, $16::text[], $17, $18, $19, $20, "
          "$21, $22, $23, $24) "
          "ON CONFLICT (task_id) DO UPDATE SET position = $3, not_before = $5, "
          "no_later_than = $6, duration = $7, skill = $8, headcount = $9, needs_vehicle = $10, "
          "skill_code = $23, min_level = $24, crew_by_offer = tasks.crew_by_offer AND "
          "tasks.state IN (3, 4), offer_note = CASE WHEN tasks.state IN (3, 4) THEN '' ELSE "
          "tasks.offer_note END, "
          "pinned = $11, predecessors = $12::text[], revision = tasks.revision + 1, "
          "update_time = now(), state = CASE WHEN tasks.state IN (3, 4) THEN tasks.state "
          "ELSE $13 END, planned_start = CASE WHEN tasks.state IN (3, 4) THEN "
          "tasks.planned_start ELSE $14 END, planned_finish = CASE WHEN tasks.state IN (3, 4) "
          "THEN tasks.planned_finish ELSE $15 END, crew_ids = CASE WHEN tasks.state IN (3, 4) "
          "THEN tasks.crew_ids ELSE $16::text[] END, vehicle_id = CASE WHEN tasks.state IN "
          "(3, 4) THEN tasks.vehicle_id ELSE $17 END, late = $18, at_risk_reason = $19, "
          "explanation = $20, overtime = $21",
          task.id, request.order_id(), static_cast<int>(position), static_cast<int>(task.kind),
          task.not_before, task.no_later_than, task.duration,
          static_cast<int>(common::LegacySkillOf(task.skill)), task.headcount, task.needs_vehicle,
          task.pinned, common::PgTextArray(predecessors),
          out.crew_ids.empty() ? static_cast<int>(v1::TASK_STATE_PLANNED)
                               : static_cast<int>(v1::TASK_STATE_ASSIGNED),
          out.start, out.finish, common::PgTextArray(out.crew_ids), out.vehicle_id, out.late,
          static_cast<int>(out.at_risk_reason), out.explanation, out.overtime, task.phase_id,
          task.skill, task.min_level);
      if (out.late && !task.started) AddAtRiskEvent(tx, task, out, v1::TASK_STATE_ASSIGNED);
    }
    for (const auto& [id, shape] : before) {
      if (kept.count(id) > 0) continue;
      result.response.mutable_change()->add_removed_task_ids(id);
      tx.exec_params(
          "UPDATE tasks SET state = $2, crew_ids = '{}', vehicle_id = '', update_time = now() "
          "WHERE task_id = $1 AND state <> 4",
          id, static_cast<int>(v1::TASK_STATE_CANCELLED));
    }
    result.response.mutable_change()->mutable_crew_time_delta()->set_seconds(
        (crew_after - crew_before) * 60);
    AddJobEvent(
        tx, v1::EVENT_TYPE_JOB_PLANNED, request.order_id(), request.order_revision(), actor_id,
        plan.transfer
            ? "Transfer " + request.order_id() + " from " + plan.transfer->from_warehouse_id() +
                  " to " + plan.transfer->to_warehouse_id() + ": van run planned"
            : "Order " + request.order_id() + " rev " + std::to_string(request.order_revision()) +
                  ": job planned with " + std::to_string(plan.tasks.size()) + " tasks",
        [&](v1::Event& event) {
          v1::JobPayload* job = event.mutable_job();
          job->set_job_id(request.order_id());
          job->set_tentative(request.tentative());
          job->set_task_count(static_cast<int>(plan.tasks.size()));
          *job->mutable_crew_time_delta() = result.response.change().crew_time_delta();
        });
    for (const PlannedCommitment& commitment : commitments) {
      SaveCommitment(tx, request.order_id(), request.order_revision(), commitment,
                     commitment.phase_id.empty()
                         ? previous_commitment_us
                         : previous_phase_commitment_us[commitment.phase_id]);
    }
    SALESOPS_ASSIGN_OR_RETURN(*result.response.mutable_job(), ReadJob(tx, request.order_id()));
    RememberPlan(tx, idempotent, plan, result.response);
    saved = std::move(result);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return saved;
}

absl::StatusOr<v1::CancelJobResponse> PostgresSchedulingStore::CancelJob(
    const RequestKey& key, const JobCancellation& cancellation, const std::string& actor_id) {
  const std::string& order_id = cancellation.order_id;
  const int64_t order_revision = cancellation.order_revision;
  const std::string& reason = cancellation.reason;
  SALESOPS_ASSIGN_OR_RETURN(
      Answered<v1::CancelJobResponse> answered,
      OnceUnder<v1::CancelJobResponse>(
          pool_, "cancel_job", key,
          [&](pqxx::work& tx, v1::CancelJobResponse& response) -> absl::Status {
            v1::Job& cancelled = *response.mutable_job();
            LockJob(tx, order_id);
            const bool undo = !cancellation.undo_request_id.empty();
            if (undo) {
              tx.exec_params(
                  "INSERT INTO undone_requests (request_id, order_id) VALUES ($1, $2) "
                  "ON CONFLICT (request_id) DO NOTHING",
                  cancellation.undo_request_id, order_id);
            }
            pqxx::result job = tx.exec_params(
                "UPDATE jobs SET state = $2, update_time = now() WHERE order_id = $1 "
                "AND ($3 = 0 OR order_revision = $3) RETURNING order_revision",
                order_id, kJobCancelled, order_revision);
            if (job.empty()) {
              if (!undo) {
                return ReasonedError(
                    absl::StatusCode::kNotFound, v1::NOT_FOUND,
                    "no job for order " + order_id +
                        (order_revision ? " at revision " + std::to_string(order_revision) : ""));
              }
              // The step undone never planned (or planned another revision): nothing to free.
              cancelled = v1::Job();
              absl::StatusOr<v1::Job> as_is = ReadJob(tx, order_id);
              if (as_is.ok()) cancelled = *std::move(as_is);
              return absl::OkStatus();
            }
            tx.exec_params(
                "UPDATE tasks SET state = $2, crew_ids = '{}', vehicle_id = '', update_time = "
                "now() "
                "WHERE order_id = $1 AND state <> 4",
                order_id, static_cast<int>(v1::TASK_STATE_CANCELLED));
            AddJobEvent(tx, v1::EVENT_TYPE_JOB_CANCELLED, order_id, job[0][0].as<int64_t>(),
                        actor_id,
                        "Order " + order_id + ": job cancelled" +
                            (reason.empty() ? "" : " (" + reason + ")"),
                        [&](v1::Event& event) {
                          event.mutable_job()->set_job_id(order_id);
                          event.mutable_job()->set_reason(reason);
                        });
            SALESOPS_ASSIGN_OR_RETURN(cancelled, ReadJob(tx, order_id));
            return absl::OkStatus();
          }));
  return std::move(answered.response);
}

absl::StatusOr<v1::Job> PostgresSchedulingStore::GetJob(const std::string& order_id) {
  v1::Job job;
  absl::Status status = pool_.InTransaction("get_job", [&](pqxx::work& tx) {
    SALESOPS_ASSIGN_OR_RETURN(job, ReadJob(tx, order_id));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return job;
}

absl::StatusOr<Page<v1::Job>> PostgresSchedulingStore::ListJobs(const v1::ListJobsRequest& filter,
                                                                int limit,
                                                                const std::string& after) {
  std::vector<std::string> states;
  for (int state : filter.states()) states.push_back(std::to_string(state));
  Page<v1::Job> page;
  absl::Status status = pool_.InTransaction("list_jobs", [&](pqxx::work& tx) {
    page = Page<v1::Job>();
    common::FillPage(
        page,
        tx.exec_params(std::string("SELECT ") + kJobColumns +
                           " FROM jobs WHERE order_id > $1 AND ($2 = '' OR order_id = $2)"
                           " AND (cardinality($3::smallint[]) = 0 OR state = ANY($3::smallint[]))"
                           " ORDER BY order_id LIMIT $4",
                       after, filter.order_id(), common::PgTextArray(states), limit + 1),
        limit, [](const pqxx::row& row) { return JobFromRow(row); },
        [](const v1::Job& job) { return job.order_id(); });
    std::vector<v1::Job*> jobs;
    for (v1::Job& job : page.entries) jobs.push_back(&job);
    AddPhaseCommitments(tx, jobs);
    if (filter.include_tasks()) AddTasks(tx, jobs);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

absl::StatusOr<SchedulingStore::OpenWork> PostgresSchedulingStore::LoadOpenWork(Span covered) {
  OpenWork work;
  absl::Status status = pool_.InTransaction("load_open_work", [&](pqxx::work& tx) {
    work = OpenWork();
    tx.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    work.view.covered = covered;
    LoadResources(tx, covered, work.view.crew, work.view.vehicles);
    std::map<std::string, int> index_of;
    std::vector<std::vector<std::string>> predecessor_ids;
    std::set<std::string> job_ids;
    for (const auto& row : tx.exec_params(
             "SELECT task_id, order_id, kind, state, not_before, no_later_than, duration, skill, "
             "headcount, needs_vehicle, pinned, predecessors, coalesce(planned_start, -1), "
             "coalesce(planned_finish, -1), crew_ids, vehicle_id, late, at_risk_reason, "
             "explanation, overtime, revision, phase_id, skill_code, min_level, crew_by_offer "
             "FROM tasks "
             "WHERE state IN (1, 2, 3, 5) AND "
             "((no_later_than >= $1 AND not_before < $2) OR (planned_start IS NOT NULL AND "
             "int8range(planned_start, planned_finish) && int8range($1, $2))) ORDER BY task_id",
             covered.start, covered.end)) {
      Task task;
      task.id = row[0].as<std::string>();
      task.job_id = row[1].as<std::string>();
      task.phase_id = row[21].as<std::string>();
      task.kind = static_cast<v1::TaskKind>(row[2].as<int>());
      task.not_before = row[4].as<int64_t>();
      task.no_later_than = row[5].as<int64_t>();
      task.duration = row[6].as<int64_t>();
      task.skill = row[22].as<std::string>();
      task.min_level = row[23].as<int>();
      task.headcount = row[8].as<int>();
      task.needs_vehicle = row[9].as<bool>();
      task.pinned = row[10].as<bool>();
      Assignment current;
      current.task_id = task.id;
      current.start = row[12].as<int64_t>();
      current.finish = row[13].as<int64_t>();
      current.crew_ids = common::ParseTextArray(row[14]);
      current.vehicle_id = row[15].as<std::string>();
      current.late = row[16].as<bool>();
      current.lateness =
          current.start >= 0 ? std::max<Minutes>(0, current.finish - task.no_later_than) : 0;
      current.at_risk_reason = static_cast<v1::AtRiskReason>(row[17].as<int>());
      current.explanation = row[18].as<std::string>();
      current.overtime = row[19].as<int64_t>();
      // Started work, and work freelancers accepted, stays where it is with its people.
      if ((row[3].as<int>() == v1::TASK_STATE_STARTED || row[24].as<bool>()) &&
          current.start >= 0) {
        task.started = Task::Fixed{current.start, current.crew_ids, current.vehicle_id};
      }
      index_of[task.id] = static_cast<int>(work.tasks.size());
      predecessor_ids.push_back(common::ParseTextArray(row[11]));
      job_ids.insert(task.job_id);
      work.revisions.push_back(row[20].as<int64_t>());
      work.current.push_back(std::move(current));
      work.tasks.push_back(std::move(task));
    }
    for (size_t i = 0; i < work.tasks.size(); ++i) {
      for (const std::string& id : predecessor_ids[i]) {
        auto found = index_of.find(id);
        if (found != index_of.end()) work.tasks[i].predecessors.push_back(found->second);
      }
    }
    // A placement is no longer valid on someone now away, inactive or unknown.
    std::map<std::string, const CrewMember*> crew;
    for (const CrewMember& member : work.view.crew) crew[member.id] = &member;
    std::map<std::string, const Vehicle*> vehicles;
    for (const Vehicle& vehicle : work.view.vehicles) vehicles[vehicle.id] = &vehicle;
    auto overlaps = [](const std::vector<Span>& spans, const Assignment& out) {
      for (const Span& span : spans) {
        if (span.start < out.finish && out.start < span.end) return true;
      }
      return false;
    };
    for (const Assignment& out : work.current) {
      bool invalid = false;
      if (out.start >= 0) {
        for (const std::string& id : out.crew_ids) {
          auto found = crew.find(id);
          invalid = invalid || found == crew.end() || overlaps(found->second->unavailable, out);
        }
        if (!out.vehicle_id.empty()) {
          auto found = vehicles.find(out.vehicle_id);
          invalid = invalid || found == vehicles.end() || overlaps(found->second->unavailable, out);
        }
      }
      work.placement_invalid.push_back(invalid);
    }
    for (const auto& row : tx.exec_params(
             "SELECT order_id, ts_to_us(commitment_time) / 60000000 FROM jobs "
             "WHERE order_id = ANY($1::text[]) AND commitment_time IS NOT NULL AND state <> $2",
             common::PgTextArray(std::vector<std::string>(job_ids.begin(), job_ids.end())),
             kJobCancelled)) {
      work.delivery_commitments[row[0].as<std::string>()] = row[1].as<int64_t>();
    }
    for (const auto& row : tx.exec_params(
             "SELECT p.order_id, p.phase_id, ts_to_us(p.commitment_time) / 60000000 "
             "FROM job_phases p JOIN jobs j USING (order_id) WHERE p.order_id = ANY($1::text[]) "
             "AND p.commitment_time IS NOT NULL AND j.state <> $2",
             common::PgTextArray(std::vector<std::string>(job_ids.begin(), job_ids.end())),
             kJobCancelled)) {
      work.delivery_commitments[CommitmentKey(row[0].as<std::string>(), row[1].as<std::string>())] =
          row[2].as<int64_t>();
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return work;
}

absl::StatusOr<std::optional<v1::RunAssignmentResponse>> PostgresSchedulingStore::SaveMoves(
    const RequestKey& key, const OpenWork& work, const AssignmentResult& result, const Moves& moves,
    v1::AssignmentRun run) {
  std::optional<v1::RunAssignmentResponse> saved;
  if (result.assignments.size() != work.tasks.size()) {
    return absl::InternalError(absl::StrCat("the solver placed ", result.assignments.size(),
                                            " tasks of ", work.tasks.size()));
  }
  const common::IdempotentRequest idempotent = IdempotencyOf(key);
  absl::Status status = pool_.InTransaction("save_moves", [&](pqxx::work& tx) {
    saved.reset();
    SALESOPS_ASSIGN_OR_RETURN(std::optional<v1::RunAssignmentResponse> earlier,
                              Replayed<v1::RunAssignmentResponse>(tx, idempotent));
    if (earlier) {
      saved = *std::move(earlier);
      return absl::OkStatus();
    }
    v1::RunAssignmentResponse response;
    run.set_assignment_run_id(tx.exec1("SELECT gen_random_uuid()::text")[0].as<std::string>());
    run.set_changed_assignment_count(static_cast<int>(moves.moved.size()));
    *run.mutable_run_time() = common::NowTimestamp();
    if (moves.moved.empty()) {
      *response.mutable_run() = run;
      idempotent.Remember(tx, response);
      saved = std::move(response);
      return absl::OkStatus();
    }
    std::vector<std::string> moved_ids;
    std::map<std::string, int64_t> read_revision;
    std::vector<NewPlace> places;
    for (int i : moves.moved) {
      moved_ids.push_back(work.tasks[i].id);
      read_revision[work.tasks[i].id] = work.revisions[i];
      for (NewPlace& place : PlacesOf(result.assignments[i])) places.push_back(std::move(place));
    }
    // Moved by someone else since they were read (or gone): read again.
    pqxx::result locked = tx.exec_params(
        "SELECT task_id, revision FROM tasks WHERE task_id = ANY($1::text[]) "
        "AND state IN (1, 2, 5) ORDER BY task_id FOR UPDATE",
        common::PgTextArray(moved_ids));
    if (locked.size() != moved_ids.size()) return absl::OkStatus();
    for (const auto& row : locked) {
      if (read_revision[row[0].as<std::string>()] != row[1].as<int64_t>()) return absl::OkStatus();
    }
    if (!PlacesStillFree(tx, places, moved_ids, "")) return absl::OkStatus();

    std::set<std::string> moved_deliveries;
    for (int i : moves.moved) {
      const Task& task = work.tasks[i];
      const Assignment& out = result.assignments[i];
      const Assignment& before = work.current[i];
      std::string explanation = moves.reason + ". " + out.explanation;
      v1::Task updated = TaskFromRow(tx.exec_params1(
          std::string("UPDATE tasks SET planned_start = $2, planned_finish = $3, "
                      "crew_ids = $4::text[], vehicle_id = $5, late = $6, at_risk_reason = $7, "
                      "explanation = $8, overtime = $9, state = CASE WHEN cardinality($4::text[]) "
                      "> 0 AND state = 1 THEN 2 WHEN cardinality($4::text[]) = 0 AND state = 2 "
                      "THEN 1 ELSE state END, revision = revision + 1, update_time = now() "
                      "WHERE task_id = $1 RETURNING ") +
              kTaskColumns,
          task.id, out.start, out.finish, common::PgTextArray(out.crew_ids), out.vehicle_id,
          out.late, static_cast<int>(out.at_risk_reason), explanation, out.overtime));
      AddJobEvent(
          tx, v1::EVENT_TYPE_TASK_ASSIGNED, task.job_id, 0, kSourceService,
          "Order " + task.job_id + ": " + v1::TaskKind_Name(task.kind) + " moved: " + explanation,
          [&](v1::Event& event) {
            v1::TaskPayload* payload = event.mutable_task();
            payload->set_task_id(task.id);
            payload->set_job_id(task.job_id);
            payload->set_kind(task.kind);
            payload->set_state(updated.state());
            *payload->mutable_window()->mutable_not_before() = AtMinute(out.start);
            *payload->mutable_window()->mutable_no_later_than() = AtMinute(out.finish);
            for (const std::string& id : out.crew_ids) payload->add_crew_member_ids(id);
            payload->set_vehicle_id(out.vehicle_id);
            payload->set_explanation(explanation);
            payload->set_at_risk_reason(out.at_risk_reason);
          });
      if (out.late && !before.late) AddAtRiskEvent(tx, task, out, updated.state());
      if (task.kind == v1::TASK_KIND_DELIVER) moved_deliveries.insert(task.job_id);
      *response.add_changed_tasks() = std::move(updated);
    }
    for (int i : moves.moved) {
      const Task& task = work.tasks[i];
      if (!FinishIsCommitted(task.kind)) continue;
      // A further phase's delivery answers for that phase's commitment, not the job's.
      pqxx::row job = task.phase_id.empty()
                          ? tx.exec_params1(
                                "SELECT ts_to_us(requested_by) / 60000000, "
                                "coalesce(ts_to_us(commitment_time), 0), order_revision "
                                "FROM jobs WHERE order_id = $1",
                                task.job_id)
                          : tx.exec_params1(
                                "SELECT ts_to_us(p.requested_by) / 60000000, "
                                "coalesce(ts_to_us(p.commitment_time), 0), j.order_revision "
                                "FROM job_phases p JOIN jobs j USING (order_id) "
                                "WHERE p.order_id = $1 AND p.phase_id = $2",
                                task.job_id, task.phase_id);
      PlannedCommitment commitment =
          CommitmentForDelivery(job[0].as<int64_t>(), result.assignments[i]);
      commitment.phase_id = task.phase_id;
      SaveCommitment(tx, task.job_id, job[2].as<int64_t>(), commitment, job[1].as<int64_t>());
    }
    AddJobEvent(
        tx, v1::EVENT_TYPE_SCHEDULE_CHANGED, "", 0, kSourceService,
        std::to_string(moves.moved.size()) + " assignment(s) changed: " + moves.reason,
        [&](v1::Event& event) {
          event.mutable_job()->set_assignment_run_id(run.assignment_run_id());
          event.mutable_job()->set_changed_assignment_count(static_cast<int>(moves.moved.size()));
          event.mutable_job()->set_reason(moves.reason);
        });
    *response.mutable_run() = run;
    idempotent.Remember(tx, response);
    saved = std::move(response);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return saved;
}

absl::StatusOr<std::map<v1::AtRiskReason, int64_t>> PostgresSchedulingStore::CountTasksAtRisk() {
  std::map<v1::AtRiskReason, int64_t> counts;
  absl::Status status = pool_.InTransaction("count_tasks_at_risk", [&](pqxx::work& tx) {
    counts.clear();
    for (const auto& row : tx.exec_params(
             std::string("SELECT CASE WHEN state = $1 THEN $2 WHEN offer_note <> '' THEN $4 "
                         "ELSE at_risk_reason END, count(*) FROM tasks t WHERE state IN ") +
                 kOpenStates +
                 " AND (late OR state = $1 OR offer_note <> '') AND EXISTS (SELECT 1 FROM jobs j "
                 "WHERE j.order_id = t.order_id AND j.state <> $3) GROUP BY 1",
             static_cast<int>(v1::TASK_STATE_BLOCKED),
             static_cast<int>(v1::AT_RISK_REASON_TASK_BLOCKED), kJobCancelled,
             static_cast<int>(v1::AT_RISK_REASON_CREW_PENDING))) {
      counts[static_cast<v1::AtRiskReason>(row[0].as<int>())] += row[1].as<int64_t>();
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return counts;
}

absl::StatusOr<v1::UpdateTaskStateResponse> PostgresSchedulingStore::UpdateTaskState(
    const RequestKey& key, const v1::UpdateTaskStateRequest& request, const std::string& actor_id,
    const std::function<absl::Status(const v1::Task&)>& may_update) {
  SALESOPS_ASSIGN_OR_RETURN(
      Answered<v1::UpdateTaskStateResponse> answered,
      OnceUnder<v1::UpdateTaskStateResponse>(
          pool_, "update_task_state", key,
          [&](pqxx::work& tx, v1::UpdateTaskStateResponse& response) -> absl::Status {
            v1::Task& task = *response.mutable_task();
            pqxx::result rows = tx.exec_params(
                std::string("SELECT ") + kTaskColumns + " FROM tasks WHERE task_id = $1 FOR UPDATE",
                request.task_id());
            if (rows.empty()) {
              return ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                                   "task " + request.task_id() + " does not exist");
            }
            v1::Task before = TaskFromRow(rows[0]);
            SALESOPS_RETURN_IF_ERROR(may_update(before));
            if (!request.etag().empty() && before.etag() != request.etag()) {
              return ReasonedError(absl::StatusCode::kAborted, v1::STALE_REVISION,
                                   "task " + request.task_id() + " changed; read it again");
            }
            if (before.state() == v1::TASK_STATE_DONE ||
                before.state() == v1::TASK_STATE_CANCELLED) {
              return common::BusinessRefusal(v1::INVALID_STAGE_TRANSITION,
                                             "task " + request.task_id() + " is already " +
                                                 v1::TaskState_Name(before.state()));
            }
            task = TaskFromRow(tx.exec_params1(
                std::string(
                    "UPDATE tasks SET state = $2, state_note = $3, revision = revision + 1, "
                    "update_time = now() WHERE task_id = $1 RETURNING ") +
                    kTaskColumns,
                request.task_id(), static_cast<int>(request.state()), request.note()));
            // Both events carry the task and the move; ON_SITE follows a delivery done.
            const auto task_payload = [&](v1::Event& event) {
              v1::TaskPayload* payload = event.mutable_task();
              payload->set_task_id(task.task_id());
              payload->set_job_id(task.job_id());
              payload->set_kind(task.kind());
              payload->set_state(task.state());
              payload->set_previous_state(before.state());
              payload->set_reason(request.note());
            };
            AddJobEvent(tx, v1::EVENT_TYPE_TASK_STATE_CHANGED, task.order_id(), 0, actor_id,
                        "Order " + task.order_id() + ": " + v1::TaskKind_Name(task.kind()) + " " +
                            v1::TaskState_Name(request.state()) +
                            (request.note().empty() ? "" : " (" + request.note() + ")"),
                        task_payload);
            // The delivery done is the moment the gear is at the venue: order-intake moves the
            // order to ON_SITE on this event. With phases, the first phase's arrival does; the
            // later ones find the order there already.
            if (task.kind() == v1::TASK_KIND_DELIVER && task.state() == v1::TASK_STATE_DONE &&
                tx.exec_params("SELECT 1 FROM tasks WHERE order_id = $1 AND kind = $2 "
                               "AND state = $3 AND task_id <> $4",
                               task.order_id(), static_cast<int>(v1::TASK_KIND_DELIVER),
                               static_cast<int>(v1::TASK_STATE_DONE), task.task_id())
                    .empty()) {
              AddJobEvent(tx, v1::EVENT_TYPE_ON_SITE, task.order_id(), 0, actor_id,
                          "Order " + task.order_id() + " is on site", task_payload);
            }
            return absl::OkStatus();
          }));
  return std::move(answered.response);
}

absl::StatusOr<v1::GetScheduleResponse> PostgresSchedulingStore::GetSchedule(
    const std::string& crew_member_id, const std::string& vehicle_id, Minutes from, Minutes to,
    int limit) {
  v1::GetScheduleResponse response;
  absl::Status status = pool_.InTransaction("get_schedule", [&](pqxx::work& tx) {
    if (!crew_member_id.empty())
      SALESOPS_RETURN_IF_ERROR(CheckRevision(tx, kCrewTable, crew_member_id, ""));
    if (!vehicle_id.empty())
      SALESOPS_RETURN_IF_ERROR(CheckRevision(tx, kVehicleTable, vehicle_id, ""));
    std::map<std::string, Minutes> load;
    for (const auto& row :
         tx.exec_params(std::string("SELECT ") + kTaskColumns +
                            " FROM tasks WHERE planned_start IS NOT NULL AND planned_start < $2 "
                            "AND planned_finish > $1 AND state <> 6 "
                            "AND ($3 = '' OR $3 = ANY(crew_ids)) AND ($4 = '' OR vehicle_id = $4) "
                            "ORDER BY planned_start, task_id LIMIT $5",
                        from, to, crew_member_id, vehicle_id, limit)) {
      v1::Task task = TaskFromRow(row);
      v1::ScheduleEntry* entry = response.add_entries();
      Minutes minutes = task.duration().seconds() / 60;
      for (const v1::Assignment& assignment : task.assignments()) {
        load[assignment.crew_member_id()] += minutes;
        if (crew_member_id.empty() || assignment.crew_member_id() == crew_member_id) {
          *entry->mutable_assignment() = assignment;
        }
      }
      *entry->mutable_task() = std::move(task);
    }
    for (const auto& [id, minutes] : load) {
      if (!crew_member_id.empty() && id != crew_member_id) continue;
      v1::CrewLoad* crew_load = response.add_crew_loads();
      crew_load->set_crew_member_id(id);
      crew_load->mutable_assigned_work()->set_seconds(minutes * 60);
    }
    for (const auto& row : tx.exec_params(
             std::string("SELECT ") + kUnavailabilityColumns +
                 " FROM unavailability WHERE during && tstzrange(us_to_ts($1), us_to_ts($2), "
                 "'[)') AND ($3 = '' OR crew_member_id = $3) AND ($4 = '' OR vehicle_id = $4) "
                 "ORDER BY lower(during)",
             from * 60 * 1000000, to * 60 * 1000000, crew_member_id, vehicle_id)) {
      *response.add_unavailability() = UnavailabilityFromRow(row);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<std::vector<SchedulingStore::PrepLine>> PostgresSchedulingStore::ListPrepLines(
    Minutes from, Minutes to) {
  std::vector<PrepLine> lines;
  absl::Status status = pool_.InTransaction("list_prep_lines", [&](pqxx::work& tx) {
    for (const auto& row : tx.exec_params(
             "SELECT j.order_id, j.order_revision, j.state, j.win_probability, p.not_before, "
             "p.no_later_than, p.duration, coalesce(p.planned_start, -1), p.late, p.state, "
             "coalesce(l.no_later_than, p.no_later_than), p.phase_id, p.task_id "
             "FROM jobs j JOIN tasks p ON p.order_id = j.order_id AND p.kind = 1 "
             "LEFT JOIN tasks l ON l.order_id = j.order_id AND l.kind = 2 "
             "AND l.phase_id = p.phase_id "
             "WHERE j.state <> $3 AND p.no_later_than >= $1 AND p.no_later_than < $2 "
             "ORDER BY p.no_later_than, j.order_id",
             from, to, kJobCancelled)) {
      PrepLine line;
      line.order_id = row[0].as<std::string>();
      line.order_revision = row[1].as<int64_t>();
      line.job_state = static_cast<v1::JobState>(row[2].as<int>());
      line.win_probability = row[3].as<double>();
      line.prep_not_before = row[4].as<int64_t>();
      line.prep_no_later_than = row[5].as<int64_t>();
      line.prep_duration = row[6].as<int64_t>();
      line.planned_start = row[7].as<int64_t>();
      line.late = row[8].as<bool>();
      line.prep_state = static_cast<v1::TaskState>(row[9].as<int>());
      line.load_out_by = row[10].as<int64_t>();
      line.phase_id = row[11].as<std::string>();
      line.prep_task_id = row[12].as<std::string>();
      lines.push_back(line);
    }
    // What each warehouse person already does around those preps.
    std::map<std::string, std::vector<std::tuple<Span, double, std::string>>> work;
    std::vector<std::string> warehouse_crew;
    for (const auto& row :
         tx.exec_params("SELECT crew_member_id FROM crew_members m WHERE active AND EXISTS "
                        "(SELECT 1 FROM crew_skills s WHERE s.crew_member_id = m.crew_member_id "
                        "AND s.skill_code = $1) ORDER BY crew_member_id",
                        std::string(kWarehouseSkill))) {
      warehouse_crew.push_back(row[0].as<std::string>());
    }
    for (const auto& row : tx.exec_params(
             "SELECT c.crew_id, t.planned_start, t.planned_finish, j.win_probability, t.task_id "
             "FROM tasks t JOIN jobs j USING (order_id), unnest(t.crew_ids) AS c(crew_id) "
             "WHERE t.planned_start IS NOT NULL AND t.state NOT IN (4, 6) AND j.state <> $3 "
             "AND t.planned_finish > $1 - 20160 AND t.planned_start < $2",
             from, to, kJobCancelled)) {
      work[row[0].as<std::string>()].emplace_back(Span{row[1].as<int64_t>(), row[2].as<int64_t>()},
                                                  row[3].as<double>(), row[4].as<std::string>());
    }
    for (PrepLine& line : lines) {
      for (const std::string& crew_id : warehouse_crew) {
        std::vector<WeightedSpan> items;
        for (const auto& [span, weight, task_id] : work[crew_id]) {
          if (task_id != line.prep_task_id) items.push_back({span, weight});
        }
        line.warehouse_work.push_back(std::move(items));
      }
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return lines;
}

}  // namespace salesops::scheduling

// ---- Calendar feeds (calendar_feed.h) --------------------------------------------------------

namespace salesops::scheduling {

absl::StatusOr<int64_t> PostgresSchedulingStore::CalendarFeedGeneration(
    const std::string& crew_member_id) {
  int64_t generation = 0;
  absl::Status status = pool_.InTransaction("calendar_feed_generation", [&](pqxx::work& tx) {
    pqxx::result rows = tx.exec_params(
        "SELECT calendar_generation FROM crew_members WHERE crew_member_id = $1", crew_member_id);
    if (rows.empty()) {
      return ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                           "crew member " + crew_member_id + " does not exist");
    }
    generation = rows[0][0].as<int64_t>();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return generation;
}

absl::StatusOr<int64_t> PostgresSchedulingStore::ResetCalendarFeed(
    const RequestKey& key, const std::string& crew_member_id) {
  // The answer kept is the generation alone: the URL carries a signature, which is kept nowhere.
  SALESOPS_ASSIGN_OR_RETURN(
      Answered<google::protobuf::Int64Value> answered,
      OnceUnder<google::protobuf::Int64Value>(
          pool_, "reset_calendar_feed", key,
          [&](pqxx::work& tx, google::protobuf::Int64Value& generation) -> absl::Status {
            pqxx::result rows = tx.exec_params(
                "UPDATE crew_members SET calendar_generation = calendar_generation + 1 "
                "WHERE crew_member_id = $1 RETURNING calendar_generation",
                crew_member_id);
            if (rows.empty()) {
              return ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                                   "crew member " + crew_member_id + " does not exist");
            }
            generation.set_value(rows[0][0].as<int64_t>());
            return absl::OkStatus();
          }));
  return answered.response.value();
}

absl::StatusOr<std::optional<CalendarFeedSource>> PostgresSchedulingStore::LoadCalendarFeed(
    const std::string& crew_member_id, Minutes from, Minutes to, int limit) {
  std::optional<CalendarFeedSource> source;
  absl::Status status = pool_.InTransaction("load_calendar_feed", [&](pqxx::work& tx) {
    source.reset();
    pqxx::result member = tx.exec_params(
        "SELECT body, active, calendar_generation FROM crew_members WHERE crew_member_id = $1",
        crew_member_id);
    if (member.empty()) return absl::OkStatus();
    v1::CrewMember stored;
    pqxx::binarystring body(member[0][0]);
    stored.ParseFromArray(body.data(), static_cast<int>(body.size()));
    CalendarFeedSource loaded;
    loaded.crew_member_id = crew_member_id;
    loaded.display_name = stored.display_name();
    loaded.zone_id = stored.zone_id();
    loaded.active = member[0][1].as<bool>();
    loaded.generation = member[0][2].as<int64_t>();
    // Done work stays in the feed (what was worked), cancelled work has nobody on it any more.
    for (const auto& row : tx.exec_params(
             std::string("SELECT ") + kTaskColumns +
                 " FROM tasks WHERE crew_ids @> ARRAY[$1]::text[] AND planned_start IS NOT NULL "
                 "AND planned_start < $3 AND planned_finish > $2 AND state <> $4 "
                 "ORDER BY planned_start, task_id LIMIT $5",
             crew_member_id, from, to, static_cast<int>(v1::TASK_STATE_CANCELLED), limit)) {
      v1::Task task = TaskFromRow(row);
      v1::ScheduleEntry entry;
      for (const v1::Assignment& assignment : task.assignments()) {
        if (assignment.crew_member_id() == crew_member_id) *entry.mutable_assignment() = assignment;
      }
      // The feed is one person's: who else works the task is not theirs to publish.
      task.clear_assignments();
      *entry.mutable_task() = std::move(task);
      loaded.assignments.push_back(std::move(entry));
    }
    for (const auto& row :
         tx.exec_params(std::string("SELECT ") + kUnavailabilityColumns +
                            " FROM unavailability WHERE crew_member_id = $1 "
                            "AND during && tstzrange(us_to_ts($2), us_to_ts($3), '[)') "
                            "ORDER BY lower(during), unavailability_id LIMIT $4",
                        crew_member_id, from * 60 * 1000000, to * 60 * 1000000, limit)) {
      loaded.time_off.push_back(UnavailabilityFromRow(row));
    }
    source = std::move(loaded);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return source;
}

}  // namespace salesops::scheduling

// Crew self-service (issue 20): whose a CREW token is, and the rules crew work within.
namespace salesops::scheduling {
namespace {

v1::CrewRules CrewRulesFromRow(const pqxx::row& row) {
  // Columns: body, revision, ts_to_us(update_time).
  v1::CrewRules rules = common::ParseRecord<v1::CrewRules>(row[0]);
  rules.set_etag(row[1].as<std::string>());
  *rules.mutable_update_time() = common::TimestampFromMicros(row[2].as<int64_t>());
  return rules;
}

}  // namespace

absl::StatusOr<std::optional<v1::CrewMember>> PostgresSchedulingStore::CrewMemberOfPerson(
    const std::string& person_id) {
  std::optional<v1::CrewMember> member;
  if (person_id.empty()) return member;
  absl::Status status = pool_.Read("crew_member_of_person", [&](pqxx::transaction_base& tx) {
    pqxx::result rows = tx.exec_params(
        "SELECT body, revision, ts_to_us(create_time), ts_to_us(update_time) FROM crew_members "
        "WHERE person_id = $1",
        person_id);
    if (!rows.empty()) member = FromRow<v1::CrewMember>(rows[0]);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return member;
}

absl::StatusOr<v1::CrewRules> PostgresSchedulingStore::GetCrewRules() {
  v1::CrewRules rules;
  absl::Status status = pool_.Read("get_crew_rules", [&](pqxx::transaction_base& tx) {
    rules =
        CrewRulesFromRow(tx.exec1("SELECT body, revision, ts_to_us(update_time) FROM crew_rules"));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return rules;
}

absl::StatusOr<v1::UpdateCrewRulesResponse> PostgresSchedulingStore::UpdateCrewRules(
    const RequestKey& key, const v1::CrewRules& rules, const std::string& etag) {
  SALESOPS_ASSIGN_OR_RETURN(
      Answered<v1::UpdateCrewRulesResponse> answered,
      OnceUnder<v1::UpdateCrewRulesResponse>(
          pool_, "update_crew_rules", key,
          [&](pqxx::work& tx, v1::UpdateCrewRulesResponse& response) -> absl::Status {
            const std::string revision =
                tx.exec1("SELECT revision FROM crew_rules FOR UPDATE")[0].as<std::string>();
            if (!etag.empty() && etag != revision) {
              return ReasonedError(absl::StatusCode::kAborted, v1::STALE_REVISION,
                                   "the crew rules were changed by someone else; read them "
                                   "again and retry");
            }
            v1::CrewRules stored = rules;
            stored.clear_etag();
            stored.clear_update_time();
            const std::string body = stored.SerializeAsString();
            *response.mutable_rules() = CrewRulesFromRow(tx.exec_params1(
                "UPDATE crew_rules SET body = $1, revision = revision + 1, update_time = now() "
                "RETURNING body, revision, ts_to_us(update_time)",
                common::RecordBytes(body)));
            return absl::OkStatus();
          }));
  return std::move(answered.response);
}

absl::StatusOr<std::vector<std::string>> PostgresSchedulingStore::BackfillCrewPersonIds() {
  std::vector<std::string> left_without;
  absl::Status status = pool_.InTransaction("backfill_crew_person_ids", [&](pqxx::work& tx) {
    left_without.clear();
    // Replicas starting together take turns on the rows; the second finds nothing left.
    for (const auto& row :
         tx.exec("SELECT crew_member_id, body FROM crew_members WHERE person_id IS NULL "
                 "ORDER BY crew_member_id FOR UPDATE")) {
      const std::string id = row[0].as<std::string>();
      std::string person_id = common::ParseRecord<v1::CrewMember>(row[1]).person_id();
      if (!person_id.empty()) {
        // The lock KeepPersonId takes: a member written meanwhile cannot take the id too.
        tx.exec_params("SELECT pg_advisory_xact_lock($1, $2)", ResourceKey('p', person_id),
                       kPersonIdClaim);
        if (!tx.exec_params("SELECT 1 FROM crew_members WHERE person_id = $1", person_id).empty()) {
          left_without.push_back(id);
          person_id.clear();
        }
      }
      tx.exec_params("UPDATE crew_members SET person_id = $2 WHERE crew_member_id = $1", id,
                     person_id);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return left_without;
}

// ---- Offers to freelancers ---------------------------------------------------------------------

namespace {

constexpr int kOfferSent = v1::OFFER_STATE_SENT;
constexpr int kOfferAccepted = v1::OFFER_STATE_ACCEPTED;
constexpr int kOfferDeclined = v1::OFFER_STATE_DECLINED;
constexpr int kOfferExpired = v1::OFFER_STATE_EXPIRED;
constexpr int kOfferWithdrawn = v1::OFFER_STATE_WITHDRAWN;

// Whether the freelancer of offer `o` is off during its work: time off (or other unavailability)
// overlapping it, or no longer an active member.
constexpr char kFreelancerOff[] =
    "(EXISTS (SELECT 1 FROM unavailability u WHERE u.crew_member_id = o.crew_member_id AND "
    "u.during && tstzrange(to_timestamp(o.start_minute * 60), to_timestamp(o.finish_minute * "
    "60))) OR NOT EXISTS (SELECT 1 FROM crew_members m WHERE m.crew_member_id = "
    "o.crew_member_id AND m.active))";

// (RunOfferRound's withdrawal names them with its table's alias: keep the two alike.)
constexpr char kOfferColumns[] =
    "body, state, decline_reason, ts_to_us(create_time), ts_to_us(update_time)";

// Columns from `first`: those of kOfferColumns.
v1::CrewOffer OfferFromRow(const pqxx::row& row, int first = 0) {
  v1::CrewOffer offer = common::ParseRecord<v1::CrewOffer>(row[first]);
  offer.set_state(static_cast<v1::OfferState>(row[first + 1].as<int>()));
  offer.set_decline_reason(row[first + 2].as<std::string>());
  *offer.mutable_create_time() = common::TimestampFromMicros(row[first + 3].as<int64_t>());
  *offer.mutable_update_time() = common::TimestampFromMicros(row[first + 4].as<int64_t>());
  return offer;
}

// An offer as stored: what was sent, its state and times in their own columns.
std::string OfferBody(v1::CrewOffer offer) {
  offer.clear_state();
  offer.clear_decline_reason();
  offer.clear_create_time();
  offer.clear_update_time();
  return offer.SerializeAsString();
}

// Listing order, newest first: the creation time counted down, then the id.
std::string OfferPageKey(const v1::CrewOffer& offer) {
  char countdown[24];
  std::snprintf(countdown, sizeof(countdown), "%019lld",
                static_cast<long long>(INT64_MAX - common::ToMicros(offer.create_time())));
  return countdown + offer.offer_id();
}

// The person an offer is addressed to (their CrewMember.person_id), "" when they have none.
std::string PersonOfMember(pqxx::work& tx, const std::string& crew_member_id) {
  pqxx::result rows = tx.exec_params(
      "SELECT coalesce(person_id, '') FROM crew_members WHERE crew_member_id = $1", crew_member_id);
  return rows.empty() ? "" : rows[0][0].as<std::string>();
}

std::string OfferWords(const v1::CrewOffer& offer) {
  return absl::StrCat(v1::TaskKind_Name(offer.task_kind()).substr(10), " ", offer.skill_code(),
                      " on order ", offer.order_id(), ", ",
                      OfferClock(offer.start_time().seconds() / 60), " to ",
                      OfferClock(offer.finish_time().seconds() / 60));
}

// An event about an offer, addressed to its freelancer.
void AddOfferEvent(pqxx::work& tx, v1::EventType type, const v1::CrewOffer& offer,
                   const std::string& actor_id, const std::string& summary) {
  const std::string person = PersonOfMember(tx, offer.crew_member_id());
  AddJobEvent(tx, type, offer.order_id(), 0, actor_id, summary, [&](v1::Event& event) {
    *event.mutable_crew_offer() = offer;
    if (!person.empty()) event.add_recipient_person_ids(person);
  });
}

// What a task waiting for answers says: who was asked, until when, and how many places are taken.
void NoteOffers(pqxx::work& tx, const std::string& task_id) {
  std::string waiting;
  int accepted = 0;
  int headcount = 1;
  for (const auto& row : tx.exec_params(
           "SELECT o.crew_member_id, o.state, ts_to_us(o.reply_by) / 60000000, t.headcount "
           "FROM crew_offers o JOIN tasks t USING (task_id) WHERE o.task_id = $1 "
           "AND o.state IN (1, 2) ORDER BY o.place",
           task_id)) {
    headcount = row[3].as<int>();
    if (row[1].as<int>() == kOfferAccepted) {
      ++accepted;
      continue;
    }
    absl::StrAppend(&waiting, waiting.empty() ? "" : ", ", row[0].as<std::string>(), " (reply by ",
                    OfferClock(row[2].as<int64_t>()), ")");
  }
  std::string note;
  if (!waiting.empty()) {
    note = absl::StrCat("crew pending: offered to ", waiting, "; ", accepted, " of ", headcount,
                        " places accepted");
  }
  tx.exec_params("UPDATE tasks SET offer_note = $2 WHERE task_id = $1 AND offer_note <> $2",
                 task_id, note);
}

// Once every place of the task is taken by an accepted offer, the task is theirs at the offered
// times, kept there like started work. Returns whether it is covered.
bool CoverIfAccepted(pqxx::work& tx, const std::string& task_id) {
  pqxx::row task = tx.exec_params1(
      "SELECT headcount, crew_by_offer, not_before, no_later_than FROM tasks WHERE task_id = $1",
      task_id);
  if (task[1].as<bool>()) return true;
  std::vector<std::string> crew;
  Minutes start = 0, finish = 0;
  for (const auto& row :
       tx.exec_params("SELECT crew_member_id, start_minute, finish_minute FROM crew_offers "
                      "WHERE task_id = $1 AND state = 2 ORDER BY place",
                      task_id)) {
    crew.push_back(row[0].as<std::string>());
    start = row[1].as<int64_t>();
    finish = row[2].as<int64_t>();
  }
  if (static_cast<int>(crew.size()) < task[0].as<int>()) return false;
  tx.exec_params(
      "UPDATE tasks SET crew_ids = $2::text[], planned_start = $3, planned_finish = $4, "
      "late = false, at_risk_reason = 0, state = CASE WHEN state = 1 THEN 2 ELSE state END, "
      "explanation = $5, crew_by_offer = true, offer_note = '', revision = revision + 1, "
      "update_time = now() WHERE task_id = $1",
      task_id, common::PgTextArray(crew), start, finish,
      "covered by freelancers " + absl::StrJoin(crew, ", ") + " (offers accepted); " +
          OfferClock(start) + " to " + OfferClock(finish));
  return true;
}

// Freelancers as offers read them: active members with employment FREELANCER, what they hold,
// when they are busy around `slot`, and what they accepted that week.
std::vector<Freelancer> LoadFreelancers(pqxx::work& tx, Span slot, const std::string& task_id,
                                        std::map<std::string, v1::CrewMember>& members) {
  std::vector<Freelancer> freelancers;
  std::map<std::string, int> index;
  for (const auto& row :
       tx.exec("SELECT crew_member_id, body FROM crew_members WHERE active ORDER BY 1")) {
    v1::CrewMember member = common::ParseRecord<v1::CrewMember>(row[1]);
    if (member.employment() != v1::EMPLOYMENT_FREELANCER) continue;
    member.set_crew_member_id(row[0].as<std::string>());
    NormalizeSkills(member, absl::Now());
    Freelancer freelancer;
    freelancer.crew_member_id = member.crew_member_id();
    freelancer.display_name = member.display_name();
    freelancer.skills = SolverSkillsOf(member);
    index[freelancer.crew_member_id] = static_cast<int>(freelancers.size());
    freelancers.push_back(std::move(freelancer));
    members[member.crew_member_id()] = std::move(member);
  }
  if (freelancers.empty()) return freelancers;
  for (const auto& row : tx.exec_params(
           "SELECT crew_member_id, ts_to_us(lower(during)) / 60000000, "
           "ts_to_us(upper(during)) / 60000000 FROM unavailability WHERE crew_member_id IS NOT "
           "NULL AND during && tstzrange(to_timestamp($1::bigint * 60), "
           "to_timestamp($2::bigint * 60), '[)')",
           slot.start, slot.end)) {
    auto found = index.find(row[0].as<std::string>());
    if (found != index.end()) {
      freelancers[found->second].busy.push_back({row[1].as<int64_t>(), row[2].as<int64_t>()});
    }
  }
  // Their other work: offers they hold or are still answering, and tasks they are on.
  const Minutes week_start = slot.start - ((slot.start / kDay + 3) % 7) * kDay - slot.start % kDay;
  for (const auto& row : tx.exec_params(
           "SELECT crew_member_id, start_minute, finish_minute, state FROM crew_offers "
           "WHERE state IN (1, 2) AND task_id <> $1 AND start_minute < $3 AND finish_minute > $2",
           task_id, week_start, week_start + 7 * kDay)) {
    auto found = index.find(row[0].as<std::string>());
    if (found == index.end()) continue;
    Span span{row[1].as<int64_t>(), row[2].as<int64_t>()};
    freelancers[found->second].busy.push_back(span);
    if (row[3].as<int>() == kOfferAccepted)
      freelancers[found->second].booked += span.end - span.start;
  }
  for (const auto& row : tx.exec_params(
           "SELECT c.crew_id, planned_start, planned_finish FROM tasks, unnest(crew_ids) AS "
           "c(crew_id) WHERE state IN (1, 2, 3, 5) AND planned_start IS NOT NULL AND task_id <> $1 "
           "AND planned_start < $3 AND planned_finish > $2",
           task_id, slot.start, slot.end)) {
    auto found = index.find(row[0].as<std::string>());
    if (found != index.end()) {
      freelancers[found->second].busy.push_back({row[1].as<int64_t>(), row[2].as<int64_t>()});
    }
  }
  return freelancers;
}

// Offers the next candidates for every open place of one task (locked, or skipped when another
// replica has it). Returns how many offers were sent.
absl::StatusOr<int> OfferTask(pqxx::work& tx, const std::string& task_id, Minutes now) {
  pqxx::result rows = tx.exec_params(
      "SELECT t.order_id, t.kind, t.skill_code, t.min_level, t.headcount, t.not_before, "
      "t.no_later_than, t.duration, t.predecessors FROM tasks t JOIN jobs j USING (order_id) "
      "WHERE t.task_id = $1 AND t.state IN (1, 2) AND NOT t.crew_by_offer AND t.late AND "
      "t.at_risk_reason = $2 AND NOT t.needs_vehicle AND j.state IN (2, 3) AND "
      "t.no_later_than > $3 FOR UPDATE OF t SKIP LOCKED",
      task_id, static_cast<int>(v1::AT_RISK_REASON_NO_SKILLED_CREW_FREE), now);
  if (rows.empty()) return 0;
  const pqxx::row task = rows[0];
  const int headcount = task[4].as<int>();
  std::set<int> open_places;
  for (int place = 0; place < headcount; ++place) open_places.insert(place);
  std::set<std::string> asked;
  std::map<int, int> asked_per_place;
  std::optional<Span> slot;
  for (const auto& row : tx.exec_params(
           "SELECT place, crew_member_id, state, start_minute, finish_minute FROM crew_offers "
           "WHERE task_id = $1 AND state <> $2",
           task_id, kOfferWithdrawn)) {
    const int state = row[2].as<int>();
    asked.insert(row[1].as<std::string>());
    ++asked_per_place[row[0].as<int>()];
    if (state == kOfferSent || state == kOfferAccepted) {
      open_places.erase(row[0].as<int>());
      slot = Span{row[3].as<int64_t>(), row[4].as<int64_t>()};
    }
  }
  if (open_places.empty()) return 0;
  if (!slot) {
    const Minutes predecessors_done = tx.exec_params1(
                                            "SELECT coalesce(max(planned_finish), 0) FROM tasks "
                                            "WHERE task_id = ANY($1::text[])",
                                            task[8].as<std::string>())[0]
                                          .as<int64_t>();
    slot = OfferSlot(task[5].as<int64_t>(), predecessors_done, now, task[7].as<int64_t>(),
                     task[6].as<int64_t>());
    if (!slot) return 0;  // too late for anyone: ops must move the date
  }
  v1::CrewRules rules;
  if (pqxx::result kept = tx.exec("SELECT body FROM crew_rules"); !kept.empty()) {
    rules = common::ParseRecord<v1::CrewRules>(kept[0][0]);
  }
  const std::optional<Minutes> reply_by =
      ReplyBy(now, rules.offer_reply_within().seconds() / 60, slot->start);
  if (!reply_by) return 0;
  const PayRules pay = PayRulesOf(rules);

  std::map<std::string, v1::CrewMember> members;
  const std::vector<Freelancer> freelancers = LoadFreelancers(tx, *slot, task_id, members);
  const OfferedWork work{task[2].as<std::string>(), task[3].as<int>(), *slot};
  const std::vector<RankedCandidate> ranked = RankCandidates(work, freelancers, asked);
  int sent = 0;
  auto next = ranked.begin();
  for (int place : open_places) {
    if (next == ranked.end()) break;
    const Freelancer& freelancer = freelancers[next->freelancer];
    const v1::CrewMember& member = members.at(freelancer.crew_member_id);
    v1::CrewOffer offer;
    offer.set_offer_id(tx.exec1("SELECT gen_random_uuid()::text")[0].as<std::string>());
    offer.set_task_id(task_id);
    offer.set_order_id(task[0].as<std::string>());
    offer.set_crew_member_id(freelancer.crew_member_id);
    offer.set_state(v1::OFFER_STATE_SENT);
    offer.set_task_kind(static_cast<v1::TaskKind>(task[1].as<int>()));
    offer.set_skill_code(work.skill);
    *offer.mutable_start_time() = AtMinute(slot->start);
    *offer.mutable_finish_time() = AtMinute(slot->end);
    // The full fee, surcharges included, so that what they accept is what they are paid. A fee
    // too large to compute leaves the offer without one, as when they have no fees.
    const absl::StatusOr<FreelanceFee> fee = FreelanceFeeOf(
        member, slot->end - slot->start,
        NightMinutes(*slot, CrewZoneOf(member.zone_id()), pay.night_start, pay.night_end),
        pay.freelance_day);
    if (fee.ok() && fee->priced) {
      *offer.mutable_fee() = common::MoneyFromMicros(fee->micros, fee->currency);
      offer.set_fee_explanation(fee->explanation);
    }
    *offer.mutable_reply_by_time() = AtMinute(*reply_by);
    offer.set_rank(asked_per_place[place] + 1);
    offer.set_reason(next->reason + (offer.rank() > 1
                                         ? absl::StrCat("; asked ", offer.rank(),
                                                        " for this place after a decline or no "
                                                        "answer")
                                         : ""));
    tx.exec_params(
        "INSERT INTO crew_offers (offer_id, task_id, order_id, place, crew_member_id, state, "
        "start_minute, finish_minute, reply_by, rank, body) VALUES ($1, $2, $3, $4, $5, $6, $7, "
        "$8, to_timestamp($9::bigint * 60), $10, $11)",
        offer.offer_id(), task_id, offer.order_id(), place, offer.crew_member_id(), kOfferSent,
        slot->start, slot->end, *reply_by, offer.rank(), pqxx::binarystring(OfferBody(offer)));
    AddOfferEvent(tx, v1::EVENT_TYPE_CREW_OFFER_SENT, offer, kSourceService,
                  absl::StrCat("Offer to ", freelancer.display_name, ": ", OfferWords(offer),
                               offer.has_fee() ? ", " + FeeWords(offer.fee()) : "", ", reply by ",
                               OfferClock(*reply_by)));
    ++next;
    ++sent;
  }
  if (sent > 0) NoteOffers(tx, task_id);
  return sent;
}

}  // namespace

absl::StatusOr<SchedulingStore::OfferRound> PostgresSchedulingStore::RunOfferRound(Minutes now,
                                                                                   int task_limit) {
  OfferRound round;
  // Offers nobody answered in time, and offers whose work no longer needs them.
  SALESOPS_RETURN_IF_ERROR(pool_.InTransaction("expire_offers", [&](pqxx::work& tx) {
    std::set<std::string> tasks;
    for (const auto& row : tx.exec_params(
             std::string("UPDATE crew_offers SET state = $1, update_time = now() WHERE state = "
                         "$2 AND reply_by <= to_timestamp($3::bigint * 60) RETURNING task_id, ") +
                 kOfferColumns,
             kOfferExpired, kOfferSent, now)) {
      tasks.insert(row[0].as<std::string>());
      ++round.expired;
      const v1::CrewOffer offer = OfferFromRow(row, 1);
      AddOfferEvent(tx, v1::EVENT_TYPE_CREW_OFFER_EXPIRED, offer, kSourceService,
                    absl::StrCat("Offer to ", offer.crew_member_id(), " expired unanswered: ",
                                 OfferWords(offer), "; asking the next freelancer"));
    }
    // Each freelancer hears why: sent or accepted, the work is no longer theirs. A freelancer
    // who is off (time off added, or made inactive) over work not started yet is released from
    // it too, and the task asks the next one.
    std::set<std::string> uncovered;
    for (const auto& row : tx.exec_params(
             "UPDATE crew_offers o SET state = $1, update_time = now() FROM tasks t JOIN jobs j "
             "USING (order_id) WHERE o.task_id = t.task_id AND o.state IN ($2, $3) AND ("
             "t.state NOT IN (1, 2, 3, 5) OR j.state = $4 OR o.start_minute < t.not_before OR "
             "o.finish_minute > t.no_later_than OR (NOT t.late AND NOT t.crew_by_offer) OR ("
             "t.state IN (1, 2) AND " +
                 std::string(kFreelancerOff) +
                 ")) RETURNING o.task_id, CASE WHEN j.state = $4 OR t.state NOT IN (1, 2, 3, 5) "
                 "THEN 0 WHEN o.start_minute < t.not_before OR o.finish_minute > t.no_later_than "
                 "THEN 1 WHEN t.state IN (1, 2) AND " +
                 kFreelancerOff +
                 " THEN 3 ELSE 2 END, t.crew_by_offer, o.body, o.state, o.decline_reason, "
                 "ts_to_us(o.create_time), ts_to_us(o.update_time)",
             kOfferWithdrawn, kOfferSent, kOfferAccepted, kJobCancelled)) {
      const std::string task_id = row[0].as<std::string>();
      tasks.insert(task_id);
      ++round.withdrawn;
      const int why = row[1].as<int>();
      if (why == 3 && row[2].as<bool>()) uncovered.insert(task_id);
      const v1::CrewOffer offer = OfferFromRow(row, 3);
      static constexpr const char* kWhy[] = {
          "the work was cancelled", "the work was re-planned to other times",
          "in-house crew can do it now", "they are no longer available then"};
      AddOfferEvent(tx, v1::EVENT_TYPE_CREW_OFFER_WITHDRAWN, offer, kSourceService,
                    absl::StrCat("Offer to ", offer.crew_member_id(),
                                 " withdrawn: ", OfferWords(offer), "; ", kWhy[why]));
    }
    // A covered task that lost a freelancer is open again: no crew, at risk as no skilled crew
    // is free, so the round below offers it to the next candidate (those who accepted stay
    // asked and are covered again once every place is accepted).
    for (const std::string& task_id : uncovered) {
      tx.exec_params(
          "UPDATE tasks SET crew_ids = '{}', crew_by_offer = false, late = true, "
          "at_risk_reason = $2, state = 1, explanation = 'a freelancer who took it is no longer "
          "available then; asking the next', revision = revision + 1, update_time = now() "
          "WHERE task_id = $1",
          task_id, static_cast<int>(v1::AT_RISK_REASON_NO_SKILLED_CREW_FREE));
    }
    for (const std::string& task_id : tasks) NoteOffers(tx, task_id);
    // Work re-planned since its offers were accepted is theirs again while the times still fit.
    for (const auto& row :
         tx.exec("SELECT DISTINCT o.task_id FROM crew_offers o JOIN tasks t USING (task_id) "
                 "WHERE o.state = 2 AND NOT t.crew_by_offer AND t.state IN (1, 2)")) {
      CoverIfAccepted(tx, row[0].as<std::string>());
    }
    return absl::OkStatus();
  }));
  // Tasks in-house crew cannot cover, earliest deadline first, each in its own transaction.
  std::vector<std::string> candidates;
  SALESOPS_RETURN_IF_ERROR(pool_.InTransaction("tasks_needing_offers", [&](pqxx::work& tx) {
    for (const auto& row : tx.exec_params(
             "SELECT t.task_id FROM tasks t JOIN jobs j USING (order_id) WHERE t.state IN (1, 2) "
             "AND NOT t.crew_by_offer AND t.late AND t.at_risk_reason = $1 AND NOT "
             "t.needs_vehicle AND j.state IN (2, 3) AND t.no_later_than > $2 AND EXISTS (SELECT "
             "1 FROM crew_members m WHERE m.active) ORDER BY t.no_later_than, t.task_id LIMIT $3",
             static_cast<int>(v1::AT_RISK_REASON_NO_SKILLED_CREW_FREE), now, task_limit)) {
      candidates.push_back(row[0].as<std::string>());
    }
    return absl::OkStatus();
  }));
  for (const std::string& task_id : candidates) {
    SALESOPS_RETURN_IF_ERROR(pool_.InTransaction("offer_task", [&](pqxx::work& tx) -> absl::Status {
      SALESOPS_ASSIGN_OR_RETURN(int sent, OfferTask(tx, task_id, now));
      round.sent += sent;
      return absl::OkStatus();
    }));
  }
  return round;
}

absl::StatusOr<v1::CrewOffer> PostgresSchedulingStore::GetOffer(const std::string& offer_id) {
  v1::CrewOffer offer;
  absl::Status status = pool_.InTransaction("get_offer", [&](pqxx::work& tx) {
    pqxx::result rows = tx.exec_params(
        std::string("SELECT ") + kOfferColumns + " FROM crew_offers WHERE offer_id = $1", offer_id);
    if (rows.empty()) {
      return ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                           "offer " + offer_id + " does not exist");
    }
    offer = OfferFromRow(rows[0]);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return offer;
}

absl::StatusOr<Page<v1::CrewOffer>> PostgresSchedulingStore::ListOffers(
    const v1::ListOffersRequest& filter, int limit, const std::string& after) {
  Page<v1::CrewOffer> page;
  std::vector<int64_t> states;
  for (int state : filter.states()) states.push_back(state);
  absl::Status status = pool_.InTransaction("list_offers", [&](pqxx::work& tx) {
    // Newest first: the page key is the creation time and id, as text that sorts descending.
    common::FillPage(
        page,
        tx.exec_params(std::string("SELECT ") + kOfferColumns +
                           ", lpad((9223372036854775807 - ts_to_us(create_time))::text, 19, "
                           "'0') || offer_id AS page_key FROM crew_offers WHERE "
                           "($1 = '' OR lpad((9223372036854775807 - ts_to_us(create_time))::text, "
                           "19, '0') || offer_id > $1) AND ($2 = '' OR crew_member_id = $2) AND "
                           "($3 = '' OR task_id = $3) AND ($4 = '' OR order_id = $4) AND "
                           "(cardinality($5::bigint[]) = 0 OR state = ANY($5::bigint[])) "
                           "ORDER BY page_key LIMIT $6",
                       after, filter.crew_member_id(), filter.task_id(), filter.order_id(),
                       common::PgBigintArray(states), limit + 1),
        limit, [](const pqxx::row& row) { return OfferFromRow(row); },
        [](const v1::CrewOffer& offer) { return OfferPageKey(offer); });
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

namespace {

// The offer named, locked with its task (task first, as OfferTask locks it), for an answer.
absl::StatusOr<v1::CrewOffer> LockOfferForAnswer(pqxx::work& tx, const std::string& offer_id,
                                                 Minutes now) {
  pqxx::result found =
      tx.exec_params("SELECT task_id FROM crew_offers WHERE offer_id = $1", offer_id);
  if (found.empty()) {
    return ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                         "offer " + offer_id + " does not exist");
  }
  tx.exec_params("SELECT 1 FROM tasks WHERE task_id = $1 FOR UPDATE",
                 found[0][0].as<std::string>());
  pqxx::row row = tx.exec_params1(std::string("SELECT ") + kOfferColumns +
                                      ", ts_to_us(reply_by) / 60000000 FROM crew_offers "
                                      "WHERE offer_id = $1 FOR UPDATE",
                                  offer_id);
  v1::CrewOffer offer = OfferFromRow(row);
  if (offer.state() != v1::OFFER_STATE_SENT) {
    return ReasonedError(absl::StatusCode::kFailedPrecondition, v1::INVALID_STAGE_TRANSITION,
                         "offer " + offer_id + " is " +
                             common::SkillWord(v1::OfferState_Name(offer.state()).substr(12)) +
                             "; only an offer waiting for an answer can be answered");
  }
  if (row[5].as<int64_t>() <= now) {
    return ReasonedError(absl::StatusCode::kFailedPrecondition, v1::INVALID_STAGE_TRANSITION,
                         "offer " + offer_id + " expired at " + OfferClock(row[5].as<int64_t>()) +
                             "; the next freelancer is being asked");
  }
  return offer;
}

}  // namespace

absl::StatusOr<v1::AcceptOfferResponse> PostgresSchedulingStore::AcceptOffer(
    const RequestKey& key, const std::string& offer_id, const std::string& actor_id, Minutes now) {
  SALESOPS_ASSIGN_OR_RETURN(
      Answered<v1::AcceptOfferResponse> answered,
      OnceUnder<v1::AcceptOfferResponse>(
          pool_, "accept_offer", key,
          [&](pqxx::work& tx, v1::AcceptOfferResponse& response) -> absl::Status {
            SALESOPS_ASSIGN_OR_RETURN(v1::CrewOffer offer, LockOfferForAnswer(tx, offer_id, now));
            const Minutes start = offer.start_time().seconds() / 60;
            const Minutes finish = offer.finish_time().seconds() / 60;
            // Still free then: no time off, no other work taken since.
            pqxx::row clash = tx.exec_params1(
                "SELECT (SELECT count(*) FROM unavailability WHERE crew_member_id = $1 AND "
                "during && tstzrange(to_timestamp($2::bigint * 60), to_timestamp($3::bigint * 60), "
                "'[)')) + (SELECT count(*) FROM crew_offers WHERE crew_member_id = $1 AND state = "
                "2 AND offer_id <> $4 AND start_minute < $3 AND finish_minute > $2)",
                offer.crew_member_id(), start, finish, offer_id);
            if (clash[0].as<int64_t>() > 0) {
              return ReasonedError(
                  absl::StatusCode::kFailedPrecondition, v1::INVALID_STAGE_TRANSITION,
                  offer.crew_member_id() + " is no longer free " + OfferClock(start) + " to " +
                      OfferClock(finish) + " (time off or other work); decline this offer instead");
            }
            offer.set_state(v1::OFFER_STATE_ACCEPTED);
            const pqxx::row updated = tx.exec_params1(
                std::string("UPDATE crew_offers SET state = $2, update_time = now() WHERE "
                            "offer_id = $1 RETURNING ") +
                    kOfferColumns,
                offer_id, kOfferAccepted);
            *response.mutable_offer() = OfferFromRow(updated);
            AddOfferEvent(tx, v1::EVENT_TYPE_CREW_OFFER_ACCEPTED, response.offer(), actor_id,
                          absl::StrCat(offer.crew_member_id(), " accepted ", OfferWords(offer)));
            CoverIfAccepted(tx, offer.task_id());
            NoteOffers(tx, offer.task_id());
            *response.mutable_task() = TaskFromRow(tx.exec_params1(
                std::string("SELECT ") + kTaskColumns + " FROM tasks WHERE task_id = $1",
                offer.task_id()));
            return absl::OkStatus();
          }));
  return std::move(answered.response);
}

absl::StatusOr<v1::DeclineOfferResponse> PostgresSchedulingStore::DeclineOffer(
    const RequestKey& key, const std::string& offer_id, const std::string& reason,
    const std::string& actor_id, Minutes now) {
  SALESOPS_ASSIGN_OR_RETURN(
      Answered<v1::DeclineOfferResponse> answered,
      OnceUnder<v1::DeclineOfferResponse>(
          pool_, "decline_offer", key,
          [&](pqxx::work& tx, v1::DeclineOfferResponse& response) -> absl::Status {
            SALESOPS_ASSIGN_OR_RETURN(v1::CrewOffer offer, LockOfferForAnswer(tx, offer_id, now));
            const pqxx::row updated = tx.exec_params1(
                std::string("UPDATE crew_offers SET state = $2, decline_reason = $3, "
                            "update_time = now() WHERE offer_id = $1 RETURNING ") +
                    kOfferColumns,
                offer_id, kOfferDeclined, reason);
            *response.mutable_offer() = OfferFromRow(updated);
            AddOfferEvent(tx, v1::EVENT_TYPE_CREW_OFFER_DECLINED, response.offer(), actor_id,
                          absl::StrCat(offer.crew_member_id(), " declined ", OfferWords(offer),
                                       "; asking the next freelancer"));
            NoteOffers(tx, offer.task_id());
            return absl::OkStatus();
          }));
  return std::move(answered.response);
}

}  // namespace salesops::scheduling
