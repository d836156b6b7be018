// OrderIntakeService: the directory (issue 17 item 1), organisations with their contacts and
// venues. Handlers validate, stamp who and when, and hand the write to the DirectoryStore; the
// rules beyond the proto annotations are in directory_rules.cc.
#include "services/common/grpc_errors.h"
#include "services/common/page_token.h"
#include "services/common/validation.h"
#include "services/order_intake/directory_rules.h"
#include "services/order_intake/order_intake_service.h"

namespace salesops::order_intake {

using common::CheckRequest;
using common::FieldViolation;
using common::ToGrpcStatus;

namespace {

absl::Status Refuse(std::vector<FieldViolation> violations) {
  if (violations.empty()) return absl::OkStatus();
  return common::InvalidArgumentError(std::move(violations));
}

// What the caller may set: output-only fields are the server's.
v1::Organisation Writable(v1::Organisation organisation) {
  organisation.clear_organisation_id();
  organisation.clear_revision();
  organisation.clear_etag();
  organisation.clear_created_by();
  organisation.clear_updated_by();
  organisation.clear_create_time();
  organisation.clear_update_time();
  organisation.clear_merged_into_id();
  return organisation;
}

v1::DirectoryVenue Writable(v1::DirectoryVenue venue) {
  venue.clear_venue_id();
  venue.clear_revision();
  venue.clear_etag();
  venue.clear_created_by();
  venue.clear_updated_by();
  venue.clear_create_time();
  venue.clear_update_time();
  venue.clear_merged_into_id();
  SortDockHours(venue);
  return venue;
}

// `next` replaces `current`, keeping what only the server sets; the store bumps the revision.
template <typename Record>
void Replace(Record& current, Record next, const v1::Actor& caller,
             const google::protobuf::Timestamp& now) {
  next.set_revision(current.revision());
  next.set_etag(current.etag());
  *next.mutable_created_by() = current.created_by();
  *next.mutable_create_time() = current.create_time();
  *next.mutable_updated_by() = caller;
  *next.mutable_update_time() = now;
  current = std::move(next);
}

template <typename Record>
void StampUpdated(Record& record, const v1::Actor& caller, const google::protobuf::Timestamp& now) {
  *record.mutable_updated_by() = caller;
  *record.mutable_update_time() = now;
}

// What every edit of an existing record checks first: that it is not a merged duplicate (named
// by the request's `field`), then the caller's etag.
template <typename Record>
absl::Status CheckEditable(const std::string& kind, const Record& current, const std::string& field,
                           const std::string& etag) {
  SALESOPS_RETURN_IF_ERROR(
      CheckNotMerged(kind, RecordIdOf(current), current.merged_into_id(), field));
  return CheckRecordEtag(kind, RecordIdOf(current), current.etag(), etag);
}

// The merge of `duplicate` into `survivor` as both Merge RPCs do it: neither may be merged
// already, both etags current; `fold` moves what the survivor gains, and the duplicate points
// at the survivor from now on.
template <typename Record>
RecordMerge<Record> MergeChange(const std::string& kind, const std::string& etag,
                                const std::string& duplicate_field,
                                const std::string& duplicate_etag, const v1::Actor& caller,
                                const google::protobuf::Timestamp& now,
                                absl::Status (*fold)(Record&, const Record&,
                                                     const google::protobuf::Timestamp&)) {
  return [=](Record& survivor, Record& duplicate) -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckEditable(kind, survivor, kind + "_id", etag));
    SALESOPS_RETURN_IF_ERROR(CheckEditable(kind, duplicate, duplicate_field, duplicate_etag));
    SALESOPS_RETURN_IF_ERROR(fold(survivor, duplicate, now));
    duplicate.set_merged_into_id(RecordIdOf(survivor));
    StampUpdated(survivor, caller, now);
    StampUpdated(duplicate, caller, now);
    return absl::OkStatus();
  };
}

template <typename Record>
void StampCreated(Record& record, const v1::Actor& caller, const google::protobuf::Timestamp& now) {
  *record.mutable_created_by() = caller;
  *record.mutable_updated_by() = caller;
  *record.mutable_create_time() = now;
  *record.mutable_update_time() = now;
}

}  // namespace

