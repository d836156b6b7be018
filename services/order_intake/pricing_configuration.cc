// OrderIntakeService: the pricing configuration (issue 17 items 2-3) ADMIN keeps, rate
// definitions per product, price lists, tax rates and exchange rates. Handlers validate, stamp
// who and when, and hand the write to the PricingStore; the rules beyond the proto annotations
// are in pricing_rules.cc, and how quotes read the configuration is
// PricingStore::LoadPricingConfig.
#include "services/common/grpc_errors.h"
#include "services/common/page_token.h"
#include "services/common/validation.h"
#include "services/order_intake/directory_rules.h"
#include "services/order_intake/order_intake_service.h"
#include "services/order_intake/postgres_pricing_store.h"
#include "services/order_intake/pricing_rules.h"

namespace salesops::order_intake {

using common::CheckRequest;
using common::FieldViolation;
using common::ToGrpcStatus;

PricingStore& PricingStoreOf(OrderIntakeDependencies& dependencies,
                             common::ServiceRuntime& runtime) {
  if (!dependencies.pricing) {
    dependencies.pricing = std::make_unique<PostgresPricingStore>(runtime.database());
  }
  return *dependencies.pricing;
}

namespace {

absl::Status Refuse(std::vector<FieldViolation> violations) {
  if (violations.empty()) return absl::OkStatus();
  return common::InvalidArgumentError(std::move(violations));
}

// What the caller may set: output-only fields are the server's.
v1::ProductRate Writable(v1::ProductRate rate, const v1::Actor& caller,
                         const google::protobuf::Timestamp& now) {
  rate.clear_revision();
  rate.clear_etag();
  *rate.mutable_updated_by() = caller;
  *rate.mutable_update_time() = now;
  return rate;
}

v1::PriceList Writable(v1::PriceList list, const v1::Actor& caller,
                       const google::protobuf::Timestamp& now) {
  list.clear_pricelist_id();
  list.clear_revision();
  list.clear_etag();
  *list.mutable_updated_by() = caller;
  *list.mutable_update_time() = now;
  return list;
}

v1::TaxRate Writable(v1::TaxRate rate, const v1::Actor& caller,
                     const google::protobuf::Timestamp& now) {
  rate.clear_taxrate_id();
  *rate.mutable_created_by() = caller;
  *rate.mutable_create_time() = now;
  return rate;
}

v1::ExchangeRate Writable(v1::ExchangeRate rate, const v1::Actor& caller,
                          const google::protobuf::Timestamp& now) {
  rate.clear_exchangerate_id();
  *rate.mutable_created_by() = caller;
  *rate.mutable_create_time() = now;
  return rate;
}

// A price list for an organisation needs the organisation: FAILED_PRECONDITION (NOT_FOUND)
// naming the field when the directory does not have it, as for any reference to something
// that may exist later.
absl::Status CheckOrganisation(DirectoryStore& directory, const v1::PriceList& list,
                               const std::string& field) {
  if (list.organisation_id().empty()) return absl::OkStatus();
  absl::StatusOr<v1::Organisation> found = directory.GetOrganisation(list.organisation_id());
  if (found.ok()) return absl::OkStatus();
  if (found.status().code() != absl::StatusCode::kNotFound) return found.status();
  return common::UnknownReferenceError(
      {{field + ".organisation_id", "names no organisation in the directory"}}, v1::NOT_FOUND);
}

// An etag the caller sent (optional on these writes) must be the record's current one.
absl::Status CheckOptionalEtag(const std::string& kind, const std::string& id,
                               const std::string& current_etag, const std::string& etag) {
  if (etag.empty()) return absl::OkStatus();
  return CheckRecordEtag(kind, id, current_etag, etag);
}

}  // namespace

grpc::Status OrderIntakeServiceImpl::SetProductRate(grpc::ServerContext* context,
                                                    const v1::SetProductRateRequest* request,
                                                    v1::SetProductRateResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_RETURN_IF_ERROR(Refuse(ProductRateViolations(request->productrate(), "productrate")));
    const v1::Actor caller = runtime_.CallerOf(*context);
    const std::string& code = request->productrate().product_code();
    const IdempotentCall call("SetProductRate", caller, *request, response);
    return pricing_.SetProductRate(
        call, Writable(request->productrate(), caller, clock_.NowTimestamp()),
        [&](const v1::ProductRate* replaced) -> absl::Status {
          if (request->etag().empty()) return absl::OkStatus();
          if (replaced == nullptr) {
            return common::ReasonedError(
                absl::StatusCode::kNotFound, v1::NOT_FOUND,
                "product " + code + " has no rate of its own; set one without an etag");
          }
          return CheckRecordEtag("product rate", code, replaced->etag(), request->etag());
        },
        [&](const v1::ProductRate& stored) { *response->mutable_productrate() = stored; });
  }());
}

