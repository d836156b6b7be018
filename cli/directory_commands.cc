// The directory: org (organisations), contact (an organisation's contacts) and venue. Everyone
// reads; sales and admin edit; ops keep a venue's access and loading notes current (`venue
// notes`). Each edit reads the record first, changes what was given and sends the etag it
// read, so two people editing one record never overwrite each other silently (exit 3).
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <absl/strings/str_replace.h>

#include <CLI/CLI.hpp>
#include <set>

#include "cli/command_tree.h"
#include "cli/directory_fields.h"
#include "cli/directory_import.h"
#include "cli/order_intake_stub.h"
#include "cli/output.h"

namespace salesops::cli {
namespace {

using v1::OrderIntakeService;
using Texts = std::map<std::string, std::string>;

std::string Dashed(const std::string& column) { return absl::StrReplaceAll(column, {{"_", "-"}}); }

std::string OrDash(const std::string& text) { return text.empty() ? "-" : text; }

// One flag per field, each writing its text into `texts` under the field's column.
template <typename Record>
void AddTextFlags(CLI::App* command, const std::vector<TextField<Record>>& fields,
                  const std::shared_ptr<Texts>& texts) {
  for (const TextField<Record>& field : fields) {
    command->add_option("--" + Dashed(field.column), (*texts)[field.column], field.help);
  }
}

// So that a field violation names the flag that sets the field.
template <typename Record>
void NameFlags(Session& session, const std::vector<TextField<Record>>& fields) {
  std::map<std::string, std::string> flags;
  for (const TextField<Record>& field : fields) {
    flags[field.proto_field] = "--" + Dashed(field.column);
  }
  session.SetFieldFlags(flags);
}

struct DirectoryListOptions {
  std::string search, page_token;
  bool include_merged = false;
  int page_size = 0;
};

void AddListFlags(CLI::App* list, DirectoryListOptions& options, const std::string& searched) {
  list->add_option("--search", options.search, "Words in " + searched + " (any case)");
  list->add_flag("--include-merged", options.include_merged,
                 "Also list duplicates merged into another record");
  list->add_option("--page-size", options.page_size,
                   "One page of this many (default: every page, merged)")
      ->check(CLI::Range(1, 1000));
  list->add_option("--page-token", options.page_token, "The page after the one that printed it");
}

// Every page merged, unless a page was asked for.
template <typename Request, typename Response>
ExitCode ListDirectory(Session& session,
                       grpc::Status (OrderIntakeService::Stub::*method)(grpc::ClientContext*,
                                                                        const Request&, Response*),
                       const DirectoryListOptions& options, Response* response) {
  Request request;
  request.set_search(options.search);
  request.set_include_merged(options.include_merged);
  if (options.page_size == 0 && options.page_token.empty()) {
    return session.CallAllPages(method, request, response);
  }
  request.set_page_size(options.page_size);
  request.set_page_token(options.page_token);
  return session.Call(method, request, response);
}

void PrintNextPage(const std::string& token) {
  if (!token.empty()) std::cout << "\nnext page: --page-token " << token << "\n";
}

// `show`'s first lines: the id, where a merged record went, the name.
template <typename Record>
void AddIdentity(Details& details, const Record& record, const std::string& id) {
  details.Add("Id", id);
  if (!record.merged_into_id().empty()) {
    details.Add("Merged into", record.merged_into_id() + " (use that one)");
  }
  details.Add("Name", record.name());
}

// `show`'s last lines.
template <typename Record>
void AddRevision(Details& details, const Record& record) {
  details.Add("Revision", absl::StrCat(record.revision(), " (etag ", record.etag(), ")"));
  details.Add("Updated", FormatTime(record.update_time()));
}

void PrintMergeResult(const std::string& duplicate_id, const std::string& survivor_id,
                      const std::string& notes) {
  std::cout << "merged " << duplicate_id << " into " << survivor_id << "\n";
  // The line the merge added says what moved.
  std::cout << notes.substr(notes.rfind('\n') == std::string::npos ? 0 : notes.rfind('\n') + 1)
            << "\n";
}

// ---------------------------------------------------------------------------------------------
// Organisations.

absl::StatusOr<v1::Organisation> ReadOrganisation(Session& session, const std::string& id,
                                                  ExitCode* exit) {
  v1::GetOrganisationRequest request;
  request.set_organisation_id(id);
  v1::GetOrganisationResponse response;
  *exit = session.Call(&OrderIntakeService::Stub::GetOrganisation, request, &response);
  if (*exit != kExitOk) return absl::NotFoundError(id);
  return response.organisation();
}

void PrintContacts(const v1::Organisation& organisation) {
  Table table({"contact", "name", "job title", "email", "phone", "billing"});
  for (const v1::Contact& contact : organisation.contacts()) {
    table.AddRow({contact.contact_id(), contact.name(), OrDash(contact.job_title()),
                  OrDash(contact.email()), OrDash(contact.phone()), YesNo(contact.billing())});
  }
  table.Print();
}

ExitCode ListOrganisations(Session& session, const DirectoryListOptions& options) {
  v1::ListOrganisationsResponse response;
  if (ExitCode code =
          ListDirectory(session, &OrderIntakeService::Stub::ListOrganisations, options, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    Table table({"id", "name", "external id", "tax id", "tax status", "contacts", "merged into"});
    for (const v1::Organisation& organisation : response.organisations()) {
      table.AddRow(
          {organisation.organisation_id(), organisation.name(), OrDash(organisation.external_id()),
           OrDash(organisation.tax_id()), EnumWord(organisation.tax_status()),
           std::to_string(organisation.contacts_size()), OrDash(organisation.merged_into_id())});
    }
    table.Print();
    PrintNextPage(response.next_page_token());
  });
}

ExitCode ShowOrganisation(Session& session, const std::string& id) {
  ExitCode exit = kExitOk;
  absl::StatusOr<v1::Organisation> read = ReadOrganisation(session, id, &exit);
  if (!read.ok()) return exit;
  v1::GetOrganisationResponse response;
  *response.mutable_organisation() = *read;
  return PrintAnswer(session, response, [&] {
    const v1::Organisation& organisation = response.organisation();
    Details details;
    AddIdentity(details, organisation, organisation.organisation_id());
    details.Add("External id", OrDash(organisation.external_id()));
    details.Add("Tax id", OrDash(organisation.tax_id()));
    details.Add("Tax status", EnumWord(organisation.tax_status()));
    details.Add(
        "Payment terms",
        organisation.has_payment_terms()
            ? absl::StrCat(organisation.payment_terms().due_after().seconds() / 86400, " days (",
                           OrDash(organisation.payment_terms().description()), ")")
            : "-");
    details.Add("Price list", OrDash(organisation.default_pricelist()));
    details.Add("Billing address", FormatAddress(organisation.billing_address()));
    details.Add("Notes", OrDash(organisation.notes()));
    AddRevision(details, organisation);
    details.Print();
    std::cout << "\nContacts:\n";
    PrintContacts(organisation);
  });
}

struct EditOptions {
  std::string id, etag, request_id;
  std::shared_ptr<Texts> texts = std::make_shared<Texts>();
};

ExitCode CreateOrganisation(Session& session, const EditOptions& options) {
  v1::CreateOrganisationRequest request;
  request.set_request_id(options.request_id);
  if (absl::Status applied =
          ApplyTexts(OrganisationFields(), *options.texts, *request.mutable_organisation());
      !applied.ok()) {
    return ReportBadInput("--" + Dashed(std::string(applied.message())));
  }
  NameFlags(session, OrganisationFields());
  v1::CreateOrganisationResponse response;
  if (ExitCode code =
          session.Call(&OrderIntakeService::Stub::CreateOrganisation, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    std::cout << "created " << response.organisation().organisation_id() << " (etag "
              << response.organisation().etag() << ")\n";
  });
}

// Sends `organisation` as the new state of the one read, with the etag given or the one read.
ExitCode WriteOrganisation(Session& session, const v1::Organisation& organisation,
                           const EditOptions& options, v1::UpdateOrganisationResponse* response) {
  v1::UpdateOrganisationRequest request;
  request.set_request_id(options.request_id);
  request.set_organisation_id(organisation.organisation_id());
  request.set_etag(options.etag.empty() ? organisation.etag() : options.etag);
  *request.mutable_organisation() = organisation;
  return session.Call(&OrderIntakeService::Stub::UpdateOrganisation, request, response);
}

ExitCode UpdateOrganisation(Session& session, const EditOptions& options) {
  ExitCode exit = kExitOk;
  absl::StatusOr<v1::Organisation> organisation = ReadOrganisation(session, options.id, &exit);
  if (!organisation.ok()) return exit;
  if (absl::Status applied = ApplyTexts(OrganisationFields(), *options.texts, *organisation);
      !applied.ok()) {
    return ReportBadInput("--" + Dashed(std::string(applied.message())));
  }
  NameFlags(session, OrganisationFields());
  v1::UpdateOrganisationResponse response;
  if (ExitCode code = WriteOrganisation(session, *organisation, options, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    std::cout << "updated " << response.organisation().organisation_id() << " (etag "
              << response.organisation().etag() << ")\n";
  });
}

struct MergeOptions {
  std::string survivor, duplicate, request_id;
};

ExitCode MergeOrganisations(Session& session, const MergeOptions& options) {
  ExitCode exit = kExitOk;
  absl::StatusOr<v1::Organisation> survivor = ReadOrganisation(session, options.survivor, &exit);
  if (!survivor.ok()) return exit;
  absl::StatusOr<v1::Organisation> duplicate = ReadOrganisation(session, options.duplicate, &exit);
  if (!duplicate.ok()) return exit;
  v1::MergeOrganisationsRequest request;
  request.set_request_id(options.request_id);
  request.set_organisation_id(options.survivor);
  request.set_etag(survivor->etag());
  request.set_duplicate_organisation_id(options.duplicate);
  request.set_duplicate_etag(duplicate->etag());
  v1::MergeOrganisationsResponse response;
  if (ExitCode code =
          session.Call(&OrderIntakeService::Stub::MergeOrganisations, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    PrintMergeResult(options.duplicate, options.survivor, response.organisation().notes());
  });
}

// `org import` and `venue import`: counts, and the first failed row's exit code.
ExitCode PrintImport(Session& session, const DirectoryImportReport& report) {
  if (session.json()) {
    nlohmann::json counts = report.counts.ToJson();
    counts["failed"] = report.failed;
    PrintJson(counts);
  } else {
    std::cout << report.counts.ToText() << ", " << report.failed << " failed\n";
  }
  return report.failed > 0 ? report.first_failure : kExitOk;
}

// ---------------------------------------------------------------------------------------------
// Contacts: the organisation read, its contacts changed, and the whole written back under the
// etag read.

struct ContactOptions {
  EditOptions edit;
  std::string contact_id, name, email, phone, job_title, billing, notes;
};

absl::Status ApplyContactFlags(const ContactOptions& options, v1::Contact& contact,
                               v1::Organisation& organisation) {
  if (!options.name.empty()) contact.set_name(options.name);
  if (!options.email.empty()) contact.set_email(options.email);
  if (!options.phone.empty()) contact.set_phone(options.phone);
  if (!options.job_title.empty()) contact.set_job_title(options.job_title);
  if (!options.notes.empty()) contact.set_notes(options.notes);
  if (options.billing.empty()) return absl::OkStatus();
  if (options.billing != "yes" && options.billing != "no") {
    return absl::InvalidArgumentError("--billing: '" + options.billing + "' is not yes or no");
  }
  // At most one billing contact: naming a new one takes it from the old.
  if (options.billing == "yes") {
    for (v1::Contact& other : *organisation.mutable_contacts()) other.set_billing(false);
  }
  contact.set_billing(options.billing == "yes");
  return absl::OkStatus();
}

enum class ContactChange { kAdd, kUpdate, kRemove };

ExitCode ChangeContact(Session& session, const ContactOptions& options, ContactChange change) {
  ExitCode exit = kExitOk;
  absl::StatusOr<v1::Organisation> organisation = ReadOrganisation(session, options.edit.id, &exit);
  if (!organisation.ok()) return exit;
  auto* contacts = organisation->mutable_contacts();
  auto found = std::find_if(contacts->begin(), contacts->end(), [&](const v1::Contact& contact) {
    return contact.contact_id() == options.contact_id;
  });
  if (change != ContactChange::kAdd && found == contacts->end()) {
    return ReportBadInput(options.contact_id + " is not a contact of " + options.edit.id +
                          " (salesopsctl contact list " + options.edit.id + ")");
  }
  if (change == ContactChange::kRemove) {
    contacts->erase(found);
  } else {
    v1::Contact& contact = change == ContactChange::kAdd ? *organisation->add_contacts() : *found;
    if (absl::Status applied = ApplyContactFlags(options, contact, *organisation); !applied.ok()) {
      return ReportBadInput(std::string(applied.message()));
    }
  }
  session.SetFieldFlags({{"contacts.name", "--name"},
                         {"contacts.email", "--email"},
                         {"contacts.phone", "--phone"},
                         {"contacts.job_title", "--job-title"},
                         {"contacts.notes", "--notes"},
                         {"contacts.billing", "--billing"}});
  v1::UpdateOrganisationResponse response;
  if (ExitCode code = WriteOrganisation(session, *organisation, options.edit, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] { PrintContacts(response.organisation()); });
}

ExitCode ListContacts(Session& session, const std::string& organisation_id) {
  ExitCode exit = kExitOk;
  absl::StatusOr<v1::Organisation> organisation = ReadOrganisation(session, organisation_id, &exit);
  if (!organisation.ok()) return exit;
  if (session.json()) {
    PrintJson(ToJson(*organisation)["contacts"]);
  } else {
    PrintContacts(*organisation);
  }
  return kExitOk;
}

// ---------------------------------------------------------------------------------------------
// Venues.

absl::StatusOr<v1::DirectoryVenue> ReadVenue(Session& session, const std::string& id,
                                             ExitCode* exit) {
  v1::GetVenueRequest request;
  request.set_venue_id(id);
  v1::GetVenueResponse response;
  *exit = session.Call(&OrderIntakeService::Stub::GetVenue, request, &response);
  if (*exit != kExitOk) return absl::NotFoundError(id);
  return response.venue();
}

ExitCode ListVenues(Session& session, const DirectoryListOptions& options) {
  v1::ListVenuesResponse response;
  if (ExitCode code =
          ListDirectory(session, &OrderIntakeService::Stub::ListVenues, options, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    Table table({"id", "name", "address", "power", "travel", "merged into"});
    for (const v1::DirectoryVenue& venue : response.venues()) {
      table.AddRow({venue.venue_id(), venue.name(), FormatAddress(venue.address()),
                    OrDash(venue.power()), OrDash(FormatTravelTimes(venue.travel_times())),
                    OrDash(venue.merged_into_id())});
    }
    table.Print();
    PrintNextPage(response.next_page_token());
  });
}

ExitCode ShowVenue(Session& session, const std::string& id) {
  ExitCode exit = kExitOk;
  absl::StatusOr<v1::DirectoryVenue> read = ReadVenue(session, id, &exit);
  if (!read.ok()) return exit;
  v1::GetVenueResponse response;
  *response.mutable_venue() = *read;
  return PrintAnswer(session, response, [&] {
    const v1::DirectoryVenue& venue = response.venue();
    Details details;
    AddIdentity(details, venue, venue.venue_id());
    details.Add("Address", FormatAddress(venue.address()));
    details.Add("Dock hours", venue.dock_hours().empty() ? "-"
                                                         : FormatDockHours(venue.dock_hours()) +
                                                               " (" + venue.zone_id() + ")");
    details.Add("Access", OrDash(venue.access_notes()));
    details.Add("Loading", OrDash(venue.loading_notes()));
    details.Add("Power", OrDash(venue.power()));
    details.Add("Parking", OrDash(venue.parking_notes()));
    details.Add("Height limit",
                venue.height_limit_cm() == 0 ? "-" : absl::StrCat(venue.height_limit_cm(), " cm"));
    details.Add("Travel", OrDash(FormatTravelTimes(venue.travel_times())));
    details.Add("Notes", OrDash(venue.notes()));
    AddRevision(details, venue);
    details.Print();
  });
}

ExitCode CreateVenue(Session& session, const EditOptions& options) {
  v1::CreateVenueRequest request;
  request.set_request_id(options.request_id);
  if (absl::Status applied = ApplyTexts(VenueFields(), *options.texts, *request.mutable_venue());
      !applied.ok()) {
    return ReportBadInput("--" + Dashed(std::string(applied.message())));
  }
  NameFlags(session, VenueFields());
  v1::CreateVenueResponse response;
  if (ExitCode code = session.Call(&OrderIntakeService::Stub::CreateVenue, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    std::cout << "created " << response.venue().venue_id() << " (etag " << response.venue().etag()
              << ")\n";
  });
}

ExitCode UpdateVenue(Session& session, const EditOptions& options) {
  ExitCode exit = kExitOk;
  absl::StatusOr<v1::DirectoryVenue> venue = ReadVenue(session, options.id, &exit);
  if (!venue.ok()) return exit;
  if (absl::Status applied = ApplyTexts(VenueFields(), *options.texts, *venue); !applied.ok()) {
    return ReportBadInput("--" + Dashed(std::string(applied.message())));
  }
  NameFlags(session, VenueFields());
  v1::UpdateVenueRequest request;
  request.set_request_id(options.request_id);
  request.set_venue_id(options.id);
  request.set_etag(options.etag.empty() ? venue->etag() : options.etag);
  *request.mutable_venue() = *venue;
  v1::UpdateVenueResponse response;
  if (ExitCode code = session.Call(&OrderIntakeService::Stub::UpdateVenue, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    std::cout << "updated " << response.venue().venue_id() << " (etag " << response.venue().etag()
              << ")\n";
  });
}

struct VenueNotesOptions {
  EditOptions edit;
  std::optional<std::string> access, loading;
};

ExitCode UpdateVenueNotes(Session& session, const VenueNotesOptions& options) {
  ExitCode exit = kExitOk;
  absl::StatusOr<v1::DirectoryVenue> venue = ReadVenue(session, options.edit.id, &exit);
  if (!venue.ok()) return exit;
  v1::UpdateVenueNotesRequest request;
  request.set_request_id(options.edit.request_id);
  request.set_venue_id(options.edit.id);
  request.set_etag(options.edit.etag.empty() ? venue->etag() : options.edit.etag);
  request.set_access_notes(options.access.value_or(venue->access_notes()));
  request.set_loading_notes(options.loading.value_or(venue->loading_notes()));
  session.SetFieldFlags({{"access_notes", "--access"}, {"loading_notes", "--loading"}});
  v1::UpdateVenueNotesResponse response;
  if (ExitCode code = session.Call(&OrderIntakeService::Stub::UpdateVenueNotes, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    std::cout << "updated the notes of " << response.venue().venue_id() << " (etag "
              << response.venue().etag() << ")\n";
  });
}

ExitCode MergeVenues(Session& session, const MergeOptions& options) {
  ExitCode exit = kExitOk;
  absl::StatusOr<v1::DirectoryVenue> survivor = ReadVenue(session, options.survivor, &exit);
  if (!survivor.ok()) return exit;
  absl::StatusOr<v1::DirectoryVenue> duplicate = ReadVenue(session, options.duplicate, &exit);
  if (!duplicate.ok()) return exit;
  v1::MergeVenuesRequest request;
  request.set_request_id(options.request_id);
  request.set_venue_id(options.survivor);
  request.set_etag(survivor->etag());
  request.set_duplicate_venue_id(options.duplicate);
  request.set_duplicate_etag(duplicate->etag());
  v1::MergeVenuesResponse response;
  if (ExitCode code = session.Call(&OrderIntakeService::Stub::MergeVenues, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    PrintMergeResult(options.duplicate, options.survivor, response.venue().notes());
  });
}

// ---------------------------------------------------------------------------------------------
// The command tree.

void AddRequestIdFlag(CLI::App* command, std::string& request_id) {
  command->add_option("--request-id", request_id,
                      "Idempotency key: the same key again is answered, not done, twice");
}

void AddEtagFlag(CLI::App* command, std::string& etag) {
  command->add_option("--etag", etag, "Refuse (exit 3) unless the record is still at this etag");
}

void AddMergeCommand(CommandTree& tree, CLI::App* group, const std::string& what,
                     std::function<ExitCode(Session&, const MergeOptions&)> merge) {
  auto options = MakeOptions<MergeOptions>();
  CLI::App* command = group->add_subcommand(
      "merge", "Fold a duplicate " + what + " into the one that stays, keeping both histories");
  command->add_option("survivor", options->survivor, "The " + what + " that stays")->required();
  command->add_option("duplicate", options->duplicate, "The duplicate, kept as merged")->required();
  AddRequestIdFlag(command, options->request_id);
  tree.OnRun(command, [options, merge](Session& session) { return merge(session, *options); });
}

template <typename Record>
void AddEditCommand(CommandTree& tree, CLI::App* group, const std::string& name,
                    const std::string& description, const std::vector<TextField<Record>>& fields,
                    bool with_id, std::function<ExitCode(Session&, const EditOptions&)> run) {
  auto options = MakeOptions<EditOptions>();
  CLI::App* command = group->add_subcommand(name, description);
  if (with_id) {
    command->add_option("id", options->id, "Its id")->required();
    AddEtagFlag(command, options->etag);
  }
  AddTextFlags(command, fields, options->texts);
  AddRequestIdFlag(command, options->request_id);
  tree.OnRun(command, [options, run](Session& session) { return run(session, *options); });
}

void AddImportCommand(CommandTree& tree, CLI::App* group, const std::string& description,
                      ExitCode (*import)(Session&, const std::string&, DirectoryImportReport*)) {
  auto path = std::make_shared<std::string>();
  CLI::App* command = group->add_subcommand("import", "Load from CSV (SALES, ADMIN); see --help");
  command->footer(description);
  command->add_option("file", *path, "CSV file with a header row")
      ->required()
      ->check(CLI::ExistingFile);
  tree.OnRun(command, [path, import](Session& session) {
    DirectoryImportReport report;
    if (ExitCode code = import(session, *path, &report); code != kExitOk) return code;
    return PrintImport(session, report);
  });
}

std::string ImportHelp(const std::string& kind, const std::string& key_rule,
                       const std::vector<std::string>& columns) {
  return "Load " + kind + " from CSV (SALES, ADMIN); " + key_rule +
         ". Empty cells leave a field as it is; a bad row is reported and skipped, and the "
         "exit code says a row failed. Running a file twice writes once.\n  columns: " +
         absl::StrJoin(columns, ",");
}

template <typename Record>
std::vector<std::string> Columns(const std::vector<TextField<Record>>& fields,
                                 std::vector<std::string> extra) {
  std::vector<std::string> columns;
  for (const TextField<Record>& field : fields) columns.push_back(field.column);
  columns.insert(columns.end(), extra.begin(), extra.end());
  return columns;
}

void AddOrganisationCommands(CommandTree& tree) {
  CLI::App* org = tree.AddGroup(tree.root(), "org",
                                "Organisations sales sells to (the directory), with contacts");
  {
    auto options = MakeOptions<DirectoryListOptions>();
    CLI::App* list = org->add_subcommand("list", "List organisations, oldest first");
    AddListFlags(list, *options, "the name, external id, tax id or a contact's name or email");
    tree.OnRun(list, [options](Session& session) { return ListOrganisations(session, *options); });
  }
  {
    auto id = std::make_shared<std::string>();
    CLI::App* show = org->add_subcommand("show", "One organisation with its contacts");
    show->add_option("id", *id, "org-1001")->required();
    tree.OnRun(show, [id](Session& session) { return ShowOrganisation(session, *id); });
  }
  AddEditCommand(tree, org, "create", "A new organisation (SALES, ADMIN); --name is required",
                 OrganisationFields(), false, CreateOrganisation);
  AddEditCommand(tree, org, "update",
                 "Change the given fields of an organisation (SALES, ADMIN), under the etag read",
                 OrganisationFields(), true, UpdateOrganisation);
  AddMergeCommand(tree, org, "organisation", MergeOrganisations);
  AddImportCommand(
      tree, org,
      ImportHelp("organisations",
                 "a row whose external_id is an existing organisation's updates it (without "
                 "one: the one of that name), else one is created; the contact_* columns add or "
                 "update one contact (matched by email, "
                 "else name)",
                 Columns(OrganisationFields(), kContactColumns)),
      ImportOrganisations);

  CLI::App* contact = tree.AddGroup(tree.root(), "contact",
                                    "An organisation's contacts (written back with the "
                                    "organisation, under the etag read)");
  {
    auto id = std::make_shared<std::string>();
    CLI::App* list = contact->add_subcommand("list", "The organisation's contacts");
    list->add_option("org", *id, "org-1001")->required();
    tree.OnRun(list, [id](Session& session) { return ListContacts(session, *id); });
  }
  auto add_contact = [&](const std::string& name, const std::string& description,
                         ContactChange change) {
    auto options = MakeOptions<ContactOptions>();
    CLI::App* command = contact->add_subcommand(name, description);
    command->add_option("org", options->edit.id, "org-1001")->required();
    if (change != ContactChange::kAdd) {
      command->add_option("contact", options->contact_id, "contact-1001")->required();
    }
    if (change != ContactChange::kRemove) {
      CLI::Option* name_flag = command->add_option("--name", options->name, "Full name");
      if (change == ContactChange::kAdd) name_flag->required();
      command->add_option("--email", options->email, "Email");
      command->add_option("--phone", options->phone, "Phone");
      command->add_option("--job-title", options->job_title, "Production manager, ...");
      command->add_option("--notes", options->notes, "Notes");
      command->add_option("--billing", options->billing,
                          "yes: invoices go to this contact (and no longer to another); no");
    }
    AddEtagFlag(command, options->edit.etag);
    AddRequestIdFlag(command, options->edit.request_id);
    tree.OnRun(command, [options, change](Session& session) {
      return ChangeContact(session, *options, change);
    });
  };
  add_contact("add", "Add a contact (SALES, ADMIN)", ContactChange::kAdd);
  add_contact("update", "Change the given fields of a contact (SALES, ADMIN)",
              ContactChange::kUpdate);
  add_contact("remove", "Remove a contact (SALES, ADMIN); its id is never reused",
              ContactChange::kRemove);
}

void AddVenueCommands(CommandTree& tree) {
  CLI::App* venue = tree.AddGroup(tree.root(), "venue",
                                  "Venues: address, dock hours, access, power, parking, travel");
  {
    auto options = MakeOptions<DirectoryListOptions>();
    CLI::App* list = venue->add_subcommand("list", "List venues, oldest first");
    AddListFlags(list, *options, "the name or address");
    tree.OnRun(list, [options](Session& session) { return ListVenues(session, *options); });
  }
  {
    auto id = std::make_shared<std::string>();
    CLI::App* show = venue->add_subcommand("show", "One venue with what the crew knows of it");
    show->add_option("id", *id, "venue-1001")->required();
    tree.OnRun(show, [id](Session& session) { return ShowVenue(session, *id); });
  }
  AddEditCommand(tree, venue, "create", "A new venue (SALES, ADMIN); --name is required",
                 VenueFields(), false, CreateVenue);
  AddEditCommand(tree, venue, "update",
                 "Change the given fields of a venue (SALES, ADMIN), under the etag read",
                 VenueFields(), true, UpdateVenue);
  {
    auto options = MakeOptions<VenueNotesOptions>();
    CLI::App* notes = venue->add_subcommand(
        "notes", "Replace a venue's access and/or loading notes (OPS, SALES, ADMIN)");
    notes->add_option("id", options->edit.id, "venue-1001")->required();
    notes->add_option("--access", options->access, "How to get in (\"\" clears it)");
    notes->add_option("--loading", options->loading, "Dock, ramp, forklift (\"\" clears it)");
    AddEtagFlag(notes, options->edit.etag);
    AddRequestIdFlag(notes, options->edit.request_id);
    tree.OnRun(notes, [options](Session& session) { return UpdateVenueNotes(session, *options); });
  }
  AddMergeCommand(tree, venue, "venue", MergeVenues);
  AddImportCommand(tree, venue,
                   ImportHelp("venues",
                              "a row updates the venue its venue_id names, else the one venue of "
                              "that name, else a new one is created",
                              Columns(VenueFields(), {"venue_id"})),
                   ImportVenues);
}

}  // namespace

void AddDirectoryCommands(CommandTree& tree) {
  AddOrganisationCommands(tree);
  AddVenueCommands(tree);
}

}  // namespace salesops::cli
