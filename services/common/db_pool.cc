#include "services/common/db_pool.h"

#include <thread>

#include "services/common/errors.h"
#include "services/common/log.h"

namespace salesops::common {
namespace {

constexpr int kMaxTransactionAttempts = 5;

std::string PercentEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string encoded;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      encoded += static_cast<char>(c);
    } else {
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 0xF];
    }
  }
  return encoded;
}

// libpq's text names hosts, ports and sometimes SQL: it goes to the log (at most a few lines a
// second through an outage), never to a caller.
absl::Status DatabaseUnavailable(std::string_view what) {
  static LogRateLimiter* limiter = new LogRateLimiter(/*per_second=*/2, /*burst=*/10);
  uint64_t suppressed = 0;
  if (limiter->Allow(&suppressed)) {
    LogWarn("db_unavailable",
            {{"error", std::string(what)},
             {"suppressed_warnings", suppressed > 0 ? std::to_string(suppressed) : ""}});
  }
  return ReasonedError(absl::StatusCode::kUnavailable, v1::DATABASE_UNAVAILABLE,
                       "the database is unavailable; retry later");
}

}  // namespace

std::string ConnectionString(const DatabaseOptions& options) {
  std::string url = options.url;
  char separator = url.find('?') == std::string::npos ? '?' : '&';
  auto append = [&](std::string_view key, std::string_view value) {
    url += separator;
    url += key;
    url += '=';
    url += PercentEncode(value);
    separator = '&';
  };
  append("connect_timeout", std::to_string(options.connect_timeout.count()));
  append("application_name", options.application_name);
  if (!options.password.empty()) append("password", options.password);
  return url;
}

ConnectionPool::Lease::Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> connection)
    : pool_(pool), connection_(std::move(connection)) {}

ConnectionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), connection_(std::move(other.connection_)), broken_(other.broken_) {
  other.pool_ = nullptr;
}

ConnectionPool::Lease::~Lease() {
  if (pool_ != nullptr && connection_ != nullptr) pool_->Return(std::move(connection_), broken_);
}

ConnectionPool::ConnectionPool(DatabaseOptions options, PoolObserver* observer)
    : options_(std::move(options)),
      connection_string_(ConnectionString(options_)),
      observer_(observer) {}

ConnectionPool::~ConnectionPool() {
  std::lock_guard<std::mutex> lock(mutex_);
  idle_.clear();
}

absl::StatusOr<ConnectionPool::Lease> ConnectionPool::Acquire() {
  auto started = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(mutex_);
  bool ready = returned_.wait_until(lock, started + options_.acquire_timeout,
                                    [&] { return !idle_.empty() || open_ < options_.pool_size; });
  if (!ready) {
    if (observer_) observer_->OnAcquire(std::chrono::steady_clock::now() - started, false);
    return ReasonedError(absl::StatusCode::kUnavailable, v1::DATABASE_UNAVAILABLE,
                         "all database connections are busy; try again");
  }
  if (!idle_.empty()) {
    std::unique_ptr<pqxx::connection> connection = std::move(idle_.back());
    idle_.pop_back();
    if (observer_) observer_->OnAcquire(std::chrono::steady_clock::now() - started, true);
    return Lease(this, std::move(connection));
  }
  ++open_;
  ReportLocked();
  lock.unlock();
  // Connect outside the lock: it can take up to connect_timeout.
  try {
    auto connection = std::make_unique<pqxx::connection>(connection_string_);
    if (observer_) observer_->OnAcquire(std::chrono::steady_clock::now() - started, true);
    return Lease(this, std::move(connection));
  } catch (const std::exception& error) {
    lock.lock();
    --open_;
    ReportLocked();
    returned_.notify_one();
    if (observer_) observer_->OnAcquire(std::chrono::steady_clock::now() - started, false);
    // libpq's message names host and port but never the password.
    std::string message = error.what();
    while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) {
      message.pop_back();
    }
    return DatabaseUnavailable(message);
  }
}

