#include "services/order_intake/directory_rules.h"

#include <absl/strings/ascii.h>
#include <absl/strings/match.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <absl/time/time.h>

#include <algorithm>
#include <map>
#include <set>

#include "salesops/v1/vocabulary.pb.h"
#include "services/common/validation.h"

namespace salesops::order_intake {
namespace {

using common::FieldViolation;

constexpr int64_t kDaySeconds = 24 * 3600;
constexpr int64_t kMaxPaymentDays = 365;
constexpr int64_t kMaxTravelSeconds = 48 * 3600;
// google.type.PostalAddress carries no length annotations of its own.
constexpr int kMaxAddressLines = 10;
constexpr size_t kMaxAddressText = 200;

int64_t Seconds(const google::protobuf::Duration& duration) { return duration.seconds(); }
bool WholeMinutes(const google::protobuf::Duration& duration) {
  return duration.nanos() == 0 && duration.seconds() % 60 == 0;
}

void CheckAddressText(const std::string& text, const std::string& field,
                      std::vector<FieldViolation>& violations) {
  if (text.size() > kMaxAddressText) {
    violations.push_back({field, absl::StrCat("is ", text.size(), " bytes long; at most ",
                                              kMaxAddressText, " are allowed")});
  } else if (!common::IsPlainText(text)) {
    violations.push_back({field, "holds control characters or is not UTF-8"});
  }
}

void CheckAddress(const google::type::PostalAddress& address, const std::string& field,
                  std::vector<FieldViolation>& violations) {
  if (address.address_lines_size() > kMaxAddressLines) {
    violations.push_back(
        {field + ".address_lines",
         absl::StrCat("has ", address.address_lines_size(), " lines; at most ", kMaxAddressLines)});
  } else {
    for (int i = 0; i < address.address_lines_size(); ++i) {
      CheckAddressText(address.address_lines(i), absl::StrCat(field, ".address_lines[", i, "]"),
                       violations);
    }
  }
  if (address.recipients_size() > kMaxAddressLines) {
    violations.push_back({field + ".recipients", absl::StrCat("at most ", kMaxAddressLines)});
  } else {
    for (int i = 0; i < address.recipients_size(); ++i) {
      CheckAddressText(address.recipients(i), absl::StrCat(field, ".recipients[", i, "]"),
                       violations);
    }
  }
  const std::pair<const std::string*, const char*> parts[] = {
      {&address.region_code(), "region_code"},
      {&address.language_code(), "language_code"},
      {&address.postal_code(), "postal_code"},
      {&address.sorting_code(), "sorting_code"},
      {&address.administrative_area(), "administrative_area"},
      {&address.locality(), "locality"},
      {&address.sublocality(), "sublocality"},
      {&address.organization(), "organization"}};
  for (const auto& [text, name] : parts) {
    CheckAddressText(*text, absl::StrCat(field, ".", name), violations);
  }
}

// The limits directory.proto declares, read from it so the two cannot drift apart.
template <typename Record>
uint32_t MaxItems(const char* field) {
  return Record::descriptor()->FindFieldByName(field)->options().GetExtension(v1::max_items);
}
template <typename Record>
uint32_t MaxLength(const char* field) {
  return Record::descriptor()->FindFieldByName(field)->options().GetExtension(v1::max_length);
}

// The survivor's notes with `line` appended on a line of its own; LIMIT_REACHED when they
// would no longer fit.
template <typename Record>
absl::Status AppendNotesLine(Record& survivor, const std::string& line) {
  std::string notes = survivor.notes();
  if (!notes.empty() && notes.back() != '\n') notes += '\n';
  notes += line;
  if (notes.size() > MaxLength<Record>("notes")) {
    return common::BusinessRefusal(
        v1::LIMIT_REACHED,
        absl::StrCat(RecordIdOf(survivor), "'s notes would grow past ", MaxLength<Record>("notes"),
                     " bytes with the merge's line; shorten them first"));
  }
  survivor.set_notes(std::move(notes));
  return absl::OkStatus();
}

std::string MergedLine(const std::string& kind, const std::string& duplicate_id,
                       const std::string& duplicate_name, const google::protobuf::Timestamp& now) {
  return absl::StrCat(
      absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(now.seconds()), absl::UTCTimeZone()),
      ": merged ", kind, " ", duplicate_id, " (", duplicate_name, ") into this one");
}

void FillBlank(std::string* survivor, const std::string& duplicate) {
  if (survivor->empty()) *survivor = duplicate;
}

}  // namespace

