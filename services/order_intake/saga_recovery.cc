#include "services/order_intake/saga_recovery.h"

#include "services/common/log.h"

namespace salesops::order_intake {
namespace {

// Sagas claimed per round trip; a sweep goes on while rounds come back full.
constexpr int kClaimBatch = 20;

}  // namespace

SagaRecovery::SagaRecovery(SagaRunner& runner, OrderStore& store, std::chrono::seconds interval,
                           std::function<void()> reconcile, std::chrono::seconds reconcile_interval,
                           std::function<void()> chores)
    : runner_(runner),
      store_(store),
      interval_(interval),
      reconcile_(std::move(reconcile)),
      reconcile_interval_(reconcile_interval),
      chores_(std::move(chores)) {}

SagaRecovery::~SagaRecovery() { Stop(); }

void SagaRecovery::Start() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Run(); });
}

void SagaRecovery::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int SagaRecovery::SweepOnce() {
  int taken = 0;
  for (;;) {
    absl::StatusOr<std::vector<SagaRecord>> due =
        store_.ClaimExpiredSagas(runner_.settings().lease(), kClaimBatch);
    if (!due.ok()) {
      common::LogWarn("saga_sweep_failed", {{"error", std::string(due.status().message())}});
      return taken;
    }
    for (SagaRecord& saga : *due) {
      // A failure is logged and counted by the runner; the saga stays open for the next sweep.
      runner_.Recover(std::move(saga)).IgnoreError();
      ++taken;
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return taken;
    }
    if (static_cast<int>(due->size()) < kClaimBatch) return taken;
  }
}

void SagaRecovery::Run() {
  // The first reconciliation waits a whole interval: right after a start, recovery has not yet
  // had its turn with the sagas a crash left, and their steps would look like strays.
  auto next_reconcile = std::chrono::steady_clock::now() + reconcile_interval_;
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    SweepOnce();
    if (chores_) chores_();
    if (reconcile_ && reconcile_interval_.count() > 0 &&
        std::chrono::steady_clock::now() >= next_reconcile) {
      reconcile_();
      next_reconcile = std::chrono::steady_clock::now() + reconcile_interval_;
    }
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace salesops::order_intake
