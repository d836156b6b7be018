#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "services/order_intake/order_store.h"
#include "services/order_intake/sagas.h"

namespace salesops::order_intake {

// The recovery sweep: at start and then every `interval`, claims the sagas whose lease has
// expired (their process died mid-way, or their undoing is due for another try) and finishes
// or undoes each. Replicas sweep side by side; each saga is claimed by one. Reconciliation,
// the safety net behind the sagas, runs from the same thread, less often.
class SagaRecovery {
 public:
  // `reconcile` runs every `reconcile_interval` from the same thread (never when 0), and
  // `chores` (work that must finish after a crash too, such as announcing overdue invoices)
  // after every sweep.
  SagaRecovery(SagaRunner& runner, OrderStore& store, std::chrono::seconds interval,
               std::function<void()> reconcile, std::chrono::seconds reconcile_interval,
               std::function<void()> chores = {});
  ~SagaRecovery();

  void Start();
  void Stop();
  // One sweep, now: how many sagas it took up.
  int SweepOnce();

 private:
  void Run();

  SagaRunner& runner_;
  OrderStore& store_;
  std::chrono::seconds interval_;
  std::function<void()> reconcile_;
  std::chrono::seconds reconcile_interval_;
  std::function<void()> chores_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace salesops::order_intake