grpc::Status OrderIntakeServiceImpl::CreateOrganisation(
    grpc::ServerContext* context, const v1::CreateOrganisationRequest* request,
    v1::CreateOrganisationResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    std::vector<FieldViolation> violations =
        OrganisationViolations(request->organisation(), "organisation");
    for (int i = 0; i < request->organisation().contacts_size(); ++i) {
      if (!request->organisation().contacts(i).contact_id().empty()) {
        violations.push_back({"organisation.contacts[" + std::to_string(i) + "].contact_id",
                              "must be empty on create: the server assigns contact ids"});
      }
    }
    SALESOPS_RETURN_IF_ERROR(Refuse(std::move(violations)));
    const v1::Actor caller = runtime_.CallerOf(*context);
    v1::Organisation organisation = Writable(request->organisation());
    StampCreated(organisation, caller, clock_.NowTimestamp());
    const IdempotentCall call("CreateOrganisation", caller, *request, response);
    return directory_.CreateOrganisation(
        call, std::move(organisation),
        [&](const v1::Organisation& stored) { *response->mutable_organisation() = stored; });
  }());
}

grpc::Status OrderIntakeServiceImpl::GetOrganisation(grpc::ServerContext*,
                                                     const v1::GetOrganisationRequest* request,
                                                     v1::GetOrganisationResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_organisation(),
                              directory_.GetOrganisation(request->organisation_id()));
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::ListOrganisations(grpc::ServerContext*,
                                                       const v1::ListOrganisationsRequest* request,
                                                       v1::ListOrganisationsResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(std::string after,
                              common::DecodePageToken("organisations", request->page_token()));
    SALESOPS_ASSIGN_OR_RETURN(
        common::Page<v1::Organisation> page,
        directory_.ListOrganisations(request->search(), request->include_merged(),
                                     common::EffectivePageSize(request->page_size()), after));
    for (v1::Organisation& organisation : page.entries) {
      *response->add_organisations() = std::move(organisation);
    }
    response->set_next_page_token(common::EncodePageToken("organisations", page.next_after));
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::UpdateOrganisation(
    grpc::ServerContext* context, const v1::UpdateOrganisationRequest* request,
    v1::UpdateOrganisationResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_RETURN_IF_ERROR(
        Refuse(OrganisationViolations(request->organisation(), "organisation")));
    const v1::Actor caller = runtime_.CallerOf(*context);
    const IdempotentCall call("UpdateOrganisation", caller, *request, response);
    return directory_.UpdateOrganisation(
        call, request->organisation_id(),
        [&](v1::Organisation& current) -> absl::Status {
          SALESOPS_RETURN_IF_ERROR(
              CheckEditable("organisation", current, "organisation_id", request->etag()));
          SALESOPS_RETURN_IF_ERROR(
              Refuse(ContactIdViolations(request->organisation(), current, "organisation")));
          Replace(current, Writable(request->organisation()), caller, clock_.NowTimestamp());
          return absl::OkStatus();
        },
        [&](const v1::Organisation& written) { *response->mutable_organisation() = written; });
  }());
}

grpc::Status OrderIntakeServiceImpl::CreateVenue(grpc::ServerContext* context,
                                                 const v1::CreateVenueRequest* request,
                                                 v1::CreateVenueResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_RETURN_IF_ERROR(Refuse(VenueViolations(request->venue(), "venue")));
    const v1::Actor caller = runtime_.CallerOf(*context);
    v1::DirectoryVenue venue = Writable(request->venue());
    StampCreated(venue, caller, clock_.NowTimestamp());
    const IdempotentCall call("CreateVenue", caller, *request, response);
    return directory_.CreateVenue(call, std::move(venue), [&](const v1::DirectoryVenue& stored) {
      *response->mutable_venue() = stored;
    });
  }());
}

