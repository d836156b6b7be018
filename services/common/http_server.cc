#include "services/common/http_server.h"

#include <absl/strings/ascii.h>
#include <absl/strings/match.h>
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <absl/strings/str_split.h>
#include <civetweb.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>

#include "services/common/log.h"
#include "services/common/validation.h"

namespace salesops::common {
namespace {

// This Abseil's string_view is its own type, not std::string_view.
absl::string_view AbslView(std::string_view view) { return {view.data(), view.size()}; }

constexpr absl::string_view kContentSecurityPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
    "frame-ancestors 'none'";

// On every response the handler makes. The page's URL holds the link's secret: no referrer may
// carry it elsewhere, no cache may keep the page, no other site may frame it.
constexpr std::array<std::pair<absl::string_view, absl::string_view>, 4> kSecurityHeaders = {{
    {"Content-Security-Policy", kContentSecurityPolicy},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"Cache-Control", "no-store"},
}};

// Headers only the server writes: a handler that sets one would weaken or contradict them.
constexpr std::array<absl::string_view, 9> kServerHeaders = {"Content-Security-Policy",
                                                             "X-Content-Type-Options",
                                                             "Referrer-Policy",
                                                             "Cache-Control",
                                                             "Content-Type",
                                                             "Content-Length",
                                                             "Connection",
                                                             "Date",
                                                             "Transfer-Encoding"};

constexpr size_t kMaxUserAgentBytes = 500;
constexpr size_t kMaxContentTypeBytes = 200;
constexpr size_t kMaxHandlerHeaders = 32;
constexpr int kMaxThreads = 256;
constexpr std::chrono::seconds kDrainTimeout{30};

// Collects civetweb's messages while Start runs on this thread, so a failed bind says why.
thread_local std::string* startup_messages = nullptr;

// Never civetweb's own log: its messages can quote a request's path, which holds the token.
int OnCivetwebMessage(const mg_connection* /*connection*/, const char* message) {
  if (startup_messages != nullptr && message != nullptr) {
    absl::StrAppend(startup_messages, startup_messages->empty() ? "" : "; ", message);
  }
  return 1;
}

// mg_init_library is not thread-safe and counts its calls; once per process is what it needs.
void InitCivetweb() {
  static const bool initialized = [] { return mg_init_library(0) != 0; }();
  (void)initialized;
}

bool IsTokenChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsHeaderName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

// No control character at all (CR and LF would split the header into a second one).
bool IsHeaderValue(std::string_view value) {
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return false;
  }
  return true;
}

bool IsServerHeader(std::string_view name) {
  for (absl::string_view reserved : kServerHeaders) {
    if (absl::EqualsIgnoreCase(AbslView(name), reserved)) return true;
  }
  return false;
}

// Why `response` cannot be sent as it is; empty when it can.
std::string ResponseProblem(const HttpResponse& response) {
  if (response.status < 200 || response.status > 599) return "status out of range";
  if (!IsHeaderValue(response.content_type)) return "content type with a control character";
  if (response.headers.size() > kMaxHandlerHeaders) return "too many headers";
  for (const auto& [name, value] : response.headers) {
    if (!IsHeaderName(name)) return "header name that is not an HTTP token";
    if (!IsHeaderValue(value)) return "header value with a control character";
    if (IsServerHeader(name)) return "header the server sets itself";
  }
  return "";
}

HttpResponse PlainResponse(int status, std::string body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.body = std::move(body);
  return response;
}

// Sends a response already checked by ResponseProblem; HEAD gets GET's headers and no body.
// Returns the status, which civetweb keeps for its bookkeeping.
int Send(mg_connection* connection, const HttpResponse& response, bool head) {
  mg_response_header_start(connection, response.status);
  mg_response_header_add(connection, "Content-Type", response.content_type.c_str(), -1);
  const std::string length = absl::StrCat(response.body.size());
  mg_response_header_add(connection, "Content-Length", length.c_str(), -1);
  for (const auto& [name, value] : kSecurityHeaders) {
    mg_response_header_add(connection, std::string(name).c_str(), value.data(),
                           static_cast<int>(value.size()));
  }
  for (const auto& [name, value] : response.headers) {
    mg_response_header_add(connection, name.c_str(), value.data(), static_cast<int>(value.size()));
  }
  mg_response_header_send(connection);
  if (!head && !response.body.empty()) {
    mg_write(connection, response.body.data(), response.body.size());
  }
  return response.status;
}

std::string HeaderOf(mg_connection* connection, const char* name, size_t max_bytes) {
  const char* value = mg_get_header(connection, name);
  return value == nullptr ? "" : OneLine(value, max_bytes);
}

// A body the client declared chunked: only then may a request without Content-Length have one.
bool IsChunked(mg_connection* connection) {
  const char* encoding = mg_get_header(connection, "Transfer-Encoding");
  return encoding != nullptr && absl::StrContains(absl::AsciiStrToLower(encoding), "chunked");
}

