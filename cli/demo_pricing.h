#pragma once

#include <absl/status/statusor.h>

#include <string>

#include "cli/bulk_import.h"
#include "cli/session.h"
#include "salesops/v1/order_intake.pb.h"

namespace salesops::cli {

// The directory's record of exactly that name (the demo's files name them as people do):
// NOT_FOUND when there is none.
absl::StatusOr<std::string> OrganisationIdByName(Session& session, const std::string& name);
absl::StatusOr<std::string> VenueIdByName(Session& session, const std::string& name);

// Lets people name the directory's records as they know them: an organisation_id or venue_id
// (the order's and its phases') that is not an id ("org-1001", "venue-1001") is taken for the
// exact name of one, and replaced by its id. INVALID_ARGUMENT naming the flag when none is.
absl::Status ResolveDirectoryNames(Session& session, v1::Order* order);

// The demo's directory: `org import` and `venue import` of its CSV files (directory_import.h).
ExitCode ImportDemoOrganisations(const ImportContext& context, const std::string& path,
                                 ImportCounts* counts);
ExitCode ImportDemoVenues(const ImportContext& context, const std::string& path,
                          ImportCounts* counts);

// The demo's pricing configuration (demo/pricing.yaml), as ADMIN: sections `tax` (class,
// jurisdiction, rate "19 %", name), `rates` (CODE: {rate: "5200 EUR/day factors 1:1,2:0.5",
// class}), `pricelists` (name, organisation by name, first-day, last-day, others "90 %",
// overrides ["CODE=90%", "CODE=<rate>"], notes) and `exchange-rates` (from, to, factor). A
// record equal to one there is left alone, a price list of that name is kept as it is, and each
// write's request_id comes from what it writes, so loading again changes nothing.
ExitCode ImportPricing(const ImportContext& context, const std::string& path, ImportCounts* counts);

}  // namespace salesops::cli
