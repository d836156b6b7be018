// The README's configuration reference against what the binaries accept: every
// flag and environment variable each service and salesopsctl lists in --help is
// in the README's tables, and every one there exists. A new flag fails here
// until it is documented.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "tests/support/test_support.h"

namespace salesops::testing {
namespace {

struct Settings {
  std::set<std::string> flags;  // without the leading --
  std::set<std::string> environment;
  bool operator==(const Settings&) const = default;
};

std::string Joined(const std::set<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += name + " ";
  return text;
}

// Flags from the option lines of CLI11's --help ("  --name TYPE ... (Env:SALESOPS_NAME)").
Settings FromHelp(const std::string& binary_and_args) {
  std::string help;
  EXPECT_EQ(RunCommand(binary_and_args + " --help", &help), 0) << binary_and_args;
  Settings settings;
  std::istringstream lines(help);
  const std::regex option(R"(^\s+(?:-\w,)?--([a-z0-9-]+))");
  const std::regex env(R"(\(Env:(SALESOPS_[A-Z0-9_]+)\))");
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (std::regex_search(line, match, option)) settings.flags.insert(match[1]);
    if (std::regex_search(line, match, env)) settings.environment.insert(match[1]);
  }
  settings.flags.erase("help");
  settings.flags.erase("help-all");
  return settings;
}

// The README's "## Configuration reference": its "### " subsections, each a table whose first
// column is the flag and second the environment variable.
std::map<std::string, Settings> FromReadme() {
  std::ifstream in(std::string(SALESOPS_SOURCE_DIR) + "/README.md");
  std::map<std::string, Settings> sections;
  bool inside = false;
  std::string section;
  const std::regex flag(R"(^`--([a-z0-9-]+)`$)");
  const std::regex env(R"(^`(SALESOPS_[A-Z0-9_]+)`$)");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) inside = line == "## Configuration reference";
    if (!inside) continue;
    if (line.rfind("### ", 0) == 0) section = line.substr(4);
    if (section.empty() || line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    std::stringstream row(line.substr(1));
    for (std::string cell; std::getline(row, cell, '|');) {
      size_t first = cell.find_first_not_of(' '), last = cell.find_last_not_of(' ');
      cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
    }
    std::smatch match;
    if (cells.size() > 0 && std::regex_match(cells[0], match, flag)) {
      sections[section].flags.insert(match[1]);
    }
    if (cells.size() > 1 && std::regex_match(cells[1], match, env)) {
      sections[section].environment.insert(match[1]);
    }
  }
  return sections;
}

TEST(ConfigReferenceTest, ReadmeListsEveryServiceFlagAndVariableAndNoOthers) {
  std::map<std::string, Settings> readme = FromReadme();
  ASSERT_TRUE(readme.count("Every service")) << "no '### Every service' table in the README";
  for (const std::string service : {"inventory", "scheduling", "notification", "order-intake"}) {
    Settings documented = readme["Every service"];
    const Settings& own = readme[service + " only"];
    documented.flags.insert(own.flags.begin(), own.flags.end());
    documented.environment.insert(own.environment.begin(), own.environment.end());
    Settings accepted = FromHelp(ShellQuote(ServiceBinary(service)));
    EXPECT_EQ(Joined(accepted.flags), Joined(documented.flags))
        << "salesops-" << service << " --help (left) against the README's 'Every service' and '"
        << service << " only' tables (right)";
    EXPECT_EQ(Joined(accepted.environment), Joined(documented.environment)) << service;
  }
}

TEST(ConfigReferenceTest, ReadmeListsEverySalesopsctlSetting) {
  std::map<std::string, Settings> readme = FromReadme();
  ASSERT_TRUE(readme.count("salesopsctl")) << "no '### salesopsctl' table in the README";
  Settings accepted = FromHelp(ShellQuote(SalesopsctlBinary()));
  EXPECT_FALSE(accepted.flags.empty());
  EXPECT_EQ(Joined(accepted.flags), Joined(readme["salesopsctl"].flags));
  EXPECT_EQ(Joined(accepted.environment), Joined(readme["salesopsctl"].environment));
}

// `source <(salesopsctl completion bash)` completes from the binary itself: what may follow
// the words typed so far.
TEST(ConfigReferenceTest, CompletionOffersTheCommandsAndFlagsThatFollow) {
  std::string output;
  ASSERT_EQ(RunCommand(ShellQuote(SalesopsctlBinary()) + " __complete order", &output), 0);
  EXPECT_NE(("\n" + output).find("\nshow\n"), std::string::npos) << output;
  EXPECT_NE(output.find("history\n"), std::string::npos) << output;
  ASSERT_EQ(RunCommand(ShellQuote(SalesopsctlBinary()) + " __complete quote --customer X", &output),
            0);
  EXPECT_NE(output.find("--deliver-by\n"), std::string::npos) << output;
  EXPECT_NE(output.find("--token-file\n"), std::string::npos) << output;  // global, too
  EXPECT_EQ(("\n" + output).find("\nshow\n"), std::string::npos) << output;
  ASSERT_EQ(RunCommand(ShellQuote(SalesopsctlBinary()) + " completion bash", &output), 0);
  EXPECT_NE(output.find("complete -o default -F _salesopsctl salesopsctl"), std::string::npos);
}

// The lines of one "### " subsection of the README's configuration reference.
std::string ReadmeSection(const std::string& title) {
  std::ifstream in(std::string(SALESOPS_SOURCE_DIR) + "/README.md");
  std::string text, section;
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) inside = line == "## Configuration reference";
    if (inside && line.rfind("### ", 0) == 0) section = line.substr(4);
    if (inside && section == title) text += line + "\n";
  }
  return text;
}

// The run command's own settings: every SALESOPS_* variable the scripts read with a default
// (`${SALESOPS_X:-...}`) is in the README's "### scripts/run", and so is every argument.
TEST(ConfigReferenceTest, ReadmeListsEveryRunCommandSetting) {
  const std::string readme = ReadmeSection("scripts/run");
  ASSERT_FALSE(readme.empty()) << "no '### scripts/run' in the README's configuration reference";
  const std::regex variable(R"(\$\{(SALESOPS_[A-Z0-9_]+):-)");
  const std::regex argument(R"(^\s+(--[a-z-]+)\))");
  std::set<std::string> read;
  for (const std::string script : {"scripts/run", "scripts/lib/common.sh", "demo/story.sh"}) {
    std::ifstream in(std::string(SALESOPS_SOURCE_DIR) + "/" + script);
    ASSERT_TRUE(in.good()) << script;
    for (std::string line; std::getline(in, line);) {
      for (std::sregex_iterator it(line.begin(), line.end(), variable), end; it != end; ++it) {
        read.insert((*it)[1]);
      }
      std::smatch match;
      if (script == "scripts/run" && std::regex_search(line, match, argument)) {
        read.insert(match[1]);
      }
    }
  }
  EXPECT_GE(read.size(), 8u);
  for (const std::string& setting : read) {
    EXPECT_NE(readme.find("`" + setting + "`"), std::string::npos)
        << setting << " is read by the scripts but not in the README's '### scripts/run'";
  }
}

}  // namespace
}  // namespace salesops::testing
