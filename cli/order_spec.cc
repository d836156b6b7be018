#include "cli/order_spec.h"

#include <absl/strings/ascii.h>
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_split.h>
#include <absl/strings/strip.h>

#include <CLI/CLI.hpp>
#include <functional>

#include "cli/input_parsing.h"

namespace salesops::cli {
namespace {

using Apply = std::function<absl::Status(const std::string& value, v1::Order* order)>;

// One field of the spec: its flag (and file key), where it goes in the order, and how.
struct SpecField {
  std::string name;
  std::string OrderSpec::*member;
  std::string help;
  std::string order_field;  // for field violations: "customer.name"
  Apply apply;
};

absl::Status Bad(const std::string& name, const absl::Status& status) {
  return absl::InvalidArgumentError(absl::StrCat("--", name, ": ", status.message()));
}

// A setter for a Timestamp field of the order.
Apply TimeInto(std::string name, std::function<google::protobuf::Timestamp*(v1::Order*)> field) {
  return [name, field](const std::string& value, v1::Order* order) -> absl::Status {
    absl::StatusOr<google::protobuf::Timestamp> time = ParseTime(value);
    if (!time.ok()) return Bad(name, time.status());
    *field(order) = *time;
    return absl::OkStatus();
  };
}

Apply TextInto(std::function<std::string*(v1::Order*)> field) {
  return [field](const std::string& value, v1::Order* order) {
    *field(order) = value;
    return absl::OkStatus();
  };
}

// "15% launch partner" or "200 EUR goodwill": how much off, then why (required).
absl::StatusOr<v1::Discount> ParseDiscount(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  const size_t percent = text.find('%');
  v1::Discount discount;
  absl::string_view reason;
  if (percent != absl::string_view::npos) {
    double value = 0;
    if (!absl::SimpleAtod(text.substr(0, percent), &value) || value < 0 || value > 100) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", text, "' is not a discount: a percentage from 0 to 100, then why"));
    }
    discount.set_kind(v1::DISCOUNT_KIND_PERCENT);
    discount.set_percent_bp(static_cast<int32_t>(value * 100 + 0.5));
    reason = text.substr(percent + 1);
  } else {
    // The amount is a number and a currency code: "200 EUR" or "200.00 EUR".
    const std::vector<absl::string_view> words =
        absl::StrSplit(text, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (words.size() < 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("'", text, "' is not a discount: \"15% why\" or \"200 EUR why\""));
    }
    absl::StatusOr<google::type::Money> amount =
        ParseMoney(absl::StrCat(words[0], " ", words[1]), "");
    if (!amount.ok()) return amount.status();
    discount.set_kind(v1::DISCOUNT_KIND_AMOUNT);
    *discount.mutable_amount() = *amount;
    reason = text.substr(words[1].data() + words[1].size() - text.data());
  }
  discount.set_reason(std::string(absl::StripAsciiWhitespace(reason)));
  if (discount.reason().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' gives no reason: every discount says why"));
  }
  return discount;
}

// "fee: Rigging fee of the venue = 350 EUR" or "service: Programmer = 650 EUR x 2".
absl::StatusOr<v1::CustomLine> ParseCustomLine(absl::string_view text) {
  const size_t colon = text.find(':');
  const size_t equals = text.rfind('=');
  if (colon == absl::string_view::npos || equals == absl::string_view::npos || equals < colon) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not a custom line: \"fee: Rigging fee of the venue = 350 EUR\""));
  }
  v1::CustomLine custom;
  absl::StatusOr<v1::CustomLineCategory> category =
      ParseEnum<v1::CustomLineCategory>(absl::StripAsciiWhitespace(text.substr(0, colon)));
  if (!category.ok()) return category.status();
  custom.set_category(*category);
  custom.set_description(
      std::string(absl::StripAsciiWhitespace(text.substr(colon + 1, equals - colon - 1))));
  absl::string_view price = absl::StripAsciiWhitespace(text.substr(equals + 1));
  custom.set_quantity(1);
  if (const size_t times = price.rfind(" x "); times != absl::string_view::npos) {
    int quantity = 0;
    if (!absl::SimpleAtoi(price.substr(times + 3), &quantity) || quantity < 1) {
      return absl::InvalidArgumentError(absl::StrCat("'", price, "': the quantity after x"));
    }
    custom.set_quantity(quantity);
    price = price.substr(0, times);
  }
  absl::StatusOr<google::type::Money> unit_price = ParseMoney(price, "");
  if (!unit_price.ok()) return unit_price.status();
  *custom.mutable_unit_price() = *unit_price;
  return custom;
}