std::vector<FieldViolation> OrganisationViolations(const v1::Organisation& organisation,
                                                   const std::string& field) {
  std::vector<FieldViolation> violations;
  if (organisation.tax_status() == v1::TAX_STATUS_REVERSE_CHARGE && organisation.tax_id().empty()) {
    violations.push_back(
        {field + ".tax_id", "is required for reverse charge: the invoice must show it"});
  }
  const std::string& currency = organisation.currency();
  if (!currency.empty() &&
      (currency.size() != 3 || !std::all_of(currency.begin(), currency.end(),
                                            [](char c) { return c >= 'A' && c <= 'Z'; }))) {
    violations.push_back(
        {field + ".currency", "is an ISO 4217 code: three capital letters, like EUR"});
  }
  if (organisation.has_payment_terms() && organisation.payment_terms().has_due_after()) {
    const google::protobuf::Duration& due = organisation.payment_terms().due_after();
    if (due.nanos() != 0 || Seconds(due) % kDaySeconds != 0 || Seconds(due) < 0 ||
        Seconds(due) > kMaxPaymentDays * kDaySeconds) {
      violations.push_back({field + ".payment_terms.due_after",
                            absl::StrCat("must be whole days, 0 to ", kMaxPaymentDays)});
    }
  }
  CheckAddress(organisation.billing_address(), field + ".billing_address", violations);
  std::set<std::string> ids;
  int billing = 0;
  for (int i = 0; i < organisation.contacts_size(); ++i) {
    const v1::Contact& contact = organisation.contacts(i);
    const std::string at = absl::StrCat(field, ".contacts[", i, "]");
    if (contact.billing() && ++billing == 2) {
      violations.push_back({at + ".billing", "only one contact can be the billing contact"});
    }
    if (!contact.contact_id().empty() && !ids.insert(contact.contact_id()).second) {
      violations.push_back({at + ".contact_id", "names a contact already listed"});
    }
  }
  return violations;
}

std::vector<FieldViolation> ContactIdViolations(const v1::Organisation& wanted,
                                                const v1::Organisation& current,
                                                const std::string& field) {
  std::set<std::string> known;
  for (const v1::Contact& contact : current.contacts()) known.insert(contact.contact_id());
  std::vector<FieldViolation> violations;
  for (int i = 0; i < wanted.contacts_size(); ++i) {
    const std::string& id = wanted.contacts(i).contact_id();
    if (!id.empty() && !known.contains(id)) {
      violations.push_back({absl::StrCat(field, ".contacts[", i, "].contact_id"),
                            absl::StrCat("is not a contact of ", current.organisation_id(),
                                         "; leave it empty for a new contact")});
    }
  }
  return violations;
}

std::vector<FieldViolation> VenueViolations(const v1::DirectoryVenue& venue,
                                            const std::string& field) {
  std::vector<FieldViolation> violations;
  CheckAddress(venue.address(), field + ".address", violations);
  if (venue.dock_hours_size() > 0 || !venue.zone_id().empty()) {
    absl::TimeZone zone;
    if (venue.zone_id().empty()) {
      violations.push_back({field + ".zone_id", "is required with dock_hours (local times)"});
    } else if (!LoadZoneByName(venue.zone_id(), &zone)) {
      violations.push_back({field + ".zone_id", "is not a known IANA time zone"});
    }
  }
  // Per weekday: (start, end, index) of each well-formed window.
  std::map<int, std::vector<std::tuple<int64_t, int64_t, int>>> by_day;
  for (int i = 0; i < venue.dock_hours_size(); ++i) {
    const v1::DockWindow& window = venue.dock_hours(i);
    const std::string at = absl::StrCat(field, ".dock_hours[", i, "]");
    const int64_t start = Seconds(window.start_offset());
    const int64_t end = Seconds(window.end_offset());
    if (!WholeMinutes(window.start_offset()) || start < 0 || start >= kDaySeconds) {
      violations.push_back({at + ".start_offset", "must be whole minutes from 0 to below 24 h"});
    } else if (!WholeMinutes(window.end_offset()) || end <= start || end > kDaySeconds) {
      violations.push_back(
          {at + ".end_offset", "must be whole minutes after start_offset, at most 24 h"});
    } else {
      by_day[window.weekday()].emplace_back(start, end, i);
    }
  }
  for (auto& [weekday, windows] : by_day) {
    std::sort(windows.begin(), windows.end());
    for (size_t k = 1; k < windows.size(); ++k) {
      if (std::get<0>(windows[k]) < std::get<1>(windows[k - 1])) {
        violations.push_back({absl::StrCat(field, ".dock_hours[", std::get<2>(windows[k]), "]"),
                              absl::StrCat("overlaps dock_hours[", std::get<2>(windows[k - 1]),
                                           "] on the same weekday")});
      }
    }
  }
  std::set<std::string> warehouses;
  for (int i = 0; i < venue.travel_times_size(); ++i) {
    const v1::WarehouseTravel& travel = venue.travel_times(i);
    const std::string at = absl::StrCat(field, ".travel_times[", i, "]");
    if (!warehouses.insert(travel.warehouse_id()).second) {
      violations.push_back({at + ".warehouse_id", "names a warehouse already listed"});
    }
    const int64_t seconds = Seconds(travel.travel_time());
    if (seconds <= 0 && travel.travel_time().nanos() <= 0) {
      violations.push_back({at + ".travel_time", "must be more than 0"});
    } else if (seconds > kMaxTravelSeconds ||
               (seconds == kMaxTravelSeconds && travel.travel_time().nanos() > 0)) {
      violations.push_back({at + ".travel_time", "must be at most 48 h"});
    }
  }
  return violations;
}

