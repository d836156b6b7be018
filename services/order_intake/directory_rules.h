#pragma once

#include <absl/status/status.h>
#include <absl/time/time.h>
#include <google/protobuf/timestamp.pb.h>

#include <string>
#include <vector>

#include "salesops/v1/directory.pb.h"
#include "services/common/errors.h"

namespace salesops::order_intake {

// The directory's rules beyond what the proto annotations declare (common::ValidateRequest
// checks those). `field` is the record's path in the request ("organisation", "venue").

// Reverse charge needs a tax id; payment due 0..365 whole days; at most one billing contact;
// contact ids unique; the billing address bounded.
std::vector<common::FieldViolation> OrganisationViolations(const v1::Organisation& organisation,
                                                           const std::string& field);

// Contacts that keep an id must be contacts of `current` already (ids are the server's).
std::vector<common::FieldViolation> ContactIdViolations(const v1::Organisation& wanted,
                                                        const v1::Organisation& current,
                                                        const std::string& field);

// Dock hours: each window inside its day, whole minutes, start before end, no two of one
// weekday overlapping; a known IANA zone when there are dock hours. Travel: each warehouse
// once, more than 0 and at most 48 h. The address bounded.
std::vector<common::FieldViolation> VenueViolations(const v1::DirectoryVenue& venue,
                                                    const std::string& field);

// The venue with its dock hours in order (weekday, then start), as stored.
void SortDockHours(v1::DirectoryVenue& venue);

// ABORTED, STALE_REVISION, unless `etag` is the record's current one.
// Loads the IANA time zone `name` ("Europe/Berlin", "UTC", "America/Port-au-Prince"). Abseil
// reads a zone from a file named after it, and would open an absolute or "../" path as it is
// (a FIFO there could stall the call): a name from a caller is only ever a zone's name, letters,
// digits, '_', '+' and '-' in '/'-separated parts, at most 64 bytes; anything else is false.
bool LoadZoneByName(const std::string& name, absl::TimeZone* zone);

absl::Status CheckRecordEtag(const std::string& kind, const std::string& id,
                             const std::string& current_etag, const std::string& etag);

const std::string& RecordIdOf(const v1::Organisation& organisation);
const std::string& RecordIdOf(const v1::DirectoryVenue& venue);

// A record merged into another is kept for what refers to it but no longer edited:
// FAILED_PRECONDITION (INVALID_REQUEST, a violation on `field`, the request field that named
// it) when `merged_into_id` is set.
absl::Status CheckNotMerged(const std::string& kind, const std::string& id,
                            const std::string& merged_into_id, const std::string& field);

// INVALID_REQUEST on `duplicate_field` when a record would be merged into itself.
std::vector<common::FieldViolation> SelfMergeViolations(const std::string& id,
                                                        const std::string& duplicate_id,
                                                        const std::string& duplicate_field);

// Fold `duplicate` into `survivor` as MergeOrganisationsRequest and MergeVenuesRequest
// (directory.proto) describe; `now` dates the line added to the survivor's notes. Only the
// survivor changes. FAILED_PRECONDITION (LIMIT_REACHED) when the survivor would hold more
// contacts, or longer notes, than directory.proto allows.
absl::Status MergeOrganisationInto(v1::Organisation& survivor, const v1::Organisation& duplicate,
                                   const google::protobuf::Timestamp& now);
absl::Status MergeVenueInto(v1::DirectoryVenue& survivor, const v1::DirectoryVenue& duplicate,
                            const google::protobuf::Timestamp& now);

// The contact an order names at `organisation`: the one with `contact_id` (or, when a merge
// folded that contact into another, the one with `folded_email`); with no contact_id, the
// billing contact. Null when there is none.
const v1::Contact* ContactFor(const v1::Organisation& organisation, const std::string& contact_id,
                              const std::string& folded_email);

// What an order carries of a directory venue: its name, address and notes (cut to the order's
// limits), and the shortest travel time it lists from a warehouse.
v1::Venue OrderVenueFrom(const v1::DirectoryVenue& directory_venue);

}  // namespace salesops::order_intake