grpc::Status OrderIntakeServiceImpl::GetVenue(grpc::ServerContext*,
                                              const v1::GetVenueRequest* request,
                                              v1::GetVenueResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_venue(), directory_.GetVenue(request->venue_id()));
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::ListVenues(grpc::ServerContext*,
                                                const v1::ListVenuesRequest* request,
                                                v1::ListVenuesResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(std::string after,
                              common::DecodePageToken("venues", request->page_token()));
    SALESOPS_ASSIGN_OR_RETURN(
        common::Page<v1::DirectoryVenue> page,
        directory_.ListVenues(request->search(), request->include_merged(),
                              common::EffectivePageSize(request->page_size()), after));
    for (v1::DirectoryVenue& venue : page.entries) *response->add_venues() = std::move(venue);
    response->set_next_page_token(common::EncodePageToken("venues", page.next_after));
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::UpdateVenue(grpc::ServerContext* context,
                                                 const v1::UpdateVenueRequest* request,
                                                 v1::UpdateVenueResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_RETURN_IF_ERROR(Refuse(VenueViolations(request->venue(), "venue")));
    const v1::Actor caller = runtime_.CallerOf(*context);
    const IdempotentCall call("UpdateVenue", caller, *request, response);
    return directory_.UpdateVenue(
        call, request->venue_id(),
        [&](v1::DirectoryVenue& current) -> absl::Status {
          SALESOPS_RETURN_IF_ERROR(CheckEditable("venue", current, "venue_id", request->etag()));
          Replace(current, Writable(request->venue()), caller, clock_.NowTimestamp());
          return absl::OkStatus();
        },
        [&](const v1::DirectoryVenue& written) { *response->mutable_venue() = written; });
  }());
}

// A separate RPC rather than a field mask on UpdateVenue: who may change what is then one line
// of the role table (deny by default, checked by the role-matrix and hostile-input tests), not a
// field-by-field check inside a handler that a later field could slip past.
grpc::Status OrderIntakeServiceImpl::UpdateVenueNotes(grpc::ServerContext* context,
                                                      const v1::UpdateVenueNotesRequest* request,
                                                      v1::UpdateVenueNotesResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    const IdempotentCall call("UpdateVenueNotes", caller, *request, response);
    return directory_.UpdateVenue(
        call, request->venue_id(),
        [&](v1::DirectoryVenue& current) -> absl::Status {
          SALESOPS_RETURN_IF_ERROR(CheckEditable("venue", current, "venue_id", request->etag()));
          current.set_access_notes(request->access_notes());
          current.set_loading_notes(request->loading_notes());
          StampUpdated(current, caller, clock_.NowTimestamp());
          return absl::OkStatus();
        },
        [&](const v1::DirectoryVenue& written) { *response->mutable_venue() = written; });
  }());
}

grpc::Status OrderIntakeServiceImpl::MergeOrganisations(
    grpc::ServerContext* context, const v1::MergeOrganisationsRequest* request,
    v1::MergeOrganisationsResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_RETURN_IF_ERROR(
        Refuse(SelfMergeViolations(request->organisation_id(), request->duplicate_organisation_id(),
                                   "duplicate_organisation_id")));
    const v1::Actor caller = runtime_.CallerOf(*context);
    const IdempotentCall call("MergeOrganisations", caller, *request, response);
    return directory_.MergeOrganisations(
        call, request->organisation_id(), request->duplicate_organisation_id(),
        MergeChange<v1::Organisation>("organisation", request->etag(), "duplicate_organisation_id",
                                      request->duplicate_etag(), caller, clock_.NowTimestamp(),
                                      &MergeOrganisationInto),
        [&](const v1::Organisation& survivor, const v1::Organisation& duplicate) {
          *response->mutable_organisation() = survivor;
          *response->mutable_duplicate() = duplicate;
        });
  }());
}

grpc::Status OrderIntakeServiceImpl::MergeVenues(grpc::ServerContext* context,
                                                 const v1::MergeVenuesRequest* request,
                                                 v1::MergeVenuesResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_RETURN_IF_ERROR(Refuse(SelfMergeViolations(
        request->venue_id(), request->duplicate_venue_id(), "duplicate_venue_id")));
    const v1::Actor caller = runtime_.CallerOf(*context);
    const IdempotentCall call("MergeVenues", caller, *request, response);
    return directory_.MergeVenues(
        call, request->venue_id(), request->duplicate_venue_id(),
        MergeChange<v1::DirectoryVenue>("venue", request->etag(), "duplicate_venue_id",
                                        request->duplicate_etag(), caller, clock_.NowTimestamp(),
                                        &MergeVenueInto),
        [&](const v1::DirectoryVenue& survivor, const v1::DirectoryVenue& duplicate) {
          *response->mutable_venue() = survivor;
          *response->mutable_duplicate() = duplicate;
        });
  }());
}

}  // namespace salesops::order_intake
