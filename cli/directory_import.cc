#include "cli/directory_import.h"

#include <absl/strings/ascii.h>
#include <absl/strings/str_cat.h>
#include <google/protobuf/util/message_differencer.h>

#include <functional>
#include <optional>

#include "cli/csv_reader.h"
#include "cli/directory_fields.h"
#include "cli/order_intake_stub.h"

namespace salesops::cli {
namespace {

using v1::OrderIntakeService;
using Texts = std::map<std::string, std::string>;

// How one kind of directory record is found, built from a row, and written.
template <typename Record>
struct DirectoryImportSpec {
  std::string kind;  // "organisation", in request ids and messages
  const std::vector<TextField<Record>>* fields;
  std::vector<std::string> extra_columns;
  // The record the row updates: nullopt for a new one, an error text when the row is ambiguous.
  std::function<absl::StatusOr<std::optional<Record>>(Session&, const Texts&)> find;
  // Beyond the fields (an organisation's contact).
  std::function<absl::Status(const Texts&, Record&)> apply_more;
  std::function<grpc::Status(Session&, const Record& desired, const Record* existing,
                             const std::string& request_id)>
      write;
  std::function<std::string(const Record&)> id;
};

// A failed lookup is a status with the call's own words; the gRPC code is kept to pick the
// exit code.
absl::Status FromGrpc(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

template <typename Record>
ExitCode RunDirectoryImport(Session& session, const std::string& path,
                            const DirectoryImportSpec<Record>& spec,
                            DirectoryImportReport* report) {
  std::vector<std::string> known = spec.extra_columns;
  for (const TextField<Record>& field : *spec.fields) known.push_back(field.column);
  absl::StatusOr<std::vector<CsvRecord>> rows = ReadCsvFile(path, {"name"}, known);
  if (!rows.ok()) return ReportBadInput(std::string(rows.status().message()));
  // A violation the service reports names the column that sets the field.
  std::map<std::string, std::string> columns;
  for (const TextField<Record>& field : *spec.fields) {
    columns[field.proto_field] = "column " + field.column;
  }
  session.SetFieldFlags(columns);
  auto fail = [&](ExitCode code) {
    ++report->failed;
    if (report->first_failure == kExitOk) report->first_failure = code;
  };
  for (const CsvRecord& row : *rows) {
    const std::string where = absl::StrCat(path, " row ", row.row);
    absl::StatusOr<std::optional<Record>> existing = spec.find(session, row.fields);
    if (!existing.ok()) {
      std::cerr << "error: " << where << ": " << existing.status().message() << "\n";
      fail(existing.status().code() == absl::StatusCode::kInvalidArgument
               ? kExitBadInput
               : ExitCodeFor(static_cast<grpc::StatusCode>(existing.status().code())));
      continue;
    }
    Record desired = existing->value_or(Record());
    absl::Status applied = ApplyTexts(*spec.fields, row.fields, desired);
    if (applied.ok() && spec.apply_more) applied = spec.apply_more(row.fields, desired);
    if (!applied.ok()) {
      std::cerr << "error: " << where << ": " << applied.message() << "\n";
      fail(kExitBadInput);
      continue;
    }
    if (*existing && google::protobuf::util::MessageDifferencer::Equals(desired, **existing)) {
      ++report->counts.unchanged;
      continue;
    }
    const Record* current = *existing ? &**existing : nullptr;
    const std::string request_id = ImportRequestId(
        spec.kind, row.fields, current ? spec.id(*current) : "", current ? current->etag() : "");
    grpc::Status status = spec.write(session, desired, current, request_id);
    if (!status.ok()) {
      std::cerr << where << (current ? " (" + spec.id(*current) + ")" : "") << ":\n";
      fail(session.ReportError(status, Endpoint::kOrderIntake));
      continue;
    }
    ++(current ? report->counts.updated : report->counts.created);
  }
  return kExitOk;
}

// Every record the listing finds for `search` (merged ones left out) that `same` accepts.
template <typename Request, typename Response, typename Record>
absl::StatusOr<std::vector<Record>> Matching(
    Session& session,
    grpc::Status (OrderIntakeService::Stub::*list)(grpc::ClientContext*, const Request&, Response*),
    const google::protobuf::RepeatedPtrField<Record>& (Response::*records)() const,
    const std::string& search, const std::function<bool(const Record&)>& same) {
  Request request;
  request.set_search(search);
  request.set_page_size(1000);
  std::vector<Record> found;
  do {
    Response page;
    grpc::Status status = session.Invoke(list, request, &page);
    if (!status.ok()) return FromGrpc(status);
    for (const Record& record : (page.*records)()) {
      if (same(record)) found.push_back(record);
    }
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  return found;
}

bool SameName(const std::string& a, const std::string& b) {
  return absl::AsciiStrToLower(a) == absl::AsciiStrToLower(b);
}

// The record a row names: none (a new one), the one, or FAILED_PRECONDITION when several are
// named alike (merging them is the fix).
template <typename Record>
absl::StatusOr<std::optional<Record>> TheOneMatching(absl::StatusOr<std::vector<Record>> found,
                                                     const std::string& column,
                                                     const std::string& key,
                                                     const std::string& plural,
                                                     const std::string& command) {
  if (!found.ok()) return found.status();
  if (found->empty()) return std::nullopt;
  if (found->size() > 1) {
    return absl::FailedPreconditionError(
        absl::StrCat(column, ": ", found->size(), " ", plural, " match '", key,
                     "'; merge them first (salesopsctl ", command, " merge)"));
  }
  return found->front();
}

std::string TextOf(const Texts& texts, const std::string& column) {
  auto found = texts.find(column);
  return found == texts.end() ? "" : found->second;
}

}  // namespace

ExitCode ImportOrganisations(Session& session, const std::string& path,
                             DirectoryImportReport* report) {
  DirectoryImportSpec<v1::Organisation> spec;
  spec.kind = "organisation";
  spec.fields = &OrganisationFields();
  spec.extra_columns = kContactColumns;
  spec.find = [](Session& session,
                 const Texts& texts) -> absl::StatusOr<std::optional<v1::Organisation>> {
    // By external id when the row has one; else by name, among those without an external id.
    const std::string external_id = TextOf(texts, "external_id");
    const std::string key = external_id.empty() ? TextOf(texts, "name") : external_id;
    return TheOneMatching<v1::Organisation>(
        Matching(session, &OrderIntakeService::Stub::ListOrganisations,
                 &v1::ListOrganisationsResponse::organisations, key,
                 std::function<bool(const v1::Organisation&)>([&](const auto& organisation) {
                   return external_id.empty() ? organisation.external_id().empty() &&
                                                    SameName(organisation.name(), key)
                                              : organisation.external_id() == external_id;
                 })),
        external_id.empty() ? "name" : "external_id", key, "organisations", "org");
  };
  spec.apply_more = ApplyContactTexts;
  spec.write = [](Session& session, const v1::Organisation& desired,
                  const v1::Organisation* existing, const std::string& request_id) {
    if (existing == nullptr) {
      v1::CreateOrganisationRequest request;
      request.set_request_id(request_id);
      *request.mutable_organisation() = desired;
      v1::CreateOrganisationResponse response;
      return session.Invoke(&OrderIntakeService::Stub::CreateOrganisation, request, &response);
    }
    v1::UpdateOrganisationRequest request;
    request.set_request_id(request_id);
    request.set_organisation_id(existing->organisation_id());
    request.set_etag(existing->etag());
    *request.mutable_organisation() = desired;
    v1::UpdateOrganisationResponse response;
    return session.Invoke(&OrderIntakeService::Stub::UpdateOrganisation, request, &response);
  };
  spec.id = [](const v1::Organisation& organisation) { return organisation.organisation_id(); };
  return RunDirectoryImport(session, path, spec, report);
}

ExitCode ImportVenues(Session& session, const std::string& path, DirectoryImportReport* report) {
  DirectoryImportSpec<v1::DirectoryVenue> spec;
  spec.kind = "venue";
  spec.fields = &VenueFields();
  spec.extra_columns = {"venue_id"};
  spec.find = [](Session& session,
                 const Texts& texts) -> absl::StatusOr<std::optional<v1::DirectoryVenue>> {
    if (const std::string venue_id = TextOf(texts, "venue_id"); !venue_id.empty()) {
      v1::GetVenueRequest request;
      request.set_venue_id(venue_id);
      v1::GetVenueResponse response;
      grpc::Status status = session.Invoke(&OrderIntakeService::Stub::GetVenue, request, &response);
      if (!status.ok()) return FromGrpc(status);
      return response.venue();
    }
    const std::string name = TextOf(texts, "name");
    return TheOneMatching<v1::DirectoryVenue>(
        Matching(session, &OrderIntakeService::Stub::ListVenues, &v1::ListVenuesResponse::venues,
                 name, std::function<bool(const v1::DirectoryVenue&)>([&](const auto& venue) {
                   return SameName(venue.name(), name);
                 })),
        "name", name, "venues", "venue");
  };
  spec.write = [](Session& session, const v1::DirectoryVenue& desired,
                  const v1::DirectoryVenue* existing, const std::string& request_id) {
    if (existing == nullptr) {
      v1::CreateVenueRequest request;
      request.set_request_id(request_id);
      *request.mutable_venue() = desired;
      v1::CreateVenueResponse response;
      return session.Invoke(&OrderIntakeService::Stub::CreateVenue, request, &response);
    }
    v1::UpdateVenueRequest request;
    request.set_request_id(request_id);
    request.set_venue_id(existing->venue_id());
    request.set_etag(existing->etag());
    *request.mutable_venue() = desired;
    v1::UpdateVenueResponse response;
    return session.Invoke(&OrderIntakeService::Stub::UpdateVenue, request, &response);
  };
  spec.id = [](const v1::DirectoryVenue& venue) { return venue.venue_id(); };
  return RunDirectoryImport(session, path, spec, report);
}

}  // namespace salesops::cli
