#pragma once

// Skills are codes of the company's skill catalog (issue 20). The seven skills salesops started
// with were an enum, still on the wire for callers written before the catalog; each is the code
// of its name. Every reader goes through SkillCodeOf, every writer through SetSkill, so old and
// new fields never disagree.
#include <string>
#include <string_view>

#include "salesops/v1/vocabulary.pb.h"

namespace salesops::common {

// "AUDIO" for SKILL_AUDIO; "" for SKILL_UNSPECIFIED (and values no build knows).
std::string LegacySkillCode(v1::Skill skill);

// SKILL_AUDIO for "AUDIO"; SKILL_UNSPECIFIED for any code that is not one of the seven.
v1::Skill LegacySkillOf(std::string_view code);

// The skill a message names: its skill_code, else its legacy enum's code ("" for none).
template <typename Message>
std::string SkillCodeOf(const Message& message) {
  return message.skill_code().empty() ? LegacySkillCode(message.skill()) : message.skill_code();
}

// Names the skill in both fields: the code, and the enum when the code is one of the seven.
template <typename Message>
void SetSkill(Message* message, const std::string& code) {
  message->set_skill_code(code);
  message->set_skill(LegacySkillOf(code));
}

// Whether a message that may set both fields sets them to different skills (a request to refuse).
template <typename Message>
bool SkillFieldsDisagree(const Message& message) {
  return !message.skill_code().empty() && message.skill() != v1::SKILL_UNSPECIFIED &&
         LegacySkillCode(message.skill()) != message.skill_code();
}

// The skill in words for explanations: the code in lower case ("video", "grandma3-operator").
std::string SkillWord(std::string_view code);

}  // namespace salesops::common
