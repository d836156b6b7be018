#pragma once

#include <set>
#include <string>
#include <vector>

#include "salesops/v1/notification.pb.h"

namespace salesops::notification {

// Who receives what. Pure: the store reads the active subscriptions and writes
// what these functions decide, inside Publish's transaction.

// An active subscription as routing reads it: what it matches and where it goes.
struct SubscriptionRoute {
  std::string subscription_id;
  v1::SubscriptionChannel channel = v1::SUBSCRIPTION_CHANNEL_UNSPECIFIED;
  // INBOX and STREAM: the addressee, a person or (person_id empty) a whole role.
  // WEBHOOK with person_id: a person's own receiver (a freelancer's phone or chat bridge),
  // matching only events addressed to them (Event.recipient_person_ids).
  v1::Role role = v1::ROLE_UNSPECIFIED;
  std::string person_id;
  std::set<v1::EventType> event_types;  // empty: every type
  std::string order_id;                 // empty: every order
  // Only amendments made after the warehouse began pulling (a built-in for OPS).
  bool prep_underway_only = false;
};

// Every non-empty matcher of the subscription matches the event; a person's WEBHOOK also needs
// the event to be addressed to that person.
bool RouteMatches(const SubscriptionRoute& route, const v1::Event& event);

// Whose inbox or stream a notification lands in: a person by id, or everyone
// with a role (person_id empty).
struct Addressee {
  std::string person_id;
  v1::Role role = v1::ROLE_UNSPECIFIED;

  bool is_person() const { return !person_id.empty(); }
};

// One notification row: for the addressee, through the subscription that won.
struct NotificationRoute {
  Addressee addressee;
  // Empty when no inbox subscription reached the addressee and the event itself is addressed
  // to them (Event.recipient_person_ids).
  std::string subscription_id;
  v1::SubscriptionChannel channel = v1::SUBSCRIPTION_CHANNEL_UNSPECIFIED;  // INBOX or STREAM
};

// One webhook or service delivery to queue.
struct DeliveryRoute {
  std::string subscription_id;
  v1::SubscriptionChannel channel = v1::SUBSCRIPTION_CHANNEL_UNSPECIFIED;  // WEBHOOK or SERVICE
};

struct EventRoutes {
  int matched_subscriptions = 0;
  // Persons first, then roles; each addressee once.
  std::vector<NotificationRoute> notifications;
  // In the order of `subscriptions`.
  std::vector<DeliveryRoute> deliveries;
};

// Where one event goes. An addressee reached by several subscriptions gets one
// notification, not one per subscription; when any of them is an INBOX
// subscription the notification is an inbox one (a stream-only copy would
// never show in the inbox), and among several inbox subscriptions the last in
// `subscriptions`' order names it. Every person the event is addressed to
// (recipient_person_ids) gets it in their inbox whatever the subscriptions say:
// once, named by their own inbox subscription when one matched, else by none.
// Every matching webhook and service subscription gets its own delivery.
EventRoutes RouteEvent(const v1::Event& event, const std::vector<SubscriptionRoute>& subscriptions);

}  // namespace salesops::notification
