// rate, pricelist, tax, fx: the pricing configuration quotes are priced with (issue 17 items
// 2-3). Everyone may read it; changing it takes an ADMIN token. The spellings (19 %, 1.083,
// 500 EUR/day factors 1:1,2:0.5) are cli/pricing_spec.h's.
#include <absl/strings/str_join.h>

#include <CLI/CLI.hpp>
#include <optional>

#include "cli/command_tree.h"
#include "cli/input_parsing.h"
#include "cli/order_intake_stub.h"
#include "cli/output.h"
#include "cli/pricing_spec.h"

namespace salesops::cli {
namespace {

using Stub = v1::OrderIntakeService::Stub;

// Prints the answer as JSON, or `summary` for people.
template <typename Response>
ExitCode Answer(Session& session, const Response& response, const std::string& summary) {
  if (session.json()) {
    PrintJson(response);
  } else {
    std::cout << summary << "\n";
  }
  return kExitOk;
}

// The validity flags every dated record takes.
struct ValidityFlags {
  std::string from, until;
};

void AddValidityFlags(CLI::App* command, ValidityFlags& flags) {
  command->add_option("--from", flags.from,
                      "First day it applies, e.g. 2027-06-01 (default: always)");
  command->add_option("--until", flags.until, "Last day it applies, included (default: open)");
}

// Sets `validity` from the flags given; a bad day is reported and exits 2.
std::optional<ExitCode> ReadValidity(const ValidityFlags& flags, v1::Validity* validity) {
  for (const auto& [text, day, flag] :
       {std::tuple{flags.from, validity->mutable_first_day(), "--from"},
        std::tuple{flags.until, validity->mutable_last_day(), "--until"}}) {
    if (text.empty()) continue;
    absl::StatusOr<google::type::Date> parsed = ParseDay(text);
    if (!parsed.ok()) return ReportBadInput(std::string(flag) + ": " + parsed.status().ToString());
    *day = *parsed;
  }
  if (flags.from.empty()) validity->clear_first_day();
  if (flags.until.empty()) validity->clear_last_day();
  return std::nullopt;
}

// --- rate -----------------------------------------------------------------------------------

struct RateSetOptions {
  std::string code, spec, tax_class, etag, request_id, currency = "EUR";
};

ExitCode SetRate(Session& session, const RateSetOptions& options) {
  v1::SetProductRateRequest request;
  request.set_request_id(options.request_id);
  request.set_etag(options.etag);
  v1::ProductRate& rate = *request.mutable_productrate();
  rate.set_product_code(options.code);
  absl::StatusOr<v1::RateDefinition> definition = ParseRateSpec(options.spec, options.currency);
  if (!definition.ok())
    return ReportBadInput("rate: " + std::string(definition.status().message()));
  *rate.mutable_definition() = *definition;
  if (!options.tax_class.empty()) {
    absl::StatusOr<v1::TaxClass> tax_class = ParseEnum<v1::TaxClass>(options.tax_class);
    if (!tax_class.ok()) {
      return ReportBadInput("--tax-class: " + std::string(tax_class.status().message()));
    }
    rate.set_tax_class(*tax_class);
  }
  v1::SetProductRateResponse response;
  if (ExitCode code = session.Call(&Stub::SetProductRate, request, &response); code != kExitOk) {
    return code;
  }
  return Answer(session, response,
                "set " + response.productrate().product_code() + ": " +
                    FormatRateSpec(response.productrate().definition()) + " (etag " +
                    response.productrate().etag() + ")");
}

ExitCode ListRates(Session& session) {
  v1::ListProductRatesRequest request;
  v1::ListProductRatesResponse response;
  if (ExitCode code = session.CallAllPages(&Stub::ListProductRates, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  Table table({"product", "rate", "tax class", "etag"});
  for (const v1::ProductRate& rate : response.productrates()) {
    table.AddRow({rate.product_code(), FormatRateSpec(rate.definition()),
                  EnumWord(rate.tax_class() == v1::TAX_CLASS_UNSPECIFIED ? v1::TAX_CLASS_EQUIPMENT
                                                                         : rate.tax_class()),
                  rate.etag()});
  }
  table.Print();
  return kExitOk;
}

ExitCode DeleteRate(Session& session, const std::string& code, const std::string& etag,
                    const std::string& request_id) {
  v1::DeleteProductRateRequest request;
  request.set_product_code(code);
  request.set_etag(etag);
  request.set_request_id(request_id);
  v1::DeleteProductRateResponse response;
  if (ExitCode exit = session.Call(&Stub::DeleteProductRate, request, &response); exit != kExitOk) {
    return exit;
  }
  return Answer(session, response, "deleted the rate of " + code + " (priced from the catalog)");
}

// --- pricelist ------------------------------------------------------------------------------

struct PriceListOptions {
  std::string id, name, organisation, others, notes, etag, request_id, currency = "EUR";
  ValidityFlags validity;
  std::vector<std::string> overrides;
  bool clear_overrides = false;
};

void AddPriceListFlags(CLI::App* command, PriceListOptions& options) {
  command->add_option("--organisation", options.organisation,
                      "The organisation it is for (org-1001); empty: everyone");
  AddValidityFlags(command, options.validity);
  command->add_option("--override", options.overrides,
                      "CODE=90% (share of the catalog rate) or CODE=<rate> "
                      "(\"LED-WALL=450 EUR/day factors 1:1,2:0.5\"); repeatable, replaces all");
  command->add_option("--others", options.others,
                      "Share of the catalog rate for every other product, e.g. 85%");
  command->add_option("--notes", options.notes, "Free text: what was agreed");
  command->add_option("--currency", options.currency, "Currency of a bare amount")
      ->capture_default_str();
  command->add_option("--request-id", options.request_id,
                      "Idempotency key: the same id again replays the first answer");
}

// Applies the flags given to `list`, leaving the rest as it was.
std::optional<ExitCode> ApplyPriceList(const PriceListOptions& options, v1::PriceList* list) {
  if (!options.name.empty()) list->set_name(options.name);
  if (!options.organisation.empty()) list->set_organisation_id(options.organisation);
  if (!options.validity.from.empty() || !options.validity.until.empty()) {
    if (auto exit = ReadValidity(options.validity, list->mutable_validity())) return exit;
  }
  if (!options.overrides.empty() || options.clear_overrides) list->clear_overrides();
  for (const std::string& text : options.overrides) {
    absl::StatusOr<v1::PriceOverride> entry = ParseOverride(text, options.currency);
    if (!entry.ok()) return ReportBadInput("--override: " + std::string(entry.status().message()));
    *list->add_overrides() = *entry;
  }
  if (options.others == "none") {
    list->clear_everything_else_percent_bp();
  } else if (!options.others.empty()) {
    absl::StatusOr<int32_t> share = ParsePercentBasisPoints(options.others);
    if (!share.ok()) return ReportBadInput("--others: " + std::string(share.status().message()));
    list->set_everything_else_percent_bp(*share);
  }
  if (!options.notes.empty()) list->set_notes(options.notes);
  return std::nullopt;
}

void PrintPriceList(const v1::PriceList& list) {
  Details details;
  details.Add("Id", list.pricelist_id());
  details.Add("Name", list.name());
  details.Add("For", list.organisation_id().empty() ? "everyone" : list.organisation_id());
  details.Add("Valid", FormatValidity(list.validity()));
  details.Add("Everything else", list.has_everything_else_percent_bp()
                                     ? FormatPercentBasisPoints(list.everything_else_percent_bp()) +
                                           " of the catalog rate"
                                     : "-");
  details.Add("Notes", list.notes().empty() ? "-" : list.notes());
  details.Add("Etag", list.etag());
  details.Add("Updated", FormatTime(list.update_time()));
  details.Print();
  std::cout << "\nOverrides:\n";
  Table table({"product", "terms"});
  for (const v1::PriceOverride& entry : list.overrides()) {
    const std::string spelled = FormatOverride(entry);
    table.AddRow({entry.product_code(), spelled.substr(entry.product_code().size() + 1)});
  }
  table.Print();
}

ExitCode CreatePriceList(Session& session, const PriceListOptions& options) {
  v1::CreatePriceListRequest request;
  request.set_request_id(options.request_id);
  if (auto exit = ApplyPriceList(options, request.mutable_pricelist())) return *exit;
  v1::CreatePriceListResponse response;
  if (ExitCode code = session.Call(&Stub::CreatePriceList, request, &response); code != kExitOk) {
    return code;
  }
  return Answer(session, response,
                "created " + response.pricelist().pricelist_id() + " '" +
                    response.pricelist().name() + "' (etag " + response.pricelist().etag() + ")");
}

// Reads the list, changes what the flags say, and writes it back under the etag read (or the
// one given), so a concurrent edit is refused (exit 3) rather than overwritten.
ExitCode UpdatePriceList(Session& session, const PriceListOptions& options) {
  v1::GetPriceListRequest get;
  get.set_pricelist_id(options.id);
  v1::GetPriceListResponse current;
  if (ExitCode code = session.Call(&Stub::GetPriceList, get, &current); code != kExitOk) {
    return code;
  }
  v1::UpdatePriceListRequest request;
  request.set_request_id(options.request_id);
  request.set_pricelist_id(options.id);
  request.set_etag(options.etag.empty() ? current.pricelist().etag() : options.etag);
  *request.mutable_pricelist() = current.pricelist();
  if (auto exit = ApplyPriceList(options, request.mutable_pricelist())) return *exit;
  v1::UpdatePriceListResponse response;
  if (ExitCode code = session.Call(&Stub::UpdatePriceList, request, &response); code != kExitOk) {
    return code;
  }
  return Answer(session, response,
                "updated " + response.pricelist().pricelist_id() + " (etag " +
                    response.pricelist().etag() + ")");
}

ExitCode ListPriceLists(Session& session) {
  v1::ListPriceListsRequest request;
  v1::ListPriceListsResponse response;
  if (ExitCode code = session.CallAllPages(&Stub::ListPriceLists, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  Table table({"id", "name", "for", "valid", "overrides", "everything else"});
  for (const v1::PriceList& list : response.pricelists()) {
    table.AddRow({list.pricelist_id(), list.name(),
                  list.organisation_id().empty() ? "everyone" : list.organisation_id(),
                  FormatValidity(list.validity()), std::to_string(list.overrides_size()),
                  list.has_everything_else_percent_bp()
                      ? FormatPercentBasisPoints(list.everything_else_percent_bp())
                      : "-"});
  }
  table.Print();
  return kExitOk;
}

ExitCode ShowPriceList(Session& session, const std::string& id) {
  v1::GetPriceListRequest request;
  request.set_pricelist_id(id);
  v1::GetPriceListResponse response;
  if (ExitCode code = session.Call(&Stub::GetPriceList, request, &response); code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
  } else {
    PrintPriceList(response.pricelist());
  }
  return kExitOk;
}

ExitCode DeletePriceList(Session& session, const std::string& id, const std::string& etag,
                         const std::string& request_id) {
  v1::DeletePriceListRequest request;
  request.set_pricelist_id(id);
  request.set_etag(etag);
  request.set_request_id(request_id);
  v1::DeletePriceListResponse response;
  if (ExitCode code = session.Call(&Stub::DeletePriceList, request, &response); code != kExitOk) {
    return code;
  }
  return Answer(session, response, "deleted " + id);
}

// --- tax ------------------------------------------------------------------------------------

struct TaxAddOptions {
  std::string tax_class = "equipment", jurisdiction, rate, name, request_id;
  ValidityFlags validity;
};

ExitCode AddTax(Session& session, const TaxAddOptions& options) {
  v1::CreateTaxRateRequest request;
  request.set_request_id(options.request_id);
  v1::TaxRate& rate = *request.mutable_taxrate();
  absl::StatusOr<v1::TaxClass> tax_class = ParseEnum<v1::TaxClass>(options.tax_class);
  if (!tax_class.ok())
    return ReportBadInput("--class: " + std::string(tax_class.status().message()));
  rate.set_tax_class(*tax_class);
  rate.set_jurisdiction(options.jurisdiction);
  absl::StatusOr<int64_t> millionths = ParsePercentMillionths(options.rate);
  if (!millionths.ok())
    return ReportBadInput("--rate: " + std::string(millionths.status().message()));
  rate.set_tax_millionths(*millionths);
  rate.set_name(options.name);
  if (auto exit = ReadValidity(options.validity, rate.mutable_validity())) return *exit;
  v1::CreateTaxRateResponse response;
  if (ExitCode code = session.Call(&Stub::CreateTaxRate, request, &response); code != kExitOk) {
    return code;
  }
  return Answer(session, response,
                "added " + response.taxrate().taxrate_id() + ": " +
                    FormatPercentMillionths(response.taxrate().tax_millionths()) + " on " +
                    EnumWord(response.taxrate().tax_class()) + " in " +
                    response.taxrate().jurisdiction() + ", " +
                    FormatValidity(response.taxrate().validity()));
}

ExitCode ListTax(Session& session) {
  v1::ListTaxRatesRequest request;
  v1::ListTaxRatesResponse response;
  if (ExitCode code = session.CallAllPages(&Stub::ListTaxRates, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  Table table({"id", "class", "jurisdiction", "rate", "valid", "name"});
  for (const v1::TaxRate& rate : response.taxrates()) {
    table.AddRow({rate.taxrate_id(),
                  EnumWord(rate.tax_class() == v1::TAX_CLASS_UNSPECIFIED ? v1::TAX_CLASS_EQUIPMENT
                                                                         : rate.tax_class()),
                  rate.jurisdiction(), FormatPercentMillionths(rate.tax_millionths()),
                  FormatValidity(rate.validity()), rate.name()});
  }
  table.Print();
  return kExitOk;
}

// --- fx -------------------------------------------------------------------------------------

struct FxAddOptions {
  std::string from, to, factor, request_id;
  ValidityFlags validity;
};

ExitCode AddFx(Session& session, const FxAddOptions& options) {
  v1::CreateExchangeRateRequest request;
  request.set_request_id(options.request_id);
  v1::ExchangeRate& rate = *request.mutable_exchangerate();
  rate.set_from_currency(absl::AsciiStrToUpper(options.from));
  rate.set_to_currency(absl::AsciiStrToUpper(options.to));
  absl::StatusOr<int64_t> factor = ParseFactorMillionths(options.factor);
  if (!factor.ok()) return ReportBadInput("rate: " + std::string(factor.status().message()));
  rate.set_factor_millionths(*factor);
  if (auto exit = ReadValidity(options.validity, rate.mutable_validity())) return *exit;
  v1::CreateExchangeRateResponse response;
  if (ExitCode code = session.Call(&Stub::CreateExchangeRate, request, &response);
      code != kExitOk) {
    return code;
  }
  const v1::ExchangeRate& added = response.exchangerate();
  return Answer(session, response,
                "added " + added.exchangerate_id() + ": 1 " + added.from_currency() + " = " +
                    FormatFactor(added.factor_millionths()) + " " + added.to_currency() + ", " +
                    FormatValidity(added.validity()));
}

ExitCode ListFx(Session& session) {
  v1::ListExchangeRatesRequest request;
  v1::ListExchangeRatesResponse response;
  if (ExitCode code = session.CallAllPages(&Stub::ListExchangeRates, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  Table table({"id", "from", "to", "rate", "valid"});
  for (const v1::ExchangeRate& rate : response.exchangerates()) {
    table.AddRow({rate.exchangerate_id(), rate.from_currency(), rate.to_currency(),
                  FormatFactor(rate.factor_millionths()), FormatValidity(rate.validity())});
  }
  table.Print();
  return kExitOk;
}

// Removes a tax or exchange rate by id.
template <typename Request, typename Response>
ExitCode RemoveById(Session& session,
                    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    void (Request::*set_id)(const std::string&), const std::string& id,
                    const std::string& request_id) {
  Request request;
  (request.*set_id)(id);
  request.set_request_id(request_id);
  Response response;
  if (ExitCode code = session.Call(method, request, &response); code != kExitOk) return code;
  return Answer(session, response, "removed " + id);
}

void AddRequestIdFlag(CLI::App* command, std::string& request_id) {
  command->add_option("--request-id", request_id,
                      "Idempotency key: the same id again replays the first answer");
}

}  // namespace

void AddPricingCommands(CommandTree& tree) {
  CLI::App* rate = tree.AddGroup(tree.root(), "rate",
                                 "Rate definitions per product (quotes use them before the "
                                 "catalog's day rate)");
  {
    auto options = MakeOptions<RateSetOptions>();
    CLI::App* set = rate->add_subcommand("set", "Set a product's rate definition (ADMIN)");
    set->add_option("code", options->code, "Product code, e.g. LED-WALL-3X2")->required();
    set->add_option("rate", options->spec,
                    "\"500 EUR/day factors 1:1,2:0.5,4:0.25 week-cap 3\", \"250 EUR fixed\", "
                    "\"45 EUR/hour minimum 90 EUR\"")
        ->required();
    set->add_option("--tax-class", options->tax_class, "equipment (default), labour, transport");
    set->add_option("--currency", options->currency, "Currency of a bare amount")
        ->capture_default_str();
    set->add_option("--etag", options->etag, "Refuse (exit 3) unless the rate is at this etag");
    AddRequestIdFlag(set, options->request_id);
    tree.OnRun(set, [options](Session& session) { return SetRate(session, *options); });
  }
  {
    CLI::App* list = rate->add_subcommand("list", "Every product's own rate");
    tree.OnRun(list, [](Session& session) { return ListRates(session); });
  }
  {
    auto code = std::make_shared<std::string>();
    auto etag = std::make_shared<std::string>();
    auto request_id = std::make_shared<std::string>();
    CLI::App* remove =
        rate->add_subcommand("delete", "Price the product from the catalog again (ADMIN)");
    remove->add_option("code", *code, "Product code")->required();
    remove->add_option("--etag", *etag, "Refuse (exit 3) unless the rate is at this etag");
    AddRequestIdFlag(remove, *request_id);
    tree.OnRun(remove, [code, etag, request_id](Session& session) {
      return DeleteRate(session, *code, *etag, *request_id);
    });
  }

  CLI::App* pricelist =
      tree.AddGroup(tree.root(), "pricelist", "Price lists: rates per organisation or season");
  {
    CLI::App* list = pricelist->add_subcommand("list", "Every price list");
    tree.OnRun(list, [](Session& session) { return ListPriceLists(session); });
  }
  {
    auto id = std::make_shared<std::string>();
    CLI::App* show = pricelist->add_subcommand("show", "One price list with its overrides");
    show->add_option("id", *id, "Price list id (pl-1001)")->required();
    tree.OnRun(show, [id](Session& session) { return ShowPriceList(session, *id); });
  }
  {
    auto options = MakeOptions<PriceListOptions>();
    CLI::App* create = pricelist->add_subcommand("create", "Create a price list (ADMIN)");
    create->add_option("name", options->name, "Unique name, shown on quote lines")->required();
    AddPriceListFlags(create, *options);
    tree.OnRun(create, [options](Session& session) { return CreatePriceList(session, *options); });
  }
  {
    auto options = MakeOptions<PriceListOptions>();
    CLI::App* update = pricelist->add_subcommand(
        "update", "Change the given parts of a price list (ADMIN); --override replaces them all");
    update->add_option("id", options->id, "Price list id (pl-1001)")->required();
    update->add_option("--name", options->name, "A new name");
    AddPriceListFlags(update, *options);
    update->add_flag("--clear-overrides", options->clear_overrides, "Remove every override");
    update->add_option("--etag", options->etag,
                       "Refuse (exit 3) unless the list is at this etag (default: as read)");
    tree.OnRun(update, [options](Session& session) { return UpdatePriceList(session, *options); });
  }
  {
    auto id = std::make_shared<std::string>();
    auto etag = std::make_shared<std::string>();
    auto request_id = std::make_shared<std::string>();
    CLI::App* remove = pricelist->add_subcommand("delete", "Delete a price list (ADMIN)");
    remove->add_option("id", *id, "Price list id")->required();
    remove->add_option("--etag", *etag, "Refuse (exit 3) unless the list is at this etag");
    AddRequestIdFlag(remove, *request_id);
    tree.OnRun(remove, [id, etag, request_id](Session& session) {
      return DeletePriceList(session, *id, *etag, *request_id);
    });
  }

  CLI::App* tax = tree.AddGroup(tree.root(), "tax", "Tax rates per class and jurisdiction");
  {
    CLI::App* list = tax->add_subcommand("list", "Every tax rate");
    tree.OnRun(list, [](Session& session) { return ListTax(session); });
  }
  {
    auto options = MakeOptions<TaxAddOptions>();
    CLI::App* add = tax->add_subcommand(
        "add", "Add a tax rate (ADMIN); refused if one of its class and jurisdiction shares a day");
    add->add_option("--class", options->tax_class, "equipment, labour or transport")
        ->capture_default_str();
    add->add_option("--jurisdiction", options->jurisdiction, "DE, US-NY, ...")->required();
    add->add_option("--rate", options->rate, "e.g. \"19 %\"")->required();
    add->add_option("--name", options->name, "As the invoice prints it, e.g. \"USt 19 %\"");
    AddValidityFlags(add, options->validity);
    AddRequestIdFlag(add, options->request_id);
    tree.OnRun(add, [options](Session& session) { return AddTax(session, *options); });
  }
  {
    auto id = std::make_shared<std::string>();
    auto request_id = std::make_shared<std::string>();
    CLI::App* remove = tax->add_subcommand("remove", "Remove a tax rate (ADMIN)");
    remove->add_option("id", *id, "Tax rate id (tax-1001)")->required();
    AddRequestIdFlag(remove, *request_id);
    tree.OnRun(remove, [id, request_id](Session& session) {
      return RemoveById(session, &Stub::DeleteTaxRate, &v1::DeleteTaxRateRequest::set_taxrate_id,
                        *id, *request_id);
    });
  }

  CLI::App* fx = tree.AddGroup(tree.root(), "fx", "Exchange rates");
  {
    CLI::App* list = fx->add_subcommand("list", "Every exchange rate");
    tree.OnRun(list, [](Session& session) { return ListFx(session); });
  }
  {
    auto options = MakeOptions<FxAddOptions>();
    CLI::App* add = fx->add_subcommand(
        "add", "Add an exchange rate (ADMIN): fx add EUR USD 1.083 (1 EUR = 1.083 USD)");
    add->add_option("from", options->from, "Currency converted from (EUR)")->required();
    add->add_option("to", options->to, "Currency converted into (USD)")->required();
    add->add_option("rate", options->factor, "How many `to` one `from` is, e.g. 1.083")->required();
    AddValidityFlags(add, options->validity);
    AddRequestIdFlag(add, options->request_id);
    tree.OnRun(add, [options](Session& session) { return AddFx(session, *options); });
  }
  {
    auto id = std::make_shared<std::string>();
    auto request_id = std::make_shared<std::string>();
    CLI::App* remove = fx->add_subcommand("remove", "Remove an exchange rate (ADMIN)");
    remove->add_option("id", *id, "Exchange rate id (fx-1001)")->required();
    AddRequestIdFlag(remove, *request_id);
    tree.OnRun(remove, [id, request_id](Session& session) {
      return RemoveById(session, &Stub::DeleteExchangeRate,
                        &v1::DeleteExchangeRateRequest::set_exchangerate_id, *id, *request_id);
    });
  }
}

}  // namespace salesops::cli
