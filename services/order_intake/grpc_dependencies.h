#pragma once

#include <memory>
#include <string>

#include "salesops/v1/inventory.grpc.pb.h"
#include "salesops/v1/scheduling.grpc.pb.h"
#include "services/common/service_runtime.h"
#include "services/order_intake/dependencies.h"

namespace salesops::order_intake {

// InventoryClient over gRPC: the only code that touches inventory's stub or reads its errors.
// An empty address answers every call UNAVAILABLE ("not configured").
class GrpcInventoryClient final : public InventoryClient {
 public:
  GrpcInventoryClient(const common::ServiceRuntime& runtime, const std::string& address,
                      std::chrono::milliseconds call_timeout);

  absl::StatusOr<v1::ResolveProductsResponse> ResolveProducts(
      const v1::ResolveProductsRequest& request, const std::string& lines_field,
      TimePoint deadline) override;
  absl::StatusOr<v1::CheckAvailabilityResponse> CheckAvailability(
      const v1::CheckAvailabilityRequest& request, TimePoint deadline) override;
  absl::StatusOr<v1::PlaceHoldResponse> PlaceHold(const v1::PlaceHoldRequest& request,
                                                  TimePoint deadline) override;
  absl::StatusOr<v1::ReserveResponse> Reserve(const v1::ReserveRequest& request,
                                              TimePoint deadline) override;
  absl::StatusOr<v1::ReleaseResponse> Release(const v1::ReleaseRequest& request,
                                              TimePoint deadline) override;
  absl::StatusOr<v1::GetPullSheetResponse> GetPullSheet(const v1::GetPullSheetRequest& request,
                                                        TimePoint deadline) override;
  absl::StatusOr<v1::ListReservationsResponse> ListReservations(
      const v1::ListReservationsRequest& request, TimePoint deadline) override;

 private:
  std::unique_ptr<v1::InventoryService::Stub> stub_;
};

// SchedulingClient over gRPC, likewise.
class GrpcSchedulingClient final : public SchedulingClient {
 public:
  GrpcSchedulingClient(const common::ServiceRuntime& runtime, const std::string& address,
                       std::chrono::milliseconds call_timeout);

  absl::StatusOr<v1::CheckCapacityResponse> CheckCapacity(const v1::CheckCapacityRequest& request,
                                                          TimePoint deadline) override;
  absl::StatusOr<v1::PlanJobResponse> PlanJob(const v1::PlanJobRequest& request,
                                              TimePoint deadline) override;
  absl::StatusOr<v1::CancelJobResponse> CancelJob(const v1::CancelJobRequest& request,
                                                  TimePoint deadline) override;
  absl::StatusOr<v1::GetJobStatusResponse> GetJobStatus(const v1::GetJobStatusRequest& request,
                                                        TimePoint deadline) override;
  absl::StatusOr<v1::ListJobsResponse> ListJobs(const v1::ListJobsRequest& request,
                                                TimePoint deadline) override;
  absl::StatusOr<v1::GetLabourCostsResponse> GetLabourCosts(
      const v1::GetLabourCostsRequest& request, TimePoint deadline) override;

 private:
  std::unique_ptr<v1::SchedulingService::Stub> stub_;
};

}  // namespace salesops::order_intake
