// The demo's commercial sections: organisations and venues (the directory's CSV import) and the
// pricing configuration (demo/pricing.yaml), loaded the way an ADMIN would type them, and
// idempotent like every demo section: what is already there is left alone.
#include "cli/demo_pricing.h"

#include <absl/strings/match.h>
#include <absl/strings/str_cat.h>
#include <google/protobuf/util/message_differencer.h>
#include <yaml-cpp/yaml.h>

#include <iostream>

#include "cli/directory_fields.h"
#include "cli/directory_import.h"
#include "cli/input_parsing.h"
#include "cli/order_intake_stub.h"
#include "cli/pricing_spec.h"

namespace salesops::cli {
namespace {

using Stub = v1::OrderIntakeService::Stub;
using google::protobuf::util::MessageDifferencer;

ExitCode BadPricingInput(const std::string& where, const std::string& why) {
  return ReportBadInput(where + ": " + why);
}

std::string YamlText(const YAML::Node& node, const char* key) {
  return node[key] ? node[key].as<std::string>() : "";
}

// One write of the configuration: done unless an equal record is there already.
template <typename Request, typename Response>
ExitCode WriteIfNew(Session& session,
                    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    Request request, const std::string& kind, ImportCounts* counts) {
  request.set_request_id(ImportRequestId(kind, {{"body", request.SerializeAsString()}}, "", ""));
  Response response;
  if (ExitCode code = session.Call(method, request, &response); code != kExitOk) return code;
  ++counts->created;
  return kExitOk;
}

ExitCode LoadTax(Session& session, const YAML::Node& entries, const std::string& where,
                 ImportCounts* counts) {
  v1::ListTaxRatesResponse existing;
  if (ExitCode code =
          session.CallAllPages(&Stub::ListTaxRates, v1::ListTaxRatesRequest(), &existing);
      code != kExitOk) {
    return code;
  }
  for (const YAML::Node& entry : entries) {
    v1::CreateTaxRateRequest request;
    v1::TaxRate& rate = *request.mutable_taxrate();
    absl::StatusOr<v1::TaxClass> tax_class = ParseEnum<v1::TaxClass>(YamlText(entry, "class"));
    if (!tax_class.ok())
      return BadPricingInput(where + ": tax", std::string(tax_class.status().message()));
    absl::StatusOr<int64_t> millionths = ParsePercentMillionths(YamlText(entry, "rate"));
    if (!millionths.ok())
      return BadPricingInput(where + ": tax", std::string(millionths.status().message()));
    rate.set_tax_class(*tax_class);
    rate.set_jurisdiction(YamlText(entry, "jurisdiction"));
    rate.set_tax_millionths(*millionths);
    rate.set_name(YamlText(entry, "name"));
    const bool there = std::any_of(existing.taxrates().begin(), existing.taxrates().end(),
                                   [&](const v1::TaxRate& other) {
                                     return other.tax_class() == rate.tax_class() &&
                                            other.jurisdiction() == rate.jurisdiction() &&
                                            other.tax_millionths() == rate.tax_millionths();
                                   });
    if (there) {
      ++counts->unchanged;
      continue;
    }
    if (ExitCode code = WriteIfNew(session, &Stub::CreateTaxRate, request, "taxrate", counts);
        code != kExitOk) {
      return code;
    }
  }
  return kExitOk;
}

ExitCode LoadProductRates(Session& session, const YAML::Node& entries, const std::string& where,
                          const std::string& currency, ImportCounts* counts) {
  v1::ListProductRatesResponse existing;
  if (ExitCode code =
          session.CallAllPages(&Stub::ListProductRates, v1::ListProductRatesRequest(), &existing);
      code != kExitOk) {
    return code;
  }
  for (const auto& entry : entries) {
    const std::string code = entry.first.as<std::string>();
    v1::SetProductRateRequest request;
    v1::ProductRate& rate = *request.mutable_productrate();
    rate.set_product_code(code);
    absl::StatusOr<v1::RateDefinition> definition =
        ParseRateSpec(YamlText(entry.second, "rate"), currency);
    if (!definition.ok()) {
      return BadPricingInput(where + ": rates: " + code,
                             std::string(definition.status().message()));
    }
    *rate.mutable_definition() = *definition;
    absl::StatusOr<v1::TaxClass> tax_class = ParseEnum<v1::TaxClass>(
        YamlText(entry.second, "class").empty() ? "equipment" : YamlText(entry.second, "class"));
    if (!tax_class.ok()) {
      return BadPricingInput(where + ": rates: " + code, std::string(tax_class.status().message()));
    }
    rate.set_tax_class(*tax_class);
    const v1::ProductRate* same = nullptr;
    for (const v1::ProductRate& other : existing.productrates()) {
      if (other.product_code() == code) same = &other;
    }
    if (same != nullptr && same->tax_class() == rate.tax_class() &&
        MessageDifferencer::Equals(same->definition(), rate.definition())) {
      ++counts->unchanged;
      continue;
    }
    if (same != nullptr) request.set_etag(same->etag());
    if (ExitCode written =
            WriteIfNew(session, &Stub::SetProductRate, request, "productrate", counts);
        written != kExitOk) {
      return written;
    }
  }
  return kExitOk;
}

ExitCode LoadPriceLists(Session& session, const YAML::Node& entries, const std::string& where,
                        const std::string& currency, ImportCounts* counts) {
  v1::ListPriceListsResponse existing;
  if (ExitCode code =
          session.CallAllPages(&Stub::ListPriceLists, v1::ListPriceListsRequest(), &existing);
      code != kExitOk) {
    return code;
  }
  for (const YAML::Node& entry : entries) {
    const std::string name = YamlText(entry, "name");
    const std::string list_where = where + ": pricelists: " + name;
    if (std::any_of(existing.pricelists().begin(), existing.pricelists().end(),
                    [&](const v1::PriceList& other) { return other.name() == name; })) {
      ++counts->unchanged;  // kept as ADMIN left it: the demo does not overwrite their edits
      continue;
    }
    v1::CreatePriceListRequest request;
    v1::PriceList& list = *request.mutable_pricelist();
    list.set_name(name);
    list.set_notes(YamlText(entry, "notes"));
    if (const std::string organisation = YamlText(entry, "organisation"); !organisation.empty()) {
      absl::StatusOr<std::string> id = OrganisationIdByName(session, organisation);
      if (!id.ok()) return BadPricingInput(list_where, std::string(id.status().message()));
      list.set_organisation_id(*id);
    }
    for (const char* end : {"first-day", "last-day"}) {
      if (YamlText(entry, end).empty()) continue;
      absl::StatusOr<google::type::Date> day = ParseDay(YamlText(entry, end));
      if (!day.ok()) return BadPricingInput(list_where, std::string(day.status().message()));
      *(std::string(end) == "first-day" ? list.mutable_validity()->mutable_first_day()
                                        : list.mutable_validity()->mutable_last_day()) = *day;
    }
    if (const std::string others = YamlText(entry, "others"); !others.empty()) {
      absl::StatusOr<int32_t> share = ParsePercentBasisPoints(others);
      if (!share.ok()) return BadPricingInput(list_where, std::string(share.status().message()));
      list.set_everything_else_percent_bp(*share);
    }
    if (entry["overrides"]) {
      for (const YAML::Node& text : entry["overrides"]) {
        absl::StatusOr<v1::PriceOverride> override =
            ParseOverride(text.as<std::string>(), currency);
        if (!override.ok())
          return BadPricingInput(list_where, std::string(override.status().message()));
        *list.add_overrides() = *override;
      }
    }
    if (ExitCode code = WriteIfNew(session, &Stub::CreatePriceList, request, "pricelist", counts);
        code != kExitOk) {
      return code;
    }
  }
  return kExitOk;
}

ExitCode LoadExchangeRates(Session& session, const YAML::Node& entries, const std::string& where,
                           ImportCounts* counts) {
  v1::ListExchangeRatesResponse existing;
  if (ExitCode code =
          session.CallAllPages(&Stub::ListExchangeRates, v1::ListExchangeRatesRequest(), &existing);
      code != kExitOk) {
    return code;
  }
  for (const YAML::Node& entry : entries) {
    v1::CreateExchangeRateRequest request;
    v1::ExchangeRate& rate = *request.mutable_exchangerate();
    rate.set_from_currency(YamlText(entry, "from"));
    rate.set_to_currency(YamlText(entry, "to"));
    absl::StatusOr<int64_t> factor = ParseFactorMillionths(YamlText(entry, "factor"));
    if (!factor.ok())
      return BadPricingInput(where + ": exchange-rates", std::string(factor.status().message()));
    rate.set_factor_millionths(*factor);
    if (std::any_of(existing.exchangerates().begin(), existing.exchangerates().end(),
                    [&](const v1::ExchangeRate& other) {
                      return other.from_currency() == rate.from_currency() &&
                             other.to_currency() == rate.to_currency() &&
                             other.factor_millionths() == rate.factor_millionths();
                    })) {
      ++counts->unchanged;
      continue;
    }
    if (ExitCode code = WriteIfNew(session, &Stub::CreateExchangeRate, request, "fx", counts);
        code != kExitOk) {
      return code;
    }
  }
  return kExitOk;
}

ExitCode ImportDirectoryFile(
    const std::function<ExitCode(Session&, const std::string&, DirectoryImportReport*)>& import,
    const ImportContext& context, const std::string& path, ImportCounts* counts) {
  DirectoryImportReport report;
  if (ExitCode code = import(*context.session, path, &report); code != kExitOk) return code;
  *counts = report.counts;
  return report.first_failure;
}

}  // namespace

absl::StatusOr<std::string> OrganisationIdByName(Session& session, const std::string& name) {
  v1::ListOrganisationsRequest request;
  request.set_search(name);
  v1::ListOrganisationsResponse response;
  grpc::Status status = session.Invoke(&Stub::ListOrganisations, request, &response);
  if (!status.ok()) return absl::UnavailableError(status.error_message());
  for (const v1::Organisation& organisation : response.organisations()) {
    if (organisation.name() == name) return organisation.organisation_id();
  }
  return absl::NotFoundError("no organisation named '" + name + "' (load organisations first)");
}

absl::StatusOr<std::string> VenueIdByName(Session& session, const std::string& name) {
  v1::ListVenuesRequest request;
  request.set_search(name);
  v1::ListVenuesResponse response;
  grpc::Status status = session.Invoke(&Stub::ListVenues, request, &response);
  if (!status.ok()) return absl::UnavailableError(status.error_message());
  for (const v1::DirectoryVenue& venue : response.venues()) {
    if (venue.name() == name) return venue.venue_id();
  }
  return absl::NotFoundError("no venue named '" + name + "' (load venues first)");
}

absl::Status ResolveDirectoryNames(Session& session, v1::Order* order) {
  if (!order->organisation_id().empty() && !absl::StartsWith(order->organisation_id(), "org-")) {
    absl::StatusOr<std::string> id = OrganisationIdByName(session, order->organisation_id());
    if (!id.ok())
      return absl::InvalidArgumentError("--organisation: " + std::string(id.status().message()));
    order->set_organisation_id(*id);
  }
  auto venue = [&](std::string* venue_id) -> absl::Status {
    if (venue_id->empty() || absl::StartsWith(*venue_id, "venue-")) return absl::OkStatus();
    absl::StatusOr<std::string> id = VenueIdByName(session, *venue_id);
    if (!id.ok())
      return absl::InvalidArgumentError("--venue-id: " + std::string(id.status().message()));
    *venue_id = *id;
    return absl::OkStatus();
  };
  if (absl::Status status = venue(order->mutable_venue_id()); !status.ok()) return status;
  for (v1::OrderPhase& phase : *order->mutable_phases()) {
    if (absl::Status status = venue(phase.mutable_venue_id()); !status.ok()) return status;
  }
  return absl::OkStatus();
}

ExitCode ImportDemoOrganisations(const ImportContext& context, const std::string& path,
                                 ImportCounts* counts) {
  return ImportDirectoryFile(ImportOrganisations, context, path, counts);
}

ExitCode ImportDemoVenues(const ImportContext& context, const std::string& path,
                          ImportCounts* counts) {
  return ImportDirectoryFile(ImportVenues, context, path, counts);
}

ExitCode ImportPricing(const ImportContext& context, const std::string& path,
                       ImportCounts* counts) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& error) {
    return BadPricingInput(path, error.what());
  }
  for (const auto& section : root) {
    const std::string key = section.first.as<std::string>();
    if (key != "tax" && key != "rates" && key != "pricelists" && key != "exchange-rates") {
      return BadPricingInput(
          path, "unknown section '" + key + "' (tax, rates, pricelists, exchange-rates)");
    }
  }
  Session& session = *context.session;
  try {
    // Tax and exchange rates first: a price list names organisations, loaded before this file.
    if (root["tax"]) {
      if (ExitCode code = LoadTax(session, root["tax"], path, counts); code != kExitOk) {
        return code;
      }
    }
    if (root["exchange-rates"]) {
      if (ExitCode code = LoadExchangeRates(session, root["exchange-rates"], path, counts);
          code != kExitOk) {
        return code;
      }
    }
    if (root["rates"]) {
      if (ExitCode code =
              LoadProductRates(session, root["rates"], path, context.default_currency, counts);
          code != kExitOk) {
        return code;
      }
    }
    if (root["pricelists"]) {
      return LoadPriceLists(session, root["pricelists"], path, context.default_currency, counts);
    }
  } catch (const YAML::Exception& error) {
    return BadPricingInput(path, error.what());
  }
  return kExitOk;
}

}  // namespace salesops::cli
