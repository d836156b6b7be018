#pragma once

#include <absl/status/statusor.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "salesops/v1/events.pb.h"
#include "salesops/v1/order_intake.pb.h"
#include "services/common/db_pool.h"
#include "services/common/sql_text.h"

namespace salesops::order_intake {

// What one change to an order writes besides the order itself: history
// entries, events for the outbox, and whether the content changed (then the
// revision goes up and is kept).
struct OrderChange {
  bool new_revision = false;
  // The saga holding the order (BeginSaga) ends with this write, in its transaction.
  bool ends_saga = false;
  std::vector<v1::HistoryEntry> history;
  std::vector<v1::Event> events;
};

// What the order metrics report, read in one transaction.
struct OrderCounts {
  std::map<v1::OrderStage, int64_t> by_stage;
  int64_t unacknowledged_changes = 0;
  int64_t open_blocking_questions = 0;
};

// Order-intake's PostgreSQL database (migrations/). Orders are read and changed
// whole, under a row lock, with their history and events written in the same
// transaction. Their notes and clarification threads live in rows of their own
// (0101_order_parts.sql), so a write stores what it adds, not the order again: a
// revision whose only change is a note keeps that note, not a copy of the order.
class OrderStore {
 public:
  explicit OrderStore(common::ConnectionPool& pool) : pool_(pool) {}

  // Stores a new order at revision 1 under a fresh order number. Replays an
  // earlier identical request with the same request_id (`replayed` is set).
  absl::StatusOr<v1::Order> Create(const v1::CreateOrderRequest& request, v1::Order order,
                                   OrderChange change, bool* replayed);

  absl::StatusOr<v1::Order> Get(const std::string& order_id);

  // Runs `change` on the locked current order; writes it back (a new revision
  // when change.new_revision) with its history and events, or nothing when
  // `change` fails. `dedupe_event_id`: do nothing (and say so through
  // `duplicate`) when this event was already applied.
  absl::StatusOr<v1::Order> Update(
      const std::string& order_id,
      const std::function<absl::Status(v1::Order&, OrderChange&)>& change,
      const std::string& dedupe_event_id = "", bool* duplicate = nullptr);

  // Records a history entry (e.g. a refused confirmation) without touching the order.
  absl::Status AddHistory(const std::string& order_id, const v1::HistoryEntry& entry);

  // Holds the order for a saga at `revision` for `lease`; ABORTED when another
  // saga holds it, STALE_REVISION when the order moved on.
  absl::Status BeginSaga(const std::string& order_id, int64_t revision, std::chrono::seconds lease);
  // Reads the order under its row lock and, when `admit` answers true, holds it for a saga for
  // `lease` in the same transaction: one commit where Get and BeginSaga took two, and no
  // revision can slip in between. `admit` answering false holds nothing (the saga's work is
  // already done); its error is returned and nothing is written. ABORTED when another saga
  // holds the order.
  absl::StatusOr<v1::Order> ReadAndBeginSaga(
      const std::string& order_id, std::chrono::seconds lease,
      const std::function<absl::StatusOr<bool>(const v1::Order&)>& admit);
  absl::Status EndSaga(const std::string& order_id);

  absl::StatusOr<common::Page<v1::Order>> List(const v1::ListOrdersRequest& request, int limit,
                                               const std::string& after_id);
  absl::StatusOr<OrderCounts> Counts();

  absl::StatusOr<common::Page<v1::HistoryEntry>> History(const std::string& order_id, int limit,
                                                         int64_t after_entry);

 private:
  common::ConnectionPool& pool_;
};

// The etag of an order at a revision.
std::string EtagOf(int64_t revision);

}  // namespace salesops::order_intake
