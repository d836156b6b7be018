// Timesheets (issue 20; README "Timesheets"): crew report the hours they worked on a task or on
// other work, a crew chief (or OPS) confirms them, OPS approve them or send them back; the labour
// report sets planned against worked; ADMIN export the approved hours for payroll.
#include <absl/strings/str_cat.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <tuple>

#include "cli/command_tree.h"
#include "cli/input_parsing.h"
#include "cli/output.h"
#include "cli/scheduling_stub.h"

namespace salesops::cli {
namespace {

using HoursStub = v1::SchedulingService::Stub;

// Sets `*target` from a time flag; a flag left empty leaves it unset.
absl::Status SetHoursTime(const std::string& flag, const std::string& text,
                          google::protobuf::Timestamp* target) {
  if (text.empty()) return absl::OkStatus();
  absl::StatusOr<google::protobuf::Timestamp> time = ParseTime(text);
  if (!time.ok()) {
    return absl::InvalidArgumentError(flag + ": " + std::string(time.status().message()));
  }
  *target = *time;
  return absl::OkStatus();
}

// A --from/--to pair into a range; --to defaults to a week after --from.
absl::Status SetHoursRange(const std::string& from, const std::string& to, v1::Window* range) {
  if (absl::Status set = SetHoursTime("--from", from, range->mutable_not_before()); !set.ok()) {
    return set;
  }
  if (to.empty()) {
    range->mutable_no_later_than()->set_seconds(range->not_before().seconds() + 7 * 24 * 3600);
    return absl::OkStatus();
  }
  return SetHoursTime("--to", to, range->mutable_no_later_than());
}

std::string HoursWho(const v1::TimesheetEntry& entry) {
  return entry.crew_member_id().empty() ? "-" : entry.crew_member_id();
}

// The task worked, or "warehouse (no task)" for other work.
std::string HoursWork(const v1::TimesheetEntry& entry) {
  if (entry.task_id().empty()) return EnumWord(entry.other_work()) + " (no task)";
  return entry.task_id();
}

void PrintHours(const v1::TimesheetEntry& entry) {
  Details details;
  details.Add("Hours", entry.entry_id());
  details.Add("Who", HoursWho(entry));
  if (entry.task_id().empty()) {
    details.Add("Work", HoursWork(entry));
  } else {
    details.Add("Task", entry.task_id() + " (order " + entry.order_id() + ")");
  }
  details.Add("Worked", FormatSpan(entry.start_time(), entry.finish_time()) + ", break " +
                            FormatDuration(entry.break_duration()) + ": " +
                            FormatHours(entry.worked_duration()) + " (planned " +
                            FormatHours(entry.planned_duration()) + ")");
  if (!entry.note().empty()) details.Add("Note", entry.note());
  details.Add("State", EnumWord(entry.state()));
  details.Add("Reported by", entry.reported_by().empty() ? "-" : entry.reported_by());
  if (!entry.confirmed_by().empty()) details.Add("Confirmed by", entry.confirmed_by());
  if (!entry.approved_by().empty()) {
    details.Add(entry.state() == v1::TIMESHEET_STATE_REJECTED ? "Sent back by" : "Approved by",
                entry.approved_by());
  }
  if (!entry.rejection_reason().empty()) details.Add("Why", entry.rejection_reason());
  details.Add("Etag", entry.etag());
  details.Print();
}

struct ReportHoursOptions {
  std::string task_id, other_work, start, finish, break_duration, note, crew_member, request_id;
};

ExitCode ReportHours(Session& session, const ReportHoursOptions& options) {
  v1::ReportHoursRequest request;
  request.set_request_id(options.request_id);
  v1::TimesheetEntry& entry = *request.mutable_entry();
  entry.set_task_id(options.task_id);
  if (!options.other_work.empty()) {
    absl::StatusOr<v1::OtherWork> other_work = ParseEnum<v1::OtherWork>(options.other_work);
    if (!other_work.ok()) {
      return ReportBadInput("--other-work: " + std::string(other_work.status().message()));
    }
    entry.set_other_work(*other_work);
  }
  entry.set_crew_member_id(options.crew_member);
  entry.set_note(options.note);
  for (const auto& [flag, text, target] :
       {std::tuple{"--start", options.start, entry.mutable_start_time()},
        std::tuple{"--finish", options.finish, entry.mutable_finish_time()}}) {
    if (absl::Status set = SetHoursTime(flag, text, target); !set.ok()) {
      return ReportBadInput(std::string(set.message()));
    }
  }
  if (!options.break_duration.empty()) {
    absl::StatusOr<google::protobuf::Duration> pause = ParseDuration(options.break_duration);
    if (!pause.ok()) return ReportBadInput("--break: " + std::string(pause.status().message()));
    *entry.mutable_break_duration() = *pause;
  }
  session.SetFieldFlags({{"task_id", "TASK"},
                         {"other_work", "--other-work"},
                         {"start_time", "--start"},
                         {"finish_time", "--finish"},
                         {"break_duration", "--break"},
                         {"note", "--note"},
                         {"crew_member_id", "--crew-member"},
                         {"request_id", "--request-id"}});
  v1::ReportHoursResponse response;
  if (ExitCode code = session.Call(&HoursStub::ReportHours, request, &response); code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] { PrintHours(response.entry()); });
}

struct DecideHoursOptions {
  std::string entry_id, reason, etag, request_id;
  bool reject = false;
};

ExitCode ConfirmHours(Session& session, const DecideHoursOptions& options) {
  v1::ConfirmHoursRequest request;
  request.set_request_id(options.request_id);
  request.set_entry_id(options.entry_id);
  request.set_etag(options.etag);
  session.SetFieldFlags({{"entry_id", "ENTRY"}, {"etag", "--etag"}});
  v1::ConfirmHoursResponse response;
  if (ExitCode code = session.Call(&HoursStub::ConfirmHours, request, &response); code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] { PrintHours(response.entry()); });
}

