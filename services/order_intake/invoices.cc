// OrderIntakeService: money in (issue 18 items 3-4). Plans say when an order is invoiced,
// invoices and credit notes are issued from the order's revisions under gap-free numbers
// (invoicing.cc computes them, the store numbers and keeps them), payments settle them, and the
// exports hand them to the accountant.
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <absl/time/time.h>
#include <google/protobuf/util/time_util.h>

#include "services/common/grpc_errors.h"
#include "services/common/log.h"
#include "services/common/money.h"
#include "services/common/page_token.h"
#include "services/common/time_util.h"
#include "services/common/validation.h"
#include "services/order_intake/directory_rules.h"
#include "services/order_intake/invoice_exports.h"
#include "services/order_intake/invoicing.h"
#include "services/order_intake/order_intake_service.h"
#include "services/order_intake/order_rules.h"
#include "services/order_intake/postgres_invoice_store.h"
#include "services/order_intake/postgres_records.h"
#include "services/order_intake/pricing_rules.h"

namespace salesops::order_intake {

using common::CheckRequest;
using common::ToGrpcStatus;
using google::protobuf::util::TimeUtil;

InvoiceStore& InvoiceStoreOf(OrderIntakeDependencies& dependencies,
                             common::ServiceRuntime& runtime) {
  if (!dependencies.invoices) {
    dependencies.invoices = std::make_unique<PostgresInvoiceStore>(runtime.database());
  }
  return *dependencies.invoices;
}

namespace {

constexpr char kInvoiceListing[] = "invoices";
// No one payment is larger; with at most kMaxPaymentsPerInvoice of them an invoice's sums stay
// far inside int64 micros.
constexpr int64_t kMaxPaymentMicros = int64_t{1'000'000'000} * common::kMicrosPerUnit;

bool Confirmed(v1::OrderStage stage) {
  return stage >= v1::ORDER_STAGE_CONFIRMED && stage <= v1::ORDER_STAGE_CLOSED;
}

// Who the invoice is addressed to: the organisation as the revision's snapshot had it, else the
// customer typed on the order.
v1::InvoiceParty BuyerOf(const v1::Order& order) {
  v1::InvoiceParty buyer;
  const v1::Organisation& organisation = order.directory_snapshot().organisation();
  if (!organisation.organisation_id().empty()) {
    buyer.set_name(organisation.name());
    const google::type::PostalAddress& address = organisation.billing_address();
    for (const std::string& line : address.address_lines()) buyer.add_address_lines(line);
    const std::string city = absl::StrCat(
        address.postal_code(), address.postal_code().empty() ? "" : " ", address.locality());
    if (!city.empty()) buyer.add_address_lines(city);
    buyer.set_country(address.region_code());
    buyer.set_tax_id(organisation.tax_id());
  } else {
    buyer.set_name(order.customer().name());
  }
  buyer.set_contact_name(order.customer().contact_name());
  buyer.set_email(order.customer().email());
  return buyer;
}

// The delivery the invoice is for, in the shared language.
std::string CommitmentText(const v1::Order& order, absl::TimeZone zone) {
  if (!order.commitment().has_no_later_than()) return "";
  const absl::Time when =
      absl::FromUnixMicros(common::ToMicros(order.commitment().no_later_than()));
  return absl::StrCat("Delivered no later than ",
                      absl::FormatTime("%H:%M on %a %e %b %Y", when, zone),
                      order.venue().name().empty() ? "" : " to " + order.venue().name());
}

absl::Status CheckInvoiceKind(v1::InvoiceKind kind) {
  if (kind == v1::INVOICE_KIND_DEPOSIT || kind == v1::INVOICE_KIND_INSTALMENT ||
      kind == v1::INVOICE_KIND_FINAL) {
    return absl::OkStatus();
  }
  return common::InvalidArgumentError(
      {{"kind", "must be DEPOSIT, INSTALMENT or FINAL (credit notes: IssueCreditNote)"}});
}

}  // namespace

absl::TimeZone OrderIntakeServiceImpl::CompanyZone() {
  absl::TimeZone zone = absl::UTCTimeZone();
  absl::StatusOr<std::optional<v1::CompanyProfile>> profile = documents_.GetCompanyProfile();
  if (profile.ok() && *profile && !(*profile)->zone_id().empty()) {
    LoadZoneByName((*profile)->zone_id(), &zone);
  }
  return zone;
}

absl::CivilDay OrderIntakeServiceImpl::Today(absl::TimeZone zone) const {
  return absl::ToCivilDay(absl::FromChrono(clock_.Now()), zone);
}

absl::StatusOr<v1::InvoicePlan> OrderIntakeServiceImpl::PlanOf(const v1::Order& order) {
  SALESOPS_ASSIGN_OR_RETURN(std::optional<v1::InvoicePlan> order_plan,
                            invoices_.FindPlan("order", order.order_id()));
  std::optional<v1::InvoicePlan> organisation_plan;
  std::optional<v1::Organisation> organisation;
  if (!order.organisation_id().empty()) {
    SALESOPS_ASSIGN_OR_RETURN(organisation_plan,
                              invoices_.FindPlan("organisation", order.organisation_id()));
    absl::StatusOr<v1::Organisation> found = directory_.GetOrganisation(order.organisation_id());
    if (found.ok()) organisation = *found;
  }
  return EffectivePlan(order_plan, organisation_plan, organisation ? &*organisation : nullptr);
}

grpc::Status OrderIntakeServiceImpl::SetInvoicePlan(grpc::ServerContext* context,
                                                    const v1::SetInvoicePlanRequest* request,
                                                    v1::SetInvoicePlanResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_RETURN_IF_ERROR(CheckPlan(request->plan()));
    if (!request->plan().order_id().empty()) {
      SALESOPS_RETURN_IF_ERROR(store_.Get(request->plan().order_id()).status());
    } else {
      SALESOPS_RETURN_IF_ERROR(
          directory_.GetOrganisation(request->plan().organisation_id()).status());
    }
    const v1::Actor caller = runtime_.CallerOf(*context);
    v1::InvoicePlan plan = request->plan();
    plan.clear_etag();
    plan.clear_source();
    *plan.mutable_updated_by() = caller;
    *plan.mutable_update_time() = clock_.NowTimestamp();
    const IdempotentCall call("SetInvoicePlan", caller, *request, response);
    return invoices_.SetPlan(call, std::move(plan), [&](const v1::InvoicePlan& stored) {
      *response->mutable_plan() = stored;
    });
  }());
}

