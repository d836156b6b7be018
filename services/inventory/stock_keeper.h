#pragma once

#include <absl/status/statusor.h>

#include <chrono>

#include "salesops/v1/inventory.pb.h"
#include "services/inventory/inventory_store.h"

namespace salesops::inventory {

// The inventory rules that span the store and the arithmetic: what is free
// over a window, holds that never refuse, firm reservations that never
// overbook, and releases. Requests arrive validated; no gRPC here.
class StockKeeper {
 public:
  // How far past a short window CheckAvailability searches for one that fits.
  static constexpr std::chrono::hours kFeasibleSearchHorizon{24 * 90};
  // The road time a suggested transfer allows between warehouses.
  static constexpr std::chrono::hours kSuggestedTransit{24};
  // GetAvailabilityCalendar and ForecastDemand answer at most this many buckets.
  static constexpr int kMaxBuckets = 1000;

  explicit StockKeeper(InventoryStore& store) : store_(store) {}

  absl::StatusOr<v1::ResolveProductsResponse> Resolve(const v1::ResolveProductsRequest& request);
  absl::StatusOr<v1::CheckAvailabilityResponse> CheckAvailability(
      const v1::CheckAvailabilityRequest& request);
  absl::StatusOr<v1::GetAvailabilityCalendarResponse> Calendar(
      const v1::GetAvailabilityCalendarRequest& request);
  absl::StatusOr<v1::PlaceHoldResponse> PlaceHold(const v1::PlaceHoldRequest& request,
                                                  const v1::Actor& actor);
  absl::StatusOr<v1::ReserveResponse> Reserve(const v1::ReserveRequest& request,
                                              const v1::Actor& actor);
  absl::StatusOr<v1::ForecastDemandResponse> ForecastDemand(
      const v1::ForecastDemandRequest& request, const std::string& after);
  absl::StatusOr<v1::ReleaseResponse> Release(const v1::ReleaseRequest& request,
                                              const v1::Actor& actor);

 private:
  InventoryStore& store_;
};

// Conversions between the API's Window and the domain's Interval. A window
// used as an interval needs both ends (INVALID_ARGUMENT naming `field`).
absl::StatusOr<Interval> IntervalOf(const v1::Window& window, const std::string& field);
v1::Window WindowOf(const Interval& interval);

}  // namespace salesops::inventory