ExitCode ApproveHours(Session& session, const DecideHoursOptions& options) {
  if (options.reject && options.reason.empty()) {
    return ReportBadInput("--reject needs --reason: say what to correct");
  }
  v1::ApproveHoursRequest request;
  request.set_request_id(options.request_id);
  request.set_entry_id(options.entry_id);
  request.set_approve(!options.reject);
  request.set_reason(options.reason);
  request.set_etag(options.etag);
  session.SetFieldFlags({{"entry_id", "ENTRY"}, {"reason", "--reason"}, {"etag", "--etag"}});
  v1::ApproveHoursResponse response;
  if (ExitCode code = session.Call(&HoursStub::ApproveHours, request, &response); code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] { PrintHours(response.entry()); });
}

struct ListHoursOptions {
  std::string crew_member, order, task, from, to;
  std::vector<std::string> states;
};

ExitCode ListHours(Session& session, const ListHoursOptions& options) {
  v1::ListTimesheetsRequest request;
  request.set_crew_member_id(options.crew_member);
  request.set_order_id(options.order);
  request.set_task_id(options.task);
  for (const std::string& word : options.states) {
    absl::StatusOr<v1::TimesheetState> state = ParseEnum<v1::TimesheetState>(word);
    if (!state.ok()) return ReportBadInput("--state: " + std::string(state.status().message()));
    request.add_states(*state);
  }
  if (!options.from.empty() || !options.to.empty()) {
    if (options.from.empty()) return ReportBadInput("--to needs --from");
    if (absl::Status set = SetHoursRange(options.from, options.to, request.mutable_range());
        !set.ok()) {
      return ReportBadInput(std::string(set.message()));
    }
  }
  v1::ListTimesheetsResponse response;
  if (ExitCode code = session.CallAllPages(&HoursStub::ListTimesheets, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    Table table(
        {"entry", "who", "task", "worked from → to", "break", "worked", "planned", "state", "by"});
    for (const v1::TimesheetEntry& entry : response.entries()) {
      const std::string& by = !entry.approved_by().empty()    ? entry.approved_by()
                              : !entry.confirmed_by().empty() ? entry.confirmed_by()
                                                              : entry.reported_by();
      table.AddRow({entry.entry_id(), HoursWho(entry), HoursWork(entry),
                    FormatSpan(entry.start_time(), entry.finish_time()),
                    FormatDuration(entry.break_duration()), FormatHours(entry.worked_duration()),
                    FormatHours(entry.planned_duration()), EnumWord(entry.state()),
                    by.empty() ? "-" : by});
    }
    if (table.empty()) {
      std::cout << "No hours reported.\n";
    } else {
      table.Print();
    }
  });
}

struct LabourReportOptions {
  std::string from, to, order, crew_member;
};

// Worked less planned: "+1h30m", "-2h", "0m".
std::string HoursDifference(const google::protobuf::Duration& worked,
                            const google::protobuf::Duration& planned) {
  google::protobuf::Duration difference;
  difference.set_seconds(worked.seconds() - planned.seconds());
  return (difference.seconds() > 0 ? "+" : "") + FormatHours(difference);
}

