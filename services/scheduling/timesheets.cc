// Timesheets (issue 20, item 5; README "Timesheets"): the handlers. Crew report the hours they
// worked on their tasks, a crew chief on the same task (or OPS) confirms them, OPS approve them or
// send them back; OPS read planned against worked, and ADMIN export the approved hours for
// payroll. The rules are timesheet_rules.h's; the SQL is postgres_timesheet_store.cc's.
#include <absl/strings/ascii.h>
#include <absl/strings/str_cat.h>

#include <algorithm>
#include <ctime>
#include <functional>
#include <optional>
#include <string>

#include "services/common/grpc_errors.h"
#include "services/common/page_token.h"
#include "services/common/time_util.h"
#include "services/common/validation.h"
#include "services/scheduling/crew_self_service.h"
#include "services/scheduling/scheduling_service.h"
#include "services/scheduling/timesheet_rules.h"

namespace salesops::scheduling {
namespace {

// One export is one answer, and an answer stays below the servers' default message limit
// (--max-message-bytes, 4 MiB).
constexpr size_t kMaxPayrollCsvBytes = 3 * 1024 * 1024;

bool IsCrewCaller(const v1::Actor& caller) { return caller.role() == v1::ROLE_CREW; }

// The AIP-155 key of a timesheet mutation. A CREW caller's request ids are theirs alone, as in
// the rest of crew self-service: two people sending the same id are two requests.
template <typename Request>
RequestKey TimesheetKeyOf(const char* rpc, const Request& request, const v1::Actor& caller) {
  RequestKey key{std::string("scheduling.") + rpc, request.request_id(), &request};
  if (IsCrewCaller(caller) && !key.request_id.empty()) {
    key.request_id = caller.id() + "\n" + key.request_id;
  }
  return key;
}

// For CREW, an entry or task that does not exist is refused as someone else's is, so that ids
// cannot be probed.
absl::Status RefusedAlikeForCrewCaller(const v1::Actor& caller, absl::Status status) {
  if (IsCrewCaller(caller) && status.code() == absl::StatusCode::kNotFound) {
    return NotTheCallersOwn();
  }
  return status;
}

// The range a report or an export asks for, in minutes: both ends are required.
absl::StatusOr<std::pair<Minutes, Minutes>> RangeMinutes(const v1::Window& range) {
  if (!range.has_not_before()) {
    return common::InvalidArgumentError({{"range.not_before", "is required"}});
  }
  return std::make_pair(FirstMinuteFrom(range.not_before()),
                        FirstMinuteFrom(range.no_later_than()));
}

std::string UtcDay(Minutes minute) {
  std::time_t seconds = minute * 60;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[16];
  std::strftime(text, sizeof(text), "%Y-%m-%d", &utc);
  return text;
}

}  // namespace

grpc::Status SchedulingServiceImpl::ReportHours(grpc::ServerContext* context,
                                                const v1::ReportHoursRequest* request,
                                                v1::ReportHoursResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(common::CheckRequest(*request));
    const v1::TimesheetEntry& entry = request->entry();
    SALESOPS_RETURN_IF_ERROR(CheckWhatWasWorked(entry));
    SALESOPS_ASSIGN_OR_RETURN(const ReportedHours hours,
                              CheckReportedHours(entry, common::NowTimestamp().seconds()));
    const v1::Actor caller = runtime_.CallerOf(*context);
    const bool crew = IsCrewCaller(caller);
    std::string crew_member_id = entry.crew_member_id();
    if (crew) {
      // Their own hours (no id: their own).
      SALESOPS_ASSIGN_OR_RETURN(crew_member_id, CrewMemberInScope(*context, crew_member_id));
    } else if (crew_member_id.empty()) {
      return common::InvalidArgumentError(
          {{"entry.crew_member_id", "is required: whose hours these are"}});
    }
    // Hours are reported on a task the person is assigned to, as it stands when locked, or on
    // other work; approved hours are final.
    const auto may_report = [crew, crew_member_id](const TimesheetTask& task,
                                                   v1::TimesheetState state) -> absl::Status {
      if (task.task_id.empty()) {
        return CheckHoursTransition(state, HoursAction::kReport,
                                    crew_member_id + "'s hours of other work starting then");
      }
      if (!WorksOn(task, crew_member_id)) {
        if (crew) return NotTheCallersOwn();
        return common::UnknownReferenceError(
            {{"entry.crew_member_id", crew_member_id + " is not assigned to task " + task.task_id +
                                          "; hours are reported on the tasks people work"}},
            v1::INVALID_REQUEST);
      }
      return CheckHoursTransition(state, HoursAction::kReport,
                                  crew_member_id + "'s hours on " + task.task_id);
    };
    absl::StatusOr<v1::TimesheetEntry> reported = store_->ReportHours(
        TimesheetKeyOf("ReportHours", *request, caller),
        {entry.task_id(), crew_member_id, hours, entry.note(), caller.id(), entry.other_work()},
        may_report);
    if (!reported.ok()) return RefusedAlikeForCrewCaller(caller, reported.status());
    *response->mutable_entry() = *std::move(reported);
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::ConfirmHours(grpc::ServerContext* context,
                                                 const v1::ConfirmHoursRequest* request,
                                                 v1::ConfirmHoursResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(common::CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    std::function<absl::Status(const v1::TimesheetEntry&, const TimesheetTask&)> may_confirm =
        [](const v1::TimesheetEntry& entry, const TimesheetTask&) {
          return CheckHoursTransition(entry.state(), HoursAction::kConfirm,
                                      "hours " + entry.entry_id());
        };
    if (IsCrewCaller(caller)) {
      // A crew chief confirms the others on the tasks they work too; their own hours, and
      // everyone's elsewhere, are OPS's to confirm.
      SALESOPS_ASSIGN_OR_RETURN(const std::string own, CrewMemberInScope(*context, ""));
      SALESOPS_ASSIGN_OR_RETURN(const v1::CrewMember member, store_->GetCrewMember(own));
      if (!member.crew_chief()) {
        return common::ReasonedError(
            absl::StatusCode::kPermissionDenied, v1::ROLE_NOT_ALLOWED,
            "only a crew chief (CrewMember.crew_chief) confirms hours; OPS confirm the others");
      }
      may_confirm = [own](const v1::TimesheetEntry& entry, const TimesheetTask& task) {
        SALESOPS_RETURN_IF_ERROR(CheckChiefMayConfirm(own, entry, task));
        return CheckHoursTransition(entry.state(), HoursAction::kConfirm,
                                    "hours " + entry.entry_id());
      };
    }
    absl::StatusOr<v1::TimesheetEntry> confirmed = store_->DecideHours(
        TimesheetKeyOf("ConfirmHours", *request, caller),
        {request->entry_id(), request->etag(), HoursAction::kConfirm, "", caller.id()},
        may_confirm);
    if (!confirmed.ok()) return RefusedAlikeForCrewCaller(caller, confirmed.status());
    *response->mutable_entry() = *std::move(confirmed);
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::ApproveHours(grpc::ServerContext* context,
                                                 const v1::ApproveHoursRequest* request,
                                                 v1::ApproveHoursResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(common::CheckRequest(*request));
    if (!request->approve() && absl::StripAsciiWhitespace(request->reason()).empty()) {
      return common::InvalidArgumentError(
          {{"reason", "is required to send hours back: say what to correct"}});
    }
    const HoursAction action = request->approve() ? HoursAction::kApprove : HoursAction::kReject;
    const v1::Actor caller = runtime_.CallerOf(*context);
    SALESOPS_ASSIGN_OR_RETURN(
        *response->mutable_entry(),
        store_->DecideHours(TimesheetKeyOf("ApproveHours", *request, caller),
                            {request->entry_id(), request->etag(), action,
                             request->approve() ? "" : request->reason(), caller.id()},
                            [action](const v1::TimesheetEntry& entry, const TimesheetTask&) {
                              return CheckHoursTransition(entry.state(), action,
                                                          "hours " + entry.entry_id());
                            }));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::ListTimesheets(grpc::ServerContext* context,
                                                   const v1::ListTimesheetsRequest* request,
                                                   v1::ListTimesheetsResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(common::CheckRequest(*request));
    v1::ListTimesheetsRequest scoped = *request;
    if (IsCrewCaller(runtime_.CallerOf(*context))) {
      // Their own hours; and a crew chief, asking for one task they work, that task's hours of
      // everyone, which are theirs to confirm.
      SALESOPS_ASSIGN_OR_RETURN(const std::string own,
                                CrewMemberInScope(*context, request->crew_member_id()));
      bool chief_of_task = false;
      if (!request->task_id().empty() && request->crew_member_id().empty()) {
        SALESOPS_ASSIGN_OR_RETURN(const v1::CrewMember member, store_->GetCrewMember(own));
        if (member.crew_chief()) {
          SALESOPS_ASSIGN_OR_RETURN(const std::optional<TimesheetTask> task,
                                    store_->GetTimesheetTask(request->task_id()));
          chief_of_task = task.has_value() && WorksOn(*task, own);
        }
      }
      if (!chief_of_task) scoped.set_crew_member_id(own);
    }
    SALESOPS_ASSIGN_OR_RETURN(const std::string after,
                              common::DecodePageToken("timesheets", request->page_token()));
    SALESOPS_ASSIGN_OR_RETURN(
        Page<v1::TimesheetEntry> page,
        store_->ListTimesheets(scoped, common::EffectivePageSize(request->page_size()), after));
    for (v1::TimesheetEntry& entry : page.entries) *response->add_entries() = std::move(entry);
    response->set_next_page_token(common::EncodePageToken("timesheets", page.next_after));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::GetLabourReport(grpc::ServerContext*,
                                                    const v1::GetLabourReportRequest* request,
                                                    v1::GetLabourReportResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(common::CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(const auto range, RangeMinutes(request->range()));
    const LabourQuery query{range.first, range.second, request->order_id(),
                            request->crew_member_id()};
    SALESOPS_ASSIGN_OR_RETURN(const SchedulingStore::LabourFacts facts,
                              store_->LoadLabourFacts(query));
    SALESOPS_ASSIGN_OR_RETURN(*response,
                              BuildLabourReport(query, facts.planned, facts.worked, facts.crew));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::GetPayrollExport(grpc::ServerContext*,
                                                     const v1::GetPayrollExportRequest* request,
                                                     v1::GetPayrollExportResponse* response) {
  return common::ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(common::CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(const auto range, RangeMinutes(request->range()));
    SALESOPS_ASSIGN_OR_RETURN(const SchedulingStore::LabourFacts facts,
                              store_->LoadApprovedHours(range.first, range.second));
    PayrollExport payroll = BuildPayrollCsv(range.first, range.second, facts.worked, facts.crew);
    if (payroll.csv.size() > kMaxPayrollCsvBytes) {
      return common::InvalidArgumentError(
          {{"range", absl::StrCat("holds ", payroll.entry_count,
                                  " approved entries, more than one export carries; export a "
                                  "shorter range (a month at a time)")}});
    }
    response->set_csv(std::move(payroll.csv));
    response->set_entry_count(payroll.entry_count);
    response->set_filename("payroll-" + UtcDay(range.first) + "-" +
                           UtcDay(std::max(range.first, range.second - 1)) + ".csv");
    return absl::OkStatus();
  }());
}

}  // namespace salesops::scheduling