const std::vector<SpecField>& Fields() {
  static const auto* fields = new std::vector<SpecField>{
      {"customer", &OrderSpec::customer, "Customer name", "customer.name",
       TextInto([](v1::Order* o) { return o->mutable_customer()->mutable_name(); })},
      {"customer-id", &OrderSpec::customer_id, "Customer id in your CRM", "customer.customer_id",
       TextInto([](v1::Order* o) { return o->mutable_customer()->mutable_customer_id(); })},
      {"contact", &OrderSpec::contact, "Contact person", "customer.contact_name",
       TextInto([](v1::Order* o) { return o->mutable_customer()->mutable_contact_name(); })},
      {"email", &OrderSpec::email, "Contact email", "customer.email",
       TextInto([](v1::Order* o) { return o->mutable_customer()->mutable_email(); })},
      {"phone", &OrderSpec::phone, "Contact phone", "customer.phone",
       TextInto([](v1::Order* o) { return o->mutable_customer()->mutable_phone(); })},
      {"reference", &OrderSpec::reference, "The customer's own reference (PO number)",
       "customer_reference",
       TextInto([](v1::Order* o) { return o->mutable_customer_reference(); })},
      {"salesperson", &OrderSpec::salesperson, "Salesperson id (default: you)", "salesperson_id",
       TextInto([](v1::Order* o) { return o->mutable_salesperson_id(); })},
      {"organisation", &OrderSpec::organisation,
       "Organisation id in the directory (org-1001): fills the customer, its currency and tax",
       "organisation_id", TextInto([](v1::Order* o) { return o->mutable_organisation_id(); })},
      {"contact-id", &OrderSpec::contact_id,
       "Contact id at the organisation (default: its billing contact)", "contact_id",
       TextInto([](v1::Order* o) { return o->mutable_contact_id(); })},
      {"venue-id", &OrderSpec::venue_id, "Venue id in the directory (venue-1001): fills the venue",
       "venue_id", TextInto([](v1::Order* o) { return o->mutable_venue_id(); })},
      {"order-discount", &OrderSpec::order_discount,
       "A discount on the whole order: \"10% early booking\" or \"200 EUR goodwill\" (\"none\" "
       "removes it)",
       "order_discount",
       [](const std::string& value, v1::Order* order) -> absl::Status {
         if (value == "none") {
           order->clear_order_discount();
           return absl::OkStatus();
         }
         absl::StatusOr<v1::Discount> discount = ParseDiscount(value);
         if (!discount.ok()) return Bad("order-discount", discount.status());
         *order->mutable_order_discount() = *discount;
         return absl::OkStatus();
       }},
      {"venue", &OrderSpec::venue, "Venue name", "venue.name",
       TextInto([](v1::Order* o) { return o->mutable_venue()->mutable_name(); })},
      {"travel", &OrderSpec::travel, "One-way travel from the warehouse (45m, 1h30m)",
       "venue.travel_time",
       [](const std::string& value, v1::Order* order) -> absl::Status {
         absl::StatusOr<google::protobuf::Duration> travel = ParseDuration(value);
         if (!travel.ok()) return Bad("travel", travel.status());
         *order->mutable_venue()->mutable_travel_time() = *travel;
         return absl::OkStatus();
       }},
      {"dock-notes", &OrderSpec::dock_notes, "Loading dock notes", "venue.loading_dock_notes",
       TextInto([](v1::Order* o) { return o->mutable_venue()->mutable_loading_dock_notes(); })},
      {"access-notes", &OrderSpec::access_notes, "Site access notes", "venue.access_notes",
       TextInto([](v1::Order* o) { return o->mutable_venue()->mutable_access_notes(); })},
      {"deliver-from", &OrderSpec::deliver_from, "Deliver not before (\"+14d 05:00\")",
       "delivery_window.window.not_before",
       TimeInto("deliver-from",
                [](v1::Order* o) {
                  return o->mutable_delivery_window()->mutable_window()->mutable_not_before();
                })},
      {"deliver-by", &OrderSpec::deliver_by,
       "Deliver no later than (\"+14d 08:00\", 2030-05-01 08:00): time is a window",
       "delivery_window.window.no_later_than",
       TimeInto("deliver-by",
                [](v1::Order* o) {
                  return o->mutable_delivery_window()->mutable_window()->mutable_no_later_than();
                })},
      {"pinned-reason", &OrderSpec::pinned_reason,
       "Deliver exactly at --deliver-by, and why: a priced exception (\"none\" unpins)",
       "delivery_window.pinned_reason",
       [](const std::string& value, v1::Order* order) {
         v1::DeliveryWindow* window = order->mutable_delivery_window();
         const bool unpin = value == "none";
         window->set_pinned(!unpin);
         window->set_pinned_reason(unpin ? "" : value);
         return absl::OkStatus();
       }},
      {"load-in", &OrderSpec::load_in, "Venue load-in time", "event_schedule.load_in_time",
       TimeInto("load-in",
                [](v1::Order* o) { return o->mutable_event_schedule()->mutable_load_in_time(); })},
      {"show-start", &OrderSpec::show_start, "Show start", "event_schedule.show_start_time",
       TimeInto(
           "show-start",
           [](v1::Order* o) { return o->mutable_event_schedule()->mutable_show_start_time(); })},
      {"show-end", &OrderSpec::show_end, "Show end", "event_schedule.show_end_time",
       TimeInto("show-end",
                [](v1::Order* o) { return o->mutable_event_schedule()->mutable_show_end_time(); })},
      {"strike", &OrderSpec::strike, "Strike (teardown) time", "event_schedule.strike_time",
       TimeInto("strike",
                [](v1::Order* o) { return o->mutable_event_schedule()->mutable_strike_time(); })},
      {"win-probability", &OrderSpec::win_probability, "Chance of winning it, 0 to 1",
       "pipeline.win_probability",
       [](const std::string& value, v1::Order* order) -> absl::Status {
         double probability = 0;
         if (!absl::SimpleAtod(value, &probability)) {
           return absl::InvalidArgumentError("--win-probability: '" + value +
                                             "' is not a number from 0 to 1");
         }
         order->mutable_pipeline()->set_win_probability(probability);
         return absl::OkStatus();
       }},
      {"stage", &OrderSpec::stage, "inquiry or quoted (default quoted)", "pipeline.stage",
       [](const std::string& value, v1::Order* order) -> absl::Status {
         absl::StatusOr<v1::OrderStage> stage = ParseEnum<v1::OrderStage>(value);
         if (!stage.ok()) return Bad("stage", stage.status());
         order->mutable_pipeline()->set_stage(*stage);
         return absl::OkStatus();
       }},
      {"quote-expires", &OrderSpec::quote_expires, "When the quote (and its stock hold) lapses",
       "quote_expire_time",
       TimeInto("quote-expires", [](v1::Order* o) { return o->mutable_quote_expire_time(); })},
  };
  return *fields;
}

