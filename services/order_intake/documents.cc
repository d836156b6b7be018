// OrderIntakeService: documents (issue 18 item 1). The company profile ADMIN keeps, and
// GetDocument, which renders one revision of an order to PDF (document_content.cc says what it
// shows, services/documents lays it out) the first time it is asked for, keeps it with its
// SHA-256, and gives back those bytes ever after.
#include <absl/strings/ascii.h>
#include <absl/time/time.h>

#include <algorithm>

#include "services/common/grpc_errors.h"
#include "services/common/money.h"
#include "services/common/sha256.h"
#include "services/common/validation.h"
#include "services/order_intake/directory_rules.h"
#include "services/order_intake/document_content.h"
#include "services/order_intake/invoice_document.h"
#include "services/order_intake/order_intake_service.h"
#include "services/order_intake/postgres_document_store.h"
#include "services/order_intake/postgres_records.h"

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
  // Printed on invoices and written into e-invoices, where a checker reads them.
  if (!profile.country().empty() &&
      !(profile.country().size() == 2 && absl::ascii_isupper(profile.country()[0]) &&
        absl::ascii_isupper(profile.country()[1]))) {
    violations.push_back({"profile.country", "is an ISO 3166 code of two capitals, e.g. DE"});
  }
  for (const auto& [value, field] :
       {std::pair{&profile.iban(), "profile.iban"}, std::pair{&profile.bic(), "profile.bic"}}) {
    if (!std::all_of(value->begin(), value->end(), [](char c) {
          return absl::ascii_isupper(static_cast<unsigned char>(c)) ||
                 absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == ' ';
        })) {
      violations.push_back({field, "holds capitals, digits and spaces only"});
    }
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

v1::DocumentLanguage OrderIntakeServiceImpl::LanguageOf(
    v1::DocumentLanguage asked, const std::optional<v1::CompanyProfile>& profile) const {
  if (asked == v1::DOCUMENT_LANGUAGE_UNSPECIFIED && profile) asked = profile->language();
  if (asked == v1::DOCUMENT_LANGUAGE_UNSPECIFIED) asked = v1::DOCUMENT_LANGUAGE_ENGLISH;
  return asked;
}

absl::StatusOr<v1::Document> OrderIntakeServiceImpl::KeptDocument(
    v1::Document key, const std::optional<v1::CompanyProfile>& profile,
    const std::function<absl::StatusOr<documents::Document>()>& content) {
  SALESOPS_ASSIGN_OR_RETURN(std::optional<v1::Document> kept, documents_.FindDocument(key));
  if (kept) return *std::move(kept);
  if (!profile) {
    return common::ReasonedError(
        absl::StatusCode::kFailedPrecondition, v1::NOT_FOUND,
        "no company profile yet, so no document can say who sends it; ADMIN sets it "
        "(SetCompanyProfile, or salesopsctl company set)");
  }
  SALESOPS_ASSIGN_OR_RETURN(documents::Document laid_out, content());
  SALESOPS_ASSIGN_OR_RETURN(std::string pdf, documents::RenderPdf(laid_out));
  key.set_sha256(common::Sha256Hex(pdf));
  key.set_pdf(std::move(pdf));
  return documents_.KeepDocument(key);
}

absl::StatusOr<v1::Document> OrderIntakeServiceImpl::OrderDocument(const v1::Order& order,
                                                                   v1::DocumentKind kind,
                                                                   v1::DocumentLanguage language,
                                                                   const v1::Actor& caller) {
  SALESOPS_ASSIGN_OR_RETURN(std::optional<v1::CompanyProfile> profile,
                            documents_.GetCompanyProfile());
  v1::Document key;
  key.set_order_id(order.order_id());
  key.set_kind(kind);
  key.set_order_revision(order.revision());
  key.set_language(LanguageOf(language, profile));
  *key.mutable_created_by() = caller;
  return KeptDocument(key, profile, [&]() -> absl::StatusOr<documents::Document> {
    // The warehouse's documents read the pull sheet inventory keeps for the order.
    std::optional<v1::PullSheet> sheet;
    if (kind == v1::DOCUMENT_KIND_PULL_SHEET || kind == v1::DOCUMENT_KIND_DELIVERY_NOTE) {
      SALESOPS_ASSIGN_OR_RETURN(sheet, PullSheetFor(order, kind));
    }
    return DocumentOf(order, *profile, kind, key.language(), sheet ? &*sheet : nullptr);
  });
}

grpc::Status OrderIntakeServiceImpl::GetDocument(grpc::ServerContext* context,
                                                 const v1::GetDocumentRequest* request,
                                                 v1::GetDocumentResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    if (request->kind() == v1::DOCUMENT_KIND_UNSPECIFIED) {
      return common::InvalidArgumentError({{"kind", "is required"}});
    }
    const v1::Actor caller = runtime_.CallerOf(*context);
    if (request->kind() == v1::DOCUMENT_KIND_INVOICE ||
        request->kind() == v1::DOCUMENT_KIND_CREDIT_NOTE) {
      SALESOPS_ASSIGN_OR_RETURN(*response->mutable_document(), InvoiceDocument(*request, caller));
      return absl::OkStatus();
    }
    if (!request->invoice_number().empty()) {
      return common::InvalidArgumentError(
          {{"invoice_number", "names an invoice: only for kind INVOICE or CREDIT_NOTE"}});
    }
    SALESOPS_ASSIGN_OR_RETURN(v1::Order order, store_.Get(request->order_id()));
    if (request->order_revision() != 0 && request->order_revision() != order.revision()) {
      SALESOPS_ASSIGN_OR_RETURN(order,
                                store_.GetRevision(request->order_id(), request->order_revision()));
    }
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_document(),
                              OrderDocument(order, request->kind(), request->language(), caller));
    return absl::OkStatus();
  }());
}