// "host:port" with a port of 0-65535, and nothing civetweb would read as more (a list of ports,
// an "s" for TLS, an "r" for a redirect).
bool IsListenAddress(std::string_view address) {
  const size_t colon = address.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  const std::string_view host = address.substr(0, colon);
  const std::string_view port = address.substr(colon + 1);
  for (char c : host) {
    if (c == ',' || absl::ascii_isspace(static_cast<unsigned char>(c))) return false;
  }
  uint32_t number = 0;
  return !port.empty() && port.size() <= 5 &&
         std::all_of(port.begin(), port.end(),
                     [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); }) &&
         absl::SimpleAtoi(AbslView(port), &number) && number <= 65535;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  return absl::ascii_tolower(static_cast<unsigned char>(c)) - 'a' + 10;
}

absl::StatusOr<std::string> FormDecode(absl::string_view encoded) {
  std::string decoded;
  decoded.reserve(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    const char c = encoded[i];
    if (c == '+') {
      decoded.push_back(' ');
    } else if (c != '%') {
      decoded.push_back(c);
    } else if (i + 2 < encoded.size() && absl::ascii_isxdigit(encoded[i + 1]) &&
               absl::ascii_isxdigit(encoded[i + 2])) {
      decoded.push_back(
          static_cast<char>(HexValue(encoded[i + 1]) * 16 + HexValue(encoded[i + 2])));
      i += 2;
    } else {
      // The text is not echoed: it is a client's, and may be anything.
      return absl::InvalidArgumentError(
          "the form is malformed: a '%' must be followed by two hexadecimal digits");
    }
  }
  return decoded;
}

}  // namespace

HttpServer::HttpServer(HttpHandler handler, HttpServerOptions options)
    : handler_(std::move(handler)), options_(options) {}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const std::string& address,
                                                              HttpHandler handler,
                                                              HttpServerOptions options) {
  if (!IsListenAddress(address)) {
    return absl::InvalidArgumentError(
        absl::StrCat("the HTTP address must be host:port, e.g. 127.0.0.1:8080, not '",
                     OneLine(address, 100), "'"));
  }
  if (options.threads < 1 || options.threads > kMaxThreads || options.request_timeout_ms < 1 ||
      options.max_body_bytes < 1) {
    return absl::InvalidArgumentError(absl::StrCat("HTTP server options out of range: threads 1-",
                                                   kMaxThreads,
                                                   ", a positive request timeout and body limit"));
  }
  if (!handler) return absl::InvalidArgumentError("the HTTP server needs a handler");
  InitCivetweb();

  std::unique_ptr<HttpServer> server(new HttpServer(std::move(handler), options));
  const std::string threads = absl::StrCat(options.threads);
  const std::string timeout = absl::StrCat(options.request_timeout_ms);
  // civetweb's own answers (400 for a malformed request, 431 for huge headers) carry the
  // security headers too; their Cache-Control is civetweb's no-store already.
  std::vector<std::string> own_headers;
  for (const auto& [name, value] : kSecurityHeaders) {
    if (name != "Cache-Control") own_headers.push_back(absl::StrCat(name, ": ", value));
  }
  const std::string additional_header = absl::StrJoin(own_headers, "\r\n");
  // clang-format off
  const char* configuration[] = {
      "listening_ports", address.c_str(),
      "num_threads", threads.c_str(),
      "request_timeout_ms", timeout.c_str(),
      // The handler sees the path as the client sent it (a signed token is compared byte for
      // byte); otherwise civetweb decodes even local_uri_raw.
      "decode_url", "no",
      "enable_directory_listing", "no",
      "enable_keep_alive", "no",
      "additional_header", additional_header.c_str(),
      nullptr};
  // clang-format on
  mg_callbacks callbacks{};
  callbacks.begin_request = &HttpServer::BeginRequest;
  callbacks.log_message = &OnCivetwebMessage;
  mg_init_data init{&callbacks, server.get(), configuration};
  unsigned error_code = 0;
  char error_text[256] = "";
  mg_error_data error{&error_code, error_text, sizeof(error_text)};

  std::string messages;
  startup_messages = &messages;
  server->context_ = mg_start2(&init, &error);
  startup_messages = nullptr;
  if (server->context_ == nullptr) {
    return absl::UnavailableError(absl::StrCat("cannot serve HTTP on ", address, ": ",
                                               messages.empty() ? error_text : messages));
  }
  mg_server_port ports[1] = {};
  if (mg_get_server_ports(server->context_, 1, ports) < 1) {
    return absl::InternalError(absl::StrCat("HTTP on ", address, " listens on no port"));
  }
  server->port_ = ports[0].port;
  return server;
}