grpc::Status OrderIntakeServiceImpl::GetInvoicePlan(grpc::ServerContext*,
                                                    const v1::GetInvoicePlanRequest* request,
                                                    v1::GetInvoicePlanResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    if (request->order_id().empty() == request->organisation_id().empty()) {
      return common::InvalidArgumentError(
          {{"order_id", "name exactly one of an order and an organisation"}});
    }
    if (!request->order_id().empty()) {
      SALESOPS_ASSIGN_OR_RETURN(v1::Order order, store_.Get(request->order_id()));
      SALESOPS_ASSIGN_OR_RETURN(*response->mutable_plan(), PlanOf(order));
      return absl::OkStatus();
    }
    SALESOPS_ASSIGN_OR_RETURN(v1::Organisation organisation,
                              directory_.GetOrganisation(request->organisation_id()));
    SALESOPS_ASSIGN_OR_RETURN(std::optional<v1::InvoicePlan> plan,
                              invoices_.FindPlan("organisation", request->organisation_id()));
    *response->mutable_plan() = EffectivePlan(std::nullopt, plan, &organisation);
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::IssueInvoice(grpc::ServerContext* context,
                                                  const v1::IssueInvoiceRequest* request,
                                                  v1::IssueInvoiceResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_RETURN_IF_ERROR(CheckInvoiceKind(request->kind()));
    if (request->kind() != v1::INVOICE_KIND_FINAL && request->damage_charges_size() > 0) {
      return common::InvalidArgumentError(
          {{"damage_charges", "only a FINAL invoice charges damage and loss"}});
    }
    const v1::Actor caller = runtime_.CallerOf(*context);
    const IdempotentCall call("IssueInvoice", caller, *request, response);
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, store_.ReplayAnswer(call));
    if (replayed) return absl::OkStatus();

    SALESOPS_ASSIGN_OR_RETURN(v1::Order order, store_.Get(request->order_id()));
    const bool final = request->kind() == v1::INVOICE_KIND_FINAL;
    if (final ? !(order.stage() == v1::ORDER_STAGE_RETURNED ||
                  order.stage() == v1::ORDER_STAGE_CLOSED)
              : !Confirmed(order.stage())) {
      return common::BusinessRefusal(
          v1::INVALID_STAGE_TRANSITION,
          absl::StrCat("order ", order.order_id(), " is ", StageName(order.stage()), "; ",
                       final ? "the final invoice follows the return (RETURNED or CLOSED)"
                             : "a deposit or an instalment follows confirmation"));
    }
    SALESOPS_ASSIGN_OR_RETURN(v1::InvoicePlan plan, PlanOf(order));
    const absl::TimeZone zone = CompanyZone();
    const absl::Time now = absl::FromChrono(clock_.Now());
    InvoiceStore::IssueTerms terms;
    terms.order_id = order.order_id();
    terms.issue_time = now;
    terms.issue_day = absl::ToCivilDay(now, zone);
    if (request->has_invoice_day()) {
      // Dating an invoice is bookkeeping: ADMIN's, and never ahead of the calendar.
      if (caller.role() != v1::ROLE_ADMIN) {
        return common::ReasonedError(absl::StatusCode::kPermissionDenied, v1::ROLE_NOT_ALLOWED,
                                     "only ADMIN dates an invoice other than today");
      }
      const std::optional<absl::CivilDay> day = CivilDayOf(request->invoice_day());
      if (!day || *day > terms.issue_day) {
        return common::InvalidArgumentError(
            {{"invoice_day", "must be a real day, today or before"}});
      }
      terms.issue_day = *day;
    }
    terms.payment_term_days = PaymentTermDays(plan);
    terms.issued_by = caller;

    int percent = 0;
    std::string label;
    if (request->kind() == v1::INVOICE_KIND_DEPOSIT) {
      if (plan.deposit_percent() == 0) {
        return common::BusinessRefusal(
            v1::INVALID_REQUEST, absl::StrCat("the invoice plan of order ", order.order_id(), " (",
                                              plan.source(), ") has no deposit"));
      }
      percent = plan.deposit_percent();
      terms.slot = PlanSlot(v1::INVOICE_KIND_DEPOSIT, 0);
    } else if (request->kind() == v1::INVOICE_KIND_INSTALMENT) {
      // The first instalment not yet issued; the slot's uniqueness refuses a concurrent twin.
      InvoiceStore::InvoiceFilter of_order;
      of_order.order_id = order.order_id();
      SALESOPS_ASSIGN_OR_RETURN(auto issued, invoices_.ListInvoices(of_order, terms.issue_day));
      int next = 0;
      for (const v1::Invoice& invoice : issued.first) {
        next += invoice.kind() == v1::INVOICE_KIND_INSTALMENT ? 1 : 0;
      }
      if (next >= plan.instalments_size()) {
        return common::BusinessRefusal(
            v1::INVALID_REQUEST,
            absl::StrCat("order ", order.order_id(), " has no instalment left to invoice (",
                         plan.instalments_size(), " in its plan, ", next, " issued)"));
      }
      const v1::Instalment& instalment = plan.instalments(next);
      if (instalment.has_invoice_time() &&
          absl::FromUnixMicros(common::ToMicros(instalment.invoice_time())) > now) {
        return common::BusinessRefusal(
            v1::INVALID_STAGE_TRANSITION,
            absl::StrCat("instalment ", next + 1, " of order ", order.order_id(),
                         " is invoiced from ", TimeUtil::ToString(instalment.invoice_time())));
      }
      percent = instalment.percent();
      label = instalment.label();
      terms.slot = PlanSlot(v1::INVOICE_KIND_INSTALMENT, next);
    } else {
      terms.slot = PlanSlot(v1::INVOICE_KIND_FINAL, 0);
    }

    // Damage and loss are charged from what check-in recorded on the pull sheet.
    std::optional<v1::PullSheet> sheet;
    if (request->damage_charges_size() > 0) {
      v1::GetPullSheetRequest sheet_request;
      sheet_request.set_order_id(order.order_id());
      absl::StatusOr<v1::GetPullSheetResponse> found =
          inventory_.GetPullSheet(sheet_request, CallDeadline());
      if (found.ok()) {
        sheet = found->pull_sheet();
      } else if (found.status().code() != absl::StatusCode::kNotFound) {
        return found.status();
      }
    }
    const std::vector<v1::DamageCharge> charges(request->damage_charges().begin(),
                                                request->damage_charges().end());
    const v1::InvoiceParty buyer = BuyerOf(order);
    const std::string commitment = CommitmentText(order, zone);
    return invoices_.IssueInvoice(
        call, terms,
        [&](const std::vector<v1::Invoice>& order_invoices) -> absl::StatusOr<v1::Invoice> {
          absl::StatusOr<v1::Invoice> invoice;
          if (final) {
            std::vector<v1::Invoice> earlier;
            for (const v1::Invoice& issued : order_invoices) {
              if (issued.kind() == v1::INVOICE_KIND_DEPOSIT ||
                  issued.kind() == v1::INVOICE_KIND_INSTALMENT) {
                earlier.push_back(issued);
              }
            }
            invoice = FinalInvoice(order, earlier, charges, sheet ? &*sheet : nullptr);
          } else {
            invoice = ShareInvoice(order, request->kind(), percent, label);
          }
          if (!invoice.ok()) return invoice.status();
          *invoice->mutable_buyer() = buyer;
          invoice->set_commitment_text(commitment);
          return invoice;
        },
        [&](const v1::Invoice& issued) { *response->mutable_invoice() = issued; });
  }());
}

