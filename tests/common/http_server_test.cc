#include "services/common/http_server.h"

#include <absl/strings/ascii.h>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace salesops::common {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kPolicy[] =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
    "frame-ancestors 'none'";

struct Reply {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

struct Call {
  std::string method = "GET";
  std::string path = "/";
  std::string body;
  std::string user_agent = "salesops-test/1.0";
  std::vector<std::string> headers;
};

Call Request(std::string method, std::string path, std::string body = "",
             std::vector<std::string> headers = {}) {
  Call call;
  call.method = std::move(method);
  call.path = std::move(path);
  call.body = std::move(body);
  call.headers = std::move(headers);
  return call;
}

Call FromUserAgent(std::string user_agent) {
  Call call;
  call.user_agent = std::move(user_agent);
  return call;
}

size_t AppendBody(char* data, size_t size, size_t count, void* reply) {
  static_cast<Reply*>(reply)->body.append(data, size * count);
  return size * count;
}

size_t AppendHeader(char* data, size_t size, size_t count, void* reply) {
  absl::string_view line(data, size * count);
  const size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    static_cast<Reply*>(reply)->headers[absl::AsciiStrToLower(line.substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return size * count;
}

// One request over loopback with libcurl, as a browser would send it.
Reply Fetch(int port, const Call& call) {
  Reply reply;
  CURL* curl = curl_easy_init();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + call.path;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, call.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &AppendHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &reply);
  if (call.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, call.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(call.body.size()));
  } else if (call.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (call.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, call.method.c_str());
    if (!call.body.empty()) {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, call.body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(call.body.size()));
    }
  }
  // No "Expect: 100-continue" wait unless a test asks for chunking.
  curl_slist* headers = curl_slist_append(nullptr, "Expect:");
  for (const std::string& header : call.headers)
    headers = curl_slist_append(headers, header.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  const CURLcode result = curl_easy_perform(curl);
  EXPECT_EQ(result, CURLE_OK) << curl_easy_strerror(result);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return reply;
}

// A handler that records what reached it.
class Recorder {
 public:
  HttpHandler Handler(HttpResponse response = {}) {
    return [this, response](const HttpRequest& request) {
      std::lock_guard<std::mutex> lock(mutex_);
      requests_.push_back(request);
      return response;
    };
  }
  std::vector<HttpRequest> requests() {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }

 private:
  std::mutex mutex_;
  std::vector<HttpRequest> requests_;
};

std::unique_ptr<HttpServer> StartOrDie(HttpHandler handler, HttpServerOptions options = {}) {
  absl::StatusOr<std::unique_ptr<HttpServer>> server =
      HttpServer::Start("127.0.0.1:0", std::move(handler), options);
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? *std::move(server) : nullptr;
}

void ExpectSecurityHeaders(const Reply& reply) {
  EXPECT_EQ(reply.headers.count("content-security-policy"), 1u) << reply.status;
  if (reply.headers.count("content-security-policy") == 0) return;
  EXPECT_EQ(reply.headers.at("content-security-policy"), kPolicy);
  EXPECT_EQ(reply.headers.count("x-content-type-options")
                ? reply.headers.at("x-content-type-options")
                : "",
            "nosniff");
  EXPECT_EQ(reply.headers.count("referrer-policy") ? reply.headers.at("referrer-policy") : "",
            "no-referrer");
  EXPECT_THAT(reply.headers.count("cache-control") ? reply.headers.at("cache-control") : "",
              HasSubstr("no-store"));
}

TEST(HttpServerTest, GetReachesTheHandlerWithTheRawPathAndTheClient) {
  Recorder recorder;
  HttpResponse page;
  page.body = "<p>quote</p>";
  page.headers.emplace_back("Content-Disposition", "inline");
  auto server = StartOrDie(recorder.Handler(page));
  ASSERT_NE(server, nullptr);
  EXPECT_GT(server->port(), 0);

  const Reply reply = Fetch(server->port(), Request("GET", "/q/abc.123.s%2Fg?utm=1"));
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "<p>quote</p>");
  EXPECT_EQ(reply.headers.at("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(reply.headers.at("content-disposition"), "inline");
  ExpectSecurityHeaders(reply);

  const std::vector<HttpRequest> requests = recorder.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  // Still encoded and without the query: the token is checked as the client holds it.
  EXPECT_EQ(requests[0].path, "/q/abc.123.s%2Fg");
  EXPECT_EQ(requests[0].remote_address, "127.0.0.1");
  EXPECT_EQ(requests[0].user_agent, "salesops-test/1.0");
  EXPECT_THAT(requests[0].body, IsEmpty());
}

TEST(HttpServerTest, PostReachesTheHandlerWithItsBody) {
  Recorder recorder;
  auto server = StartOrDie(recorder.Handler());
  ASSERT_NE(server, nullptr);

  const Reply reply =
      Fetch(server->port(), Request("POST", "/q/abc/accept", "name=J%C3%BCrgen+Schmidt",
                                    {"Content-Type: application/x-www-form-urlencoded"}));
  EXPECT_EQ(reply.status, 200);
  ExpectSecurityHeaders(reply);
  const std::vector<HttpRequest> requests = recorder.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].path, "/q/abc/accept");
  EXPECT_EQ(requests[0].body, "name=J%C3%BCrgen+Schmidt");
  EXPECT_EQ(requests[0].content_type, "application/x-www-form-urlencoded");
}

