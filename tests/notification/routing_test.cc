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

// Issue 20: an event addressed to people (a crew offer to its freelancer).
v1::Event OfferTo(std::vector<std::string> people) {
  v1::Event event = EventOf(v1::EVENT_TYPE_CREW_OFFER_SENT);
  for (const std::string& person : people) event.add_recipient_person_ids(person);
  return event;
}

SubscriptionRoute PersonWebhook(const std::string& id, const std::string& person_id) {
  SubscriptionRoute route = Delivering(id, v1::SUBSCRIPTION_CHANNEL_WEBHOOK);
  route.person_id = person_id;
  return route;
}

TEST(RoutingTest, EveryoneAnEventIsAddressedToGetsItInTheirInboxWithoutASubscription) {
  EventRoutes routes = RouteEvent(OfferTo({"crew-ann", "crew-ben"}), {});
  EXPECT_EQ(routes.matched_subscriptions, 0);
  EXPECT_EQ(Described(routes), (std::vector<std::string>{"@crew-ann:SUBSCRIPTION_CHANNEL_INBOX",
                                                         "@crew-ben:SUBSCRIPTION_CHANNEL_INBOX"}));
  EXPECT_TRUE(routes.deliveries.empty());
  // Nobody else: an event addressed to nobody still routes by subscriptions alone.
  EXPECT_TRUE(RouteEvent(OfferTo({}), {}).notifications.empty());
}

TEST(RoutingTest, AnAddressedPersonGetsOneNotificationWhateverElseReachesThem) {
  // Named twice in the event, and subscribed to the type as well: one notification, which
  // their own inbox subscription names.
  SubscriptionRoute anns = InboxFor("anns-offers", "crew-ann");
  anns.event_types = {v1::EVENT_TYPE_CREW_OFFER_SENT};
  EventRoutes routes = RouteEvent(OfferTo({"crew-ann", "crew-ann"}), {anns});
  EXPECT_EQ(routes.matched_subscriptions, 1);
  EXPECT_EQ(Described(routes),
            std::vector<std::string>{"anns-offers@crew-ann:SUBSCRIPTION_CHANNEL_INBOX"});

  // A stream subscription does not turn their inbox copy into a stream-only one.
  SubscriptionRoute stream = InboxFor("anns-stream", "crew-ann");
  stream.channel = v1::SUBSCRIPTION_CHANNEL_STREAM;
  routes = RouteEvent(OfferTo({"crew-ann"}), {stream});
  EXPECT_EQ(Described(routes), std::vector<std::string>{"@crew-ann:SUBSCRIPTION_CHANNEL_INBOX"});

  // Others subscribed to the type (OPS watching every offer, another person) still get theirs.
  routes = RouteEvent(OfferTo({"crew-ann"}),
                      {InboxFor("ops-offers", "", v1::ROLE_OPS), InboxFor("olga", "ops-1")});
  EXPECT_EQ(Described(routes), (std::vector<std::string>{
                                   "@crew-ann:SUBSCRIPTION_CHANNEL_INBOX",
                                   "olga@ops-1:SUBSCRIPTION_CHANNEL_INBOX",
                                   "ops-offers@ROLE_OPS:SUBSCRIPTION_CHANNEL_INBOX",
                               }));
}

TEST(RoutingTest, APersonsWebhookForwardsOnlyWhatIsAddressedToThatPerson) {
  SubscriptionRoute anns_phone = PersonWebhook("anns-phone", "crew-ann");
  EXPECT_TRUE(RouteMatches(anns_phone, OfferTo({"crew-ann"})));
  EXPECT_TRUE(RouteMatches(anns_phone, OfferTo({"crew-ben", "crew-ann"})));
  EXPECT_FALSE(RouteMatches(anns_phone, OfferTo({"crew-ben"})));
  // Of every type, as long as it is addressed to them; nothing that is not.
  EXPECT_FALSE(RouteMatches(anns_phone, EventOf(v1::EVENT_TYPE_ORDER_CONFIRMED)));
  // Its type and order filters still apply.
  anns_phone.event_types = {v1::EVENT_TYPE_CREW_OFFER_ACCEPTED};
  EXPECT_FALSE(RouteMatches(anns_phone, OfferTo({"crew-ann"})));
  anns_phone.event_types = {v1::EVENT_TYPE_CREW_OFFER_SENT};
  anns_phone.order_id = "7";
  EXPECT_FALSE(RouteMatches(anns_phone, OfferTo({"crew-ann"})));

  // A webhook without a person behaves as ever: by type, whoever the event is addressed to.
  SubscriptionRoute office = Delivering("office-bridge", v1::SUBSCRIPTION_CHANNEL_WEBHOOK);
  office.event_types = {v1::EVENT_TYPE_CREW_OFFER_SENT};
  EXPECT_TRUE(RouteMatches(office, OfferTo({"crew-ben"})));
  EventRoutes routes = RouteEvent(
      OfferTo({"crew-ben"}),
      {PersonWebhook("anns-phone", "crew-ann"), office, PersonWebhook("bens-phone", "crew-ben")});
  ASSERT_EQ(routes.deliveries.size(), 2u);
  EXPECT_EQ(routes.deliveries[0].subscription_id, "office-bridge");
  EXPECT_EQ(routes.deliveries[1].subscription_id, "bens-phone");
  // A person's webhook adds no inbox copy: their inbox has the event already, once.
  EXPECT_EQ(Described(routes), std::vector<std::string>{"@crew-ben:SUBSCRIPTION_CHANNEL_INBOX"});

  // An inbox subscription's person_id names where it goes, never a filter on addressees.
  EXPECT_TRUE(RouteMatches(InboxFor("olga", "ops-1"), OfferTo({"crew-ben"})));
}

}  // namespace
}  // namespace salesops::notification
