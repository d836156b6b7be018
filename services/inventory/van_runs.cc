#include "services/inventory/van_runs.h"

#include <grpcpp/client_context.h>

#include "services/common/backoff.h"
#include "services/common/channel_factory.h"
#include "services/common/command_line.h"
#include "services/common/grpc_errors.h"
#include "services/common/log.h"
#include "services/common/metrics.h"
#include "services/common/service_runtime.h"
#include "services/common/time_util.h"
#include "services/common/validation.h"
#include "services/inventory/van_run_definition.h"

namespace salesops::inventory {
namespace {

// PlanTransfer places the run with the solver and may retry its placement a few times under
// contention: it gets more time than a read.
constexpr std::chrono::milliseconds kCallTimeout{30000};
// A claim outlives its call, so no other replica calls for the same transfer meanwhile; a
// process that dies mid-call leaves the transfer to the others once it runs out.
constexpr std::chrono::milliseconds kClaimLease = kCallTimeout + std::chrono::seconds(30);
// A refused step is tried again after 5 s, doubling up to 10 minutes.
constexpr std::chrono::milliseconds kRefusalRetryBase{5000};
constexpr std::chrono::milliseconds kRefusalRetryMax{10 * 60 * 1000};
// While scheduling (or the database) is unreachable the sweeps back off up to this.
constexpr std::chrono::milliseconds kUnreachableRetryMax{30000};
// Stored in van_run_error and logged: scheduling's words may quote anything it was sent.
constexpr size_t kMaxStoredErrorBytes = 2000;
constexpr size_t kMaxLoggedErrorBytes = 500;

const char* StepLabel(VanRunStepKind kind) {
  return kind == VanRunStepKind::kPlan ? "plan" : "cancel";
}

const char* OutcomeLabel(VanRunCallOutcome outcome) {
  switch (outcome) {
    case VanRunCallOutcome::kDone:
      return "done";
    case VanRunCallOutcome::kUndone:
      return "undone";
    case VanRunCallOutcome::kUnreachable:
      return "unreachable";
    case VanRunCallOutcome::kRefused:
      return "refused";
  }
  return "refused";
}

class VanRunBacklogGauges : public prometheus::Collectable {
 public:
  explicit VanRunBacklogGauges(common::ConnectionPool& database) : store_(database) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    absl::StatusOr<VanRunBacklog> backlog = store_.Backlog();
    if (!backlog.ok()) return {};  // no sample rather than a wrong one
    prometheus::MetricFamily waiting;
    waiting.name = "salesops_inventory_van_runs_waiting";
    waiting.help =
        "Transfers scheduling has still to hear about: open ones without a van run (step "
        "plan), cancelled ones whose van run is not yet freed (step cancel).";
    waiting.type = prometheus::MetricType::Gauge;
    for (const auto& [step, count] :
         {std::pair<const char*, int64_t>{"plan", backlog->to_plan},
          std::pair<const char*, int64_t>{"cancel", backlog->to_cancel}}) {
      prometheus::ClientMetric metric;
      metric.label.push_back({"step", step});
      metric.gauge.value = static_cast<double>(count);
      waiting.metric.push_back(metric);
    }
    prometheus::MetricFamily refused;
    refused.name = "salesops_inventory_van_runs_refused";
    refused.help =
        "Of the transfers waiting, those whose last call scheduling refused (waiting out a "
        "backoff of up to 10 minutes; the reason is in transfers.van_run_error).";
    refused.type = prometheus::MetricType::Gauge;
    prometheus::ClientMetric metric;
    metric.gauge.value = static_cast<double>(backlog->refused);
    refused.metric.push_back(metric);
    return {waiting, refused};
  }

