#pragma once

// What a crew member (role CREW, README "Crew self-service") may do and see of their own: the
// rules ADMIN sets for time off they set themselves, and their view of the schedule. Pure
// functions: no gRPC, no database; the time is passed in.
#include <absl/status/status.h>

#include <cstdint>
#include <string>

#include "salesops/v1/scheduling.pb.h"

namespace salesops::scheduling {

// The longest time off a crew member sets in one go while CrewRules leaves it unset.
inline constexpr int64_t kDefaultLongestSelfSetTimeOffSeconds = 31 * 24 * 3600;
// The longest notice and time off ADMIN may ask for: a year.
inline constexpr int64_t kLongestCrewRuleSeconds = 366 * 24 * 3600;

// The one answer a crew member gets for anyone else's data, and for an id that does not exist:
// PERMISSION_DENIED (ROLE_NOT_ALLOWED), the same either way, so nobody can probe which ids exist.
absl::Status NotTheCallersOwn();

// ADMIN's rules as UpdateCrewRules takes them: INVALID_ARGUMENT naming `prefix` + the field
// (e.g. "rules.time_off_notice") for a rule out of bounds, the pay rules included
// (PayRuleViolations).
absl::Status CheckCrewRules(const v1::CrewRules& rules, const std::string& prefix);

// Time off a crew member sets for themselves (their own; the caller checked that), at
// `now_seconds`: TIME_OFF or OTHER only (sick leave and training are OPS's to record), with an
// end, starting no sooner than the notice period after now and no longer than the longest
// period. A rule broken is FAILED_PRECONDITION with a field violation naming the field and the
// rule, and the rule's name in the error's metadata ("rule").
absl::Status CheckSelfSetTimeOff(const v1::Unavailability& time_off, const v1::CrewRules& rules,
                                 int64_t now_seconds);

// A crew member removing time off of their own: the kinds they may set, not yet over, and, once
// inside the notice period (or started), only when the rules allow a late return.
absl::Status CheckSelfRemovedTimeOff(const v1::Unavailability& time_off, const v1::CrewRules& rules,
                                     int64_t now_seconds);

// Whether `crew_member_id` is among the people assigned to `task`.
bool IsAssignedTo(const v1::Task& task, const std::string& crew_member_id);

// `schedule` (GetSchedule's answer for `crew_member_id`) as that member sees it: their own
// entries, each task showing their assignment and nobody else's, without the solver's
// explanations (they name the others), their own workload and time off only.
void KeepOnlyOwn(v1::GetScheduleResponse& schedule, const std::string& crew_member_id);

}  // namespace salesops::scheduling
