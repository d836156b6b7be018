// OrderIntakeService handlers: validation, the calls to inventory and
// scheduling, the confirm saga with its compensations.
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <absl/strings/str_replace.h>
#include <google/api/field_behavior.pb.h>
#include <google/protobuf/util/time_util.h>

#include <set>

#include "services/common/channel_factory.h"
#include "services/common/grpc_errors.h"
#include "services/common/log.h"
#include "services/common/page_token.h"
#include "services/common/time_util.h"
#include "services/common/validation.h"
#include "services/order_intake/change_impact.h"
#include "services/order_intake/clarifications.h"
#include "services/order_intake/lifecycle.h"
#include "services/order_intake/notes.h"
#include "services/order_intake/order_intake_service.h"

namespace salesops::order_intake {

using common::BusinessRefusal;
using common::CheckRequest;
using common::FieldViolation;
using common::InvalidArgumentError;
using common::ReasonedError;
using common::ToGrpcStatus;
using google::protobuf::util::TimeUtil;

namespace {

constexpr std::chrono::seconds kSagaLease{120};

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
        return InvalidArgumentError(std::move(violations), reason == v1::ERROR_REASON_UNSPECIFIED
                                                               ? v1::INVALID_REQUEST
                                                               : reason);
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
absl::Status CallDependency(const std::string& what, Stub* stub,
                            grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                         Response*),
                            const Request& request, Response* response, int timeout_ms,
                            const std::string& from_field = "", const std::string& to_field = "") {
  if (stub == nullptr) {
    return ReasonedError(absl::StatusCode::kUnavailable, v1::DEPENDENCY_UNAVAILABLE,
                         what + " is not configured (--" + what + "-address)");
  }
  grpc::ClientContext context;
  common::SetDeadline(context, std::chrono::milliseconds(timeout_ms));
  return FromDependency(what, (stub->*method)(&context, request, response), from_field, to_field);
}

// Rules beyond the field annotations, named under `field` ("order", "draft").
std::vector<FieldViolation> OrderViolations(const v1::Order& order, const std::string& field) {
  std::vector<FieldViolation> violations;
  const auto now = common::NowTimestamp();
  const v1::Window& window = order.delivery_window().window();
  if (window.has_no_later_than() && window.no_later_than() <= now) {
    violations.push_back({field + ".delivery_window.window.no_later_than", "is in the past"});
  }
  std::set<std::string> codes;
  for (int i = 0; i < order.product_lines_size(); ++i) {
    const std::string& code = order.product_lines(i).product_code();
    if (!codes.insert(code).second) {
      violations.push_back({absl::StrCat(field, ".product_lines[", i, "].product_code"),
                            code + " is on the order twice; one line per product"});
    }
  }
  const double probability = order.pipeline().win_probability();
  if (probability < 0 || probability > 1) {
    violations.push_back({field + ".pipeline.win_probability", "must be between 0 and 1"});
  }
  const v1::OrderStage stage = order.pipeline().stage();
  if (stage != v1::ORDER_STAGE_UNSPECIFIED && !IsOpenQuote(stage)) {
    violations.push_back({field + ".pipeline.stage",
                          "sales sets INQUIRY or QUOTED; later stages come from confirmation "
                          "and ops"});
  }
  const v1::EventSchedule& schedule = order.event_schedule();
  std::vector<std::pair<std::string, const google::protobuf::Timestamp*>> times;
  if (schedule.has_load_in_time()) times.push_back({"load_in_time", &schedule.load_in_time()});
  if (schedule.has_show_start_time()) {
    times.push_back({"show_start_time", &schedule.show_start_time()});
  }
  if (schedule.has_show_end_time()) times.push_back({"show_end_time", &schedule.show_end_time()});
  if (schedule.has_strike_time()) times.push_back({"strike_time", &schedule.strike_time()});
  for (size_t i = 1; i < times.size(); ++i) {
    if (*times[i].second < *times[i - 1].second) {
      violations.push_back(
          {field + ".event_schedule." + times[i].first, "is before " + times[i - 1].first});
    }
  }
  if (order.has_quote_expire_time() && order.quote_expire_time() <= now) {
    violations.push_back({field + ".quote_expire_time", "is in the past"});
  }
  return violations;
}

absl::Status CheckEtag(const v1::Order& order, const std::string& etag, int64_t expected_revision) {
  const bool etag_stale = !etag.empty() && etag != order.etag();
  const bool revision_stale = expected_revision != 0 && expected_revision != order.revision();
  if (etag_stale || revision_stale) {
    return ReasonedError(
        absl::StatusCode::kAborted, v1::STALE_REVISION,
        absl::StrCat("order ", order.order_id(), " is at revision ", order.revision(), " (etag ",
                     order.etag(), "); read it again and retry"));
  }
  return absl::OkStatus();
}

v1::HistoryEntry Entry(v1::HistoryEntryKind kind, const v1::Actor& actor,
                       const std::string& summary, const std::string& reason = "") {
  v1::HistoryEntry entry;
  entry.set_kind(kind);
  *entry.mutable_actor() = actor;
  entry.set_summary(summary);
  entry.set_reason(reason);
  return entry;
}

v1::Event OrderEvent(v1::EventType type, const v1::Order& order, const v1::Actor& actor,
                     const std::string& summary, v1::OrderStage previous_stage,
                     const std::string& reason = "") {
  v1::Event event;
  event.set_type(type);
  *event.mutable_actor() = actor;
  event.set_summary(summary);
  v1::OrderChangedPayload* changed = event.mutable_order_changed();
  changed->set_stage(order.stage());
  changed->set_previous_stage(previous_stage);
  changed->set_reason(reason);
  changed->set_customer_name(order.customer().name());
  changed->set_salesperson_id(order.salesperson_id());
  *changed->mutable_product_lines() = order.product_lines();
  *changed->mutable_delivery_window() = order.delivery_window();
  *changed->mutable_commitment() = order.commitment();
  *changed->mutable_pipeline() = order.pipeline();
  return event;
}

std::string Stage(v1::OrderStage stage) {
  return v1::OrderStage_Name(stage).substr(std::string("ORDER_STAGE_").size());
}

// Output-only fields are the server's to set, whatever a caller sent.
void ClearOutputOnly(v1::Order& order) {
  const google::protobuf::Descriptor* descriptor = order.GetDescriptor();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = descriptor->field(i);
    for (int behavior : field->options().GetRepeatedExtension(google::api::field_behavior)) {
      if (behavior == google::api::OUTPUT_ONLY) order.GetReflection()->ClearField(&order, field);
    }
  }
}

