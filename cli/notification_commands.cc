// Who needs to know: your notifications (list, ack, follow live), webhook
// subscriptions, and the deliveries that gave up (dead letters).
#include <absl/strings/escaping.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <openssl/rand.h>

#include <CLI/CLI.hpp>
#include <thread>

#include "cli/command_tree.h"
#include "cli/input_parsing.h"
#include "cli/notification_stub.h"
#include "cli/output.h"
#include "services/common/config.h"

namespace salesops::cli {
namespace {

using v1::NotificationService;

absl::StatusOr<std::vector<v1::EventType>> ParseEventTypes(const std::vector<std::string>& words) {
  std::vector<v1::EventType> types;
  for (const std::string& word : words) {
    for (const std::string& each : SplitWords(word)) {
      absl::StatusOr<v1::EventType> type = ParseEnum<v1::EventType>(each);
      if (!type.ok())
        return absl::InvalidArgumentError("--type: " + std::string(type.status().message()));
      types.push_back(*type);
    }
  }
  return types;
}

std::string SummaryOf(const v1::Notification& notification) {
  return notification.summary().empty() ? notification.event().summary() : notification.summary();
}

struct NotificationOptions {
  bool unread = false, follow = false;
  std::string order, recipient, cursor;
  std::vector<std::string> types;
  int limit = 0;
};

// Streams notifications as they arrive, one line (or one JSON object) each.
// When the stream breaks it reconnects with the last cursor seen, so nothing
// is missed or shown twice; it backs off while notification is down.
ExitCode Follow(Session& session, const NotificationOptions& options,
                const std::vector<v1::EventType>& types) {
  v1::WatchNotificationsRequest request;
  request.set_cursor(options.cursor);
  request.set_order_id(options.order);
  for (v1::EventType type : types) request.add_event_types(type);
  int received = 0;
  auto backoff = std::chrono::milliseconds(250);
  bool connected_once = false;
  while (true) {
    v1::NotificationService::Stub stub(session.ChannelTo(Endpoint::kNotification));
    std::unique_ptr<grpc::ClientContext> context = session.NewContext(/*streaming=*/true);
    auto reader = stub.WatchNotifications(context.get(), request);
    v1::WatchNotificationsResponse response;
    while (reader->Read(&response)) {
      const v1::Notification& notification = response.notification();
      connected_once = true;
      backoff = std::chrono::milliseconds(250);
      if (session.json()) {
        std::cout << ToJson(notification).dump() << std::endl;
      } else {
        std::cout << FormatTime(notification.create_time()) << "  "
                  << EnumWord(notification.event().type()) << "  "
                  << (notification.event().order_id().empty() ? "-"
                                                              : notification.event().order_id())
                  << "  " << SummaryOf(notification) << std::endl;
      }
      request.set_cursor(notification.cursor());
      if (options.limit > 0 && ++received >= options.limit) {
        context->TryCancel();
        reader->Finish();
        return kExitOk;
      }
    }
    grpc::Status status = reader->Finish();
    bool retryable = status.ok() || status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                     status.error_code() == grpc::StatusCode::INTERNAL ||
                     status.error_code() == grpc::StatusCode::CANCELLED;
    if (!retryable) return session.ReportError(status, Endpoint::kNotification);
    std::cerr << "notification stream ended (" << (status.ok() ? "closed" : status.error_message())
              << "); reconnecting"
              << (request.cursor().empty() ? "" : " after the last notification shown") << "\n";
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(connected_once ? 10000 : 30000));
  }
}

ExitCode ListNotifications(Session& session, const NotificationOptions& options) {
  absl::StatusOr<std::vector<v1::EventType>> types = ParseEventTypes(options.types);
  if (!types.ok()) return ReportBadInput(std::string(types.status().message()));
  if (options.follow) return Follow(session, options, *types);
  v1::ListNotificationsRequest request;
  request.set_unacknowledged_only(options.unread);
  request.set_order_id(options.order);
  request.set_recipient_id(options.recipient);
  for (v1::EventType type : *types) request.add_event_types(type);
  v1::ListNotificationsResponse response;
  if (options.limit > 0) {
    request.set_page_size(options.limit);
    if (ExitCode code =
            session.Call(&NotificationService::Stub::ListNotifications, request, &response);
        code != kExitOk) {
      return code;
    }
    response.clear_next_page_token();
  } else if (ExitCode code = session.CallAllPages(&NotificationService::Stub::ListNotifications,
                                                  request, &response);
             code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  Table table({"id", "time", "event", "order", "read", "summary"});
  for (const v1::Notification& notification : response.notifications()) {
    table.AddRow({notification.notification_id(), FormatTime(notification.create_time()),
                  EnumWord(notification.event().type()),
                  notification.event().order_id().empty() ? "-" : notification.event().order_id(),
                  YesNo(notification.acknowledged()), SummaryOf(notification)});
  }
  if (table.empty()) {
    std::cout << "No notifications.\n";
  } else {
    table.Print();
    std::cout << "\n" << response.unacknowledged_count() << " unread\n";
  }
  return kExitOk;
}

struct AckOptions {
  std::vector<std::string> ids;
  bool all = false;
};

ExitCode Ack(Session& session, const AckOptions& options) {
  std::vector<std::string> ids = options.ids;
  if (options.all) {
    v1::ListNotificationsRequest list;
    list.set_unacknowledged_only(true);
    v1::ListNotificationsResponse unread;
    if (ExitCode code =
            session.CallAllPages(&NotificationService::Stub::ListNotifications, list, &unread);
        code != kExitOk) {
      return code;
    }
    for (const v1::Notification& notification : unread.notifications()) {
      ids.push_back(notification.notification_id());
    }
  }
  if (ids.empty() && !options.all) return ReportBadInput("give notification ids, or --all");
  int acknowledged = 0;
  constexpr size_t kMaxPerCall = 500;  // the API's bound per request
  for (size_t start = 0; start < ids.size(); start += kMaxPerCall) {
    v1::AckNotificationRequest request;
    for (size_t i = start; i < std::min(ids.size(), start + kMaxPerCall); ++i) {
      request.add_notification_ids(ids[i]);
    }
    v1::AckNotificationResponse response;
    if (ExitCode code =
            session.Call(&NotificationService::Stub::AckNotification, request, &response);
        code != kExitOk) {
      return code;
    }
    acknowledged += response.acknowledged_count();
  }
  if (session.json()) {
    PrintJson(nlohmann::json{{"acknowledgedCount", acknowledged}});
  } else {
    std::cout << "acknowledged " << acknowledged << "\n";
  }
  return kExitOk;
}

struct WebhookOptions {
  std::string url, name, order, secret_file;
  std::vector<std::string> types;
};

// The secret is write-only on the server: when generated here it is printed
// once, and only here.
ExitCode SubscribeWebhook(Session& session, const WebhookOptions& options) {
  absl::StatusOr<std::vector<v1::EventType>> types = ParseEventTypes(options.types);
  if (!types.ok()) return ReportBadInput(std::string(types.status().message()));
  std::string secret;
  bool generated = options.secret_file.empty();
  if (generated) {
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof(bytes)) != 1) return ReportBadInput("cannot generate a secret");
    secret = absl::BytesToHexString(
        absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
  } else {
    std::optional<std::string> read = common::ReadSecretFile(options.secret_file);
    if (!read) return ReportBadInput("cannot read secret file " + options.secret_file);
    secret = *read;
  }
  v1::CreateSubscriptionRequest request;
  v1::Subscription& subscription = *request.mutable_subscription();
  subscription.set_display_name(options.name.empty() ? "Webhook " + options.url : options.name);
  subscription.set_channel(v1::SUBSCRIPTION_CHANNEL_WEBHOOK);
  subscription.mutable_webhook()->set_url(options.url);
  subscription.set_order_id(options.order);
  for (v1::EventType type : *types) subscription.add_event_types(type);
  request.set_webhook_secret(secret);
  v1::CreateSubscriptionResponse response;
  if (ExitCode code =
          session.Call(&NotificationService::Stub::CreateSubscription, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    nlohmann::json out = ToJson(response);
    if (generated) out["webhookSecret"] = secret;
    PrintJson(out);
    return kExitOk;
  }
  std::cout << "subscribed " << response.subscription().subscription_id() << ": POST to "
            << options.url << "\n";
  if (generated) {
    std::cout << "signing secret (shown only now; store it where the receiver reads it):\n"
              << secret << "\n";
  }
  return kExitOk;
}

struct DeadLetterOptions {
  std::string subscription, type, order;
  bool include_retried = false;
};

ExitCode ListDeadLetters(Session& session, const DeadLetterOptions& options) {
  v1::ListDeadLettersRequest request;
  request.set_subscription_id(options.subscription);
  request.set_order_id(options.order);
  request.set_include_retried(options.include_retried);
  if (!options.type.empty()) {
    absl::StatusOr<v1::EventType> type = ParseEnum<v1::EventType>(options.type);
    if (!type.ok()) return ReportBadInput("--type: " + std::string(type.status().message()));
    request.set_event_type(*type);
  }
  v1::ListDeadLettersResponse response;
  if (ExitCode code =
          session.CallAllPages(&NotificationService::Stub::ListDeadLetters, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  Table table(
      {"id", "since", "subscription", "channel", "event", "order", "attempts", "last error"});
  for (const v1::DeadLetter& letter : response.dead_letters()) {
    std::string last = "-";
    if (letter.attempts_size() > 0) {
      const v1::DeliveryAttempt& attempt = letter.attempts(letter.attempts_size() - 1);
      last = attempt.http_status() > 0 ? absl::StrCat("HTTP ", attempt.http_status())
                                       : attempt.error();
    }
    table.AddRow({letter.dead_letter_id(), FormatTime(letter.create_time()),
                  letter.subscription_id(), EnumWord(letter.channel()),
                  EnumWord(letter.event().type()),
                  letter.event().order_id().empty() ? "-" : letter.event().order_id(),
                  std::to_string(letter.attempts_size()), last});
  }
  if (table.empty()) {
    std::cout << "No dead letters.\n";
  } else {
    table.Print();
  }
  return kExitOk;
}

ExitCode RetryDeadLetter(Session& session, const std::string& id) {
  v1::RetryDeadLetterRequest request;
  request.set_dead_letter_id(id);
  v1::RetryDeadLetterResponse response;
  if (ExitCode code = session.Call(&NotificationService::Stub::RetryDeadLetter, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
  } else {
    std::cout << "queued another delivery of " << id << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddNotificationCommands(CommandTree& tree) {
  CLI::App& root = tree.root();
  {
    auto options = MakeOptions<NotificationOptions>();
    CLI::App* notifications = root.add_subcommand(
        "notifications",
        "Your notifications (the token's person or role), newest first; --follow streams them "
        "live");
    notifications->add_flag("--unread", options->unread, "Only those not yet acknowledged");
    notifications->add_option("--order", options->order, "Only about this order");
    notifications->add_option("--type", options->types,
                              "Only these event types (order-amended, shortage-detected, ...)");
    notifications->add_option("--recipient", options->recipient, "Another person's inbox (ADMIN)");
    notifications->add_flag("-f,--follow", options->follow,
                            "Stream new notifications as they arrive; reconnects and resumes "
                            "after the last one shown");
    notifications->add_option("--cursor", options->cursor,
                              "With --follow: resume after this cursor instead of from now");
    notifications
        ->add_option("--limit", options->limit,
                     "Stop after this many (with --follow: wait for them)")
        ->check(CLI::Range(1, 1000000));
    tree.OnRunWithoutSubcommand(notifications, [options](Session& session) {
      return ListNotifications(session, *options);
    });
    auto ack_options = MakeOptions<AckOptions>();
    CLI::App* ack = notifications->add_subcommand("ack", "Mark notifications read");
    ack->add_option("ids", ack_options->ids, "Notification ids");
    ack->add_flag("--all", ack_options->all, "Every unread notification");
    tree.OnRun(ack, [ack_options](Session& session) { return Ack(session, *ack_options); });
  }
  {
    auto options = MakeOptions<WebhookOptions>();
    CLI::App* command = root.add_subcommand(
        "subscribe-webhook",
        "POST matching events as signed JSON to a URL (ADMIN); retried with backoff, then "
        "dead-lettered");
    command->add_option("url", options->url, "http(s) URL of the receiver")->required();
    command->add_option("--type", options->types,
                        "Event types to send (order-amended, shortage-detected, ...); "
                        "repeatable; default all");
    command->add_option("--order", options->order, "Only events about this order");
    command->add_option("--name", options->name, "What the subscription is for");
    command
        ->add_option("--secret-file", options->secret_file,
                     "File holding the HMAC signing secret (16+ characters); default: "
                     "generate one and print it once")
        ->check(CLI::ExistingFile);
    tree.OnRun(command,
               [options](Session& session) { return SubscribeWebhook(session, *options); });
  }
  CLI::App* dead_letters =
      tree.AddGroup(root, "dead-letters", "Deliveries that used up their attempts (ADMIN)");
  {
    auto options = MakeOptions<DeadLetterOptions>();
    CLI::App* list =
        dead_letters->add_subcommand("list", "List dead letters with their last error");
    list->add_option("--subscription", options->subscription, "Only this subscription");
    list->add_option("--type", options->type, "Only this event type");
    list->add_option("--order", options->order, "Only about this order");
    list->add_flag("--include-retried", options->include_retried, "Also those already retried");
    tree.OnRun(list, [options](Session& session) { return ListDeadLetters(session, *options); });
  }
  {
    auto id = std::make_shared<std::string>();
    CLI::App* retry = dead_letters->add_subcommand(
        "retry", "Queue another delivery round once the receiver is fixed");
    retry->add_option("id", *id, "Dead letter id")->required();
    tree.OnRun(retry, [id](Session& session) { return RetryDeadLetter(session, *id); });
  }
}

}  // namespace salesops::cli
