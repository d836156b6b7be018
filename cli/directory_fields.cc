#include "cli/directory_fields.h"

#include <absl/strings/ascii.h>
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

#include <algorithm>

#include "cli/input_parsing.h"
#include "cli/output.h"
#include "services/common/sha256.h"

namespace salesops::cli {
namespace {

constexpr int64_t kDaySeconds = 24 * 3600;

// The address fields, alike for an organisation's billing address and a venue's address.
template <typename Record>
void AddAddressFields(std::vector<TextField<Record>>& fields, const std::string& proto_field,
                      google::type::PostalAddress* (Record::*address)()) {
  auto part = [&](const std::string& column, const std::string& help,
                  std::string* (google::type::PostalAddress::*text_of)()) {
    fields.push_back({column, help, proto_field + "." + column,
                      [address, text_of](const std::string& text, Record& record) {
                        *((record.*address)()->*text_of)() = text;
                        return absl::OkStatus();
                      }});
  };
  fields.push_back({"address_lines", "Street lines, separated by ';'",
                    proto_field + ".address_lines",
                    [address](const std::string& text, Record& record) {
                      google::type::PostalAddress* lines = (record.*address)();
                      lines->clear_address_lines();
                      for (const std::string& line : SplitWords(text, ";\n")) {
                        lines->add_address_lines(line);
                      }
                      return absl::OkStatus();
                    }});
  part("postal_code", "Postal code", &google::type::PostalAddress::mutable_postal_code);
  part("locality", "City or town", &google::type::PostalAddress::mutable_locality);
  part("administrative_area", "State or region",
       &google::type::PostalAddress::mutable_administrative_area);
  part("region_code", "Country, CLDR code: DE, AT, GB",
       &google::type::PostalAddress::mutable_region_code);
}

// A text field set as typed.
template <typename Record>
TextField<Record> Text(const std::string& column, const std::string& help,
                       std::string* (Record::*text_of)()) {
  // (The mutable_ accessor: protobuf's setters are overloaded.)
  return {column, help, column, [text_of](const std::string& text, Record& record) {
            *(record.*text_of)() = text;
            return absl::OkStatus();
          }};
}

absl::StatusOr<int64_t> WholeNumber(const std::string& text) {
  int64_t value = 0;
  if (!absl::SimpleAtoi(text, &value)) {
    return absl::InvalidArgumentError("'" + text + "' is not a whole number");
  }
  return value;
}

absl::StatusOr<bool> YesNoText(const std::string& text) {
  const std::string word = absl::AsciiStrToLower(text);
  if (word == "yes" || word == "true") return true;
  if (word == "no" || word == "false") return false;
  return absl::InvalidArgumentError("'" + text + "' is not yes or no");
}

std::vector<TextField<v1::Organisation>> MakeOrganisationFields() {
  using v1::Organisation;
  std::vector<TextField<Organisation>> fields = {
      Text("name", "The organisation's name", &Organisation::mutable_name),
      Text("external_id", "Its id in the CRM or accounting system (import matches on it)",
           &Organisation::mutable_external_id),
      Text("tax_id", "VAT number as the authority writes it: DE123456789",
           &Organisation::mutable_tax_id),
      {"tax_status", "standard, reverse-charge (needs the tax id) or exempt", "tax_status",
       [](const std::string& text, Organisation& organisation) {
         absl::StatusOr<v1::TaxStatus> status = ParseEnum<v1::TaxStatus>(text);
         if (!status.ok()) return status.status();
         organisation.set_tax_status(*status);
         return absl::OkStatus();
       }},
      {"payment_days", "Invoices due this many whole days after their date (0: on receipt)",
       "payment_terms.due_after",
       [](const std::string& text, Organisation& organisation) {
         absl::StatusOr<int64_t> days = WholeNumber(text);
         if (!days.ok()) return days.status();
         organisation.mutable_payment_terms()->mutable_due_after()->set_seconds(*days *
                                                                                kDaySeconds);
         return absl::OkStatus();
       }},
      {"payment_terms", "Payment terms as printed: '30 days net'", "payment_terms.description",
       [](const std::string& text, Organisation& organisation) {
         organisation.mutable_payment_terms()->set_description(text);
         return absl::OkStatus();
       }},
      Text("default_pricelist", "The price list its quotes use",
           &Organisation::mutable_default_pricelist),
      Text("currency", "ISO 4217 code its quotes are in (EUR, GBP); empty: the company's",
           &Organisation::mutable_currency),
      Text("notes", "Notes", &Organisation::mutable_notes),
  };
  AddAddressFields(fields, "billing_address", &Organisation::mutable_billing_address);
  return fields;
}

std::vector<TextField<v1::DirectoryVenue>> MakeVenueFields() {
  using v1::DirectoryVenue;
  std::vector<TextField<DirectoryVenue>> fields = {
      Text("name", "The venue's name", &DirectoryVenue::mutable_name)};
  AddAddressFields(fields, "address", &DirectoryVenue::mutable_address);
  std::vector<TextField<DirectoryVenue>> more = {
      Text("zone_id", "IANA time zone of the dock hours: Europe/Berlin",
           &DirectoryVenue::mutable_zone_id),
      Text("access_notes", "How to get in", &DirectoryVenue::mutable_access_notes),
      Text("loading_notes", "Dock, ramp, forklift", &DirectoryVenue::mutable_loading_notes),
      Text("power", "As an electrician writes it: '2 x 63 A CEE'", &DirectoryVenue::mutable_power),
      Text("parking_notes", "Where trucks and crew park", &DirectoryVenue::mutable_parking_notes),
      {"height_limit_cm", "Lowest clearance on the way to the dock, cm", "height_limit_cm",
       [](const std::string& text, DirectoryVenue& venue) {
         absl::StatusOr<int64_t> centimetres = WholeNumber(text);
         if (!centimetres.ok()) return centimetres.status();
         if (*centimetres < 0 || *centimetres > 10000) {
           return absl::InvalidArgumentError("must be 0 to 10000");
         }
         venue.set_height_limit_cm(static_cast<int32_t>(*centimetres));
         return absl::OkStatus();
       }},
      {"dock_hours", "Weekly dock windows: 'mon-fri 07:00-18:00; sat 08:00-12:00'", "dock_hours",
       [](const std::string& text, DirectoryVenue& venue) {
         absl::StatusOr<std::vector<v1::WorkShift>> windows = ParseShifts(text);
         if (!windows.ok()) return windows.status();
         venue.clear_dock_hours();
         for (const v1::WorkShift& shift : *windows) {
           v1::DockWindow& window = *venue.add_dock_hours();
           window.set_weekday(shift.weekday());
           *window.mutable_start_offset() = shift.start_offset();
           window.mutable_end_offset()->set_seconds(shift.start_offset().seconds() +
                                                    shift.shift_duration().seconds());
         }
         // In the order the service keeps them, so an unchanged row compares equal.
         std::sort(venue.mutable_dock_hours()->begin(), venue.mutable_dock_hours()->end(),
                   [](const v1::DockWindow& a, const v1::DockWindow& b) {
                     return std::make_pair(a.weekday(), a.start_offset().seconds()) <
                            std::make_pair(b.weekday(), b.start_offset().seconds());
                   });
         return absl::OkStatus();
       }},
      {"travel_times", "Travel from each warehouse: 'BER-1=40m HAM-1=3h'", "travel_times",
       [](const std::string& text, DirectoryVenue& venue) {
         venue.clear_travel_times();
         for (const std::string& word : SplitWords(text)) {
           const size_t equals = word.find('=');
           if (equals == std::string::npos) {
             return absl::InvalidArgumentError("'" + word + "' is not WAREHOUSE=DURATION");
           }
           absl::StatusOr<google::protobuf::Duration> travel =
               ParseDuration(word.substr(equals + 1));
           if (!travel.ok()) return travel.status();
           v1::WarehouseTravel& entry = *venue.add_travel_times();
           entry.set_warehouse_id(word.substr(0, equals));
           *entry.mutable_travel_time() = *travel;
         }
         return absl::OkStatus();
       }},
      Text("notes", "Notes", &DirectoryVenue::mutable_notes),
  };
  fields.insert(fields.end(), more.begin(), more.end());
  return fields;
}

}  // namespace

const std::vector<TextField<v1::Organisation>>& OrganisationFields() {
  static const auto* fields =
      new std::vector<TextField<v1::Organisation>>(MakeOrganisationFields());
  return *fields;
}

const std::vector<TextField<v1::DirectoryVenue>>& VenueFields() {
  static const auto* fields = new std::vector<TextField<v1::DirectoryVenue>>(MakeVenueFields());
  return *fields;
}

const std::vector<std::string> kContactColumns = {"contact_name", "contact_email", "contact_phone",
                                                  "contact_job_title", "contact_billing"};

absl::Status ApplyContactTexts(const std::map<std::string, std::string>& texts,
                               v1::Organisation& organisation) {
  auto text = [&](const std::string& column) {
    auto found = texts.find(column);
    return found == texts.end() ? std::string() : found->second;
  };
  const std::string name = text("contact_name"), email = text("contact_email");
  if (name.empty() && email.empty()) return absl::OkStatus();
  v1::Contact* contact = nullptr;
  for (v1::Contact& existing : *organisation.mutable_contacts()) {
    const bool same = !email.empty()
                          ? absl::AsciiStrToLower(existing.email()) == absl::AsciiStrToLower(email)
                          : existing.name() == name;
    if (same) contact = &existing;
  }
  if (contact == nullptr) contact = organisation.add_contacts();
  if (!name.empty()) contact->set_name(name);
  if (!email.empty()) contact->set_email(email);
  if (!text("contact_phone").empty()) contact->set_phone(text("contact_phone"));
  if (!text("contact_job_title").empty()) contact->set_job_title(text("contact_job_title"));
  if (!text("contact_billing").empty()) {
    absl::StatusOr<bool> billing = YesNoText(text("contact_billing"));
    if (!billing.ok()) {
      return absl::InvalidArgumentError("contact_billing: " +
                                        std::string(billing.status().message()));
    }
    if (*billing) {
      for (v1::Contact& other : *organisation.mutable_contacts()) other.set_billing(false);
    }
    contact->set_billing(*billing);
  }
  return absl::OkStatus();
}

std::string FormatDockHours(const google::protobuf::RepeatedPtrField<v1::DockWindow>& windows) {
  google::protobuf::RepeatedPtrField<v1::WorkShift> shifts;
  for (const v1::DockWindow& window : windows) {
    v1::WorkShift& shift = *shifts.Add();
    shift.set_weekday(window.weekday());
    *shift.mutable_start_offset() = window.start_offset();
    shift.mutable_shift_duration()->set_seconds(window.end_offset().seconds() -
                                                window.start_offset().seconds());
  }
  return FormatShifts(shifts);
}

std::string FormatTravelTimes(
    const google::protobuf::RepeatedPtrField<v1::WarehouseTravel>& travel_times) {
  std::vector<std::string> parts;
  for (const v1::WarehouseTravel& travel : travel_times) {
    parts.push_back(travel.warehouse_id() + "=" + FormatDuration(travel.travel_time()));
  }
  return absl::StrJoin(parts, " ");
}

std::string FormatAddress(const google::type::PostalAddress& address) {
  std::vector<std::string> parts(address.address_lines().begin(), address.address_lines().end());
  std::string place = absl::StrJoin({address.postal_code(), address.locality()}, " ");
  if (!absl::StripAsciiWhitespace(place).empty()) parts.push_back(place);
  if (!address.region_code().empty()) parts.push_back(address.region_code());
  return parts.empty() ? "-" : absl::StrJoin(parts, ", ");
}

std::string ImportRequestId(const std::string& kind,
                            const std::map<std::string, std::string>& texts,
                            const std::string& record_id, const std::string& etag) {
  std::string content = absl::StrCat(kind, "\n", record_id, "\n", etag, "\n");
  // Column and value lengths first, so no two rows can run together into one content.
  for (const auto& [column, text] : texts) {
    absl::StrAppend(&content, column.size(), ":", column, text.size(), ":", text, "\n");
  }
  return absl::StrCat("import-", kind, "-", common::Sha256Hex(content).substr(0, 40));
}

}  // namespace salesops::cli
