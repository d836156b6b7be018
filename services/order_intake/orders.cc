// OrderIntakeService: how it is put together, quotes, reads and available-to-promise. The
// confirm, change and cancel handlers are in order_changes.cc, the conversation on an order
// (questions, notes, acknowledgements, ops milestones) in order_conversation.cc, and the
// sagas they start in sagas.cc.
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

#include <cstdlib>

#include "services/common/grpc_errors.h"
#include "services/common/log.h"
#include "services/common/page_token.h"
#include "services/common/time_util.h"
#include "services/common/validation.h"
#include "services/order_intake/grpc_dependencies.h"
#include "services/order_intake/lifecycle.h"
#include "services/order_intake/notes.h"
#include "services/order_intake/order_intake_service.h"
#include "services/order_intake/order_rules.h"
#include "services/order_intake/phases.h"
#include "services/order_intake/postgres_directory_store.h"
#include "services/order_intake/postgres_order_store.h"

namespace salesops::order_intake {

using common::CheckRequest;
using common::FieldViolation;
using common::InvalidArgumentError;
using common::ToGrpcStatus;
using google::protobuf::util::TimeUtil;

namespace {

OrderIntakeDependencies RealDependencies(common::ServiceRuntime& runtime,
                                         const OrderIntakeOptions& options) {
  const auto timeout = std::chrono::milliseconds(options.dependency_timeout_ms);
  OrderIntakeDependencies dependencies;
  dependencies.store = std::make_unique<PostgresOrderStore>(runtime.database());
  dependencies.inventory =
      std::make_unique<GrpcInventoryClient>(runtime, options.inventory_address, timeout);
  dependencies.scheduling =
      std::make_unique<GrpcSchedulingClient>(runtime, options.scheduling_address, timeout);
  dependencies.clock = std::make_unique<SystemClock>();
  dependencies.directory = std::make_unique<PostgresDirectoryStore>(runtime.database());
  return dependencies;
}

// Tests that bring their own store, clients and clock may leave the directory to the service.
DirectoryStore& DirectoryOf(OrderIntakeDependencies& dependencies,
                            common::ServiceRuntime& runtime) {
  if (!dependencies.directory) {
    dependencies.directory = std::make_unique<PostgresDirectoryStore>(runtime.database());
  }
  return *dependencies.directory;
}

SagaSettings SagaSettingsOf(const OrderIntakeOptions& options) {
  SagaSettings settings;
  settings.dependency_timeout = std::chrono::milliseconds(options.dependency_timeout_ms);
  settings.budget = std::chrono::milliseconds(options.saga_budget_ms);
  return settings;
}

}  // namespace

OrderIntakeServiceImpl::OrderIntakeServiceImpl(common::ServiceRuntime& runtime,
                                               OrderIntakeOptions options)
    : OrderIntakeServiceImpl(runtime, options, RealDependencies(runtime, options)) {}

OrderIntakeServiceImpl::OrderIntakeServiceImpl(common::ServiceRuntime& runtime,
                                               OrderIntakeOptions options,
                                               OrderIntakeDependencies dependencies)
    : runtime_(runtime),
      options_(std::move(options)),
      deps_(std::move(dependencies)),
      store_(*deps_.store),
      inventory_(*deps_.inventory),
      scheduling_(*deps_.scheduling),
      clock_(*deps_.clock),
      directory_(DirectoryOf(deps_, runtime)),
      metrics_(runtime.metrics(), store_),
      sagas_(inventory_, scheduling_, store_, clock_, metrics_, SagaSettingsOf(options_)),
      reconciler_(inventory_, scheduling_, store_, sagas_, clock_, metrics_),
      recovery_(
          sagas_, store_, std::chrono::seconds(options_.saga_recovery_interval_seconds),
          [this] { ReconcileInBackground(); },
          std::chrono::seconds(options_.reconcile_interval_seconds),
          [this] {
            AnnounceOverdueInvoices();
            FinishPendingAcceptances();
          }) {
  // A misconfigured acceptance endpoint stops the start: links sent from it would not work.
  if (absl::Status started = LoadAcceptanceKey();
      !started.ok() || !(started = StartAcceptanceEndpoint()).ok()) {
    common::LogError("acceptance_endpoint_failed", {{"error", std::string(started.message())}});
    std::exit(2);
  }
  runtime.AddCollectable(metrics_.state());
  // Sagas a previous process left open are taken up as soon as the tables are there.
  runtime.OnMigrated([this] { recovery_.Start(); });
  runtime.OnShutdown([this] { recovery_.Stop(); });
}

OrderIntakeServiceImpl::~OrderIntakeServiceImpl() {
  // Requests in flight on the acceptance endpoint use the sagas: they finish first.
  acceptance_server_.reset();
  recovery_.Stop();
}

void OrderIntakeServiceImpl::ReconcileInBackground() {
  v1::Actor actor;
  actor.set_id("order-intake");
  actor.set_role(v1::ROLE_SERVICE);
  absl::StatusOr<v1::ReconcileResponse> done = reconciler_.Run(/*dry_run=*/false, actor);
  if (!done.ok()) {
    common::LogWarn("reconciliation_failed", {{"error", std::string(done.status().message())}});
  }
}

grpc::Status OrderIntakeServiceImpl::Reconcile(grpc::ServerContext* context,
                                               const v1::ReconcileRequest* request,
                                               v1::ReconcileResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    // A dry run changes nothing, so it is not remembered; its id is still checked against the
    // runs that were (REQUEST_ID_REUSED).
    const IdempotentCall call("Reconcile", caller, *request, response);
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, store_.ReplayAnswer(call));
    if (replayed) return absl::OkStatus();
    SALESOPS_ASSIGN_OR_RETURN(*response, reconciler_.Run(request->dry_run(), caller));
    if (!request->dry_run()) {
      absl::Status remembered = store_.RememberAnswer(call);
      if (!remembered.ok()) {
        common::LogWarn("answer_not_remembered",
                        {{"rpc", call.rpc}, {"error", std::string(remembered.message())}});
      }
    }
    return absl::OkStatus();
  }());
}