// "power: 2 x 63 A CEE" -> a POWER note; text without a known kind is a plain note.
v1::Note ParseNote(const std::string& text) {
  v1::Note note;
  note.set_kind(v1::NOTE_KIND_OTHER);
  note.set_text(text);
  if (size_t colon = text.find(':'); colon != std::string::npos) {
    absl::StatusOr<v1::NoteKind> kind = ParseEnum<v1::NoteKind>(text.substr(0, colon));
    if (kind.ok()) {
      note.set_kind(*kind);
      note.set_text(std::string(absl::StripAsciiWhitespace(text.substr(colon + 1))));
    }
  }
  return note;
}

// A YAML value as the list of words a repeated flag would get: a sequence, one scalar, or a
// mapping of CODE: N (products) or CODE: DISCOUNT (discounts).
absl::StatusOr<std::vector<std::string>> Words(const YAML::Node& node, const std::string& key,
                                               bool mapping_as_lines) {
  std::vector<std::string> words;
  if (node.IsScalar()) {
    words.push_back(node.as<std::string>());
  } else if (node.IsSequence()) {
    for (const YAML::Node& item : node) {
      if (!item.IsScalar()) return absl::InvalidArgumentError(key + ": expected a list of words");
      words.push_back(item.as<std::string>());
    }
  } else if (node.IsMap() && mapping_as_lines) {
    for (const auto& entry : node) {
      words.push_back(entry.first.as<std::string>() + "=" + entry.second.as<std::string>());
    }
  } else if (!node.IsNull()) {
    return absl::InvalidArgumentError(key + ": expected a list");
  }
  return words;
}

}  // namespace