// Lets go of an order a saga held (BeginSaga) when the saga ends, however it ends, unless
// the saga's last write let go of it already (OrderChange::ends_saga).
class SagaLease {
 public:
  SagaLease(OrderStore& store, std::string order_id)
      : store_(store), order_id_(std::move(order_id)) {}
  ~SagaLease() {
    if (!ended_) store_.EndSaga(order_id_).IgnoreError();
  }
  void EndedByLastWrite() { ended_ = true; }

 private:
  OrderStore& store_;
  std::string order_id_;
  bool ended_ = false;
};

// The ErrorReason name a status carries ("INSUFFICIENT_STOCK"), for metric labels.
std::string ReasonOf(const absl::Status& status) {
  return common::ParseGrpcError(ToGrpcStatus(status)).reason;
}

}  // namespace

OrderIntakeServiceImpl::OrderIntakeServiceImpl(common::ServiceRuntime& runtime,
                                               OrderIntakeOptions options)
    : runtime_(runtime),
      options_(std::move(options)),
      store_(runtime.database()),
      metrics_(runtime.metrics(), store_) {
  runtime.AddCollectable(metrics_.state());
  const auto timeout = std::chrono::milliseconds(options_.dependency_timeout_ms);
  if (!options_.inventory_address.empty()) {
    auto channel = runtime.ChannelTo(options_.inventory_address,
                                     {v1::InventoryService::service_full_name()}, timeout);
    if (channel.ok()) inventory_ = v1::InventoryService::NewStub(*channel);
  }
  if (!options_.scheduling_address.empty()) {
    auto channel = runtime.ChannelTo(options_.scheduling_address,
                                     {v1::SchedulingService::service_full_name()}, timeout);
    if (channel.ok()) scheduling_ = v1::SchedulingService::NewStub(*channel);
  }
}