TEST(HttpServerTest, ChunkedPostWithinTheLimitIsRead) {
  Recorder recorder;
  auto server = StartOrDie(recorder.Handler());
  ASSERT_NE(server, nullptr);
  const Reply reply =
      Fetch(server->port(), Request("POST", "/a", "name=Ann", {"Transfer-Encoding: chunked"}));
  EXPECT_EQ(reply.status, 200);
  ASSERT_EQ(recorder.requests().size(), 1u);
  EXPECT_EQ(recorder.requests()[0].body, "name=Ann");
}

TEST(HttpServerTest, HeadGetsTheHeadersWithoutTheBody) {
  Recorder recorder;
  HttpResponse page;
  page.body = "twelve bytes";
  auto server = StartOrDie(recorder.Handler(page));
  ASSERT_NE(server, nullptr);
  const Reply reply = Fetch(server->port(), Request("HEAD", "/q/x"));
  EXPECT_EQ(reply.status, 200);
  EXPECT_THAT(reply.body, IsEmpty());
  EXPECT_EQ(reply.headers.at("content-length"), "12");
  ExpectSecurityHeaders(reply);
  ASSERT_EQ(recorder.requests().size(), 1u);
  EXPECT_EQ(recorder.requests()[0].method, "HEAD");
}

TEST(HttpServerTest, UserAgentIsCutToOneLineOfUtf8) {
  Recorder recorder;
  auto server = StartOrDie(recorder.Handler());
  ASSERT_NE(server, nullptr);
  // civetweb itself refuses a header with a control character, before the handler.
  const Reply refused = Fetch(server->port(), FromUserAgent("evil\x01\x1b[31mred"));
  EXPECT_EQ(refused.status, 400);
  ExpectSecurityHeaders(refused);
  EXPECT_THAT(recorder.requests(), IsEmpty());

  EXPECT_EQ(Fetch(server->port(), FromUserAgent("Mozilla \xff\xfe")).status, 200);
  EXPECT_EQ(Fetch(server->port(), FromUserAgent(std::string(2000, 'a'))).status, 200);
  const std::vector<HttpRequest> requests = recorder.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].user_agent, "Mozilla \uFFFD\uFFFD");  // stored as proto text: UTF-8
  EXPECT_LE(requests[1].user_agent.size(), 500u);
  EXPECT_GE(requests[1].user_agent.size(), 490u);
}

