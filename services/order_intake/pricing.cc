#include "services/order_intake/pricing.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/strip.h>
#include <absl/time/civil_time.h>
#include <absl/time/time.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <map>

#include "services/common/errors.h"
#include "services/common/money.h"
#include "services/common/skill_codes.h"
#include "services/common/time_util.h"
#include "services/common/validation.h"
#include "services/order_intake/phases.h"
#include "services/order_intake/pricing_conversion.h"

namespace salesops::order_intake {

using google::protobuf::util::TimeUtil;

int64_t BillableDaysOf(const v1::DeliveryWindow& delivery, const v1::EventSchedule& schedule) {
  const google::protobuf::Timestamp& start = delivery.window().no_later_than();
  const google::protobuf::Timestamp& end =
      schedule.has_strike_time() ? schedule.strike_time() : schedule.show_end_time();
  if (!schedule.has_strike_time() && !schedule.has_show_end_time()) return 1;
  const int64_t seconds = (TimeUtil::TimestampToSeconds(end) - TimeUtil::TimestampToSeconds(start));
  constexpr int64_t kDay = 24 * 3600;
  return std::max<int64_t>(1, (seconds + kDay - 1) / kDay);
}

namespace {

absl::CivilDay DayOf(const google::protobuf::Timestamp& timestamp) {
  return absl::ToCivilDay(absl::FromUnixSeconds(timestamp.seconds()), absl::UTCTimeZone());
}

// Crew and the pinned surcharge are priced by the engine as products of their own, so a price
// list or a rate definition may name them like any product: "CREW-AUDIO", "PINNED-DELIVERY".
std::string CrewCode(const std::string& skill_code) { return "CREW-" + skill_code; }
constexpr char kPinnedDeliveryCode[] = "PINNED-DELIVERY";
constexpr char kTransportCode[] = "TRANSPORT";

v1::TaxClass TaxClassToProto(rating::TaxClass tax_class) {
  switch (tax_class) {
    case rating::TaxClass::kLabour:
      return v1::TAX_CLASS_LABOUR;
    case rating::TaxClass::kTransport:
      return v1::TAX_CLASS_TRANSPORT;
    case rating::TaxClass::kEquipment:
      break;
  }
  return v1::TAX_CLASS_EQUIPMENT;
}

// An amount off is in the quote's currency: one in another currency is refused, not converted
// behind sales' back.
absl::StatusOr<rating::Discount> DiscountFromProto(const v1::Discount& discount,
                                                   const std::string& currency,
                                                   const std::string& field) {
  rating::Discount result;
  result.reason = discount.reason();
  if (discount.kind() == v1::DISCOUNT_KIND_AMOUNT) {
    result.kind = rating::Discount::Kind::kAmount;
    if (discount.amount().currency_code() != currency) {
      return common::InvalidArgumentError(
          {{field + ".amount", absl::StrCat("is in ", discount.amount().currency_code(),
                                            "; this quote is in ", currency)}});
    }
    SALESOPS_ASSIGN_OR_RETURN(result.amount_micros,
                              common::MoneyToMicros(discount.amount(), field + ".amount"));
  } else {
    result.kind = rating::Discount::Kind::kPercent;
    result.percent_bp = discount.percent_bp();
  }
  return result;
}

rating::Organisation OrganisationOf(const v1::Order& order, const PricingOptions& options) {
  rating::Organisation organisation;
  organisation.currency = options.currency;
  organisation.jurisdiction = options.tax_jurisdiction;
  if (!order.directory_snapshot().has_organisation()) return organisation;
  const v1::Organisation& snapshot = order.directory_snapshot().organisation();
  organisation.id = snapshot.organisation_id();
  if (!snapshot.currency().empty()) organisation.currency = snapshot.currency();
  organisation.vat_id = snapshot.tax_id();
  organisation.exemption_reference = snapshot.tax_id();
  switch (snapshot.tax_status()) {
    case v1::TAX_STATUS_REVERSE_CHARGE:
      organisation.tax_status = rating::TaxStatus::kReverseCharge;
      break;
    case v1::TAX_STATUS_EXEMPT:
      organisation.tax_status = rating::TaxStatus::kExempt;
      break;
    default:
      organisation.tax_status = rating::TaxStatus::kStandard;
  }
  return organisation;
}

// Minutes an hourly product is charged for: the show, or else the whole rental.
int64_t HourlyMinutes(const v1::EventSchedule& schedule, int64_t days) {
  if (schedule.has_show_start_time() && schedule.has_show_end_time()) {
    const int64_t seconds = TimeUtil::TimestampToSeconds(schedule.show_end_time()) -
                            TimeUtil::TimestampToSeconds(schedule.show_start_time());
    return std::max<int64_t>(60, (seconds + 59) / 60);
  }
  return days * 24 * 60;
}

// Puts what the catalog says about a resolved line's product into `catalog`, once: its
// configured rate definition, else its sale price (a sale item: one price per unit, charged
// once) or its day rate. A sold product stays sold under a configured rate, which only prices it.
absl::Status AddCatalogProduct(const v1::ResolvedProductLine& resolved_line,
                               const PricingConfig& config, const PricingOptions& options,
                               const std::string& what, rating::Catalog& catalog) {
  const std::string& code = resolved_line.line().product_code();
  if (catalog.count(code)) return absl::OkStatus();
  rating::Product product;
  if (auto configured = config.product_rates.find(code); configured != config.product_rates.end()) {
    product = configured->second;
  } else {
    const bool sold = resolved_line.has_sale_price();
    const google::type::Money& price = sold ? resolved_line.sale_price() : resolved_line.day_rate();
    product.rate.kind = sold ? rating::RateKind::kFixed : rating::RateKind::kPerDay;
    SALESOPS_ASSIGN_OR_RETURN(
        product.rate.rate_micros,
        common::MoneyToMicros(price, what + (sold ? ": the sale price" : ": the day rate")));
    product.rate.currency =
        price.currency_code().empty() ? options.currency : price.currency_code();
  }
  product.sold = resolved_line.has_sale_price();
  catalog[code] = std::move(product);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<PricedQuote> PriceQuote(const v1::Order& order,
                                       const v1::ResolveProductsResponse& resolved,
                                       const PricingConfig& config, const PricingOptions& options,
                                       const std::string& field,
                                       const google::protobuf::Timestamp& now,
                                       const v1::ResolveProductsResponse* optional_resolved) {
  const rating::Organisation organisation = OrganisationOf(order, options);
  const std::string& currency = organisation.currency;

  rating::RatingTables tables;
  tables.exchange_rates = config.exchange_rates;
  tables.tax_rates = config.tax_rates;
  const bool jurisdiction_configured = std::any_of(
      tables.tax_rates.begin(), tables.tax_rates.end(),
      [&](const rating::TaxRate& rate) { return rate.jurisdiction == organisation.jurisdiction; });
  if (!jurisdiction_configured) {
    for (rating::TaxClass tax_class :
         {rating::TaxClass::kEquipment, rating::TaxClass::kLabour, rating::TaxClass::kTransport}) {
      tables.tax_rates.push_back({tax_class, organisation.jurisdiction, 0, {}});
    }
  }
  // The organisation's default price list is its own standing terms (rank 2 in rating.h).
  const std::string& default_list = order.directory_snapshot().organisation().default_pricelist();
  for (rating::PriceList list : config.price_lists) {
    if (!default_list.empty() && list.name == default_list && list.organisation_id.empty()) {
      list.organisation_id = organisation.id;
    }
    tables.price_lists.push_back(std::move(list));
  }

  std::map<std::string, const v1::Discount*> line_discounts;
  for (const v1::LineDiscount& line : order.line_discounts()) {
    line_discounts[line.product_code()] = &line.discount();
  }
  rating::QuoteRequest request;
  request.organisation = organisation;
  request.service_date = DayOf(order.delivery_window().window().no_later_than());
  request.quote_date = DayOf(now);
  // Where each line the engine prices came from, in the order of request.lines.
  struct Origin {
    enum class Kind { kProduct, kCrew, kPinned, kCustom, kTransport } kind;
    std::string phase_id;
    int resolved_line = 0;                    // kProduct
    std::string skill_code;      // kCrew
    int64_t person_seconds = 0;  // kCrew
  };
  std::vector<Origin> origins;
  const std::vector<PhaseWork> phases = PhasesOf(order, resolved, field);
  const int64_t days = BillableDaysOf(order.delivery_window(), order.event_schedule());
  for (const PhaseWork& phase : phases) {
    const int64_t phase_days = BillableDaysOf(*phase.delivery, *phase.schedule);
    const int phase_lines =
        order.phases().empty() ? resolved.resolved_lines_size() : phase.lines->size();
    for (int i = phase.first_line;
         i < phase.first_line + phase_lines && i < resolved.resolved_lines_size(); ++i) {
      const v1::ResolvedProductLine& resolved_line = resolved.resolved_lines(i);
      const std::string& code = resolved_line.line().product_code();
      const std::string line_name =
          absl::StrCat(phase.field, ".product_lines[", i - phase.first_line, "] (", code, ")");
      SALESOPS_RETURN_IF_ERROR(
          AddCatalogProduct(resolved_line, config, options, line_name, tables.catalog));
      rating::LineRequest line;
      line.product_code = code;
      line.quantity = resolved_line.line().quantity();
      line.days = phase_days;
      line.duration_minutes = HourlyMinutes(*phase.schedule, phase_days);
      if (auto discount = line_discounts.find(code); discount != line_discounts.end()) {
        SALESOPS_ASSIGN_OR_RETURN(
            line.discount, DiscountFromProto(*discount->second, currency,
                                             absl::StrCat(field, ".line_discounts (", code, ")")));
      }
      request.lines.push_back(std::move(line));
      origins.push_back({Origin::Kind::kProduct, phase.phase_id, i});
    }

    // Person-time per skill, as the job plan will staff the phase.
    std::map<std::string, int64_t> seconds_by_skill;
    for (const v1::CrewNeed& need : phase.resolved.crew_needs()) {
      const std::string skill = common::SkillCodeOf(need);
      const std::string crew_time = absl::StrCat("the crew time of ", skill, " for ", phase.field);
      SALESOPS_ASSIGN_OR_RETURN(
          const int64_t person_seconds,
          common::CheckedMultiply(TimeUtil::DurationToSeconds(need.duration()),
                                  std::max(1, need.headcount()), crew_time));
      SALESOPS_ASSIGN_OR_RETURN(
          seconds_by_skill[skill],
          common::CheckedAdd(seconds_by_skill[skill], person_seconds, crew_time));
    }
    for (const auto& [skill, seconds] : seconds_by_skill) {
      if (seconds > TimeUtil::kDurationMaxSeconds) {
        return common::ReasonedError(absl::StatusCode::kOutOfRange, v1::AMOUNT_OUT_OF_RANGE,
                                     absl::StrCat("the crew time of ", skill,
                                                  " for ", field, " is out of range: ", seconds,
                                                  " person-seconds, more than a duration holds"));
      }
      const std::string code = CrewCode(skill);
      if (!config.product_rates.count(code)) {
        rating::Product& crew = tables.catalog[code];
        crew.rate = {
            rating::RateKind::kHourly, options.crew_hourly_micros, options.currency, {}, 0};
        crew.tax_class = rating::TaxClass::kLabour;
      } else {
        tables.catalog[code] = config.product_rates.at(code);
      }
      rating::LineRequest line;
      line.product_code = code;
      line.duration_minutes = (seconds + 59) / 60;
      request.lines.push_back(std::move(line));
      origins.push_back({Origin::Kind::kCrew, phase.phase_id, 0, skill, seconds});
    }
    // Charges of the company's own, priced as transport unless a rate definition for their code
    // says otherwise: the pinned delivery, and the truck's run there and back.
    auto add_charge = [&](const char* code, rating::RateKind kind, int64_t micros, int64_t minutes,
                          Origin::Kind origin) {
      rating::Product& charge = tables.catalog[code];
      charge.rate = {kind, micros, options.currency, {}, 0};
      charge.tax_class = rating::TaxClass::kTransport;
      if (config.product_rates.count(code)) charge = config.product_rates.at(code);
      rating::LineRequest line;
      line.product_code = code;
      line.duration_minutes = minutes;
      request.lines.push_back(std::move(line));
      origins.push_back({origin, phase.phase_id});
    };
    if (phase.delivery->pinned()) {
      add_charge(kPinnedDeliveryCode, rating::RateKind::kFixed, options.pinned_surcharge_micros, 0,
                 Origin::Kind::kPinned);
    }
    const int64_t travel_seconds = TimeUtil::DurationToSeconds(phase.venue->travel_time());
    if (options.transport_hourly_micros > 0 && travel_seconds > 0) {
      add_charge(kTransportCode, rating::RateKind::kHourly, options.transport_hourly_micros,
                 2 * ((travel_seconds + 59) / 60), Origin::Kind::kTransport);
    }
  }
  // Custom lines: each a fixed price of its own, taxed as its category says.
  for (int i = 0; i < order.custom_lines_size(); ++i) {
    const v1::CustomLine& custom = order.custom_lines(i);
    const std::string code = absl::StrCat("CUSTOM-", i + 1);
    const std::string name = absl::StrCat(field, ".custom_lines[", i, "]");
    if (custom.unit_price().currency_code() != currency) {
      return common::InvalidArgumentError(
          {{name + ".unit_price", absl::StrCat("is in ", custom.unit_price().currency_code(),
                                               "; this quote is in ", currency)}});
    }
    rating::Product& product = tables.catalog[code];
    SALESOPS_ASSIGN_OR_RETURN(product.rate.rate_micros,
                              common::MoneyToMicros(custom.unit_price(), name + ".unit_price"));
    if (product.rate.rate_micros < 0) {
      return common::InvalidArgumentError(
          {{name + ".unit_price", "is negative; a reduction is a discount, with its reason"}});
    }
    product.rate.kind = rating::RateKind::kFixed;
    product.rate.currency = currency;
    product.tax_class =
        custom.tax_class() != v1::TAX_CLASS_UNSPECIFIED ? TaxClassFromProto(custom.tax_class())
        : custom.category() == v1::CUSTOM_LINE_CATEGORY_SERVICE   ? rating::TaxClass::kLabour
        : custom.category() == v1::CUSTOM_LINE_CATEGORY_TRANSPORT ? rating::TaxClass::kTransport
                                                                  : rating::TaxClass::kEquipment;
    rating::LineRequest line;
    line.product_code = code;
    line.quantity = std::max(1, custom.quantity());
    request.lines.push_back(std::move(line));
    origins.push_back({Origin::Kind::kCustom, "", i});
  }
  if (order.has_order_discount()) {
    SALESOPS_ASSIGN_OR_RETURN(
        request.order_discount,
        DiscountFromProto(order.order_discount(), currency, field + ".order_discount"));
  }

  rating::RatingPolicy policy;
  policy.rounding = options.tax_rounding;
  policy.approval_threshold_bp = options.approval_threshold_bp;
  absl::StatusOr<rating::Quote> rated = RateQuote(request, tables, policy);
  if (!rated.ok()) {
    if (rated.status().code() == absl::StatusCode::kFailedPrecondition) {
      return common::ReasonedError(
          absl::StatusCode::kFailedPrecondition, v1::PRICING_NOT_CONFIGURED,
          absl::StrCat(field, " cannot be priced: ", rated.status().message()));
    }
    if (rated.status().code() == absl::StatusCode::kOutOfRange) {
      // The engine names the product; the caller knows the line by its place in the order.
      std::string where = field;
      absl::string_view message = rated.status().message();
      for (int i = 0; i < resolved.resolved_lines_size(); ++i) {
        const std::string& code = resolved.resolved_lines(i).line().product_code();
        if (absl::ConsumePrefix(&message, code + ": ")) {
          where = absl::StrCat(field, ".product_lines[", i, "] (", code, ")");
          break;
        }
      }
      return common::ReasonedError(absl::StatusCode::kOutOfRange, v1::AMOUNT_OUT_OF_RANGE,
                                   absl::StrCat(where, ": ", message));
    }
    if (rated.status().code() == absl::StatusCode::kInvalidArgument) {
      return common::InvalidArgumentError({{field, std::string(rated.status().message())}});
    }
    return rated.status();
  }

  PricedQuote priced;
  priced.approval_reasons = rated->approval_reasons;
  v1::Quote& quote = priced.quote;
  auto money = [&](int64_t micros) { return common::MoneyFromMicros(micros, currency); };
  *quote.mutable_billable_duration() = TimeUtil::SecondsToDuration(days * 24 * 3600);
  int64_t equipment = 0;
  int64_t crew = 0;
  int64_t surcharge = 0;
  int64_t transport = 0;
  std::string transport_explanation;
  for (size_t i = 0; i < rated->lines.size(); ++i) {
    const rating::QuoteLine& rated_line = rated->lines[i];
    const rating::LinePrice& price = rated_line.price;
    const Origin& origin = origins[i];
    // Each fits: their sum, the quote's total, did.
    if (origin.kind == Origin::Kind::kProduct) {
      const v1::ResolvedProductLine& resolved_line = resolved.resolved_lines(origin.resolved_line);
      v1::QuoteLine* line = quote.add_lines();
      *line->mutable_line() = resolved_line.line();
      line->set_product_name(resolved_line.product_name());
      const rating::RateDefinition& rate = tables.catalog.at(price.product_code).rate;
      if (rate.kind == rating::RateKind::kPerDay) {
        *line->mutable_day_rate() = common::MoneyFromMicros(rate.rate_micros, rate.currency);
      }
      *line->mutable_line_total() = money(price.total_micros);
      *line->mutable_unit_price() = money(price.unit_price_micros);
      line->set_priced_by(common::TruncateText(price.priced_by, 300));
      line->set_explanation(common::TruncateText(price.explanation, 2000));
      if (auto discount = line_discounts.find(price.product_code);
          discount != line_discounts.end()) {
        *line->mutable_discount() = *discount->second;
      }
      *line->mutable_discount_amount() =
          money(rated_line.line_discount_micros + rated_line.order_discount_micros);
      *line->mutable_net() = money(rated_line.net_micros);
      line->set_tax_class(TaxClassToProto(rated_line.tax_class));
      line->set_tax_millionths(rated_line.tax_millionths);
      line->set_phase_id(origin.phase_id);
      equipment += price.total_micros;
    } else if (origin.kind == Origin::Kind::kCrew) {
      v1::CrewCostLine* line = quote.add_crew_lines();
      common::SetSkill(line, origin.skill_code);
      line->set_phase_id(origin.phase_id);
      *line->mutable_person_time() = TimeUtil::SecondsToDuration(origin.person_seconds);
      *line->mutable_hourly_cost() =
          common::MoneyFromMicros(options.crew_hourly_micros, options.currency);
      *line->mutable_line_total() = money(price.total_micros);
      line->set_explanation(common::TruncateText(price.explanation, 2000));
      line->set_tax_millionths(rated_line.tax_millionths);
      crew += price.total_micros;
    } else if (origin.kind == Origin::Kind::kCustom) {
      v1::CustomQuoteLine* line = quote.add_custom_lines();
      *line->mutable_line() = order.custom_lines(origin.resolved_line);
      *line->mutable_line_total() = money(price.total_micros);
      *line->mutable_discount_amount() =
          money(rated_line.line_discount_micros + rated_line.order_discount_micros);
      *line->mutable_net() = money(rated_line.net_micros);
      line->set_tax_class(TaxClassToProto(rated_line.tax_class));
      line->set_tax_millionths(rated_line.tax_millionths);
      line->set_explanation(common::TruncateText(
          absl::StrCat(line->line().description(), ": ", price.explanation), 2000));
    } else if (origin.kind == Origin::Kind::kTransport) {
      transport += price.total_micros;
      absl::StrAppend(&transport_explanation, transport_explanation.empty() ? "" : "; ",
                      origin.phase_id.empty() ? "" : origin.phase_id + ": ", price.explanation);
    } else {
      surcharge += price.total_micros;
    }
  }
  // The optional lines, each priced alone as if added to the order's own phase: outside every
  // total, before order discounts and tax.
  if (optional_resolved != nullptr && optional_resolved->resolved_lines_size() > 0) {
    rating::QuoteRequest offered;
    offered.organisation = organisation;
    offered.service_date = request.service_date;
    offered.quote_date = request.quote_date;
    for (int i = 0; i < optional_resolved->resolved_lines_size(); ++i) {
      const v1::ResolvedProductLine& resolved_line = optional_resolved->resolved_lines(i);
      const std::string& code = resolved_line.line().product_code();
      SALESOPS_RETURN_IF_ERROR(AddCatalogProduct(resolved_line, config, options,
                                                 absl::StrCat(field, ".optional_lines[", i, "]"),
                                                 tables.catalog));
      rating::LineRequest line;
      line.product_code = code;
      line.quantity = resolved_line.line().quantity();
      line.days = days;
      line.duration_minutes = HourlyMinutes(order.event_schedule(), days);
      offered.lines.push_back(std::move(line));
    }
    absl::StatusOr<rating::Quote> options_rated = RateQuote(offered, tables, policy);
    if (!options_rated.ok()) {
      return common::ReasonedError(
          options_rated.status().code() == absl::StatusCode::kFailedPrecondition
              ? absl::StatusCode::kFailedPrecondition
              : options_rated.status().code(),
          options_rated.status().code() == absl::StatusCode::kFailedPrecondition
              ? v1::PRICING_NOT_CONFIGURED
              : v1::AMOUNT_OUT_OF_RANGE,
          absl::StrCat(field, ".optional_lines: ", options_rated.status().message()));
    }
    for (size_t i = 0; i < options_rated->lines.size(); ++i) {
      const rating::QuoteLine& rated_line = options_rated->lines[i];
      v1::QuoteLine* line = quote.add_optional_lines();
      *line->mutable_line() = optional_resolved->resolved_lines(i).line();
      line->set_product_name(optional_resolved->resolved_lines(i).product_name());
      *line->mutable_line_total() = money(rated_line.price.total_micros);
      *line->mutable_unit_price() = money(rated_line.price.unit_price_micros);
      line->set_priced_by(common::TruncateText(rated_line.price.priced_by, 300));
      line->set_explanation(common::TruncateText(rated_line.price.explanation, 2000));
      *line->mutable_net() = money(rated_line.net_micros);
      line->set_tax_class(TaxClassToProto(rated_line.tax_class));
      line->set_tax_millionths(rated_line.tax_millionths);
    }
  }
  *quote.mutable_transport() = money(transport);
  quote.set_transport_explanation(common::TruncateText(transport_explanation, 1000));
  *quote.mutable_equipment_subtotal() = money(equipment);
  *quote.mutable_crew_cost() = money(crew);
  *quote.mutable_pinned_surcharge() = money(surcharge);
  *quote.mutable_discount_total() = money(rated->discount_micros);
  *quote.mutable_net_total() = money(rated->net_micros);
  for (const rating::TaxGroup& group : rated->tax_groups) {
    v1::TaxLine* tax = quote.add_tax_lines();
    tax->set_tax_millionths(group.rate_millionths);
    for (rating::TaxClass tax_class : group.classes) {
      tax->add_tax_classes(TaxClassToProto(tax_class));
    }
    *tax->mutable_net() = money(group.net_micros);
    *tax->mutable_tax() = money(group.tax_micros);
  }
  *quote.mutable_tax_total() = money(rated->tax_micros);
  *quote.mutable_total() = money(rated->gross_micros);
  if (order.has_order_discount()) *quote.mutable_order_discount() = order.order_discount();
  for (const rating::ExchangeRate& rate : rated->exchange_rates_used) {
    v1::QuoteExchangeRate* used = quote.add_exchange_rates();
    used->set_from_currency(rate.from);
    used->set_to_currency(rate.to);
    used->set_factor_millionths(rate.rate_millionths);
  }
  quote.set_tax_note(common::TruncateText(rated->tax_note, 1000));
  quote.set_tax_rounding(options.tax_rounding == rating::RoundingPolicy::kPerLine ? "per line"
                                                                                  : "per total");
  *quote.mutable_quote_time() = now;
  return priced;
}

}  // namespace salesops::order_intake

namespace salesops::order_intake {

v1::Window RentalWindow(const v1::Order& order) {
  return RentalWindowOf(order.delivery_window(), order.event_schedule(), order.venue());
}

}  // namespace salesops::order_intake
