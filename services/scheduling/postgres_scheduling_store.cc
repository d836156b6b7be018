#include "services/scheduling/postgres_scheduling_store.h"

#include "services/common/errors.h"
#include "services/common/time_util.h"

namespace salesops::scheduling {
namespace {

using common::ReasonedError;

std::string IntArray(const std::vector<int>& values) {
  std::string literal = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) literal += ',';
    literal += std::to_string(values[i]);
  }
  return literal + "}";
}

std::string LikePattern(const std::string& text) {
  std::string pattern = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  return pattern + "%";
}

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

std::vector<int> SkillNumbers(const v1::CrewMember& member) {
  std::vector<int> skills;
  for (int skill : member.skills()) skills.push_back(skill);
  return skills;
}

}  // namespace

absl::StatusOr<v1::CrewMember> PostgresSchedulingStore::CreateCrewMember(v1::CrewMember member) {
  v1::CrewMember stored;
  absl::Status status = pool_.InTransaction("create_crew_member", [&](pqxx::work& tx) {
    if (member.crew_member_id().empty()) {
      member.set_crew_member_id(tx.exec1("SELECT gen_random_uuid()::text")[0].as<std::string>());
    }
    pqxx::result rows = tx.exec_params(
        "INSERT INTO crew_members (crew_member_id, display_name, skills, home_warehouse_id, "
        "active, body) VALUES ($1, $2, $3::smallint[], $4, $5, $6) "
        "ON CONFLICT (crew_member_id) DO NOTHING" +
            Returning(),
        member.crew_member_id(), member.display_name(), IntArray(SkillNumbers(member)),
        member.home_warehouse_id(), member.active(), pqxx::binarystring(Body(member)));
    if (rows.empty()) {
      return ReasonedError(absl::StatusCode::kAlreadyExists, v1::ALREADY_EXISTS,
                           "crew member " + member.crew_member_id() + " already exists");
    }
    stored = FromRow<v1::CrewMember>(rows[0]);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return stored;
}

absl::StatusOr<v1::CrewMember> PostgresSchedulingStore::UpdateCrewMember(
    const v1::CrewMember& member, const std::string& etag) {
  v1::CrewMember stored;
  absl::Status status = pool_.InTransaction("update_crew_member", [&](pqxx::work& tx) {
    SALESOPS_RETURN_IF_ERROR(CheckRevision(tx, kCrewTable, member.crew_member_id(), etag));
    stored = FromRow<v1::CrewMember>(tx.exec_params1(
        "UPDATE crew_members SET display_name = $2, skills = $3::smallint[], "
        "home_warehouse_id = $4, active = $5, body = $6, revision = revision + 1, "
        "update_time = now() WHERE crew_member_id = $1" +
            Returning(),
        member.crew_member_id(), member.display_name(), IntArray(SkillNumbers(member)),
        member.home_warehouse_id(), member.active(), pqxx::binarystring(Body(member))));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return stored;
}

absl::StatusOr<v1::CrewMember> PostgresSchedulingStore::GetCrewMember(const std::string& id) {
  return GetDocument<v1::CrewMember>(pool_, kCrewTable, id);
}

absl::StatusOr<Page<v1::CrewMember>> PostgresSchedulingStore::ListCrewMembers(
    const v1::ListCrewMembersRequest& filter, int limit, const std::string& after) {
  Page<v1::CrewMember> page;
  absl::Status status = pool_.InTransaction("list_crew_members", [&](pqxx::work& tx) {
    for (const auto& row :
         tx.exec_params("SELECT body, revision, ts_to_us(create_time), ts_to_us(update_time), "
                        "crew_member_id FROM crew_members WHERE crew_member_id > $1"
                        " AND ($2 = 0 OR $2 = ANY(skills)) AND ($3 = '' OR home_warehouse_id = $3)"
                        " AND ($4 OR active) AND ($5 = '' OR display_name ILIKE $6)"
                        " ORDER BY crew_member_id LIMIT $7",
                        after, static_cast<int>(filter.skill()), filter.home_warehouse_id(),
                        filter.include_inactive(), filter.search_text(),
                        LikePattern(filter.search_text()), limit + 1)) {
      if (static_cast<int>(page.entries.size()) == limit) {
        page.next_after = page.entries.back().crew_member_id();
        break;
      }
      page.entries.push_back(FromRow<v1::CrewMember>(row));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

absl::StatusOr<v1::Vehicle> PostgresSchedulingStore::CreateVehicle(v1::Vehicle vehicle) {
  v1::Vehicle stored;
  absl::Status status = pool_.InTransaction("create_vehicle", [&](pqxx::work& tx) {
    if (vehicle.vehicle_id().empty()) {
      vehicle.set_vehicle_id(tx.exec1("SELECT gen_random_uuid()::text")[0].as<std::string>());
    }
    pqxx::result rows = tx.exec_params(
        "INSERT INTO vehicles (vehicle_id, display_name, vehicle_class, home_warehouse_id, "
        "active, body) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (vehicle_id) DO NOTHING" +
            Returning(),
        vehicle.vehicle_id(), vehicle.display_name(), static_cast<int>(vehicle.vehicle_class()),
        vehicle.home_warehouse_id(), vehicle.active(), pqxx::binarystring(Body(vehicle)));
    if (rows.empty()) {
      return ReasonedError(absl::StatusCode::kAlreadyExists, v1::ALREADY_EXISTS,
                           "vehicle " + vehicle.vehicle_id() + " already exists");
    }
    stored = FromRow<v1::Vehicle>(rows[0]);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return stored;
}

absl::StatusOr<v1::Vehicle> PostgresSchedulingStore::UpdateVehicle(const v1::Vehicle& vehicle,
                                                                   const std::string& etag) {
  v1::Vehicle stored;
  absl::Status status = pool_.InTransaction("update_vehicle", [&](pqxx::work& tx) {
    SALESOPS_RETURN_IF_ERROR(CheckRevision(tx, kVehicleTable, vehicle.vehicle_id(), etag));
    stored = FromRow<v1::Vehicle>(tx.exec_params1(
        "UPDATE vehicles SET display_name = $2, vehicle_class = $3, home_warehouse_id = $4, "
        "active = $5, body = $6, revision = revision + 1, update_time = now() "
        "WHERE vehicle_id = $1" +
            Returning(),
        vehicle.vehicle_id(), vehicle.display_name(), static_cast<int>(vehicle.vehicle_class()),
        vehicle.home_warehouse_id(), vehicle.active(), pqxx::binarystring(Body(vehicle))));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return stored;
}

absl::StatusOr<v1::Vehicle> PostgresSchedulingStore::GetVehicle(const std::string& id) {
  return GetDocument<v1::Vehicle>(pool_, kVehicleTable, id);
}

absl::StatusOr<Page<v1::Vehicle>> PostgresSchedulingStore::ListVehicles(
    const v1::ListVehiclesRequest& filter, int limit, const std::string& after) {
  Page<v1::Vehicle> page;
  absl::Status status = pool_.InTransaction("list_vehicles", [&](pqxx::work& tx) {
    for (const auto& row : tx.exec_params(
             "SELECT body, revision, ts_to_us(create_time), ts_to_us(update_time) FROM vehicles "
             "WHERE vehicle_id > $1 AND ($2 = 0 OR vehicle_class = $2)"
             " AND ($3 = '' OR home_warehouse_id = $3) AND ($4 OR active)"
             " ORDER BY vehicle_id LIMIT $5",
             after, static_cast<int>(filter.vehicle_class()), filter.home_warehouse_id(),
             filter.include_inactive(), limit + 1)) {
      if (static_cast<int>(page.entries.size()) == limit) {
        page.next_after = page.entries.back().vehicle_id();
        break;
      }
      page.entries.push_back(FromRow<v1::Vehicle>(row));
    }
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

absl::StatusOr<v1::Unavailability> PostgresSchedulingStore::AddUnavailability(
    const v1::Unavailability& unavailability, const std::string& actor_id) {
  v1::Unavailability stored;
  absl::Status status = pool_.InTransaction("add_unavailability", [&](pqxx::work& tx) {
    const bool crew = unavailability.has_crew_member_id();
    const DocumentTable& table = crew ? kCrewTable : kVehicleTable;
    const std::string& id = crew ? unavailability.crew_member_id() : unavailability.vehicle_id();
    SALESOPS_RETURN_IF_ERROR(CheckRevision(tx, table, id, ""));
    stored = UnavailabilityFromRow(tx.exec_params1(
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
  if (!status.ok()) return status;
  return stored;
}

absl::StatusOr<Page<v1::Unavailability>> PostgresSchedulingStore::ListUnavailability(
    const v1::ListUnavailabilityRequest& filter, int limit, const std::string& after) {
  Page<v1::Unavailability> page;
  absl::Status status = pool_.InTransaction("list_unavailability", [&](pqxx::work& tx) {
    bool overlapping = filter.has_overlapping() && filter.overlapping().has_not_before();
    for (const auto& row : tx.exec_params(
             std::string("SELECT ") + kUnavailabilityColumns +
                 " FROM unavailability WHERE unavailability_id::text > $1"
                 " AND ($2 = '' OR crew_member_id = $2) AND ($3 = '' OR vehicle_id = $3)"
                 " AND ($4 = 0 OR kind = $4)"
                 " AND (NOT $5 OR during && tstzrange(us_to_ts($6), us_to_ts($7), '[)'))"
                 " ORDER BY unavailability_id::text LIMIT $8",
             after, filter.crew_member_id(), filter.vehicle_id(), static_cast<int>(filter.kind()),
             overlapping, overlapping ? common::ToMicros(filter.overlapping().not_before()) : 0,
             overlapping ? common::ToMicros(filter.overlapping().no_later_than()) : 0, limit + 1)) {
      if (static_cast<int>(page.entries.size()) == limit) {
        page.next_after = page.entries.back().unavailability_id();
        break;
      }
      page.entries.push_back(UnavailabilityFromRow(row));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

absl::Status PostgresSchedulingStore::DeleteUnavailability(const std::string& id) {
  return pool_.InTransaction("delete_unavailability", [&](pqxx::work& tx) {
    pqxx::result rows = tx.exec_params(
        "DELETE FROM unavailability WHERE unavailability_id::text = $1 RETURNING 1", id);
    if (rows.empty()) {
      return ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                           "unavailability " + id + " does not exist");
    }
    return absl::OkStatus();
  });
}

}  // namespace salesops::scheduling
