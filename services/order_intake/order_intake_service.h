#pragma once

#include <memory>
#include <string>

#include "salesops/v1/notification.grpc.pb.h"
#include "salesops/v1/order_intake.grpc.pb.h"
#include "services/common/auth.h"
#include "services/common/http_server.h"
#include "services/common/service_runtime.h"
#include "services/documents/pdf_document.h"
#include "services/order_intake/acceptance_pages.h"
#include "services/order_intake/clock.h"
#include "services/order_intake/dependencies.h"
#include "services/order_intake/directory_store.h"
#include "services/order_intake/document_store.h"
#include "services/order_intake/invoice_store.h"
#include "services/order_intake/labour_margin.h"
#include "services/order_intake/order_intake_definition.h"
#include "services/order_intake/order_intake_metrics.h"
#include "services/order_intake/order_store.h"
#include "services/order_intake/pricing.h"
#include "services/order_intake/pricing_store.h"
#include "services/order_intake/reconciliation.h"
#include "services/order_intake/saga_recovery.h"
#include "services/order_intake/sagas.h"

namespace salesops::order_intake {

// Settings beyond the common ones; each is a flag with a SALESOPS_* variable.
struct OrderIntakeOptions {
  std::string inventory_address;
  std::string scheduling_address;
  PricingOptions pricing;
  // Flags behind pricing (in currency units) and the quote validity.
  double crew_hourly_rate = 45.0;
  double pinned_surcharge = 150.0;
  double transport_hourly_rate = 0.0;
  double discount_approval_threshold_percent = 20.0;
  std::string tax_rounding = "per-line";
  int quote_validity_days = 14;
  int dependency_timeout_ms = 5000;
  // The whole confirm or amend saga, at most (each step gets what is left of it, and of the
  // caller's deadline); its record is held 10 s longer before recovery may take it over.
  int saga_budget_ms = 20000;
  // How often recovery looks for sagas whose process died or whose undoing failed.
  int saga_recovery_interval_seconds = 5;
  // How often reconciliation compares the services (0: only when asked).
  int reconcile_interval_seconds = 300;
  // Online acceptance: where the HTTP endpoint listens ("" : off), the URL clients reach it at
  // ("" : http://<address>), and the file holding the key links are signed with.
  std::string acceptance_address;
  std::string acceptance_base_url;
  std::string acceptance_key_file;
};

// What the service works with; the service makes its own (Postgres, gRPC, the system clock)
// and tests give fakes.
struct OrderIntakeDependencies {
  std::unique_ptr<OrderStore> store;
  std::unique_ptr<InventoryClient> inventory;
  std::unique_ptr<SchedulingClient> scheduling;
  std::unique_ptr<Clock> clock;
  // The directory; unset: the PostgreSQL one in the service's database.
  std::unique_ptr<DirectoryStore> directory;
  // The pricing configuration; unset: the PostgreSQL one in the service's database.
  std::unique_ptr<PricingStore> pricing;
  // The company profile and rendered documents; unset: the PostgreSQL one.
  std::unique_ptr<DocumentStore> documents;
  std::unique_ptr<InvoiceStore> invoices;
};

// `dependencies.pricing`, made the PostgreSQL one first when unset.
PricingStore& PricingStoreOf(OrderIntakeDependencies& dependencies,
                             common::ServiceRuntime& runtime);
// `dependencies.documents`, made the PostgreSQL one first when unset.
DocumentStore& DocumentStoreOf(OrderIntakeDependencies& dependencies,
                               common::ServiceRuntime& runtime);
InvoiceStore& InvoiceStoreOf(OrderIntakeDependencies& dependencies,
                             common::ServiceRuntime& runtime);

// Quotes and orders in the shared language, available-to-promise, the confirm
// saga, clarifications, notes and history.
class OrderIntakeServiceImpl final : public v1::OrderIntakeService::Service {
 public:
  OrderIntakeServiceImpl(common::ServiceRuntime& runtime, OrderIntakeOptions options);
  OrderIntakeServiceImpl(common::ServiceRuntime& runtime, OrderIntakeOptions options,
                         OrderIntakeDependencies dependencies);
  ~OrderIntakeServiceImpl() override;

