#include "services/scheduling/scheduling_service.h"

#include <google/protobuf/util/time_util.h>

#include <ctime>

#include "services/common/grpc_errors.h"
#include "services/common/page_token.h"
#include "services/common/time_util.h"
#include "services/common/validation.h"
#include "services/scheduling/capacity.h"
#include "services/scheduling/job_plan.h"
#include "services/scheduling/postgres_scheduling_store.h"
#include "services/scheduling/scheduling_metrics.h"

namespace salesops::scheduling {

using common::CheckRequest;
using common::ToGrpcStatus;

common::ServiceDefinition Definition() {
  return {"scheduling", common::WithSharedMigrations(Migrations()), RolePolicy(), MakeServices};
}

std::vector<std::unique_ptr<grpc::Service>> MakeServices(common::ServiceRuntime& runtime) {
  std::vector<std::unique_ptr<grpc::Service>> services;
  services.push_back(std::make_unique<SchedulingServiceImpl>(
      runtime, std::make_unique<PostgresSchedulingStore>(runtime.database())));
  return services;
}

SchedulingServiceImpl::SchedulingServiceImpl(common::ServiceRuntime& runtime,
                                             std::unique_ptr<SchedulingStore> store)
    : runtime_(runtime),
      store_(std::move(store)),
      tasks_at_risk_(TasksAtRiskGauge([this] { return store_->CountTasksAtRisk(); })) {
  runtime.AddCollectable(tasks_at_risk_);
}

namespace {

// A listing handler: validate, decode the page token, list, encode the next one.
template <typename Request, typename Entry, typename List, typename Add>
absl::Status ListPage(const Request& request, const std::string& listing, List list, Add add,
                      std::string* next_page_token) {
  SALESOPS_RETURN_IF_ERROR(CheckRequest(request));
  SALESOPS_ASSIGN_OR_RETURN(std::string after,
                            common::DecodePageToken(listing, request.page_token()));
  SALESOPS_ASSIGN_OR_RETURN(Page<Entry> page,
                            list(request, common::EffectivePageSize(request.page_size()), after));
  for (Entry& entry : page.entries) add(std::move(entry));
  *next_page_token = common::EncodePageToken(listing, page.next_after);
  return absl::OkStatus();
}

}  // namespace

grpc::Status SchedulingServiceImpl::CreateCrewMember(grpc::ServerContext*,
                                                     const v1::CreateCrewMemberRequest* request,
                                                     v1::CreateCrewMemberResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_crew_member(),
                              store_->CreateCrewMember(request->crew_member()));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::UpdateCrewMember(grpc::ServerContext*,
                                                     const v1::UpdateCrewMemberRequest* request,
                                                     v1::UpdateCrewMemberResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    if (request->crew_member().crew_member_id().empty()) {
      return common::InvalidArgumentError({{"crew_member.crew_member_id", "is required"}});
    }
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_crew_member(),
                              store_->UpdateCrewMember(request->crew_member(), request->etag()));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::GetCrewMember(grpc::ServerContext*,
                                                  const v1::GetCrewMemberRequest* request,
                                                  v1::GetCrewMemberResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_crew_member(),
                              store_->GetCrewMember(request->crew_member_id()));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::ListCrewMembers(grpc::ServerContext*,
                                                    const v1::ListCrewMembersRequest* request,
                                                    v1::ListCrewMembersResponse* response) {
  return ToGrpcStatus(ListPage<v1::ListCrewMembersRequest, v1::CrewMember>(
      *request, "crew",
      [&](const auto& filter, int limit, const std::string& after) {
        return store_->ListCrewMembers(filter, limit, after);
      },
      [&](v1::CrewMember entry) { *response->add_crew_members() = std::move(entry); },
      response->mutable_next_page_token()));
}

grpc::Status SchedulingServiceImpl::CreateVehicle(grpc::ServerContext*,
                                                  const v1::CreateVehicleRequest* request,
                                                  v1::CreateVehicleResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_vehicle(),
                              store_->CreateVehicle(request->vehicle()));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::UpdateVehicle(grpc::ServerContext*,
                                                  const v1::UpdateVehicleRequest* request,
                                                  v1::UpdateVehicleResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    if (request->vehicle().vehicle_id().empty()) {
      return common::InvalidArgumentError({{"vehicle.vehicle_id", "is required"}});
    }
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_vehicle(),
                              store_->UpdateVehicle(request->vehicle(), request->etag()));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::GetVehicle(grpc::ServerContext*,
                                               const v1::GetVehicleRequest* request,
                                               v1::GetVehicleResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_vehicle(),
                              store_->GetVehicle(request->vehicle_id()));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::ListVehicles(grpc::ServerContext*,
                                                 const v1::ListVehiclesRequest* request,
                                                 v1::ListVehiclesResponse* response) {
  return ToGrpcStatus(ListPage<v1::ListVehiclesRequest, v1::Vehicle>(
      *request, "vehicles",
      [&](const auto& filter, int limit, const std::string& after) {
        return store_->ListVehicles(filter, limit, after);
      },
      [&](v1::Vehicle entry) { *response->add_vehicles() = std::move(entry); },
      response->mutable_next_page_token()));
}

grpc::Status SchedulingServiceImpl::AddUnavailability(grpc::ServerContext* context,
                                                      const v1::AddUnavailabilityRequest* request,
                                                      v1::AddUnavailabilityResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Unavailability& unavailability = request->unavailability();
    std::vector<common::FieldViolation> violations;
    if (unavailability.subject_case() == v1::Unavailability::SUBJECT_NOT_SET) {
      violations.push_back({"unavailability.crew_member_id",
                            "name the crew member (or vehicle_id) who is unavailable"});
    }
    if (!unavailability.window().has_not_before()) {
      violations.push_back({"unavailability.window.not_before", "is required: when does it start"});
    }
    if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));
    SALESOPS_ASSIGN_OR_RETURN(
        *response->mutable_unavailability(),
        store_->AddUnavailability(unavailability, runtime_.CallerOf(*context).id()));
    // Time off moves work: re-assign, and say which tasks moved.
    SALESOPS_ASSIGN_OR_RETURN(v1::RunAssignmentResponse run, Reassign(false));
    for (const v1::Task& task : run.changed_tasks())
      response->add_affected_task_ids(task.task_id());
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::ListUnavailability(grpc::ServerContext*,
                                                       const v1::ListUnavailabilityRequest* request,
                                                       v1::ListUnavailabilityResponse* response) {
  return ToGrpcStatus(ListPage<v1::ListUnavailabilityRequest, v1::Unavailability>(
      *request, "unavailability",
      [&](const auto& filter, int limit, const std::string& after) {
        return store_->ListUnavailability(filter, limit, after);
      },
      [&](v1::Unavailability entry) { *response->add_unavailability() = std::move(entry); },
      response->mutable_next_page_token()));
}

