#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <vector>

namespace salesops::common {

struct DatabaseOptions {
  // libpq URL without a password; the password is added when connecting only.
  std::string url;
  std::string password;
  std::string application_name = "salesops";
  int pool_size = 8;
  std::chrono::milliseconds acquire_timeout{5000};
  std::chrono::seconds connect_timeout{3};
};

// Builds the libpq connection URL with the password and timeouts attached as
// query parameters (percent-encoded). Never log the result.
std::string ConnectionString(const DatabaseOptions& options);

// What a transaction's commit waits for.
enum class Durability {
  // The commit returns once its WAL is on disk (an fsync): what a caller is told happened
  // survives a crash. The default.
  kOnDisk,
  // Bookkeeping whose loss in a crash only makes work happen again that the system already
  // tolerates: a lease taken on outbox rows or deliveries, a "sent" mark, a delivery attempt's
  // record (at-least-once delivery; receivers deduplicate by event id). The commit does not
  // wait for the fsync (synchronous_commit = off for this transaction alone); PostgreSQL
  // writes it out within wal_writer_delay, and a crash before that undoes it consistently,
  // never partly. Never for a state change a caller or another service is told about.
  kLossRepeatsWork,
};

// Where pool events go (metrics); kept an interface so the pool knows nothing
// about Prometheus.
class PoolObserver {
 public:
  virtual ~PoolObserver() = default;
  virtual void OnAcquire(std::chrono::duration<double> wait, bool acquired) = 0;
  virtual void OnConnections(int open, int in_use) = 0;
  virtual void OnTransaction(std::string_view name, std::chrono::duration<double> took,
                             const absl::Status& outcome) = 0;
};

// A bounded set of libpqxx connections shared by a service's handlers.
// Connections are opened on demand up to `pool_size`; a connection found
// broken is dropped together with every idle one (after a database restart
// they are all dead), so the pool heals by itself once the database is back.
class ConnectionPool {
 public:
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    pqxx::connection& operator*() { return *connection_; }
    pqxx::connection* operator->() { return connection_.get(); }
    // The connection must not be reused (it failed mid-use).
    void MarkBroken() { broken_ = true; }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> connection);
    ConnectionPool* pool_;
    std::unique_ptr<pqxx::connection> connection_;
    bool broken_ = false;
  };

  explicit ConnectionPool(DatabaseOptions options, PoolObserver* observer = nullptr);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Waits up to acquire_timeout for a connection; UNAVAILABLE when the pool
  // stays exhausted or the database cannot be reached.
  absl::StatusOr<Lease> Acquire();

  // Runs `work` in one transaction, committed when it returns OK and rolled
  // back otherwise. libpqxx exceptions never escape: they become statuses
  // (UNAVAILABLE when the database is gone, ABORTED after repeated
  // serialization failures or deadlocks, INTERNAL for the rest). Serialization
  // failures, deadlocks and a connection lost before commit are retried, so
  // `work` must only touch the database.
  absl::Status InTransaction(std::string_view name,
                             const std::function<absl::Status(pqxx::work&)>& work,
                             Durability durability = Durability::kOnDisk);

  // Runs `read` without BEGIN and COMMIT: each statement is its own transaction (one round trip
  // instead of three, and no snapshot shared between statements). For reads of one statement,
  // or of several that need not agree. `read` must only read (a lost connection is retried
  // once, as InTransaction retries one lost before commit); errors map as InTransaction's do.
  // `read` gets a transaction_base, so the same code can also run inside a transaction.
  absl::Status Read(std::string_view name,
                    const std::function<absl::Status(pqxx::transaction_base&)>& read);

  // SELECT 1 on a pooled connection.
  absl::Status Ping();

  int open_connections() const;

 private:
  // One try of `attempt_on` per attempt, with InTransaction's error mapping and retries.
  absl::Status Run(std::string_view name,
                   const std::function<absl::Status(pqxx::connection&)>& attempt_on);
  void Return(std::unique_ptr<pqxx::connection> connection, bool broken);
  void DiscardIdleLocked();
  void ReportLocked();

  const DatabaseOptions options_;
  const std::string connection_string_;
  PoolObserver* const observer_;
  mutable std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  int open_ = 0;  // idle + leased + being opened
};

// The elements of a text[] column.
inline std::vector<std::string> ParseTextArray(const pqxx::field& field) {
  std::vector<std::string> values;
  auto parser = field.as_array();
  for (auto item = parser.get_next(); item.first != pqxx::array_parser::done;
       item = parser.get_next()) {
    if (item.first == pqxx::array_parser::string_value) values.push_back(item.second);
  }
  return values;
}

// A protobuf record kept as bytea.
template <typename Record>
Record ParseRecord(const pqxx::field& field) {
  pqxx::binarystring bytes(field);
  Record record;
  record.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  return record;
}

// A serialized record as a bytea parameter; `bytes` must outlive the statement.
inline pqxx::binarystring RecordBytes(const std::string& bytes) {
  return pqxx::binarystring(bytes.data(), bytes.size());
}

}  // namespace salesops::common