  grpc::Status CreateOrder(grpc::ServerContext* context, const v1::CreateOrderRequest* request,
                           v1::CreateOrderResponse* response) override;
  grpc::Status GetOrder(grpc::ServerContext* context, const v1::GetOrderRequest* request,
                        v1::GetOrderResponse* response) override;
  grpc::Status ListOrders(grpc::ServerContext* context, const v1::ListOrdersRequest* request,
                          v1::ListOrdersResponse* response) override;
  grpc::Status GetOrderHistory(grpc::ServerContext* context,
                               const v1::GetOrderHistoryRequest* request,
                               v1::GetOrderHistoryResponse* response) override;
  grpc::Status CheckFeasibility(grpc::ServerContext* context,
                                const v1::CheckFeasibilityRequest* request,
                                v1::CheckFeasibilityResponse* response) override;
  grpc::Status ConfirmOrder(grpc::ServerContext* context, const v1::ConfirmOrderRequest* request,
                            v1::ConfirmOrderResponse* response) override;
  grpc::Status ApproveDiscount(grpc::ServerContext* context,
                               const v1::ApproveDiscountRequest* request,
                               v1::ApproveDiscountResponse* response) override;
  grpc::Status CancelOrder(grpc::ServerContext* context, const v1::CancelOrderRequest* request,
                           v1::CancelOrderResponse* response) override;
  grpc::Status CloseOrder(grpc::ServerContext* context, const v1::CloseOrderRequest* request,
                          v1::CloseOrderResponse* response) override;
  grpc::Status AskQuestion(grpc::ServerContext* context, const v1::AskQuestionRequest* request,
                           v1::AskQuestionResponse* response) override;
  grpc::Status AnswerQuestion(grpc::ServerContext* context,
                              const v1::AnswerQuestionRequest* request,
                              v1::AnswerQuestionResponse* response) override;
  grpc::Status AddNote(grpc::ServerContext* context, const v1::AddNoteRequest* request,
                       v1::AddNoteResponse* response) override;
  grpc::Status AmendOrder(grpc::ServerContext* context, const v1::AmendOrderRequest* request,
                          v1::AmendOrderResponse* response) override;
  grpc::Status AcknowledgeChange(grpc::ServerContext* context,
                                 const v1::AcknowledgeChangeRequest* request,
                                 v1::AcknowledgeChangeResponse* response) override;
  grpc::Status GetPipelineForecast(grpc::ServerContext* context,
                                   const v1::GetPipelineForecastRequest* request,
                                   v1::GetPipelineForecastResponse* response) override;
  grpc::Status Reconcile(grpc::ServerContext* context, const v1::ReconcileRequest* request,
                         v1::ReconcileResponse* response) override;
  // The labour margin (labour.cc).
  grpc::Status GetLabourMargin(grpc::ServerContext* context,
                               const v1::GetLabourMarginRequest* request,
                               v1::GetLabourMarginResponse* response) override;

  // The directory (directory.cc).
  grpc::Status CreateOrganisation(grpc::ServerContext* context,
                                  const v1::CreateOrganisationRequest* request,
                                  v1::CreateOrganisationResponse* response) override;
  grpc::Status GetOrganisation(grpc::ServerContext* context,
                               const v1::GetOrganisationRequest* request,
                               v1::GetOrganisationResponse* response) override;
  grpc::Status ListOrganisations(grpc::ServerContext* context,
                                 const v1::ListOrganisationsRequest* request,
                                 v1::ListOrganisationsResponse* response) override;
  grpc::Status UpdateOrganisation(grpc::ServerContext* context,
                                  const v1::UpdateOrganisationRequest* request,
                                  v1::UpdateOrganisationResponse* response) override;
  grpc::Status CreateVenue(grpc::ServerContext* context, const v1::CreateVenueRequest* request,
                           v1::CreateVenueResponse* response) override;
  grpc::Status GetVenue(grpc::ServerContext* context, const v1::GetVenueRequest* request,
                        v1::GetVenueResponse* response) override;
  grpc::Status ListVenues(grpc::ServerContext* context, const v1::ListVenuesRequest* request,
                          v1::ListVenuesResponse* response) override;
  grpc::Status UpdateVenue(grpc::ServerContext* context, const v1::UpdateVenueRequest* request,
                           v1::UpdateVenueResponse* response) override;
  grpc::Status UpdateVenueNotes(grpc::ServerContext* context,
                                const v1::UpdateVenueNotesRequest* request,
                                v1::UpdateVenueNotesResponse* response) override;
  grpc::Status MergeOrganisations(grpc::ServerContext* context,
                                  const v1::MergeOrganisationsRequest* request,
                                  v1::MergeOrganisationsResponse* response) override;
  grpc::Status MergeVenues(grpc::ServerContext* context, const v1::MergeVenuesRequest* request,
                           v1::MergeVenuesResponse* response) override;