void AddOrderSpecFlags(CLI::App* command, OrderSpec& spec) {
  for (const SpecField& field : Fields()) {
    command->add_option("--" + field.name, spec.*field.member, field.help);
  }
  // One value per flag, so a positional after them (an order id) is not taken for a line.
  command
      ->add_option("--product", spec.products,
                   "Product line CODE=N (repeatable; CODE=0 takes it off when amending)")
      ->allow_extra_args(false);
  command
      ->add_option("--note", spec.notes,
                   "A note for ops, repeatable; \"power: 2 x 63 A CEE\" gives its kind "
                   "(site-access, power, loading-dock, contact, other)")
      ->allow_extra_args(false);
  command
      ->add_option("--custom", spec.custom_lines,
                   "A line beyond the catalog, priced and not pulled: \"fee: Rigging fee of "
                   "the venue = 350 EUR\" (service, transport, production or fee; \"x N\" after "
                   "the price for a quantity; repeatable, replaces the order's)")
      ->allow_extra_args(false);
  command
      ->add_option("--option", spec.options,
                   "A line offered beside the order, priced but not in the total: CODE=N, or "
                   "\"CODE=N instead of OTHER\" for an alternative (repeatable, replaces the "
                   "order's)")
      ->allow_extra_args(false);
  command
      ->add_option("--discount", spec.discounts,
                   "A line discount CODE=\"15% why\" or CODE=\"200 EUR why\" (repeatable; "
                   "CODE=none takes it off)")
      ->allow_extra_args(false);
}

absl::StatusOr<OrderSpec> OrderSpecFromYaml(const YAML::Node& node, const std::string& where) {
  OrderSpec spec;
  if (!node.IsMap()) return absl::InvalidArgumentError(where + ": expected a mapping of fields");
  for (const auto& entry : node) {
    const std::string key = entry.first.as<std::string>();
    try {
      if (key == "phases") {
        if (!entry.second.IsSequence()) {
          return absl::InvalidArgumentError(where + ": phases: expected a list of phases");
        }
        int index = 0;
        for (const YAML::Node& phase : entry.second) {
          const std::string phase_where = absl::StrCat(where, ": phases[", index++, "]");
          if (!phase.IsMap())
            return absl::InvalidArgumentError(phase_where + ": expected a mapping");
          YAML::Node fields = YAML::Clone(phase);
          PhaseSpec parsed;
          parsed.id = phase["id"] ? phase["id"].as<std::string>() : "";
          parsed.name = phase["name"] ? phase["name"].as<std::string>() : "";
          fields.remove("id");
          fields.remove("name");
          absl::StatusOr<OrderSpec> phase_fields = OrderSpecFromYaml(fields, phase_where);
          if (!phase_fields.ok()) return phase_fields.status();
          parsed.fields = std::move(*phase_fields);
          spec.phases.push_back(std::move(parsed));
        }
        continue;
      }
      if (key == "products" || key == "notes" || key == "discounts" || key == "custom" ||
          key == "options") {
        absl::StatusOr<std::vector<std::string>> words =
            Words(entry.second, where + ": " + key,
                  key == "products" || key == "discounts" || key == "options");
        if (!words.ok()) return words.status();
        (key == "products"    ? spec.products
         : key == "notes"     ? spec.notes
         : key == "discounts" ? spec.discounts
         : key == "custom"    ? spec.custom_lines
                              : spec.options) = *words;
        continue;
      }
      auto field = std::find_if(Fields().begin(), Fields().end(),
                                [&](const SpecField& f) { return f.name == key; });
      if (field == Fields().end()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": unknown field '", key,
                         "' (the fields are the quote command's flags without the dashes)"));
      }
      spec.*field->member = entry.second.as<std::string>();
    } catch (const YAML::Exception& error) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": '", key, "' is malformed: ", error.what()));
    }
  }
  return spec;
}

absl::StatusOr<OrderSpec> ReadOrderSpecFile(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);  // JSON is YAML too
  } catch (const YAML::Exception& error) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read ", path, ": ", error.what()));
  }
  return OrderSpecFromYaml(root, path);
}

OrderSpec MergeOrderSpecs(OrderSpec base, const OrderSpec& over) {
  for (const SpecField& field : Fields()) {
    if (!(over.*field.member).empty()) base.*field.member = over.*field.member;
  }
  base.products.insert(base.products.end(), over.products.begin(), over.products.end());
  base.notes.insert(base.notes.end(), over.notes.begin(), over.notes.end());
  base.discounts.insert(base.discounts.end(), over.discounts.begin(), over.discounts.end());
  if (!over.custom_lines.empty()) base.custom_lines = over.custom_lines;
  if (!over.options.empty()) base.options = over.options;
  if (!over.phases.empty()) base.phases = over.phases;
  return base;
}

