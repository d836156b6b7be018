// salesops-notification: events in, subscriptions, inboxes, streams, webhooks and service
// deliveries out.
#include "services/common/server.h"
#include "services/notification/notification_service.h"

int main(int argc, char** argv) {
  salesops::notification::NotificationOptions options;
  return salesops::common::RunServiceMain(
      salesops::notification::Definition(), argc, argv,
      [&options](salesops::common::ServiceRuntime& runtime) {
        return salesops::notification::MakeServices(runtime, options);
      },
      [&options](CLI::App& app) { salesops::notification::AddOptions(app, options); });
}