ExitCode ShowLabourReport(Session& session, const LabourReportOptions& options) {
  v1::GetLabourReportRequest request;
  if (absl::Status set = SetHoursRange(options.from, options.to, request.mutable_range());
      !set.ok()) {
    return ReportBadInput(std::string(set.message()));
  }
  request.set_order_id(options.order);
  request.set_crew_member_id(options.crew_member);
  session.SetFieldFlags({{"range", "--from/--to"},
                         {"range.not_before", "--from"},
                         {"range.no_later_than", "--to"},
                         {"order_id", "--order"},
                         {"crew_member_id", "--crew-member"}});
  v1::GetLabourReportResponse response;
  if (ExitCode code = session.Call(&HoursStub::GetLabourReport, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    std::cout << "Labour " << FormatWindow(request.range()) << "\n\nPer order:\n";
    Table orders({"order", "planned", "worked", "approved", "worked - planned"});
    for (const v1::LabourLine& line : response.orders()) {
      orders.AddRow({line.order_id(), FormatHours(line.planned_duration()),
                     FormatHours(line.worked_duration()), FormatHours(line.approved_duration()),
                     HoursDifference(line.worked_duration(), line.planned_duration())});
    }
    if (orders.empty()) {
      std::cout << "Nothing planned or worked.\n";
    } else {
      orders.Print();
    }
    std::cout << "\nPer person:\n";
    // Other work is planned by nobody: worked - planned compares the hours on tasks.
    Table people({"crew", "name", "planned", "worked", "approved", "of it other work",
                  "on tasks - planned"});
    for (const v1::LabourLine& line : response.people()) {
      google::protobuf::Duration on_tasks;
      on_tasks.set_seconds(line.worked_duration().seconds() - line.other_work_duration().seconds());
      people.AddRow({line.crew_member_id(), line.display_name().empty() ? "-" : line.display_name(),
                     FormatHours(line.planned_duration()), FormatHours(line.worked_duration()),
                     FormatHours(line.approved_duration()), FormatHours(line.other_work_duration()),
                     HoursDifference(on_tasks, line.planned_duration())});
    }
    if (people.empty()) {
      std::cout << "Nobody.\n";
    } else {
      people.Print();
    }
    if (response.weeks_size() > 0) {
      std::cout << "\nWeeks (from Monday 00:00 UTC):\n";
      Table weeks({"crew", "week of", "worked", "contracted", "overtime"});
      for (const v1::LabourWeek& week : response.weeks()) {
        weeks.AddRow({week.crew_member_id(), FormatTime(week.week_start_time()),
                      FormatHours(week.worked_duration()),
                      week.contracted_duration().seconds() > 0
                          ? FormatHours(week.contracted_duration())
                          : "-",
                      FormatHours(week.overtime())});
      }
      weeks.Print();
    }
  });
}

struct PayrollExportOptions {
  std::string from, to, output;
};

ExitCode SavePayrollExport(Session& session, const PayrollExportOptions& options) {
  v1::GetPayrollExportRequest request;
  if (absl::Status set = SetHoursRange(options.from, options.to, request.mutable_range());
      !set.ok()) {
    return ReportBadInput(std::string(set.message()));
  }
  session.SetFieldFlags(
      {{"range", "--from/--to"}, {"range.not_before", "--from"}, {"range.no_later_than", "--to"}});
  v1::GetPayrollExportResponse response;
  if (ExitCode code = session.Call(&HoursStub::GetPayrollExport, request, &response);
      code != kExitOk) {
    return code;
  }
  const std::string& csv = response.csv();
  const std::string path = options.output.empty() ? "-" : options.output;
  if (path == "-") {
    std::cout.write(csv.data(), static_cast<std::streamsize>(csv.size()));
    return kExitOk;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(csv.data(), static_cast<std::streamsize>(csv.size()));
  out.close();
  if (!out) return ReportBadInput("-o: cannot write " + path);
  if (session.json()) {
    PrintJson(nlohmann::json{{"file", path},
                             {"bytes", csv.size()},
                             {"entryCount", response.entry_count()},
                             {"filename", response.filename()}});
  } else {
    std::cout << "Saved " << response.entry_count() << " approved entries to " << path << " ("
              << csv.size() << " bytes)\n";
  }
  return kExitOk;
}

}  // namespace

