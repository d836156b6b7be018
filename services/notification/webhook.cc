#include "services/notification/webhook.h"

#include <absl/strings/str_cat.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/socket.h>

#include <mutex>
#include <vector>

namespace salesops::notification {
namespace {

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Owns a CURLU handle and reads one part of it.
class ParsedUrl {
 public:
  explicit ParsedUrl(const std::string& url) : handle_(curl_url()) {
    parsed_ =
        handle_ != nullptr && curl_url_set(handle_, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK;
  }
  ~ParsedUrl() { curl_url_cleanup(handle_); }
  bool parsed() const { return parsed_; }
  std::optional<std::string> Part(CURLUPart part) const {
    char* value = nullptr;
    if (curl_url_get(handle_, part, &value, 0) != CURLUE_OK || value == nullptr) {
      return std::nullopt;
    }
    std::string result(value);
    curl_free(value);
    return result;
  }

 private:
  CURLU* handle_;
  bool parsed_ = false;
};

size_t DiscardBody(char*, size_t size, size_t count, void*) { return size * count; }

// What the connect-time check needs and what it found.
struct ConnectGuard {
  const AddressPolicy* policy;
  std::string refusal;
};

// libcurl asks for a socket for each address it is about to connect to, after DNS: judging
// the address here, rather than the name in the URL, is what keeps DNS rebinding out.
curl_socket_t OpenCheckedSocket(void* guard_pointer, curlsocktype purpose, curl_sockaddr* address) {
  auto* guard = static_cast<ConnectGuard*>(guard_pointer);
  static const AddressPolicy* const kDefaultPolicy = new AddressPolicy(*AddressPolicy::Parse(""));
  const AddressPolicy& policy = guard->policy != nullptr ? *guard->policy : *kDefaultPolicy;
  if (std::optional<std::string> refusal = policy.Refusal(&address->addr)) {
    guard->refusal = *refusal;
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype, address->protocol);
}

}  // namespace

std::optional<std::string> WebhookUrlProblem(const std::string& url) {
  if (url.empty()) return "is required";
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= ' ')
      return "must not contain spaces or control characters";
  }
  InitCurlOnce();
  ParsedUrl parsed(url);
  if (!parsed.parsed()) return "is not a valid URL";
  std::optional<std::string> scheme = parsed.Part(CURLUPART_SCHEME);
  if (!scheme || (*scheme != "http" && *scheme != "https")) return "must be an http or https URL";
  // The URL is shown to every ADMIN and written to logs; credentials belong in
  // the webhook secret, not in the address.
  if (parsed.Part(CURLUPART_USER) || parsed.Part(CURLUPART_PASSWORD)) {
    return "must not contain a user name or password";
  }
  std::optional<std::string> host = parsed.Part(CURLUPART_HOST);
  if (!host || host->empty()) return "must name a host";
  if (url.find("://") == std::string::npos) return "must start with http:// or https://";
  return std::nullopt;
}

std::optional<std::string> WebhookHost(const std::string& url) {
  InitCurlOnce();
  ParsedUrl parsed(url);
  if (!parsed.parsed()) return std::nullopt;
  return parsed.Part(CURLUPART_HOST);
}

std::string WebhookSignature(const std::string& secret, int64_t unix_seconds,
                             const std::string& body) {
  const std::string signed_text = absl::StrCat(unix_seconds, ".", body);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(), digest,
       &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string signature = "v1=";
  for (unsigned int i = 0; i < length; ++i) {
    signature += kHex[digest[i] >> 4];
    signature += kHex[digest[i] & 0xF];
  }
  return signature;
}

WebhookAnswer PostWebhook(const WebhookPost& post) {
  InitCurlOnce();
  WebhookAnswer answer;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    answer.error = "cannot create an HTTP client";
    return answer;
  }
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  curl_slist* headers = nullptr;
  const std::vector<std::string> header_lines = {
      "Content-Type: application/json", "User-Agent: salesops-notification/1",
      "Salesops-Event-Id: " + post.event_id, "Salesops-Event-Type: " + post.event_type,
      absl::StrCat("Salesops-Delivery-Attempt: ", post.attempt),
      absl::StrCat("Salesops-Timestamp: ", now),
      "Salesops-Signature: " + WebhookSignature(post.secret, now, post.body),
      // No "100-continue" round trip before the body.
      "Expect:"};
  for (const std::string& header : header_lines) {
    headers = curl_slist_append(headers, header.c_str());
  }
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, post.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, post.body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post.body.size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(post.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<int64_t>(post.timeout.count(), 5000)));
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM, thread-safe
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, DiscardBody);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  // Straight to the receiver: a proxy from the environment would be the address connected to.
  curl_easy_setopt(curl, CURLOPT_PROXY, "");
  ConnectGuard guard{post.addresses, ""};
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, OpenCheckedSocket);
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &guard);

  const auto started = std::chrono::steady_clock::now();
  CURLcode result = curl_easy_perform(curl);
  answer.latency = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  if (result == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    answer.http_status = static_cast<int>(status);
    if (!answer.ok()) answer.error = absl::StrCat("HTTP ", status);
  } else if (!guard.refusal.empty()) {
    answer.error = "refused: " + guard.refusal;
  } else {
    answer.error = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(result);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return answer;
}

}  // namespace salesops::notification