TimePoint OrderIntakeServiceImpl::CallDeadline() const {
  return clock_.Now() + std::chrono::milliseconds(options_.dependency_timeout_ms);
}

TimePoint OrderIntakeServiceImpl::SagaDeadline(const grpc::ServerContext& context) const {
  // Keep back a moment for the final write and the answer's way back.
  constexpr auto kAnswerMargin = std::chrono::milliseconds(200);
  return sagas_.Deadline(context.deadline() - kAnswerMargin);
}

absl::StatusOr<v1::ResolveProductsResponse> OrderIntakeServiceImpl::Resolve(
    const v1::Order& order, const std::string& field) {
  v1::ResolveProductsRequest request;
  *request.mutable_lines() = AllProductLines(order);
  return inventory_.ResolveProducts(request, field + ".product_lines", CallDeadline());
}

absl::StatusOr<v1::Feasibility> OrderIntakeServiceImpl::Feasibility(
    const v1::Order& order, const v1::ResolveProductsResponse& resolved) {
  struct Timer {
    OrderIntakeMetrics& metrics;
    std::chrono::steady_clock::time_point started;
    ~Timer() { metrics.AvailableToPromise(std::chrono::steady_clock::now() - started); }
  } timer{metrics_, std::chrono::steady_clock::now()};
  v1::Feasibility feasibility;
  const v1::Window window = RentalWindow(order);
  const std::vector<PhaseWork> phases = PhasesOf(order, resolved);
  std::vector<std::string> reasons;
  if (resolved.inventory_lines_size() > 0) {
    v1::CheckAvailabilityRequest request;
    *request.mutable_lines() = phases[0].resolved.inventory_lines();
    *request.mutable_window() = window;
    for (size_t i = 1; i < phases.size(); ++i) {
      if (phases[i].resolved.inventory_lines().empty()) continue;
      v1::ReservationPart* part = request.add_parts();
      part->set_phase_id(phases[i].phase_id);
      *part->mutable_lines() = phases[i].resolved.inventory_lines();
      *part->mutable_window() =
          RentalWindowOf(*phases[i].delivery, *phases[i].schedule, *phases[i].venue);
    }
    request.set_exclude_order_id(order.order_id());
    // Promise what a confirmation would get: firm reservations bind, other
    // quotes' tentative holds do not (Reserve ignores them too).
    request.set_ignore_holds(true);
    SALESOPS_ASSIGN_OR_RETURN(v1::CheckAvailabilityResponse response,
                              inventory_.CheckAvailability(request, CallDeadline()));
    *feasibility.mutable_stock_shortages() = response.shortages();
    for (int i = 0; i < response.shortages_size(); ++i) {
      const v1::StockShortage& shortage = response.shortages(i);
      const std::string phase =
          i < response.part_shortages_size() && !response.part_shortages(i).phase_id().empty()
              ? " in phase " + response.part_shortages(i).phase_id()
              : "";
      reasons.push_back(absl::StrCat(shortage.shortfall(), " x ", shortage.inventory_code(),
                                     " short", phase, " (want ", shortage.requested(), ", ",
                                     shortage.available(), " free)"));
    }
    if (!response.all_available() && response.has_earliest_feasible_window()) {
      // The same rental span shifted: delivery moves by as much as the window.
      const auto shift = response.earliest_feasible_window().not_before() - window.not_before();
      *feasibility.mutable_earliest_feasible_delivery_time() =
          order.delivery_window().window().no_later_than() + shift;
    }
  }
  if (resolved.crew_needs_size() > 0) {
    v1::CheckCapacityRequest request;
    *request.mutable_crew_needs() = phases[0].resolved.crew_needs();
    *request.mutable_window() = window;
    for (size_t i = 1; i < phases.size(); ++i) {
      if (phases[i].resolved.crew_needs().empty()) continue;
      v1::CapacityPhase* phase = request.add_phases();
      phase->set_phase_id(phases[i].phase_id);
      *phase->mutable_crew_needs() = phases[i].resolved.crew_needs();
      *phase->mutable_window() =
          RentalWindowOf(*phases[i].delivery, *phases[i].schedule, *phases[i].venue);
    }
    request.set_exclude_order_id(order.order_id());
    SALESOPS_ASSIGN_OR_RETURN(v1::CheckCapacityResponse response,
                              scheduling_.CheckCapacity(request, CallDeadline()));
    *feasibility.mutable_crew_shortfalls() = response.shortfalls();
    feasibility.set_vehicle_shortfall(response.vehicle_shortfall());
    if (!response.fits()) reasons.push_back(response.explanation());
  }
  feasibility.set_feasible(feasibility.stock_shortages_size() == 0 &&
                           feasibility.crew_shortfalls_size() == 0 &&
                           feasibility.vehicle_shortfall() == 0);
  feasibility.set_explanation(feasibility.feasible() ? "stock and crew are available"
                                                     : absl::StrJoin(reasons, "; "));
  return feasibility;
}

