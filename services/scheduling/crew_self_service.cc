#include "services/scheduling/crew_self_service.h"

#include <algorithm>
#include <ctime>
#include <utility>
#include <vector>

#include "google/rpc/error_details.pb.h"
#include "services/common/errors.h"
#include "services/scheduling/labour_cost.h"

namespace salesops::scheduling {
namespace {

constexpr int64_t kSecondsPerDay = 24 * 3600;

// "14 days", "36 h", "90 min" for the rules in messages people read.
std::string RuleDurationText(int64_t seconds) {
  if (seconds % kSecondsPerDay == 0) {
    const int64_t days = seconds / kSecondsPerDay;
    return std::to_string(days) + (days == 1 ? " day" : " days");
  }
  if (seconds % 3600 == 0) return std::to_string(seconds / 3600) + " h";
  return std::to_string((seconds + 59) / 60) + " min";
}

// "2030-05-07 08:00 UTC".
std::string RuleTimeText(int64_t seconds) {
  std::time_t time = seconds;
  std::tm utc{};
  gmtime_r(&time, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M UTC", &utc);
  return text;
}

// A crew rule broken: FAILED_PRECONDITION (the same request may be fine later, or from OPS),
// with the field and the rule named.
absl::Status RuleBroken(const std::string& rule, const std::string& field,
                        const std::string& description) {
  absl::Status status =
      common::BusinessRefusal(v1::INVALID_REQUEST, field + ": " + description, {{"rule", rule}});
  google::rpc::BadRequest bad_request;
  auto* violation = bad_request.add_field_violations();
  violation->set_field(field);
  violation->set_description(common::TruncateText(description, common::kMaxViolationTextBytes));
  return common::WithDetail(std::move(status), bad_request);
}

int64_t NoticeSeconds(const v1::CrewRules& rules) {
  return rules.has_time_off_notice() ? rules.time_off_notice().seconds() : 0;
}

int64_t LongestSeconds(const v1::CrewRules& rules) {
  return rules.has_longest_self_set_time_off() ? rules.longest_self_set_time_off().seconds()
                                               : kDefaultLongestSelfSetTimeOffSeconds;
}

// Time off and "other" are the crew member's own to set; sick leave, training and repairs are
// recorded by OPS, who re-plan around them.
bool IsSelfSetKind(v1::UnavailabilityKind kind) {
  return kind == v1::UNAVAILABILITY_KIND_UNSPECIFIED || kind == v1::UNAVAILABILITY_KIND_TIME_OFF ||
         kind == v1::UNAVAILABILITY_KIND_OTHER;
}

}  // namespace

absl::Status NotTheCallersOwn() {
  return common::ReasonedError(
      absl::StatusCode::kPermissionDenied, v1::ROLE_NOT_ALLOWED,
      "a crew member sees and changes only their own schedule, time off and tasks");
}

absl::Status CheckCrewRules(const v1::CrewRules& rules, const std::string& prefix) {
  std::vector<common::FieldViolation> violations;
  // Negative durations are refused by the request check already.
  if (rules.has_time_off_notice() && rules.time_off_notice().seconds() > kLongestCrewRuleSeconds) {
    violations.push_back({prefix + "time_off_notice", "is more than a year"});
  }
  if (rules.has_longest_self_set_time_off()) {
    const int64_t longest = rules.longest_self_set_time_off().seconds();
    if (longest < 60) {
      violations.push_back({prefix + "longest_self_set_time_off",
                            "must be at least a minute; leave it unset for 31 days"});
    } else if (longest > kLongestCrewRuleSeconds) {
      violations.push_back({prefix + "longest_self_set_time_off", "is more than a year"});
    }
  }
  if (rules.has_offer_reply_within()) {
    const int64_t within = rules.offer_reply_within().seconds();
    if (within < 60) {
      violations.push_back({prefix + "offer_reply_within",
                            "must be at least a minute; leave it unset for 24 hours"});
    } else if (within > 30 * 24 * 3600) {
      violations.push_back({prefix + "offer_reply_within", "is more than 30 days"});
    }
  }
  // What people are paid by: the freelance day, the night, per diems.
  for (common::FieldViolation& violation : PayRuleViolations(rules, prefix)) {
    violations.push_back(std::move(violation));
  }
  if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));
  return absl::OkStatus();
}