absl::StatusOr<v1::ResolveProductsResponse> OrderIntakeServiceImpl::Resolve(
    const v1::Order& order, const std::string& field) {
  v1::ResolveProductsRequest request;
  *request.mutable_lines() = order.product_lines();
  v1::ResolveProductsResponse response;
  SALESOPS_RETURN_IF_ERROR(CallDependency(
      "inventory", inventory_.get(), &v1::InventoryService::Stub::ResolveProducts, request,
      &response, options_.dependency_timeout_ms, "lines", field + ".product_lines"));
  return response;
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
  std::vector<std::string> reasons;
  if (resolved.inventory_lines_size() > 0) {
    v1::CheckAvailabilityRequest request;
    *request.mutable_lines() = resolved.inventory_lines();
    *request.mutable_window() = window;
    request.set_exclude_order_id(order.order_id());
    // Promise what a confirmation would get: firm reservations bind, other
    // quotes' tentative holds do not (Reserve ignores them too).
    request.set_ignore_holds(true);
    v1::CheckAvailabilityResponse response;
    SALESOPS_RETURN_IF_ERROR(CallDependency("inventory", inventory_.get(),
                                            &v1::InventoryService::Stub::CheckAvailability, request,
                                            &response, options_.dependency_timeout_ms));
    *feasibility.mutable_stock_shortages() = response.shortages();
    for (const v1::StockShortage& shortage : response.shortages()) {
      reasons.push_back(absl::StrCat(shortage.shortfall(), " x ", shortage.inventory_code(),
                                     " short (want ", shortage.requested(), ", ",
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
    *request.mutable_crew_needs() = resolved.crew_needs();
    *request.mutable_window() = window;
    request.set_exclude_order_id(order.order_id());
    v1::CheckCapacityResponse response;
    SALESOPS_RETURN_IF_ERROR(CallDependency("scheduling", scheduling_.get(),
                                            &v1::SchedulingService::Stub::CheckCapacity, request,
                                            &response, options_.dependency_timeout_ms));
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
  v1::PlaceHoldRequest request;
  request.set_request_id(absl::StrCat("hold-", order.order_id(), "-", order.revision()));
  request.set_order_id(order.order_id());
  request.set_order_revision(order.revision());
  *request.mutable_lines() = resolved.inventory_lines();
  *request.mutable_window() = RentalWindow(order);
  *request.mutable_expire_time() = order.quote_expire_time();
  request.set_win_probability(order.pipeline().win_probability());
  v1::PlaceHoldResponse response;
  return CallDependency("inventory", inventory_.get(), &v1::InventoryService::Stub::PlaceHold,
                        request, &response, options_.dependency_timeout_ms);
}

grpc::Status OrderIntakeServiceImpl::CreateOrder(grpc::ServerContext* context,
                                                 const v1::CreateOrderRequest* request,
                                                 v1::CreateOrderResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    std::vector<FieldViolation> violations = common::ValidateRequest(*request);
    for (FieldViolation& v : OrderViolations(request->order(), "order")) violations.push_back(v);
    if (!violations.empty()) return InvalidArgumentError(std::move(violations));
    const v1::Actor caller = runtime_.CallerOf(*context);

    SALESOPS_ASSIGN_OR_RETURN(v1::ResolveProductsResponse resolved,
                              Resolve(request->order(), "order"));
    v1::Order order = request->order();
    // Output-only fields are the server's.
    ClearOutputOnly(order);
    if (order.salesperson_id().empty()) order.set_salesperson_id(caller.id());
    const v1::OrderStage stage = order.pipeline().stage() == v1::ORDER_STAGE_UNSPECIFIED
                                     ? v1::ORDER_STAGE_QUOTED
                                     : order.pipeline().stage();
    order.mutable_pipeline()->set_stage(stage);
    order.set_stage(stage);
    if (!order.has_quote_expire_time()) {
      *order.mutable_quote_expire_time() =
          common::NowTimestamp() +
          TimeUtil::SecondsToDuration(int64_t{options_.quote_validity_days} * 24 * 3600);
    }
    const auto now = common::NowTimestamp();
    google::protobuf::RepeatedPtrField<v1::Note> notes;
    notes.Swap(order.mutable_notes());
    for (v1::Note& note : notes) {
      SALESOPS_RETURN_IF_ERROR(AppendNote(order, std::move(note), caller, now).status());
    }
    // Priced before anything is written: an amount out of range stores nothing.
    SALESOPS_ASSIGN_OR_RETURN(*order.mutable_quote(),
                              PriceQuote(order, resolved, options_.pricing, "order"));
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
  *status.mutable_refresh_time() = common::NowTimestamp();
  std::vector<std::string> missing;
  if (order.stage() != v1::ORDER_STAGE_INQUIRY && order.stage() != v1::ORDER_STAGE_QUOTED) {
    v1::GetPullSheetRequest request;
    request.set_order_id(order.order_id());
    v1::GetPullSheetResponse response;
    absl::Status sheet =
        CallDependency("inventory", inventory_.get(), &v1::InventoryService::Stub::GetPullSheet,
                       request, &response, options_.dependency_timeout_ms);
    if (sheet.ok()) {
      *status.mutable_prep() = response.pull_sheet().progress();
    } else if (sheet.code() != absl::StatusCode::kNotFound) {
      missing.push_back("prep progress (" + std::string(sheet.message()) + ")");
    }
    v1::GetJobStatusRequest job_request;
    job_request.set_order_id(order.order_id());
    v1::GetJobStatusResponse job;
    absl::Status planned =
        CallDependency("scheduling", scheduling_.get(), &v1::SchedulingService::Stub::GetJobStatus,
                       job_request, &job, options_.dependency_timeout_ms);
    if (planned.ok()) {
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
    } else if (planned.code() != absl::StatusCode::kNotFound) {
      missing.push_back("tasks (" + std::string(planned.message()) + ")");
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
      for (FieldViolation& v : OrderViolations(request->draft(), field)) violations.push_back(v);
      if (!violations.empty()) return InvalidArgumentError(std::move(violations));
      order = request->draft();
    } else if (!request->order_id().empty()) {
      SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
      SALESOPS_ASSIGN_OR_RETURN(order, store_.Get(request->order_id()));
      field = "order";
    } else {
      return InvalidArgumentError({{"subject", "give an order_id or a draft"}});
    }
    SALESOPS_ASSIGN_OR_RETURN(v1::ResolveProductsResponse resolved, Resolve(order, field));
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_quote(),
                              PriceQuote(order, resolved, options_.pricing, field));
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

grpc::Status OrderIntakeServiceImpl::ConfirmOrder(grpc::ServerContext* context,
                                                  const v1::ConfirmOrderRequest* request,
                                                  v1::ConfirmOrderResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    // The order is read and held for the saga in one transaction.
    bool already_confirmed = false;
    SALESOPS_ASSIGN_OR_RETURN(
        v1::Order order,
        store_.ReadAndBeginSaga(
            request->order_id(), kSagaLease, [&](const v1::Order& current) -> absl::StatusOr<bool> {
              // A retry of a confirmation that went through: the same answer again.
              already_confirmed = current.stage() == v1::ORDER_STAGE_CONFIRMED &&
                                  (request->expected_revision() == 0 ||
                                   request->expected_revision() == current.revision()) &&
                                  (request->etag().empty() || request->etag() == current.etag());
              if (already_confirmed) return false;
              SALESOPS_RETURN_IF_ERROR(
                  CheckEtag(current, request->etag(), request->expected_revision()));
              if (!IsOpenQuote(current.stage())) {
                return BusinessRefusal(v1::INVALID_STAGE_TRANSITION,
                                       "order " + current.order_id() + " is " +
                                           Stage(current.stage()) +
                                           "; only an open quote can be confirmed");
              }
              if (current.open_blocking_question_count() > 0) {
                return BusinessRefusal(v1::BLOCKING_QUESTION_OPEN,
                                       absl::StrCat("order ", current.order_id(), " has ",
                                                    current.open_blocking_question_count(),
                                                    " blocking question(s) from ops; answer "
                                                    "them first"));
              }
              return true;
            }));
    if (already_confirmed) {
      *response->mutable_order() = std::move(order);
      return absl::OkStatus();
    }
    SagaLease saga_lease(store_, order.order_id());

    // What a refusal records and answers: the step's own reason, plus what is short.
    auto refuse = [&](absl::Status refusal, const v1::ResolveProductsResponse* resolved) {
      metrics_.Confirmation("refused", ReasonOf(refusal));
      v1::HistoryEntry entry = Entry(v1::HISTORY_ENTRY_KIND_REFUSED, caller,
                                     "Confirmation refused: " + std::string(refusal.message()));
      entry.set_revision(order.revision());
      entry.set_stage(order.stage());
      entry.set_request_id(request->request_id());
      *entry.mutable_create_time() = common::NowTimestamp();
      if (resolved != nullptr) {
        absl::StatusOr<v1::Feasibility> feasibility = Feasibility(order, *resolved);
        if (feasibility.ok()) {
          *entry.mutable_feasibility() = *feasibility;
          refusal = common::WithDetail(refusal, *feasibility);
        }
      }
      store_.AddHistory(order.order_id(), entry).IgnoreError();
      return refusal;
    };

    SALESOPS_ASSIGN_OR_RETURN(v1::ResolveProductsResponse resolved, Resolve(order, "order"));
    // 1. Stock: a firm reservation (it replaces the quote's hold).
    if (resolved.inventory_lines_size() > 0) {
      v1::ReserveRequest reserve;
      reserve.set_request_id(absl::StrCat("confirm-", order.order_id(), "-", order.revision()));
      reserve.set_order_id(order.order_id());
      reserve.set_order_revision(order.revision());
      *reserve.mutable_lines() = resolved.inventory_lines();
      *reserve.mutable_window() = RentalWindow(order);
      v1::ReserveResponse reserved;
      absl::Status status =
          CallDependency("inventory", inventory_.get(), &v1::InventoryService::Stub::Reserve,
                         reserve, &reserved, options_.dependency_timeout_ms);
      if (!status.ok()) return refuse(status, &resolved);
    }
    // 2. Crew: plan the job, refusing when late unless sales accepted later.
    v1::PlanJobRequest plan;
    plan.set_request_id(absl::StrCat("confirm-", order.order_id(), "-", order.revision()));
    plan.set_order_id(order.order_id());
    plan.set_order_revision(order.revision());
    *plan.mutable_inventory_lines() = resolved.inventory_lines();
    *plan.mutable_crew_needs() = resolved.crew_needs();
    *plan.mutable_prep_duration() = resolved.prep_duration();
    *plan.mutable_event_schedule() = order.event_schedule();
    *plan.mutable_delivery_window() = order.delivery_window();
    *plan.mutable_venue() = order.venue();
    plan.set_refuse_if_late(!request->accept_later_commitment());
    v1::PlanJobResponse planned;
    absl::Status status =
        CallDependency("scheduling", scheduling_.get(), &v1::SchedulingService::Stub::PlanJob, plan,
                       &planned, options_.dependency_timeout_ms);
    // Undoes step 1: the reservation goes, the quote's hold comes back.
    auto release_stock = [&] {
      v1::ReleaseRequest release;
      release.set_order_id(order.order_id());
      release.set_order_revision(order.revision());
      release.set_reason("confirmation of order " + order.order_id() + " did not complete");
      v1::ReleaseResponse released;
      absl::Status undone =
          CallDependency("inventory", inventory_.get(), &v1::InventoryService::Stub::Release,
                         release, &released, options_.dependency_timeout_ms);
      metrics_.Compensation("release_stock");
      if (!undone.ok()) {
        common::LogError("saga_compensation_failed", {{"order_id", order.order_id()},
                                                      {"step", "release"},
                                                      {"error", std::string(undone.message())}});
      }
      PlaceHold(order, resolved).IgnoreError();
    };
    if (!status.ok()) {
      release_stock();
      return refuse(status, &resolved);
    }
    // 3. The commitment, and CONFIRMED.
    absl::StatusOr<v1::Order> confirmed = store_.Update(
        order.order_id(), [&](v1::Order& current, OrderChange& change) -> absl::Status {
          if (current.revision() != order.revision() || !IsOpenQuote(current.stage())) {
            return ReasonedError(absl::StatusCode::kAborted, v1::STALE_REVISION,
                                 "order changed during confirmation; read it again");
          }
          const v1::OrderStage previous = current.stage();
          current.set_stage(v1::ORDER_STAGE_CONFIRMED);
          current.mutable_pipeline()->set_stage(v1::ORDER_STAGE_CONFIRMED);
          *current.mutable_commitment() = planned.job().commitment();
          const std::string summary =
              absl::StrCat("Confirmed: deliver no later than ",
                           TimeUtil::ToString(planned.job().commitment().no_later_than()));
          v1::HistoryEntry entry = Entry(v1::HISTORY_ENTRY_KIND_CONFIRMED, caller, summary);
          entry.set_request_id(request->request_id());
          change.history.push_back(entry);
          change.events.push_back(
              OrderEvent(v1::EVENT_TYPE_ORDER_CONFIRMED, current, caller, "", previous));
          change.ends_saga = true;
          return absl::OkStatus();
        });
    if (!confirmed.ok()) {
      v1::CancelJobRequest cancel;
      cancel.set_order_id(order.order_id());
      cancel.set_order_revision(order.revision());
      cancel.set_reason("confirmation did not complete");
      v1::CancelJobResponse cancelled;
      metrics_.Compensation("cancel_job");
      CallDependency("scheduling", scheduling_.get(), &v1::SchedulingService::Stub::CancelJob,
                     cancel, &cancelled, options_.dependency_timeout_ms)
          .IgnoreError();
      release_stock();
      return confirmed.status();
    }
    saga_lease.EndedByLastWrite();
    metrics_.Confirmation("confirmed", "");
    *response->mutable_order() = std::move(*confirmed);
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::CancelOrder(grpc::ServerContext* context,
                                                 const v1::CancelOrderRequest* request,
                                                 v1::CancelOrderResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    SALESOPS_ASSIGN_OR_RETURN(v1::Order order, store_.Get(request->order_id()));
    const v1::OrderStage target =
        request->mark_lost() ? v1::ORDER_STAGE_LOST : v1::ORDER_STAGE_CANCELLED;
    if (order.stage() == target) {  // cancelling twice
      *response->mutable_order() = std::move(order);
      return absl::OkStatus();
    }
    SALESOPS_RETURN_IF_ERROR(CheckEtag(order, request->etag(), request->expected_revision()));
    if (!CanMove(order.stage(), target)) {
      return BusinessRefusal(v1::INVALID_STAGE_TRANSITION,
                             "order " + order.order_id() + " is " + Stage(order.stage()) +
                                 " and cannot become " + Stage(target));
    }
    // Release everything first: if a dependency is down, nothing changes here
    // and the cancellation can simply be retried.
    v1::ReleaseRequest release;
    release.set_order_id(order.order_id());
    release.set_reason(request->reason());
    v1::ReleaseResponse released;
    SALESOPS_RETURN_IF_ERROR(CallDependency("inventory", inventory_.get(),
                                            &v1::InventoryService::Stub::Release, release,
                                            &released, options_.dependency_timeout_ms));
    v1::CancelJobRequest cancel;
    cancel.set_order_id(order.order_id());
    cancel.set_reason(request->reason());
    v1::CancelJobResponse cancelled;
    absl::Status job =
        CallDependency("scheduling", scheduling_.get(), &v1::SchedulingService::Stub::CancelJob,
                       cancel, &cancelled, options_.dependency_timeout_ms);
    if (!job.ok() && job.code() != absl::StatusCode::kNotFound) return job;
    SALESOPS_ASSIGN_OR_RETURN(
        *response->mutable_order(),
        store_.Update(order.order_id(), [&](v1::Order& current, OrderChange& change) {
          SALESOPS_RETURN_IF_ERROR(
              CheckEtag(current, request->etag(), request->expected_revision()));
          const v1::OrderStage previous = current.stage();
          current.set_stage(target);
          current.mutable_pipeline()->set_stage(target);
          current.set_stage_reason(request->reason());
          v1::HistoryEntry entry =
              Entry(v1::HISTORY_ENTRY_KIND_CANCELLED, caller,
                    (request->mark_lost() ? "Lost: " : "Cancelled: ") + request->reason(),
                    request->reason());
          entry.set_request_id(request->request_id());
          change.history.push_back(entry);
          change.events.push_back(OrderEvent(request->mark_lost()
                                                 ? v1::EVENT_TYPE_ORDER_STAGE_CHANGED
                                                 : v1::EVENT_TYPE_ORDER_CANCELLED,
                                             current, caller, "", previous, request->reason()));
          return absl::OkStatus();
        }));
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::CloseOrder(grpc::ServerContext* context,
                                                const v1::CloseOrderRequest* request,
                                                v1::CloseOrderResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    SALESOPS_ASSIGN_OR_RETURN(
        *response->mutable_order(),
        store_.Update(request->order_id(), [&](v1::Order& order, OrderChange& change) {
          if (order.stage() == v1::ORDER_STAGE_CLOSED) return absl::OkStatus();  // twice
          SALESOPS_RETURN_IF_ERROR(CheckEtag(order, request->etag(), request->expected_revision()));
          if (!CanMove(order.stage(), v1::ORDER_STAGE_CLOSED)) {
            return BusinessRefusal(v1::INVALID_STAGE_TRANSITION,
                                   "order " + order.order_id() + " is " + Stage(order.stage()) +
                                       "; only a RETURNED order can be closed");
          }
          const v1::OrderStage previous = order.stage();
          order.set_stage(v1::ORDER_STAGE_CLOSED);
          order.mutable_pipeline()->set_stage(v1::ORDER_STAGE_CLOSED);
          v1::HistoryEntry entry = Entry(v1::HISTORY_ENTRY_KIND_STAGE_CHANGED, caller,
                                         "RETURNED -> CLOSED", request->note());
          entry.set_request_id(request->request_id());
          change.history.push_back(entry);
          change.events.push_back(OrderEvent(v1::EVENT_TYPE_ORDER_STAGE_CHANGED, order, caller, "",
                                             previous, request->note()));
          return absl::OkStatus();
        }));
    return absl::OkStatus();
  }());
}

namespace {

// A question asked or answered goes into the history and out as an event, the same way.
void RecordClarification(OrderChange& change, v1::HistoryEntryKind kind, v1::EventType type,
                         const std::string& summary, const v1::Question& question,
                         const v1::Actor& caller, const std::string& request_id) {
  v1::HistoryEntry entry = Entry(kind, caller, summary);
  entry.set_question_id(question.question_id());
  entry.set_request_id(request_id);
  change.history.push_back(entry);
  v1::Event event;
  event.set_type(type);
  *event.mutable_actor() = caller;
  *event.mutable_question() = PayloadOf(question);
  change.events.push_back(event);
}

}  // namespace

grpc::Status OrderIntakeServiceImpl::AskQuestion(grpc::ServerContext* context,
                                                 const v1::AskQuestionRequest* request,
                                                 v1::AskQuestionResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    SALESOPS_ASSIGN_OR_RETURN(
        v1::Order order,
        store_.Update(request->order_id(), [&](v1::Order& current, OrderChange& change) {
          SALESOPS_ASSIGN_OR_RETURN(
              *response->mutable_question(),
              Ask(current, request->question_id(), request->product_code(), request->blocking(),
                  request->text(), caller, common::NowTimestamp()));
          const v1::Question& question = response->question();
          RecordClarification(
              change, v1::HISTORY_ENTRY_KIND_QUESTION_ASKED, v1::EVENT_TYPE_QUESTION_ASKED,
              absl::StrCat(question.blocking() ? "Blocking question: " : "Question: ",
                           request->text()),
              question, caller, request->request_id());
          return absl::OkStatus();
        }));
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::AnswerQuestion(grpc::ServerContext* context,
                                                    const v1::AnswerQuestionRequest* request,
                                                    v1::AnswerQuestionResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    SALESOPS_ASSIGN_OR_RETURN(
        v1::Order order,
        store_.Update(request->order_id(), [&](v1::Order& current, OrderChange& change) {
          SALESOPS_ASSIGN_OR_RETURN(*response->mutable_question(),
                                    Answer(current, request->question_id(), request->text(), caller,
                                           common::NowTimestamp()));
          RecordClarification(change, v1::HISTORY_ENTRY_KIND_QUESTION_ANSWERED,
                              v1::EVENT_TYPE_QUESTION_ANSWERED, "Answer: " + request->text(),
                              response->question(), caller, request->request_id());
          return absl::OkStatus();
        }));
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::AddNote(grpc::ServerContext* context,
                                             const v1::AddNoteRequest* request,
                                             v1::AddNoteResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    SALESOPS_ASSIGN_OR_RETURN(
        v1::Order order,
        store_.Update(request->order_id(), [&](v1::Order& current, OrderChange& change) {
          SALESOPS_ASSIGN_OR_RETURN(
              v1::Note note, AppendNote(current, request->note(), caller, common::NowTimestamp()));
          change.new_revision = true;
          v1::HistoryEntry entry =
              Entry(v1::HISTORY_ENTRY_KIND_NOTE_ADDED, caller, "Note: " + note.text());
          *entry.mutable_diff()->add_added_notes() = note;
          entry.set_request_id(request->request_id());
          change.history.push_back(entry);
          v1::Event event;
          event.set_type(v1::EVENT_TYPE_NOTE_ADDED);
          *event.mutable_actor() = caller;
          *event.mutable_note()->mutable_note() = note;
          change.events.push_back(event);
          *response->mutable_note() = std::move(note);
          return absl::OkStatus();
        }));
    response->set_revision(order.revision());
    return absl::OkStatus();
  }());
}

namespace {

// The parts of an order an amendment replaces (notes are added, not replaced).
void ApplyAmendment(const v1::Order& wanted, v1::Order& order) {
  *order.mutable_customer() = wanted.customer();
  *order.mutable_venue() = wanted.venue();
  *order.mutable_event_schedule() = wanted.event_schedule();
  *order.mutable_delivery_window() = wanted.delivery_window();
  *order.mutable_product_lines() = wanted.product_lines();
  order.mutable_pipeline()->set_win_probability(wanted.pipeline().win_probability());
  // Sales may move an open quote between INQUIRY and QUOTED; later stages are not theirs.
  if (IsOpenQuote(order.stage()) && IsOpenQuote(wanted.pipeline().stage())) {
    order.set_stage(wanted.pipeline().stage());
    order.mutable_pipeline()->set_stage(wanted.pipeline().stage());
  }
  order.set_customer_reference(wanted.customer_reference());
  if (wanted.has_quote_expire_time()) {
    *order.mutable_quote_expire_time() = wanted.quote_expire_time();
  }
}

bool PrepUnderway(v1::OrderStage stage) {
  return stage == v1::ORDER_STAGE_IN_PREP || stage == v1::ORDER_STAGE_READY ||
         stage == v1::ORDER_STAGE_DISPATCHED || stage == v1::ORDER_STAGE_ON_SITE;
}

}  // namespace

grpc::Status OrderIntakeServiceImpl::AmendOrder(grpc::ServerContext* context,
                                                const v1::AmendOrderRequest* request,
                                                v1::AmendOrderResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    SALESOPS_ASSIGN_OR_RETURN(v1::Order current, store_.Get(request->order_id()));
    // The order as read back carries its current stage; sending it unchanged is fine.
    v1::Order wanted = request->order();
    if (wanted.pipeline().stage() == current.stage()) wanted.mutable_pipeline()->clear_stage();
    if (std::vector<FieldViolation> violations = OrderViolations(wanted, "order");
        !violations.empty()) {
      return InvalidArgumentError(std::move(violations));
    }
    SALESOPS_RETURN_IF_ERROR(CheckEtag(current, request->etag(), request->expected_revision()));
    if (IsFinal(current.stage()) || current.stage() == v1::ORDER_STAGE_RETURNED) {
      return BusinessRefusal(v1::INVALID_STAGE_TRANSITION, "order " + current.order_id() + " is " +
                                                               Stage(current.stage()) +
                                                               "; it can no longer be changed");
    }
    v1::Order amended = current;
    ApplyAmendment(wanted, amended);
    SALESOPS_ASSIGN_OR_RETURN(v1::ResolveProductsResponse before, Resolve(current, "order"));
    SALESOPS_ASSIGN_OR_RETURN(v1::ResolveProductsResponse after, Resolve(amended, "order"));
    SALESOPS_ASSIGN_OR_RETURN(*amended.mutable_quote(),
                              PriceQuote(amended, after, options_.pricing, "order"));
    v1::ChangeImpact impact = ComputeChangeImpact(before, after);
    SALESOPS_ASSIGN_OR_RETURN(v1::Feasibility feasibility, Feasibility(amended, after));
    const bool committed = !IsOpenQuote(current.stage());
    const bool prep_underway = PrepUnderway(current.stage());
    *response->mutable_feasibility() = feasibility;

    // A change ops cannot support is refused before anything is touched.
    auto refuse = [&](absl::Status refusal) {
      if (!request->dry_run()) {
        v1::HistoryEntry entry =
            Entry(v1::HISTORY_ENTRY_KIND_REFUSED, caller,
                  "Change refused: " + std::string(refusal.message()), request->reason());
        entry.set_revision(current.revision());
        entry.set_stage(current.stage());
        *entry.mutable_diff() = DiffOrders(current, amended);
        *entry.mutable_feasibility() = feasibility;
        *entry.mutable_create_time() = common::NowTimestamp();
        store_.AddHistory(current.order_id(), entry).IgnoreError();
      }
      return common::WithDetail(refusal, feasibility);
    };
    if (committed && feasibility.stock_shortages_size() > 0) {
      return refuse(
          BusinessRefusal(v1::INSUFFICIENT_STOCK,
                          "the change needs stock that is not free: " + feasibility.explanation()));
    }
    if (committed && !feasibility.feasible() && !request->accept_later_commitment()) {
      return refuse(
          BusinessRefusal(v1::CREW_CAPACITY_EXCEEDED,
                          "the change needs crew that is not free: " + feasibility.explanation()));
    }
    if (request->dry_run()) {
      impact.set_commitment_holds(true);
      *impact.mutable_commitment() = current.commitment();
      *response->mutable_impact() = impact;
      *response->mutable_order() = amended;
      return absl::OkStatus();
    }

    const int64_t new_revision = current.revision() + 1;
    v1::Commitment commitment = current.commitment();
    if (committed) {
      SALESOPS_RETURN_IF_ERROR(
          store_.BeginSaga(current.order_id(), current.revision(), kSagaLease));
      SagaLease saga_lease(store_, current.order_id());
      // Stock first (a new revision replaces the old reservation atomically, or
      // nothing changes), then the job.
      v1::ReserveRequest reserve;
      reserve.set_request_id(absl::StrCat("amend-", current.order_id(), "-", new_revision));
      reserve.set_order_id(current.order_id());
      reserve.set_order_revision(new_revision);
      *reserve.mutable_lines() = after.inventory_lines();
      *reserve.mutable_window() = RentalWindow(amended);
      v1::ReserveResponse reserved;
      if (after.inventory_lines_size() > 0) {
        absl::Status status =
            CallDependency("inventory", inventory_.get(), &v1::InventoryService::Stub::Reserve,
                           reserve, &reserved, options_.dependency_timeout_ms);
        if (!status.ok()) return refuse(status);
      }
      v1::PlanJobRequest plan;
      plan.set_request_id(absl::StrCat("amend-", current.order_id(), "-", new_revision));
      plan.set_order_id(current.order_id());
      plan.set_order_revision(new_revision);
      *plan.mutable_inventory_lines() = after.inventory_lines();
      *plan.mutable_crew_needs() = after.crew_needs();
      *plan.mutable_prep_duration() = after.prep_duration();
      *plan.mutable_event_schedule() = amended.event_schedule();
      *plan.mutable_delivery_window() = amended.delivery_window();
      *plan.mutable_venue() = amended.venue();
      plan.set_refuse_if_late(!request->accept_later_commitment());
      v1::PlanJobResponse planned;
      absl::Status status =
          CallDependency("scheduling", scheduling_.get(), &v1::SchedulingService::Stub::PlanJob,
                         plan, &planned, options_.dependency_timeout_ms);
      if (!status.ok()) {
        // Put the previous lines back under a revision inventory has not seen
        // yet (it refuses older ones); the order keeps its content.
        v1::ReserveRequest restore = reserve;
        restore.set_request_id(absl::StrCat("restore-", current.order_id(), "-", new_revision));
        restore.set_order_revision(new_revision + 1);
        *restore.mutable_lines() = before.inventory_lines();
        *restore.mutable_window() = RentalWindow(current);
        v1::ReserveResponse restored;
        absl::Status undone =
            CallDependency("inventory", inventory_.get(), &v1::InventoryService::Stub::Reserve,
                           restore, &restored, options_.dependency_timeout_ms);
        metrics_.Compensation("restore_reservation");
        if (!undone.ok()) {
          common::LogError("saga_compensation_failed", {{"order_id", current.order_id()},
                                                        {"step", "restore reservation"},
                                                        {"error", std::string(undone.message())}});
        }
        // Later revisions must pass the one inventory now holds.
        store_
            .Update(current.order_id(),
                    [&](v1::Order& order, OrderChange&) {
                      order.set_revision(new_revision + 1);
                      order.set_etag(EtagOf(new_revision + 1));
                      return absl::OkStatus();
                    })
            .IgnoreError();
        return refuse(status);
      }
      commitment = planned.job().commitment();
    }
    impact.set_commitment_holds(
        !committed || (commitment.no_later_than() == current.commitment().no_later_than()));
    *impact.mutable_commitment() = commitment;
    impact.set_summary(DescribeImpact(impact));

    SALESOPS_ASSIGN_OR_RETURN(
        v1::Order stored,
        store_.Update(current.order_id(), [&](v1::Order& order, OrderChange& change) {
          if (order.revision() != current.revision()) {
            return ReasonedError(absl::StatusCode::kAborted, v1::STALE_REVISION,
                                 "order changed meanwhile; read it again");
          }
          v1::Order before_change = order;
          ApplyAmendment(wanted, order);
          *order.mutable_quote() = amended.quote();
          *order.mutable_commitment() = commitment;
          if (committed) *order.mutable_last_change_impact() = impact;
          change.new_revision = true;
          v1::ChangeRecord record;
          record.set_revision(order.revision() + 1);
          *record.mutable_author() = caller;
          record.set_reason(request->reason());
          *record.mutable_impact() = impact;
          *record.mutable_change_time() = common::NowTimestamp();
          // Ops acknowledges what reaches them once they are working on it.
          if (prep_underway) *order.add_unacknowledged_changes() = record;
          const v1::OrderDiff diff = DiffOrders(before_change, order);
          // A quote's change is a new offer; an order's change is work for ops.
          v1::HistoryEntry entry =
              Entry(v1::HISTORY_ENTRY_KIND_AMENDED, caller,
                    absl::StrCat("Changed: ", committed ? impact.summary() : DescribeDiff(diff)),
                    request->reason());
          *entry.mutable_diff() = diff;
          if (committed) *entry.mutable_impact() = impact;
          entry.set_request_id(request->request_id());
          change.history.push_back(entry);
          v1::Event event = OrderEvent(v1::EVENT_TYPE_ORDER_AMENDED, order, caller, "",
                                       order.stage(), request->reason());
          if (committed) *event.mutable_order_changed()->mutable_impact() = impact;
          event.mutable_order_changed()->set_prep_underway(prep_underway);
          event.set_summary(absl::StrCat("Order ", order.order_id(), " rev ", order.revision() + 1,
                                         ": ", prep_underway ? "changed after prep started, " : "",
                                         committed ? impact.summary() : DescribeDiff(diff), " (",
                                         request->reason(), ")"));
          change.events.push_back(event);
          return absl::OkStatus();
        }));
    if (!committed) {
      // A quote's hold follows its lines.
      PlaceHold(stored, after).IgnoreError();
    }
    metrics_.Change(prep_underway);
    if (committed) *response->mutable_impact() = impact;
    *response->mutable_order() = std::move(stored);
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::AcknowledgeChange(grpc::ServerContext* context,
                                                       const v1::AcknowledgeChangeRequest* request,
                                                       v1::AcknowledgeChangeResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    SALESOPS_ASSIGN_OR_RETURN(
        v1::Order order,
        store_.Update(request->order_id(), [&](v1::Order& current, OrderChange& change) {
          for (const v1::ChangeRecord& done : current.acknowledged_changes()) {
            if (done.revision() == request->revision()) {  // acknowledging twice
              *response->mutable_change() = done;
              return absl::OkStatus();
            }
          }
          auto* pending = current.mutable_unacknowledged_changes();
          for (int i = 0; i < pending->size(); ++i) {
            if (pending->Get(i).revision() != request->revision()) continue;
            v1::ChangeRecord record = pending->Get(i);
            record.set_acknowledged(true);
            *record.mutable_acknowledged_by() = caller;
            *record.mutable_acknowledge_time() = common::NowTimestamp();
            record.set_acknowledge_note(request->note());
            pending->DeleteSubrange(i, 1);
            *current.add_acknowledged_changes() = record;
            v1::HistoryEntry entry =
                Entry(v1::HISTORY_ENTRY_KIND_CHANGE_ACKNOWLEDGED, caller,
                      absl::StrCat("Ops acknowledged the change of rev ", record.revision()),
                      request->note());
            entry.set_request_id(request->request_id());
            change.history.push_back(entry);
            v1::Event event;
            event.set_type(v1::EVENT_TYPE_CHANGE_ACKNOWLEDGED);
            *event.mutable_actor() = caller;
            event.mutable_change_acknowledged()->set_acknowledged_revision(record.revision());
            event.mutable_change_acknowledged()->set_note(request->note());
            change.events.push_back(event);
            *response->mutable_change() = record;
            return absl::OkStatus();
          }
          return ReasonedError(
              absl::StatusCode::kNotFound, v1::NOT_FOUND,
              absl::StrCat("order ", current.order_id(),
                           " has no change to acknowledge at revision ", request->revision()));
        }));
    return absl::OkStatus();
  }());
}

absl::Status OrderIntakeServiceImpl::ApplyEvent(const v1::Event& event, bool* duplicate) {
  *duplicate = false;
  if (event.order_id().empty()) return absl::OkStatus();
  absl::StatusOr<v1::Order> applied = store_.Update(
      event.order_id(),
      [&](v1::Order& order, OrderChange& change) -> absl::Status {
        v1::Actor actor = event.actor();
        if (event.type() == v1::EVENT_TYPE_COMMITMENT_CHANGED &&
            event.commitment().has_commitment()) {
          *order.mutable_commitment() = event.commitment().commitment();
          return absl::OkStatus();
        }
        std::optional<v1::OrderStage> target = StageOfMilestone(event);
        if (!target || order.stage() == *target) return absl::OkStatus();
        if (!CanMove(order.stage(), *target)) {
          // A milestone already passed (inventory and scheduling both report
          // dispatch) changes nothing; one the order cannot take is refused.
          if (!IsFinal(order.stage()) && !IsOpenQuote(order.stage())) return absl::OkStatus();
          return BusinessRefusal(v1::INVALID_STAGE_TRANSITION,
                                 "order " + order.order_id() + " is " + Stage(order.stage()) +
                                     "; " + v1::EventType_Name(event.type()) + " does not apply");
        }
        const v1::OrderStage previous = order.stage();
        order.set_stage(*target);
        order.mutable_pipeline()->set_stage(*target);
        const std::string summary = absl::StrCat(Stage(previous), " -> ", Stage(*target), " (",
                                                 event.source_service(), ")");
        change.history.push_back(Entry(v1::HISTORY_ENTRY_KIND_STAGE_CHANGED, actor, summary));
        change.events.push_back(
            OrderEvent(v1::EVENT_TYPE_ORDER_STAGE_CHANGED, order, actor, "", previous));
        return absl::OkStatus();
      },
      event.event_id(), duplicate);
  // An event about an order this service does not know is not ours to act on.
  if (applied.status().code() == absl::StatusCode::kNotFound) return absl::OkStatus();
  return applied.status();
}

grpc::Status EventSinkImpl::Deliver(grpc::ServerContext*, const v1::DeliverRequest* request,
                                    v1::DeliverResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    bool duplicate = false;
    SALESOPS_RETURN_IF_ERROR(orders_.ApplyEvent(request->event(), &duplicate));
    response->set_duplicate(duplicate);
    return absl::OkStatus();
  }());
}

}  // namespace salesops::order_intake