absl::Status OrderIntakeServiceImpl::PlaceHold(const v1::Order& order,
                                               const v1::ResolveProductsResponse& resolved) {
  if (resolved.inventory_lines_size() == 0) return absl::OkStatus();
  return inventory_
      .PlaceHold(HoldRequest(order, resolved,
                             absl::StrCat("hold-", order.order_id(), "-", order.revision())),
                 CallDeadline())
      .status();
}

grpc::Status OrderIntakeServiceImpl::CreateOrder(grpc::ServerContext* context,
                                                 const v1::CreateOrderRequest* request,
                                                 v1::CreateOrderResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    std::vector<FieldViolation> violations = common::ValidateRequest(*request);
    for (FieldViolation& v : OrderViolations(request->order(), "order", clock_.NowTimestamp())) {
      violations.push_back(v);
    }
    if (!violations.empty()) return InvalidArgumentError(std::move(violations));
    const v1::Actor caller = runtime_.CallerOf(*context);

    SALESOPS_ASSIGN_OR_RETURN(v1::ResolveProductsResponse resolved,
                              Resolve(request->order(), "order"));
    v1::Order order = request->order();
    // Output-only fields are the server's.
    ClearOutputOnly(order);
    SALESOPS_RETURN_IF_ERROR(ApplyDirectory(order, "order"));
    if (order.salesperson_id().empty()) order.set_salesperson_id(caller.id());
    const v1::OrderStage stage = order.pipeline().stage() == v1::ORDER_STAGE_UNSPECIFIED
                                     ? v1::ORDER_STAGE_QUOTED
                                     : order.pipeline().stage();
    order.mutable_pipeline()->set_stage(stage);
    order.set_stage(stage);
    if (!order.has_quote_expire_time()) {
      *order.mutable_quote_expire_time() =
          clock_.NowTimestamp() +
          TimeUtil::SecondsToDuration(int64_t{options_.quote_validity_days} * 24 * 3600);
    }
    const auto now = clock_.NowTimestamp();
    google::protobuf::RepeatedPtrField<v1::Note> notes;
    notes.Swap(order.mutable_notes());
    for (v1::Note& note : notes) {
      SALESOPS_RETURN_IF_ERROR(AppendNote(order, std::move(note), caller, now).status());
    }
    // Priced before anything is written: an amount out of range stores nothing.
    SALESOPS_ASSIGN_OR_RETURN(const std::vector<std::string> approval_reasons,
                              Price(order, resolved, "order"));
    *order.mutable_discount_approval() = DiscountApprovalAfter(nullptr, order, approval_reasons);
    *order.mutable_created_by() = caller;
    *order.mutable_create_time() = now;
    *order.mutable_update_time() = now;

    OrderChange change;
    change.new_revision = true;
    const std::string summary = absl::StrCat(
        "Quote for ", order.customer().name(), ": ", order.product_lines_size(), " lines, ",
        order.quote().total().units(), " ", order.quote().total().currency_code());
    change.history.push_back(Entry(v1::HISTORY_ENTRY_KIND_CREATED, caller, summary));
    change.history.back().set_request_id(request->request_id());
    change.events.push_back(
        OrderEvent(v1::EVENT_TYPE_ORDER_QUOTED, order, caller, "", v1::ORDER_STAGE_UNSPECIFIED));
    bool replayed = false;
    SALESOPS_ASSIGN_OR_RETURN(v1::Order stored,
                              store_.Create(*request, order, std::move(change), &replayed));
    if (!replayed) {
      // The quote's holds make forecasts see it; the quote stands without them.
      absl::Status held = PlaceHold(stored, resolved);
      if (!held.ok()) {
        common::LogWarn("hold_not_placed",
                        {{"order_id", stored.order_id()}, {"error", std::string(held.message())}});
      }
    }
    // The quote is stored: from here the answer is OK whatever else happens, or a caller told
    // "failed" would retry into a second quote. A check that could not be done says so.
    absl::StatusOr<v1::Feasibility> feasibility = Feasibility(stored, resolved);
    if (feasibility.ok()) {
      *response->mutable_feasibility() = std::move(*feasibility);
    } else {
      common::LogWarn("feasibility_not_checked",
                      {{"order_id", stored.order_id()},
                       {"error", std::string(feasibility.status().message())}});
      response->mutable_feasibility()->set_incomplete(true);
      response->mutable_feasibility()->set_explanation(
          common::TruncateText("not checked (" + std::string(feasibility.status().message()) +
                                   "); the quote is stored: ask CheckFeasibility again",
                               2000));
    }
    *response->mutable_order() = std::move(stored);
    return absl::OkStatus();
  }());
}