TEST(HttpServerTest, OversizeBodyIs413AndNeverReachesTheHandler) {
  Recorder recorder;
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  auto server = StartOrDie(recorder.Handler(), options);
  ASSERT_NE(server, nullptr);

  const Reply declared = Fetch(server->port(), Request("POST", "/a", std::string(1025, 'x')));
  EXPECT_EQ(declared.status, 413);
  ExpectSecurityHeaders(declared);
  const Reply chunked = Fetch(server->port(), Request("POST", "/a", std::string(5000, 'x'),
                                                      {"Transfer-Encoding: chunked"}));
  EXPECT_EQ(chunked.status, 413);
  EXPECT_THAT(recorder.requests(), IsEmpty());

  const Reply at_limit = Fetch(server->port(), Request("POST", "/a", std::string(1024, 'x')));
  EXPECT_EQ(at_limit.status, 200);
  EXPECT_EQ(recorder.requests().size(), 1u);
}

TEST(HttpServerTest, OtherMethodsAre405) {
  Recorder recorder;
  auto server = StartOrDie(recorder.Handler());
  ASSERT_NE(server, nullptr);
  for (const char* method : {"PUT", "DELETE", "OPTIONS", "PATCH"}) {
    const Reply reply = Fetch(server->port(), Request(method, "/q/x", "x=1"));
    EXPECT_EQ(reply.status, 405) << method;
    EXPECT_EQ(reply.headers.count("allow") ? reply.headers.at("allow") : "", "GET, HEAD, POST")
        << method;
    ExpectSecurityHeaders(reply);
  }
  EXPECT_THAT(recorder.requests(), IsEmpty());
}

TEST(HttpServerTest, CivetwebsOwnRefusalsCarryTheSecurityHeadersToo) {
  Recorder recorder;
  auto server = StartOrDie(recorder.Handler());
  ASSERT_NE(server, nullptr);
  const Reply reply = Fetch(server->port(), Request("BREW", "/q/x"));
  EXPECT_EQ(reply.status, 400);
  ExpectSecurityHeaders(reply);
  EXPECT_THAT(recorder.requests(), IsEmpty());
}

TEST(HttpServerTest, AThrowingHandlerIs500AndTheServerKeepsServing) {
  std::atomic<int> calls{0};
  auto server = StartOrDie([&calls](const HttpRequest&) -> HttpResponse {
    if (calls++ == 0) throw std::runtime_error("token abc.123.sig is broken");
    return {};
  });
  ASSERT_NE(server, nullptr);
  const Reply failed = Fetch(server->port(), Request("GET", "/q/abc.123.sig"));
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(failed.headers.at("content-type"), "text/plain; charset=utf-8");
  EXPECT_THAT(failed.body, ::testing::Not(HasSubstr("abc")));
  ExpectSecurityHeaders(failed);
  EXPECT_EQ(Fetch(server->port(), Request("GET", "/q/abc.123.sig")).status, 200);
  EXPECT_EQ(calls.load(), 2);
}

TEST(HttpServerTest, AHeaderThatWouldSplitTheResponseIsNeverSent) {
  HttpResponse injected;
  injected.headers.emplace_back("Content-Disposition", "inline\r\nSet-Cookie: stolen=1");
  auto server = StartOrDie([&injected](const HttpRequest&) { return injected; });
  ASSERT_NE(server, nullptr);
  Reply reply = Fetch(server->port(), {});
  EXPECT_EQ(reply.status, 500);
  EXPECT_EQ(reply.headers.count("set-cookie"), 0u);

  injected.headers = {{"Bad Name", "x"}};
  EXPECT_EQ(Fetch(server->port(), {}).status, 500);
  injected.headers = {{"Content-Security-Policy", "default-src *"}};
  reply = Fetch(server->port(), {});
  EXPECT_EQ(reply.status, 500);
  ExpectSecurityHeaders(reply);
  injected.headers = {};
  injected.content_type = "text/html\nX-Evil: 1";
  EXPECT_EQ(Fetch(server->port(), {}).status, 500);
}

TEST(HttpServerTest, StoppingWaitsForTheRequestInFlight) {
  std::promise<void> entered;
  auto server = StartOrDie([&entered](const HttpRequest&) {
    entered.set_value();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    HttpResponse response;
    response.body = "done";
    return response;
  });
  ASSERT_NE(server, nullptr);
  const int port = server->port();
  std::future<Reply> reply = std::async(std::launch::async, [port] { return Fetch(port, {}); });
  entered.get_future().wait();
  server.reset();
  const Reply finished = reply.get();
  EXPECT_EQ(finished.status, 200);
  EXPECT_EQ(finished.body, "done");
}

