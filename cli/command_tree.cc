#include "cli/command_tree.h"

#include <CLI/CLI.hpp>

namespace salesops::cli {

CLI::App* CommandTree::AddGroup(CLI::App& parent, const std::string& name,
                                const std::string& description) {
  CLI::App* group = parent.add_subcommand(name, description);
  group->require_subcommand(1);
  return group;
}

void CommandTree::OnRun(CLI::App* command, Action action) {
  command->callback([this, action = std::move(action)] { chosen_ = action; });
}

void CommandTree::OnRunWithoutSubcommand(CLI::App* command, Action action) {
  command->require_subcommand(0, 1);
  // CLI11 runs a parent's callback after its subcommand's: leave the
  // subcommand's choice alone.
  command->callback([this, command, action = std::move(action)] {
    if (command->get_subcommands().empty()) chosen_ = action;
  });
}

}  // namespace salesops::cli
