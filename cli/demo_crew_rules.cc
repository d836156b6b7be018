#include "cli/demo_crew_rules.h"

#include <absl/strings/str_cat.h>
#include <google/protobuf/util/message_differencer.h>
#include <yaml-cpp/yaml.h>

#include <map>

#include "cli/input_parsing.h"
#include "cli/scheduling_stub.h"
#include "cli/yaml_file.h"

namespace salesops::cli {
namespace {

// The rules as the file wants them: `rules` (the service's) with every key the file names set.
absl::Status ApplyCrewRulesFile(const std::string& path, const std::string& default_currency,
                                v1::CrewRules& rules) {
  absl::StatusOr<YAML::Node> read = ReadYamlFile(path);
  if (!read.ok()) return read.status();
  YAML::Node root = *read;
  if (!root.IsMap()) return absl::InvalidArgumentError(path + ": expected the rules by name");
  using DurationField = google::protobuf::Duration* (v1::CrewRules::*)();
  const std::map<std::string, DurationField> durations = {
      {"time-off-notice", &v1::CrewRules::mutable_time_off_notice},
      {"longest-time-off", &v1::CrewRules::mutable_longest_self_set_time_off},
      {"offer-reply-within", &v1::CrewRules::mutable_offer_reply_within},
      {"freelance-day", &v1::CrewRules::mutable_freelance_day_duration},
      {"per-diem-from", &v1::CrewRules::mutable_per_diem_from_travel}};
  for (const auto& entry : root) {
    const std::string key = entry.first.as<std::string>();
    const std::string where = path + ": " + key;
    std::string text;
    try {
      text = entry.second.as<std::string>();
    } catch (const YAML::Exception& error) {
      return absl::InvalidArgumentError(where + ": " + error.what());
    }
    if (auto duration = durations.find(key); duration != durations.end()) {
      absl::StatusOr<google::protobuf::Duration> parsed = ParseDuration(text);
      if (!parsed.ok())
        return absl::InvalidArgumentError(where + ": " + parsed.status().ToString());
      *(rules.*duration->second)() = *parsed;
    } else if (key == "night") {
      absl::StatusOr<DailyPeriod> night = ParseDailyPeriod(text);
      if (!night.ok()) return absl::InvalidArgumentError(where + ": " + night.status().ToString());
      *rules.mutable_night_start_offset() = night->start_offset;
      *rules.mutable_night_end_offset() = night->end_offset;
    } else if (key == "per-diem") {
      absl::StatusOr<google::type::Money> per_diem = ParseMoney(text, default_currency);
      if (!per_diem.ok()) {
        return absl::InvalidArgumentError(where + ": " + per_diem.status().ToString());
      }
      *rules.mutable_per_diem() = *per_diem;
    } else if (key == "allow-late-return") {
      if (text != "yes" && text != "no" && text != "true" && text != "false") {
        return absl::InvalidArgumentError(where + ": yes or no, not '" + text + "'");
      }
      rules.set_allow_late_return(text == "yes" || text == "true");
    } else {
      return absl::InvalidArgumentError(
          where +
          ": unknown rule (time-off-notice, longest-time-off, allow-late-return, "
          "offer-reply-within, freelance-day, night, per-diem, per-diem-from)");
    }
  }
  return absl::OkStatus();
}

}  // namespace

ExitCode ImportDemoCrewRules(const ImportContext& context, const std::string& path,
                             ImportCounts* counts) {
  Session& session = *context.session;
  v1::GetCrewRulesResponse existing;
  if (ExitCode code = session.Call(&v1::SchedulingService::Stub::GetCrewRules,
                                   v1::GetCrewRulesRequest(), &existing);
      code != kExitOk) {
    return code;
  }
  v1::CrewRules held = existing.rules();
  held.clear_etag();
  held.clear_update_time();
  v1::CrewRules wanted = held;
  if (absl::Status applied = ApplyCrewRulesFile(path, context.default_currency, wanted);
      !applied.ok()) {
    return ReportBadInput(std::string(applied.message()));
  }
  if (google::protobuf::util::MessageDifferencer::Equals(wanted, held)) {
    ++counts->unchanged;
    return kExitOk;
  }
  v1::UpdateCrewRulesRequest request;
  request.set_etag(existing.rules().etag());
  *request.mutable_rules() = wanted;
  v1::UpdateCrewRulesResponse response;
  if (ExitCode code =
          session.Call(&v1::SchedulingService::Stub::UpdateCrewRules, request, &response);
      code != kExitOk) {
    return code;
  }
  ++counts->updated;
  return kExitOk;
}

}  // namespace salesops::cli
