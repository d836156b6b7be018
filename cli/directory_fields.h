#pragma once

#include <absl/status/status.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "salesops/v1/directory.pb.h"

namespace salesops::cli {

// The directory's records as people type them: one text per property, spelled the same as a
// flag (`--tax-status reverse-charge`) and as a CSV column (`tax_status`), so `org update` and
// `org import` set a record alike. Texts a record does not take are refused here, naming the
// column; what only the service knows (a known time zone, a billing contact too many) is its
// to refuse, field by field.
template <typename Record>
struct TextField {
  // The CSV column; the flag is the same with dashes.
  std::string column;
  std::string help;
  // The request field it sets, below the record ("tax_id"), so a violation names the flag.
  std::string proto_field;
  std::function<absl::Status(const std::string& text, Record& record)> set;
};

// name, external_id, tax_id, tax_status (standard|reverse-charge|exempt), payment_days (whole
// days), payment_terms (as printed), default_pricelist, notes, and the billing address:
// address_lines (lines separated by ';'), postal_code, locality, administrative_area,
// region_code (CLDR, "DE").
const std::vector<TextField<v1::Organisation>>& OrganisationFields();
// name, the address (as for organisations), zone_id, access_notes, loading_notes, power,
// parking_notes, height_limit_cm, dock_hours ("mon-fri 07:00-18:00; sat 08:00-12:00", in
// zone_id's local time), travel_times ("BER-1=40m HAM-1=3h"), notes.
const std::vector<TextField<v1::DirectoryVenue>>& VenueFields();

// Sets every field whose text is not empty; a bad text is INVALID_ARGUMENT naming its column.
// An empty text leaves the field as it is.
template <typename Record>
absl::Status ApplyTexts(const std::vector<TextField<Record>>& fields,
                        const std::map<std::string, std::string>& texts, Record& record) {
  for (const TextField<Record>& field : fields) {
    auto text = texts.find(field.column);
    if (text == texts.end() || text->second.empty()) continue;
    if (absl::Status status = field.set(text->second, record); !status.ok()) {
      return absl::InvalidArgumentError(field.column + ": " + std::string(status.message()));
    }
  }
  return absl::OkStatus();
}

// contact_name, contact_email, contact_phone, contact_job_title, contact_billing (yes|no):
// the contact with that email (case-insensitive), else that name, gets the texts given; with
// neither, a new contact is added. contact_billing yes makes it the only billing contact.
extern const std::vector<std::string> kContactColumns;
absl::Status ApplyContactTexts(const std::map<std::string, std::string>& texts,
                               v1::Organisation& organisation);

// The spellings the fields read, for tables and `show`.
std::string FormatDockHours(const google::protobuf::RepeatedPtrField<v1::DockWindow>& windows);
std::string FormatTravelTimes(
    const google::protobuf::RepeatedPtrField<v1::WarehouseTravel>& travel_times);
std::string FormatAddress(const google::type::PostalAddress& address);

// The request_id of an import's write: derived from what is written (`kind`, the row's texts)
// and what it is written over (the record's id and etag, empty for a create), so that running
// the same file again sends the same ids and the service answers the first run's writes
// instead of writing twice.
std::string ImportRequestId(const std::string& kind,
                            const std::map<std::string, std::string>& texts,
                            const std::string& record_id, const std::string& etag);

}  // namespace salesops::cli
