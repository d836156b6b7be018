#include "services/common/outbox.h"

#include <google/protobuf/util/time_util.h>
#include <openssl/rand.h>

#include <algorithm>

#include "services/common/sql_text.h"
#include "services/common/time_util.h"
#include "services/common/validation.h"

namespace salesops::common {

// Made here rather than asked of the database: one round trip less in every transaction that
// emits an event.
std::string NewUuid() {
  unsigned char bytes[16];
  RAND_bytes(bytes, sizeof(bytes));
  bytes[6] = (bytes[6] & 0x0F) | 0x40;
  bytes[8] = (bytes[8] & 0x3F) | 0x80;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id += '-';
    id += kHex[bytes[i] >> 4];
    id += kHex[bytes[i] & 0xF];
  }
  return id;
}

OutboxRow ToOutboxRow(v1::Event event, const std::string& source_service) {
  if (event.event_id().empty()) {
    event.set_event_id(NewUuid());
  }
  if (!event.has_occur_time()) {
    *event.mutable_occur_time() = NowTimestamp();
  }
  event.set_source_service(source_service);
  // A summary or reason built from caller text can run past its declared limit or hold a
  // newline where one line is expected; notification would refuse such an event for good.
  FitTextToRules(event);
  OutboxRow row{event.event_id(),
                v1::EventType_Name(event.type()),
                event.order_id(),
                event.SerializeAsString(),
                {}};
  row.event = std::move(event);
  return row;
}

v1::Event AppendToOutbox(pqxx::work& transaction, v1::Event event,
                         const std::string& source_service) {
  OutboxRow row = ToOutboxRow(std::move(event), source_service);
  // Prepared once per connection: every state change of every service writes here.
  transaction.conn().prepare(
      "salesops_outbox_append",
      "INSERT INTO outbox (event_id, event_type, order_id, payload) VALUES ($1, $2, $3, $4)");
  transaction.exec_prepared("salesops_outbox_append", row.event_id, row.event_type, row.order_id,
                            pqxx::binarystring(row.payload));
  return std::move(row.event);
}

absl::StatusOr<std::vector<ClaimedOutboxEvent>> OutboxStore::ClaimDue(
    int limit, std::chrono::milliseconds lease) {
  std::vector<ClaimedOutboxEvent> claimed;
  auto claim = [&](pqxx::work& transaction) {
    claimed.clear();
    pqxx::result rows = transaction.exec_params(
        "UPDATE outbox SET next_attempt_at = now() + $2 * interval '1 millisecond', "
        "  attempts = attempts + 1 "
        "WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NULL AND dead_lettered_at IS NULL "
        "             AND next_attempt_at <= now() "
        "             ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED) "
        "RETURNING id, attempts, payload",
        limit, static_cast<int64_t>(lease.count()));
    for (const pqxx::row& row : rows) {
      ClaimedOutboxEvent event;
      event.id = row[0].as<int64_t>();
      event.attempts = row[1].as<int>();
      pqxx::binarystring payload(row[2]);
      event.event.ParseFromArray(payload.data(), static_cast<int>(payload.size()));
      claimed.push_back(std::move(event));
    }
    return absl::OkStatus();
  };
  absl::Status status =
      database_.InTransaction("outbox_claim", claim, Durability::kLossRepeatsWork);
  if (!status.ok()) return status;
  std::sort(claimed.begin(), claimed.end(),
            [](const ClaimedOutboxEvent& a, const ClaimedOutboxEvent& b) { return a.id < b.id; });
  return claimed;
}

absl::Status OutboxStore::MarkResults(const std::vector<int64_t>& sent_ids,
                                      const std::vector<OutboxFailure>& failures) {
  std::vector<int64_t> failed_ids, delays_ms, dead_ids;
  std::vector<std::string> errors, dead_errors;
  for (const OutboxFailure& failure : failures) {
    if (failure.dead_letter) {
      dead_ids.push_back(failure.id);
      dead_errors.push_back(failure.error);
      continue;
    }
    failed_ids.push_back(failure.id);
    delays_ms.push_back(failure.retry_after.count());
    errors.push_back(failure.error);
  }
  auto mark = [&](pqxx::work& transaction) {
    if (!sent_ids.empty()) {
      transaction.exec_params(
          "UPDATE outbox SET sent_at = now(), last_error = NULL WHERE id = ANY($1::bigint[])",
          PgBigintArray(sent_ids));
    }
    if (!failed_ids.empty()) {
      transaction.exec_params(
          "UPDATE outbox o SET next_attempt_at = now() + f.delay_ms * interval '1 millisecond', "
          "  last_error = f.error "
          "FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS f(id, delay_ms, error) "
          "WHERE o.id = f.id",
          PgBigintArray(failed_ids), PgBigintArray(delays_ms), PgTextArray(errors));
    }
    if (!dead_ids.empty()) {
      transaction.exec_params(
          "UPDATE outbox o SET dead_lettered_at = now(), last_error = f.error "
          "FROM unnest($1::bigint[], $2::text[]) AS f(id, error) WHERE o.id = f.id",
          PgBigintArray(dead_ids), PgTextArray(dead_errors));
    }
    return absl::OkStatus();
  };
  return database_.InTransaction("outbox_mark", mark, Durability::kLossRepeatsWork);
}

absl::Status OutboxStore::DeleteSentBefore(std::chrono::seconds age) {
  auto cleanup = [&](pqxx::work& transaction) {
    transaction.exec_params(
        "DELETE FROM outbox WHERE sent_at IS NOT NULL "
        "AND sent_at < now() - $1 * interval '1 second'",
        static_cast<int64_t>(age.count()));
    return absl::OkStatus();
  };
  return database_.InTransaction("outbox_cleanup", cleanup, Durability::kLossRepeatsWork);
}

absl::Status OutboxStore::ForgetRequestIdsBefore(std::chrono::seconds age) {
  auto cleanup = [&](pqxx::work& transaction) {
    transaction.exec_params(
        "DELETE FROM idempotency_keys WHERE created_at < now() - $1 * interval '1 second'",
        static_cast<int64_t>(age.count()));
    return absl::OkStatus();
  };
  return database_.InTransaction("idempotency_cleanup", cleanup, Durability::kLossRepeatsWork);
}

absl::StatusOr<OutboxBacklog> OutboxStore::Backlog() {
  OutboxBacklog backlog;
  absl::Status status = database_.Read("outbox_backlog", [&](pqxx::transaction_base& statements) {
    pqxx::row row = statements.exec1(
        "SELECT count(*) FILTER (WHERE dead_lettered_at IS NULL), "
        "  COALESCE(EXTRACT(EPOCH FROM now() - min(created_at) "
        "    FILTER (WHERE dead_lettered_at IS NULL)), 0)::float8, "
        "  count(*) FILTER (WHERE dead_lettered_at IS NOT NULL) "
        "FROM outbox WHERE sent_at IS NULL");
    backlog.pending = row[0].as<int64_t>();
    backlog.oldest_age_seconds = row[1].as<double>();
    backlog.dead_lettered = row[2].as<int64_t>();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return backlog;
}

}  // namespace salesops::common
