#include "services/scheduling/crew_zone.h"

namespace salesops::scheduling {

absl::TimeZone CrewZoneOf(const std::string& zone_id) {
  absl::TimeZone zone = absl::UTCTimeZone();
  if (zone_id.empty() || zone_id.size() > 64) return zone;
  bool part_start = true;
  for (char c : zone_id) {
    if (c == '/') {
      if (part_start) return absl::UTCTimeZone();
      part_start = true;
      continue;
    }
    const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    const bool allowed = letter || (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-';
    if (!allowed || (part_start && !letter)) return absl::UTCTimeZone();
    part_start = false;
  }
  if (part_start || !absl::LoadTimeZone(zone_id, &zone)) return absl::UTCTimeZone();
  return zone;
}

}  // namespace salesops::scheduling
