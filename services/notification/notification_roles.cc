#include "services/notification/notification_definition.h"

namespace salesops::notification {

// Who may call what. Deny by default: an RPC missing here is refused for
// every role, so a new RPC cannot ship open by accident.
common::RolePolicy RolePolicy() {
  common::RolePolicy policy(kServiceFullName);
  policy.Allow("Publish", {v1::ROLE_SERVICE})
      .Allow("PublishBatch", {v1::ROLE_SERVICE})
      .Allow("CreateSubscription", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("ListSubscriptions", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("DeleteSubscription", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      // CREW reads and acknowledges only what is addressed to them by person (RecipientOf);
      // subscriptions are made for them, never by them.
      .Allow("ListNotifications",
             {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE, v1::ROLE_CREW})
      .Allow("AckNotification",
             {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE, v1::ROLE_CREW})
      .Allow("WatchNotifications",
             {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE, v1::ROLE_CREW})
      .Allow("ListDeadLetters", {v1::ROLE_ADMIN})
      .Allow("RetryDeadLetter", {v1::ROLE_ADMIN});
  return policy;
}

}  // namespace salesops::notification