grpc::Status OrderIntakeServiceImpl::ListProductRates(grpc::ServerContext*,
                                                      const v1::ListProductRatesRequest* request,
                                                      v1::ListProductRatesResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(std::string after,
                              common::DecodePageToken("productrates", request->page_token()));
    SALESOPS_ASSIGN_OR_RETURN(
        common::Page<v1::ProductRate> page,
        pricing_.ListProductRates(common::EffectivePageSize(request->page_size()), after));
    for (v1::ProductRate& rate : page.entries) *response->add_productrates() = std::move(rate);
    response->set_next_page_token(common::EncodePageToken("productrates", page.next_after));
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::DeleteProductRate(grpc::ServerContext* context,
                                                       const v1::DeleteProductRateRequest* request,
                                                       v1::DeleteProductRateResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const IdempotentCall call("DeleteProductRate", runtime_.CallerOf(*context), *request, response);
    return pricing_.DeleteProductRate(
        call, request->product_code(), [&](const v1::ProductRate& current) {
          return CheckOptionalEtag("product rate", request->product_code(), current.etag(),
                                   request->etag());
        });
  }());
}

grpc::Status OrderIntakeServiceImpl::CreatePriceList(grpc::ServerContext* context,
                                                     const v1::CreatePriceListRequest* request,
                                                     v1::CreatePriceListResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_RETURN_IF_ERROR(Refuse(PriceListViolations(request->pricelist(), "pricelist")));
    SALESOPS_RETURN_IF_ERROR(CheckOrganisation(directory_, request->pricelist(), "pricelist"));
    const v1::Actor caller = runtime_.CallerOf(*context);
    const IdempotentCall call("CreatePriceList", caller, *request, response);
    return pricing_.CreatePriceList(
        call, Writable(request->pricelist(), caller, clock_.NowTimestamp()),
        [&](const v1::PriceList& stored) { *response->mutable_pricelist() = stored; });
  }());
}

grpc::Status OrderIntakeServiceImpl::GetPriceList(grpc::ServerContext*,
                                                  const v1::GetPriceListRequest* request,
                                                  v1::GetPriceListResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_pricelist(),
                              pricing_.GetPriceList(request->pricelist_id()));
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::ListPriceLists(grpc::ServerContext*,
                                                    const v1::ListPriceListsRequest* request,
                                                    v1::ListPriceListsResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(std::string after,
                              common::DecodePageToken("pricelists", request->page_token()));
    SALESOPS_ASSIGN_OR_RETURN(
        common::Page<v1::PriceList> page,
        pricing_.ListPriceLists(common::EffectivePageSize(request->page_size()), after));
    for (v1::PriceList& list : page.entries) *response->add_pricelists() = std::move(list);
    response->set_next_page_token(common::EncodePageToken("pricelists", page.next_after));
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::UpdatePriceList(grpc::ServerContext* context,
                                                     const v1::UpdatePriceListRequest* request,
                                                     v1::UpdatePriceListResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_RETURN_IF_ERROR(Refuse(PriceListViolations(request->pricelist(), "pricelist")));
    SALESOPS_RETURN_IF_ERROR(CheckOrganisation(directory_, request->pricelist(), "pricelist"));
    const v1::Actor caller = runtime_.CallerOf(*context);
    const IdempotentCall call("UpdatePriceList", caller, *request, response);
    return pricing_.UpdatePriceList(
        call, request->pricelist_id(),
        [&](v1::PriceList& current) -> absl::Status {
          SALESOPS_RETURN_IF_ERROR(CheckRecordEtag("price list", request->pricelist_id(),
                                                   current.etag(), request->etag()));
          v1::PriceList next = Writable(request->pricelist(), caller, clock_.NowTimestamp());
          next.set_revision(current.revision());
          current = std::move(next);
          return absl::OkStatus();
        },
        [&](const v1::PriceList& written) { *response->mutable_pricelist() = written; });
  }());
}

