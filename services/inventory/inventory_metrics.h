#pragma once

#include <absl/status/status.h>
#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace salesops::inventory {

// Inventory's own metrics, next to the common gRPC and database ones:
//   salesops_inventory_reservations_total{kind,outcome,reason}  holds and firm reservations
//   salesops_inventory_shortages_detected_total{source}         short codes found
//   salesops_inventory_availability_check_seconds               CheckAvailability latency
//   salesops_inventory_holds_active                             unexpired holds, read at scrape
class InventoryMetrics {
 public:
  explicit InventoryMetrics(prometheus::Registry& registry);

  // `kind`: "hold" or "firm"; a refusal's reason is its ErrorInfo reason.
  void Reservation(const std::string& kind, const absl::Status& outcome);
  void ShortagesDetected(const std::string& source, int codes);
  void AvailabilityChecked(std::chrono::duration<double> took);

  // A collectable that asks `count_active_holds` on each scrape.
  static std::shared_ptr<prometheus::Collectable> HoldsActiveGauge(
      std::function<int64_t()> count_active_holds);

 private:
  prometheus::Family<prometheus::Counter>& reservations_;
  prometheus::Family<prometheus::Counter>& shortages_;
  prometheus::Histogram& availability_seconds_;
};

}  // namespace salesops::inventory
