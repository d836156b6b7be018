#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cli/exit_codes.h"
#include "cli/session.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace salesops::cli {

// What a leaf command does once the command line is parsed and the settings
// are resolved. It prints its own answer and returns the exit code.
using Action = std::function<ExitCode(Session&)>;

// The salesopsctl command tree: each command group adds its subcommands here
// and says, per leaf, what to run. Parsing only records the chosen action, so
// every flag error is reported before any call is made.
class CommandTree {
 public:
  explicit CommandTree(CLI::App& root) : root_(root) {}

  CLI::App& root() { return root_; }

  // A group of subcommands (`catalog`, `crew`): needs one of them.
  CLI::App* AddGroup(CLI::App& parent, const std::string& name, const std::string& description);

  // Runs `action` when `command` is the one chosen.
  void OnRun(CLI::App* command, Action action);
  // For a command that acts itself when given no subcommand (`notifications`
  // lists, `notifications ack` acknowledges).
  void OnRunWithoutSubcommand(CLI::App* command, Action action);

  const Action& chosen() const { return chosen_; }

 private:
  CLI::App& root_;
  Action chosen_;
};

// Options that outlive parsing: each command keeps its flags' targets in one
// of these, shared with its action.
template <typename Options>
std::shared_ptr<Options> MakeOptions() {
  return std::make_shared<Options>();
}

// The command groups, one file each, in the words both teams use.
void AddCatalogCommands(CommandTree& tree);       // catalog_commands.cc
void AddCrewCommands(CommandTree& tree);          // crew_commands.cc: crew, vehicles
void AddSkillCommands(CommandTree& tree);         // skill_commands.cc: skills
void AddOfferCommands(CommandTree& tree);         // offer_commands.cc: offers, crew-rules
void AddTimesheetCommands(CommandTree& tree);     // timesheet_commands.cc: hours,
                                                  // labour-report, payroll-export
void AddLabourCostCommands(CommandTree& tree);    // labour_cost_commands.cc: labour-cost, margin
void AddWarehouseCommands(CommandTree& tree);     // warehouse_commands.cc: availability,
                                                  // pullsheet, prep, checkout, checkin, forecast,
                                                  // labels, assets, maintenance-plan
void AddScanCommands(CommandTree& tree);          // scan_commands.cc: scan out|in (a barcode
                                                  // scanner's station)
void AddTransferCommands(CommandTree& tree);      // transfer_commands.cc: warehouse-stock,
                                                  // transfer
void AddStockTakeCommands(CommandTree& tree);     // stock_take_commands.cc: stocktake
void AddScheduleCommands(CommandTree& tree);      // schedule_commands.cc: schedule, prep-plan,
                                                  // task, job
void AddOrderCommands(CommandTree& tree);         // order_commands.cc: quote, feasibility,
                                                  // confirm, amend, cancel, close, order
                                                  // show|list|history, ask, answer, note,
                                                  // ack-change, pipeline
void AddNotificationCommands(CommandTree& tree);  // notification_commands.cc: notifications,
                                                  // subscribe-webhook, dead-letters
void AddDirectoryCommands(CommandTree& tree);     // directory_commands.cc: org, contact, venue
void AddPricingCommands(CommandTree& tree);       // pricing_commands.cc: rate, pricelist,
                                                  // tax, fx
void AddDocumentCommands(CommandTree& tree);      // document_commands.cc: document, company
void AddInvoiceCommands(CommandTree& tree);       // invoice_commands.cc: send-quote, quote-links,
                                                  // invoice, payment, credit-note, balance
void AddDemoCommands(CommandTree& tree);          // demo_commands.cc: demo load
void AddToolCommands(CommandTree& tree);          // tool_commands.cc: health, call
void AddCompletionCommands(CommandTree& tree);    // completion.cc: completion bash

// What may come after `words` (subcommands, then flags), one per line: the answer to the
// completion script's `salesopsctl __complete WORDS...`.
int CompleteWords(CLI::App& root, const std::vector<std::string>& words);

}  // namespace salesops::cli
