#include "services/scheduling/crew_skills.h"

#include <algorithm>

#include "services/common/skill_codes.h"

namespace salesops::scheduling {

Minutes SkillValidUntil(const v1::HeldSkill& held, const std::string& zone_id) {
  const google::type::Date& day = held.certificate_expiry_day();
  if (day.year() == 0) return kForever;
  absl::TimeZone zone = absl::UTCTimeZone();
  if (!zone_id.empty() && !absl::LoadTimeZone(zone_id, &zone)) zone = absl::UTCTimeZone();
  absl::Time starts = absl::FromCivil(absl::CivilDay(day.year(), day.month(), day.day()), zone);
  return absl::ToUnixSeconds(starts) / 60;
}

void NormalizeSkills(v1::CrewMember& member, absl::Time now) {
  if (member.held_skills().empty()) {
    for (int skill : member.skills()) {
      std::string code = common::LegacySkillCode(static_cast<v1::Skill>(skill));
      bool held = std::any_of(member.held_skills().begin(), member.held_skills().end(),
                              [&](const v1::HeldSkill& h) { return h.skill_code() == code; });
      if (!code.empty() && !held) member.add_held_skills()->set_skill_code(code);
    }
  }
  member.clear_skills();
  const Minutes now_minute = absl::ToUnixSeconds(now) / 60;
  for (v1::HeldSkill& held : *member.mutable_held_skills()) {
    held.set_level(std::max(held.level(), 1));
    held.set_certificate_expired(SkillValidUntil(held, member.zone_id()) <= now_minute);
    v1::Skill legacy = common::LegacySkillOf(held.skill_code());
    if (legacy != v1::SKILL_UNSPECIFIED) member.add_skills(legacy);
  }
}

std::vector<HeldSkill> SolverSkillsOf(const v1::CrewMember& member) {
  std::vector<HeldSkill> skills;
  for (const v1::HeldSkill& held : member.held_skills()) {
    skills.push_back({held.skill_code(), std::max(held.level(), 1),
                      SkillValidUntil(held, member.zone_id())});
  }
  return skills;
}

}  // namespace salesops::scheduling