 private:
  mutable PostgresVanRunStore store_;
};

void AddVanRunOptions(CLI::App& app, VanRunOptions& options) {
  common::AddSetting(app, "scheduling-address", options.scheduling_address,
                     "Scheduling (host:port), which plans the van run of each transfer between "
                     "warehouses; empty: transfers get no van run");
  common::AddSetting(app, "van-run-interval-ms", options.interval_ms,
                     "How often transfers are looked at for van runs to plan or free")
      ->check(CLI::Range(100, 3600000));
}

// Builds the dispatcher once the runtime is up; it starts when the schema is current and stops
// when shutdown begins. The runtime's hooks own it and its gauges.
void StartVanRuns(common::ServiceRuntime& runtime, const VanRunOptions& options) {
  if (options.scheduling_address.empty()) {
    common::LogWarn("van_runs_disabled",
                    {{"effect", "transfers get no van run: --scheduling-address is empty"}});
    return;
  }
  // One attempt per call: the dispatcher's own sweeps retry, with the transfer's claim held.
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = runtime.ChannelTo(
      options.scheduling_address, {v1::SchedulingService::service_full_name()}, kCallTimeout,
      /*max_attempts=*/1);
  if (!channel.ok()) {
    // The address was read at start and will not change: say so loudly and serve the rest.
    common::LogError("van_runs_disabled", {{"effect", "transfers get no van run"},
                                           {"error", std::string(channel.status().message())}});
    return;
  }
  auto dispatcher =
      std::make_shared<VanRunDispatcher>(runtime.database(), *std::move(channel), runtime.metrics(),
                                         std::chrono::milliseconds(options.interval_ms));
  // The exposer holds collectables weakly: the shutdown hook keeps the gauges alive.
  std::shared_ptr<prometheus::Collectable> gauges = MakeVanRunBacklogGauges(runtime.database());
  runtime.AddCollectable(gauges);
  runtime.OnMigrated([dispatcher] { dispatcher->Start(); });
  runtime.OnShutdown([dispatcher, gauges] { dispatcher->Stop(); });
}

}  // namespace

std::string VanRunRequestId(const std::string& transfer_id) { return "van-run-" + transfer_id; }

v1::PlanTransferRequest PlanTransferRequestOf(const v1::Transfer& transfer) {
  v1::PlanTransferRequest request;
  request.set_request_id(VanRunRequestId(transfer.transfer_id()));
  request.set_transfer_id(transfer.transfer_id());
  request.set_from_warehouse_id(transfer.from_warehouse_id());
  request.set_to_warehouse_id(transfer.to_warehouse_id());
  *request.mutable_inventory_lines() = transfer.lines();
  // The road as inventory counts it, to the microsecond at both ends: the window is exactly the
  // road and the transit its length, so the transit never exceeds the window by a rounding.
  const int64_t depart = common::ToMicros(transfer.depart_time());
  const int64_t arrive = common::ToMicros(transfer.arrive_time());
  *request.mutable_window()->mutable_not_before() = common::TimestampFromMicros(depart);
  *request.mutable_window()->mutable_no_later_than() = common::TimestampFromMicros(arrive);
  *request.mutable_transit() = common::DurationFromMicros(arrive - depart);
  return request;
}

v1::CancelJobRequest CancelJobRequestOf(const std::string& transfer_id) {
  v1::CancelJobRequest request;
  request.set_request_id("van-run-cancel-" + transfer_id);
  request.set_order_id(transfer_id);
  // Whatever is planned: a transfer's run is planned once, at revision 1.
  request.set_order_revision(0);
  request.set_reason("transfer " + transfer_id + " was cancelled in inventory");
  // Fences the PlanTransfer, should it still be on its way, and makes "no job" a success.
  request.set_undo_request_id(VanRunRequestId(transfer_id));
  return request;
}

std::shared_ptr<prometheus::Collectable> MakeVanRunBacklogGauges(common::ConnectionPool& database) {
  return std::make_shared<VanRunBacklogGauges>(database);
}

VanRunCallOutcome OutcomeOf(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      return VanRunCallOutcome::kDone;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::CANCELLED:
      return VanRunCallOutcome::kUnreachable;
    case grpc::StatusCode::ABORTED:
      if (common::ParseGrpcError(status).reason == "STEP_UNDONE") {
        return VanRunCallOutcome::kUndone;
      }
      // Contention inside scheduling: refused for now, tried again after a short backoff.
      return VanRunCallOutcome::kRefused;
    default:
      // INVALID_ARGUMENT, ALREADY_EXISTS, FAILED_PRECONDITION (capacity), and configuration
      // (PERMISSION_DENIED, UNAUTHENTICATED, UNIMPLEMENTED): asking again at once would get the
      // same answer, so the transfer backs off, up to 10 minutes, and keeps being asked for in
      // case the answer changes (a capacity freed, a token fixed).
      return VanRunCallOutcome::kRefused;
  }
}

