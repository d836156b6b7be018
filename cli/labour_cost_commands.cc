// labour-cost and margin (issue 20; README "What people cost"): what the planned crew of an order
// cost, each person on each task with their surcharges, travel and per diems (scheduling, ADMIN),
// and the on-site part of it against what the quote charges for crew (order-intake, ADMIN only).
#include <absl/strings/str_format.h>
#include <absl/strings/str_join.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/command_tree.h"
#include "cli/order_intake_stub.h"
#include "cli/output.h"
#include "cli/scheduling_stub.h"

namespace salesops::cli {
namespace {

// A part of a person's time that may be none: "1h30m", or "-" for none.
std::string HoursOrDash(const google::protobuf::Duration& duration) {
  return duration.seconds() == 0 ? "-" : FormatHours(duration);
}

// Each person on each task as scheduling costs them; with `explain`, how each cost was reached
// under the table (too long for a column).
void PrintLabourCostLines(const google::protobuf::RepeatedPtrField<v1::LabourCostLine>& lines,
                          bool explain) {
  Table table({"task", "kind", "person", "employment", "work", "beyond", "night", "travel",
               "per diems", "cost"});
  for (const v1::LabourCostLine& line : lines) {
    table.AddRow({line.task_id(), EnumWord(line.task_kind()), line.crew_member_id(),
                  line.employment() == v1::EMPLOYMENT_FREELANCER ? "freelancer" : "employee",
                  FormatHours(line.work_duration()), HoursOrDash(line.beyond_shift_duration()),
                  HoursOrDash(line.night_duration()), HoursOrDash(line.travel_duration()),
                  line.per_diem_count() == 0 ? "-" : std::to_string(line.per_diem_count()),
                  line.has_cost() ? FormatMoney(line.cost()) : "no rate"});
  }
  if (table.empty()) {
    std::cout << "Nobody planned on it yet.\n";
    return;
  }
  table.Print();
  if (!explain) return;
  std::cout << "\nHow:\n";
  for (const v1::LabourCostLine& line : lines) {
    if (line.explanation().empty()) continue;
    std::cout << "  " << line.task_id() << " " << line.crew_member_id() << ": "
              << line.explanation() << "\n";
  }
}

// What is not in the cost: places nobody fills yet, and people without a rate.
void PrintLeftOut(const google::protobuf::Duration& unstaffed,
                  const google::protobuf::RepeatedPtrField<std::string>& unpriced) {
  if (unstaffed.seconds() > 0) {
    std::cout << "Not staffed yet: " << FormatHours(unstaffed)
              << " of crew time, not in the cost\n";
  }
  if (!unpriced.empty()) {
    std::cout << "Without a rate (their lines cost nothing): " << absl::StrJoin(unpriced, ", ")
              << "\n";
  }
}

struct LabourCostOptions {
  std::vector<std::string> order_ids;
  bool explain = false;
};

ExitCode ShowLabourCosts(Session& session, const LabourCostOptions& options) {
  v1::GetLabourCostsRequest request;
  for (const std::string& id : options.order_ids) request.add_order_ids(id);
  session.SetFieldFlags({{"order_ids", "ORDER_ID"}});
  v1::GetLabourCostsResponse response;
  if (ExitCode code =
          session.Call(&v1::SchedulingService::Stub::GetLabourCosts, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    bool first = true;
    for (const v1::OrderLabourCost& order : response.orders()) {
      if (!first) std::cout << "\n";
      first = false;
      if (!order.planned()) {
        std::cout << "Order " << order.order_id() << ": not planned (scheduling has no job)\n";
        continue;
      }
      std::cout << "Order " << order.order_id() << "\n";
      PrintLabourCostLines(order.lines(), options.explain);
      std::vector<std::string> totals;
      for (const google::type::Money& total : order.cost_totals()) {
        totals.push_back(FormatMoney(total));
      }
      std::cout << "Cost: " << (totals.empty() ? "-" : absl::StrJoin(totals, " + ")) << "\n";
      PrintLeftOut(order.unstaffed_crew_time(), order.unpriced_crew_member_ids());
    }
  });
}

// 283000 millionths -> "28.3 %".
std::string MarginPercentText(int64_t millionths) {
  return absl::StrFormat("%.1f %%", static_cast<double>(millionths) / 10000.0);
}

struct MarginOptions {
  std::string order_id;
  bool explain = false;
};

ExitCode ShowLabourMargin(Session& session, const MarginOptions& options) {
  v1::GetLabourMarginRequest request;
  request.set_order_id(options.order_id);
  session.SetFieldFlags({{"order_id", "ORDER_ID"}});
  v1::GetLabourMarginResponse response;
  if (ExitCode code =
          session.Call(&v1::OrderIntakeService::Stub::GetLabourMargin, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    const v1::LabourMargin& margin = response.margin();
    Details details;
    details.Add("Order", margin.order_id());
    details.Add("Labour price", FormatMoney(margin.labour_price()) + " (the quote's crew lines)");
    details.Add("Labour cost",
                FormatMoney(margin.labour_cost()) +
                    (margin.planned() ? " (setup and strike as planned, with travel and per diems)"
                                      : " (not planned yet)"));
    details.Add("Margin", FormatMoney(margin.margin()) + " (" +
                              MarginPercentText(margin.margin_millionths()) + ")");
    // Warehouse and driving work: the equipment and delivery charges carry it, not the crew lines.
    details.Add("Handling", margin.has_handling_cost()
                                ? FormatMoney(margin.handling_cost()) +
                                      " (warehouse and driving; not in the margin)"
                                : "-");
    details.Add("Not staffed yet",
                margin.unstaffed_crew_time().seconds() > 0
                    ? FormatHours(margin.unstaffed_crew_time()) + " of crew time, not in the cost"
                    : "-");
    details.Print();
    if (!margin.explanation().empty()) std::cout << "\n" << margin.explanation() << "\n";
    if (margin.lines().empty()) return;
    std::cout << "\n";
    PrintLabourCostLines(margin.lines(), options.explain);
  });
}

}  // namespace

void AddLabourCostCommands(CommandTree& tree) {
  CLI::App& root = tree.root();
  {
    auto options = MakeOptions<LabourCostOptions>();
    CLI::App* command = root.add_subcommand(
        "labour-cost",
        "What the planned crew of orders cost: each person on each task at their cost rate or "
        "fee, with surcharges, travel and per diems (ADMIN)");
    command->add_option("order_ids", options->order_ids, "Order ids (up to 200)")->required();
    command->add_flag("--explain", options->explain, "Also how each line's cost was reached");
    tree.OnRun(command, [options](Session& session) { return ShowLabourCosts(session, *options); });
  }
  {
    auto options = MakeOptions<MarginOptions>();
    CLI::App* command = root.add_subcommand(
        "margin",
        "The labour margin of an order: what its quote charges for crew against what the "
        "planned setup and strike cost, in the company's currency; warehouse and driving apart "
        "(ADMIN)");
    command->add_option("order_id", options->order_id, "Order id")->required();
    command->add_flag("--explain", options->explain, "Also how each line's cost was reached");
    tree.OnRun(command,
               [options](Session& session) { return ShowLabourMargin(session, *options); });
  }
}

}  // namespace salesops::cli
