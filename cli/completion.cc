// Shell completion, as kubectl and gh offer it: `source <(salesopsctl completion bash)`.
// The script asks salesopsctl itself (`salesopsctl __complete WORDS...`) what may come next,
// so completion always matches the commands and flags of the binary at hand.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/command_tree.h"

namespace salesops::cli {
namespace {

constexpr const char* kBashScript =
    R"bash(# salesopsctl completion for bash: source <(salesopsctl completion bash)
_salesopsctl() {
  local current="${COMP_WORDS[COMP_CWORD]}" candidates
  candidates="$("${COMP_WORDS[0]}" __complete "${COMP_WORDS[@]:1:COMP_CWORD-1}" 2>/dev/null)"
  COMPREPLY=($(compgen -W "$candidates" -- "$current"))
}
complete -o default -F _salesopsctl salesopsctl
)bash";

CLI::App* Subcommand(CLI::App& app, const std::string& name) {
  std::vector<CLI::App*> found =
      app.get_subcommands([&](CLI::App* sub) { return sub->check_name(name); });
  return found.empty() ? nullptr : found.front();
}

void PrintFlags(const CLI::App& app) {
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& name : option->get_lnames()) std::cout << "--" << name << "\n";
  }
}

}  // namespace

int CompleteWords(CLI::App& root, const std::vector<std::string>& words) {
  CLI::App* current = &root;
  for (const std::string& word : words) {
    if (word.empty() || word[0] == '-') continue;
    if (CLI::App* sub = Subcommand(*current, word)) current = sub;
  }
  for (CLI::App* sub : current->get_subcommands([](CLI::App*) { return true; })) {
    std::cout << sub->get_name() << "\n";
  }
  PrintFlags(*current);
  if (current != &root) PrintFlags(root);  // the global flags go anywhere on the line
  return 0;
}

void AddCompletionCommands(CommandTree& tree) {
  CLI::App* completion = tree.AddGroup(tree.root(), "completion", "Shell completion scripts");
  CLI::App* bash = completion->add_subcommand(
      "bash", "Print the bash completion script: source <(salesopsctl completion bash)");
  tree.OnRun(bash, [](Session&) {
    std::cout << kBashScript;
    return kExitOk;
  });
}

}  // namespace salesops::cli
