#include "services/common/failpoint.h"

#include <absl/strings/numbers.h>
#include <absl/strings/str_split.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace salesops::common {
namespace {

struct FailAction {
  bool exit = false;  // else sleep
  int sleep_ms = 0;
  int on_hit = 1;  // exits the on_hit-th time it is reached
  std::atomic<int> hits{0};
};

std::map<std::string, FailAction, std::less<>>& Table() {
  static auto* table = new std::map<std::string, FailAction, std::less<>>();
  return *table;
}

[[noreturn]] void BadEntry(const std::string& entry) {
  std::fprintf(stderr,
               "SALESOPS_FAILPOINTS: cannot read \"%s\"; write name=exit, name=exit@N or "
               "name=sleep:MILLISECONDS\n",
               entry.c_str());
  std::_Exit(2);
}

void Parse(const char* text) {
  // (Debian's Abseil has its own string_view: strings throughout.)
  for (const std::string& whole :
       std::vector<std::string>(absl::StrSplit(text, ',', absl::SkipWhitespace()))) {
    std::pair<std::string, std::string> parts = absl::StrSplit(whole, absl::MaxSplits('=', 1));
    if (parts.first.empty()) BadEntry(whole);
    FailAction& action = Table()[parts.first];
    const std::string& what = parts.second;
    if (what.rfind("exit", 0) == 0) {
      action.exit = true;
      if (what.size() > 4 && (what[4] != '@' || !absl::SimpleAtoi(what.substr(5), &action.on_hit) ||
                              action.on_hit < 1)) {
        BadEntry(whole);
      }
    } else if (what.rfind("sleep:", 0) == 0) {
      if (!absl::SimpleAtoi(what.substr(6), &action.sleep_ms) || action.sleep_ms < 0) {
        BadEntry(whole);
      }
    } else {
      BadEntry(whole);
    }
  }
}

std::once_flag loaded;

}  // namespace

void LoadFailpoints() {
  std::call_once(loaded, [] {
    if (const char* text = std::getenv("SALESOPS_FAILPOINTS"); text != nullptr) Parse(text);
  });
}

void Failpoint(std::string_view name) {
  LoadFailpoints();
  auto found = Table().find(name);
  if (found == Table().end()) return;
  FailAction& action = found->second;
  if (action.exit) {
    if (action.hits.fetch_add(1) + 1 < action.on_hit) return;
    // What a crash looks like: no destructors, no flush beyond this line, no graceful stop.
    const std::string line =
        "{\"event\":\"failpoint_exit\",\"failpoint\":\"" + std::string(name) + "\"}\n";
    [[maybe_unused]] ssize_t written = ::write(2, line.data(), line.size());
    std::_Exit(137);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(action.sleep_ms));
}

}  // namespace salesops::common
