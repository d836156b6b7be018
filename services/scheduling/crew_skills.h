#pragma once

// A crew member's skills (issue 20) as every reader sees them: held skills of the catalog, with
// levels and certificates that expire. Members written before the catalog hold enum skills;
// they read as held skills at level 1 without a certificate.
#include <absl/status/status.h>
#include <absl/time/time.h>

#include <map>
#include <string>
#include <vector>

#include "salesops/v1/scheduling.pb.h"
#include "services/scheduling/assignment.h"

namespace salesops::scheduling {

// Makes both fields say the same: held_skills from the superseded enum list when held_skills is
// empty, then the enum list from the built-in ones held; levels of 0 read as 1; and
// certificate_expired set for certificates whose expiry day has begun at `now`.
void NormalizeSkills(v1::CrewMember& member, absl::Time now);

// The minute (on the solver's axis: minutes since the Unix epoch) a held skill stops counting:
// the start of its certificate's expiry day in the member's zone (UTC when the zone is unset or
// unknown); kForever without a certificate.
Minutes SkillValidUntil(const v1::HeldSkill& held, const std::string& zone_id);

// The member's skills as the solver reads them (after NormalizeSkills).
std::vector<HeldSkill> SolverSkillsOf(const v1::CrewMember& member);

// Where a request names a skill: a crew need ("crew_needs[1]": its min_level) or a skill a
// member holds ("crew_member.held_skills[0]": its level, and whether it has an expiry day).
struct SkillRef {
  std::string field;
  std::string code;
  int level = 0;
  bool held = false;
  bool has_expiry_day = false;
};

// Every skill a member holds, as SkillRefs.
std::vector<SkillRef> HeldSkillRefs(const v1::CrewMember& member);

// The rule the catalog sets: each code in it (else UNKNOWN_SKILL_CODE, FAILED_PRECONDITION,
// naming every field), each level one of the skill's, and a skill that needs a certificate held
// with its expiry day (else INVALID_ARGUMENT naming the fields). `catalog`: the definitions of
// the codes named that exist.
absl::Status CheckAgainstCatalog(const std::vector<SkillRef>& refs,
                                 const std::map<std::string, v1::SkillDefinition>& catalog);

}  // namespace salesops::scheduling
