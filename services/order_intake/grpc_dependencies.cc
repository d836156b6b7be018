#include "services/order_intake/grpc_dependencies.h"

#include <grpcpp/client_context.h>

#include "services/common/errors.h"
#include "services/common/grpc_errors.h"

namespace salesops::order_intake {
namespace {

using common::FieldViolation;
using common::ReasonedError;

// A dependency's answer as our own status: its reason and details kept, field
// paths moved under ours ("lines[2]" → "order.product_lines[2]"), and
// "cannot reach" as DEPENDENCY_UNAVAILABLE.
absl::Status FromDependency(const std::string& what, const grpc::Status& status,
                            const std::string& from_field = "", const std::string& to_field = "") {
  if (status.ok()) return absl::OkStatus();
  common::ErrorDetails details = common::ParseGrpcError(status);
  v1::ErrorReason reason = v1::ERROR_REASON_UNSPECIFIED;
  v1::ErrorReason_Parse(details.reason, &reason);
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNIMPLEMENTED:
      return ReasonedError(absl::StatusCode::kUnavailable, v1::DEPENDENCY_UNAVAILABLE,
                           what + " did not answer: " + status.error_message());
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION: {
      // Field violations (a bad field, or one naming what does not exist) are renamed into
      // this request's fields; a refusal without them keeps its own words below.
      std::vector<FieldViolation> violations = details.violations;
      for (FieldViolation& violation : violations) {
        if (!from_field.empty() && violation.field.rfind(from_field, 0) == 0) {
          violation.field = to_field + violation.field.substr(from_field.size());
        }
      }
      if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
        if (violations.empty()) violations.push_back({to_field, details.message});
        return common::InvalidArgumentError(
            std::move(violations),
            reason == v1::ERROR_REASON_UNSPECIFIED ? v1::INVALID_REQUEST : reason);
      }
      if (!violations.empty()) return common::UnknownReferenceError(std::move(violations), reason);
      return ReasonedError(absl::StatusCode::kFailedPrecondition,
                           reason == v1::ERROR_REASON_UNSPECIFIED ? v1::INTERNAL_ERROR : reason,
                           what + ": " + details.message, details.metadata);
    }
    default:
      return ReasonedError(static_cast<absl::StatusCode>(status.error_code()),
                           reason == v1::ERROR_REASON_UNSPECIFIED ? v1::INTERNAL_ERROR : reason,
                           what + ": " + details.message, details.metadata);
  }
}

template <typename Stub, typename Request, typename Response>
absl::StatusOr<Response> Call(const std::string& what, Stub* stub,
                              grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                           Response*),
                              const Request& request, TimePoint deadline,
                              const std::string& from_field = "",
                              const std::string& to_field = "") {
  if (stub == nullptr) {
    return ReasonedError(absl::StatusCode::kUnavailable, v1::DEPENDENCY_UNAVAILABLE,
                         what + " is not configured (--" + what + "-address)");
  }
  grpc::ClientContext context;
  context.set_deadline(deadline);
  Response response;
  SALESOPS_RETURN_IF_ERROR(
      FromDependency(what, (stub->*method)(&context, request, &response), from_field, to_field));
  return response;
}

template <typename Service>
std::unique_ptr<typename Service::Stub> StubFor(const common::ServiceRuntime& runtime,
                                                const std::string& address,
                                                std::chrono::milliseconds call_timeout) {
  if (address.empty()) return nullptr;
  auto channel = runtime.ChannelTo(address, {Service::service_full_name()}, call_timeout);
  if (!channel.ok()) return nullptr;
  return Service::NewStub(*channel);
}

constexpr char kInventory[] = "inventory";
constexpr char kScheduling[] = "scheduling";
using InventoryStub = v1::InventoryService::Stub;
using SchedulingStub = v1::SchedulingService::Stub;

}  // namespace

GrpcInventoryClient::GrpcInventoryClient(const common::ServiceRuntime& runtime,
                                         const std::string& address,
                                         std::chrono::milliseconds call_timeout)
    : stub_(StubFor<v1::InventoryService>(runtime, address, call_timeout)) {}

