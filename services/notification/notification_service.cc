#include "services/notification/notification_service.h"

#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>

#include "services/common/grpc_errors.h"
#include "services/common/log.h"
#include "services/common/page_token.h"
#include "services/common/time_util.h"
#include "services/common/validation.h"
#include "services/notification/routing.h"
#include "services/notification/summary.h"
#include "services/notification/webhook.h"

namespace salesops::notification {
using common::LogInfo;
using common::LogWarn;

namespace {

using common::CheckRequest;
using common::FieldViolation;
using common::InvalidArgumentError;
using common::ReasonedError;
using common::ToGrpcStatus;

constexpr int kMinWebhookSecretLength = 16;
// Streams look for new rows at least this often (other replicas publish too,
// and a row waits for older transactions to end before it joins a stream).
constexpr std::chrono::milliseconds kFeedPollInterval{250};
constexpr int kFeedBatch = 200;
// How often a quiet stream checks that its client is still there.
constexpr std::chrono::milliseconds kStreamCancelCheckInterval{1000};

absl::Status RoleNotAllowed(const std::string& message) {
  return ReasonedError(absl::StatusCode::kPermissionDenied, v1::ROLE_NOT_ALLOWED, message);
}

void CheckEventTypes(const google::protobuf::RepeatedField<int>& types, const std::string& field,
                     std::vector<FieldViolation>& violations) {
  for (int i = 0; i < types.size(); ++i) {
    if (types[i] == v1::EVENT_TYPE_UNSPECIFIED || !v1::EventType_IsValid(types[i])) {
      violations.push_back({absl::StrCat(field, "[", i, "]"), "is not a known event type"});
    }
  }
}

std::vector<std::string> TypeNames(const google::protobuf::RepeatedField<int>& types) {
  std::vector<std::string> names;
  for (int type : types) names.push_back(v1::EventType_Name(static_cast<v1::EventType>(type)));
  return names;
}

// "host:port" with a numeric port.
bool IsHostPort(const std::string& address) {
  size_t colon = address.rfind(':');
  int port = 0;
  return colon != std::string::npos && colon > 0 &&
         absl::SimpleAtoi(address.substr(colon + 1), &port) && port > 0 && port < 65536 &&
         address.find_first_of(" /@") == std::string::npos;
}

absl::StatusOr<std::optional<int64_t>> DecodeIdToken(const std::string& listing,
                                                     const std::string& token) {
  SALESOPS_ASSIGN_OR_RETURN(std::string after, common::DecodePageToken(listing, token));
  if (after.empty()) return std::nullopt;
  int64_t id = 0;
  if (!absl::SimpleAtoi(after, &id)) {
    return InvalidArgumentError({{"page_token", "is not a token this listing gave out"}});
  }
  return id;
}

// Whose inbox a caller reads: their own, and their role's. A crew member has no role inbox:
// CREW tokens are many people who must never see each other's offers and schedules, so only
// what is addressed to them by person reaches them.
Recipient RecipientOf(const v1::Actor& caller) {
  if (caller.role() == v1::ROLE_CREW) return {caller.id(), v1::ROLE_UNSPECIFIED};
  return {caller.id(), caller.role()};
}

// ADMIN deletes anything; others only what they created or what is addressed to them,
// and never a built-in.
absl::Status MayDeleteSubscription(const v1::Actor& caller, const v1::Subscription& existing) {
  if (caller.role() == v1::ROLE_ADMIN) return absl::OkStatus();
  if (existing.built_in()) return RoleNotAllowed("only ADMIN deletes built-in subscriptions");
  if (!common::IsActor(caller, existing.created_by().id()) &&
      !common::IsActor(caller, existing.person_id())) {
    return RoleNotAllowed("this subscription is not yours");
  }
  return absl::OkStatus();
}

}  // namespace

NotificationServiceImpl::NotificationServiceImpl(common::ServiceRuntime& runtime,
                                                 NotificationOptions options,
                                                 std::unique_ptr<NotificationStore> store)
    : runtime_(runtime),
      options_(std::move(options)),
      store_(std::move(store)),
      metrics_(runtime.metrics()),
      deliveries_(*store_, runtime, metrics_, options_.delivery,
                  [this](const v1::Event& event) { return Summarize(event); }) {
  if (!absl::LoadTimeZone(options_.display_time_zone, &time_zone_)) {
    LogWarn("unknown_time_zone", {{"time_zone", options_.display_time_zone}, {"using", "UTC"}});
    time_zone_ = absl::UTCTimeZone();
  }
  runtime.OnMigrated([this] {
    std::lock_guard<std::mutex> lock(start_mutex_);
    if (feed_.stopped()) return;
    deliveries_.Start();
    setup_ = std::thread([this] { EnsureConfiguredSubscriptions(); });
    feed_poller_ = std::thread([this] { PollFeed(); });
  });
  runtime.OnShutdown([this] { Stop(); });
}

void NotificationServiceImpl::EnsureConfiguredSubscriptions() {
  if (options_.order_intake_address.empty()) return;
  // Ops milestones move orders through their stages; at-risk tasks, shortages
  // and commitment changes show on the order sales looks at.
  const std::vector<v1::EventType> milestones = {
      v1::EVENT_TYPE_PREP_STARTED,      v1::EVENT_TYPE_PREP_COMPLETED,
      v1::EVENT_TYPE_DISPATCHED,        v1::EVENT_TYPE_ON_SITE,
      v1::EVENT_TYPE_RETURNED,          v1::EVENT_TYPE_TASK_AT_RISK,
      v1::EVENT_TYPE_SHORTAGE_DETECTED, v1::EVENT_TYPE_COMMITMENT_CHANGED};
  while (!feed_.stopped()) {
    absl::Status status = store_->EnsureServiceSubscription(
        "builtin-order-intake-milestones", "order-intake: ops milestones and risks",
        options_.order_intake_address, milestones);
    if (status.ok()) {
      LogInfo("service_subscription_ready", {{"target", options_.order_intake_address}});
      return;
    }
    // Before migrations ran, or while the database is away: try again.
    feed_.Wait(feed_.generation(), std::chrono::milliseconds(1000));
  }
}

void NotificationServiceImpl::PollFeed() {
  std::optional<FeedPosition> last;
  while (!feed_.stopped()) {
    feed_.Wait(feed_.generation(), kFeedPollInterval);
    if (feed_.stopped() || streams_.open() == 0) continue;
    absl::StatusOr<FeedPosition> latest = store_->LatestVisible();
    if (!latest.ok()) continue;  // the database is away; streams see it on their next read
    if (!last || last->writer_xid != latest->writer_xid ||
        last->notification_id != latest->notification_id) {
      if (last) feed_.Notify();
      last = *latest;
    }
  }
}

std::optional<StreamSlot> StreamSlots::Open(const std::string& caller, int max_per_caller) {
  std::lock_guard<std::mutex> lock(mutex_);
  int& count = per_caller_[caller];
  if (count >= max_per_caller) return std::nullopt;
  ++count;
  ++open_;
  return StreamSlot(this, caller);
}

void StreamSlots::Close(const std::string& caller) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (--per_caller_[caller] <= 0) per_caller_.erase(caller);
  --open_;
}

