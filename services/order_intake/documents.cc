// OrderIntakeService: documents (issue 18 item 1). The company profile ADMIN keeps, and
// GetDocument, which renders one revision of an order to PDF (document_content.cc says what it
// shows, services/documents lays it out) the first time it is asked for, keeps it with its
// SHA-256, and gives back those bytes ever after.
#include <absl/time/time.h>

#include "services/common/grpc_errors.h"
#include "services/common/sha256.h"
#include "services/common/validation.h"
#include "services/order_intake/directory_rules.h"
#include "services/order_intake/document_content.h"
#include "services/order_intake/order_intake_service.h"
#include "services/order_intake/postgres_document_store.h"

namespace salesops::order_intake {

using common::CheckRequest;
using common::ToGrpcStatus;

DocumentStore& DocumentStoreOf(OrderIntakeDependencies& dependencies,
                               common::ServiceRuntime& runtime) {
  if (!dependencies.documents) {
    dependencies.documents = std::make_unique<PostgresDocumentStore>(runtime.database());
  }
  return *dependencies.documents;
}

namespace {

constexpr char kPngSignature[] = "\x89PNG\r\n\x1a\n";

// What the proto annotations cannot say: a logo that is a PNG, a time zone that exists.
absl::Status CheckProfile(const v1::CompanyProfile& profile) {
  std::vector<common::FieldViolation> violations;
  if (!profile.logo_png().empty() && profile.logo_png().rfind(kPngSignature, 0) != 0) {
    violations.push_back({"profile.logo_png", "is not a PNG image"});
  }
  absl::TimeZone zone;
  if (!profile.zone_id().empty() && !LoadZoneByName(profile.zone_id(), &zone)) {
    violations.push_back(
        {"profile.zone_id", "is not an IANA time zone (e.g. Europe/Berlin, or empty for UTC)"});
  }
  if (violations.empty()) return absl::OkStatus();
  return common::InvalidArgumentError(std::move(violations));
}

}  // namespace

grpc::Status OrderIntakeServiceImpl::SetCompanyProfile(grpc::ServerContext* context,
                                                       const v1::SetCompanyProfileRequest* request,
                                                       v1::SetCompanyProfileResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_RETURN_IF_ERROR(CheckProfile(request->profile()));
    const v1::Actor caller = runtime_.CallerOf(*context);
    v1::CompanyProfile profile = request->profile();
    profile.clear_etag();
    *profile.mutable_updated_by() = caller;
    *profile.mutable_update_time() = clock_.NowTimestamp();
    const IdempotentCall call("SetCompanyProfile", caller, *request, response);
    return documents_.SetCompanyProfile(
        call, std::move(profile), request->etag(),
        [&](const v1::CompanyProfile& stored) { *response->mutable_profile() = stored; });
  }());
}

grpc::Status OrderIntakeServiceImpl::GetCompanyProfile(grpc::ServerContext*,
                                                       const v1::GetCompanyProfileRequest* request,
                                                       v1::GetCompanyProfileResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(std::optional<v1::CompanyProfile> profile,
                              documents_.GetCompanyProfile());
    if (!profile) {
      return common::ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                                   "no company profile yet; ADMIN sets it (SetCompanyProfile)");
    }
    *response->mutable_profile() = std::move(*profile);
    return absl::OkStatus();
  }());
}