absl::StatusOr<v1::ResolveProductsResponse> GrpcInventoryClient::ResolveProducts(
    const v1::ResolveProductsRequest& request, const std::string& lines_field, TimePoint deadline) {
  return Call(kInventory, stub_.get(), &InventoryStub::ResolveProducts, request, deadline, "lines",
              lines_field);
}

absl::StatusOr<v1::CheckAvailabilityResponse> GrpcInventoryClient::CheckAvailability(
    const v1::CheckAvailabilityRequest& request, TimePoint deadline) {
  return Call(kInventory, stub_.get(), &InventoryStub::CheckAvailability, request, deadline);
}

absl::StatusOr<v1::PlaceHoldResponse> GrpcInventoryClient::PlaceHold(
    const v1::PlaceHoldRequest& request, TimePoint deadline) {
  return Call(kInventory, stub_.get(), &InventoryStub::PlaceHold, request, deadline);
}

absl::StatusOr<v1::ReserveResponse> GrpcInventoryClient::Reserve(const v1::ReserveRequest& request,
                                                                 TimePoint deadline) {
  return Call(kInventory, stub_.get(), &InventoryStub::Reserve, request, deadline);
}

absl::StatusOr<v1::ReleaseResponse> GrpcInventoryClient::Release(const v1::ReleaseRequest& request,
                                                                 TimePoint deadline) {
  return Call(kInventory, stub_.get(), &InventoryStub::Release, request, deadline);
}

absl::StatusOr<v1::GetPullSheetResponse> GrpcInventoryClient::GetPullSheet(
    const v1::GetPullSheetRequest& request, TimePoint deadline) {
  return Call(kInventory, stub_.get(), &InventoryStub::GetPullSheet, request, deadline);
}

absl::StatusOr<v1::ListReservationsResponse> GrpcInventoryClient::ListReservations(
    const v1::ListReservationsRequest& request, TimePoint deadline) {
  return Call(kInventory, stub_.get(), &InventoryStub::ListReservations, request, deadline);
}

GrpcSchedulingClient::GrpcSchedulingClient(const common::ServiceRuntime& runtime,
                                           const std::string& address,
                                           std::chrono::milliseconds call_timeout)
    : stub_(StubFor<v1::SchedulingService>(runtime, address, call_timeout)) {}

absl::StatusOr<v1::CheckCapacityResponse> GrpcSchedulingClient::CheckCapacity(
    const v1::CheckCapacityRequest& request, TimePoint deadline) {
  return Call(kScheduling, stub_.get(), &SchedulingStub::CheckCapacity, request, deadline);
}

absl::StatusOr<v1::PlanJobResponse> GrpcSchedulingClient::PlanJob(const v1::PlanJobRequest& request,
                                                                  TimePoint deadline) {
  return Call(kScheduling, stub_.get(), &SchedulingStub::PlanJob, request, deadline);
}

absl::StatusOr<v1::CancelJobResponse> GrpcSchedulingClient::CancelJob(
    const v1::CancelJobRequest& request, TimePoint deadline) {
  return Call(kScheduling, stub_.get(), &SchedulingStub::CancelJob, request, deadline);
}

absl::StatusOr<v1::GetJobStatusResponse> GrpcSchedulingClient::GetJobStatus(
    const v1::GetJobStatusRequest& request, TimePoint deadline) {
  return Call(kScheduling, stub_.get(), &SchedulingStub::GetJobStatus, request, deadline);
}

absl::StatusOr<v1::ListJobsResponse> GrpcSchedulingClient::ListJobs(
    const v1::ListJobsRequest& request, TimePoint deadline) {
  return Call(kScheduling, stub_.get(), &SchedulingStub::ListJobs, request, deadline);
}

absl::StatusOr<v1::GetLabourCostsResponse> GrpcSchedulingClient::GetLabourCosts(
    const v1::GetLabourCostsRequest& request, TimePoint deadline) {
  return Call(kScheduling, stub_.get(), &SchedulingStub::GetLabourCosts, request, deadline);
}

}  // namespace salesops::order_intake