  // Documents (documents.cc).
  grpc::Status SetCompanyProfile(grpc::ServerContext* context,
                                 const v1::SetCompanyProfileRequest* request,
                                 v1::SetCompanyProfileResponse* response) override;
  grpc::Status GetCompanyProfile(grpc::ServerContext* context,
                                 const v1::GetCompanyProfileRequest* request,
                                 v1::GetCompanyProfileResponse* response) override;
  grpc::Status GetDocument(grpc::ServerContext* context, const v1::GetDocumentRequest* request,
                           v1::GetDocumentResponse* response) override;
  grpc::Status SendQuote(grpc::ServerContext* context, const v1::SendQuoteRequest* request,
                         v1::SendQuoteResponse* response) override;
  grpc::Status ListQuoteLinks(grpc::ServerContext* context,
                              const v1::ListQuoteLinksRequest* request,
                              v1::ListQuoteLinksResponse* response) override;
  grpc::Status SetInvoicePlan(grpc::ServerContext* context,
                              const v1::SetInvoicePlanRequest* request,
                              v1::SetInvoicePlanResponse* response) override;
  grpc::Status GetInvoicePlan(grpc::ServerContext* context,
                              const v1::GetInvoicePlanRequest* request,
                              v1::GetInvoicePlanResponse* response) override;
  grpc::Status IssueInvoice(grpc::ServerContext* context, const v1::IssueInvoiceRequest* request,
                            v1::IssueInvoiceResponse* response) override;
  grpc::Status IssueCreditNote(grpc::ServerContext* context,
                               const v1::IssueCreditNoteRequest* request,
                               v1::IssueCreditNoteResponse* response) override;
  grpc::Status GetInvoice(grpc::ServerContext* context, const v1::GetInvoiceRequest* request,
                          v1::GetInvoiceResponse* response) override;
  grpc::Status ListInvoices(grpc::ServerContext* context, const v1::ListInvoicesRequest* request,
                            v1::ListInvoicesResponse* response) override;
  grpc::Status RecordPayment(grpc::ServerContext* context, const v1::RecordPaymentRequest* request,
                             v1::RecordPaymentResponse* response) override;
  grpc::Status GetAccountBalance(grpc::ServerContext* context,
                                 const v1::GetAccountBalanceRequest* request,
                                 v1::GetAccountBalanceResponse* response) override;
  grpc::Status GetInvoiceXml(grpc::ServerContext* context, const v1::GetInvoiceXmlRequest* request,
                             v1::GetInvoiceXmlResponse* response) override;
  grpc::Status GetJournal(grpc::ServerContext* context, const v1::GetJournalRequest* request,
                          v1::GetJournalResponse* response) override;
  // The pricing configuration (pricing_configuration.cc).
  grpc::Status SetProductRate(grpc::ServerContext* context,
                              const v1::SetProductRateRequest* request,
                              v1::SetProductRateResponse* response) override;
  grpc::Status ListProductRates(grpc::ServerContext* context,
                                const v1::ListProductRatesRequest* request,
                                v1::ListProductRatesResponse* response) override;
  grpc::Status DeleteProductRate(grpc::ServerContext* context,
                                 const v1::DeleteProductRateRequest* request,
                                 v1::DeleteProductRateResponse* response) override;
  grpc::Status CreatePriceList(grpc::ServerContext* context,
                               const v1::CreatePriceListRequest* request,
                               v1::CreatePriceListResponse* response) override;
  grpc::Status GetPriceList(grpc::ServerContext* context, const v1::GetPriceListRequest* request,
                            v1::GetPriceListResponse* response) override;
  grpc::Status ListPriceLists(grpc::ServerContext* context,
                              const v1::ListPriceListsRequest* request,
                              v1::ListPriceListsResponse* response) override;
  grpc::Status UpdatePriceList(grpc::ServerContext* context,
                               const v1::UpdatePriceListRequest* request,
                               v1::UpdatePriceListResponse* response) override;
  grpc::Status DeletePriceList(grpc::ServerContext* context,
                               const v1::DeletePriceListRequest* request,
                               v1::DeletePriceListResponse* response) override;
  grpc::Status CreateTaxRate(grpc::ServerContext* context, const v1::CreateTaxRateRequest* request,
                             v1::CreateTaxRateResponse* response) override;
  grpc::Status ListTaxRates(grpc::ServerContext* context, const v1::ListTaxRatesRequest* request,
                            v1::ListTaxRatesResponse* response) override;
  grpc::Status DeleteTaxRate(grpc::ServerContext* context, const v1::DeleteTaxRateRequest* request,
                             v1::DeleteTaxRateResponse* response) override;
  grpc::Status CreateExchangeRate(grpc::ServerContext* context,
                                  const v1::CreateExchangeRateRequest* request,
                                  v1::CreateExchangeRateResponse* response) override;
  grpc::Status ListExchangeRates(grpc::ServerContext* context,
                                 const v1::ListExchangeRatesRequest* request,
                                 v1::ListExchangeRatesResponse* response) override;
  grpc::Status DeleteExchangeRate(grpc::ServerContext* context,
                                  const v1::DeleteExchangeRateRequest* request,
                                  v1::DeleteExchangeRateResponse* response) override;

