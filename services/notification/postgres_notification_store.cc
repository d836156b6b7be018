#include "services/notification/postgres_notification_store.h"

#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <absl/strings/str_split.h>

#include <limits>
#include <map>
#include <set>

#include "services/common/errors.h"
#include "services/common/idempotency.h"
#include "services/common/outbox.h"
#include "services/common/sha256.h"
#include "services/common/time_util.h"

namespace salesops::notification {
namespace {

using common::PgBigintArray;
using common::PgTextArray;
using common::ReasonedError;

constexpr int64_t kNoUpperBound = std::numeric_limits<int64_t>::max();

std::string ChannelName(v1::SubscriptionChannel channel) {
  std::string name = v1::SubscriptionChannel_Name(channel);
  return name.substr(std::string("SUBSCRIPTION_CHANNEL_").size());
}

v1::SubscriptionChannel ChannelFromName(const std::string& name) {
  v1::SubscriptionChannel channel = v1::SUBSCRIPTION_CHANNEL_UNSPECIFIED;
  v1::SubscriptionChannel_Parse("SUBSCRIPTION_CHANNEL_" + name, &channel);
  return channel;
}

std::vector<std::string> EventTypeNames(const google::protobuf::RepeatedField<int>& event_types) {
  std::vector<std::string> names;
  for (int type : event_types)
    names.push_back(v1::EventType_Name(static_cast<v1::EventType>(type)));
  return names;
}

constexpr char kSubscriptionColumns[] =
    "subscription_id, display_name, array_to_string(event_types, ','), COALESCE(order_id, ''), "
    "COALESCE(role, ''), COALESCE(person_id, ''), channel, COALESCE(webhook_url, ''), "
    "COALESCE(webhook_secret, ''), COALESCE(service_address, ''), built_in, created_by_id, "
    "created_by_role, ts_to_us(created_at)";

v1::Subscription SubscriptionFromRow(const pqxx::row& row) {
  v1::Subscription subscription;
  subscription.set_subscription_id(row[0].as<std::string>());
  subscription.set_display_name(row[1].as<std::string>());
  for (absl::string_view name : absl::StrSplit(row[2].as<std::string>(), ',', absl::SkipEmpty())) {
    v1::EventType type;
    if (v1::EventType_Parse(std::string(name), &type)) subscription.add_event_types(type);
  }
  subscription.set_order_id(row[3].as<std::string>());
  v1::Role role = v1::ROLE_UNSPECIFIED;
  if (!row[4].as<std::string>().empty()) v1::Role_Parse(row[4].as<std::string>(), &role);
  subscription.set_role(role);
  subscription.set_person_id(row[5].as<std::string>());
  subscription.set_channel(ChannelFromName(row[6].as<std::string>()));
  if (subscription.channel() == v1::SUBSCRIPTION_CHANNEL_WEBHOOK) {
    subscription.mutable_webhook()->set_url(row[7].as<std::string>());
    const std::string secret = row[8].as<std::string>();
    // The secret itself never leaves the store's callers' reach; a short
    // fingerprint tells two secrets apart while rotating.
    subscription.mutable_webhook()->set_secret_set(!secret.empty());
    subscription.mutable_webhook()->set_secret_fingerprint(common::Sha256Hex(secret).substr(0, 8));
  }
  if (subscription.channel() == v1::SUBSCRIPTION_CHANNEL_SERVICE) {
    subscription.mutable_service()->set_address(row[9].as<std::string>());
  }
  subscription.set_built_in(row[10].as<bool>());
  subscription.mutable_created_by()->set_id(row[11].as<std::string>());
  v1::Role creator_role = v1::ROLE_UNSPECIFIED;
  v1::Role_Parse(row[12].as<std::string>(), &creator_role);
  subscription.mutable_created_by()->set_role(creator_role);
  *subscription.mutable_create_time() = common::TimestampFromMicros(row[13].as<int64_t>());
  return subscription;
}

// AIP-155 for one of notification's mutations: keyed "notification.<rpc>" and by the
// caller's own request_id, so one caller's answer is never handed to another who happened to
// pick the same id (they could not see, or may not do, what it answers).
template <typename Request>
common::IdempotentRequest IdempotentFor(const char* rpc, const std::string& caller_id,
                                        const Request& request) {
  std::string key;
  if (!request.request_id().empty()) key = absl::StrCat(caller_id, "\n", request.request_id());
  return common::IdempotentRequest(absl::StrCat("notification.", rpc), std::move(key), request);
}

// Fills `response` with the answer an earlier identical request got; false when there is
// none (or no request_id), so the mutation must act.
absl::StatusOr<bool> Replayed(const common::IdempotentRequest& idempotent, pqxx::work& tx,
                              google::protobuf::Message& response) {
  SALESOPS_ASSIGN_OR_RETURN(std::optional<std::string> earlier, idempotent.Replay(tx));
  if (!earlier) return false;
  response.ParseFromString(*earlier);
  return true;
}

absl::Status SubscriptionNotFound(const std::string& id) {
  return ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                       "subscription " + id + " does not exist");
}

// Columns of a notification as `reader` sees it (read mark is theirs).
constexpr char kNotificationSelect[] =
    "SELECT n.notification_id, n.writer_xid::text, COALESCE(n.subscription_id, ''), "
    "  n.recipient_kind, n.recipient, n.summary, ts_to_us(n.created_at), e.payload, "
    "  a.person_id IS NOT NULL, COALESCE(ts_to_us(a.acked_at), 0) "
    "FROM notifications n JOIN events e ON e.event_id = n.event_id "
    "LEFT JOIN notification_acks a ON a.notification_id = n.notification_id "
    "  AND a.person_id = $1 ";

// Rows addressed to the person ($1) or to their role ($2), with the common
// filters: order ($3), event types ($4), created window ($5, $6).
constexpr char kNotificationFilter[] =
    "((n.recipient_kind = 'person' AND n.recipient = $1) "
    "  OR (n.recipient_kind = 'role' AND n.recipient = $2)) "
    "AND ($3 = '' OR n.order_id = $3) "
    "AND (cardinality($4::text[]) = 0 OR n.event_type = ANY($4::text[])) "
    "AND ($5 = '' OR n.created_at >= us_to_ts($5::bigint)) "
    "AND ($6 = '' OR n.created_at < us_to_ts($6::bigint)) ";

// The optional window bounds as the filter's $5 and $6 take them.
std::string Bound(const std::optional<int64_t>& micros) {
  return micros ? std::to_string(*micros) : std::string();
}

v1::Notification NotificationFromRow(const pqxx::row& row) {
  v1::Notification notification;
  const int64_t id = row[0].as<int64_t>();
  notification.set_notification_id(std::to_string(id));
  FeedPosition position;
  absl::SimpleAtoi(row[1].as<std::string>(), &position.writer_xid);
  position.notification_id = id;
  notification.set_cursor(EncodeCursor(position));
  notification.set_subscription_id(row[2].as<std::string>());
  notification.set_recipient_id(row[4].as<std::string>());
  notification.set_summary(row[5].as<std::string>());
  *notification.mutable_create_time() = common::TimestampFromMicros(row[6].as<int64_t>());
  *notification.mutable_event() = common::ParseRecord<v1::Event>(row[7]);
  notification.set_acknowledged(row[8].as<bool>());
  if (notification.acknowledged()) {
    *notification.mutable_ack_time() = common::TimestampFromMicros(row[9].as<int64_t>());
  }
  return notification;
}

std::string RoleName(v1::Role role) {
  return role == v1::ROLE_UNSPECIFIED ? "" : v1::Role_Name(role);
}

v1::Role RoleFromName(const std::string& name) {
  v1::Role role = v1::ROLE_UNSPECIFIED;
  if (!name.empty()) v1::Role_Parse(name, &role);
  return role;
}

// The active subscriptions as Publish routes events, in subscription_id order.
std::vector<SubscriptionRoute> LoadRoutes(pqxx::work& tx) {
  std::vector<SubscriptionRoute> routes;
  for (const pqxx::row& row :
       tx.exec("SELECT subscription_id, channel, COALESCE(role, ''), COALESCE(person_id, ''), "
               "  prep_underway_only, array_to_string(event_types, ','), COALESCE(order_id, '') "
               "FROM subscriptions WHERE deleted_at IS NULL ORDER BY subscription_id")) {
    SubscriptionRoute route;
    route.subscription_id = row[0].as<std::string>();
    route.channel = ChannelFromName(row[1].as<std::string>());
    route.role = RoleFromName(row[2].as<std::string>());
    route.person_id = row[3].as<std::string>();
    route.prep_underway_only = row[4].as<bool>();
    for (absl::string_view name :
         absl::StrSplit(row[5].as<std::string>(), ',', absl::SkipEmpty())) {
      // A type this build no longer knows stays in the set as UNSPECIFIED, which no
      // published event carries: the subscription keeps matching nothing rather than
      // everything.
      v1::EventType type = v1::EVENT_TYPE_UNSPECIFIED;
      v1::EventType_Parse(std::string(name), &type);
      route.event_types.insert(type);
    }
    route.order_id = row[6].as<std::string>();
    routes.push_back(std::move(route));
  }
  return routes;
}

std::string Hex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    hex += kHex[c >> 4];
    hex += kHex[c & 0xF];
  }
  return hex;
}

}  // namespace