int StreamSlots::open() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return open_;
}

bool NotificationServiceImpl::IsAllowedSink(const std::string& address) const {
  if (address == options_.order_intake_address) return true;
  for (const std::string& allowed : ParseAddressList(options_.event_sink_allowlist)) {
    if (allowed == address) return true;
  }
  return false;
}

NotificationServiceImpl::~NotificationServiceImpl() { Stop(); }

void NotificationServiceImpl::Stop() {
  std::lock_guard<std::mutex> lock(start_mutex_);
  feed_.Stop();
  deliveries_.Stop();
  if (setup_.joinable()) setup_.join();
  if (feed_poller_.joinable()) feed_poller_.join();
}

std::string NotificationServiceImpl::Summarize(const v1::Event& event) const {
  return SummarizeEvent(event, time_zone_, absl::Now());
}

absl::StatusOr<std::vector<PublishResult>> NotificationServiceImpl::PublishEvents(
    const v1::Actor& caller, const google::protobuf::Message& request,
    const std::vector<v1::Event>& events, const std::function<std::string(size_t)>& field_of) {
  std::vector<FieldViolation> violations = common::ValidateRequest(request);
  for (size_t i = 0; i < events.size(); ++i) {
    const v1::Event& event = events[i];
    // A service speaks for itself only: its events name it as their source, and the person
    // who caused them, never another service.
    if (!event.source_service().empty() && event.source_service() != caller.id()) {
      return RoleNotAllowed(absl::StrCat(field_of(i),
                                         ".source_service must be the publishing "
                                         "service's own identity"));
    }
    if (event.actor().role() == v1::ROLE_SERVICE && event.actor().id() != caller.id()) {
      return RoleNotAllowed(
          absl::StrCat(field_of(i), ".actor may not name another service as the cause"));
    }
    if (event.type() != v1::EVENT_TYPE_UNSPECIFIED && !v1::EventType_IsValid(event.type())) {
      violations.push_back({field_of(i) + ".type", "is not a known event type"});
    }
    const size_t size = event.ByteSizeLong();
    if (size > static_cast<size_t>(options_.max_event_bytes)) {
      violations.push_back({field_of(i), absl::StrCat("is ", size, " bytes; at most ",
                                                      options_.max_event_bytes, " are accepted")});
    }
  }
  if (!violations.empty()) return InvalidArgumentError(std::move(violations));

  std::vector<std::string> summaries;
  for (const v1::Event& event : events) summaries.push_back(Summarize(event));
  SALESOPS_ASSIGN_OR_RETURN(
      std::vector<PublishResult> results,
      store_->Publish(events, summaries, options_.delivery.max_attempts, RouteEvent));
  bool new_notifications = false, new_deliveries = false;
  const auto now = std::chrono::system_clock::now();
  for (size_t i = 0; i < events.size(); ++i) {
    const PublishResult& result = results[i];
    metrics_.EventReceived(result.duplicate);
    if (result.duplicate) continue;
    auto since_event = now - std::chrono::system_clock::time_point(std::chrono::microseconds(
                                 common::ToMicros(events[i].occur_time())));
    metrics_.Delivered("inbox", since_event, result.inbox_notifications);
    metrics_.Delivered("stream", since_event, result.stream_notifications);
    new_notifications |= result.inbox_notifications + result.stream_notifications > 0;
    new_deliveries |= result.deliveries > 0;
  }
  if (new_notifications) feed_.Notify();
  if (new_deliveries) deliveries_.Wake();
  return results;
}

