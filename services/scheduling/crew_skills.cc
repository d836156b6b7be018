#include "services/scheduling/crew_skills.h"

#include <algorithm>

#include "services/common/errors.h"
#include "services/common/skill_codes.h"
#include "services/scheduling/crew_zone.h"

namespace salesops::scheduling {

Minutes SkillValidUntil(const v1::HeldSkill& held, const std::string& zone_id) {
  const google::type::Date& day = held.certificate_expiry_day();
  if (day.year() == 0) return kForever;
  absl::Time starts =
      absl::FromCivil(absl::CivilDay(day.year(), day.month(), day.day()), CrewZoneOf(zone_id));
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
    skills.push_back(
        {held.skill_code(), std::max(held.level(), 1), SkillValidUntil(held, member.zone_id())});
  }
  return skills;
}

std::vector<SkillRef> HeldSkillRefs(const v1::CrewMember& member) {
  std::vector<SkillRef> refs;
  for (int i = 0; i < member.held_skills_size(); ++i) {
    const v1::HeldSkill& held = member.held_skills(i);
    refs.push_back({"crew_member.held_skills[" + std::to_string(i) + "]", held.skill_code(),
                    held.level(), true, held.certificate_expiry_day().year() != 0});
  }
  return refs;
}

absl::Status CheckAgainstCatalog(const std::vector<SkillRef>& refs,
                                 const std::map<std::string, v1::SkillDefinition>& catalog) {
  std::vector<common::FieldViolation> unknown, invalid;
  for (const SkillRef& ref : refs) {
    auto found = catalog.find(ref.code);
    if (found == catalog.end()) {
      unknown.push_back(
          {ref.field + ".skill_code", ref.code + " is not in the skill catalog (ListSkills)"});
      continue;
    }
    const int levels = std::max(found->second.level_names_size(), 1);
    if (ref.level > levels) {
      invalid.push_back({ref.field + (ref.held ? ".level" : ".min_level"),
                         ref.code + " has " + std::to_string(levels) + " level(s)"});
    }
    if (ref.held && found->second.certificate_required() && !ref.has_expiry_day) {
      invalid.push_back({ref.field + ".certificate_expiry_day",
                         "is required: " + ref.code + " needs a certificate"});
    }
  }
  if (!unknown.empty()) return common::UnknownReferenceError(unknown, v1::UNKNOWN_SKILL_CODE);
  if (!invalid.empty()) return common::InvalidArgumentError(invalid);
  return absl::OkStatus();
}

}  // namespace salesops::scheduling