std::chrono::milliseconds RetryDelayAfterRefusal(int refusals, std::mt19937_64& random) {
  return common::BackoffDelay(refusals, kRefusalRetryBase, kRefusalRetryMax, random);
}

VanRunDispatcher::VanRunDispatcher(common::ConnectionPool& database,
                                   std::shared_ptr<grpc::Channel> scheduling,
                                   prometheus::Registry& metrics,
                                   std::chrono::milliseconds interval)
    : store_(database),
      scheduling_(v1::SchedulingService::NewStub(std::move(scheduling))),
      interval_(interval),
      steps_(prometheus::BuildCounter()
                 .Name("salesops_inventory_van_runs_total")
                 .Help("Calls to scheduling for transfers' van runs, by step (plan: "
                       "PlanTransfer, cancel: CancelJob) and outcome (done; undone: a "
                       "PlanTransfer its cancel fenced; refused; unreachable).")
                 .Register(metrics)),
      refusal_log_(std::make_unique<common::LogRateLimiter>(/*per_second=*/1, /*burst=*/20)),
      random_(std::random_device{}()) {
  // Every series from the start, so rates over them never begin with a gap.
  for (const char* step : {"plan", "cancel"}) {
    for (const char* outcome : {"done", "undone", "refused", "unreachable"}) {
      steps_.Add({{"step", step}, {"outcome", outcome}});
    }
  }
}

VanRunDispatcher::~VanRunDispatcher() { Stop(); }

void VanRunDispatcher::Start() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Loop(); });
}

void VanRunDispatcher::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    if (in_flight_ != nullptr) in_flight_->TryCancel();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool VanRunDispatcher::stopping() {
  std::lock_guard<std::mutex> lock(mutex_);
  return stopping_;
}

void VanRunDispatcher::Loop() {
  common::LogInfo("van_run_dispatcher_started",
                  {{"interval_ms", std::to_string(interval_.count())}});
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    const Sweep sweep = SweepOnce();
    std::chrono::milliseconds wait = interval_;
    if (sweep.unreachable) {
      ++unreachable_streak_;
      wait = common::BackoffDelay(unreachable_streak_, interval_,
                                  std::max(interval_, kUnreachableRetryMax), random_);
    } else {
      if (unreachable_streak_ > 0) {
        common::LogInfo("van_run_dispatcher_resumed",
                        {{"retries", std::to_string(unreachable_streak_)}});
      }
      unreachable_streak_ = 0;
      // A full sweep means more are due: go on at once.
      if (sweep.steps == kMaxStepsPerSweep) wait = std::chrono::milliseconds(0);
    }
    lock.lock();
    if (wait.count() > 0) wake_.wait_for(lock, wait, [this] { return stopping_; });
  }
  common::LogInfo("van_run_dispatcher_stopped");
}

VanRunDispatcher::Sweep VanRunDispatcher::SweepOnce() {
  Sweep sweep;
  while (sweep.steps < kMaxStepsPerSweep && !stopping()) {
    absl::StatusOr<std::optional<VanRunStep>> claimed = store_.ClaimNext(kClaimLease);
    if (!claimed.ok()) {
      if (unreachable_streak_ == 0) {
        common::LogWarn("van_run_dispatcher_waiting",
                        {{"reason", "database"},
                         {"error", common::OneLine(std::string(claimed.status().message()),
                                                   kMaxLoggedErrorBytes)}});
      }
      sweep.unreachable = true;
      return sweep;
    }
    if (!*claimed) return sweep;
    const VanRunStep& step = **claimed;
    ++sweep.steps;
    std::string error;
    const VanRunCallOutcome outcome = Take(step, error);
    if (outcome == VanRunCallOutcome::kUnreachable) {
      if (unreachable_streak_ == 0 && !stopping()) {
        common::LogWarn("van_run_dispatcher_waiting",
                        {{"reason", "scheduling unreachable"},
                         {"transfer_id", step.transfer.transfer_id()},
                         {"error", common::OneLine(error, kMaxLoggedErrorBytes)}});
      }
      sweep.unreachable = true;
      return sweep;
    }
    if (outcome == VanRunCallOutcome::kRefused) {
      ++sweep.refused;
    } else {
      ++sweep.done;
    }
  }
  return sweep;
}

