#include "services/common/skill_codes.h"

#include <cctype>

namespace salesops::common {

std::string LegacySkillCode(v1::Skill skill) {
  if (skill == v1::SKILL_UNSPECIFIED || !v1::Skill_IsValid(skill)) return "";
  std::string name = v1::Skill_Name(skill);
  return name.substr(std::string_view("SKILL_").size());
}

v1::Skill LegacySkillOf(std::string_view code) {
  v1::Skill skill = v1::SKILL_UNSPECIFIED;
  if (code.empty() || !v1::Skill_Parse("SKILL_" + std::string(code), &skill)) {
    return v1::SKILL_UNSPECIFIED;
  }
  return skill;
}

std::string SkillWord(std::string_view code) {
  std::string word(code);
  for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return word;
}

}  // namespace salesops::common