absl::Status ApplyOrderSpec(const OrderSpec& spec, v1::Order* order) {
  for (const SpecField& field : Fields()) {
    const std::string& value = spec.*field.member;
    if (value.empty()) continue;
    if (absl::Status status = field.apply(value, order); !status.ok()) return status;
  }
  for (const std::string& word : spec.products) {
    absl::StatusOr<v1::InventoryLine> parsed = ParseInventoryLine(word);
    if (!parsed.ok()) return Bad("product", parsed.status());
    auto* lines = order->mutable_product_lines();
    auto same = std::find_if(lines->begin(), lines->end(), [&](const v1::ProductLine& line) {
      return line.product_code() == parsed->inventory_code();
    });
    if (parsed->quantity() == 0) {
      if (same != lines->end()) lines->erase(same);
      continue;
    }
    v1::ProductLine* line = same != lines->end() ? &*same : order->add_product_lines();
    line->set_product_code(parsed->inventory_code());
    line->set_quantity(parsed->quantity());
  }
  for (const std::string& text : spec.notes) *order->add_notes() = ParseNote(text);
  for (const std::string& word : spec.discounts) {
    const size_t equals = word.find('=');
    auto* discounts = order->mutable_line_discounts();
    const std::string code = word.substr(0, equals);
    auto same = std::find_if(discounts->begin(), discounts->end(),
                             [&](const v1::LineDiscount& d) { return d.product_code() == code; });
    const std::string amount = equals == std::string::npos ? "" : word.substr(equals + 1);
    if (amount == "none") {
      if (same != discounts->end()) discounts->erase(same);
      continue;
    }
    absl::StatusOr<v1::Discount> discount = ParseDiscount(amount);
    if (!discount.ok()) return Bad("discount", discount.status());
    v1::LineDiscount* line = same != discounts->end() ? &*same : order->add_line_discounts();
    line->set_product_code(code);
    *line->mutable_discount() = *discount;
  }
  if (!spec.custom_lines.empty()) order->clear_custom_lines();
  for (const std::string& text : spec.custom_lines) {
    absl::StatusOr<v1::CustomLine> custom = ParseCustomLine(text);
    if (!custom.ok()) return Bad("custom", custom.status());
    *order->add_custom_lines() = *custom;
  }
  if (!spec.options.empty()) order->clear_optional_lines();
  for (const std::string& text : spec.options) {
    v1::OptionalLine* optional = order->add_optional_lines();
    std::string line_text = text;
    if (const size_t instead = text.find(" instead of "); instead != std::string::npos) {
      optional->set_instead_of(std::string(absl::StripAsciiWhitespace(text.substr(instead + 12))));
      line_text = text.substr(0, instead);
    }
    absl::StatusOr<v1::InventoryLine> parsed = ParseInventoryLine(line_text);
    if (!parsed.ok()) return Bad("option", parsed.status());
    optional->mutable_line()->set_product_code(parsed->inventory_code());
    optional->mutable_line()->set_quantity(parsed->quantity());
  }
  if (!spec.phases.empty()) order->clear_phases();
  for (const PhaseSpec& phase_spec : spec.phases) {
    v1::Order fields;
    if (absl::Status status = ApplyOrderSpec(phase_spec.fields, &fields); !status.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("phase ", phase_spec.id, ": ", status.message()));
    }
    v1::OrderPhase* phase = order->add_phases();
    phase->set_phase_id(phase_spec.id);
    phase->set_name(phase_spec.name);
    if (fields.has_venue()) *phase->mutable_venue() = fields.venue();
    phase->set_venue_id(fields.venue_id());
    *phase->mutable_event_schedule() = fields.event_schedule();
    *phase->mutable_delivery_window() = fields.delivery_window();
    *phase->mutable_product_lines() = fields.product_lines();
  }
  return absl::OkStatus();
}

std::map<std::string, std::string> OrderFieldFlags() {
  std::map<std::string, std::string> flags;
  for (const SpecField& field : Fields()) flags[field.order_field] = "--" + field.name;
  flags["delivery_window.window"] = "--deliver-by";
  flags["delivery_window"] = "--deliver-by";
  flags["line_discounts"] = "--discount";
  flags["line_discounts.product_code"] = "--discount";
  flags["line_discounts.discount"] = "--discount";
  flags["line_discounts.discount.amount"] = "--discount";
  flags["order_discount.amount"] = "--order-discount";
  flags["delivery_window.pinned"] = "--pinned-reason";
  flags["product_lines"] = "--product";
  flags["product_lines.product_code"] = "--product";
  flags["product_lines.quantity"] = "--product";
  flags["notes.text"] = "--note";
  flags["customer"] = "--customer";
  flags["venue"] = "--venue";
  flags["event_schedule"] = "--show-start";
  return flags;
}

}  // namespace salesops::cli
