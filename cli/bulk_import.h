#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "cli/exit_codes.h"
#include "cli/session.h"

namespace salesops::cli {

// What an import did. Imports are idempotent: a row equal to what the service
// already holds is left alone, a different one is updated (with the etag just
// read, so a concurrent edit is not overwritten), a missing one is created.
struct ImportCounts {
  int created = 0;
  int updated = 0;
  int unchanged = 0;
  nlohmann::json ToJson() const;
  std::string ToText() const;  // "3 created, 1 updated, 40 unchanged"
};

// What every import needs besides the file.
struct ImportContext {
  Session* session = nullptr;
  // Day rates without a currency are in this one.
  std::string default_currency = "EUR";
  // When not empty, every warehouse id in the files must be one of these.
  std::set<std::string> warehouses;
};

// CSV columns (header row required; order free):
//   items     inventory_code*, description*, category, quantity_owned, tracking
//             (serialized|bulk), warehouse_id
//   products  product_code*, name*, description, day_rate, components (CODE=N ...),
//             crew_needs (SKILL[/LEVEL]:NxDURATION ...), prep_time (DURATION)
//   skills    skill_code*, name*, levels (names, lowest first, separated by ';'),
//             certificate_required (yes|no), description
//   crew      crew_member_id*, display_name*, skills* (SKILL[/LEVEL][@DAY] ...; a day counted
//             from today, +90d, is counted on the first import and kept after),
//             home_warehouse_id, weekly_shifts (mon-fri 08:00-17:00; ...), contracted_weekly
//             (DURATION), zone_id, person_id, employment (employee|freelancer), day_fee and
//             hour_fee (money: 300 EUR), crew_chief (yes|no), hourly_cost (money),
//             beyond_shift_percent and night_work_percent (whole percent: 50); a file without
//             one of the columns from employment on leaves it as the member has it
//   vehicles  vehicle_id*, display_name*, vehicle_class* (van|box-truck|rigid-truck|
//             articulated-truck), registration, home_warehouse_id
// Each stops at the first bad row, naming the file and row, and returns its exit code.
ExitCode ImportItems(const ImportContext& context, const std::string& path, ImportCounts* counts);
ExitCode ImportProducts(const ImportContext& context, const std::string& path,
                        ImportCounts* counts);
ExitCode ImportSkills(const ImportContext& context, const std::string& path, ImportCounts* counts);
ExitCode ImportCrew(const ImportContext& context, const std::string& path, ImportCounts* counts);
ExitCode ImportVehicles(const ImportContext& context, const std::string& path,
                        ImportCounts* counts);

}  // namespace salesops::cli
