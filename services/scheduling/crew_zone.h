#pragma once

// A crew member's zone (CrewMember.zone_id) as every reader of it sees it: their shifts' day,
// their certificates' expiry day, their calendar feed's times, their night for surcharges.
#include <absl/time/time.h>

#include <string>

namespace salesops::scheduling {

// The IANA zone named, by name only: never a path (the name comes from a stored record, and the
// zone loader reads files). UTC when the name is empty, not a zone name, or unknown.
absl::TimeZone CrewZoneOf(const std::string& zone_id);

}  // namespace salesops::scheduling