absl::StatusOr<v1::OpsStatus> OrderIntakeServiceImpl::OpsStatusOf(const v1::Order& order) {
  v1::OpsStatus status;
  *status.mutable_refresh_time() = clock_.NowTimestamp();
  std::vector<std::string> missing;
  if (order.stage() != v1::ORDER_STAGE_INQUIRY && order.stage() != v1::ORDER_STAGE_QUOTED) {
    v1::GetPullSheetRequest request;
    request.set_order_id(order.order_id());
    absl::StatusOr<v1::GetPullSheetResponse> sheet =
        inventory_.GetPullSheet(request, CallDeadline());
    if (sheet.ok()) {
      *status.mutable_prep() = sheet->pull_sheet().progress();
    } else if (sheet.status().code() != absl::StatusCode::kNotFound) {
      missing.push_back("prep progress (" + std::string(sheet.status().message()) + ")");
    }
    v1::GetJobStatusRequest job_request;
    job_request.set_order_id(order.order_id());
    absl::StatusOr<v1::GetJobStatusResponse> planned =
        scheduling_.GetJobStatus(job_request, CallDeadline());
    if (planned.ok()) {
      const v1::GetJobStatusResponse& job = *planned;
      *status.mutable_job() = job.job();
      // Nothing is at risk in work that will not happen or has happened.
      const bool job_over =
          job.job().state() == v1::JOB_STATE_CANCELLED || job.job().state() == v1::JOB_STATE_DONE;
      for (const v1::Task& task : job.job().tasks()) {
        if (!task.at_risk() || job_over || task.state() == v1::TASK_STATE_DONE ||
            task.state() == v1::TASK_STATE_CANCELLED) {
          continue;
        }
        v1::AtRiskItem* item = status.add_at_risk();
        item->set_task_id(task.task_id());
        item->set_task_kind(task.kind());
        item->set_at_risk_reason(task.at_risk_reason());
        item->set_explanation(task.at_risk_explanation());
        *item->mutable_earliest_feasible_finish_time() = task.earliest_feasible_finish_time();
      }
    } else if (planned.status().code() != absl::StatusCode::kNotFound) {
      missing.push_back("tasks (" + std::string(planned.status().message()) + ")");
    }
  }
  if (!missing.empty()) {
    status.set_degraded(true);
    status.set_degraded_reason("not available now: " + absl::StrJoin(missing, ", "));
  }
  return status;
}

