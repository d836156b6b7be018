// salesops-notification: events in, subscriptions, inboxes, streams, webhooks and service
// deliveries out.
#include "services/common/service_definition.h"
#include "services/notification/notification_definition.h"

int main(int argc, char** argv) {
  return salesops::common::RunServiceMain(salesops::notification::Definition(), argc, argv);
}
