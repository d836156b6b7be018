#include "services/order_intake/postgres_directory_store.h"

#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

#include <optional>
#include <vector>

#include "services/common/errors.h"
#include "services/order_intake/directory_rules.h"
#include "services/order_intake/postgres_order_store.h"
#include "services/order_intake/postgres_records.h"

namespace salesops::order_intake {
namespace {

// Where one kind of record lives. The names are constants of this file, never caller text.
struct Table {
  const char* kind;       // "organisation", in messages
  const char* table;      // organisations
  const char* id_column;  // organisation_id
  const char* revisions;  // organisation_revisions
  const char* sequence;   // organisation_numbers
  const char* id_prefix;  // "org-"
};

constexpr Table kOrganisations{"organisation",           "organisations",        "organisation_id",
                               "organisation_revisions", "organisation_numbers", "org-"};
constexpr Table kVenues{"venue",           "venues",        "venue_id",
                        "venue_revisions", "venue_numbers", "venue-"};

void SetId(v1::Organisation& record, std::string id) { record.set_organisation_id(std::move(id)); }
void SetId(v1::DirectoryVenue& record, std::string id) { record.set_venue_id(std::move(id)); }

// One field per line: a search cannot match across two fields (no field holds a newline that
// search could, as names and ids are single-line).
std::string SearchTextOf(const v1::Organisation& record) {
  std::vector<std::string> parts = {record.name(), record.external_id(), record.tax_id()};
  for (const v1::Contact& contact : record.contacts()) {
    parts.push_back(contact.name());
    parts.push_back(contact.email());
  }
  return absl::StrJoin(parts, "\n");
}

std::string SearchTextOf(const v1::DirectoryVenue& record) {
  std::vector<std::string> parts = {record.name(), record.address().locality(),
                                    record.address().postal_code()};
  for (const std::string& line : record.address().address_lines()) parts.push_back(line);
  return absl::StrJoin(parts, "\n");
}

// Contacts without an id get one from the shared sequence, so an id is never reused.
void AssignIds(pqxx::work& tx, v1::Organisation& record) {
  for (v1::Contact& contact : *record.mutable_contacts()) {
    if (!contact.contact_id().empty()) continue;
    contact.set_contact_id(
        "contact-" + tx.exec1("SELECT nextval('contact_numbers')::text")[0].as<std::string>());
  }
}
void AssignIds(pqxx::work&, v1::DirectoryVenue&) {}

absl::Status NotFound(const Table& table, const std::string& id) {
  return RecordNotFound(table.kind, id);
}

template <typename Record>
void WriteRevision(pqxx::work& tx, const Table& table, const Record& record) {
  const std::string body = record.SerializeAsString();
  const pqxx::binarystring bytes(body.data(), body.size());
  tx.exec_params(absl::StrCat("INSERT INTO ", table.revisions, " (", table.id_column,
                              ", revision, body) VALUES ($1, $2, $3)"),
                 RecordIdOf(record), record.revision(), bytes);
}

template <typename Record>
absl::Status Create(common::ConnectionPool& pool, const Table& table, const IdempotentCall& call,
                    Record record, const RecordAnswer<Record>& answer) {
  const common::IdempotentRequest idempotent = IdempotentRequestOf(call);
  return pool.InTransaction(absl::StrCat("create_", table.kind), [&](pqxx::work& tx) {
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, ReplayedAnswer(idempotent, tx, call));
    if (replayed) return absl::OkStatus();
    Record stored = record;
    const int64_t number =
        tx.exec1(absl::StrCat("SELECT nextval('", table.sequence, "')"))[0].as<int64_t>();
    SetId(stored, absl::StrCat(table.id_prefix, number));
    stored.set_revision(1);
    stored.set_etag(EtagOf(1));
    AssignIds(tx, stored);
    const std::string body = stored.SerializeAsString();
    tx.exec_params(absl::StrCat("INSERT INTO ", table.table, " (", table.id_column,
                                ", number, revision, name, search_text, body) "
                                "VALUES ($1, $2, 1, $3, $4, $5)"),
                   RecordIdOf(stored), number, stored.name(), SearchTextOf(stored),
                   pqxx::binarystring(body.data(), body.size()));
    WriteRevision(tx, table, stored);
    answer(stored);
    idempotent.Remember(tx, *call.response);
    return absl::OkStatus();
  });
}

template <typename Record>
absl::StatusOr<Record> Get(common::ConnectionPool& pool, const Table& table,
                           const std::string& id) {
  std::optional<Record> record;
  absl::Status status = pool.Read(absl::StrCat("get_", table.kind), [&](auto& tx) {
    record.reset();
    pqxx::result rows = tx.exec_params(
        absl::StrCat("SELECT body FROM ", table.table, " WHERE ", table.id_column, " = $1"), id);
    if (!rows.empty()) record = ParseRecord<Record>(rows[0][0]);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!record) return NotFound(table, id);
  return *record;
}

template <typename Record>
absl::StatusOr<common::Page<Record>> List(common::ConnectionPool& pool, const Table& table,
                                          const std::string& search, bool include_merged, int limit,
                                          const std::string& after) {
  SALESOPS_ASSIGN_OR_RETURN(const int64_t after_number, PageNumberAfter(after));
  common::Page<Record> page;
  // The page key is the record's number, which the record itself does not carry.
  std::vector<int64_t> numbers;
  absl::Status status = pool.Read(absl::StrCat("list_", table.kind), [&](auto& tx) {
    page = {};
    numbers.clear();
    pqxx::result rows = tx.exec_params(
        absl::StrCat("SELECT body, number FROM ", table.table,
                     " WHERE number > $1 AND ($2 = '' OR search_text ILIKE $2) "
                     "AND ($4 OR merged_into_id IS NULL) ORDER BY number LIMIT $3"),
        after_number, search.empty() ? std::string() : common::ContainsPattern(search), limit + 1,
        include_merged);
    for (const pqxx::row& row : rows) numbers.push_back(row[1].as<int64_t>());
    common::FillPage(
        page, rows, limit, [](const pqxx::row& row) { return ParseRecord<Record>(row[0]); },
        [&](const Record&) { return std::to_string(numbers[page.entries.size() - 1]); });
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

// `record`, as changed, becomes the next revision of `id`.
template <typename Record>
void WriteNextRevision(pqxx::work& tx, const Table& table, const std::string& id, Record& record) {
  SetId(record, id);
  record.set_revision(record.revision() + 1);
  record.set_etag(EtagOf(record.revision()));
  AssignIds(tx, record);
  const std::string body = record.SerializeAsString();
  tx.exec_params(absl::StrCat("UPDATE ", table.table,
                              " SET revision = $2, name = $3, search_text = $4, body = $5, "
                              "merged_into_id = NULLIF($6, ''), updated_at = now() WHERE ",
                              table.id_column, " = $1"),
                 id, record.revision(), record.name(), SearchTextOf(record),
                 pqxx::binarystring(body.data(), body.size()), record.merged_into_id());
  WriteRevision(tx, table, record);
}

template <typename Record>
absl::Status Update(common::ConnectionPool& pool, const Table& table, const IdempotentCall& call,
                    const std::string& id, const RecordChange<Record>& change,
                    const RecordAnswer<Record>& answer) {
  const common::IdempotentRequest idempotent = IdempotentRequestOf(call);
  return pool.InTransaction(absl::StrCat("update_", table.kind), [&](pqxx::work& tx) {
    // Before the record is read: a retry answers as the first call did, whatever the record
    // has become since (the request's lock comes before the row's, as for orders).
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, ReplayedAnswer(idempotent, tx, call));
    if (replayed) return absl::OkStatus();
    pqxx::result rows = tx.exec_params(absl::StrCat("SELECT body FROM ", table.table, " WHERE ",
                                                    table.id_column, " = $1 FOR UPDATE"),
                                       id);
    if (rows.empty()) return NotFound(table, id);
    Record record = ParseRecord<Record>(rows[0][0]);
    SALESOPS_RETURN_IF_ERROR(change(record));
    WriteNextRevision(tx, table, id, record);
    answer(record);
    idempotent.Remember(tx, *call.response);
    return absl::OkStatus();
  });
}

template <typename Record>
absl::Status Merge(common::ConnectionPool& pool, const Table& table, const IdempotentCall& call,
                   const std::string& survivor_id, const std::string& duplicate_id,
                   const RecordMerge<Record>& merge, const MergeAnswer<Record>& answer) {
  const common::IdempotentRequest idempotent = IdempotentRequestOf(call);
  return pool.InTransaction(absl::StrCat("merge_", table.kind), [&](pqxx::work& tx) {
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, ReplayedAnswer(idempotent, tx, call));
    if (replayed) return absl::OkStatus();
    // Both rows in id order, whichever is the survivor.
    pqxx::result rows = tx.exec_params(
        absl::StrCat("SELECT ", table.id_column, ", body FROM ", table.table, " WHERE ",
                     table.id_column, " IN ($1, $2) ORDER BY ", table.id_column, " FOR UPDATE"),
        survivor_id, duplicate_id);
    std::optional<Record> survivor, duplicate;
    for (const pqxx::row& row : rows) {
      (row[0].as<std::string>() == survivor_id ? survivor : duplicate) =
          ParseRecord<Record>(row[1]);
    }
    if (!survivor) return NotFound(table, survivor_id);
    if (!duplicate) return NotFound(table, duplicate_id);
    SALESOPS_RETURN_IF_ERROR(merge(*survivor, *duplicate));
    WriteNextRevision(tx, table, survivor_id, *survivor);
    WriteNextRevision(tx, table, duplicate_id, *duplicate);
    answer(*survivor, *duplicate);
    idempotent.Remember(tx, *call.response);
    return absl::OkStatus();
  });
}

}  // namespace

absl::Status PostgresDirectoryStore::CreateOrganisation(
    const IdempotentCall& call, v1::Organisation organisation,
    const RecordAnswer<v1::Organisation>& answer) {
  return Create(pool_, kOrganisations, call, std::move(organisation), answer);
}

absl::StatusOr<v1::Organisation> PostgresDirectoryStore::GetOrganisation(
    const std::string& organisation_id) {
  return Get<v1::Organisation>(pool_, kOrganisations, organisation_id);
}

absl::StatusOr<common::Page<v1::Organisation>> PostgresDirectoryStore::ListOrganisations(
    const std::string& search, bool include_merged, int limit, const std::string& after) {
  return List<v1::Organisation>(pool_, kOrganisations, search, include_merged, limit, after);
}

absl::Status PostgresDirectoryStore::UpdateOrganisation(
    const IdempotentCall& call, const std::string& organisation_id,
    const RecordChange<v1::Organisation>& change, const RecordAnswer<v1::Organisation>& answer) {
  return Update(pool_, kOrganisations, call, organisation_id, change, answer);
}

absl::Status PostgresDirectoryStore::CreateVenue(const IdempotentCall& call,
                                                 v1::DirectoryVenue venue,
                                                 const RecordAnswer<v1::DirectoryVenue>& answer) {
  return Create(pool_, kVenues, call, std::move(venue), answer);
}

absl::StatusOr<v1::DirectoryVenue> PostgresDirectoryStore::GetVenue(const std::string& venue_id) {
  return Get<v1::DirectoryVenue>(pool_, kVenues, venue_id);
}

absl::StatusOr<common::Page<v1::DirectoryVenue>> PostgresDirectoryStore::ListVenues(
    const std::string& search, bool include_merged, int limit, const std::string& after) {
  return List<v1::DirectoryVenue>(pool_, kVenues, search, include_merged, limit, after);
}

absl::Status PostgresDirectoryStore::UpdateVenue(const IdempotentCall& call,
                                                 const std::string& venue_id,
                                                 const RecordChange<v1::DirectoryVenue>& change,
                                                 const RecordAnswer<v1::DirectoryVenue>& answer) {
  return Update(pool_, kVenues, call, venue_id, change, answer);
}

absl::Status PostgresDirectoryStore::MergeOrganisations(
    const IdempotentCall& call, const std::string& survivor_id, const std::string& duplicate_id,
    const RecordMerge<v1::Organisation>& merge, const MergeAnswer<v1::Organisation>& answer) {
  return Merge(pool_, kOrganisations, call, survivor_id, duplicate_id, merge, answer);
}

absl::Status PostgresDirectoryStore::MergeVenues(const IdempotentCall& call,
                                                 const std::string& survivor_id,
                                                 const std::string& duplicate_id,
                                                 const RecordMerge<v1::DirectoryVenue>& merge,
                                                 const MergeAnswer<v1::DirectoryVenue>& answer) {
  return Merge(pool_, kVenues, call, survivor_id, duplicate_id, merge, answer);
}

}  // namespace salesops::order_intake