// A client that stops sending mid-body holds its thread for the request timeout, no longer.
TEST(HttpServerTest, ASlowClientIsCutOffAfterTheRequestTimeout) {
  Recorder recorder;
  HttpServerOptions options;
  options.request_timeout_ms = 300;
  auto server = StartOrDie(recorder.Handler(), options);
  ASSERT_NE(server, nullptr);
  const int sock = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(sock, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(server->port()));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(sock, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  const std::string partial = "POST /q/x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nname=";
  ASSERT_EQ(send(sock, partial.data(), partial.size(), 0), static_cast<ssize_t>(partial.size()));
  timeval wait{};
  wait.tv_sec = 10;
  setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
  const auto started = std::chrono::steady_clock::now();
  char buffer[512];
  const ssize_t got = recv(sock, buffer, sizeof(buffer), 0);
  const auto took = std::chrono::steady_clock::now() - started;
  close(sock);
  EXPECT_LT(took, std::chrono::seconds(5));
  ASSERT_GT(got, 0);
  EXPECT_THAT(std::string(buffer, static_cast<size_t>(got)), HasSubstr(" 400 "));
  EXPECT_THAT(recorder.requests(), IsEmpty());
}

TEST(HttpServerTest, APortInUseOrABadAddressIsAnError) {
  Recorder recorder;
  auto first = StartOrDie(recorder.Handler());
  ASSERT_NE(first, nullptr);
  const absl::StatusOr<std::unique_ptr<HttpServer>> second =
      HttpServer::Start("127.0.0.1:" + std::to_string(first->port()), recorder.Handler());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable) << second.status();

  for (const char* address :
       {"", "8080", "127.0.0.1:80s", "127.0.0.1:1,127.0.0.1:2", "127.0.0.1:70000", ":8080"}) {
    EXPECT_EQ(HttpServer::Start(address, recorder.Handler()).status().code(),
              absl::StatusCode::kInvalidArgument)
        << address;
  }
  HttpServerOptions no_threads;
  no_threads.threads = 0;
  EXPECT_EQ(HttpServer::Start("127.0.0.1:0", recorder.Handler(), no_threads).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ParseFormTest, DecodesPlusPercentAndUtf8) {
  const absl::StatusOr<std::map<std::string, std::string>> form =
      ParseForm("name=J%C3%BCrgen+M%C3%BCller&note=a%20b&empty=&flag&&name=second");
  ASSERT_TRUE(form.ok()) << form.status();
  EXPECT_EQ(form->at("name"), "Jürgen Müller");  // the first of a repeated name
  EXPECT_EQ(form->at("note"), "a b");
  EXPECT_EQ(form->at("empty"), "");
  EXPECT_EQ(form->at("flag"), "");
  EXPECT_EQ(form->size(), 4u);
  EXPECT_EQ(ParseForm("a=1%2B1%3D2")->at("a"), "1+1=2");
  EXPECT_THAT(*ParseForm(""), IsEmpty());
}

TEST(ParseFormTest, ABadPercentEscapeIsAnError) {
  for (const char* body : {"name=%zz", "name=abc%", "name=%4", "na%ZZme=x", "a=1&b=%g0"}) {
    EXPECT_EQ(ParseForm(body).status().code(), absl::StatusCode::kInvalidArgument) << body;
  }
}

TEST(HtmlEscapeTest, EscapesEveryCharacterThatCouldOpenMarkup) {
  EXPECT_EQ(HtmlEscape("<>&\"'"), "&lt;&gt;&amp;&quot;&#39;");
  EXPECT_EQ(HtmlEscape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
  EXPECT_EQ(HtmlEscape("Müller & Söhne"), "Müller &amp; Söhne");
}

}  // namespace
}  // namespace salesops::common
