#include "services/notification/routing.h"

#include <algorithm>
#include <map>
#include <tuple>

namespace salesops::notification {
namespace {

// Persons before roles, as the store has always written them; roles by name.
struct AddresseeOrder {
  bool operator()(const Addressee& a, const Addressee& b) const {
    return std::make_tuple(!a.is_person(), a.person_id, v1::Role_Name(a.role)) <
           std::make_tuple(!b.is_person(), b.person_id, v1::Role_Name(b.role));
  }
};

bool IsDeliveryChannel(v1::SubscriptionChannel channel) {
  return channel == v1::SUBSCRIPTION_CHANNEL_WEBHOOK || channel == v1::SUBSCRIPTION_CHANNEL_SERVICE;
}

bool AddressedTo(const v1::Event& event, const std::string& person_id) {
  const auto& recipients = event.recipient_person_ids();
  return std::find(recipients.begin(), recipients.end(), person_id) != recipients.end();
}

}  // namespace

bool RouteMatches(const SubscriptionRoute& route, const v1::Event& event) {
  // A person's webhook carries their own mail, not everything of the types it lists.
  if (route.channel == v1::SUBSCRIPTION_CHANNEL_WEBHOOK && !route.person_id.empty() &&
      !AddressedTo(event, route.person_id)) {
    return false;
  }
  if (!route.event_types.empty() && !route.event_types.contains(event.type())) return false;
  if (!route.order_id.empty() && route.order_id != event.order_id()) return false;
  return !route.prep_underway_only ||
         (event.has_order_changed() && event.order_changed().prep_underway());
}

EventRoutes RouteEvent(const v1::Event& event,
                       const std::vector<SubscriptionRoute>& subscriptions) {
  EventRoutes routes;
  // The subscription that names each addressee's notification; none (nullptr) for a person the
  // event is addressed to whom no inbox subscription of theirs reached: it still goes to their
  // inbox, and a stream subscription never turns it into a stream-only copy.
  std::map<Addressee, const SubscriptionRoute*, AddresseeOrder> winners;
  for (const std::string& person : event.recipient_person_ids()) {
    if (!person.empty()) winners.emplace(Addressee{person, v1::ROLE_UNSPECIFIED}, nullptr);
  }
  for (const SubscriptionRoute& route : subscriptions) {
    if (!RouteMatches(route, event)) continue;
    ++routes.matched_subscriptions;
    if (IsDeliveryChannel(route.channel)) {
      routes.deliveries.push_back({route.subscription_id, route.channel});
      continue;
    }
    Addressee addressee = route.person_id.empty()
                              ? Addressee{"", route.role}
                              : Addressee{route.person_id, v1::ROLE_UNSPECIFIED};
    auto [winner, added] = winners.emplace(std::move(addressee), &route);
    if (!added && route.channel == v1::SUBSCRIPTION_CHANNEL_INBOX) winner->second = &route;
  }
  for (const auto& [addressee, route] : winners) {
    if (route == nullptr) {
      routes.notifications.push_back({addressee, "", v1::SUBSCRIPTION_CHANNEL_INBOX});
    } else {
      routes.notifications.push_back({addressee, route->subscription_id, route->channel});
    }
  }
  return routes;
}

}  // namespace salesops::notification