grpc::Status VanRunDispatcher::CallScheduling(const VanRunStep& step) {
  grpc::ClientContext context;
  common::SetDeadline(context, kCallTimeout);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return grpc::Status(grpc::StatusCode::CANCELLED, "shutting down");
    in_flight_ = &context;
  }
  grpc::Status status;
  if (step.kind == VanRunStepKind::kPlan) {
    v1::PlanTransferResponse response;
    status = scheduling_->PlanTransfer(&context, PlanTransferRequestOf(step.transfer), &response);
  } else {
    v1::CancelJobResponse response;
    status = scheduling_->CancelJob(&context, CancelJobRequestOf(step.transfer.transfer_id()),
                                    &response);
  }
  std::lock_guard<std::mutex> lock(mutex_);
  in_flight_ = nullptr;
  return status;
}

VanRunCallOutcome VanRunDispatcher::Take(const VanRunStep& step, std::string& error) {
  const std::string& transfer_id = step.transfer.transfer_id();
  const char* step_label = StepLabel(step.kind);
  const grpc::Status status = CallScheduling(step);
  VanRunCallOutcome outcome = OutcomeOf(status);
  error =
      status.ok() ? "" : common::GrpcCodeLabel(status.error_code()) + ": " + status.error_message();
  absl::Status recorded;
  switch (outcome) {
    case VanRunCallOutcome::kDone:
      recorded = step.kind == VanRunStepKind::kPlan ? store_.MarkPlanned(transfer_id)
                                                    : store_.MarkCancelled(transfer_id);
      if (recorded.ok()) {
        common::LogInfo(step.kind == VanRunStepKind::kPlan ? "van_run_planned" : "van_run_freed",
                        {{"transfer_id", transfer_id}});
      }
      break;
    case VanRunCallOutcome::kUndone:
    case VanRunCallOutcome::kUnreachable:
      // Nothing learnt about this transfer: due again at once (its cancel step, when undone).
      recorded = store_.Release(transfer_id);
      break;
    case VanRunCallOutcome::kRefused: {
      const std::chrono::milliseconds retry_after =
          RetryDelayAfterRefusal(step.refusals + 1, random_);
      recorded =
          store_.RecordRefusal(step, common::OneLine(error, kMaxStoredErrorBytes), retry_after);
      uint64_t suppressed = 0;
      if (refusal_log_->Allow(&suppressed)) {
        common::LogWarn(
            "van_run_refused",
            {{"transfer_id", transfer_id},
             {"step", step_label},
             {"code", common::GrpcCodeLabel(status.error_code())},
             {"error", common::OneLine(status.error_message(), kMaxLoggedErrorBytes)},
             {"refusals", std::to_string(step.refusals + 1)},
             {"retry_in_ms", std::to_string(retry_after.count())},
             {"suppressed_warnings", suppressed > 0 ? std::to_string(suppressed) : ""}});
      }
      break;
    }
  }
  steps_.Add({{"step", step_label}, {"outcome", OutcomeLabel(outcome)}}).Increment();
  if (!recorded.ok()) {
    // The claim runs out and the step is taken again; every call is idempotent.
    common::LogWarn(
        "van_run_record_failed",
        {{"transfer_id", transfer_id},
         {"step", step_label},
         {"error", common::OneLine(std::string(recorded.message()), kMaxLoggedErrorBytes)}});
  }
  return outcome;
}

common::ServiceDefinition WithVanRuns(common::ServiceDefinition definition) {
  auto options = std::make_shared<VanRunOptions>();
  definition.add_options = [options, own = std::move(definition.add_options)](CLI::App& app) {
    if (own) own(app);
    AddVanRunOptions(app, *options);
  };
  definition.make_services =
      [options, own = std::move(definition.make_services)](common::ServiceRuntime& runtime) {
        std::vector<std::unique_ptr<grpc::Service>> services;
        if (own) services = own(runtime);
        StartVanRuns(runtime, *options);
        return services;
      };
  return definition;
}

}  // namespace salesops::inventory