absl::StatusOr<v1::PullSheet> OrderIntakeServiceImpl::PullSheetFor(const v1::Order& order,
                                                                   v1::DocumentKind kind) {
  v1::GetPullSheetRequest request;
  request.set_order_id(order.order_id());
  absl::StatusOr<v1::GetPullSheetResponse> found = inventory_.GetPullSheet(request, CallDeadline());
  if (!found.ok() && found.status().code() == absl::StatusCode::kNotFound) {
    return common::ReasonedError(
        absl::StatusCode::kFailedPrecondition, v1::INVALID_STAGE_TRANSITION,
        absl::StrCat("order ", order.order_id(), " has no stock reserved, so no pull sheet"));
  }
  if (!found.ok()) return found.status();
  const v1::PullSheet& sheet = found->pull_sheet();
  if (kind == v1::DOCUMENT_KIND_PULL_SHEET && sheet.order_revision() != order.revision()) {
    return common::ReasonedError(
        absl::StatusCode::kFailedPrecondition, v1::STALE_REVISION,
        absl::StrCat("the pull sheet of order ", order.order_id(), " is of revision ",
                     sheet.order_revision(), ", not ", order.revision()));
  }
  if (kind == v1::DOCUMENT_KIND_DELIVERY_NOTE) {
    bool left = false;
    for (const v1::PullSheetGroup& group : sheet.groups()) {
      for (const v1::PullSheetLine& line : group.lines()) left |= line.quantity_checked_out() > 0;
    }
    if (!left) {
      return common::ReasonedError(
          absl::StatusCode::kFailedPrecondition, v1::INVALID_STAGE_TRANSITION,
          absl::StrCat("nothing of order ", order.order_id(),
                       " was checked out yet, so there is no delivery note"));
    }
  }
  return sheet;
}

grpc::Status OrderIntakeServiceImpl::GetDocument(grpc::ServerContext* context,
                                                 const v1::GetDocumentRequest* request,
                                                 v1::GetDocumentResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    if (request->kind() == v1::DOCUMENT_KIND_UNSPECIFIED) {
      return common::InvalidArgumentError({{"kind", "is required"}});
    }
    SALESOPS_ASSIGN_OR_RETURN(v1::Order order, store_.Get(request->order_id()));
    if (request->order_revision() != 0 && request->order_revision() != order.revision()) {
      SALESOPS_ASSIGN_OR_RETURN(order,
                                store_.GetRevision(request->order_id(), request->order_revision()));
    }
    SALESOPS_ASSIGN_OR_RETURN(std::optional<v1::CompanyProfile> profile,
                              documents_.GetCompanyProfile());
    v1::DocumentLanguage language = request->language();
    if (language == v1::DOCUMENT_LANGUAGE_UNSPECIFIED && profile) language = profile->language();
    if (language == v1::DOCUMENT_LANGUAGE_UNSPECIFIED) language = v1::DOCUMENT_LANGUAGE_ENGLISH;

    SALESOPS_ASSIGN_OR_RETURN(
        std::optional<v1::Document> kept,
        documents_.FindDocument(order.order_id(), request->kind(), order.revision(), language));
    if (kept) {
      *response->mutable_document() = std::move(*kept);
      return absl::OkStatus();
    }
    if (!profile) {
      return common::ReasonedError(
          absl::StatusCode::kFailedPrecondition, v1::NOT_FOUND,
          "no company profile yet, so no document can say who sends it; ADMIN sets it "
          "(SetCompanyProfile, or salesopsctl company set)");
    }
    // The warehouse's documents read the pull sheet inventory keeps for the order.
    std::optional<v1::PullSheet> sheet;
    if (request->kind() == v1::DOCUMENT_KIND_PULL_SHEET ||
        request->kind() == v1::DOCUMENT_KIND_DELIVERY_NOTE) {
      SALESOPS_ASSIGN_OR_RETURN(sheet, PullSheetFor(order, request->kind()));
    }
    SALESOPS_ASSIGN_OR_RETURN(
        documents::Document content,
        DocumentOf(order, *profile, request->kind(), language, sheet ? &*sheet : nullptr));
    SALESOPS_ASSIGN_OR_RETURN(std::string pdf, documents::RenderPdf(content));
    v1::Document document;
    document.set_order_id(order.order_id());
    document.set_kind(request->kind());
    document.set_order_revision(order.revision());
    document.set_language(language);
    document.set_sha256(common::Sha256Hex(pdf));
    document.set_pdf(std::move(pdf));
    *document.mutable_created_by() = runtime_.CallerOf(*context);
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_document(), documents_.KeepDocument(document));
    return absl::OkStatus();
  }());
}

}  // namespace salesops::order_intake