grpc::Status OrderIntakeServiceImpl::IssueCreditNote(grpc::ServerContext* context,
                                                     const v1::IssueCreditNoteRequest* request,
                                                     v1::IssueCreditNoteResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    const IdempotentCall call("IssueCreditNote", caller, *request, response);
    const absl::TimeZone zone = CompanyZone();
    const absl::Time now = absl::FromChrono(clock_.Now());
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, store_.ReplayAnswer(call));
    if (replayed) {
      // What is kept is the note; the credited invoice is as it stands now.
      SALESOPS_ASSIGN_OR_RETURN(
          *response->mutable_invoice(),
          invoices_.GetInvoice(response->credit_note().credited_invoice_number(),
                               absl::ToCivilDay(now, zone)));
      return absl::OkStatus();
    }
    SALESOPS_ASSIGN_OR_RETURN(
        v1::Invoice credited,
        invoices_.GetInvoice(request->invoice_number(), absl::ToCivilDay(now, zone)));
    if (credited.kind() == v1::INVOICE_KIND_CREDIT_NOTE) {
      return common::BusinessRefusal(
          v1::INVALID_REQUEST,
          absl::StrCat(credited.invoice_number(), " is a credit note; credit the invoice"));
    }
    InvoiceStore::IssueTerms terms;
    terms.order_id = credited.order_id();
    terms.credited_invoice_number = credited.invoice_number();
    terms.issue_time = now;
    terms.issue_day = absl::ToCivilDay(now, zone);
    terms.issued_by = caller;
    const std::vector<v1::CreditLine> lines(request->lines().begin(), request->lines().end());
    SALESOPS_RETURN_IF_ERROR(invoices_.IssueInvoice(
        call, terms,
        [&](const std::vector<v1::Invoice>& order_invoices) -> absl::StatusOr<v1::Invoice> {
          // The credited invoice as it stands under the lock (an earlier note may just have
          // been issued).
          for (const v1::Invoice& invoice : order_invoices) {
            if (invoice.invoice_number() != credited.invoice_number()) continue;
            SALESOPS_ASSIGN_OR_RETURN(int64_t credited_micros,
                                      common::MoneyToMicros(invoice.credited_total(), "credit"));
            return CreditNoteFor(invoice, lines, credited_micros, request->reason());
          }
          return RecordNotFound("invoice", credited.invoice_number());
        },
        [&](const v1::Invoice& note) { *response->mutable_credit_note() = note; }));
    SALESOPS_ASSIGN_OR_RETURN(
        *response->mutable_invoice(),
        invoices_.GetInvoice(credited.invoice_number(), absl::ToCivilDay(now, zone)));
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::GetInvoice(grpc::ServerContext*,
                                                const v1::GetInvoiceRequest* request,
                                                v1::GetInvoiceResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(
        *response->mutable_invoice(),
        invoices_.GetInvoice(request->invoice_number(), Today(CompanyZone())));
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::ListInvoices(grpc::ServerContext*,
                                                  const v1::ListInvoicesRequest* request,
                                                  v1::ListInvoicesResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    InvoiceStore::InvoiceFilter filter;
    filter.order_id = request->order_id();
    filter.organisation_id = request->organisation_id();
    filter.overdue_only = request->overdue_only();
    filter.page_size = request->page_size() > 0 ? request->page_size() : 100;
    if (!request->page_token().empty()) {
      SALESOPS_ASSIGN_OR_RETURN(std::string after,
                                common::DecodePageToken(kInvoiceListing, request->page_token()));
      if (!absl::SimpleAtoi(after, &filter.before_seq) || filter.before_seq <= 0) {
        return common::InvalidArgumentError(
            {{"page_token", "is not a token this listing gave out"}});
      }
    }
    SALESOPS_ASSIGN_OR_RETURN(auto page, invoices_.ListInvoices(filter, Today(CompanyZone())));
    for (v1::Invoice& invoice : page.first) *response->add_invoices() = std::move(invoice);
    if (page.second != 0) {
      response->set_next_page_token(
          common::EncodePageToken(kInvoiceListing, absl::StrCat(page.second)));
    }
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::RecordPayment(grpc::ServerContext* context,
                                                   const v1::RecordPaymentRequest* request,
                                                   v1::RecordPaymentResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Payment& asked = request->payment();
    std::vector<common::FieldViolation> violations;
    if (asked.invoice_number().empty()) {
      violations.push_back({"payment.invoice_number", "is required"});
    }
    if (asked.kind() != v1::PAYMENT_KIND_RECEIVED && asked.kind() != v1::PAYMENT_KIND_REFUND) {
      violations.push_back({"payment.kind", "must be RECEIVED or REFUND"});
    }
    absl::StatusOr<int64_t> amount = common::MoneyToMicros(asked.amount(), "payment.amount");
    if (!amount.ok() || *amount <= 0 || *amount % kMicrosPerCent != 0 ||
        *amount > kMaxPaymentMicros) {
      violations.push_back({"payment.amount",
                            "must be positive, in whole cents, at most 1,000,000,000 (a refund "
                            "is kind REFUND)"});
    }
    // Money that moved tomorrow has not moved yet (a day of slack for zones and bank dates).
    if (asked.has_receive_time() && absl::FromUnixMicros(common::ToMicros(asked.receive_time())) >
                                        absl::FromChrono(clock_.Now()) + absl::Hours(24)) {
      violations.push_back({"payment.receive_time", "is in the future"});
    }
    if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));
    const v1::Actor caller = runtime_.CallerOf(*context);
    v1::Payment payment = asked;
    payment.clear_payment_id();
    *payment.mutable_recorded_by() = caller;
    *payment.mutable_record_time() = clock_.NowTimestamp();
    if (!payment.has_receive_time()) *payment.mutable_receive_time() = payment.record_time();
    const IdempotentCall call("RecordPayment", caller, *request, response);
    return invoices_.RecordPayment(call, std::move(payment), Today(CompanyZone()),
                                   [&](const v1::Payment& recorded, const v1::Invoice& invoice) {
                                     *response->mutable_payment() = recorded;
                                     *response->mutable_invoice() = invoice;
                                   });
  }());
}

