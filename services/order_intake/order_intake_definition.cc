#include "services/common/command_line.h"
#include "services/order_intake/order_intake_service.h"

namespace salesops::order_intake {

common::ServiceDefinition Definition() {
  return common::DefinitionWithOptions<OrderIntakeOptions>(
      {"order-intake", common::WithSharedMigrations(Migrations()), RolePolicy()}, AddOptions,
      MakeServices);
}

void AddOptions(CLI::App& app, OrderIntakeOptions& options) {
  common::AddSetting(app, "inventory-address", options.inventory_address, "inventory (host:port)");
  common::AddSetting(app, "scheduling-address", options.scheduling_address,
                     "scheduling (host:port)");
  common::AddSetting(app, "currency", options.pricing.currency, "ISO 4217 currency of quotes");
  common::AddSetting(app, "crew-hourly-rate", options.crew_hourly_rate,
                     "Price of one crew person-hour")
      ->check(CLI::Range(0.0, 100000.0));
  common::AddSetting(app, "pinned-surcharge", options.pinned_surcharge,
                     "Price of pinning a delivery to an exact time (the cost of specificity)")
      ->check(CLI::Range(0.0, 1000000.0));
  common::AddSetting(app, "transport-hourly-rate", options.transport_hourly_rate,
                     "Price of an hour of the truck's run to the venue and back, from the "
                     "venue's travel time (0: transport is not charged)")
      ->check(CLI::Range(0.0, 100000.0));
  common::AddSetting(app, "tax-jurisdiction", options.pricing.tax_jurisdiction,
                     "Where the company charges tax: the tax rates of this jurisdiction apply");
  common::AddSetting(app, "tax-rounding", options.tax_rounding,
                     "Round tax per line (each line's tax to the cent, then summed) or per total "
                     "(the tax of each rate on the sum of its lines)")
      ->check(CLI::IsMember({"per-line", "per-total"}));
  common::AddSetting(app, "discount-approval-threshold-percent",
                     options.discount_approval_threshold_percent,
                     "A discount taking more than this share of what it discounts waits for an "
                     "ADMIN's approval before the order can be confirmed")
      ->check(CLI::Range(0.0, 100.0));
  common::AddSetting(app, "quote-validity-days", options.quote_validity_days,
                     "How long a quote and its holds last when it names no expiry")
      ->check(CLI::Range(1, 365));
  common::AddSetting(app, "dependency-timeout-ms", options.dependency_timeout_ms,
                     "Deadline of each call to inventory and scheduling")
      ->check(CLI::Range(100, 120000));
  common::AddSetting(app, "saga-budget-ms", options.saga_budget_ms,
                     "Longest a confirmation, change or cancellation may take, all steps "
                     "together (sooner when the caller's deadline is)")
      ->check(CLI::Range(1000, 300000));
  common::AddSetting(app, "saga-recovery-interval-seconds", options.saga_recovery_interval_seconds,
                     "How often recovery finishes or undoes sagas whose process died")
      ->check(CLI::Range(1, 3600));
  common::AddSetting(app, "reconcile-interval-seconds", options.reconcile_interval_seconds,
                     "How often reconciliation compares reservations and jobs with the orders "
                     "(0: only when asked, salesopsctl reconcile)")
      ->check(CLI::Range(0, 86400));
  common::AddSetting(app, "acceptance-address", options.acceptance_address,
                     "Where clients open quotes sent for online acceptance (host:port; empty: "
                     "off). Put it behind the company's HTTPS proxy");
  common::AddSetting(app, "acceptance-base-url", options.acceptance_base_url,
                     "The URL clients reach the acceptance endpoint at, as links show it "
                     "(https://quotes.example.com; empty: http://<acceptance-address>)");
  common::AddSetting(app, "acceptance-key-file", options.acceptance_key_file,
                     "File holding the secret quote links are signed with (at least 32 bytes, "
                     "e.g. openssl rand -hex 32); the same on every replica");
}

std::vector<std::unique_ptr<grpc::Service>> MakeServices(common::ServiceRuntime& runtime,
                                                         OrderIntakeOptions options) {
  options.pricing.crew_hourly_micros = static_cast<int64_t>(options.crew_hourly_rate * 1e6 + 0.5);
  options.pricing.pinned_surcharge_micros =
      static_cast<int64_t>(options.pinned_surcharge * 1e6 + 0.5);
  options.pricing.transport_hourly_micros =
      static_cast<int64_t>(options.transport_hourly_rate * 1e6 + 0.5);
  options.pricing.tax_rounding = options.tax_rounding == "per-total"
                                     ? rating::RoundingPolicy::kPerTotal
                                     : rating::RoundingPolicy::kPerLine;
  options.pricing.approval_threshold_bp =
      static_cast<int64_t>(options.discount_approval_threshold_percent * 100 + 0.5);
  std::vector<std::unique_ptr<grpc::Service>> services;
  auto orders = std::make_unique<OrderIntakeServiceImpl>(runtime, options);
  services.push_back(std::make_unique<EventSinkImpl>(*orders));
  services.push_back(std::move(orders));
  return services;
}

}  // namespace salesops::order_intake