void AddTimesheetCommands(CommandTree& tree) {
  CLI::App& root = tree.root();
  CLI::App* hours = tree.AddGroup(
      root, "hours",
      "Timesheets: hours worked per task, reported by crew, confirmed by a crew chief, approved "
      "by OPS");
  {
    auto options = MakeOptions<ReportHoursOptions>();
    CLI::App* command = hours->add_subcommand(
        "report",
        "Report the hours worked on a task, or on other work (crew: your own; OPS: "
        "--crew-member); reporting again replaces them until they are approved");
    command->add_option("task", options->task_id,
                        "Task id (ORDER/KIND, see job status); none with --other-work");
    command->add_option("--other-work", options->other_work,
                        "Work on no task: warehouse, training, office or other (other needs "
                        "--note)");
    command->add_option("--start", options->start, "When the work started, e.g. 'today 08:00'")
        ->required();
    command->add_option("--finish", options->finish, "When it ended, e.g. 'today 17:30'")
        ->required();
    command->add_option("--break", options->break_duration, "Time off in between, e.g. 30m");
    command->add_option("--note", options->note, "What the approver should know");
    command->add_option("--crew-member", options->crew_member,
                        "Whose hours (OPS; crew report their own)");
    command->add_option("--request-id", options->request_id, "Retry-safe id (AIP-155)");
    tree.OnRun(command, [options](Session& session) { return ReportHours(session, *options); });
  }
  {
    auto options = MakeOptions<DecideHoursOptions>();
    CLI::App* command = hours->add_subcommand(
        "confirm", "Confirm reported hours (a crew chief on the same task, or OPS)");
    command->add_option("entry", options->entry_id, "Hours entry id (hours list)")->required();
    command->add_option("--etag", options->etag, "Refuse if the hours changed since this etag");
    command->add_option("--request-id", options->request_id, "Retry-safe id (AIP-155)");
    tree.OnRun(command, [options](Session& session) { return ConfirmHours(session, *options); });
  }
  {
    auto options = MakeOptions<DecideHoursOptions>();
    CLI::App* command = hours->add_subcommand(
        "approve",
        "Approve hours (OPS; final, what payroll reads), or --reject them with a reason");
    command->add_option("entry", options->entry_id, "Hours entry id (hours list)")->required();
    command->add_flag("--reject", options->reject, "Send them back to be reported again");
    command->add_option("--reason", options->reason, "Why they are sent back (with --reject)");
    command->add_option("--etag", options->etag, "Refuse if the hours changed since this etag");
    command->add_option("--request-id", options->request_id, "Retry-safe id (AIP-155)");
    tree.OnRun(command, [options](Session& session) { return ApproveHours(session, *options); });
  }
  {
    auto options = MakeOptions<ListHoursOptions>();
    CLI::App* command = hours->add_subcommand(
        "list",
        "Hours reported, by start time (crew: their own; a crew chief with --task: that task's)");
    command->add_option("--crew-member", options->crew_member, "Only this crew member's");
    command->add_option("--order", options->order, "Only this order's");
    command->add_option("--task", options->task, "Only this task's");
    command->add_option("--state", options->states,
                        "reported, confirmed, approved or rejected (repeatable)");
    command->add_option("--from", options->from, "Only hours starting from then");
    command->add_option("--to", options->to, "... and before then (default a week after --from)");
    tree.OnRun(command, [options](Session& session) { return ListHours(session, *options); });
  }
  {
    auto options = MakeOptions<LabourReportOptions>();
    CLI::App* command = root.add_subcommand(
        "labour-report",
        "Planned against worked per order and per person, and each week against the contract "
        "(OPS)");
    command->add_option("--from", options->from, "Range start, e.g. 2030-05-06")->required();
    command->add_option("--to", options->to, "Range end (excluded; default a week after --from)");
    command->add_option("--order", options->order, "Only this order");
    command->add_option("--crew-member", options->crew_member, "Only this crew member");
    tree.OnRun(command,
               [options](Session& session) { return ShowLabourReport(session, *options); });
  }
  {
    auto options = MakeOptions<PayrollExportOptions>();
    CLI::App* command = root.add_subcommand(
        "payroll-export", "Approved hours of a period as CSV for payroll (ADMIN)");
    command->add_option("--from", options->from, "Range start, e.g. 2030-05-01")->required();
    command->add_option("--to", options->to, "Range end (excluded), e.g. 2030-06-01")->required();
    command->add_option("-o,--output", options->output, "File (default: stdout)");
    tree.OnRun(command,
               [options](Session& session) { return SavePayrollExport(session, *options); });
  }
}

}  // namespace salesops::cli
