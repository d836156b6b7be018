#pragma once

// A small HTTP/1.1 server for the few pages a browser opens (online quote acceptance), on
// civetweb. Hardened for a URL that holds a secret and a client nobody authenticated: every
// response forbids framing, sniffing, caching and referrers; only GET, HEAD and POST reach the
// handler; bodies are bounded before they are read; nothing of a request is ever logged (its
// path holds the link's token). No files are served and nothing is listed: the handler is the
// only thing that answers.
#include <absl/status/statusor.h>

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct mg_connection;
struct mg_context;

namespace salesops::common {

struct HttpRequest {
  std::string method;  // "GET", "HEAD", "POST"
  // The path exactly as the request sent it, still percent-encoded and without the query:
  // "/q/abc.123.sig". A signature is checked over the bytes the client holds, not a decoding.
  std::string path;
  std::string remote_address;  // the peer's IP as text (no proxy header is believed)
  // At most 500 bytes of one line of UTF-8 (common::OneLine): fit to be stored as it is.
  std::string user_agent;
  std::string content_type;  // likewise, at most 200 bytes
  // At most HttpServerOptions::max_body_bytes: a larger request is answered 413 unread.
  std::string body;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/html; charset=utf-8";
  std::string body;
  // Extra headers, e.g. Content-Disposition. A name must be an HTTP token and a value must hold
  // no control character, and neither may replace a header the server sets itself (the security
  // headers, Content-Type, Content-Length, Connection, Date): a response that breaks this is
  // not sent, the client gets 500 instead.
  std::vector<std::pair<std::string, std::string>> headers;
};

// Runs on one of the server's threads, several at once: it must be thread-safe. An exception
// it throws becomes a plain 500; the server keeps serving.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerOptions {
  // Requests served at once; further connections wait in the listen queue.
  int threads = 4;
  // How long a client may take to send its request (a slow client cannot hold a thread).
  int request_timeout_ms = 10000;
  size_t max_body_bytes = 16384;
};

class HttpServer {
 public:
  // Listens on "host:port" ("127.0.0.1:0": port 0 picks a free port, port() tells which).
  // INVALID_ARGUMENT for an address or options it cannot use, UNAVAILABLE when it cannot bind.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const std::string& address,
                                                           HttpHandler handler,
                                                           HttpServerOptions options = {});
  // Waits for the requests in flight to finish (at most 30 s; later ones are answered 503
  // meanwhile), then stops. Stopping itself takes up to 2 s: civetweb's poll interval.
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }

 private:
  HttpServer(HttpHandler handler, HttpServerOptions options);
  static int BeginRequest(mg_connection* connection);
  // Answers one request; returns the status sent.
  int Serve(mg_connection* connection) const;

  const HttpHandler handler_;
  const HttpServerOptions options_;
  mg_context* context_ = nullptr;
  int port_ = 0;
  // civetweb writes nothing more once mg_stop begins, so the destructor first lets the requests
  // in flight finish: it sets stopping_ and waits for in_flight_ to reach 0.
  std::mutex mutex_;
  std::condition_variable idle_;
  int in_flight_ = 0;      // guarded by mutex_
  bool stopping_ = false;  // guarded by mutex_
};

// The fields of an application/x-www-form-urlencoded body ('+' is a space, %XX a byte); the
// first value wins when a name repeats. INVALID_ARGUMENT for a malformed percent-escape. The
// values are the client's bytes, not checked for UTF-8: validate them before use.
absl::StatusOr<std::map<std::string, std::string>> ParseForm(std::string_view body);

// `text` safe inside HTML text and quoted attribute values: & < > " ' escaped.
std::string HtmlEscape(std::string_view text);

}  // namespace salesops::common