grpc::Status NotificationServiceImpl::Publish(grpc::ServerContext* context,
                                              const v1::PublishRequest* request,
                                              v1::PublishResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_ASSIGN_OR_RETURN(
        std::vector<PublishResult> results,
        PublishEvents(runtime_.CallerOf(*context), *request, {request->event()},
                      [](size_t) { return std::string("event"); }));
    response->set_duplicate(results[0].duplicate);
    response->set_matched_subscription_count(results[0].matched_subscriptions);
    return absl::OkStatus();
  }());
}

grpc::Status NotificationServiceImpl::PublishBatch(grpc::ServerContext* context,
                                                   const v1::PublishBatchRequest* request,
                                                   v1::PublishBatchResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    std::vector<v1::Event> events(request->events().begin(), request->events().end());
    SALESOPS_ASSIGN_OR_RETURN(
        std::vector<PublishResult> results,
        PublishEvents(runtime_.CallerOf(*context), *request, events,
                      [](size_t i) { return absl::StrCat("events[", i, "]"); }));
    for (const PublishResult& result : results) {
      v1::PublishResponse* added = response->add_results();
      added->set_duplicate(result.duplicate);
      added->set_matched_subscription_count(result.matched_subscriptions);
    }
    return absl::OkStatus();
  }());
}