HttpServer::~HttpServer() {
  if (context_ == nullptr) return;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    stopping_ = true;
    // A handler stuck past this is cut off by mg_stop: shutting down must end.
    idle_.wait_for(lock, kDrainTimeout, [this] { return in_flight_ == 0; });
  }
  mg_stop(context_);
}

int HttpServer::BeginRequest(mg_connection* connection) {
  const mg_request_info* info = mg_get_request_info(connection);
  auto* server = static_cast<HttpServer*>(info->user_data);
  bool admitted = false;
  {
    std::lock_guard<std::mutex> lock(server->mutex_);
    if (!server->stopping_) {
      admitted = true;
      ++server->in_flight_;
    }
  }
  int status = 500;
  try {
    status = admitted ? server->Serve(connection)
                      : Send(connection, PlainResponse(503, "Shutting down\n"),
                             std::string_view(info->request_method) == "HEAD");
  } catch (...) {
    // Only an allocation can fail here (the handler's own exceptions were caught): nothing
    // may unwind through civetweb's C frames. The connection closes without an answer.
  }
  if (admitted) {
    std::lock_guard<std::mutex> lock(server->mutex_);
    if (--server->in_flight_ == 0) server->idle_.notify_all();
  }
  return status;
}

int HttpServer::Serve(mg_connection* connection) const {
  const mg_request_info* info = mg_get_request_info(connection);
  HttpRequest request;
  request.method = info->request_method;
  const bool head = request.method == "HEAD";
  if (request.method != "GET" && !head && request.method != "POST") {
    HttpResponse refusal = PlainResponse(405, "Method not allowed\n");
    refusal.headers.emplace_back("Allow", "GET, HEAD, POST");
    return Send(connection, refusal, head);
  }
  if (info->local_uri_raw == nullptr) {
    // An absolute URI naming another host: nothing here answers for it.
    return Send(connection, PlainResponse(400, "Bad request\n"), head);
  }

  // The body is bounded before it is read: a declared length over the limit is refused unread,
  // a chunked one as soon as it passes the limit.
  const long long declared = info->content_length;  // -1: none declared
  if (declared > static_cast<long long>(options_.max_body_bytes)) {
    return Send(connection, PlainResponse(413, "Request body too large\n"), head);
  }
  if (declared >= 0 || IsChunked(connection)) {
    char buffer[4096];
    while (true) {
      const int got = mg_read(connection, buffer, sizeof(buffer));
      if (got < 0) return Send(connection, PlainResponse(400, "Incomplete request body\n"), head);
      if (got == 0) break;
      request.body.append(buffer, static_cast<size_t>(got));
      if (request.body.size() > options_.max_body_bytes) {
        return Send(connection, PlainResponse(413, "Request body too large\n"), head);
      }
    }
    if (declared >= 0 && request.body.size() != static_cast<size_t>(declared)) {
      return Send(connection, PlainResponse(400, "Incomplete request body\n"), head);
    }
  } else if (request.method == "POST") {
    // Without a length civetweb would read until the client closes: a thread held for nothing.
    return Send(connection, PlainResponse(411, "Length required\n"), head);
  }

  request.path = info->local_uri_raw;
  request.remote_address = info->remote_addr;
  request.user_agent = HeaderOf(connection, "User-Agent", kMaxUserAgentBytes);
  request.content_type = HeaderOf(connection, "Content-Type", kMaxContentTypeBytes);

  HttpResponse response;
  try {
    response = handler_(request);
  } catch (...) {
    // Neither the path nor the exception's text is logged: either can hold the link's token.
    LogError("http_handler_threw", {{"method", request.method}});
    return Send(connection, PlainResponse(500, "Internal server error\n"), head);
  }
  if (std::string problem = ResponseProblem(response); !problem.empty()) {
    LogError("http_response_refused", {{"method", request.method}, {"problem", problem}});
    return Send(connection, PlainResponse(500, "Internal server error\n"), head);
  }
  return Send(connection, response, head);
}

absl::StatusOr<std::map<std::string, std::string>> ParseForm(std::string_view body) {
  std::map<std::string, std::string> fields;
  for (absl::string_view pair : absl::StrSplit(AbslView(body), '&')) {
    if (pair.empty()) continue;
    const size_t equals = pair.find('=');
    absl::StatusOr<std::string> name = FormDecode(pair.substr(0, equals));
    if (!name.ok()) return name.status();
    absl::StatusOr<std::string> value =
        FormDecode(equals == absl::string_view::npos ? "" : pair.substr(equals + 1));
    if (!value.ok()) return value.status();
    fields.emplace(*std::move(name), *std::move(value));  // keeps the first of a repeated name
  }
  return fields;
}

std::string HtmlEscape(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      case '\'':
        escaped += "&#39;";
        break;
      default:
        escaped.push_back(c);
    }
  }
  return escaped;
}

}  // namespace salesops::common
