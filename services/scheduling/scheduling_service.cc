#include "services/scheduling/scheduling_service.h"

#include "services/common/errors.h"
#include "services/common/page_token.h"
#include "services/common/validation.h"
#include "services/scheduling/postgres_scheduling_store.h"

namespace salesops::scheduling {

using common::CheckRequest;
using common::ToGrpcStatus;

common::ServiceDefinition Definition() {
  return {"scheduling", common::WithSharedMigrations(Migrations()), RolePolicy()};
}

std::vector<std::unique_ptr<grpc::Service>> MakeServices(common::ServiceRuntime& runtime) {
  std::vector<std::unique_ptr<grpc::Service>> services;
  services.push_back(std::make_unique<SchedulingServiceImpl>(
      runtime, std::make_unique<PostgresSchedulingStore>(runtime.database())));
  return services;
}

namespace {

// A listing handler: validate, decode the page token, list, encode the next one.
template <typename Request, typename Entry, typename List, typename Add>
absl::Status ListPage(const Request& request, const std::string& listing, List list, Add add,
                      std::string* next_page_token) {
  SALESOPS_RETURN_IF_ERROR(CheckRequest(request));
  SALESOPS_ASSIGN_OR_RETURN(std::string after,
                            common::DecodePageToken(listing, request.page_token()));
  SALESOPS_ASSIGN_OR_RETURN(Page<Entry> page,
                            list(request, common::EffectivePageSize(request.page_size()), after));
  for (Entry& entry : page.entries) add(std::move(entry));
  *next_page_token = common::EncodePageToken(listing, page.next_after);
  return absl::OkStatus();
}

}  // namespace

grpc::Status SchedulingServiceImpl::CreateCrewMember(grpc::ServerContext*,
                                                     const v1::CreateCrewMemberRequest* request,
                                                     v1::CreateCrewMemberResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_crew_member(),
                              store_->CreateCrewMember(request->crew_member()));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::UpdateCrewMember(grpc::ServerContext*,
                                                     const v1::UpdateCrewMemberRequest* request,
                                                     v1::UpdateCrewMemberResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    if (request->crew_member().crew_member_id().empty()) {
      return common::InvalidArgumentError({{"crew_member.crew_member_id", "is required"}});
    }
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_crew_member(),
                              store_->UpdateCrewMember(request->crew_member(), request->etag()));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::GetCrewMember(grpc::ServerContext*,
                                                  const v1::GetCrewMemberRequest* request,
                                                  v1::GetCrewMemberResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_crew_member(),
                              store_->GetCrewMember(request->crew_member_id()));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::ListCrewMembers(grpc::ServerContext*,
                                                    const v1::ListCrewMembersRequest* request,
                                                    v1::ListCrewMembersResponse* response) {
  return ToGrpcStatus(ListPage<v1::ListCrewMembersRequest, v1::CrewMember>(
      *request, "crew",
      [&](const auto& filter, int limit, const std::string& after) {
        return store_->ListCrewMembers(filter, limit, after);
      },
      [&](v1::CrewMember entry) { *response->add_crew_members() = std::move(entry); },
      response->mutable_next_page_token()));
}

grpc::Status SchedulingServiceImpl::CreateVehicle(grpc::ServerContext*,
                                                  const v1::CreateVehicleRequest* request,
                                                  v1::CreateVehicleResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_vehicle(),
                              store_->CreateVehicle(request->vehicle()));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::UpdateVehicle(grpc::ServerContext*,
                                                  const v1::UpdateVehicleRequest* request,
                                                  v1::UpdateVehicleResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    if (request->vehicle().vehicle_id().empty()) {
      return common::InvalidArgumentError({{"vehicle.vehicle_id", "is required"}});
    }
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_vehicle(),
                              store_->UpdateVehicle(request->vehicle(), request->etag()));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::GetVehicle(grpc::ServerContext*,
                                               const v1::GetVehicleRequest* request,
                                               v1::GetVehicleResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_vehicle(),
                              store_->GetVehicle(request->vehicle_id()));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::ListVehicles(grpc::ServerContext*,
                                                 const v1::ListVehiclesRequest* request,
                                                 v1::ListVehiclesResponse* response) {
  return ToGrpcStatus(ListPage<v1::ListVehiclesRequest, v1::Vehicle>(
      *request, "vehicles",
      [&](const auto& filter, int limit, const std::string& after) {
        return store_->ListVehicles(filter, limit, after);
      },
      [&](v1::Vehicle entry) { *response->add_vehicles() = std::move(entry); },
      response->mutable_next_page_token()));
}

grpc::Status SchedulingServiceImpl::AddUnavailability(grpc::ServerContext* context,
                                                      const v1::AddUnavailabilityRequest* request,
                                                      v1::AddUnavailabilityResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Unavailability& unavailability = request->unavailability();
    std::vector<common::FieldViolation> violations;
    if (unavailability.subject_case() == v1::Unavailability::SUBJECT_NOT_SET) {
      violations.push_back({"unavailability.crew_member_id",
                            "name the crew member (or vehicle_id) who is unavailable"});
    }
    if (!unavailability.window().has_not_before()) {
      violations.push_back({"unavailability.window.not_before", "is required: when does it start"});
    }
    if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));
    SALESOPS_ASSIGN_OR_RETURN(
        *response->mutable_unavailability(),
        store_->AddUnavailability(unavailability, runtime_.CallerOf(*context).id()));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::ListUnavailability(grpc::ServerContext*,
                                                       const v1::ListUnavailabilityRequest* request,
                                                       v1::ListUnavailabilityResponse* response) {
  return ToGrpcStatus(ListPage<v1::ListUnavailabilityRequest, v1::Unavailability>(
      *request, "unavailability",
      [&](const auto& filter, int limit, const std::string& after) {
        return store_->ListUnavailability(filter, limit, after);
      },
      [&](v1::Unavailability entry) { *response->add_unavailability() = std::move(entry); },
      response->mutable_next_page_token()));
}

grpc::Status SchedulingServiceImpl::DeleteUnavailability(
    grpc::ServerContext*, const v1::DeleteUnavailabilityRequest* request,
    v1::DeleteUnavailabilityResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_RETURN_IF_ERROR(store_->DeleteUnavailability(request->unavailability_id()));
    response->set_unavailability_id(request->unavailability_id());
    return absl::OkStatus();
  }());
}

}  // namespace salesops::scheduling