grpc::Status NotificationServiceImpl::CreateSubscription(
    grpc::ServerContext* context, const v1::CreateSubscriptionRequest* request,
    v1::CreateSubscriptionResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    const v1::Actor caller = runtime_.CallerOf(*context);
    const bool admin = caller.role() == v1::ROLE_ADMIN;
    std::vector<FieldViolation> violations = common::ValidateRequest(*request);
    const v1::Subscription& subscription = request->subscription();
    CheckEventTypes(subscription.event_types(), "subscription.event_types", violations);
    v1::CreateSubscriptionRequest effective = *request;
    v1::Subscription& stored = *effective.mutable_subscription();
    switch (subscription.channel()) {
      case v1::SUBSCRIPTION_CHANNEL_INBOX:
      case v1::SUBSCRIPTION_CHANNEL_STREAM:
        if (subscription.has_webhook()) {
          violations.push_back({"subscription.webhook", "is only for WEBHOOK subscriptions"});
        }
        if (subscription.has_service()) {
          violations.push_back({"subscription.service", "is only for SERVICE subscriptions"});
        }
        if (!request->webhook_secret().empty()) {
          violations.push_back({"webhook_secret", "is only for WEBHOOK subscriptions"});
        }
        if (subscription.role() != v1::ROLE_UNSPECIFIED && !subscription.person_id().empty()) {
          violations.push_back({"subscription.role", "give a role or a person, not both"});
        }
        if (subscription.role() == v1::ROLE_CREW) {
          violations.push_back({"subscription.role",
                                "crew have no role inbox (each reads only their own): subscribe "
                                "crew members one by one with person_id"});
        }
        break;
      case v1::SUBSCRIPTION_CHANNEL_WEBHOOK:
        if (std::optional<std::string> problem = WebhookUrlProblem(subscription.webhook().url())) {
          violations.push_back({"subscription.webhook.url", *problem});
        }
        if (request->webhook_secret().size() < kMinWebhookSecretLength) {
          violations.push_back(
              {"webhook_secret", absl::StrCat("needs at least ", kMinWebhookSecretLength,
                                              " characters (the HMAC key)")});
        }
        [[fallthrough]];
      case v1::SUBSCRIPTION_CHANNEL_SERVICE:
        if (subscription.role() != v1::ROLE_UNSPECIFIED) {
          violations.push_back({"subscription.role", "is only for INBOX and STREAM subscriptions"});
        }
        // A WEBHOOK may name a person: it then forwards only what is addressed to them.
        if (!subscription.person_id().empty() &&
            subscription.channel() == v1::SUBSCRIPTION_CHANNEL_SERVICE) {
          violations.push_back(
              {"subscription.person_id", "is only for INBOX, STREAM and WEBHOOK subscriptions"});
        }
        if (subscription.channel() == v1::SUBSCRIPTION_CHANNEL_SERVICE &&
            !IsHostPort(subscription.service().address())) {
          violations.push_back({"subscription.service.address", "must be host:port"});
        } else if (subscription.channel() == v1::SUBSCRIPTION_CHANNEL_SERVICE &&
                   !IsAllowedSink(subscription.service().address())) {
          violations.push_back({"subscription.service.address",
                                "is not on the operator's EventSink allow-list "
                                "(--event-sink-allowlist)"});
        }
        if (subscription.channel() == v1::SUBSCRIPTION_CHANNEL_WEBHOOK) {
          std::optional<std::string> host = WebhookHost(subscription.webhook().url());
          std::optional<std::string> refusal =
              host ? options_.delivery.webhook_addresses.RefusalForLiteral(*host) : std::nullopt;
          if (refusal) violations.push_back({"subscription.webhook.url", *refusal});
        }
        break;
      default:
        violations.push_back(
            {"subscription.channel", "is required: INBOX, STREAM, WEBHOOK or SERVICE"});
    }
    if (!violations.empty()) return InvalidArgumentError(std::move(violations));

    // Who may subscribe what: targets outside salesops are ADMIN configuration (a person's
    // webhook too: the office sets up a freelancer's phone or chat bridge, so no caller points
    // notification's HTTP client anywhere on their own); a person subscribes themselves; whole
    // roles are ADMIN's to subscribe.
    const v1::SubscriptionChannel channel = subscription.channel();
    if (channel == v1::SUBSCRIPTION_CHANNEL_WEBHOOK && !admin) {
      return RoleNotAllowed("only ADMIN configures webhooks");
    }
    if (channel == v1::SUBSCRIPTION_CHANNEL_SERVICE && !admin) {
      return RoleNotAllowed("only ADMIN configures service deliveries");
    }
    if (channel == v1::SUBSCRIPTION_CHANNEL_INBOX || channel == v1::SUBSCRIPTION_CHANNEL_STREAM) {
      if (subscription.role() != v1::ROLE_UNSPECIFIED && !admin) {
        return RoleNotAllowed("only ADMIN subscribes a whole role; subscribe yourself instead");
      }
      if (!subscription.person_id().empty() && !common::IsActor(caller, subscription.person_id()) &&
          !admin) {
        return RoleNotAllowed("you can only subscribe yourself");
      }
      if (subscription.role() == v1::ROLE_UNSPECIFIED && subscription.person_id().empty()) {
        stored.set_person_id(caller.id());
      }
    }
    SALESOPS_ASSIGN_OR_RETURN(*response, store_->CreateSubscription(effective, caller));
    LogInfo("subscription_created",
            {{"subscription_id", response->subscription().subscription_id()},
             {"channel", v1::SubscriptionChannel_Name(channel)},
             {"by", caller.id()}});
    return absl::OkStatus();
  }());
}

