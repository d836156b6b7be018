#pragma once

#include <string>

#include "cli/bulk_import.h"
#include "cli/exit_codes.h"
#include "cli/session.h"

namespace salesops::cli {

// What a directory import did. Unlike the catalog's, it goes on past a bad row: directory rows
// do not depend on each other, and a spreadsheet of a few hundred clients with one typo should
// not need a run per typo. Each failed row is reported on stderr (file, row as a spreadsheet
// numbers it, the column or field and what is wrong) and counted.
struct DirectoryImportReport {
  ImportCounts counts;
  int failed = 0;
  // The exit code of the first row that failed (kExitOk when none did): what the whole
  // import exits with.
  ExitCode first_failure = kExitOk;
};

// CSV with a header row naming the columns, in any order (directory_fields.h spells the
// values). Organisations: name*, the OrganisationFields() columns and the contact_* columns
// (one contact per row); a row whose external_id is an existing organisation's updates it, a
// row without one updates the organisation of that name (ignoring case) that has no external id
// either, and otherwise one is created. Venues: name*, the VenueFields() columns and venue_id; a
// row updates the venue venue_id names, else the one venue of exactly that name (ignoring case),
// else creates one. An update changes only the columns with a value, and a row that would
// change nothing writes nothing; each write's request_id comes from the row (ImportRequestId),
// so running a file twice writes once. Returns an exit code only for a file that cannot be
// read at all; row failures are in `report`.
ExitCode ImportOrganisations(Session& session, const std::string& path,
                             DirectoryImportReport* report);
ExitCode ImportVenues(Session& session, const std::string& path, DirectoryImportReport* report);

}  // namespace salesops::cli