absl::StatusOr<std::vector<PublishResult>> PostgresNotificationStore::Publish(
    const std::vector<v1::Event>& events, const std::vector<std::string>& summaries,
    int delivery_attempt_limit, const EventRouter& route) {
  std::vector<PublishResult> results;
  std::vector<std::string> ids, types, orders, sources, payloads;
  std::vector<int64_t> occur_micros;
  for (const v1::Event& event : events) {
    ids.push_back(event.event_id());
    types.push_back(v1::EventType_Name(event.type()));
    orders.push_back(event.order_id());
    sources.push_back(event.source_service());
    occur_micros.push_back(common::ToMicros(event.occur_time()));
    payloads.push_back(Hex(event.SerializeAsString()));
  }
  absl::Status status = pool_.InTransaction("publish", [&](pqxx::work& tx) {
    results.assign(events.size(), PublishResult());
    // One statement for the whole batch; an id seen before (or twice here) is skipped.
    pqxx::result inserted = tx.exec_params(
        "INSERT INTO events (event_id, event_type, order_id, source_service, occur_time, payload) "
        "SELECT t.id, t.type, NULLIF(t.ord, ''), t.src, us_to_ts(t.us), decode(t.p, 'hex') "
        "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[]) "
        "  WITH ORDINALITY AS t(id, type, ord, src, us, p, n) ORDER BY t.n "
        "ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
        PgTextArray(ids), PgTextArray(types), PgTextArray(orders), PgTextArray(sources),
        PgBigintArray(occur_micros), PgTextArray(payloads));
    std::set<std::string> stored;
    for (const pqxx::row& row : inserted) stored.insert(row[0].as<std::string>());

    const std::vector<SubscriptionRoute> subscriptions = LoadRoutes(tx);

    // Column arrays for one multi-row insert of notifications and one of deliveries.
    std::vector<std::string> n_events, n_subscriptions, n_channels, n_kinds, n_recipients, n_types,
        n_orders, n_summaries, d_events, d_subscriptions, d_channels;
    for (size_t i = 0; i < events.size(); ++i) {
      const v1::Event& event = events[i];
      PublishResult& result = results[i];
      // Only the first occurrence of an id in the batch acts on it.
      if (!stored.erase(event.event_id())) {
        result.duplicate = true;
        continue;
      }
      const EventRoutes routes = route(event, subscriptions);
      result.matched_subscriptions = routes.matched_subscriptions;
      for (const DeliveryRoute& delivery : routes.deliveries) {
        d_events.push_back(event.event_id());
        d_subscriptions.push_back(delivery.subscription_id);
        d_channels.push_back(ChannelName(delivery.channel));
        ++result.deliveries;
      }
      for (const NotificationRoute& notification : routes.notifications) {
        const Addressee& addressee = notification.addressee;
        n_events.push_back(event.event_id());
        n_subscriptions.push_back(notification.subscription_id);
        n_channels.push_back(ChannelName(notification.channel));
        n_kinds.push_back(addressee.is_person() ? "person" : "role");
        n_recipients.push_back(addressee.is_person() ? addressee.person_id
                                                     : RoleName(addressee.role));
        n_types.push_back(types[i]);
        n_orders.push_back(event.order_id());
        n_summaries.push_back(summaries[i]);
        ++(notification.channel == v1::SUBSCRIPTION_CHANNEL_INBOX ? result.inbox_notifications
                                                                  : result.stream_notifications);
      }
    }
    if (!n_events.empty()) {
      tx.exec_params(
          "INSERT INTO notifications (event_id, subscription_id, channel, recipient_kind, "
          "  recipient, event_type, order_id, summary) "
          "SELECT e, NULLIF(s, ''), c, k, r, t, NULLIF(o, ''), m "
          "FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], "
          "  $7::text[], $8::text[]) AS u(e, s, c, k, r, t, o, m)",
          PgTextArray(n_events), PgTextArray(n_subscriptions), PgTextArray(n_channels),
          PgTextArray(n_kinds), PgTextArray(n_recipients), PgTextArray(n_types),
          PgTextArray(n_orders), PgTextArray(n_summaries));
    }
    if (!d_events.empty()) {
      tx.exec_params(
          "INSERT INTO deliveries (event_id, subscription_id, channel, attempt_limit) "
          "SELECT e, s, c, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS u(e, s, c)",
          PgTextArray(d_events), PgTextArray(d_subscriptions), PgTextArray(d_channels),
          delivery_attempt_limit);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return results;
}

absl::StatusOr<v1::CreateSubscriptionResponse> PostgresNotificationStore::CreateSubscription(
    const v1::CreateSubscriptionRequest& request, const v1::Actor& creator) {
  v1::CreateSubscriptionResponse created;
  const common::IdempotentRequest idempotent =
      IdempotentFor("CreateSubscription", creator.id(), request);
  absl::Status status = pool_.InTransaction("create_subscription", [&](pqxx::work& tx) {
    created.Clear();
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(idempotent, tx, created));
    if (replayed) return absl::OkStatus();
    const v1::Subscription& s = request.subscription();
    const bool webhook = s.channel() == v1::SUBSCRIPTION_CHANNEL_WEBHOOK;
    const bool service = s.channel() == v1::SUBSCRIPTION_CHANNEL_SERVICE;
    pqxx::row row = tx.exec_params1(
        std::string("INSERT INTO subscriptions (subscription_id, display_name, event_types, "
                    "  order_id, role, person_id, channel, webhook_url, webhook_secret, "
                    "  service_address, created_by_id, created_by_role) "
                    "VALUES ('sub-' || gen_random_uuid(), $1, $2::text[], NULLIF($3, ''), "
                    "  NULLIF($4, ''), NULLIF($5, ''), $6, NULLIF($7, ''), NULLIF($8, ''), "
                    "  NULLIF($9, ''), $10, $11) RETURNING ") +
            kSubscriptionColumns,
        s.display_name(), PgTextArray(EventTypeNames(s.event_types())), s.order_id(),
        RoleName(s.role()), s.person_id(), ChannelName(s.channel()),
        webhook ? s.webhook().url() : "", webhook ? request.webhook_secret() : "",
        service ? s.service().address() : "", creator.id(), v1::Role_Name(creator.role()));
    *created.mutable_subscription() = SubscriptionFromRow(row);
    idempotent.Remember(tx, created);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return created;
}

absl::StatusOr<v1::DeleteSubscriptionResponse> PostgresNotificationStore::DeleteSubscription(
    const v1::DeleteSubscriptionRequest& request, const v1::Actor& caller,
    const DeletionCheck& may_delete) {
  v1::DeleteSubscriptionResponse deleted;
  const common::IdempotentRequest idempotent =
      IdempotentFor("DeleteSubscription", caller.id(), request);
  absl::Status status = pool_.InTransaction("delete_subscription", [&](pqxx::work& tx) {
    deleted.Clear();
    // Before looking for the subscription: a retry of a delete that succeeded finds it gone.
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(idempotent, tx, deleted));
    if (replayed) return absl::OkStatus();
    pqxx::result rows = tx.exec_params(std::string("SELECT ") + kSubscriptionColumns +
                                           " FROM subscriptions WHERE subscription_id = $1 "
                                           "AND deleted_at IS NULL FOR UPDATE",
                                       request.subscription_id());
    if (rows.empty()) return SubscriptionNotFound(request.subscription_id());
    SALESOPS_RETURN_IF_ERROR(may_delete(SubscriptionFromRow(rows[0])));
    tx.exec_params("UPDATE subscriptions SET deleted_at = now() WHERE subscription_id = $1",
                   request.subscription_id());
    deleted.set_subscription_id(request.subscription_id());
    idempotent.Remember(tx, deleted);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return deleted;
}

absl::StatusOr<common::Page<v1::Subscription>> PostgresNotificationStore::ListSubscriptions(
    const v1::ListSubscriptionsRequest& request, const std::optional<Recipient>& visible_to,
    int limit, const std::string& after_id) {
  common::Page<v1::Subscription> page;
  absl::Status status = pool_.InTransaction("list_subscriptions", [&](pqxx::work& tx) {
    page = {};
    pqxx::result rows = tx.exec_params(
        std::string("SELECT ") + kSubscriptionColumns +
            " FROM subscriptions WHERE deleted_at IS NULL AND subscription_id > $1 "
            "AND ($2 = '' OR channel = $2) "
            "AND ($3 = '' OR cardinality(event_types) = 0 OR $3 = ANY(event_types)) "
            "AND ($4 = '' OR order_id IS NULL OR order_id = $4) "
            "AND ($5 = '' OR role = $5) AND ($6 = '' OR person_id = $6) "
            "AND (NOT $7 OR built_in) "
            "AND (NOT $8 OR created_by_id = $9 OR person_id = $9 OR role = $10) "
            "ORDER BY subscription_id LIMIT $11",
        after_id,
        request.channel() == v1::SUBSCRIPTION_CHANNEL_UNSPECIFIED ? ""
                                                                  : ChannelName(request.channel()),
        request.event_type() == v1::EVENT_TYPE_UNSPECIFIED
            ? ""
            : v1::EventType_Name(request.event_type()),
        request.order_id(), RoleName(request.role()), request.person_id(), request.built_in_only(),
        visible_to.has_value(), visible_to ? visible_to->person_id : std::string(),
        visible_to ? RoleName(visible_to->role) : std::string(), limit + 1);
    common::FillPage(page, rows, limit, SubscriptionFromRow,
                     [](const v1::Subscription& s) { return s.subscription_id(); });
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

absl::Status PostgresNotificationStore::EnsureServiceSubscription(
    const std::string& subscription_id, const std::string& display_name, const std::string& address,
    const std::vector<v1::EventType>& event_types) {
  std::vector<std::string> names;
  for (v1::EventType type : event_types) names.push_back(v1::EventType_Name(type));
  return pool_.InTransaction("ensure_service_subscription", [&](pqxx::work& tx) {
    tx.exec_params(
        "INSERT INTO subscriptions (subscription_id, display_name, event_types, channel, "
        "  service_address, built_in, created_by_id, created_by_role) "
        "VALUES ($1, $2, $3::text[], 'SERVICE', $4, true, 'salesops', 'ROLE_SERVICE') "
        "ON CONFLICT (subscription_id) DO UPDATE SET display_name = EXCLUDED.display_name, "
        "  event_types = EXCLUDED.event_types, service_address = EXCLUDED.service_address, "
        "  deleted_at = NULL",
        subscription_id, display_name, PgTextArray(names), address);
    return absl::OkStatus();
  });
}

absl::StatusOr<InboxPage> PostgresNotificationStore::ListNotifications(
    const Recipient& recipient, const NotificationFilter& filter, int limit,
    std::optional<int64_t> before_id) {
  InboxPage inbox;
  absl::Status status = pool_.InTransaction("list_notifications", [&](pqxx::work& tx) {
    inbox = {};
    const std::string types = PgTextArray(filter.event_types);
    const std::string from = Bound(filter.created_from_micros);
    const std::string until = Bound(filter.created_until_micros);
    pqxx::result rows = tx.exec_params(
        std::string(kNotificationSelect) + "WHERE " + kNotificationFilter +
            "AND n.channel = 'INBOX' AND n.notification_id < $7 "
            "AND (NOT $8 OR a.person_id IS NULL) "
            "ORDER BY n.notification_id DESC LIMIT $9",
        recipient.person_id, RoleName(recipient.role), filter.order_id, types, from, until,
        before_id.value_or(kNoUpperBound), filter.unacknowledged_only, limit + 1);
    common::FillPage(inbox.page, rows, limit, NotificationFromRow,
                     [](const v1::Notification& n) { return n.notification_id(); });
    inbox.unacknowledged_count =
        tx.exec_params1(
              "SELECT count(*) FROM notifications n "
              "LEFT JOIN notification_acks a ON a.notification_id = "
              "  n.notification_id AND a.person_id = $1 "
              "WHERE " +
                  std::string(kNotificationFilter) +
                  "AND n.channel = 'INBOX' AND a.person_id IS NULL",
              recipient.person_id, RoleName(recipient.role), filter.order_id, types, from, until)[0]
            .as<int>();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return inbox;
}

absl::StatusOr<v1::AckNotificationResponse> PostgresNotificationStore::Acknowledge(
    const v1::AckNotificationRequest& request, const Recipient& recipient,
    const std::vector<int64_t>& notification_ids) {
  v1::AckNotificationResponse acknowledged;
  const common::IdempotentRequest idempotent =
      IdempotentFor("AckNotification", recipient.person_id, request);
  absl::Status status = pool_.InTransaction("acknowledge", [&](pqxx::work& tx) {
    acknowledged.Clear();
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(idempotent, tx, acknowledged));
    if (replayed) return absl::OkStatus();
    pqxx::result visible = tx.exec_params(
        "SELECT notification_id FROM notifications "
        "WHERE notification_id = ANY($3::bigint[]) "
        "AND ((recipient_kind = 'person' AND recipient = $1) "
        "  OR (recipient_kind = 'role' AND recipient = $2))",
        recipient.person_id, RoleName(recipient.role), PgBigintArray(notification_ids));
    std::set<int64_t> found;
    for (const pqxx::row& row : visible) found.insert(row[0].as<int64_t>());
    for (int64_t id : notification_ids) {
      if (!found.contains(id)) {
        return ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                             absl::StrCat("notification ", id, " is not in your inbox"));
      }
    }
    tx.exec_params(
        "INSERT INTO notification_acks (notification_id, person_id) "
        "SELECT unnest($1::bigint[]), $2 ON CONFLICT DO NOTHING",
        PgBigintArray(notification_ids), recipient.person_id);
    acknowledged.set_acknowledged_count(static_cast<int>(found.size()));
    idempotent.Remember(tx, acknowledged);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return acknowledged;
}

absl::StatusOr<FeedPosition> PostgresNotificationStore::FeedStart() {
  FeedPosition position;
  absl::Status status = pool_.InTransaction("feed_start", [&](pqxx::work& tx) {
    absl::SimpleAtoi(
        tx.exec1("SELECT pg_snapshot_xmin(pg_current_snapshot())::text")[0].as<std::string>(),
        &position.writer_xid);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return position;
}

absl::StatusOr<FeedPosition> PostgresNotificationStore::LatestVisible() {
  FeedPosition position;
  // One statement, so one snapshot: a plain read, without BEGIN and COMMIT.
  absl::Status status = pool_.Read("feed_latest", [&](pqxx::transaction_base& tx) {
    pqxx::result rows = tx.exec(
        "SELECT writer_xid::text, notification_id FROM notifications "
        "WHERE writer_xid < pg_snapshot_xmin(pg_current_snapshot()) "
        "ORDER BY writer_xid DESC, notification_id DESC LIMIT 1");
    if (!rows.empty()) {
      absl::SimpleAtoi(rows[0][0].as<std::string>(), &position.writer_xid);
      position.notification_id = rows[0][1].as<int64_t>();
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return position;
}

absl::StatusOr<std::vector<v1::Notification>> PostgresNotificationStore::ReadFeed(
    const Recipient& recipient, const FeedPosition& after, const NotificationFilter& filter,
    int limit) {
  std::vector<v1::Notification> notifications;
  absl::Status status = pool_.InTransaction("read_feed", [&](pqxx::work& tx) {
    notifications.clear();
    // Only rows whose writer is older than every transaction still running:
    // nothing can commit later and sort before them.
    pqxx::result rows =
        tx.exec_params(std::string(kNotificationSelect) + "WHERE " + kNotificationFilter +
                           "AND (n.writer_xid, n.notification_id) > ($7::text::xid8, $8::bigint) "
                           "AND n.writer_xid < pg_snapshot_xmin(pg_current_snapshot()) "
                           "ORDER BY n.writer_xid, n.notification_id LIMIT $9",
                       recipient.person_id, RoleName(recipient.role), filter.order_id,
                       PgTextArray(filter.event_types), Bound(filter.created_from_micros),
                       Bound(filter.created_until_micros), std::to_string(after.writer_xid),
                       after.notification_id, limit);
    for (const pqxx::row& row : rows) notifications.push_back(NotificationFromRow(row));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return notifications;
}

absl::StatusOr<std::optional<ClaimedDelivery>> PostgresNotificationStore::ClaimDelivery(
    const std::vector<std::string>& saturated, std::chrono::milliseconds lease) {
  std::optional<ClaimedDelivery> claimed;
  // The lease and the attempt's record commit without waiting for an fsync: a crash that
  // loses either only makes the delivery happen again, which receivers take (at least once,
  // deduplicated by event id).
  auto claim = [&](pqxx::work& tx) {
    claimed.reset();
    pqxx::result rows = tx.exec_params(
        "UPDATE deliveries SET attempts = attempts + 1, "
        "  next_attempt_at = now() + $2 * interval '1 millisecond' "
        "WHERE delivery_id = (SELECT delivery_id FROM deliveries "
        "  WHERE state = 'pending' AND next_attempt_at <= now() "
        "  AND NOT (subscription_id = ANY($1::text[])) "
        "  ORDER BY next_attempt_at, delivery_id LIMIT 1 FOR UPDATE SKIP LOCKED) "
        "RETURNING delivery_id, attempts, channel, event_id, subscription_id",
        PgTextArray(saturated), static_cast<int64_t>(lease.count()));
    if (rows.empty()) return absl::OkStatus();
    ClaimedDelivery delivery;
    delivery.delivery_id = rows[0][0].as<int64_t>();
    delivery.attempt = rows[0][1].as<int>();
    delivery.channel = ChannelFromName(rows[0][2].as<std::string>());
    delivery.subscription_id = rows[0][4].as<std::string>();
    pqxx::row details = tx.exec_params1(
        "SELECT e.payload, s.deleted_at IS NOT NULL, COALESCE(s.webhook_url, ''), "
        "  COALESCE(s.webhook_secret, ''), COALESCE(s.service_address, '') "
        "FROM events e, subscriptions s WHERE e.event_id = $1 AND s.subscription_id = $2",
        rows[0][3].as<std::string>(), delivery.subscription_id);
    delivery.event = common::ParseRecord<v1::Event>(details[0]);
    delivery.subscription_deleted = details[1].as<bool>();
    delivery.webhook_url = details[2].as<std::string>();
    delivery.webhook_secret = details[3].as<std::string>();
    delivery.service_address = details[4].as<std::string>();
    claimed = std::move(delivery);
    return absl::OkStatus();
  };
  absl::Status status =
      pool_.InTransaction("claim_delivery", claim, common::Durability::kLossRepeatsWork);
  if (!status.ok()) return status;
  return claimed;
}

absl::StatusOr<DeliveryState> PostgresNotificationStore::RecordAttempt(
    const ClaimedDelivery& delivery, const AttemptRecord& record) {
  DeliveryState state = DeliveryState::kPending;
  auto record_attempt = [&](pqxx::work& tx) {
    tx.exec_params(
        "INSERT INTO delivery_attempts (delivery_id, attempt, http_status, error, latency_us) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (delivery_id, attempt) DO NOTHING",
        delivery.delivery_id, delivery.attempt, record.http_status, record.error.substr(0, 2000),
        static_cast<int64_t>(record.latency.count()));
    std::string new_state;
    switch (record.verdict) {
      case AttemptVerdict::kDelivered:
        new_state = "delivered";
        break;
      case AttemptVerdict::kRefused:
        new_state = "refused";
        break;
      case AttemptVerdict::kFailed:
        new_state = "pending";
        break;
    }
    pqxx::row row = tx.exec_params1(
        "UPDATE deliveries SET "
        "  state = CASE WHEN $2 <> 'pending' THEN $2 "
        "               WHEN attempts >= attempt_limit THEN 'dead' ELSE 'pending' END, "
        "  finished_at = CASE WHEN $2 <> 'pending' THEN now() END, "
        "  dead_at = CASE WHEN $2 = 'pending' AND attempts >= attempt_limit THEN now() "
        "                 ELSE dead_at END, "
        "  next_attempt_at = now() + $3 * interval '1 millisecond' "
        "WHERE delivery_id = $1 RETURNING state",
        delivery.delivery_id, new_state, static_cast<int64_t>(record.retry_after.count()));
    const std::string final_state = row[0].as<std::string>();
    state = final_state == "delivered" ? DeliveryState::kDelivered
            : final_state == "refused" ? DeliveryState::kRefused
            : final_state == "dead"    ? DeliveryState::kDead
                                       : DeliveryState::kPending;
    return absl::OkStatus();
  };
  absl::Status status =
      pool_.InTransaction("record_attempt", record_attempt, common::Durability::kLossRepeatsWork);
  if (!status.ok()) return status;
  return state;
}

namespace {

constexpr char kDeadLetterSelect[] =
    "SELECT d.delivery_id, d.subscription_id, d.channel, e.payload, ts_to_us(d.dead_at), "
    "  COALESCE(ts_to_us(d.retried_at), 0) "
    "FROM deliveries d JOIN events e ON e.event_id = d.event_id ";

// Fills in each dead letter's attempts (the delivery log).
void LoadAttempts(pqxx::work& tx, std::vector<v1::DeadLetter>& letters) {
  if (letters.empty()) return;
  std::vector<int64_t> ids;
  std::map<int64_t, v1::DeadLetter*> by_id;
  for (v1::DeadLetter& letter : letters) {
    int64_t id = 0;
    absl::SimpleAtoi(letter.dead_letter_id(), &id);
    ids.push_back(id);
    by_id[id] = &letter;
  }
  pqxx::result rows = tx.exec_params(
      "SELECT delivery_id, attempt, ts_to_us(attempt_time), http_status, error, latency_us "
      "FROM delivery_attempts WHERE delivery_id = ANY($1::bigint[]) "
      "ORDER BY delivery_id, attempt",
      PgBigintArray(ids));
  for (const pqxx::row& row : rows) {
    v1::DeliveryAttempt* attempt = by_id[row[0].as<int64_t>()]->add_attempts();
    attempt->set_attempt(row[1].as<int>());
    *attempt->mutable_attempt_time() = common::TimestampFromMicros(row[2].as<int64_t>());
    attempt->set_http_status(row[3].as<int>());
    attempt->set_error(row[4].as<std::string>());
    *attempt->mutable_latency() = common::DurationFromMicros(row[5].as<int64_t>());
  }
}

v1::DeadLetter DeadLetterFromRow(const pqxx::row& row) {
  v1::DeadLetter letter;
  letter.set_dead_letter_id(std::to_string(row[0].as<int64_t>()));
  letter.set_subscription_id(row[1].as<std::string>());
  letter.set_channel(ChannelFromName(row[2].as<std::string>()));
  *letter.mutable_event() = common::ParseRecord<v1::Event>(row[3]);
  *letter.mutable_create_time() = common::TimestampFromMicros(row[4].as<int64_t>());
  if (row[5].as<int64_t>() != 0) {
    *letter.mutable_retry_time() = common::TimestampFromMicros(row[5].as<int64_t>());
  }
  return letter;
}

}  // namespace

absl::StatusOr<common::Page<v1::DeadLetter>> PostgresNotificationStore::ListDeadLetters(
    const v1::ListDeadLettersRequest& request, int limit, std::optional<int64_t> before_id) {
  common::Page<v1::DeadLetter> page;
  absl::Status status = pool_.InTransaction("list_dead_letters", [&](pqxx::work& tx) {
    page = {};
    pqxx::result rows = tx.exec_params(
        std::string(kDeadLetterSelect) +
            "WHERE d.dead_at IS NOT NULL AND (d.state = 'dead' OR $1) "
            "AND d.delivery_id < $2 AND ($3 = '' OR d.subscription_id = $3) "
            "AND ($4 = '' OR e.event_type = $4) AND ($5 = '' OR e.order_id = $5) "
            "ORDER BY d.delivery_id DESC LIMIT $6",
        request.include_retried(), before_id.value_or(kNoUpperBound), request.subscription_id(),
        request.event_type() == v1::EVENT_TYPE_UNSPECIFIED
            ? ""
            : v1::EventType_Name(request.event_type()),
        request.order_id(), limit + 1);
    common::FillPage(page, rows, limit, DeadLetterFromRow,
                     [](const v1::DeadLetter& letter) { return letter.dead_letter_id(); });
    LoadAttempts(tx, page.entries);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

absl::StatusOr<v1::RetryDeadLetterResponse> PostgresNotificationStore::RetryDeadLetter(
    const v1::RetryDeadLetterRequest& request, const v1::Actor& caller, int64_t dead_letter_id,
    int extra_attempts) {
  v1::RetryDeadLetterResponse retried;
  const common::IdempotentRequest idempotent =
      IdempotentFor("RetryDeadLetter", caller.id(), request);
  absl::Status status = pool_.InTransaction("retry_dead_letter", [&](pqxx::work& tx) {
    retried.Clear();
    // A retry of this request must not queue another round once the first has died again.
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, Replayed(idempotent, tx, retried));
    if (replayed) return absl::OkStatus();
    tx.exec_params(
        "UPDATE deliveries SET state = 'pending', next_attempt_at = now(), retried_at = now(), "
        "  attempt_limit = attempts + $2 "
        "WHERE delivery_id = $1 AND state = 'dead'",
        dead_letter_id, extra_attempts);
    std::vector<v1::DeadLetter> found;
    for (const pqxx::row& row :
         tx.exec_params(std::string(kDeadLetterSelect) + "WHERE d.delivery_id = $1 "
                                                         "AND d.dead_at IS NOT NULL",
                        dead_letter_id)) {
      found.push_back(DeadLetterFromRow(row));
    }
    if (found.empty()) {
      return ReasonedError(absl::StatusCode::kNotFound, v1::NOT_FOUND,
                           absl::StrCat("dead letter ", dead_letter_id, " does not exist"));
    }
    LoadAttempts(tx, found);
    *retried.mutable_dead_letter() = std::move(found.front());
    idempotent.Remember(tx, retried);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return retried;
}

}  // namespace salesops::notification
