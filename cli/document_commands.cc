// document, company: the PDFs a client or a driver holds (issue 18), and the company profile
// that heads them. `salesopsctl document quote 1042 -o quote.pdf` saves the quote of the
// order's current revision; the same revision always gives the same bytes (and sha256).
#include <absl/strings/str_join.h>
#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "cli/command_tree.h"
#include "cli/company_profile_import.h"
#include "cli/input_parsing.h"
#include "cli/order_intake_stub.h"
#include "cli/output.h"

namespace salesops::cli {
namespace {

using Stub = v1::OrderIntakeService::Stub;

struct DocumentOptions {
  std::string order, output, language;
  int64_t revision = 0;
};

absl::StatusOr<v1::DocumentLanguage> ParseLanguage(const std::string& text) {
  if (text.empty()) return v1::DOCUMENT_LANGUAGE_UNSPECIFIED;
  if (text == "en" || text == "english") return v1::DOCUMENT_LANGUAGE_ENGLISH;
  if (text == "de" || text == "german") return v1::DOCUMENT_LANGUAGE_GERMAN;
  return absl::InvalidArgumentError("'" + text + "' is not a language: en or de");
}

ExitCode SaveDocument(Session& session, v1::DocumentKind kind, const std::string& word,
                      const DocumentOptions& options) {
  v1::GetDocumentRequest request;
  request.set_order_id(options.order);
  request.set_kind(kind);
  request.set_order_revision(options.revision);
  absl::StatusOr<v1::DocumentLanguage> language = ParseLanguage(options.language);
  if (!language.ok()) return ReportBadInput("--language: " + language.status().ToString());
  request.set_language(*language);
  v1::GetDocumentResponse response;
  if (ExitCode code = session.Call(&Stub::GetDocument, request, &response); code != kExitOk) {
    return code;
  }
  const v1::Document& document = response.document();
  const std::string path =
      options.output.empty()
          ? absl::StrCat(word, "-", document.order_id(), "-rev", document.order_revision(), ".pdf")
          : options.output;
  if (path == "-") {
    std::cout.write(document.pdf().data(), static_cast<std::streamsize>(document.pdf().size()));
    return kExitOk;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(document.pdf().data(), static_cast<std::streamsize>(document.pdf().size()));
  out.close();
  if (!out) return ReportBadInput("-o: cannot write " + path);
  if (session.json()) {
    nlohmann::json saved = {{"orderId", document.order_id()},
                            {"kind", v1::DocumentKind_Name(document.kind())},
                            {"orderRevision", document.order_revision()},
                            {"language", v1::DocumentLanguage_Name(document.language())},
                            {"sha256", document.sha256()},
                            {"bytes", document.pdf().size()},
                            {"file", path}};
    PrintJson(saved);
  } else {
    std::cout << "Saved the " << word << " of order " << document.order_id() << " rev "
              << document.order_revision() << " to " << path << " (" << document.pdf().size()
              << " bytes, sha256 " << document.sha256() << ")\n";
  }
  return kExitOk;
}

struct CompanyOptions {
  std::string name, tax_id, email, phone, logo, bank, footer, terms_file, language, zone_id, etag,
      country, iban, bic;
  std::vector<std::string> address;
};

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::InvalidArgumentError("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

ExitCode SetCompany(Session& session, const CompanyOptions& options) {
  v1::SetCompanyProfileRequest request;
  v1::GetCompanyProfileResponse existing;
  grpc::Status status =
      session.Invoke(&Stub::GetCompanyProfile, v1::GetCompanyProfileRequest(), &existing);
  if (status.ok()) {
    *request.mutable_profile() = existing.profile();
    request.set_etag(options.etag.empty() ? existing.profile().etag() : options.etag);
  } else if (status.error_code() != grpc::StatusCode::NOT_FOUND) {
    return session.ReportError(status, Endpoint::kOrderIntake);
  }
  v1::CompanyProfile& profile = *request.mutable_profile();
  profile.clear_etag();
  profile.clear_updated_by();
  profile.clear_update_time();
  if (!options.name.empty()) profile.set_name(options.name);
  if (!options.address.empty()) {
    profile.clear_address_lines();
    for (const std::string& line : options.address) profile.add_address_lines(line);
  }
  if (!options.tax_id.empty()) profile.set_tax_id(options.tax_id);
  if (!options.email.empty()) profile.set_email(options.email);
  if (!options.phone.empty()) profile.set_phone(options.phone);
  if (!options.bank.empty()) profile.set_bank_details(options.bank);
  if (!options.footer.empty()) profile.set_footer_text(options.footer);
  if (!options.zone_id.empty()) profile.set_zone_id(options.zone_id);
  if (!options.country.empty()) profile.set_country(options.country);
  if (!options.iban.empty()) profile.set_iban(options.iban);
  if (!options.bic.empty()) profile.set_bic(options.bic);
  if (!options.language.empty()) {
    absl::StatusOr<v1::DocumentLanguage> language = ParseLanguage(options.language);
    if (!language.ok()) return ReportBadInput("--language: " + language.status().ToString());
    profile.set_language(*language);
  }
  for (const auto& [path, field, flag] :
       {std::tuple{options.logo, profile.mutable_logo_png(), "--logo"},
        std::tuple{options.terms_file, profile.mutable_terms(), "--terms-file"}}) {
    if (path.empty()) continue;
    absl::StatusOr<std::string> contents = ReadWholeFile(path);
    if (!contents.ok())
      return ReportBadInput(std::string(flag) + ": " + contents.status().ToString());
    *field = *contents;
  }
  v1::SetCompanyProfileResponse response;
  if (ExitCode code = session.Call(&Stub::SetCompanyProfile, request, &response); code != kExitOk) {
    return code;
  }
  if (session.json()) {
    response.mutable_profile()->clear_logo_png();  // bytes a terminal cannot show
    PrintJson(response);
  } else {
    std::cout << "Company profile of " << response.profile().name() << " saved (etag "
              << response.profile().etag() << ")\n";
  }
  return kExitOk;
}

ExitCode ShowCompany(Session& session) {
  v1::GetCompanyProfileResponse response;
  if (ExitCode code =
          session.Call(&Stub::GetCompanyProfile, v1::GetCompanyProfileRequest(), &response);
      code != kExitOk) {
    return code;
  }
  v1::CompanyProfile& profile = *response.mutable_profile();
  const size_t logo_bytes = profile.logo_png().size();
  profile.clear_logo_png();
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  Details details;
  details.Add("Name", profile.name());
  details.Add("Address", absl::StrJoin(profile.address_lines(), ", "));
  details.Add("Tax id", profile.tax_id());
  details.Add("Email", profile.email());
  details.Add("Phone", profile.phone());
  details.Add("Logo", logo_bytes > 0 ? absl::StrCat("PNG, ", logo_bytes, " bytes") : "none");
  details.Add("Bank", profile.bank_details());
  details.Add("Language", EnumWord(profile.language()));
  details.Add("Time zone", profile.zone_id().empty() ? "UTC" : profile.zone_id());
  details.Add("Country", profile.country());
  details.Add("IBAN",
              absl::StrCat(profile.iban(), profile.bic().empty() ? "" : " · BIC ", profile.bic()));
  details.Add("Etag", profile.etag());
  details.Print();
  return kExitOk;
}

}  // namespace

ExitCode ImportCompanyProfile(const ImportContext& context, const std::string& path,
                              ImportCounts* counts) {
  Session& session = *context.session;
  v1::SetCompanyProfileRequest request;
  v1::GetCompanyProfileResponse existing;
  grpc::Status status =
      session.Invoke(&Stub::GetCompanyProfile, v1::GetCompanyProfileRequest(), &existing);
  if (!status.ok() && status.error_code() != grpc::StatusCode::NOT_FOUND) {
    return session.ReportError(status, Endpoint::kOrderIntake);
  }
  v1::CompanyProfile& profile = *request.mutable_profile();
  try {
    const YAML::Node root = YAML::LoadFile(path);
    for (const auto& entry : root) {
      const std::string key = entry.first.as<std::string>();
      const YAML::Node& value = entry.second;
      if (key == "name") {
        profile.set_name(value.as<std::string>());
      } else if (key == "address") {
        for (const auto& line : value) profile.add_address_lines(line.as<std::string>());
      } else if (key == "tax-id") {
        profile.set_tax_id(value.as<std::string>());
      } else if (key == "email") {
        profile.set_email(value.as<std::string>());
      } else if (key == "phone") {
        profile.set_phone(value.as<std::string>());
      } else if (key == "bank") {
        profile.set_bank_details(value.as<std::string>());
      } else if (key == "footer") {
        profile.set_footer_text(value.as<std::string>());
      } else if (key == "terms") {
        profile.set_terms(value.as<std::string>());
      } else if (key == "zone-id") {
        profile.set_zone_id(value.as<std::string>());
      } else if (key == "country") {
        profile.set_country(value.as<std::string>());
      } else if (key == "iban") {
        profile.set_iban(value.as<std::string>());
      } else if (key == "bic") {
        profile.set_bic(value.as<std::string>());
      } else if (key == "language") {
        absl::StatusOr<v1::DocumentLanguage> language = ParseLanguage(value.as<std::string>());
        if (!language.ok())
          return ReportBadInput(path + ": language: " + language.status().ToString());
        profile.set_language(*language);
      } else if (key == "logo") {
        const std::filesystem::path logo =
            std::filesystem::path(path).parent_path() / value.as<std::string>();
        absl::StatusOr<std::string> png = ReadWholeFile(logo.string());
        if (!png.ok()) return ReportBadInput(path + ": logo: " + png.status().ToString());
        profile.set_logo_png(*png);
      } else {
        return ReportBadInput(path + ": unknown key '" + key +
                              "' (name, address, tax-id, email, phone, bank, footer, terms, "
                              "language, zone-id, logo, country, iban, bic)");
      }
    }
  } catch (const YAML::Exception& error) {
    return ReportBadInput(path + ": " + error.what());
  }
  if (status.ok()) {
    v1::CompanyProfile current = existing.profile();
    current.clear_etag();
    current.clear_updated_by();
    current.clear_update_time();
    if (current.SerializeAsString() == profile.SerializeAsString()) {
      ++counts->unchanged;
      return kExitOk;
    }
    request.set_etag(existing.profile().etag());
  }
  v1::SetCompanyProfileResponse response;
  if (ExitCode code = session.Call(&Stub::SetCompanyProfile, request, &response); code != kExitOk) {
    return code;
  }
  ++(status.ok() ? counts->updated : counts->created);
  return kExitOk;
}

void AddDocumentCommands(CommandTree& tree) {
  CLI::App* document =
      tree.AddGroup(tree.root(), "document",
                    "The PDF of a quote, order confirmation, pull sheet or delivery note");
  for (const auto& [word, kind, description] :
       {std::tuple{"quote", v1::DOCUMENT_KIND_QUOTE,
                   "The quote: lines with how each was priced, options, tax, validity"},
        std::tuple{"confirmation", v1::DOCUMENT_KIND_ORDER_CONFIRMATION,
                   "The order confirmation: the commitment, the lines and totals"},
        std::tuple{"pull-sheet", v1::DOCUMENT_KIND_PULL_SHEET,
                   "The pull sheet to print: codes with barcodes, boxes to tick, notes"},
        std::tuple{"delivery-note", v1::DOCUMENT_KIND_DELIVERY_NOTE,
                   "The delivery note: what left, what must come back, lines to sign"}}) {
    auto options = MakeOptions<DocumentOptions>();
    CLI::App* command = document->add_subcommand(word, description);
    command->add_option("order", options->order, "Order id")->required();
    command->add_option("-o,--output", options->output,
                        "File to write (default: <kind>-<order>-rev<N>.pdf; - for stdout)");
    command->add_option("--revision", options->revision, "Revision (default: the current one)");
    command->add_option("--language", options->language, "en or de (default: the company's)");
    const std::string name = word;
    const v1::DocumentKind document_kind = kind;
    tree.OnRun(command, [options, name, document_kind](Session& session) {
      return SaveDocument(session, document_kind, name, *options);
    });
  }

  CLI::App* company =
      tree.AddGroup(tree.root(), "company", "The company profile every document is headed with");
  {
    CLI::App* show = company->add_subcommand("show", "The company profile");
    tree.OnRun(show, [](Session& session) { return ShowCompany(session); });
  }
  {
    auto options = MakeOptions<CompanyOptions>();
    CLI::App* set =
        company->add_subcommand("set", "Create the profile, or change the given fields (ADMIN)");
    set->add_option("--name", options->name, "Company name (required the first time)");
    set->add_option("--address-line", options->address,
                    "A line of the postal address, repeatable; replaces the address");
    set->add_option("--tax-id", options->tax_id, "VAT id, e.g. DE123456789");
    set->add_option("--email", options->email, "Email printed on documents");
    set->add_option("--phone", options->phone, "Phone printed on documents");
    set->add_option("--logo", options->logo, "PNG file drawn at the top of every page")
        ->check(CLI::ExistingFile);
    set->add_option("--bank", options->bank, "Bank details for the foot of every page");
    set->add_option("--footer", options->footer, "Footer text (registration, directors)");
    set->add_option("--terms-file", options->terms_file,
                    "Text file of terms printed on quotes and confirmations")
        ->check(CLI::ExistingFile);
    set->add_option("--language", options->language, "en or de: the documents' language");
    set->add_option("--zone-id", options->zone_id, "IANA zone, e.g. Europe/Berlin");
    set->add_option("--country", options->country, "ISO 3166 country, e.g. DE (e-invoices)");
    set->add_option("--iban", options->iban, "The account clients pay into (e-invoices, invoices)");
    set->add_option("--bic", options->bic, "Its BIC");
    set->add_option("--etag", options->etag, "Refuse (exit 3) unless the profile is at this etag");
    tree.OnRun(set, [options](Session& session) { return SetCompany(session, *options); });
  }
}

}  // namespace salesops::cli
