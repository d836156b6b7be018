#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "services/notification/address_policy.h"

namespace salesops::notification {

// Why `url` cannot be a webhook target (only http and https, a host, no user
// name or password in it), or nothing when it can. Parsed by libcurl, the
// library that will send to it, so both read the URL the same way.
// The host part of a well-formed webhook URL ("127.0.0.1", "[::1]", "hooks.example.com").
std::optional<std::string> WebhookHost(const std::string& url);

std::optional<std::string> WebhookUrlProblem(const std::string& url);

// The `Salesops-Signature` header value: "v1=" and the hex HMAC-SHA256, keyed
// with the subscription's secret, of "<timestamp>.<body>" (as Stripe signs),
// so a receiver can check both who sent the body and that it is fresh.
std::string WebhookSignature(const std::string& secret, int64_t unix_seconds,
                             const std::string& body);

struct WebhookPost {
  std::string url;
  std::string body;  // JSON
  std::string event_id;
  std::string event_type;
  std::string secret;
  int attempt = 1;
  std::chrono::milliseconds timeout{10000};
  // Which addresses the post may connect to (checked on each address the name resolves to,
  // at connect time); none refuses every private, loopback and link-local one.
  const AddressPolicy* addresses = nullptr;
};

struct WebhookAnswer {
  int http_status = 0;  // 0 when there was no answer
  std::string error;    // empty on 2xx
  std::chrono::microseconds latency{0};
  bool ok() const { return http_status >= 200 && http_status < 300; }
};

// POSTs the event with its signature headers; never follows redirects and
// never waits longer than `timeout`.
WebhookAnswer PostWebhook(const WebhookPost& post);

}  // namespace salesops::notification
