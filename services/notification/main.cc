// salesops-notification: events in, subscriptions, inboxes, streams, webhooks and service
// deliveries out.
#include "services/common/server.h"
#include "services/notification/notification_service.h"

int main(int argc, char** argv) {
  return salesops::common::RunServiceMain(salesops::notification::Definition(), argc, argv,
                                          salesops::notification::MakeServices);
}
