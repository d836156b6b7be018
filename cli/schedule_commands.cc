// Who does what, when: the schedule per person or day, when each job's prep
// should start, and a job's tasks as sales sees them.
#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_join.h>

#include <CLI/CLI.hpp>
#include <functional>

#include "cli/command_tree.h"
#include "cli/input_parsing.h"
#include "cli/inventory_stub.h"
#include "cli/output.h"
#include "cli/scheduling_stub.h"

namespace salesops::cli {
namespace {

using v1::SchedulingService;

// Sets the time a flag gave; a flag left out leaves the field unset (not 1970: calling
// `target` would give the field presence).
absl::Status SetTime(const std::string& flag, const std::string& text,
                     const std::function<google::protobuf::Timestamp*()>& target) {
  if (text.empty()) return absl::OkStatus();
  absl::StatusOr<google::protobuf::Timestamp> time = ParseTime(text);
  if (!time.ok())
    return absl::InvalidArgumentError(flag + ": " + std::string(time.status().message()));
  *target() = *time;
  return absl::OkStatus();
}

using TimeTarget = std::function<google::protobuf::Timestamp*()>;

std::string CrewNames(const v1::Task& task) {
  std::vector<std::string> names;
  for (const v1::Assignment& assignment : task.assignments()) {
    names.push_back(assignment.crew_member_name().empty() ? assignment.crew_member_id()
                                                          : assignment.crew_member_name());
  }
  return names.empty() ? "-" : absl::StrJoin(names, ", ");
}

std::string RiskWords(const v1::Task& task) {
  if (!task.at_risk()) return "-";
  return EnumWord(task.at_risk_reason());
}

struct ScheduleOptions {
  std::string crew, vehicle, warehouse, day, from, to;
};

ExitCode ShowSchedule(Session& session, const ScheduleOptions& options) {
  v1::GetScheduleRequest request;
  request.set_crew_member_id(options.crew);
  request.set_vehicle_id(options.vehicle);
  request.set_warehouse_id(options.warehouse);
  // One day by default (today, or --day); --from/--to for any range.
  std::string from = options.from, to = options.to;
  if (from.empty()) {
    absl::StatusOr<google::protobuf::Timestamp> day =
        ParseTime(options.day.empty() ? "today" : options.day);
    if (!day.ok()) return ReportBadInput("--day: " + std::string(day.status().message()));
    *request.mutable_range()->mutable_not_before() = *day;
    request.mutable_range()->mutable_no_later_than()->set_seconds(day->seconds() + 24 * 3600);
  } else {
    if (absl::Status set =
            SetTime("--from", from, [&] { return request.mutable_range()->mutable_not_before(); });
        !set.ok()) {
      return ReportBadInput(std::string(set.message()));
    }
    if (absl::Status set =
            SetTime("--to", to.empty() ? "+7d" : to,
                    [&] { return request.mutable_range()->mutable_no_later_than(); });
        !set.ok()) {
      return ReportBadInput(std::string(set.message()));
    }
  }
  v1::GetScheduleResponse response;
  if (ExitCode code =
          session.CallAllPages(&SchedulingService::Stub::GetSchedule, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  std::cout << "Schedule " << FormatWindow(request.range()) << "\n\n";
  Table table({"start", "finish", "who", "vehicle", "order", "task", "skill", "state", "at risk"});
  for (const v1::ScheduleEntry& entry : response.entries()) {
    const v1::Task& task = entry.task();
    const v1::Assignment& assignment = entry.assignment();
    table.AddRow({FormatTime(assignment.start_time()), FormatTime(assignment.finish_time()),
                  assignment.crew_member_name().empty() ? assignment.crew_member_id()
                                                        : assignment.crew_member_name(),
                  assignment.vehicle_id().empty() ? "-" : assignment.vehicle_id(), task.order_id(),
                  EnumWord(task.kind()), SkillText(task), EnumWord(task.state()), RiskWords(task)});
  }
  if (table.empty()) {
    std::cout << "Nothing assigned.\n";
  } else {
    table.Print();
  }
  if (response.unavailability_size() > 0) {
    std::cout << "\nNot available:\n";
    Table away({"who", "kind", "window", "reason"});
    for (const v1::Unavailability& entry : response.unavailability()) {
      away.AddRow({entry.has_crew_member_id() ? entry.crew_member_id() : entry.vehicle_id(),
                   EnumWord(entry.kind()), FormatWindow(entry.window()), entry.reason()});
    }
    away.Print();
  }
  if (response.crew_loads_size() > 0) {
    std::cout << "\nLoad:\n";
    Table loads({"crew", "assigned", "overtime"});
    for (const v1::CrewLoad& load : response.crew_loads()) {
      loads.AddRow({load.display_name().empty() ? load.crew_member_id() : load.display_name(),
                    FormatDuration(load.assigned_work()), FormatDuration(load.overtime())});
    }
    loads.Print();
  }
  return kExitOk;
}

struct PrepPlanOptions {
  std::string from = "today", to = "+14d", warehouse;
  bool late_only = false;
};

ExitCode ShowPrepPlan(Session& session, const PrepPlanOptions& options) {
  v1::GetPrepPlanRequest request;
  for (auto [flag, text, target] :
       {std::tuple{"--from", options.from,
                   TimeTarget([&] { return request.mutable_range()->mutable_not_before(); })},
        std::tuple{"--to", options.to,
                   TimeTarget([&] { return request.mutable_range()->mutable_no_later_than(); })}}) {
    if (absl::Status set = SetTime(flag, text, target); !set.ok()) {
      return ReportBadInput(std::string(set.message()));
    }
  }
  request.set_warehouse_id(options.warehouse);
  request.set_late_only(options.late_only);
  v1::GetPrepPlanResponse response;
  if (ExitCode code =
          session.CallAllPages(&SchedulingService::Stub::GetPrepPlan, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  Table table({"order", "rev", "job", "win", "prep", "start from", "start by", "load-out",
               "prep state", "late", "why"});
  for (const v1::PrepRecommendation& entry : response.plan()) {
    table.AddRow(
        {entry.order_id(), std::to_string(entry.order_revision()), EnumWord(entry.job_state()),
         absl::StrFormat("%.0f%%", entry.win_probability() * 100),
         FormatDuration(entry.prep_duration()), FormatTime(entry.earliest_sensible_start_time()),
         FormatTime(entry.latest_safe_start_time()), FormatTime(entry.load_out_time()),
         EnumWord(entry.prep_task_state()), entry.prep_late() ? "LATE" : "-", entry.explanation()});
  }
  if (table.empty()) {
    std::cout << "No prep to plan " << FormatWindow(request.range()) << ".\n";
  } else {
    table.Print();
  }
  return kExitOk;
}

void PrintJob(const v1::Job& job) {
  Details details;
  details.Add("Order", absl::StrCat(job.order_id(), " rev ", job.order_revision()));
  details.Add("Job", absl::StrCat(job.job_id(), " (", EnumWord(job.state()), ")"));
  details.Add("Delivery", FormatWindow(job.delivery_window().window()) +
                              (job.delivery_window().pinned() ? " (pinned)" : ""));
  const v1::Commitment& commitment = job.commitment();
  details.Add(
      "Commitment",
      commitment.has_no_later_than()
          ? "deliver no later than " + FormatTime(commitment.no_later_than()) +
                (commitment.meets_request() ? " (meets the request)" : " (LATER than requested)")
          : "-");
  if (!commitment.explanation().empty()) details.Add("Why", commitment.explanation());
  details.Add("At risk", std::to_string(job.at_risk_task_count()) + " tasks");
  details.Print();
  std::cout << "\n";
  Table table({"task", "kind", "skill", "people", "planned start", "planned finish", "deadline",
               "crew", "state", "at risk"});
  for (const v1::Task& task : job.tasks()) {
    table.AddRow({task.task_id(), EnumWord(task.kind()), SkillText(task),
                  std::to_string(task.headcount()), FormatTime(task.planned_start_time()),
                  FormatTime(task.planned_finish_time()), FormatTime(task.window().no_later_than()),
                  CrewNames(task), EnumWord(task.state()), RiskWords(task)});
  }
  table.Print();
}

ExitCode ShowJobStatus(Session& session, const std::string& order) {
  v1::GetJobStatusRequest request;
  request.set_order_id(order);
  v1::GetJobStatusResponse response;
  if (ExitCode code = session.Call(&SchedulingService::Stub::GetJobStatus, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] { PrintJob(response.job()); });
}

struct PlanJobOptions {
  std::string order, deliver_by, not_before, pinned_reason, load_in, show_start, show_end, strike,
      venue, travel = "30m", warehouse;
  std::vector<std::string> products;
  int64_t revision = 1;
  double win_probability = 1.0;
  bool tentative = false, refuse_if_late = false;
};

// Until order-intake plans jobs itself on confirm, this lets ops (ADMIN) plan
// one by hand: products are resolved by inventory, exactly as the confirm saga does.
ExitCode PlanJob(Session& session, const PlanJobOptions& options) {
  v1::ResolveProductsRequest resolve;
  for (const std::string& word : options.products) {
    absl::StatusOr<v1::InventoryLine> line = ParseInventoryLine(word);
    if (!line.ok()) return ReportBadInput("--product: " + std::string(line.status().message()));
    v1::ProductLine* product = resolve.add_lines();
    product->set_product_code(line->inventory_code());
    product->set_quantity(line->quantity());
  }
  v1::PlanJobRequest request;
  request.set_order_id(options.order);
  request.set_order_revision(options.revision);
  v1::DeliveryWindow& delivery = *request.mutable_delivery_window();
  v1::EventSchedule& event = *request.mutable_event_schedule();
  for (auto [flag, text, target] :
       {std::tuple{"--deliver-by", options.deliver_by,
                   TimeTarget([&] { return delivery.mutable_window()->mutable_no_later_than(); })},
        std::tuple{"--not-before", options.not_before,
                   TimeTarget([&] { return delivery.mutable_window()->mutable_not_before(); })},
        std::tuple{"--load-in", options.load_in,
                   TimeTarget([&] { return event.mutable_load_in_time(); })},
        std::tuple{"--show-start", options.show_start,
                   TimeTarget([&] { return event.mutable_show_start_time(); })},
        std::tuple{"--show-end", options.show_end,
                   TimeTarget([&] { return event.mutable_show_end_time(); })},
        std::tuple{"--strike", options.strike,
                   TimeTarget([&] { return event.mutable_strike_time(); })}}) {
    if (absl::Status set = SetTime(flag, text, target); !set.ok()) {
      return ReportBadInput(std::string(set.message()));
    }
  }
  if (!options.pinned_reason.empty()) {
    delivery.set_pinned(true);
    delivery.set_pinned_reason(options.pinned_reason);
  }
  request.mutable_venue()->set_name(options.venue);
  absl::StatusOr<google::protobuf::Duration> travel = ParseDuration(options.travel);
  if (!travel.ok()) return ReportBadInput("--travel: " + std::string(travel.status().message()));
  *request.mutable_venue()->mutable_travel_time() = *travel;
  request.set_warehouse_id(options.warehouse);
  request.set_tentative(options.tentative);
  request.set_win_probability(options.win_probability);
  request.set_refuse_if_late(options.refuse_if_late);

  v1::ResolveProductsResponse resolved;
  if (ExitCode code =
          session.Call(&v1::InventoryService::Stub::ResolveProducts, resolve, &resolved);
      code != kExitOk) {
    return code;
  }
  *request.mutable_inventory_lines() = resolved.inventory_lines();
  *request.mutable_crew_needs() = resolved.crew_needs();
  *request.mutable_prep_duration() = resolved.prep_duration();
  v1::PlanJobResponse response;
  if (ExitCode code = session.Call(&SchedulingService::Stub::PlanJob, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] { PrintJob(response.job()); });
}

struct TaskStateOptions {
  std::string task_id, note, etag;
};

ExitCode UpdateTaskState(Session& session, v1::TaskState state, const TaskStateOptions& options) {
  v1::UpdateTaskStateRequest request;
  request.set_task_id(options.task_id);
  request.set_state(state);
  request.set_note(options.note);
  request.set_etag(options.etag);
  v1::UpdateTaskStateResponse response;
  if (ExitCode code =
          session.Call(&v1::SchedulingService::Stub::UpdateTaskState, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    const v1::Task& task = response.task();
    std::cout << "Task " << task.task_id() << " (" << EnumWord(task.kind()) << ", order "
              << task.order_id() << ") is " << EnumWord(task.state()) << "\n";
  });
}

}  // namespace

void AddScheduleCommands(CommandTree& tree) {
  CLI::App& root = tree.root();
  {
    auto options = MakeOptions<ScheduleOptions>();
    CLI::App* command = root.add_subcommand(
        "schedule", "Who does what, when: one person's or vehicle's work, or everyone's on a day");
    command->add_option("--crew", options->crew, "Only this crew member");
    command->add_option("--vehicle", options->vehicle, "Only this vehicle");
    command->add_option("--warehouse", options->warehouse, "Only crew based at this warehouse");
    command->add_option("--day", options->day,
                        "The day to show (default today; 2030-05-01, tomorrow)");
    command->add_option("--from", options->from, "Range start instead of one day");
    command->add_option("--to", options->to, "Range end (default a week after --from)");
    tree.OnRun(command, [options](Session& session) { return ShowSchedule(session, *options); });
  }
  {
    auto options = MakeOptions<PrepPlanOptions>();
    CLI::App* command = root.add_subcommand(
        "prep-plan",
        "When each job's prep should start: not before it is sensible, not after it is safe");
    command->add_option("--from", options->from, "Range start")->capture_default_str();
    command->add_option("--to", options->to, "Range end")->capture_default_str();
    command->add_option("--warehouse", options->warehouse, "Only this warehouse");
    command->add_flag("--late-only", options->late_only, "Only prep that is already late");
    tree.OnRun(command, [options](Session& session) { return ShowPrepPlan(session, *options); });
  }
  CLI::App* task = tree.AddGroup(
      root, "task", "Field progress on one task of a job (OPS): started, done, blocked");
  for (const auto& [word, state, help] :
       {std::tuple{"start", v1::TASK_STATE_STARTED,
                   "The crew started it (their assignment freezes)"},
        std::tuple{"done", v1::TASK_STATE_DONE,
                   "It is done; a delivery done puts the order on site"},
        std::tuple{"block", v1::TASK_STATE_BLOCKED, "It cannot go on (--note says why)"}}) {
    auto options = MakeOptions<TaskStateOptions>();
    CLI::App* command = task->add_subcommand(word, help);
    command->add_option("task", options->task_id, "Task id (ORDER/KIND, see job status)")
        ->required();
    CLI::Option* note = command->add_option("--note", options->note, "What happened");
    if (state == v1::TASK_STATE_BLOCKED) note->required();
    command->add_option("--etag", options->etag, "Refuse if the task changed since this etag");
    const v1::TaskState chosen = state;
    tree.OnRun(command, [options, chosen](Session& session) {
      return UpdateTaskState(session, chosen, *options);
    });
  }
  CLI::App* job = tree.AddGroup(root, "job", "An order's job: its tasks, crew and commitment");
  {
    auto order = std::make_shared<std::string>();
    CLI::App* status = job->add_subcommand(
        "status", "The job of an order as sales sees it: tasks, crew, commitment, what is at risk");
    status->add_option("order", *order, "Order id")->required();
    tree.OnRun(status, [order](Session& session) { return ShowJobStatus(session, *order); });
  }
  {
    auto options = MakeOptions<PlanJobOptions>();
    CLI::App* plan = job->add_subcommand(
        "plan",
        "Plan an order's job from product lines (ADMIN; order-intake does this on confirm)");
    plan->add_option("order", options->order, "Order id")->required();
    plan->add_option("--revision", options->revision, "Order revision")->capture_default_str();
    plan->add_option("--product", options->products, "Product line CODE=N, repeatable")->required();
    plan->add_option("--deliver-by", options->deliver_by, "Deliver no later than")->required();
    plan->add_option("--not-before", options->not_before, "Deliver not before");
    plan->add_option("--pinned-reason", options->pinned_reason,
                     "Deliver exactly at --deliver-by (a priced exception), and why");
    plan->add_option("--load-in", options->load_in, "Venue load-in time");
    plan->add_option("--show-start", options->show_start, "Show start")->required();
    plan->add_option("--show-end", options->show_end, "Show end")->required();
    plan->add_option("--strike", options->strike, "Strike (teardown) time");
    plan->add_option("--venue", options->venue, "Venue name")->required();
    plan->add_option("--travel", options->travel, "One-way travel from the warehouse")
        ->capture_default_str();
    plan->add_option("--warehouse", options->warehouse, "Warehouse the job leaves from");
    plan->add_flag("--tentative", options->tentative, "A quote, not yet confirmed");
    plan->add_option("--win-probability", options->win_probability, "0 to 1, for tentative jobs")
        ->check(CLI::Range(0.0, 1.0));
    plan->add_flag("--refuse-if-late", options->refuse_if_late,
                   "Refuse (exit 3, DEADLINE_INFEASIBLE) instead of planning late");
    tree.OnRun(plan, [options](Session& session) { return PlanJob(session, *options); });
  }
}

}  // namespace salesops::cli
