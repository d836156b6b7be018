#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <vector>

#include "salesops/v1/order_intake.pb.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace salesops::cli {

// An order as people write it: the same names on the command line
// (`salesopsctl quote --customer "Northwind" --deliver-by "+14d 08:00"`) and in a YAML or JSON
// file (`customer: Northwind`, `deliver-by: +14d 08:00`), in the spellings of
// input_parsing.h. Every field is optional here: the quote, the amendment or the draft it
// builds says what is missing, and the service names the field (and salesopsctl the flag).
struct PhaseSpec;

struct OrderSpec {
  std::string customer, customer_id, contact, email, phone, reference, salesperson;
  std::string venue, travel, dock_notes, access_notes;
  std::string deliver_from, deliver_by, pinned_reason;
  std::string load_in, show_start, show_end, strike;
  std::string win_probability, stage, quote_expires;
  // The directory's ids (organisation_id, contact_id, venue_id).
  std::string organisation, contact_id, venue_id;
  // "10% early booking", "200 EUR goodwill", or "none".
  std::string order_discount;
  // CODE=DISCOUNT ("LED-WALL-3X2=15% launch partner"); CODE=none takes the discount off.
  std::vector<std::string> discounts;
  // CODE=N; N=0 takes the product off the order (an amendment).
  std::vector<std::string> products;
  // "text", or "KIND: text" with KIND one of site-access, power, loading-dock, contact, other.
  std::vector<std::string> notes;
  // "fee: Rigging fee of the venue = 350 EUR", "service: Programmer = 650 EUR x 2": lines
  // beyond the catalog (CATEGORY service, transport, production or fee). Given, they replace
  // the order's.
  std::vector<std::string> custom_lines;
  // "CODE=N" (an extra offered) or "CODE=N instead of OTHER" (an alternative to a line).
  // Given, they replace the order's.
  std::vector<std::string> options;
  // Further phases (files only: `phases:`, a list of mappings with `id`, `name` and the venue,
  // time and product fields above). Given, they replace the order's phases.
  std::vector<PhaseSpec> phases;
};

// One phase of an order as people write it: its id ("hannover"), a name, and the same fields
// as an order for its venue, times and products.
struct PhaseSpec {
  std::string id, name;
  OrderSpec fields;
};

// Adds the spec's flags to `command`, writing into `spec`.
void AddOrderSpecFlags(CLI::App* command, OrderSpec& spec);

// The spec in a YAML (or JSON) mapping with the flags' names; `where` prefixes errors
// ("quote.yaml"). Unknown keys are errors, so a typo is not silently dropped.
absl::StatusOr<OrderSpec> OrderSpecFromYaml(const YAML::Node& node, const std::string& where);
absl::StatusOr<OrderSpec> ReadOrderSpecFile(const std::string& path);

// `over` on top of `base`: each field `over` sets replaces `base`'s; products and notes add up
// (a product named in both takes `over`'s quantity, as the order keeps one line per product).
OrderSpec MergeOrderSpecs(OrderSpec base, const OrderSpec& over);

// Writes what the spec sets into `order` and leaves the rest as it is, so an amendment changes
// just what was typed. Errors name the flag.
absl::Status ApplyOrderSpec(const OrderSpec& spec, v1::Order* order);

// Order field paths (without the request's own field and list indexes) and the flag that sets
// each, for Session::SetFieldFlags.
std::map<std::string, std::string> OrderFieldFlags();

}  // namespace salesops::cli