grpc::Status OrderIntakeServiceImpl::GetAccountBalance(grpc::ServerContext*,
                                                       const v1::GetAccountBalanceRequest* request,
                                                       v1::GetAccountBalanceResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_RETURN_IF_ERROR(directory_.GetOrganisation(request->organisation_id()).status());
    InvoiceStore::InvoiceFilter of_organisation;
    of_organisation.organisation_id = request->organisation_id();
    SALESOPS_ASSIGN_OR_RETURN(auto all,
                              invoices_.ListInvoices(of_organisation, Today(CompanyZone())));
    struct Sums {
      int64_t invoiced = 0, credited = 0, received = 0, refunded = 0, overdue = 0;
      int open = 0;
    };
    std::map<std::string, Sums> by_currency;
    for (const v1::Invoice& invoice : all.first) {
      Sums& sums = by_currency[invoice.currency()];
      const int64_t total = common::MoneyToMicros(invoice.total(), "total").value_or(0);
      if (invoice.kind() == v1::INVOICE_KIND_CREDIT_NOTE) {
        sums.credited -= total;
        continue;
      }
      sums.invoiced += total;
      for (const v1::Payment& payment : invoice.payments()) {
        const int64_t amount = common::MoneyToMicros(payment.amount(), "amount").value_or(0);
        (payment.kind() == v1::PAYMENT_KIND_REFUND ? sums.refunded : sums.received) += amount;
      }
      const int64_t due = common::MoneyToMicros(invoice.amount_due(), "due").value_or(0);
      if (due > 0) ++sums.open;
      if (invoice.overdue()) sums.overdue += due;
    }
    response->set_organisation_id(request->organisation_id());
    for (const auto& [currency, sums] : by_currency) {
      v1::AccountBalance* balance = response->add_balances();
      balance->set_currency(currency);
      auto money = [&](int64_t micros) { return common::MoneyFromMicros(micros, currency); };
      *balance->mutable_invoiced_total() = money(sums.invoiced);
      *balance->mutable_credited_total() = money(sums.credited);
      *balance->mutable_received_total() = money(sums.received);
      *balance->mutable_refunded_total() = money(sums.refunded);
      *balance->mutable_balance_total() =
          money(sums.invoiced - sums.credited - sums.received + sums.refunded);
      *balance->mutable_overdue_total() = money(sums.overdue);
      balance->set_open_invoice_count(sums.open);
    }
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::GetInvoiceXml(grpc::ServerContext*,
                                                   const v1::GetInvoiceXmlRequest* request,
                                                   v1::GetInvoiceXmlResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(
        v1::Invoice invoice, invoices_.GetInvoice(request->invoice_number(), Today(CompanyZone())));
    SALESOPS_ASSIGN_OR_RETURN(std::optional<v1::CompanyProfile> profile,
                              documents_.GetCompanyProfile());
    if (!profile) {
      return common::BusinessRefusal(
          v1::NOT_FOUND, "no company profile yet, so the e-invoice has no seller; ADMIN sets it");
    }
    response->set_xml(InvoiceXml(invoice, *profile));
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::GetJournal(grpc::ServerContext*,
                                                const v1::GetJournalRequest* request,
                                                v1::GetJournalResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const absl::Time start = absl::FromUnixMicros(common::ToMicros(request->start_time()));
    const absl::Time end = absl::FromUnixMicros(common::ToMicros(request->end_time()));
    if (end <= start) {
      return common::InvalidArgumentError({{"end_time", "must be after start_time"}});
    }
    if (end - start > absl::Hours(24 * 400)) {
      return common::InvalidArgumentError(
          {{"end_time", "a journal covers at most 400 days; ask for one period at a time"}});
    }
    const absl::TimeZone zone = CompanyZone();
    SALESOPS_ASSIGN_OR_RETURN(std::vector<v1::Invoice> invoices,
                              invoices_.InvoicesForJournal(start, end, Today(zone)));
    int rows = 0;
    response->set_csv(JournalCsv(invoices, start, end, zone, &rows));
    response->set_row_count(rows);
    return absl::OkStatus();
  }());
}

void OrderIntakeServiceImpl::AnnounceOverdueInvoices() {
  absl::StatusOr<int> announced = invoices_.AnnounceOverdue(Today(CompanyZone()));
  if (!announced.ok()) {
    common::LogWarn("overdue_sweep_failed", {{"error", std::string(announced.status().message())}});
  }
}

}  // namespace salesops::order_intake
