#pragma once

#include <absl/status/statusor.h>

#include <chrono>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "salesops/v1/events.pb.h"
#include "services/common/db_pool.h"

namespace salesops::common {

// Writes `event` to the service's outbox table inside `transaction`, so the
// event exists exactly when the state change it describes commits. Fills in
// event_id (a UUID) and occur_time when unset and the source service, and fits every text
// field to the vocabulary's rules (FitTextToRules: declared lengths, one-line fields), so that
// notification never refuses an event for its text.
// OutboxRelay sends the rows on to notification.
v1::Event AppendToOutbox(pqxx::work& transaction, v1::Event event,
                         const std::string& source_service);

// The outbox row AppendToOutbox writes, for a store that writes it in the same statement as
// the change it describes (one round trip less): the event filled in and fitted as above,
// and its columns.
struct OutboxRow {
  std::string event_id;
  std::string event_type;
  std::string order_id;
  std::string payload;  // the serialized event
  v1::Event event;
};
OutboxRow ToOutboxRow(v1::Event event, const std::string& source_service);

// A random (version 4) UUID in its text form.
std::string NewUuid();

// An outbox row the relay claimed.
struct ClaimedOutboxEvent {
  int64_t id = 0;
  int attempts = 0;
  v1::Event event;
};

// An event notification did not take, and when to offer it again; or, when it was refused
// for good, that it is dead-lettered: set aside, never offered again unless a person re-queues it.
struct OutboxFailure {
  int64_t id = 0;
  std::chrono::milliseconds retry_after{0};
  std::string error;
  bool dead_letter = false;
};

// What waits in the outbox.
struct OutboxBacklog {
  // Events still offered to notification, and the age of the oldest (0 when none).
  int64_t pending = 0;
  double oldest_age_seconds = 0;
  // Events notification refused for good, set aside.
  int64_t dead_lettered = 0;
};

// The outbox table's queries for the relay and its metrics, each in its own short transaction.
// The relay's writes (leases, sent marks, cleanup) commit without waiting for an fsync
// (Durability::kLossRepeatsWork): a crash that loses one sends the events again, which delivery
// at least once allows; the events themselves were written durably with the state change.
class OutboxStore {
 public:
  explicit OutboxStore(ConnectionPool& database) : database_(database) {}

  // Up to `limit` due rows, oldest first, leased for `lease`: the pushed-ahead next attempt
  // keeps other replicas off them once this transaction commits (FOR UPDATE SKIP LOCKED).
  // Dead-lettered rows are never due.
  absl::StatusOr<std::vector<ClaimedOutboxEvent>> ClaimDue(int limit,
                                                           std::chrono::milliseconds lease);
  // Sent rows are marked sent; failed ones wait for their retry, or are dead-lettered, with the
  // error kept.
  absl::Status MarkResults(const std::vector<int64_t>& sent_ids,
                           const std::vector<OutboxFailure>& failures);
  // Deletes sent rows older than `age`; dead-lettered rows stay.
  absl::Status DeleteSentBefore(std::chrono::seconds age);
  // Forgets the AIP-155 answers (idempotency_keys) remembered longer ago than `age`: a request
  // id retried after that acts again.
  absl::Status ForgetRequestIdsBefore(std::chrono::seconds age);
  absl::StatusOr<OutboxBacklog> Backlog();

 private:
  ConnectionPool& database_;
};

}  // namespace salesops::common