absl::Status CheckSelfSetTimeOff(const v1::Unavailability& time_off, const v1::CrewRules& rules,
                                 int64_t now_seconds) {
  if (!IsSelfSetKind(time_off.kind())) {
    return common::ReasonedError(absl::StatusCode::kPermissionDenied, v1::ROLE_NOT_ALLOWED,
                                 "crew set TIME_OFF or OTHER for themselves; sick leave and "
                                 "training are recorded by OPS");
  }
  const int64_t start = time_off.window().not_before().seconds();
  const int64_t end = time_off.window().no_later_than().seconds();
  const int64_t notice = NoticeSeconds(rules);
  if (start < now_seconds + notice) {
    return RuleBroken(
        "time_off_notice", "unavailability.window.not_before",
        notice == 0
            ? std::string("is in the past; time off you set yourself starts from now on")
            : "is inside the notice period (CrewRules.time_off_notice: " +
                  RuleDurationText(notice) + "): time off you set yourself starts no sooner than " +
                  RuleTimeText(now_seconds + notice) + "; ask OPS for sooner");
  }
  const int64_t longest = LongestSeconds(rules);
  if (end - start > longest) {
    return RuleBroken("longest_self_set_time_off", "unavailability.window.no_later_than",
                      "makes it longer than time off you set yourself may be "
                      "(CrewRules.longest_self_set_time_off: " +
                          RuleDurationText(longest) + "); ask OPS for longer, or set it in parts");
  }
  return absl::OkStatus();
}

absl::Status CheckSelfRemovedTimeOff(const v1::Unavailability& time_off, const v1::CrewRules& rules,
                                     int64_t now_seconds) {
  if (!IsSelfSetKind(time_off.kind())) {
    return common::ReasonedError(absl::StatusCode::kPermissionDenied, v1::ROLE_NOT_ALLOWED,
                                 "sick leave and training are OPS's to remove");
  }
  const int64_t start = time_off.window().not_before().seconds();
  const int64_t end = time_off.window().no_later_than().seconds();
  if (end <= now_seconds) {
    return RuleBroken("time_off_over", "unavailability_id",
                      "this time off is over and stays on record");
  }
  const int64_t notice = NoticeSeconds(rules);
  if (start < now_seconds + notice && !rules.allow_late_return()) {
    return RuleBroken(
        "allow_late_return", "unavailability_id",
        "this time off has started or is inside the notice period (CrewRules.time_off_notice: " +
            RuleDurationText(notice) +
            ") and the crew rules do not allow coming back early on your own "
            "(CrewRules.allow_late_return); ask OPS");
  }
  return absl::OkStatus();
}

bool IsAssignedTo(const v1::Task& task, const std::string& crew_member_id) {
  return !crew_member_id.empty() &&
         std::any_of(task.assignments().begin(), task.assignments().end(),
                     [&](const v1::Assignment& assignment) {
                       return assignment.crew_member_id() == crew_member_id;
                     });
}

void KeepOnlyOwn(v1::GetScheduleResponse& schedule, const std::string& crew_member_id) {
  auto* entries = schedule.mutable_entries();
  entries->erase(std::remove_if(entries->begin(), entries->end(),
                                [&](const v1::ScheduleEntry& entry) {
                                  return !IsAssignedTo(entry.task(), crew_member_id);
                                }),
                 entries->end());
  for (v1::ScheduleEntry& entry : *entries) {
    auto* assignments = entry.mutable_task()->mutable_assignments();
    assignments->erase(std::remove_if(assignments->begin(), assignments->end(),
                                      [&](const v1::Assignment& assignment) {
                                        return assignment.crew_member_id() != crew_member_id;
                                      }),
                       assignments->end());
    // The solver's explanation names everyone placed on the task, so it stays with OPS; why the
    // task is at risk stays readable in at_risk_reason.
    for (v1::Assignment& assignment : *assignments) assignment.clear_explanation();
    entry.mutable_task()->clear_at_risk_explanation();
    entry.clear_assignment();
    if (!assignments->empty()) *entry.mutable_assignment() = assignments->Get(0);
  }
  auto* loads = schedule.mutable_crew_loads();
  loads->erase(std::remove_if(loads->begin(), loads->end(),
                              [&](const v1::CrewLoad& load) {
                                return load.crew_member_id() != crew_member_id;
                              }),
               loads->end());
  auto* periods = schedule.mutable_unavailability();
  periods->erase(std::remove_if(periods->begin(), periods->end(),
                                [&](const v1::Unavailability& period) {
                                  return period.crew_member_id() != crew_member_id;
                                }),
                 periods->end());
}

}  // namespace salesops::scheduling