  // EventSink: an ops milestone from notification.
  absl::Status ApplyEvent(const v1::Event& event, bool* duplicate);

 private:
  struct Assessment {
    v1::ResolveProductsResponse resolved;
    v1::Quote quote;
    v1::Feasibility feasibility;
  };
  // A deadline for one call to a dependency outside a saga.
  TimePoint CallDeadline() const;
  absl::StatusOr<v1::ResolveProductsResponse> Resolve(const v1::Order& order,
                                                      const std::string& field);
  absl::StatusOr<v1::Feasibility> Feasibility(const v1::Order& order,
                                              const v1::ResolveProductsResponse& resolved);
  absl::StatusOr<v1::OpsStatus> OpsStatusOf(const v1::Order& order);
  absl::Status PlaceHold(const v1::Order& order, const v1::ResolveProductsResponse& resolved);
  // Fills the order's customer and venue from the directory records it names, and snapshots
  // them (order_terms.cc). An unknown id is INVALID_ARGUMENT naming `field`'s reference.
  absl::Status ApplyDirectory(v1::Order& order, const std::string& field);
  // Prices the order into order.quote; answers why its discounts need approval (none: empty).
  absl::StatusOr<std::vector<std::string>> Price(v1::Order& order,
                                                 const v1::ResolveProductsResponse& resolved,
                                                 const std::string& field);
  // The order's pull sheet for a warehouse document of `kind` (documents.cc): FAILED_PRECONDITION
  // without one, for a pull sheet of another revision, or for a delivery note before anything
  // was checked out.
  absl::StatusOr<v1::PullSheet> PullSheetFor(const v1::Order& order, v1::DocumentKind kind);
  // The confirmation saga for `caller` (ConfirmOrder, and a client accepting online).
  absl::Status ConfirmAs(const v1::Actor& caller, const v1::ConfirmOrderRequest* request,
                         TimePoint deadline, v1::ConfirmOrderResponse* response);