void SortDockHours(v1::DirectoryVenue& venue) {
  auto* windows = venue.mutable_dock_hours();
  std::sort(windows->begin(), windows->end(), [](const v1::DockWindow& a, const v1::DockWindow& b) {
    if (a.weekday() != b.weekday()) return a.weekday() < b.weekday();
    return a.start_offset().seconds() < b.start_offset().seconds();
  });
}

bool LoadZoneByName(const std::string& name, absl::TimeZone* zone) {
  if (name.empty() || name.size() > 64) return false;
  bool part_start = true;
  for (char c : name) {
    if (c == '/') {
      if (part_start) return false;  // a leading '/' (a path) or an empty part
      part_start = true;
      continue;
    }
    const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    const bool allowed = letter || (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-';
    // A part starts with a letter (so never "." or ".."), as every zone name does.
    if (!allowed || (part_start && !letter)) return false;
    part_start = false;
  }
  return !part_start && absl::LoadTimeZone(name, zone);
}

absl::Status CheckRecordEtag(const std::string& kind, const std::string& id,
                             const std::string& current_etag, const std::string& etag) {
  if (etag == current_etag) return absl::OkStatus();
  return common::ReasonedError(
      absl::StatusCode::kAborted, v1::STALE_REVISION,
      absl::StrCat(kind, " ", id, " is at etag ", current_etag, "; read it again and retry"));
}

const std::string& RecordIdOf(const v1::Organisation& organisation) {
  return organisation.organisation_id();
}
const std::string& RecordIdOf(const v1::DirectoryVenue& venue) { return venue.venue_id(); }

absl::Status CheckNotMerged(const std::string& kind, const std::string& id,
                            const std::string& merged_into_id, const std::string& field) {
  if (merged_into_id.empty()) return absl::OkStatus();
  return common::UnknownReferenceError(
      {{field, absl::StrCat(kind, " ", id, " was merged into ", merged_into_id,
                            " and is no longer edited; use ", merged_into_id)}},
      v1::INVALID_REQUEST);
}

std::vector<FieldViolation> SelfMergeViolations(const std::string& id,
                                                const std::string& duplicate_id,
                                                const std::string& duplicate_field) {
  if (id != duplicate_id) return {};
  return {{duplicate_field, "names the record merged into: a record cannot be merged into itself"}};
}

absl::Status MergeOrganisationInto(v1::Organisation& survivor, const v1::Organisation& duplicate,
                                   const google::protobuf::Timestamp& now) {
  std::map<std::string, v1::Contact*> by_email;
  bool has_billing = false;
  for (v1::Contact& contact : *survivor.mutable_contacts()) {
    if (!contact.email().empty())
      by_email.emplace(absl::AsciiStrToLower(contact.email()), &contact);
    has_billing = has_billing || contact.billing();
  }
  std::vector<std::string> moved, folded;
  for (const v1::Contact& contact : duplicate.contacts()) {
    auto same = contact.email().empty() ? by_email.end()
                                        : by_email.find(absl::AsciiStrToLower(contact.email()));
    if (same != by_email.end()) {
      v1::Contact& kept = *same->second;
      FillBlank(kept.mutable_job_title(), contact.job_title());
      FillBlank(kept.mutable_phone(), contact.phone());
      FillBlank(kept.mutable_notes(), contact.notes());
      folded.push_back(absl::StrCat(contact.contact_id(), " into ", kept.contact_id()));
      continue;
    }
    v1::Contact& added = *survivor.add_contacts();
    added = contact;
    // At most one billing contact: the survivor's stays it.
    if (has_billing) added.set_billing(false);
    has_billing = has_billing || added.billing();
    moved.push_back(contact.contact_id());
  }
  if (static_cast<uint32_t>(survivor.contacts_size()) > MaxItems<v1::Organisation>("contacts")) {
    return common::BusinessRefusal(
        v1::LIMIT_REACHED,
        absl::StrCat(survivor.organisation_id(), " would have ", survivor.contacts_size(),
                     " contacts with ", duplicate.organisation_id(), "'s; at most ",
                     MaxItems<v1::Organisation>("contacts"), ": remove some first"));
  }
  std::string line = MergedLine("organisation", duplicate.organisation_id(), duplicate.name(), now);
  if (!moved.empty()) absl::StrAppend(&line, "; contacts moved: ", absl::StrJoin(moved, ", "));
  if (!folded.empty()) {
    absl::StrAppend(&line, "; same email, folded: ", absl::StrJoin(folded, ", "));
  }
  return AppendNotesLine(survivor, line);
}

absl::Status MergeVenueInto(v1::DirectoryVenue& survivor, const v1::DirectoryVenue& duplicate,
                            const google::protobuf::Timestamp& now) {
  FillBlank(survivor.mutable_access_notes(), duplicate.access_notes());
  FillBlank(survivor.mutable_loading_notes(), duplicate.loading_notes());
  FillBlank(survivor.mutable_power(), duplicate.power());
  FillBlank(survivor.mutable_parking_notes(), duplicate.parking_notes());
  if (survivor.height_limit_cm() == 0) survivor.set_height_limit_cm(duplicate.height_limit_cm());
  // Dock hours are in their zone: taken together, and only when the survivor has neither.
  if (survivor.dock_hours().empty() && survivor.zone_id().empty()) {
    *survivor.mutable_dock_hours() = duplicate.dock_hours();
    survivor.set_zone_id(duplicate.zone_id());
  }
  std::set<std::string> warehouses;
  for (const v1::WarehouseTravel& travel : survivor.travel_times()) {
    warehouses.insert(travel.warehouse_id());
  }
  for (const v1::WarehouseTravel& travel : duplicate.travel_times()) {
    if (warehouses.insert(travel.warehouse_id()).second) *survivor.add_travel_times() = travel;
  }
  if (static_cast<uint32_t>(survivor.travel_times_size()) >
      MaxItems<v1::DirectoryVenue>("travel_times")) {
    return common::BusinessRefusal(
        v1::LIMIT_REACHED, absl::StrCat(survivor.venue_id(), " would have travel times from ",
                                        survivor.travel_times_size(), " warehouses; at most ",
                                        MaxItems<v1::DirectoryVenue>("travel_times")));
  }
  return AppendNotesLine(survivor,
                         MergedLine("venue", duplicate.venue_id(), duplicate.name(), now));
}

const v1::Contact* ContactFor(const v1::Organisation& organisation, const std::string& contact_id,
                              const std::string& folded_email) {
  for (const v1::Contact& candidate : organisation.contacts()) {
    if (contact_id.empty() ? candidate.billing() : candidate.contact_id() == contact_id) {
      return &candidate;
    }
  }
  for (const v1::Contact& candidate : organisation.contacts()) {
    if (!folded_email.empty() && absl::EqualsIgnoreCase(candidate.email(), folded_email)) {
      return &candidate;
    }
  }
  return nullptr;
}

v1::Venue OrderVenueFrom(const v1::DirectoryVenue& directory_venue) {
  v1::Venue venue;
  venue.set_name(directory_venue.name());
  *venue.mutable_address() = directory_venue.address();
  venue.set_access_notes(common::TruncateText(directory_venue.access_notes(), 2000));
  venue.set_loading_dock_notes(common::TruncateText(directory_venue.loading_notes(), 2000));
  for (const v1::WarehouseTravel& travel : directory_venue.travel_times()) {
    if (!venue.has_travel_time() || travel.travel_time() < venue.travel_time()) {
      *venue.mutable_travel_time() = travel.travel_time();
    }
  }
  return venue;
}

}  // namespace salesops::order_intake