grpc::Status SchedulingServiceImpl::DeleteUnavailability(
    grpc::ServerContext*, const v1::DeleteUnavailabilityRequest* request,
    v1::DeleteUnavailabilityResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_RETURN_IF_ERROR(store_->DeleteUnavailability(request->unavailability_id()));
    SALESOPS_RETURN_IF_ERROR(Reassign(false).status());
    response->set_unavailability_id(request->unavailability_id());
    return absl::OkStatus();
  }());
}

namespace {

constexpr Minutes kDayMinutes = 24 * 60;

Minutes NowMinute() { return common::NowTimestamp().seconds() / 60; }

Minutes MinuteOf(const google::protobuf::Timestamp& timestamp) { return timestamp.seconds() / 60; }

// "Tue 2030-05-07 08:00 UTC" for explanations people read.
std::string FormatMinute(Minutes minute) {
  std::time_t seconds = minute * 60;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  std::strftime(text, sizeof(text), "%a %Y-%m-%d %H:%M UTC", &utc);
  return text;
}

// The order as the job planner sees it, or the fields that are missing.
absl::StatusOr<JobInput> JobInputOf(const v1::PlanJobRequest& request) {
  std::vector<common::FieldViolation> violations;
  const v1::EventSchedule& schedule = request.event_schedule();
  if (!schedule.has_show_start_time()) {
    violations.push_back({"event_schedule.show_start_time", "is required to plan setup"});
  }
  if (!schedule.has_show_end_time()) {
    violations.push_back({"event_schedule.show_end_time", "is required to plan the strike"});
  }
  if (schedule.has_show_start_time() && schedule.has_show_end_time() &&
      schedule.show_end_time().seconds() <= schedule.show_start_time().seconds()) {
    violations.push_back({"event_schedule.show_end_time", "must be after show_start_time"});
  }
  for (int i = 0; i < request.crew_needs_size(); ++i) {
    if (request.crew_needs(i).duration().seconds() < 0) {
      violations.push_back(
          {"crew_needs[" + std::to_string(i) + "].duration", "cannot be negative"});
    }
  }
  if (request.prep_duration().seconds() < 0) {
    violations.push_back({"prep_duration", "cannot be negative"});
  }
  if (MinuteOf(request.delivery_window().window().no_later_than()) < NowMinute() - kDayMinutes) {
    violations.push_back({"delivery_window.window.no_later_than",
                          "is in the past; plan deliveries that can still happen"});
  }
  if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));

  JobInput job;
  job.order_id = request.order_id();
  job.order_revision = request.order_revision();
  for (const v1::CrewNeed& need : request.crew_needs()) {
    job.crew_needs.push_back({need.skill(), need.duration().seconds() / 60, need.headcount()});
  }
  job.prep_duration = request.prep_duration().seconds() / 60;
  const v1::Window& window = request.delivery_window().window();
  job.delivery_no_later_than = MinuteOf(window.no_later_than());
  job.delivery_not_before = window.has_not_before() ? MinuteOf(window.not_before())
                                                    : job.delivery_no_later_than - 12 * 60;
  job.pinned = request.delivery_window().pinned();
  job.show_start = MinuteOf(schedule.show_start_time());
  job.show_end = MinuteOf(schedule.show_end_time());
  job.strike_no_later_than = schedule.has_strike_time() ? MinuteOf(schedule.strike_time()) : 0;
  job.travel = request.venue().travel_time().seconds() / 60;
  job.now = NowMinute();
  return job;
}

}  // namespace