grpc::Status NotificationServiceImpl::ListSubscriptions(grpc::ServerContext* context,
                                                        const v1::ListSubscriptionsRequest* request,
                                                        v1::ListSubscriptionsResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    SALESOPS_ASSIGN_OR_RETURN(std::string after,
                              common::DecodePageToken("subscriptions", request->page_token()));
    std::optional<Recipient> visible_to;
    if (caller.role() != v1::ROLE_ADMIN) visible_to = RecipientOf(caller);
    SALESOPS_ASSIGN_OR_RETURN(
        common::Page<v1::Subscription> page,
        store_->ListSubscriptions(*request, visible_to,
                                  common::EffectivePageSize(request->page_size()), after));
    for (v1::Subscription& subscription : page.entries) {
      *response->add_subscriptions() = std::move(subscription);
    }
    response->set_next_page_token(common::EncodePageToken("subscriptions", page.next_after));
    return absl::OkStatus();
  }());
}

grpc::Status NotificationServiceImpl::DeleteSubscription(
    grpc::ServerContext* context, const v1::DeleteSubscriptionRequest* request,
    v1::DeleteSubscriptionResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    // NOT_FOUND as the proto says, for a second delete too (the caller learns it is gone).
    SALESOPS_ASSIGN_OR_RETURN(
        *response,
        store_->DeleteSubscription(*request, caller, [&](const v1::Subscription& existing) {
          return MayDeleteSubscription(caller, existing);
        }));
    return absl::OkStatus();
  }());
}

