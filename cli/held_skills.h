#pragma once

// The skills a crew member holds, in the words of `crew` and `skills` tables: the spelling
// --skill takes (RIGGER/2@2031-03-31), and how a certificate stands.
#include <absl/time/civil_time.h>

#include <string>

#include "salesops/v1/scheduling.pb.h"

namespace salesops::cli {

// "RIGGER/2@2031-03-31" ("/1" left out), then " (expired)" once the certificate has run out.
std::string HeldSkillText(const v1::HeldSkill& held);

// Every skill the member holds, comma-separated; the superseded enum words ("video") when an
// older server answered none; "-" for none at all.
std::string HeldSkillsText(const v1::CrewMember& member);

// How a certificate stands for planning: "EXPIRED" (the service's verdict, in the member's
// zone), "expires today", "expires tomorrow", "expires in 12 days" within 30 days, "valid";
// "-" for a skill held without one.
std::string CertificateState(const v1::HeldSkill& held, absl::CivilDay today);

}  // namespace salesops::cli