grpc::Status OrderIntakeServiceImpl::DeletePriceList(grpc::ServerContext* context,
                                                     const v1::DeletePriceListRequest* request,
                                                     v1::DeletePriceListResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const IdempotentCall call("DeletePriceList", runtime_.CallerOf(*context), *request, response);
    return pricing_.DeletePriceList(call, request->pricelist_id(), [&](const v1::PriceList& list) {
      return CheckOptionalEtag("price list", request->pricelist_id(), list.etag(), request->etag());
    });
  }());
}

grpc::Status OrderIntakeServiceImpl::CreateTaxRate(grpc::ServerContext* context,
                                                   const v1::CreateTaxRateRequest* request,
                                                   v1::CreateTaxRateResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_RETURN_IF_ERROR(Refuse(TaxRateViolations(request->taxrate(), "taxrate")));
    const v1::Actor caller = runtime_.CallerOf(*context);
    const v1::TaxRate wanted = Writable(request->taxrate(), caller, clock_.NowTimestamp());
    const IdempotentCall call("CreateTaxRate", caller, *request, response);
    return pricing_.CreateTaxRate(
        call, wanted,
        [&](const std::vector<v1::TaxRate>& existing) {
          return CheckTaxRateOverlap(wanted, existing);
        },
        [&](const v1::TaxRate& stored) { *response->mutable_taxrate() = stored; });
  }());
}

grpc::Status OrderIntakeServiceImpl::ListTaxRates(grpc::ServerContext*,
                                                  const v1::ListTaxRatesRequest* request,
                                                  v1::ListTaxRatesResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(std::string after,
                              common::DecodePageToken("taxrates", request->page_token()));
    SALESOPS_ASSIGN_OR_RETURN(
        common::Page<v1::TaxRate> page,
        pricing_.ListTaxRates(common::EffectivePageSize(request->page_size()), after));
    for (v1::TaxRate& rate : page.entries) *response->add_taxrates() = std::move(rate);
    response->set_next_page_token(common::EncodePageToken("taxrates", page.next_after));
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::DeleteTaxRate(grpc::ServerContext* context,
                                                   const v1::DeleteTaxRateRequest* request,
                                                   v1::DeleteTaxRateResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const IdempotentCall call("DeleteTaxRate", runtime_.CallerOf(*context), *request, response);
    return pricing_.DeleteTaxRate(call, request->taxrate_id());
  }());
}

grpc::Status OrderIntakeServiceImpl::CreateExchangeRate(
    grpc::ServerContext* context, const v1::CreateExchangeRateRequest* request,
    v1::CreateExchangeRateResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_RETURN_IF_ERROR(
        Refuse(ExchangeRateViolations(request->exchangerate(), "exchangerate")));
    const v1::Actor caller = runtime_.CallerOf(*context);
    const v1::ExchangeRate wanted =
        Writable(request->exchangerate(), caller, clock_.NowTimestamp());
    const IdempotentCall call("CreateExchangeRate", caller, *request, response);
    return pricing_.CreateExchangeRate(
        call, wanted,
        [&](const std::vector<v1::ExchangeRate>& existing) {
          return CheckExchangeRateClash(wanted, existing);
        },
        [&](const v1::ExchangeRate& stored) { *response->mutable_exchangerate() = stored; });
  }());
}

grpc::Status OrderIntakeServiceImpl::ListExchangeRates(grpc::ServerContext*,
                                                       const v1::ListExchangeRatesRequest* request,
                                                       v1::ListExchangeRatesResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(std::string after,
                              common::DecodePageToken("exchangerates", request->page_token()));
    SALESOPS_ASSIGN_OR_RETURN(
        common::Page<v1::ExchangeRate> page,
        pricing_.ListExchangeRates(common::EffectivePageSize(request->page_size()), after));
    for (v1::ExchangeRate& rate : page.entries) *response->add_exchangerates() = std::move(rate);
    response->set_next_page_token(common::EncodePageToken("exchangerates", page.next_after));
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::DeleteExchangeRate(
    grpc::ServerContext* context, const v1::DeleteExchangeRateRequest* request,
    v1::DeleteExchangeRateResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const IdempotentCall call("DeleteExchangeRate", runtime_.CallerOf(*context), *request,
                              response);
    return pricing_.DeleteExchangeRate(call, request->exchangerate_id());
  }());
}

}  // namespace salesops::order_intake