grpc::Status OrderIntakeServiceImpl::GetOrder(grpc::ServerContext*,
                                              const v1::GetOrderRequest* request,
                                              v1::GetOrderResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    if (request->revision() != 0) {
      SALESOPS_ASSIGN_OR_RETURN(*response->mutable_order(),
                                store_.GetRevision(request->order_id(), request->revision()));
      return absl::OkStatus();
    }
    SALESOPS_ASSIGN_OR_RETURN(v1::Order order, store_.Get(request->order_id()));
    if (request->view() != v1::ORDER_VIEW_BASIC) {
      SALESOPS_ASSIGN_OR_RETURN(*order.mutable_ops_status(), OpsStatusOf(order));
    }
    *response->mutable_order() = std::move(order);
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::ListOrders(grpc::ServerContext*,
                                                const v1::ListOrdersRequest* request,
                                                v1::ListOrdersResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(std::string after,
                              common::DecodePageToken("orders", request->page_token()));
    SALESOPS_ASSIGN_OR_RETURN(
        common::Page<v1::Order> page,
        store_.List(*request, common::EffectivePageSize(request->page_size()), after));
    for (v1::Order& order : page.entries) {
      if (request->view() == v1::ORDER_VIEW_FULL) {
        SALESOPS_ASSIGN_OR_RETURN(*order.mutable_ops_status(), OpsStatusOf(order));
      }
      *response->add_orders() = std::move(order);
    }
    response->set_next_page_token(common::EncodePageToken("orders", page.next_after));
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::GetOrderHistory(grpc::ServerContext*,
                                                     const v1::GetOrderHistoryRequest* request,
                                                     v1::GetOrderHistoryResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(std::string after,
                              common::DecodePageToken("history", request->page_token()));
    int64_t after_entry = 0;
    if (!after.empty() && !absl::SimpleAtoi(after, &after_entry)) {
      return InvalidArgumentError({{"page_token", "is not a token this listing gave out"}});
    }
    SALESOPS_ASSIGN_OR_RETURN(
        common::Page<v1::HistoryEntry> page,
        store_.History(request->order_id(), common::EffectivePageSize(request->page_size()),
                       after_entry));
    for (v1::HistoryEntry& entry : page.entries) *response->add_entries() = std::move(entry);
    response->set_next_page_token(common::EncodePageToken("history", page.next_after));
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::CheckFeasibility(grpc::ServerContext*,
                                                      const v1::CheckFeasibilityRequest* request,
                                                      v1::CheckFeasibilityResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    v1::Order order;
    std::string field = "draft";
    if (request->has_draft()) {
      // A draft is an order not yet created: its output-only fields do not count.
      std::vector<FieldViolation> violations = common::ValidateRequest(*request);
      for (FieldViolation& v : OrderViolations(request->draft(), field, clock_.NowTimestamp())) {
        violations.push_back(v);
      }
      if (!violations.empty()) return InvalidArgumentError(std::move(violations));
      order = request->draft();
      ClearOutputOnly(order);
      SALESOPS_RETURN_IF_ERROR(ApplyDirectory(order, field));
    } else if (!request->order_id().empty()) {
      SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
      SALESOPS_ASSIGN_OR_RETURN(order, store_.Get(request->order_id()));
      field = "order";
    } else {
      return InvalidArgumentError({{"subject", "give an order_id or a draft"}});
    }
    SALESOPS_ASSIGN_OR_RETURN(v1::ResolveProductsResponse resolved, Resolve(order, field));
    SALESOPS_RETURN_IF_ERROR(Price(order, resolved, field).status());
    *response->mutable_quote() = order.quote();
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_feasibility(), Feasibility(order, resolved));
    v1::Commitment* commitment = response->mutable_commitment();
    commitment->set_meets_request(response->feasibility().feasible());
    *commitment->mutable_no_later_than() =
        response->feasibility().feasible() ||
                !response->feasibility().has_earliest_feasible_delivery_time()
            ? order.delivery_window().window().no_later_than()
            : response->feasibility().earliest_feasible_delivery_time();
    commitment->set_explanation(response->feasibility().explanation());
    return absl::OkStatus();
  }());
}

}  // namespace salesops::order_intake