grpc::Status NotificationServiceImpl::ListNotifications(grpc::ServerContext* context,
                                                        const v1::ListNotificationsRequest* request,
                                                        v1::ListNotificationsResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    std::vector<FieldViolation> violations = common::ValidateRequest(*request);
    CheckEventTypes(request->event_types(), "event_types", violations);
    if (!violations.empty()) return InvalidArgumentError(std::move(violations));
    const v1::Actor caller = runtime_.CallerOf(*context);
    Recipient recipient = RecipientOf(caller);
    if (!request->recipient_id().empty() && !common::IsActor(caller, request->recipient_id())) {
      if (caller.role() != v1::ROLE_ADMIN) {
        return RoleNotAllowed("only ADMIN reads another person's inbox");
      }
      // Their role is not known here: ADMIN sees what was addressed to them by name.
      recipient = {request->recipient_id(), v1::ROLE_UNSPECIFIED};
    }
    SALESOPS_ASSIGN_OR_RETURN(std::optional<int64_t> before,
                              DecodeIdToken("notifications", request->page_token()));
    NotificationFilter filter;
    filter.unacknowledged_only = request->unacknowledged_only();
    filter.order_id = request->order_id();
    filter.event_types = TypeNames(request->event_types());
    if (request->has_created()) {
      if (request->created().has_not_before()) {
        filter.created_from_micros = common::ToMicros(request->created().not_before());
      }
      filter.created_until_micros = common::ToMicros(request->created().no_later_than());
    }
    SALESOPS_ASSIGN_OR_RETURN(
        InboxPage inbox,
        store_->ListNotifications(recipient, filter,
                                  common::EffectivePageSize(request->page_size()), before));
    for (v1::Notification& notification : inbox.page.entries) {
      *response->add_notifications() = std::move(notification);
    }
    response->set_next_page_token(common::EncodePageToken("notifications", inbox.page.next_after));
    response->set_unacknowledged_count(inbox.unacknowledged_count);
    return absl::OkStatus();
  }());
}

grpc::Status NotificationServiceImpl::AckNotification(grpc::ServerContext* context,
                                                      const v1::AckNotificationRequest* request,
                                                      v1::AckNotificationResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    std::vector<FieldViolation> violations = common::ValidateRequest(*request);
    std::vector<int64_t> ids;
    for (int i = 0; i < request->notification_ids_size(); ++i) {
      int64_t id = 0;
      if (!absl::SimpleAtoi(request->notification_ids(i), &id) || id <= 0) {
        violations.push_back(
            {absl::StrCat("notification_ids[", i, "]"), "is not a notification id"});
      }
      ids.push_back(id);
    }
    if (!violations.empty()) return InvalidArgumentError(std::move(violations));
    SALESOPS_ASSIGN_OR_RETURN(
        *response, store_->Acknowledge(*request, RecipientOf(runtime_.CallerOf(*context)), ids));
    return absl::OkStatus();
  }());
}