  // Documents (documents.cc): asked-for language, else the profile's, else English; the kept
  // document for `key`, rendered from `content` and kept the first time.
  v1::DocumentLanguage LanguageOf(v1::DocumentLanguage asked,
                                  const std::optional<v1::CompanyProfile>& profile) const;
  absl::StatusOr<v1::Document> KeptDocument(
      v1::Document key, const std::optional<v1::CompanyProfile>& profile,
      const std::function<absl::StatusOr<documents::Document>()>& content);
  absl::StatusOr<v1::Document> OrderDocument(const v1::Order& order, v1::DocumentKind kind,
                                             v1::DocumentLanguage language,
                                             const v1::Actor& caller);
  absl::StatusOr<v1::Document> InvoiceDocument(const v1::GetDocumentRequest& request,
                                               const v1::Actor& caller);

  // Invoicing (invoices.cc).
  absl::TimeZone CompanyZone();
  absl::CivilDay Today(absl::TimeZone zone) const;
  absl::StatusOr<v1::InvoicePlan> PlanOf(const v1::Order& order);
  void AnnounceOverdueInvoices();

  // Online acceptance (acceptance.cc).
  struct OpenedLink {
    v1::QuoteLink link;
    v1::Order order;
    v1::CompanyProfile profile;
    // Why the link cannot be used (nullopt: it can).
    std::optional<LinkRefusal> refusal;
  };
  absl::Status LoadAcceptanceKey();
  absl::Status StartAcceptanceEndpoint();
  absl::StatusOr<OpenedLink> OpenLink(std::string_view token);
  common::HttpResponse ServeAcceptance(const common::HttpRequest& request);
  // Confirms what was accepted and records the outcome with the event for sales; the order
  // after it.
  v1::Order FinishAcceptance(const v1::QuoteLink& link);
  void FinishPendingAcceptances();
  // Labour (labour.cc): the company's currency with the exchange rates valid today, and
  // scheduling's costs of the orders' plans in request order, asked in batches of 200.
  absl::StatusOr<CompanyCurrency> CompanyCurrencyToday();
  absl::StatusOr<std::vector<v1::OrderLabourCost>> LabourCostsOf(
      const std::vector<std::string>& order_ids);

  // A reconciliation pass from the recovery thread, as the service itself.
  void ReconcileInBackground();
  // The end of a saga for a call: its budget, or the caller's deadline when that is sooner.
  TimePoint SagaDeadline(const grpc::ServerContext& context) const;

  common::ServiceRuntime& runtime_;
  OrderIntakeOptions options_;
  OrderIntakeDependencies deps_;
  OrderStore& store_;
  InventoryClient& inventory_;
  SchedulingClient& scheduling_;
  const Clock& clock_;
  DirectoryStore& directory_;
  // Initialised here rather than in the constructors, so that every constructor gets it: after
  // deps_ and runtime_, which it is made from.
  PricingStore& pricing_ = PricingStoreOf(deps_, runtime_);
  DocumentStore& documents_ = DocumentStoreOf(deps_, runtime_);
  InvoiceStore& invoices_ = InvoiceStoreOf(deps_, runtime_);
  std::string acceptance_key_;
  std::string acceptance_base_url_ = options_.acceptance_base_url;
  std::unique_ptr<common::HttpServer> acceptance_server_;
  OrderIntakeMetrics metrics_;
  SagaRunner sagas_;
  Reconciler reconciler_;
  SagaRecovery recovery_;
};

// Receives ops milestones (prep started/done, dispatched, on site, returned)
// from notification's service delivery, deduplicated by event id.
class EventSinkImpl final : public v1::EventSink::Service {
 public:
  explicit EventSinkImpl(OrderIntakeServiceImpl& orders) : orders_(orders) {}
  grpc::Status Deliver(grpc::ServerContext* context, const v1::DeliverRequest* request,
                       v1::DeliverResponse* response) override;

 private:
  OrderIntakeServiceImpl& orders_;
};

void AddOptions(CLI::App& app, OrderIntakeOptions& options);

// The gRPC services this binary hosts.
std::vector<std::unique_ptr<grpc::Service>> MakeServices(common::ServiceRuntime& runtime,
                                                         OrderIntakeOptions options);

}  // namespace salesops::order_intake
