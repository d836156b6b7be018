#include "services/notification/routing.h"

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

}  // namespace

bool RouteMatches(const SubscriptionRoute& route, const v1::Event& event) {
  if (!route.event_types.empty() && !route.event_types.contains(event.type())) return false;
  if (!route.order_id.empty() && route.order_id != event.order_id()) return false;
  return !route.prep_underway_only ||
         (event.has_order_changed() && event.order_changed().prep_underway());
}

EventRoutes RouteEvent(const v1::Event& event,
                       const std::vector<SubscriptionRoute>& subscriptions) {
  EventRoutes routes;
  std::map<Addressee, const SubscriptionRoute*, AddresseeOrder> winners;
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
    routes.notifications.push_back({addressee, route->subscription_id, route->channel});
  }
  return routes;
}

}  // namespace salesops::notification