grpc::Status NotificationServiceImpl::WatchNotifications(
    grpc::ServerContext* context, const v1::WatchNotificationsRequest* request,
    grpc::ServerWriter<v1::WatchNotificationsResponse>* writer) {
  std::vector<FieldViolation> violations = common::ValidateRequest(*request);
  CheckEventTypes(request->event_types(), "event_types", violations);
  std::optional<FeedPosition> position;
  if (!request->cursor().empty()) {
    position = DecodeCursor(request->cursor());
    if (!position) {
      violations.push_back({"cursor", "is not a cursor this service gave out"});
    }
  }
  if (!violations.empty()) return ToGrpcStatus(InvalidArgumentError(std::move(violations)));
  if (!position) {
    absl::StatusOr<FeedPosition> start = store_->FeedStart();
    if (!start.ok()) return ToGrpcStatus(start.status());
    position = *start;
  }
  const v1::Actor caller = runtime_.CallerOf(*context);
  const Recipient recipient = RecipientOf(caller);
  NotificationFilter filter;
  filter.order_id = request->order_id();
  filter.event_types = TypeNames(request->event_types());

  // Each stream holds a server thread: one caller gets a few, not the whole server.
  std::optional<StreamSlot> slot = streams_.Open(caller.id(), options_.max_streams_per_caller);
  if (!slot) {
    return ToGrpcStatus(ReasonedError(
        absl::StatusCode::kResourceExhausted, v1::LIMIT_REACHED,
        absl::StrCat("you already have ", options_.max_streams_per_caller,
                     " live notification streams open; close one (or resume it from its cursor)")));
  }
  metrics_.stream_subscribers().Increment();
  struct Unsubscribe {
    NotificationMetrics& metrics;
    ~Unsubscribe() { metrics.stream_subscribers().Decrement(); }
  } unsubscribe{metrics_};
  // The header goes out at once, so the client knows it is subscribed.
  writer->SendInitialMetadata();
  // Streams read the database only when something may have changed: Publish here, or the one
  // feed poller seeing rows from other replicas, moves the feed's generation. An idle stream
  // costs no queries; it wakes now and then only to notice a client that went away.
  std::optional<uint64_t> read_at;
  bool more_waiting = false;
  while (!context->IsCancelled() && !feed_.stopped()) {
    const uint64_t seen = feed_.generation();
    if (read_at != seen || more_waiting) {
      read_at = seen;
      absl::StatusOr<std::vector<v1::Notification>> batch =
          store_->ReadFeed(recipient, *position, filter, kFeedBatch);
      if (!batch.ok()) return ToGrpcStatus(batch.status());
      for (v1::Notification& notification : *batch) {
        position = DecodeCursor(notification.cursor());
        v1::WatchNotificationsResponse message;
        *message.mutable_notification() = std::move(notification);
        if (!writer->Write(message)) return grpc::Status::CANCELLED;
      }
      more_waiting = static_cast<int>(batch->size()) == kFeedBatch;
    }
    if (!more_waiting) feed_.Wait(seen, kStreamCancelCheckInterval);
  }
  if (feed_.stopped()) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "notification is shutting down; resume from your last cursor");
  }
  return grpc::Status::CANCELLED;
}

grpc::Status NotificationServiceImpl::ListDeadLetters(grpc::ServerContext*,
                                                      const v1::ListDeadLettersRequest* request,
                                                      v1::ListDeadLettersResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    std::vector<FieldViolation> violations = common::ValidateRequest(*request);
    if (!v1::EventType_IsValid(request->event_type())) {
      violations.push_back({"event_type", "is not a known event type"});
    }
    if (!violations.empty()) return InvalidArgumentError(std::move(violations));
    SALESOPS_ASSIGN_OR_RETURN(std::optional<int64_t> before,
                              DecodeIdToken("dead_letters", request->page_token()));
    SALESOPS_ASSIGN_OR_RETURN(
        common::Page<v1::DeadLetter> page,
        store_->ListDeadLetters(*request, common::EffectivePageSize(request->page_size()), before));
    for (v1::DeadLetter& letter : page.entries) *response->add_dead_letters() = std::move(letter);
    response->set_next_page_token(common::EncodePageToken("dead_letters", page.next_after));
    return absl::OkStatus();
  }());
}

grpc::Status NotificationServiceImpl::RetryDeadLetter(grpc::ServerContext* context,
                                                      const v1::RetryDeadLetterRequest* request,
                                                      v1::RetryDeadLetterResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    std::vector<FieldViolation> violations = common::ValidateRequest(*request);
    int64_t id = 0;
    if (!request->dead_letter_id().empty() &&
        (!absl::SimpleAtoi(request->dead_letter_id(), &id) || id <= 0)) {
      violations.push_back({"dead_letter_id", "is not a dead letter id"});
    }
    if (!violations.empty()) return InvalidArgumentError(std::move(violations));
    const v1::Actor caller = runtime_.CallerOf(*context);
    SALESOPS_ASSIGN_OR_RETURN(
        *response, store_->RetryDeadLetter(*request, caller, id, options_.delivery.max_attempts));
    deliveries_.Wake();
    LogInfo("dead_letter_retried",
            {{"dead_letter_id", request->dead_letter_id()}, {"by", caller.id()}});
    return absl::OkStatus();
  }());
}

}  // namespace salesops::notification
