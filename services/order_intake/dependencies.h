#pragma once

#include <absl/status/statusor.h>

#include <string>

#include "salesops/v1/inventory.pb.h"
#include "salesops/v1/scheduling.pb.h"
#include "services/order_intake/clock.h"

namespace salesops::order_intake {

// What order-intake asks of inventory. Every call ends by `deadline`. Errors come back in
// our own terms: a dependency that cannot be reached is UNAVAILABLE with reason
// DEPENDENCY_UNAVAILABLE; a refusal keeps its reason, details and field violations.
class InventoryClient {
 public:
  virtual ~InventoryClient() = default;
  // Violations about the request's lines are renamed under `lines_field`
  // ("lines[2]" becomes "order.product_lines[2]").
  virtual absl::StatusOr<v1::ResolveProductsResponse> ResolveProducts(
      const v1::ResolveProductsRequest& request, const std::string& lines_field,
      TimePoint deadline) = 0;
  virtual absl::StatusOr<v1::CheckAvailabilityResponse> CheckAvailability(
      const v1::CheckAvailabilityRequest& request, TimePoint deadline) = 0;
  virtual absl::StatusOr<v1::PlaceHoldResponse> PlaceHold(const v1::PlaceHoldRequest& request,
                                                          TimePoint deadline) = 0;
  virtual absl::StatusOr<v1::ReserveResponse> Reserve(const v1::ReserveRequest& request,
                                                      TimePoint deadline) = 0;
  virtual absl::StatusOr<v1::ReleaseResponse> Release(const v1::ReleaseRequest& request,
                                                      TimePoint deadline) = 0;
  virtual absl::StatusOr<v1::GetPullSheetResponse> GetPullSheet(
      const v1::GetPullSheetRequest& request, TimePoint deadline) = 0;
  virtual absl::StatusOr<v1::ListReservationsResponse> ListReservations(
      const v1::ListReservationsRequest& request, TimePoint deadline) = 0;
};

// What order-intake asks of scheduling, on the same terms.
class SchedulingClient {
 public:
  virtual ~SchedulingClient() = default;
  virtual absl::StatusOr<v1::CheckCapacityResponse> CheckCapacity(
      const v1::CheckCapacityRequest& request, TimePoint deadline) = 0;
  virtual absl::StatusOr<v1::PlanJobResponse> PlanJob(const v1::PlanJobRequest& request,
                                                      TimePoint deadline) = 0;
  virtual absl::StatusOr<v1::CancelJobResponse> CancelJob(const v1::CancelJobRequest& request,
                                                          TimePoint deadline) = 0;
  virtual absl::StatusOr<v1::GetJobStatusResponse> GetJobStatus(
      const v1::GetJobStatusRequest& request, TimePoint deadline) = 0;
  virtual absl::StatusOr<v1::ListJobsResponse> ListJobs(const v1::ListJobsRequest& request,
                                                        TimePoint deadline) = 0;
  // At most 200 order ids a call (GetLabourCostsRequest.order_ids).
  virtual absl::StatusOr<v1::GetLabourCostsResponse> GetLabourCosts(
      const v1::GetLabourCostsRequest& request, TimePoint deadline) = 0;
};

}  // namespace salesops::order_intake
