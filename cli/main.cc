// salesopsctl: the salesops command line, for people at a terminal and for
// scripts. Subcommands are grouped by the words Sales and Ops both use
// (catalog, crew, availability, pullsheet, schedule, notifications, ...);
// tables by default, --json for scripts, and exit codes that mean something
// (cli/exit_codes.h).
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/client_settings.h"
#include "cli/command_tree.h"
#include "cli/exit_codes.h"
#include "cli/session.h"

namespace salesops::cli {
namespace {

int Main(int argc, char** argv) {
  CLI::App app(
      "salesops command line: quotes and orders, the catalog, stock, crew, schedules and "
      "notifications of the salesops services.\nExit codes: 0 ok, 1 failed, 2 bad input, 3 refused "
      "by a business "
      "rule (or not found), 4 unavailable, 5 not authenticated or not allowed.",
      "salesopsctl");
  app.set_help_flag("-h,--help", "Print this help and exit");
  app.set_help_all_flag("--help-all", "Print help for every command and exit");
  // Global options are accepted after the subcommand too (`catalog items list --json`).
  app.fallthrough();
  app.require_subcommand(1);
  GlobalOptions global;
  AddGlobalOptions(app, global);

  CommandTree tree(app);
  AddCatalogCommands(tree);
  AddWarehouseCommands(tree);
  AddScanCommands(tree);
  AddTransferCommands(tree);
  AddStockTakeCommands(tree);
  AddCrewCommands(tree);
  AddSkillCommands(tree);
  AddOfferCommands(tree);
  AddTimesheetCommands(tree);
  AddLabourCostCommands(tree);
  AddScheduleCommands(tree);
  AddOrderCommands(tree);
  AddDirectoryCommands(tree);
  AddNotificationCommands(tree);
  AddPricingCommands(tree);
  AddDocumentCommands(tree);
  AddInvoiceCommands(tree);
  AddDemoCommands(tree);
  AddToolCommands(tree);
  AddCompletionCommands(tree);

  if (argc > 1 && std::string(argv[1]) == "__complete") {
    return CompleteWords(app, std::vector<std::string>(argv + 2, argv + argc));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return code == 0 ? kExitOk : kExitBadInput;
  }
  if (!tree.chosen()) return ReportBadInput("choose a command; see salesopsctl --help");

  absl::StatusOr<ClientSettings> settings = ResolveSettings(global);
  if (!settings.ok()) return ReportBadInput(std::string(settings.status().message()));
  absl::StatusOr<std::unique_ptr<Session>> session = Session::Create(std::move(*settings));
  if (!session.ok()) return ReportBadInput(std::string(session.status().message()));
  return tree.chosen()(**session);
}

}  // namespace
}  // namespace salesops::cli

int main(int argc, char** argv) { return salesops::cli::Main(argc, argv); }