absl::StatusOr<v1::RunAssignmentResponse> SchedulingServiceImpl::Reassign(bool dry_run) {
  Minutes now = NowMinute();
  return store_->RunAssignment(
      now - kDayMinutes, now + 400 * kDayMinutes, dry_run,
      [](const std::vector<Task>& tasks, const std::vector<CrewMember>& crew,
         const std::vector<Vehicle>& vehicles) {
        return AssignTasks(tasks, crew, vehicles, FormatMinute);
      });
}

grpc::Status SchedulingServiceImpl::PlanJob(grpc::ServerContext* context,
                                            const v1::PlanJobRequest* request,
                                            v1::PlanJobResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(JobInput job, JobInputOf(*request));
    std::string actor = runtime_.CallerOf(*context).id();
    SchedulingStore::JobPlan plan{*request, PlanJobTasks(job), job.delivery_no_later_than};
    SALESOPS_ASSIGN_OR_RETURN(SchedulingStore::SavedPlan saved, store_->SaveJobPlan(plan, actor));
    if (!saved.already_planned) SALESOPS_RETURN_IF_ERROR(Reassign(false).status());
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_job(), store_->GetJob(request->order_id()));
    *response->mutable_change() = saved.change;
    const v1::Commitment& commitment = response->job().commitment();
    if (request->refuse_if_late() && commitment.has_no_later_than() &&
        !commitment.meets_request()) {
      // The confirm saga asked for a plan that meets the request, or none at all.
      SALESOPS_RETURN_IF_ERROR(store_->CancelJob(request->order_id(), request->order_revision(),
                                                 "requested delivery time cannot be met", actor));
      SALESOPS_RETURN_IF_ERROR(Reassign(false).status());
      return common::BusinessRefusal(
          v1::DEADLINE_INFEASIBLE, commitment.explanation(),
          {{"earliest_feasible_delivery_time",
            google::protobuf::util::TimeUtil::ToString(commitment.no_later_than())}});
    }
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::CancelJob(grpc::ServerContext* context,
                                              const v1::CancelJobRequest* request,
                                              v1::CancelJobResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_RETURN_IF_ERROR(store_->CancelJob(request->order_id(), request->order_revision(),
                                               request->reason(),
                                               runtime_.CallerOf(*context).id()));
    SALESOPS_RETURN_IF_ERROR(Reassign(false).status());
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_job(), store_->GetJob(request->order_id()));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::RunAssignment(grpc::ServerContext*,
                                                  const v1::RunAssignmentRequest* request,
                                                  v1::RunAssignmentResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    if (!request->has_horizon()) {
      SALESOPS_ASSIGN_OR_RETURN(*response, Reassign(request->dry_run()));
      return absl::OkStatus();
    }
    if (!request->horizon().has_not_before()) {
      return common::InvalidArgumentError({{"horizon.not_before", "is required with a horizon"}});
    }
    SALESOPS_ASSIGN_OR_RETURN(
        *response, store_->RunAssignment(
                       MinuteOf(request->horizon().not_before()),
                       MinuteOf(request->horizon().no_later_than()), request->dry_run(),
                       [](const std::vector<Task>& tasks, const std::vector<CrewMember>& crew,
                          const std::vector<Vehicle>& vehicles) {
                         return AssignTasks(tasks, crew, vehicles, FormatMinute);
                       }));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::GetJobStatus(grpc::ServerContext*,
                                                 const v1::GetJobStatusRequest* request,
                                                 v1::GetJobStatusResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_job(), store_->GetJob(request->order_id()));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::UpdateTaskState(grpc::ServerContext* context,
                                                    const v1::UpdateTaskStateRequest* request,
                                                    v1::UpdateTaskStateResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::TaskState state = request->state();
    if (state != v1::TASK_STATE_STARTED && state != v1::TASK_STATE_DONE &&
        state != v1::TASK_STATE_BLOCKED) {
      return common::InvalidArgumentError(
          {{"state", "report STARTED, DONE or BLOCKED; planning sets the other states"}});
    }
    if (state == v1::TASK_STATE_BLOCKED && request->note().empty()) {
      return common::InvalidArgumentError({{"note", "say what blocks the task"}});
    }
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_task(),
                              store_->UpdateTaskState(*request, runtime_.CallerOf(*context).id()));
    // Done or blocked work changes what everyone else can do.
    SALESOPS_RETURN_IF_ERROR(Reassign(false).status());
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::CheckCapacity(grpc::ServerContext*,
                                                  const v1::CheckCapacityRequest* request,
                                                  v1::CheckCapacityResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    if (!request->window().has_not_before()) {
      return common::InvalidArgumentError(
          {{"window.not_before", "is required: capacity is checked over the whole window"}});
    }
    const Minutes start = MinuteOf(request->window().not_before());
    const Minutes length = MinuteOf(request->window().no_later_than()) - start;

    CapacityAsk ask;
    for (const v1::CrewNeed& need : request->crew_needs()) {
      ask.needs.push_back({need.skill(), need.duration().seconds() / 60, need.headcount()});
    }
    ask.vehicle_count = request->vehicle_count();
    ask.exclude_job_id = request->exclude_order_id();
    auto probe_at = [&](Minutes offset) -> absl::StatusOr<CapacityProbe> {
      ask.window = {start + offset, start + offset + length};
      CapacityProbe outcome;
      SALESOPS_RETURN_IF_ERROR(
          store_
              ->RunAssignment(
                  ask.window.start - kDayMinutes, ask.window.end + 30 * kDayMinutes,
                  /*dry_run=*/true,
                  [&](const std::vector<Task>& planned, const std::vector<CrewMember>& crew,
                      const std::vector<Vehicle>& vehicles) {
                    outcome = ProbeCapacity(planned, crew, vehicles, ask, FormatMinute);
                    return outcome.with_probe;
                  })
              .status());
      return outcome;
    };

    SALESOPS_ASSIGN_OR_RETURN(CapacityProbe probe, probe_at(0));
    response->set_fits(probe.fits);
    std::string explanation;
    for (size_t i = 0; i < probe.probes.size(); ++i) {
      const Task& task = probe.probe_tasks[i];
      const Assignment& placed = probe.probes[i];
      if (task.needs_vehicle) {
        if (placed.late) response->set_vehicle_shortfall(response->vehicle_shortfall() + 1);
        continue;
      }
      v1::SkillCapacity* capacity = response->add_skills();
      capacity->set_skill(task.skill);
      Minutes required = task.duration * task.headcount;
      Minutes short_by = placed.late ? std::min(required, placed.lateness * task.headcount) : 0;
      capacity->mutable_required()->set_seconds(required * 60);
      capacity->mutable_available()->set_seconds((required - short_by) * 60);
      if (placed.late) {
        v1::CrewShortfall* shortfall = response->add_shortfalls();
        shortfall->set_skill(task.skill);
        *shortfall->mutable_required() = capacity->required();
        *shortfall->mutable_available() = capacity->available();
        shortfall->mutable_shortfall()->set_seconds(short_by * 60);
        explanation += (explanation.empty() ? "" : "; ") + placed.explanation;
      }
    }
    if (probe.displaced > 0) {
      explanation += (explanation.empty() ? "" : "; ") + std::string("fitting it would make ") +
                     std::to_string(probe.displaced) + " planned task(s) late";
    }
    if (probe.fits) {
      *response->mutable_earliest_fitting_window() = request->window();
      response->set_explanation("fits alongside the planned work");
      return absl::OkStatus();
    }
    response->set_explanation(explanation.substr(0, 2000));
    // The earliest window of the same length, a day later at a time, within two weeks.
    for (Minutes offset = kDayMinutes; offset <= 14 * kDayMinutes; offset += kDayMinutes) {
      SALESOPS_ASSIGN_OR_RETURN(CapacityProbe later, probe_at(offset));
      if (!later.fits) continue;
      *response->mutable_earliest_fitting_window()->mutable_not_before() =
          google::protobuf::util::TimeUtil::SecondsToTimestamp((start + offset) * 60);
      *response->mutable_earliest_fitting_window()->mutable_no_later_than() =
          google::protobuf::util::TimeUtil::SecondsToTimestamp((start + offset + length) * 60);
      break;
    }
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::GetSchedule(grpc::ServerContext*,
                                                const v1::GetScheduleRequest* request,
                                                v1::GetScheduleResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    if (!request->range().has_not_before()) {
      return common::InvalidArgumentError({{"range.not_before", "is required"}});
    }
    SALESOPS_ASSIGN_OR_RETURN(*response,
                              store_->GetSchedule(request->crew_member_id(), request->vehicle_id(),
                                                  MinuteOf(request->range().not_before()),
                                                  MinuteOf(request->range().no_later_than()),
                                                  common::EffectivePageSize(request->page_size())));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::GetPrepPlan(grpc::ServerContext*,
                                                const v1::GetPrepPlanRequest* request,
                                                v1::GetPrepPlanResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    if (!request->range().has_not_before()) {
      return common::InvalidArgumentError({{"range.not_before", "is required"}});
    }
    SALESOPS_ASSIGN_OR_RETURN(std::vector<SchedulingStore::PrepLine> lines,
                              store_->ListPrepLines(MinuteOf(request->range().not_before()),
                                                    MinuteOf(request->range().no_later_than())));
    const Minutes now = NowMinute();
    for (const SchedulingStore::PrepLine& line : lines) {
      PrepFacts facts{
          line.prep_not_before,
          line.prep_no_later_than,
          line.prep_duration,
          line.load_out_by,
          line.late,
          line.prep_state == v1::TASK_STATE_STARTED || line.prep_state == v1::TASK_STATE_DONE,
          line.job_state == v1::JOB_STATE_TENTATIVE,
          line.win_probability,
          line.warehouse_work};
      PrepAdvice advice = AdvisePrep(facts, now, FormatMinute);
      const bool late = advice.late;
      if (request->late_only() && !late) continue;
      v1::PrepRecommendation* recommendation = response->add_plan();
      recommendation->set_job_id(line.order_id);
      recommendation->set_order_id(line.order_id);
      recommendation->set_order_revision(line.order_revision);
      recommendation->set_job_state(line.job_state);
      recommendation->set_win_probability(line.win_probability);
      recommendation->mutable_prep_duration()->set_seconds(line.prep_duration * 60);
      *recommendation->mutable_load_out_time() =
          google::protobuf::util::TimeUtil::SecondsToTimestamp(line.load_out_by * 60);
      *recommendation->mutable_earliest_sensible_start_time() =
          google::protobuf::util::TimeUtil::SecondsToTimestamp(line.prep_not_before * 60);
      *recommendation->mutable_latest_safe_start_time() =
          google::protobuf::util::TimeUtil::SecondsToTimestamp(advice.latest_safe_start * 60);
      recommendation->set_prep_task_state(line.prep_state);
      recommendation->set_prep_late(late);
      recommendation->set_explanation(advice.explanation.substr(0, 1000));
    }
    return absl::OkStatus();
  }());
}

}  // namespace salesops::scheduling
