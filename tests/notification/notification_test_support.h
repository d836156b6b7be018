#pragma once

#include <arpa/inet.h>
#include <google/protobuf/util/time_util.h>
#include <grpcpp/server_builder.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "salesops/v1/notification.grpc.pb.h"
#include "services/common/errors.h"
#include "services/common/time_util.h"
#include "tests/support/service_fixture.h"

namespace salesops::testing {

inline std::string NewEventId() {
  unsigned char bytes[16];
  RAND_bytes(bytes, sizeof(bytes));
  char text[40];
  snprintf(text, sizeof(text),
           "%02x%02x%02x%02x-%02x%02x-4%01x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
           bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6] & 0xF, bytes[7],
           (bytes[8] & 0x3F) | 0x80, bytes[9], bytes[10], bytes[11], bytes[12], bytes[13],
           bytes[14], bytes[15]);
  return text;
}

// An event as a source service would publish it.
inline v1::Event MakeEvent(v1::EventType type, const std::string& order_id = "",
                           const std::string& summary = "") {
  v1::Event event;
  event.set_event_id(NewEventId());
  event.set_type(type);
  event.set_order_id(order_id);
  event.set_order_revision(order_id.empty() ? 0 : 1);
  *event.mutable_occur_time() = common::NowTimestamp();
  event.set_source_service("svc-1");  // the test token's own identity
  event.mutable_actor()->set_id("svc-1");
  event.mutable_actor()->set_role(v1::ROLE_SERVICE);
  event.set_summary(summary);
  return event;
}

// Polls `condition` every 50 ms until it holds or `timeout` passes.
inline bool Eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

// A tiny HTTP/1.1 server on 127.0.0.1 standing in for a webhook receiver: it
// records each request and answers with the next scripted status (the last
// one repeats), optionally after a delay.
class HttpReceiver {
 public:
  struct Request {
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
  };

  explicit HttpReceiver(std::vector<int> statuses, std::chrono::milliseconds delay = {})
      : statuses_(std::move(statuses)), delay_(delay) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    int yes = 1;
    setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    socklen_t length = sizeof(address);
    getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    listen(listener_, 64);
    thread_ = std::thread([this] { Serve(); });
  }

  ~HttpReceiver() {
    stopping_ = true;
    shutdown(listener_, SHUT_RDWR);
    close(listener_);
    thread_.join();
    for (std::thread& handler : handlers_) handler.join();
  }

  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  std::vector<Request> requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }

 private:
  void Serve() {
    while (!stopping_) {
      int connection = accept(listener_, nullptr, nullptr);
      if (connection < 0) continue;
      handlers_.emplace_back([this, connection] { Handle(connection); });
    }
  }

  void Handle(int connection) {
    std::string data;
    char buffer[4096];
    size_t header_end = std::string::npos;
    size_t content_length = 0;
    while (true) {
      ssize_t n = recv(connection, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      data.append(buffer, n);
      if (header_end == std::string::npos) {
        header_end = data.find("\r\n\r\n");
        if (header_end != std::string::npos) {
          Request parsed = ParseHeaders(data.substr(0, header_end));
          content_length = std::stoul(
              parsed.headers["content-length"].empty() ? "0" : parsed.headers["content-length"]);
        }
      }
      if (header_end != std::string::npos && data.size() >= header_end + 4 + content_length) {
        break;
      }
    }
    if (header_end == std::string::npos) {
      close(connection);
      return;
    }
    Request request = ParseHeaders(data.substr(0, header_end));
    request.body = data.substr(header_end + 4, content_length);
    int status;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      requests_.push_back(request);
      status = statuses_[std::min(requests_.size() - 1, statuses_.size() - 1)];
    }
    if (delay_.count() > 0) std::this_thread::sleep_for(delay_);
    std::string response = "HTTP/1.1 " + std::to_string(status) +
                           " Status\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
    send(connection, response.data(), response.size(), MSG_NOSIGNAL);
    close(connection);
  }

  static Request ParseHeaders(const std::string& head) {
    Request request;
    size_t start = head.find("\r\n");
    while (start != std::string::npos && start < head.size()) {
      size_t end = head.find("\r\n", start + 2);
      std::string line =
          head.substr(start + 2, end == std::string::npos ? std::string::npos : end - start - 2);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(c));
        size_t value_start = line.find_first_not_of(' ', colon + 1);
        request.headers[name] = value_start == std::string::npos ? "" : line.substr(value_start);
      }
      start = end;
    }
    return request;
  }

  std::vector<int> statuses_;
  std::chrono::milliseconds delay_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::vector<std::thread> handlers_;
  mutable std::mutex mutex_;
  std::vector<Request> requests_;
};

// A real gRPC EventSink (as order-intake hosts one) that records what it is
// given and answers with the scripted outcome.
class RecordingEventSink final : public v1::EventSink::Service {
 public:
  explicit RecordingEventSink(std::function<grpc::Status(int call)> answer = {})
      : answer_(std::move(answer)) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(this);
    server_ = builder.BuildAndStart();
  }
  ~RecordingEventSink() override { server_->Shutdown(); }

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::vector<v1::DeliverRequest> received() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return received_;
  }

  // The `authorization` header of each call received ("" when there was none).
  std::vector<std::string> authorizations() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return authorizations_;
  }

  grpc::Status Deliver(grpc::ServerContext* context, const v1::DeliverRequest* request,
                       v1::DeliverResponse*) override {
    int call;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      received_.push_back(*request);
      auto authorization = context->client_metadata().find("authorization");
      authorizations_.push_back(
          authorization == context->client_metadata().end()
              ? ""
              : std::string(authorization->second.data(), authorization->second.size()));
      call = static_cast<int>(received_.size());
    }
    return answer_ ? answer_(call) : grpc::Status::OK;
  }

 private:
  std::function<grpc::Status(int call)> answer_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  mutable std::mutex mutex_;
  std::vector<v1::DeliverRequest> received_;
  std::vector<std::string> authorizations_;
};

using NotificationFixture = ServiceFixture<v1::NotificationService>;

// Flags that make retries quick enough for a test, with webhooks allowed to reach the
// receivers the tests run on loopback (refused by default).
inline std::vector<std::string> QuickDeliveryArgs() {
  return {"--delivery-retry-base-ms", "50",          "--delivery-retry-max-ms", "200",
          "--delivery-max-attempts",  "4",           "--delivery-timeout-ms",   "2000",
          "--webhook-allow-cidrs",    "127.0.0.1/32"};
}

}  // namespace salesops::testing
