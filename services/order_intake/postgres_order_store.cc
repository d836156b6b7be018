#include "services/order_intake/postgres_order_store.h"

#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>

#include "services/common/errors.h"
#include "services/common/idempotency.h"
#include "services/common/money.h"
#include "services/common/outbox.h"
#include "services/common/time_util.h"

namespace salesops::order_intake {
namespace {

using common::ReasonedError;
constexpr char kSourceService[] = "order-intake";

// The stored key of a request under AIP-155: "order_intake.<Rpc>" and the caller's own
// request_id, so that one caller's answer is never handed to another who happened to pick the
// same id (they may not see, or may not do, what it answers).
common::IdempotentRequest KeyedByCaller(const std::string& rpc, const std::string& caller_id,
                                        const std::string& request_id,
                                        const google::protobuf::Message& request) {
  std::string key;
  if (!request_id.empty()) key = absl::StrCat(caller_id, "\n", request_id);
  return common::IdempotentRequest(absl::StrCat("order_intake.", rpc), std::move(key), request);
}

common::IdempotentRequest KeyedByCaller(const IdempotentCall& call) {
  return KeyedByCaller(call.rpc, call.caller_id, call.request_id, call.request);
}

// Fills `response` with the answer an earlier identical request got; false when there is
// none (or no request_id), so the mutation must act.
absl::StatusOr<bool> Replayed(const common::IdempotentRequest& idempotent, pqxx::work& tx,
                              google::protobuf::Message& response) {
  SALESOPS_ASSIGN_OR_RETURN(std::optional<std::string> earlier, idempotent.Replay(tx));
  if (!earlier) return false;
  response.Clear();
  response.ParseFromString(*earlier);
  return true;
}

absl::Status OrderNotFound(const std::string& order_id) {
  return ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                       "order " + order_id + " does not exist");
}

// What of an order lives in rows of its own (migrations/0101_order_parts.sql), as read:
// a write adds only the notes and messages beyond these, and rewrites only the thread
// headers that changed.
struct StoredParts {
  int notes = 0;
  std::vector<std::string> thread_headers;  // serialized, by position
  std::vector<int> thread_messages;         // by position
};

// The order's own content, as orders.body and order_revisions hold it.
v1::Order ContentOf(const v1::Order& order) {
  v1::Order content = order;
  content.clear_notes();
  content.clear_questions();
  return content;
}

std::string HeaderOf(const v1::Question& thread) {
  v1::Question header = thread;
  header.clear_messages();
  return header.SerializeAsString();
}

// Whether `after` changed more than the stamp every write moves (revision, etag, time).
bool ContentChanged(const v1::Order& before, const v1::Order& after) {
  google::protobuf::util::MessageDifferencer differencer;
  for (const char* stamp : {"revision", "etag", "update_time"}) {
    differencer.IgnoreField(v1::Order::descriptor()->FindFieldByName(stamp));
  }
  return !differencer.Compare(before, after);
}

// Appends to each order (by id) its notes and threads kept in rows, after any that a body
// written before migration 0101 still holds; `parts`, when given, learns what rows there are.
void ReadParts(pqxx::work& tx, const std::map<std::string, v1::Order*>& orders,
               std::map<std::string, StoredParts>* parts) {
  if (orders.empty()) return;
  std::vector<std::string> ids;
  for (const auto& [id, order] : orders) ids.push_back(id);
  const std::string id_array = common::PgTextArray(ids);
  for (const pqxx::row& row : tx.exec_params("SELECT order_id, body FROM order_notes "
                                             "WHERE order_id = ANY($1::text[]) "
                                             "ORDER BY order_id, position",
                                             id_array)) {
    const std::string id = row[0].as<std::string>();
    *orders.at(id)->add_notes() = common::ParseRecord<v1::Note>(row[1]);
    if (parts != nullptr) ++(*parts)[id].notes;
  }
  std::map<std::pair<std::string, int>, v1::Question*> threads;
  for (const pqxx::row& row : tx.exec_params("SELECT order_id, position, body FROM order_questions "
                                             "WHERE order_id = ANY($1::text[]) "
                                             "ORDER BY order_id, position",
                                             id_array)) {
    const std::string id = row[0].as<std::string>();
    v1::Question* thread = orders.at(id)->add_questions();
    *thread = common::ParseRecord<v1::Question>(row[2]);
    threads[{id, row[1].as<int>()}] = thread;
    if (parts != nullptr) {
      (*parts)[id].thread_headers.push_back(HeaderOf(*thread));
      (*parts)[id].thread_messages.push_back(0);
    }
  }
  for (const pqxx::row& row :
       tx.exec_params("SELECT order_id, position, body FROM order_question_messages "
                      "WHERE order_id = ANY($1::text[]) ORDER BY order_id, position, sequence",
                      id_array)) {
    const std::string id = row[0].as<std::string>();
    const int position = row[1].as<int>();
    *threads.at({id, position})->add_messages() =
        common::ParseRecord<v1::ClarificationMessage>(row[2]);
    if (parts != nullptr) ++(*parts)[id].thread_messages.at(position);
  }
}

// Writes the notes and threads `order` holds beyond `stored`: notes and messages stamped
// with the order's revision, new threads, and thread headers that changed.
absl::Status WriteParts(pqxx::work& tx, const v1::Order& order, const StoredParts& stored) {
  const int stored_threads = static_cast<int>(stored.thread_headers.size());
  if (order.notes_size() < stored.notes || order.questions_size() < stored_threads) {
    return ReasonedError(absl::StatusCode::kInternal, v1::INTERNAL_ERROR,
                         "notes and questions are only ever added to an order");
  }
  for (int i = stored.notes; i < order.notes_size(); ++i) {
    tx.exec_params(
        "INSERT INTO order_notes (order_id, position, note_id, revision, body) "
        "VALUES ($1, $2, $3, $4, $5)",
        order.order_id(), i, order.notes(i).note_id(), order.revision(),
        pqxx::binarystring(order.notes(i).SerializeAsString()));
  }
  for (int i = 0; i < order.questions_size(); ++i) {
    const v1::Question& thread = order.questions(i);
    const std::string header = HeaderOf(thread);
    int stored_messages = 0;
    if (i < stored_threads) {
      stored_messages = stored.thread_messages[i];
      if (thread.messages_size() < stored_messages) {
        return ReasonedError(absl::StatusCode::kInternal, v1::INTERNAL_ERROR,
                             "messages are only ever added to a question");
      }
      if (header != stored.thread_headers[i]) {
        tx.exec_params(
            "UPDATE order_questions SET body = $3, updated_at = now() "
            "WHERE order_id = $1 AND position = $2",
            order.order_id(), i, pqxx::binarystring(header));
      }
    } else {
      tx.exec_params(
          "INSERT INTO order_questions (order_id, position, question_id, body) "
          "VALUES ($1, $2, $3, $4)",
          order.order_id(), i, thread.question_id(), pqxx::binarystring(header));
    }
    for (int m = stored_messages; m < thread.messages_size(); ++m) {
      tx.exec_params(
          "INSERT INTO order_question_messages (order_id, position, sequence, revision, body) "
          "VALUES ($1, $2, $3, $4, $5)",
          order.order_id(), i, m, order.revision(),
          pqxx::binarystring(thread.messages(m).SerializeAsString()));
    }
  }
  return absl::OkStatus();
}

// Writes `order`: its row (inserted when `before` is null, a new order) with its own content,
// its notes and threads beyond `stored`, and, for a new revision whose content differs from
// `before`, that content as the revision's order_revisions row. A note alone writes the note.
absl::Status WriteOrder(pqxx::work& tx, const v1::Order& order, const StoredParts& stored,
                        bool new_revision, const v1::Order* before) {
  SALESOPS_ASSIGN_OR_RETURN(
      const int64_t total_micros,
      common::MoneyToMicros(order.quote().total(), "the quote total of order " + order.order_id()));
  const v1::Order content = ContentOf(order);
  const pqxx::binarystring body(content.SerializeAsString());
  const std::string sql =
      before == nullptr
          ? "INSERT INTO orders (order_id, revision, stage, salesperson_id, customer_id, "
            "  customer_name, deliver_by, win_probability, open_blocking_questions, "
            "  unacknowledged_changes, total_micros, body) "
            "VALUES ($1, $2, $3, $4, $5, $6, us_to_ts($7), $8, $9, $10, $11, $12)"
          : "UPDATE orders SET revision = $2, stage = $3, salesperson_id = $4, "
            "  customer_id = $5, customer_name = $6, deliver_by = us_to_ts($7), "
            "  win_probability = $8, open_blocking_questions = $9, "
            "  unacknowledged_changes = $10, total_micros = $11, body = $12, "
            "  updated_at = now() WHERE order_id = $1";
  const std::string stage = v1::OrderStage_Name(order.stage());
  const int64_t deliver_by = common::ToMicros(order.delivery_window().window().no_later_than());
  tx.exec_params(sql, order.order_id(), order.revision(), stage, order.salesperson_id(),
                 order.customer().customer_id(), order.customer().name(), deliver_by,
                 order.pipeline().win_probability(), order.open_blocking_question_count(),
                 order.unacknowledged_changes_size(), total_micros, body);
  SALESOPS_RETURN_IF_ERROR(WriteParts(tx, order, stored));
  if (new_revision && (before == nullptr || ContentChanged(*before, content))) {
    tx.exec_params("INSERT INTO order_revisions (order_id, revision, body) VALUES ($1, $2, $3)",
                   order.order_id(), order.revision(), body);
  }
  return absl::OkStatus();
}

// Writes the change's history entries and events.
void WriteChange(pqxx::work& tx, const v1::Order& order, const OrderChange& change) {
  for (v1::HistoryEntry entry : change.history) {
    if (entry.revision() == 0) entry.set_revision(order.revision());
    if (entry.stage() == v1::ORDER_STAGE_UNSPECIFIED) entry.set_stage(order.stage());
    if (!entry.has_create_time()) {
      *entry.mutable_create_time() = common::NowTimestamp();
    }
    tx.exec_params("INSERT INTO order_history (order_id, entry) VALUES ($1, $2)", order.order_id(),
                   pqxx::binarystring(entry.SerializeAsString()));
  }
  for (v1::Event event : change.events) {
    event.set_order_id(order.order_id());
    if (event.order_revision() == 0) event.set_order_revision(order.revision());
    common::AppendToOutbox(tx, std::move(event), kSourceService);
  }
}

const char* SagaKindName(SagaKind kind) {
  switch (kind) {
    case SagaKind::kAmend:
      return "amend";
    case SagaKind::kCancel:
      return "cancel";
    case SagaKind::kRepair:
      return "repair";
    case SagaKind::kConfirm:
      return "confirm";
  }
  return "confirm";
}

SagaKind SagaKindOf(const std::string& name) {
  if (name == "amend") return SagaKind::kAmend;
  if (name == "cancel") return SagaKind::kCancel;
  if (name == "repair") return SagaKind::kRepair;
  return SagaKind::kConfirm;
}

const char* SagaStateName(SagaState state) {
  switch (state) {
    case SagaState::kRunning:
      return "running";
    case SagaState::kCompensating:
      return "compensating";
    case SagaState::kFinished:
      return "finished";
    case SagaState::kCompensated:
      return "compensated";
  }
  return "running";
}

SagaState SagaStateOf(const std::string& name) {
  if (name == "compensating") return SagaState::kCompensating;
  if (name == "finished") return SagaState::kFinished;
  if (name == "compensated") return SagaState::kCompensated;
  return SagaState::kRunning;
}

// The columns SagaFromRow reads, each prefixed with `table` ("s." where names are ambiguous).
std::string SagaColumns(const std::string& table = "") {
  std::string columns;
  for (const char* column : {"saga_id", "kind", "order_id", "base_revision", "step_revision",
                             "state", "progress", "attempts", "last_error", "actor", "request_id",
                             "accept_later", "reason", "target", "impact", "commitment"}) {
    columns += (columns.empty() ? "" : ", ") + table + column;
  }
  return columns;
}

SagaRecord SagaFromRow(const pqxx::row& row) {
  SagaRecord saga;
  saga.saga_id = row[0].as<std::string>();
  saga.kind = SagaKindOf(row[1].as<std::string>());
  saga.order_id = row[2].as<std::string>();
  saga.base_revision = row[3].as<int64_t>();
  saga.step_revision = row[4].as<int64_t>();
  saga.state = SagaStateOf(row[5].as<std::string>());
  saga.progress = static_cast<SagaProgress>(row[6].as<int>());
  saga.attempts = row[7].as<int>();
  saga.last_error = row[8].as<std::string>();
  saga.actor = common::ParseRecord<v1::Actor>(row[9]);
  saga.request_id = row[10].as<std::string>();
  saga.accept_later_commitment = row[11].as<bool>();
  saga.reason = row[12].as<std::string>();
  if (!row[13].is_null()) saga.target = common::ParseRecord<v1::Order>(row[13]);
  if (!row[14].is_null()) saga.impact = common::ParseRecord<v1::ChangeImpact>(row[14]);
  if (!row[15].is_null()) saga.commitment = common::ParseRecord<v1::Commitment>(row[15]);
  return saga;
}

absl::Status SagaInProgress(const std::string& order_id) {
  return ReasonedError(
      absl::StatusCode::kAborted, v1::SAGA_IN_PROGRESS,
      "order " + order_id + " is being confirmed or changed right now; retry in a few seconds");
}

// Records `saga` as running for `lease` on the locked order, unless another saga on it is open.
absl::Status InsertSaga(pqxx::work& tx, const SagaRecord& saga, std::chrono::seconds lease) {
  if (!tx.exec_params("SELECT 1 FROM sagas WHERE order_id = $1 AND state IN "
                      "('running', 'compensating')",
                      saga.order_id)
           .empty()) {
    return SagaInProgress(saga.order_id);
  }
  tx.exec_params(
      "INSERT INTO sagas (saga_id, kind, order_id, base_revision, step_revision, state, "
      "  lease_until, actor, request_id, accept_later, reason, target, impact) "
      "VALUES ($1, $2, $3, $4, $5, 'running', now() + $6 * interval '1 second', $7, $8, $9, "
      "  $10, $11, $12)",
      saga.saga_id, SagaKindName(saga.kind), saga.order_id, saga.base_revision, saga.step_revision,
      static_cast<int64_t>(lease.count()), pqxx::binarystring(saga.actor.SerializeAsString()),
      saga.request_id, saga.accept_later_commitment, saga.reason,
      pqxx::binarystring(saga.target.SerializeAsString()),
      pqxx::binarystring(saga.impact.SerializeAsString()));
  return absl::OkStatus();
}

// Ends a saga inside the order write that concludes it. A saga that is no longer what this
// write expects (recovery took it over and is undoing it, or it ended already) refuses the
// write: ABORTED.
absl::Status EndSaga(pqxx::work& tx, const std::string& saga_id, SagaState outcome) {
  // Finishing takes a running saga; undoing ends one running (refused before acting) or
  // compensating.
  const char* expected = outcome == SagaState::kFinished ? "{running}" : "{running,compensating}";
  pqxx::result ended = tx.exec_params(
      "UPDATE sagas SET state = $2, updated_at = now() WHERE saga_id = $1 "
      "AND state = ANY($3::text[]) RETURNING 1",
      saga_id, SagaStateName(outcome), expected);
  if (ended.empty()) {
    return ReasonedError(absl::StatusCode::kAborted, v1::SAGA_IN_PROGRESS,
                         "saga " + saga_id +
                             " is no longer open as this write expects (recovery took it over, "
                             "or it ended)");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<OrderCounts> PostgresOrderStore::Counts() {
  OrderCounts counts;
  absl::Status status = pool_.InTransaction("order_counts", [&](pqxx::work& tx) {
    counts = {};
    for (const pqxx::row& row : tx.exec("SELECT stage, count(*) FROM orders GROUP BY stage")) {
      v1::OrderStage stage = v1::ORDER_STAGE_UNSPECIFIED;
      v1::OrderStage_Parse(row[0].as<std::string>(), &stage);
      counts.by_stage[stage] = row[1].as<int64_t>();
    }
    pqxx::row sums = tx.exec1(
        "SELECT COALESCE(sum(unacknowledged_changes), 0)::bigint, "
        "COALESCE(sum(open_blocking_questions), 0)::bigint FROM orders");
    counts.unacknowledged_changes = sums[0].as<int64_t>();
    counts.open_blocking_questions = sums[1].as<int64_t>();
    pqxx::row sagas = tx.exec1(
        "SELECT count(*), COALESCE(extract(epoch FROM now() - min(created_at)), 0)::float8 "
        "FROM sagas WHERE state IN ('running', 'compensating')");
    counts.sagas.open = sagas[0].as<int64_t>();
    counts.sagas.oldest_open_age_seconds = sagas[1].as<double>();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return counts;
}

common::IdempotentRequest IdempotentRequestOf(const IdempotentCall& call) {
  return KeyedByCaller(call);
}

std::string EtagOf(int64_t revision) { return absl::StrCat("r", revision); }

absl::StatusOr<v1::Order> PostgresOrderStore::Create(const v1::CreateOrderRequest& request,
                                                     v1::Order order, OrderChange change,
                                                     bool* replayed) {
  // The handler made the caller the order's creator.
  const common::IdempotentRequest idempotent =
      KeyedByCaller("CreateOrder", order.created_by().id(), request.request_id(), request);
  v1::Order stored;
  absl::Status status = pool_.InTransaction("create_order", [&](pqxx::work& tx) {
    *replayed = false;
    SALESOPS_ASSIGN_OR_RETURN(std::optional<std::string> earlier, idempotent.Replay(tx));
    if (earlier) {
      v1::CreateOrderResponse response;
      response.ParseFromString(*earlier);
      stored = response.order();
      *replayed = true;
      return absl::OkStatus();
    }
    stored = order;
    stored.set_order_id(tx.exec1("SELECT nextval('order_numbers')::text")[0].as<std::string>());
    stored.set_revision(1);
    stored.set_etag(EtagOf(1));
    SALESOPS_RETURN_IF_ERROR(WriteOrder(tx, stored, StoredParts{}, change.new_revision,
                                        /*before=*/nullptr));
    WriteChange(tx, stored, change);
    v1::CreateOrderResponse response;
    *response.mutable_order() = stored;
    idempotent.Remember(tx, response);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return stored;
}

absl::StatusOr<v1::Order> PostgresOrderStore::Get(const std::string& order_id) {
  std::optional<v1::Order> order;
  absl::Status status = pool_.InTransaction("get_order", [&](pqxx::work& tx) {
    // One snapshot for the row and its parts, so a note committed in between is not half seen.
    tx.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    order.reset();
    pqxx::result rows = tx.exec_params("SELECT body FROM orders WHERE order_id = $1", order_id);
    if (rows.empty()) return absl::OkStatus();
    order = common::ParseRecord<v1::Order>(rows[0][0]);
    ReadParts(tx, {{order_id, &*order}}, nullptr);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!order) return OrderNotFound(order_id);
  return *order;
}

absl::StatusOr<v1::Order> PostgresOrderStore::GetRevision(const std::string& order_id,
                                                          int64_t revision) {
  std::optional<v1::Order> order;
  absl::Status status = pool_.Read("get_order_revision", [&](pqxx::transaction_base& tx) {
    order.reset();
    // A revision that changed only notes or threads wrote no row: its content is the latest
    // row before it. The order's own row says whether it ever reached `revision`.
    pqxx::result rows = tx.exec_params(
        "SELECT r.body FROM orders o JOIN order_revisions r USING (order_id) "
        "WHERE o.order_id = $1 AND o.revision >= $2 AND r.revision <= $2 "
        "ORDER BY r.revision DESC LIMIT 1",
        order_id, revision);
    if (!rows.empty()) order = common::ParseRecord<v1::Order>(rows[0][0]);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!order) {
    return ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                         absl::StrCat("order ", order_id, " has no revision ", revision));
  }
  order->set_revision(revision);
  return *order;
}

absl::StatusOr<v1::Order> PostgresOrderStore::Update(
    const std::string& order_id,
    const std::function<absl::Status(v1::Order&, OrderChange&)>& change,
    const std::string& dedupe_event_id, bool* duplicate) {
  return UpdateAnswering(/*call=*/nullptr, order_id, change, /*answer=*/{}, dedupe_event_id,
                         duplicate);
}

absl::Status PostgresOrderStore::UpdateIdempotently(
    const IdempotentCall& call, const std::string& order_id,
    const std::function<absl::Status(v1::Order&, OrderChange&)>& change,
    const std::function<void(const v1::Order&)>& answer) {
  return UpdateAnswering(&call, order_id, change, answer, /*dedupe_event_id=*/"",
                         /*duplicate=*/nullptr)
      .status();
}

absl::StatusOr<v1::Order> PostgresOrderStore::UpdateAnswering(
    const IdempotentCall* call, const std::string& order_id,
    const std::function<absl::Status(v1::Order&, OrderChange&)>& change,
    const std::function<void(const v1::Order&)>& answer, const std::string& dedupe_event_id,
    bool* duplicate) {
  v1::Order order;
  std::optional<common::IdempotentRequest> idempotent;
  if (call != nullptr) idempotent = KeyedByCaller(*call);
  absl::Status status = pool_.InTransaction("update_order", [&](pqxx::work& tx) {
    if (duplicate) *duplicate = false;
    // Before the order is read: a retry answers as the first call did, whatever the order has
    // become since. (The request's lock comes before the row's, and no transaction takes them
    // the other way round, so the two cannot deadlock.)
    if (idempotent) {
      SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(*idempotent, tx, *call->response));
      if (replayed) return absl::OkStatus();
    }
    pqxx::result rows =
        tx.exec_params("SELECT body FROM orders WHERE order_id = $1 FOR UPDATE", order_id);
    if (rows.empty()) return OrderNotFound(order_id);
    order = common::ParseRecord<v1::Order>(rows[0][0]);
    // The row lock serializes writers, so the parts read now are the ones this write extends.
    std::map<std::string, StoredParts> parts;
    ReadParts(tx, {{order_id, &order}}, &parts);
    const v1::Order before = ContentOf(order);
    if (!dedupe_event_id.empty()) {
      pqxx::result fresh = tx.exec_params(
          "INSERT INTO processed_events (event_id, order_id) VALUES ($1, $2) "
          "ON CONFLICT (event_id) DO NOTHING",
          dedupe_event_id, order_id);
      if (fresh.affected_rows() == 0) {
        if (duplicate) *duplicate = true;
        return absl::OkStatus();
      }
    }
    OrderChange what;
    SALESOPS_RETURN_IF_ERROR(change(order, what));
    if (what.refuse_during_saga &&
        !tx.exec_params("SELECT 1 FROM sagas WHERE order_id = $1 AND state IN "
                        "('running', 'compensating')",
                        order_id)
             .empty()) {
      return SagaInProgress(order_id);
    }
    if (what.new_revision) {
      order.set_revision(order.revision() + 1);
      order.set_etag(EtagOf(order.revision()));
    }
    *order.mutable_update_time() = common::NowTimestamp();
    if (!what.saga_id.empty())
      SALESOPS_RETURN_IF_ERROR(EndSaga(tx, what.saga_id, what.saga_outcome));
    SALESOPS_RETURN_IF_ERROR(WriteOrder(tx, order, parts[order_id], what.new_revision, &before));
    WriteChange(tx, order, what);
    if (idempotent) {
      if (answer) answer(order);
      idempotent->Remember(tx, *call->response);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return order;
}

absl::StatusOr<bool> PostgresOrderStore::ReplayAnswer(const IdempotentCall& call) {
  if (call.request_id.empty()) return false;
  const common::IdempotentRequest idempotent = KeyedByCaller(call);
  bool replayed = false;
  absl::Status status = pool_.InTransaction("replay_answer", [&](pqxx::work& tx) {
    SALESOPS_ASSIGN_OR_RETURN(replayed, Replayed(idempotent, tx, *call.response));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return replayed;
}

absl::Status PostgresOrderStore::RememberAnswer(const IdempotentCall& call) {
  if (call.request_id.empty()) return absl::OkStatus();
  const common::IdempotentRequest idempotent = KeyedByCaller(call);
  return pool_.InTransaction("remember_answer", [&](pqxx::work& tx) {
    // A concurrent retry that got past ReplayAnswer too may have remembered first; its answer
    // (the same effect) stays.
    SALESOPS_ASSIGN_OR_RETURN(std::optional<std::string> earlier, idempotent.Replay(tx));
    if (!earlier) idempotent.Remember(tx, *call.response);
    return absl::OkStatus();
  });
}

absl::Status PostgresOrderStore::AddHistory(const std::string& order_id,
                                            const v1::HistoryEntry& entry) {
  return pool_.InTransaction("add_history", [&](pqxx::work& tx) {
    tx.exec_params("INSERT INTO order_history (order_id, entry) VALUES ($1, $2)", order_id,
                   pqxx::binarystring(entry.SerializeAsString()));
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Order> PostgresOrderStore::ReadAndBeginSaga(
    const std::string& order_id, std::chrono::seconds lease,
    const std::function<absl::StatusOr<std::optional<SagaRecord>>(const v1::Order&)>& admit) {
  v1::Order order;
  absl::Status status = pool_.InTransaction("begin_saga", [&](pqxx::work& tx) {
    pqxx::result rows =
        tx.exec_params("SELECT body FROM orders WHERE order_id = $1 FOR UPDATE", order_id);
    if (rows.empty()) return OrderNotFound(order_id);
    order = common::ParseRecord<v1::Order>(rows[0][0]);
    // The row lock serializes writers, so the parts read now belong to this revision.
    ReadParts(tx, {{order_id, &order}}, nullptr);
    SALESOPS_ASSIGN_OR_RETURN(std::optional<SagaRecord> saga, admit(order));
    if (!saga) return absl::OkStatus();
    return InsertSaga(tx, *saga, lease);
  });
  if (!status.ok()) return status;
  return order;
}

absl::Status PostgresOrderStore::BeginSaga(const SagaRecord& saga, std::chrono::seconds lease) {
  return pool_.InTransaction("begin_saga", [&](pqxx::work& tx) {
    pqxx::result rows =
        tx.exec_params("SELECT revision FROM orders WHERE order_id = $1 FOR UPDATE", saga.order_id);
    if (rows.empty()) return OrderNotFound(saga.order_id);
    if (rows[0][0].as<int64_t>() != saga.base_revision) {
      return ReasonedError(
          absl::StatusCode::kAborted, v1::STALE_REVISION,
          absl::StrCat("order ", saga.order_id, " is at revision ", rows[0][0].as<int64_t>(),
                       ", not ", saga.base_revision, "; read it again"));
    }
    return InsertSaga(tx, saga, lease);
  });
}

absl::Status PostgresOrderStore::RecordSagaProgress(const SagaRecord& saga) {
  return pool_.InTransaction("saga_progress", [&](pqxx::work& tx) {
    tx.exec_params(
        "UPDATE sagas SET progress = greatest(progress, $2), commitment = $3, "
        "updated_at = now() WHERE saga_id = $1",
        saga.saga_id, static_cast<int>(saga.progress),
        pqxx::binarystring(saga.commitment.SerializeAsString()));
    return absl::OkStatus();
  });
}

absl::Status PostgresOrderStore::MarkSagaCompensating(const std::string& saga_id,
                                                      const std::string& error,
                                                      std::chrono::seconds retry_after) {
  return pool_.InTransaction("saga_compensating", [&](pqxx::work& tx) {
    tx.exec_params(
        "UPDATE sagas SET state = 'compensating', last_error = left($2, 2000), "
        "lease_until = now() + $3 * interval '1 second', updated_at = now() "
        "WHERE saga_id = $1 AND state IN ('running', 'compensating')",
        saga_id, error, static_cast<int64_t>(retry_after.count()));
    return absl::OkStatus();
  });
}

absl::Status PostgresOrderStore::PostponeSaga(const std::string& saga_id, const std::string& error,
                                              std::chrono::seconds retry_after) {
  return pool_.InTransaction("saga_postponed", [&](pqxx::work& tx) {
    tx.exec_params(
        "UPDATE sagas SET last_error = left($2, 2000), "
        "lease_until = now() + $3 * interval '1 second', updated_at = now() "
        "WHERE saga_id = $1 AND state IN ('running', 'compensating')",
        saga_id, error, static_cast<int64_t>(retry_after.count()));
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<SagaRecord>> PostgresOrderStore::ClaimExpiredSagas(
    std::chrono::seconds lease, int limit) {
  std::vector<SagaRecord> claimed;
  absl::Status status = pool_.InTransaction("claim_sagas", [&](pqxx::work& tx) {
    claimed.clear();
    // SKIP LOCKED: replicas sweeping together each take different sagas.
    pqxx::result rows = tx.exec_params(
        std::string("WITH due AS (SELECT saga_id FROM sagas WHERE state IN ('running', "
                    "'compensating') AND lease_until < now() ORDER BY lease_until LIMIT $2 "
                    "FOR UPDATE SKIP LOCKED) "
                    "UPDATE sagas s SET lease_until = now() + $1 * interval '1 second', "
                    "attempts = attempts + 1, updated_at = now(), "
                    "state = CASE WHEN s.progress >= 2 OR s.kind = 'cancel' THEN s.state "
                    "ELSE 'compensating' END "
                    "FROM due WHERE s.saga_id = due.saga_id RETURNING ") +
            SagaColumns("s."),
        static_cast<int64_t>(lease.count()), limit);
    for (const pqxx::row& row : rows) claimed.push_back(SagaFromRow(row));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return claimed;
}

absl::StatusOr<std::set<std::string>> PostgresOrderStore::OrdersWithOpenSagas() {
  std::set<std::string> orders;
  absl::Status status = pool_.Read("open_sagas", [&](pqxx::transaction_base& tx) {
    orders.clear();
    for (const pqxx::row& row : tx.exec("SELECT order_id FROM sagas WHERE state IN "
                                        "('running', 'compensating')")) {
      orders.insert(row[0].as<std::string>());
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return orders;
}

absl::Status PostgresOrderStore::AddEvent(const v1::Event& event) {
  return pool_.InTransaction("add_event", [&](pqxx::work& tx) {
    common::AppendToOutbox(tx, event, kSourceService);
    return absl::OkStatus();
  });
}

absl::StatusOr<SagaRecord> PostgresOrderStore::GetSaga(const std::string& saga_id) {
  std::optional<SagaRecord> saga;
  absl::Status status = pool_.Read("get_saga", [&](pqxx::transaction_base& tx) {
    pqxx::result rows =
        tx.exec_params("SELECT " + SagaColumns() + " FROM sagas WHERE saga_id = $1", saga_id);
    if (!rows.empty()) saga = SagaFromRow(rows[0]);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!saga) {
    return ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                         "saga " + saga_id + " does not exist");
  }
  return *saga;
}

absl::StatusOr<common::Page<v1::Order>> PostgresOrderStore::List(
    const v1::ListOrdersRequest& request, int limit, const std::string& after_id) {
  common::Page<v1::Order> page;
  std::vector<std::string> stages;
  for (int stage : request.stages()) {
    stages.push_back(v1::OrderStage_Name(static_cast<v1::OrderStage>(stage)));
  }
  const bool has_range = request.has_delivery_range();
  const int64_t from = has_range && request.delivery_range().has_not_before()
                           ? common::ToMicros(request.delivery_range().not_before())
                           : std::numeric_limits<int64_t>::min();
  const int64_t until = has_range ? common::ToMicros(request.delivery_range().no_later_than())
                                  : std::numeric_limits<int64_t>::max();
  absl::Status status = pool_.InTransaction("list_orders", [&](pqxx::work& tx) {
    tx.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    page = {};
    // Order ids are numbers: sort them as numbers, page after the last one.
    pqxx::result rows = tx.exec_params(
        "SELECT body, order_id FROM orders WHERE order_id::bigint > $1::bigint "
        "AND (cardinality($2::text[]) = 0 OR stage = ANY($2::text[])) "
        "AND ($3 = '' OR salesperson_id = $3) AND ($4 = '' OR customer_id = $4) "
        "AND ($5 = '' OR customer_name ILIKE $5) "
        "AND (NOT $6 OR (ts_to_us(deliver_by) >= $7 AND ts_to_us(deliver_by) <= $8)) "
        "AND (NOT $9 OR unacknowledged_changes > 0) AND (NOT $10 OR open_blocking_questions > 0) "
        "ORDER BY order_id::bigint LIMIT $11",
        after_id.empty() ? std::string("0") : after_id, common::PgTextArray(stages),
        request.salesperson_id(), request.customer_id(),
        request.customer_name().empty() ? std::string()
                                        : common::ContainsPattern(request.customer_name()),
        has_range, from, until, request.unacknowledged_changes_only(),
        request.open_blocking_questions_only(), limit + 1);
    common::FillPage(
        page, rows, limit,
        [](const pqxx::row& row) { return common::ParseRecord<v1::Order>(row[0]); },
        [](const v1::Order& order) { return order.order_id(); });
    std::map<std::string, v1::Order*> by_id;
    for (v1::Order& order : page.entries) by_id[order.order_id()] = &order;
    ReadParts(tx, by_id, nullptr);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

absl::StatusOr<common::Page<v1::HistoryEntry>> PostgresOrderStore::History(
    const std::string& order_id, int limit, int64_t after_entry) {
  common::Page<v1::HistoryEntry> page;
  absl::Status status = pool_.InTransaction("order_history", [&](pqxx::work& tx) {
    page = {};
    if (tx.exec_params("SELECT 1 FROM orders WHERE order_id = $1", order_id).empty()) {
      return OrderNotFound(order_id);
    }
    pqxx::result rows = tx.exec_params(
        "SELECT entry, entry_id FROM order_history WHERE order_id = $1 AND entry_id > $2 "
        "ORDER BY entry_id LIMIT $3",
        order_id, after_entry, limit + 1);
    // The page key is the entry id, which the entry itself does not carry.
    std::vector<int64_t> ids;
    for (const pqxx::row& row : rows) ids.push_back(row[1].as<int64_t>());
    common::FillPage(
        page, rows, limit,
        [](const pqxx::row& row) { return common::ParseRecord<v1::HistoryEntry>(row[0]); },
        [&](const v1::HistoryEntry&) { return std::to_string(ids[page.entries.size() - 1]); });
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

}  // namespace salesops::order_intake
