#include "cli/held_skills.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

#include <vector>

#include "cli/output.h"
#include "cli/pricing_spec.h"

namespace salesops::cli {

std::string HeldSkillText(const v1::HeldSkill& held) {
  std::string text = held.skill_code();
  if (held.level() > 1) absl::StrAppend(&text, "/", held.level());
  if (held.has_certificate_expiry_day()) {
    absl::StrAppend(&text, "@", FormatDay(held.certificate_expiry_day()));
  }
  if (held.certificate_expired()) absl::StrAppend(&text, " (expired)");
  return text;
}

std::string HeldSkillsText(const v1::CrewMember& member) {
  std::vector<std::string> parts;
  for (const v1::HeldSkill& held : member.held_skills()) parts.push_back(HeldSkillText(held));
  if (parts.empty()) {
    for (int skill : member.skills()) parts.push_back(EnumWord(static_cast<v1::Skill>(skill)));
  }
  return parts.empty() ? "-" : absl::StrJoin(parts, ", ");
}

std::string CertificateState(const v1::HeldSkill& held, absl::CivilDay today) {
  if (!held.has_certificate_expiry_day()) return "-";
  if (held.certificate_expired()) return "EXPIRED";
  const google::type::Date& date = held.certificate_expiry_day();
  const int64_t days_left = absl::CivilDay(date.year(), date.month(), date.day()) - today;
  if (days_left <= 0) return "expires today";
  if (days_left == 1) return "expires tomorrow";
  if (days_left <= 30) return absl::StrCat("expires in ", days_left, " days");
  return "valid";
}

}  // namespace salesops::cli
