#include "services/common/command_line.h"
#include "services/notification/notification_service.h"
#include "services/notification/postgres_notification_store.h"

namespace salesops::notification {

common::ServiceDefinition Definition() {
  return common::DefinitionWithOptions<NotificationOptions>(
      {"notification", common::WithSharedMigrations(Migrations()), RolePolicy()}, AddOptions,
      MakeServices);
}

void AddOptions(CLI::App& app, NotificationOptions& options) {
  common::AddSetting(app, "order-intake-address", options.order_intake_address,
                     "order-intake (host:port): ops milestones are delivered to its EventSink");
  common::AddSetting(
      app, "display-time-zone", options.display_time_zone,
      "Time zone of the times written in notification summaries (e.g. Europe/Amsterdam)");
  common::AddSetting(app, "max-event-bytes", options.max_event_bytes,
                     "Largest event Publish accepts")
      ->check(CLI::Range(1024, 4 * 1024 * 1024));
  common::AddSetting(app, "event-sink-allowlist", options.event_sink_allowlist,
                     "host:port targets ADMIN may give SERVICE subscriptions, comma-separated "
                     "(order-intake's own is always allowed)");
  common::AddSetting(app, "webhook-allow-cidrs", options.webhook_allow_cidrs,
                     "CIDRs webhooks may reach although private, loopback or link-local, "
                     "comma-separated")
      ->check([](const std::string& value) {
        absl::StatusOr<AddressPolicy> policy = AddressPolicy::Parse(value);
        return policy.ok() ? std::string() : std::string(policy.status().message());
      });
  common::AddSetting(app, "max-streams-per-caller", options.max_streams_per_caller,
                     "Live notification streams one caller may hold open at once")
      ->check(CLI::Range(1, 1000));
  common::AddSetting(app, "delivery-concurrency", options.delivery.concurrency,
                     "Webhook and service deliveries in flight at once")
      ->check(CLI::Range(1, 256));
  common::AddSetting(app, "delivery-per-subscription", options.delivery.per_subscription,
                     "Deliveries in flight to one subscription at once")
      ->check(CLI::Range(1, 256));
  common::AddSetting(app, "delivery-max-attempts", options.delivery.max_attempts,
                     "Attempts before a delivery becomes a dead letter")
      ->check(CLI::Range(1, 100));
  common::AddSetting(app, "delivery-timeout-ms", options.delivery_timeout_ms,
                     "How long one webhook or service delivery may take")
      ->check(CLI::Range(100, 300000));
  common::AddSetting(app, "delivery-retry-base-ms", options.delivery_retry_base_ms,
                     "Wait before the first retry (doubles each time)")
      ->check(CLI::Range(1, 3600000));
  common::AddSetting(app, "delivery-retry-max-ms", options.delivery_retry_max_ms,
                     "Longest wait between retries")
      ->check(CLI::Range(1, 86400000));
}

std::vector<std::unique_ptr<grpc::Service>> MakeServices(common::ServiceRuntime& runtime,
                                                         NotificationOptions options) {
  options.delivery.timeout = std::chrono::milliseconds(options.delivery_timeout_ms);
  options.delivery.retry_base = std::chrono::milliseconds(options.delivery_retry_base_ms);
  options.delivery.retry_max = std::chrono::milliseconds(options.delivery_retry_max_ms);
  // Checked when the flag was read.
  options.delivery.webhook_addresses = *AddressPolicy::Parse(options.webhook_allow_cidrs);
  options.delivery.trusted_sink_address = options.order_intake_address;
  std::vector<std::unique_ptr<grpc::Service>> services;
  services.push_back(std::make_unique<NotificationServiceImpl>(
      runtime, options, std::make_unique<PostgresNotificationStore>(runtime.database())));
  return services;
}

}  // namespace salesops::notification
