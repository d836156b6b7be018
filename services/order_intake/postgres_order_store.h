#pragma once

#include "services/common/db_pool.h"
#include "services/common/idempotency.h"
#include "services/order_intake/order_store.h"

namespace salesops::order_intake {

// Order-intake's PostgreSQL database (migrations/). Orders are read and changed
// whole, under a row lock, with their history and events written in the same
// transaction. Their notes and clarification threads live in rows of their own
// (0101_order_parts.sql), so a write stores what it adds, not the order again: a
// revision whose only change is a note keeps that note, not a copy of the order.
// Sagas have a row each (0102_sagas.sql).
class PostgresOrderStore final : public OrderStore {
 public:
  explicit PostgresOrderStore(common::ConnectionPool& pool) : pool_(pool) {}

  absl::StatusOr<v1::Order> Create(const v1::CreateOrderRequest& request, v1::Order order,
                                   OrderChange change, bool* replayed) override;
  absl::StatusOr<v1::Order> Get(const std::string& order_id) override;
  absl::StatusOr<v1::Order> GetRevision(const std::string& order_id, int64_t revision) override;
  absl::StatusOr<v1::Order> Update(
      const std::string& order_id,
      const std::function<absl::Status(v1::Order&, OrderChange&)>& change,
      const std::string& dedupe_event_id = "", bool* duplicate = nullptr) override;
  absl::Status UpdateIdempotently(
      const IdempotentCall& call, const std::string& order_id,
      const std::function<absl::Status(v1::Order&, OrderChange&)>& change,
      const std::function<void(const v1::Order&)>& answer) override;
  absl::StatusOr<bool> ReplayAnswer(const IdempotentCall& call) override;
  absl::Status RememberAnswer(const IdempotentCall& call) override;
  absl::Status AddHistory(const std::string& order_id, const v1::HistoryEntry& entry) override;
  absl::StatusOr<v1::Order> ReadAndBeginSaga(
      const std::string& order_id, std::chrono::seconds lease,
      const std::function<absl::StatusOr<std::optional<SagaRecord>>(const v1::Order&)>& admit)
      override;
  absl::Status BeginSaga(const SagaRecord& saga, std::chrono::seconds lease) override;
  absl::Status RecordSagaProgress(const SagaRecord& saga) override;
  absl::Status MarkSagaCompensating(const std::string& saga_id, const std::string& error,
                                    std::chrono::seconds retry_after) override;
  absl::Status PostponeSaga(const std::string& saga_id, const std::string& error,
                            std::chrono::seconds retry_after) override;
  absl::StatusOr<std::vector<SagaRecord>> ClaimExpiredSagas(std::chrono::seconds lease,
                                                            int limit) override;
  absl::StatusOr<SagaRecord> GetSaga(const std::string& saga_id) override;
  absl::StatusOr<std::set<std::string>> OrdersWithOpenSagas() override;
  absl::Status AddEvent(const v1::Event& event) override;
  absl::StatusOr<common::Page<v1::Order>> List(const v1::ListOrdersRequest& request, int limit,
                                               const std::string& after_id) override;
  absl::StatusOr<OrderCounts> Counts() override;
  absl::StatusOr<common::Page<v1::HistoryEntry>> History(const std::string& order_id, int limit,
                                                         int64_t after_entry) override;

 private:
  // Update, and for a `call` (else nullptr) UpdateIdempotently, in one transaction.
  absl::StatusOr<v1::Order> UpdateAnswering(
      const IdempotentCall* call, const std::string& order_id,
      const std::function<absl::Status(v1::Order&, OrderChange&)>& change,
      const std::function<void(const v1::Order&)>& answer, const std::string& dedupe_event_id,
      bool* duplicate);

  common::ConnectionPool& pool_;
};

// Where `call`'s answer is kept: under "order_intake.<Rpc>" and the caller's own request_id. For
// every store in order-intake's database, so that all of them key answers alike.
common::IdempotentRequest IdempotentRequestOf(const IdempotentCall& call);

}  // namespace salesops::order_intake
