#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include "cli/client_settings.h"
#include "cli/exit_codes.h"
#include "cli/output.h"

namespace salesops::cli {

// Which service a generated stub talks to: specialised next to each service's stub, in
// cli/<service>_stub.h, so a command file compiles only the generated code it calls.
template <typename Stub>
struct EndpointOf;

// One run of salesopsctl: resolved settings, one channel per service (made on
// first use), and the only place that turns a failed call into words on stderr
// and an exit code.
class Session {
 public:
  // Fails (bad TLS files) before any call is made.
  static absl::StatusOr<std::unique_ptr<Session>> Create(ClientSettings settings);

  const ClientSettings& settings() const { return settings_; }
  bool json() const { return settings_.json; }
  std::string AddressOf(Endpoint endpoint) const { return settings_.addresses.at(endpoint); }
  std::shared_ptr<grpc::Channel> ChannelTo(Endpoint endpoint);
  // For channels to addresses given on the command line (health, call --address).
  const std::shared_ptr<grpc::ChannelCredentials>& credentials() const { return credentials_; }

  // A context carrying the bearer token and the deadline (none when `streaming`).
  std::unique_ptr<grpc::ClientContext> NewContext(bool streaming = false) const;

  // Calls a unary RPC; the status is the caller's to judge (e.g. ALREADY_EXISTS
  // while loading data that may be there).
  template <typename Stub, typename Request, typename Response>
  grpc::Status Invoke(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                      const Request& request, Response* response) {
    Stub stub(ChannelTo(EndpointOf<Stub>::kValue));
    std::unique_ptr<grpc::ClientContext> context = NewContext();
    return (stub.*method)(context.get(), request, response);
  }

  // Calls a unary RPC and, when it fails, reports why and returns the exit code.
  template <typename Stub, typename Request, typename Response>
  ExitCode Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                const Request& request, Response* response) {
    grpc::Status status = Invoke(method, request, response);
    return status.ok() ? kExitOk : ReportError(status, EndpointOf<Stub>::kValue);
  }

  // Follows next_page_token until the last page and returns every page merged
  // into one response (the repeated fields concatenated), as if unpaged.
  template <typename Stub, typename Request, typename Response>
  ExitCode CallAllPages(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                     Response*),
                        Request request, Response* all) {
    if (request.page_size() == 0) request.set_page_size(1000);
    while (true) {
      Response page;
      if (ExitCode code = Call(method, request, &page); code != kExitOk) return code;
      std::string next = page.next_page_token();
      all->MergeFrom(page);
      if (next.empty()) break;
      request.set_page_token(next);
    }
    all->clear_next_page_token();
    return kExitOk;
  }

  // Prints the status's message, reason, each field violation and a hint for
  // the usual causes (unreachable address, missing token), and maps it to an
  // exit code.
  // With --json the same error is also printed on stdout as {"error": {...}} (code, message,
  // reason, fieldViolations, metadata, details), so a script reads it like any answer.
  ExitCode ReportError(const grpc::Status& status, Endpoint endpoint) const;

  // Which flag sets a request field, so a field violation names what the person typed:
  // "customer.name" -> "--customer". Keys are field paths without the request's first field
  // ("order.", "draft.") and without list indexes.
  void SetFieldFlags(std::map<std::string, std::string> field_flags) {
    field_flags_ = std::move(field_flags);
  }

 private:
  explicit Session(ClientSettings settings, std::shared_ptr<grpc::ChannelCredentials> credentials);

  ClientSettings settings_;
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::map<Endpoint, std::shared_ptr<grpc::Channel>> channels_;
  std::map<std::string, std::string> field_flags_;

  std::string FlagOf(const std::string& field) const;
};

// A local problem (a bad flag value, an unreadable file): printed the same way
// as a server's answer, exit 2.
ExitCode ReportBadInput(const std::string& message);

// Prints a successful answer: the JSON mapping with --json, else the people's words; exit 0.
template <typename Response>
ExitCode PrintAnswer(const Session& session, const Response& response,
                     const std::function<void()>& print_for_people) {
  if (session.json()) {
    PrintJson(response);
  } else {
    print_for_people();
  }
  return kExitOk;
}

}  // namespace salesops::cli