void ConnectionPool::Return(std::unique_ptr<pqxx::connection> connection, bool broken) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (broken || !connection->is_open()) {
    --open_;
    connection.reset();
    DiscardIdleLocked();
    // Several slots may have opened: every waiter may connect anew.
    returned_.notify_all();
  } else {
    idle_.push_back(std::move(connection));
    // One connection for one waiter: waking them all under load would put every waiting
    // handler thread through a wake-up for each call that finishes.
    returned_.notify_one();
  }
  ReportLocked();
}

void ConnectionPool::DiscardIdleLocked() {
  open_ -= static_cast<int>(idle_.size());
  idle_.clear();
}

void ConnectionPool::ReportLocked() {
  if (observer_) observer_->OnConnections(open_, open_ - static_cast<int>(idle_.size()));
}

int ConnectionPool::open_connections() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return open_;
}

absl::Status ConnectionPool::InTransaction(std::string_view name,
                                           const std::function<absl::Status(pqxx::work&)>& work,
                                           Durability durability) {
  return Run(name, [&](pqxx::connection& connection) {
    pqxx::work transaction(connection, std::string(name));
    if (durability == Durability::kLossRepeatsWork) {
      transaction.exec("SET LOCAL synchronous_commit = off");
    }
    absl::Status outcome = work(transaction);
    if (outcome.ok()) transaction.commit();
    // Otherwise the transaction's destructor rolls back.
    return outcome;
  });
}

absl::Status ConnectionPool::Read(
    std::string_view name, const std::function<absl::Status(pqxx::transaction_base&)>& read) {
  return Run(name, [&](pqxx::connection& connection) {
    pqxx::nontransaction statements(connection, std::string(name));
    return read(statements);
  });
}

absl::Status ConnectionPool::Run(std::string_view name,
                                 const std::function<absl::Status(pqxx::connection&)>& attempt_on) {
  auto started = std::chrono::steady_clock::now();
  absl::Status outcome;
  for (int attempt = 1; attempt <= kMaxTransactionAttempts; ++attempt) {
    absl::StatusOr<Lease> lease = Acquire();
    if (!lease.ok()) {
      outcome = lease.status();
      break;
    }
    bool retry = false;
    try {
      outcome = attempt_on(**lease);
    } catch (const pqxx::in_doubt_error& error) {
      lease->MarkBroken();
      LogError("db_commit_in_doubt", {{"transaction", std::string(name)}, {"error", error.what()}});
      outcome = ReasonedError(absl::StatusCode::kUnavailable, v1::DATABASE_UNAVAILABLE,
                              "the database connection was lost while committing; the outcome "
                              "is unknown, retry with the same request_id");
    } catch (const pqxx::broken_connection& error) {
      // Lost before commit: nothing was written, so one retry on a fresh
      // connection is safe.
      lease->MarkBroken();
      outcome = DatabaseUnavailable(error.what());
      retry = attempt == 1;
    } catch (const pqxx::transaction_rollback& error) {
      // Serialization failure or deadlock: the database asks us to try again.
      outcome = ReasonedError(absl::StatusCode::kAborted, v1::INTERNAL_ERROR,
                              "concurrent update conflict; retry the request");
      retry = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5 * attempt * attempt));
    } catch (const pqxx::unique_violation& error) {
      outcome = ReasonedError(absl::StatusCode::kAlreadyExists, v1::ALREADY_EXISTS,
                              "a record with the same key already exists");
    } catch (const pqxx::sql_error& error) {
      LogError("db_sql_error", {{"transaction", std::string(name)},
                                {"error", error.what()},
                                {"sqlstate", error.sqlstate()}});
      outcome =
          ReasonedError(absl::StatusCode::kInternal, v1::INTERNAL_ERROR, "internal database error");
    } catch (const std::exception& error) {
      LogError("db_error", {{"transaction", std::string(name)}, {"error", error.what()}});
      outcome =
          ReasonedError(absl::StatusCode::kInternal, v1::INTERNAL_ERROR, "internal database error");
    }
    if (!retry) break;
  }
  if (observer_)
    observer_->OnTransaction(name, std::chrono::steady_clock::now() - started, outcome);
  return outcome;
}

absl::Status ConnectionPool::Ping() {
  return Read("ping", [](pqxx::transaction_base& statements) {
    statements.exec("SELECT 1");
    return absl::OkStatus();
  });
}

}  // namespace salesops::common