absl::StatusOr<v1::Document> OrderIntakeServiceImpl::InvoiceDocument(
    const v1::GetDocumentRequest& request, const v1::Actor& caller) {
  // Money is for sales and ADMIN: ops reads the order's other documents, not its invoices.
  if (caller.role() == v1::ROLE_OPS) {
    return common::ReasonedError(absl::StatusCode::kPermissionDenied, v1::ROLE_NOT_ALLOWED,
                                 "invoices and credit notes are for SALES and ADMIN");
  }
  if (request.invoice_number().empty()) {
    return common::InvalidArgumentError(
        {{"invoice_number", "is required for an invoice or a credit note"}});
  }
  SALESOPS_ASSIGN_OR_RETURN(v1::Invoice invoice,
                            invoices_.GetInvoice(request.invoice_number(), Today(CompanyZone())));
  if (invoice.order_id() != request.order_id()) {
    return RecordNotFound("invoice",
                          absl::StrCat(request.invoice_number(), " of order ", request.order_id()));
  }
  const bool credit_note = invoice.kind() == v1::INVOICE_KIND_CREDIT_NOTE;
  if (credit_note != (request.kind() == v1::DOCUMENT_KIND_CREDIT_NOTE)) {
    return common::InvalidArgumentError(
        {{"kind", absl::StrCat(invoice.invoice_number(), " is ",
                               credit_note ? "a credit note" : "an invoice", "; ask for kind ",
                               credit_note ? "CREDIT_NOTE" : "INVOICE")}});
  }
  if (request.order_revision() != 0 && request.order_revision() != invoice.order_revision()) {
    return common::InvalidArgumentError(
        {{"order_revision", absl::StrCat("invoice ", invoice.invoice_number(),
                                         " was issued from revision ", invoice.order_revision())}});
  }
  SALESOPS_ASSIGN_OR_RETURN(std::optional<v1::CompanyProfile> profile,
                            documents_.GetCompanyProfile());
  v1::Document key;
  key.set_order_id(invoice.order_id());
  key.set_kind(request.kind());
  key.set_order_revision(invoice.order_revision());
  key.set_language(LanguageOf(request.language(), profile));
  key.set_invoice_number(invoice.invoice_number());
  *key.mutable_created_by() = caller;
  return KeptDocument(key, profile, [&]() -> absl::StatusOr<documents::Document> {
    // The invoice as issued: payments come later and do not change the document sent.
    v1::Invoice as_issued = invoice;
    as_issued.clear_payments();
    as_issued.clear_credit_note_numbers();
    as_issued.clear_credited_total();
    *as_issued.mutable_paid_total() = common::MoneyFromMicros(0, invoice.currency());
    *as_issued.mutable_amount_due() = invoice.total();
    return InvoiceDocumentOf(as_issued, *profile, key.language());
  });
}

}  // namespace salesops::order_intake
