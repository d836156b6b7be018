// Who receives what (services/notification/routing.h), without a database.
#include "services/notification/routing.h"

#include <gtest/gtest.h>

namespace salesops::notification {
namespace {

SubscriptionRoute InboxFor(const std::string& id, const std::string& person_id,
                           v1::Role role = v1::ROLE_UNSPECIFIED) {
  SubscriptionRoute route;
  route.subscription_id = id;
  route.channel = v1::SUBSCRIPTION_CHANNEL_INBOX;
  route.person_id = person_id;
  route.role = role;
  return route;
}

SubscriptionRoute Delivering(const std::string& id, v1::SubscriptionChannel channel) {
  SubscriptionRoute route;
  route.subscription_id = id;
  route.channel = channel;
  return route;
}

v1::Event EventOf(v1::EventType type, const std::string& order_id = "1042") {
  v1::Event event;
  event.set_event_id("e-1");
  event.set_type(type);
  event.set_order_id(order_id);
  return event;
}

// "subscription@person" or "subscription@ROLE_X", and the channel, per notification.
std::vector<std::string> Described(const EventRoutes& routes) {
  std::vector<std::string> described;
  for (const NotificationRoute& n : routes.notifications) {
    described.push_back(
        n.subscription_id + "@" +
        (n.addressee.is_person() ? n.addressee.person_id : v1::Role_Name(n.addressee.role)) + ":" +
        v1::SubscriptionChannel_Name(n.channel));
  }
  return described;
}

TEST(RoutingTest, EveryMatcherMustMatchAndAnyListedTypeDoes) {
  SubscriptionRoute route = InboxFor("s", "ana");
  route.event_types = {v1::EVENT_TYPE_ORDER_CONFIRMED, v1::EVENT_TYPE_ORDER_CANCELLED};
  route.order_id = "1042";
  EXPECT_TRUE(RouteMatches(route, EventOf(v1::EVENT_TYPE_ORDER_CONFIRMED)));
  EXPECT_TRUE(RouteMatches(route, EventOf(v1::EVENT_TYPE_ORDER_CANCELLED)));
  EXPECT_FALSE(RouteMatches(route, EventOf(v1::EVENT_TYPE_ORDER_AMENDED)));
  EXPECT_FALSE(RouteMatches(route, EventOf(v1::EVENT_TYPE_ORDER_CONFIRMED, "7")));
  EXPECT_FALSE(RouteMatches(route, EventOf(v1::EVENT_TYPE_ORDER_CONFIRMED, "")));

  SubscriptionRoute everything = InboxFor("all", "ana");
  EXPECT_TRUE(RouteMatches(everything, EventOf(v1::EVENT_TYPE_NOTE_ADDED, "")));
}

TEST(RoutingTest, AStoredTypeThisBuildNoLongerKnowsMatchesNothingRatherThanEverything) {
  SubscriptionRoute route = InboxFor("s", "ana");
  route.event_types = {v1::EVENT_TYPE_UNSPECIFIED};
  EXPECT_FALSE(RouteMatches(route, EventOf(v1::EVENT_TYPE_ORDER_CONFIRMED)));
}

TEST(RoutingTest, OpsHearsOfAnAmendmentOnlyOnceThePrepIsUnderway) {
  SubscriptionRoute route = InboxFor("builtin-ops-changes-after-prep", "", v1::ROLE_OPS);
  route.event_types = {v1::EVENT_TYPE_ORDER_AMENDED};
  route.prep_underway_only = true;
  v1::Event amended = EventOf(v1::EVENT_TYPE_ORDER_AMENDED);
  EXPECT_FALSE(RouteMatches(route, amended));
  amended.mutable_order_changed()->set_prep_underway(false);
  EXPECT_FALSE(RouteMatches(route, amended));
  amended.mutable_order_changed()->set_prep_underway(true);
  EXPECT_TRUE(RouteMatches(route, amended));
}

TEST(RoutingTest, OnePersonReachedTwiceGetsOneNotificationAndTheInboxWins) {
  SubscriptionRoute stream = InboxFor("a-stream", "ana");
  stream.channel = v1::SUBSCRIPTION_CHANNEL_STREAM;
  EventRoutes routes =
      RouteEvent(EventOf(v1::EVENT_TYPE_ORDER_CONFIRMED), {stream, InboxFor("b-inbox", "ana")});
  EXPECT_EQ(routes.matched_subscriptions, 2);
  EXPECT_EQ(Described(routes), std::vector<std::string>{"b-inbox@ana:SUBSCRIPTION_CHANNEL_INBOX"});

  // The inbox wins whichever comes first.
  routes =
      RouteEvent(EventOf(v1::EVENT_TYPE_ORDER_CONFIRMED), {InboxFor("a-inbox", "ana"), stream});
  EXPECT_EQ(Described(routes), std::vector<std::string>{"a-inbox@ana:SUBSCRIPTION_CHANNEL_INBOX"});

  // A stream-only addressee gets a stream notification (it never shows in an inbox).
  routes = RouteEvent(EventOf(v1::EVENT_TYPE_ORDER_CONFIRMED), {stream});
  EXPECT_EQ(Described(routes),
            std::vector<std::string>{"a-stream@ana:SUBSCRIPTION_CHANNEL_STREAM"});

  // Among several inbox subscriptions the last names the notification.
  routes = RouteEvent(EventOf(v1::EVENT_TYPE_ORDER_CONFIRMED),
                      {InboxFor("a", "ana"), InboxFor("b", "ana"), InboxFor("c", "ana")});
  EXPECT_EQ(Described(routes), std::vector<std::string>{"c@ana:SUBSCRIPTION_CHANNEL_INBOX"});
}

TEST(RoutingTest, APersonAndTheirRoleAreSeparateAddresseesPersonsFirst) {
  EventRoutes routes =
      RouteEvent(EventOf(v1::EVENT_TYPE_SHORTAGE_DETECTED),
                 {InboxFor("builtin-sales-shortages", "", v1::ROLE_SALES), InboxFor("mine", "sam"),
                  InboxFor("ops-too", "", v1::ROLE_OPS), InboxFor("also-ana", "ana")});
  EXPECT_EQ(Described(routes), (std::vector<std::string>{
                                   "also-ana@ana:SUBSCRIPTION_CHANNEL_INBOX",
                                   "mine@sam:SUBSCRIPTION_CHANNEL_INBOX",
                                   "ops-too@ROLE_OPS:SUBSCRIPTION_CHANNEL_INBOX",
                                   "builtin-sales-shortages@ROLE_SALES:SUBSCRIPTION_CHANNEL_INBOX",
                               }));
}

TEST(RoutingTest, EveryWebhookAndServiceSubscriptionGetsItsOwnDeliveryInOrder) {
  SubscriptionRoute other_order = Delivering("hook-other-order", v1::SUBSCRIPTION_CHANNEL_WEBHOOK);
  other_order.order_id = "7";
  EventRoutes routes = RouteEvent(
      EventOf(v1::EVENT_TYPE_DISPATCHED),
      {Delivering("hook-1", v1::SUBSCRIPTION_CHANNEL_WEBHOOK), other_order,
       Delivering("order-intake", v1::SUBSCRIPTION_CHANNEL_SERVICE),
       Delivering("hook-2", v1::SUBSCRIPTION_CHANNEL_WEBHOOK), InboxFor("ana-inbox", "ana")});
  EXPECT_EQ(routes.matched_subscriptions, 4);
  ASSERT_EQ(routes.deliveries.size(), 3u);
  EXPECT_EQ(routes.deliveries[0].subscription_id, "hook-1");
  EXPECT_EQ(routes.deliveries[1].subscription_id, "order-intake");
  EXPECT_EQ(routes.deliveries[1].channel, v1::SUBSCRIPTION_CHANNEL_SERVICE);
  EXPECT_EQ(routes.deliveries[2].subscription_id, "hook-2");
  EXPECT_EQ(Described(routes),
            std::vector<std::string>{"ana-inbox@ana:SUBSCRIPTION_CHANNEL_INBOX"});
}

TEST(RoutingTest, NothingMatchingRoutesNowhere) {
  SubscriptionRoute route = InboxFor("s", "ana");
  route.event_types = {v1::EVENT_TYPE_ORDER_CANCELLED};
  EventRoutes routes = RouteEvent(EventOf(v1::EVENT_TYPE_ORDER_CONFIRMED), {route});
  EXPECT_EQ(routes.matched_subscriptions, 0);
  EXPECT_TRUE(routes.notifications.empty());
  EXPECT_TRUE(routes.deliveries.empty());
}

}  // namespace
}  // namespace salesops::notification
