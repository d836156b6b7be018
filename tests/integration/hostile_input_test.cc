// The hostile-input sweep (issue 14, point 7): every RPC of every service in the protos,
// found by walking their descriptors, gets generated malformed requests (at least 20 each, most
// far more) over real gRPC, with all four services running as real processes on real
// PostgreSQL. No answer may be INTERNAL or UNKNOWN, no call may stall, no process may die,
// every service must still be SERVING afterwards, and an id with a NUL in it must never reach
// another record. SALESOPS_SWEEP_VERBOSE=1 prints every answer with the variant that got it.
#include <absl/strings/str_format.h>
#include <google/protobuf/descriptor.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/impl/codegen/rpc_method.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/sync_stream.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "salesops/v1/inventory.grpc.pb.h"
#include "salesops/v1/notification.grpc.pb.h"
#include "salesops/v1/order_intake.grpc.pb.h"
#include "salesops/v1/scheduling.grpc.pb.h"
#include "services/common/generic_call.h"
#include "services/common/metrics.h"
#include "services/common/time_util.h"
#include "services/inventory/inventory_definition.h"
#include "services/notification/notification_definition.h"
#include "services/order_intake/order_intake_definition.h"
#include "services/scheduling/scheduling_definition.h"
#include "tests/integration/hostile_requests.h"
#include "tests/support/test_support.h"

namespace salesops::testing {
namespace {

using Clock = std::chrono::steady_clock;
using google::protobuf::Descriptor;
using google::protobuf::MethodDescriptor;
using google::protobuf::ServiceDescriptor;

constexpr char kItem[] = "SWEEP-PANEL";
constexpr char kProduct[] = "SWEEP-WALL";
constexpr char kCrewMember[] = "sweep-vic";
constexpr char kVehicle[] = "SWEEP-TRUCK";
constexpr int kItemsOwned = 40;
constexpr int64_t kHour = 3600;
// Per call: a request may be refused or served, never left hanging.
constexpr auto kCallDeadline = std::chrono::seconds(10);
// A live stream legitimately stays open until its deadline; this one is short.
constexpr auto kStreamDeadline = std::chrono::milliseconds(500);
// The sweep gives up (and fails) past these, so that a badly broken build still finishes
// inside ctest's timeout.
constexpr size_t kMaxDeaths = 10;
constexpr size_t kMaxStalls = 8;
constexpr int kMaxStallsPerRpc = 2;
constexpr auto kSweepBudget = std::chrono::seconds(200);

// The four services as real processes, wired to each other as scripts/run wires them, each
// on a fixed port so that one can be restarted where the others expect it.
class WiredServices {
 public:
  struct Member {
    std::string name;  // the binary: inventory, scheduling, notification, order-intake
    int port = 0;
    std::shared_ptr<TestDatabase> database;
    std::vector<std::string> args;
    std::unique_ptr<ServiceProcess> process;
    std::string earlier_logs;  // of the runs before a restart
    std::shared_ptr<grpc::Channel> channel;

    std::string address() const { return "127.0.0.1:" + std::to_string(port); }
    std::string logs() const { return earlier_logs + (process ? process->log() : ""); }
  };

  WiredServices() {
    members_.reserve(4);
    for (const char* name : {"notification", "inventory", "scheduling", "order-intake"}) {
      Member member;
      member.name = name;
      member.port = FreeTcpPort();
      member.database = std::make_shared<TestDatabase>();
      member.channel = grpc::CreateChannel(member.address(), grpc::InsecureChannelCredentials());
      members_.push_back(std::move(member));
    }
    // Each service calls with its own token, whose identity is its name.
    auto relay = [&](const std::string& service) {
      return std::vector<std::string>{
          "--notification-address",          Get("notification").address(), "--service-token-file",
          tokens_.ServiceTokenFile(service), "--outbox-poll-interval-ms",   "20"};
    };
    SetArgs("notification",
            {"--order-intake-address", Get("order-intake").address(), "--service-token-file",
             tokens_.ServiceTokenFile("notification"), "--delivery-retry-base-ms", "100"});
    SetArgs("inventory", relay("inventory"));
    // Scheduling with its calendar feeds on, so that GetCalendarFeed and ResetCalendarFeed act
    // on what they are sent instead of refusing everything as not configured.
    const std::string calendar_key =
        (std::filesystem::temp_directory_path() /
         ("salesops-sweep-calendar-" + std::to_string(getpid()) + ".key"))
            .string();
    std::ofstream(calendar_key) << "sweep-calendar-key-0123456789abcdef0123456789abcdef\n";
    std::vector<std::string> scheduling = relay("scheduling");
    for (const std::string& arg : {std::string("--calendar-address"), std::string("127.0.0.1:0"),
                                   std::string("--calendar-key-file"), calendar_key}) {
      scheduling.push_back(arg);
    }
    SetArgs("scheduling", scheduling);
    std::vector<std::string> order_intake = relay("order-intake");
    for (const std::string& arg : {std::string("--inventory-address"), Get("inventory").address(),
                                   std::string("--scheduling-address"), Get("scheduling").address(),
                                   std::string("--dependency-timeout-ms"), std::string("3000")}) {
      order_intake.push_back(arg);
    }
    SetArgs("order-intake", order_intake);
  }

  // Starts all four at once (their migrations run in parallel) and waits until each serves.
  bool StartAll() {
    for (Member& member : members_) Launch(member);
    bool serving = true;
    for (Member& member : members_) serving = WaitUntilServing(member) && serving;
    return serving;
  }

  bool Restart(Member& member) {
    member.earlier_logs += member.process->log() + "\n(restarted by the test)\n";
    if (member.process->running()) member.process->Terminate(std::chrono::seconds(2));
    Launch(member);
    return WaitUntilServing(member);
  }

  Member& Get(const std::string& name) {
    for (Member& member : members_) {
      if (member.name == name) return member;
    }
    throw std::invalid_argument("no service " + name);
  }
  std::vector<Member>& members() { return members_; }
  const TestTokens& tokens() const { return tokens_; }

  std::string AllLogs() const {
    std::string logs;
    for (const Member& member : members_) logs += "--- " + member.name + "\n" + member.logs();
    return logs;
  }

 private:
  void SetArgs(const std::string& name, const std::vector<std::string>& extra) {
    Member& member = Get(name);
    member.args =
        ServiceArgs(member.database->url(), member.database->server().password_file, tokens_);
    member.args = WithArg(std::move(member.args), "--listen-address", member.address());
    for (size_t i = 0; i + 1 < extra.size(); i += 2) {
      member.args = WithArg(std::move(member.args), extra[i], extra[i + 1]);
    }
  }

  void Launch(Member& member) {
    member.process = std::make_unique<ServiceProcess>(ServiceBinary(member.name), member.args);
  }

  static bool WaitUntilServing(Member& member) {
    return member.process->WaitUntilStarted() &&
           WaitForHealth(member.address(), "SERVING", std::chrono::seconds(20));
  }

  TestTokens tokens_;
  std::vector<Member> members_;
};

template <typename Stub, typename Request, typename Response>
grpc::Status Call(Stub& stub,
                  grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                  const Request& request, Response* response, const std::string& token) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + token);
  context.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
  return (stub.*method)(&context, request, response);
}

// Every service declared in the protos. One message of each file that declares services keeps
// that file's generated code (and so its descriptors) in this binary; the services themselves
// are found by walking the files, so a service added to one of them is swept without a change
// here (and the role tables, checked below, name no RPC the walk missed). Order-intake first:
// it passes what it is given on to inventory and scheduling, so it is swept while their
// records are as loaded.
std::vector<const ServiceDescriptor*> ServicesInTheProtos() {
  std::vector<const ServiceDescriptor*> services;
  for (const google::protobuf::FileDescriptor* file :
       {v1::GetOrderRequest::descriptor()->file(), v1::GetItemRequest::descriptor()->file(),
        v1::GetCrewMemberRequest::descriptor()->file(), v1::PublishRequest::descriptor()->file()}) {
    for (int i = 0; i < file->service_count(); ++i) {
      services.push_back(google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          file->service(i)->full_name()));
    }
  }
  return services;
}

common::RolePolicy EveryRoleTable() {
  common::RolePolicy policy = inventory::RolePolicy();
  policy.Merge(scheduling::RolePolicy())
      .Merge(notification::RolePolicy())
      .Merge(order_intake::RolePolicy());
  return policy;
}

std::string CodeName(grpc::StatusCode code) { return common::GrpcCodeLabel(code); }

int CountOf(const std::map<grpc::StatusCode, int>& counts, grpc::StatusCode code) {
  auto found = counts.find(code);
  return found == counts.end() ? 0 : found->second;
}

// The last lines of a log, where an abort's reason is.
std::string LogTail(const std::string& log, size_t lines = 5) {
  std::vector<std::string> all;
  std::istringstream stream(log);
  for (std::string line; std::getline(stream, line);) all.push_back(line);
  std::string tail;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
    tail += "      " + Printable(all[i], 300) + "\n";
  }
  return tail;
}

struct SweptRpc {
  const MethodDescriptor* method = nullptr;
  std::string full_name;  // "/salesops.v1.InventoryService/GetItem"
  WiredServices::Member* host = nullptr;
  std::string token;
  bool streaming = false;
};

// Answers per RPC: to requests that parse as its message, and to bytes that do not.
struct Tally {
  std::map<grpc::StatusCode, int> parsed;
  std::map<grpc::StatusCode, int> unparsable;
  int sent = 0;
};

struct Finding {
  std::string rpc;
  std::string variant;
  std::string code;
  std::string message;
};

struct Death {
  std::string service;
  std::string how;  // "killed by signal 6 (Aborted)"
  std::string rpc;
  std::string variant;
  std::string log_tail;
};

// Sends every variant to every RPC, one call at a time (so that a death is pinned on the call
// that caused it), restarting a service that died or stalled so that the rest is still swept.
class Sweep {
 public:
  Sweep(WiredServices& services, KnownRecords known,
        std::map<std::string, KnownRecords> known_by_service)
      : services_(services),
        known_(std::move(known)),
        known_by_service_(std::move(known_by_service)) {}

  void Run() {
    const auto started = Clock::now();
    const std::vector<RequestVariant> variants = HostileVariants();
    for (const SweptRpc& rpc : Rpcs()) {
      Tally& tally = tallies_[rpc.full_name];
      int rpc_stalls = 0;
      for (size_t i = 0; i < variants.size() && stopped_.empty(); ++i) {
        const RequestVariant& variant = variants[i];
        if (rpc.streaming && !IsStreamVariant(variant.name)) continue;
        const auto& type = *rpc.method->input_type();
        std::optional<GeneratedRequest> request =
            generator_.Generate(type, variant, Seed(rpc.full_name, static_cast<uint32_t>(i)),
                                KnownFor(*rpc.method->service()));
        if (!request) continue;
        const std::string label = request->poisoned_field.empty()
                                      ? variant.name
                                      : variant.name + " @ " + request->poisoned_field;
        if (i % 2 == 1) SpeakAsTheTestService(type, *request);
        const bool parsable = ParsesAs(type, request->bytes);
        grpc::Status status = Send(rpc, request->bytes);
        ++tally.sent;
        ++(parsable ? tally.parsed : tally.unparsable)[status.error_code()];
        if (!parsable) {
          unparsable_answers_.insert(CodeName(status.error_code()) + " \"" +
                                     Printable(status.error_message()) + "\"");
        }
        if (verbose_) {
          std::cout << absl::StrFormat("%s [%s] %s %s\n", rpc.full_name, label,
                                       CodeName(status.error_code()),
                                       Printable(status.error_message(), 300));
        }
        if (Judge(rpc, label, parsable, status) && ++rpc_stalls == kMaxStallsPerRpc) {
          // Each stall costs the deadline and a restart; two say enough about one RPC.
          notes_.push_back(absl::StrFormat("%s: the last %d variants were skipped after %d stalls",
                                           rpc.full_name, variants.size() - i - 1, rpc_stalls));
          break;
        }
      }
      CheckProcesses(rpc, "(after its variants)", false);
      if (deaths_.size() >= kMaxDeaths) stopped_ = "too many deaths";
      if (stalls_ >= kMaxStalls) stopped_ = "too many stalls";
      if (Clock::now() - started > kSweepBudget) stopped_ = "out of time";
      if (!stopped_.empty()) break;
    }
    elapsed_ = Clock::now() - started;
  }

  // What shows only in the services' logs: internal errors of calls between services
  // (order-intake to inventory and scheduling, the relays' PublishBatch, notification's
  // Deliver), seen as an RPC with more INTERNAL or UNKNOWN access-log lines than this sweep
  // received directly; and failed CHECKs, assertions and aborts, whatever the RPC answered.
  void ScanLogs() {
    static const std::regex kAccessLine(
        R"(event=rpc method=(\S+) code=(Internal|Unknown) .*message=(.*)$)");
    static const std::regex kFatalLine(
        R"(FATAL|CHECK failed|assertion failed|Assertion .*failed|terminate called|Segmentation)");
    // The time, thread and process in a line, so that repeats of one failure count once.
    static const std::regex kLinePrefix(R"(^(ts=\S+ |[EWIF]\d{4} [\d:.]+ +\d+ ))");
    std::map<std::string, std::vector<std::string>> logged;
    std::set<std::string> fatal;
    for (const WiredServices::Member& member : services_.members()) {
      std::istringstream lines(member.logs());
      for (std::string line; std::getline(lines, line);) {
        std::smatch match;
        if (std::regex_search(line, match, kAccessLine)) {
          logged[match[1]].push_back(match[2].str() + ": " + match[3].str());
        } else if (std::regex_search(line, kFatalLine)) {
          fatal.insert(member.name + ": " + std::regex_replace(line, kLinePrefix, ""));
        }
      }
    }
    for (const auto& [rpc, messages] : logged) {
      // Only the sweep opens streams, and a stream's answer can reach the client as another
      // code (its deadline) than the one the server logs.
      if (std::any_of(rpcs_.begin(), rpcs_.end(), [&](const SweptRpc& swept) {
            return swept.full_name == rpc && swept.streaming;
          })) {
        continue;
      }
      const Tally& tally = tallies_[rpc];
      const int direct = CountOf(tally.parsed, grpc::StatusCode::INTERNAL) +
                         CountOf(tally.parsed, grpc::StatusCode::UNKNOWN) +
                         CountOf(tally.unparsable, grpc::StatusCode::INTERNAL) +
                         CountOf(tally.unparsable, grpc::StatusCode::UNKNOWN);
      if (static_cast<int>(messages.size()) <= direct) continue;
      std::set<std::string> distinct(messages.begin(), messages.end());
      std::string excerpt;
      for (const std::string& message : distinct) {
        excerpt += (excerpt.empty() ? "" : " | ") + message;
      }
      findings_.push_back(
          {rpc,
           absl::StrFormat("called by another service: %d in the log, %d answered to the sweep",
                           messages.size(), direct),
           "Internal/Unknown", excerpt});
    }
    for (const std::string& line : fatal) findings_.push_back({"log", "", "FATAL", line});
  }

  std::string Table() const {
    std::set<grpc::StatusCode> codes;
    for (const auto& [rpc, tally] : tallies_) {
      for (const auto& [code, count] : tally.parsed) codes.insert(code);
    }
    std::string table = absl::StrFormat("%-58s", "answers to requests that parse, per RPC");
    for (grpc::StatusCode code : codes) table += absl::StrFormat(" %9.9s", CodeName(code));
    table += "  | unparsable bytes\n";
    for (const SweptRpc& rpc : rpcs_) {
      auto found = tallies_.find(rpc.full_name);
      if (found == tallies_.end()) continue;
      const Tally& tally = found->second;
      table +=
          absl::StrFormat("%-58s", rpc.full_name.substr(13) + (rpc.streaming ? " (stream)" : ""));
      for (grpc::StatusCode code : codes) {
        table += absl::StrFormat(" %9d", CountOf(tally.parsed, code));
      }
      table += "  |";
      for (const auto& [code, count] : tally.unparsable) {
        table += absl::StrFormat(" %d %s", count, CodeName(code));
      }
      table += "\n";
    }
    return table;
  }

  const std::vector<SweptRpc>& Rpcs() {
    if (rpcs_.empty()) rpcs_ = FindRpcs();
    return rpcs_;
  }
  const std::map<std::string, Tally>& tallies() const { return tallies_; }
  const std::vector<Finding>& findings() const { return findings_; }
  const std::vector<Death>& deaths() const { return deaths_; }
  const std::vector<std::string>& notes() const { return notes_; }
  const std::set<std::string>& unparsable_answers() const { return unparsable_answers_; }
  const std::string& stopped() const { return stopped_; }
  Clock::duration elapsed() const { return elapsed_; }

 private:
  // Streaming RPCs get the variants about bytes and strings, each held open for a moment.
  static bool IsStreamVariant(const std::string& name) {
    static const std::set<std::string> kNames = {"empty",
                                                 "plausible",
                                                 "strings-nul",
                                                 "strings-control-characters",
                                                 "strings-non-ascii",
                                                 "strings-invalid-utf8",
                                                 "enums-outside-enum",
                                                 "numbers-extreme",
                                                 "random-bytes-16",
                                                 "random-bytes-300",
                                                 "truncated"};
    return kNames.count(name) > 0;
  }

  // Notification takes events only from the service they name as their source: for every
  // other variant, events name the test's SERVICE identity, so the hostile rest of them reaches
  // validation rather than stopping at PERMISSION_DENIED.
  static void SpeakAsTheTestService(const Descriptor& type, GeneratedRequest& request) {
    if (request.poisoned_field.find("source_service") != std::string::npos) return;
    const bool single_event = &type == v1::PublishRequest::descriptor();
    if (!single_event && &type != v1::PublishBatchRequest::descriptor()) return;
    auto own = [](v1::Event& event) {
      event.set_source_service("svc-1");
      if (event.actor().role() == v1::ROLE_SERVICE) event.mutable_actor()->set_id("svc-1");
    };
    v1::PublishRequest single;
    v1::PublishBatchRequest batch;
    if (single_event && single.ParseFromString(request.bytes) && single.has_event()) {
      own(*single.mutable_event());
      request.bytes = single.SerializeAsString();
    } else if (!single_event && batch.ParseFromString(request.bytes) && batch.events_size() > 0) {
      for (v1::Event& event : *batch.mutable_events()) own(event);
      request.bytes = batch.SerializeAsString();
    }
  }

  static uint32_t Seed(const std::string& rpc, uint32_t variant) {
    return static_cast<uint32_t>(std::hash<std::string>()(rpc)) ^ (variant * 2654435761u);
  }

  std::vector<SweptRpc> FindRpcs() {
    const common::RolePolicy roles = EveryRoleTable();
    std::vector<SweptRpc> rpcs;
    std::set<std::string> swept;
    for (const ServiceDescriptor* service : ServicesInTheProtos()) {
      WiredServices::Member* host = nullptr;
      for (WiredServices::Member& member : services_.members()) {
        if (HealthStatus(member.address(), service->full_name()) == "SERVING") host = &member;
      }
      if (host == nullptr) {
        ADD_FAILURE() << "no running service hosts " << service->full_name();
        continue;
      }
      for (int i = 0; i < service->method_count(); ++i) {
        const MethodDescriptor* method = service->method(i);
        SweptRpc rpc{method, "/" + service->full_name() + "/" + method->name(), host,
                     TokenFor(roles, "/" + service->full_name() + "/" + method->name()),
                     method->server_streaming()};
        swept.insert(rpc.full_name);
        if (method->client_streaming()) {
          notes_.push_back(rpc.full_name + ": client streaming, not swept");
          continue;
        }
        rpcs.push_back(rpc);
      }
    }
    for (const std::string& method : roles.Methods()) {
      EXPECT_EQ(swept.count(method), 1u) << method << " is in a role table but was not swept";
    }
    // Deletions, cancellations, releases and milestones last, so that the records the other
    // RPCs name still exist, and are still open, while those are swept.
    std::stable_partition(rpcs.begin(), rpcs.end(), [](const SweptRpc& rpc) {
      const std::string& name = rpc.method->name();
      return !(name.rfind("Delete", 0) == 0 || name.rfind("Cancel", 0) == 0 ||
               name.rfind("Release", 0) == 0 || name.rfind("Close", 0) == 0 || name == "Deliver");
    });
    return rpcs;
  }

  // ADMIN wherever the role table allows it. The RPCs only services may call (Publish,
  // PublishBatch, Deliver) get the SERVICE token, or their handlers would never see a request.
  std::string TokenFor(const common::RolePolicy& roles, const std::string& method) const {
    const TestTokens& tokens = services_.tokens();
    if (roles.IsAllowed(method, v1::ROLE_ADMIN)) return tokens.admin;
    if (roles.IsAllowed(method, v1::ROLE_SERVICE)) return tokens.service;
    if (roles.IsAllowed(method, v1::ROLE_OPS)) return tokens.ops;
    return tokens.sales;
  }

  grpc::Status Send(const SweptRpc& rpc, const std::string& bytes) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + rpc.token);
    if (!rpc.streaming) {
      context.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
      return common::CallUnaryBytes(rpc.host->channel, context, rpc.full_name, bytes, nullptr);
    }
    context.set_deadline(std::chrono::system_clock::now() + kStreamDeadline);
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1);
    grpc::internal::RpcMethod method(rpc.full_name.c_str(),
                                     grpc::internal::RpcMethod::SERVER_STREAMING);
    std::unique_ptr<grpc::ClientReader<grpc::ByteBuffer>> reader(
        grpc::internal::ClientReaderFactory<grpc::ByteBuffer>::Create(rpc.host->channel.get(),
                                                                      method, &context, request));
    grpc::ByteBuffer message;
    while (reader->Read(&message)) {
    }
    return reader->Finish();
  }

  // INTERNAL or UNKNOWN from a handler, or a stall, is a finding. Bytes that do not parse as
  // the request message never reach a handler: gRPC itself answers them INTERNAL (in this
  // gRPC, with the message's InitializationErrorString(), empty for proto3), as every gRPC
  // does. They are told apart not by that text but by parsing the same bytes here with the
  // same generated code (ParsesAs), and counted in a column of their own.
  // Returns whether the call stalled.
  bool Judge(const SweptRpc& rpc, const std::string& variant, bool parsable,
             const grpc::Status& status) {
    const grpc::StatusCode code = status.error_code();
    const bool stalled = code == grpc::StatusCode::DEADLINE_EXCEEDED && !rpc.streaming;
    if (stalled || code == grpc::StatusCode::UNKNOWN ||
        (code == grpc::StatusCode::INTERNAL && parsable)) {
      findings_.push_back({rpc.full_name, variant, CodeName(code), status.error_message()});
    }
    if (code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::UNKNOWN ||
        (code == grpc::StatusCode::INTERNAL && parsable) || code == grpc::StatusCode::CANCELLED ||
        stalled) {
      CheckProcesses(rpc, variant, true);
    }
    if (stalled && rpc.host->process->running()) {
      // It may still be busy with the request; the rest of the sweep needs it responsive.
      ++stalls_;
      notes_.push_back("restarted " + rpc.host->name + " after " + rpc.full_name + " [" + variant +
                       "] stalled");
      if (!services_.Restart(*rpc.host)) stopped_ = "could not restart " + rpc.host->name;
    }
    return stalled;
  }

  void CheckProcesses(const SweptRpc& rpc, const std::string& variant, bool settle) {
    if (settle) {
      // A process that aborts answers the call it dies in (UNAVAILABLE) before it is reaped
      // (and, writing a core dump, may take seconds to be).
      const auto deadline = Clock::now() + std::chrono::seconds(10);
      while (Clock::now() < deadline && !AnyDead() && !AllServing()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      // Serving a health check does not prove it is not on its way out.
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    for (WiredServices::Member& member : services_.members()) {
      if (member.process->running()) continue;
      deaths_.push_back({member.name, member.process->exit_description(), rpc.full_name, variant,
                         LogTail(member.process->log())});
      if (!services_.Restart(member)) stopped_ = "could not restart " + member.name;
    }
  }

  bool AnyDead() {
    for (WiredServices::Member& member : services_.members()) {
      if (!member.process->running()) return true;
    }
    return false;
  }

  bool AllServing() {
    for (WiredServices::Member& member : services_.members()) {
      if (HealthStatus(member.address()) != "SERVING") return false;
    }
    return true;
  }

  const KnownRecords& KnownFor(const ServiceDescriptor& service) const {
    auto found = known_by_service_.find(service.full_name());
    return found == known_by_service_.end() ? known_ : found->second;
  }

  WiredServices& services_;
  KnownRecords known_;
  std::map<std::string, KnownRecords> known_by_service_;
  HostileRequestGenerator generator_;
  std::vector<SweptRpc> rpcs_;
  std::map<std::string, Tally> tallies_;
  std::vector<Finding> findings_;
  std::vector<Death> deaths_;
  std::vector<std::string> notes_;
  std::set<std::string> unparsable_answers_;
  // SALESOPS_SWEEP_VERBOSE=1 prints every answer.
  const bool verbose_ = std::getenv("SALESOPS_SWEEP_VERBOSE") != nullptr;
  size_t stalls_ = 0;
  std::string stopped_;
  Clock::duration elapsed_{};
};

// Ids that are a real record's id with a NUL and more after it. PostgreSQL text cannot hold a
// NUL and libpq reads text parameters as C strings, so unless a service refuses such an id,
// "X\0zzz" is looked up, changed or deleted as "X".
std::vector<std::string> NulSuffixes() { return {std::string("\0zzz", 4), std::string(1, '\0')}; }

std::string Describe(const std::string& rpc, const std::string& field, const std::string& id) {
  return rpc + "(" + field + "=\"" + Printable(id) + "\")";
}

// A request naming `id` must be refused as malformed or not found, never served from the
// record whose id is its prefix.
void ExpectRefused(const std::string& call, const grpc::Status& status) {
  const grpc::StatusCode code = status.error_code();
  EXPECT_TRUE(code == grpc::StatusCode::INVALID_ARGUMENT || code == grpc::StatusCode::NOT_FOUND)
      << call << " answered " << CodeName(code) << " (" << Printable(status.error_message())
      << "): an id with a NUL must not reach another record";
}

class HostileInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(services_.StartAll()) << services_.AllLogs();
    inventory_ = v1::InventoryService::NewStub(services_.Get("inventory").channel);
    scheduling_ = v1::SchedulingService::NewStub(services_.Get("scheduling").channel);
    notification_ = v1::NotificationService::NewStub(services_.Get("notification").channel);
    orders_ = v1::OrderIntakeService::NewStub(services_.Get("order-intake").channel);
    sink_ = v1::EventSink::NewStub(services_.Get("order-intake").channel);
    day0_ = (common::NowTimestamp().seconds() / 86400 + 7) * 86400;
    ASSERT_NO_FATAL_FAILURE(LoadRecords());
  }

  const std::string& admin() const { return services_.tokens().admin; }

  google::protobuf::Timestamp At(int64_t hours) {
    google::protobuf::Timestamp time;
    time.set_seconds(day0_ + hours * kHour);
    return time;
  }

  v1::Window Window(int64_t from_hour, int64_t to_hour) {
    v1::Window window;
    *window.mutable_not_before() = At(from_hour);
    *window.mutable_no_later_than() = At(to_hour);
    return window;
  }

  v1::Order Draft(int walls) {
    v1::Order order;
    order.mutable_customer()->set_name("Acme Events");
    order.mutable_venue()->set_name("Grand Hall");
    order.mutable_venue()->mutable_travel_time()->set_seconds(kHour);
    *order.mutable_event_schedule()->mutable_show_start_time() = At(19);
    *order.mutable_event_schedule()->mutable_show_end_time() = At(23);
    *order.mutable_event_schedule()->mutable_strike_time() = At(24);
    *order.mutable_delivery_window()->mutable_window() = Window(6, 8);
    v1::ProductLine* line = order.add_product_lines();
    line->set_product_code(kProduct);
    line->set_quantity(walls);
    order.mutable_pipeline()->set_stage(v1::ORDER_STAGE_QUOTED);
    order.mutable_pipeline()->set_win_probability(0.6);
    return order;
  }

  v1::PlanJobRequest JobPlan(const std::string& order_id, int64_t revision) {
    v1::PlanJobRequest request;
    request.set_order_id(order_id);
    request.set_order_revision(revision);
    v1::InventoryLine* line = request.add_inventory_lines();
    line->set_inventory_code(kItem);
    line->set_quantity(2);
    v1::CrewNeed* need = request.add_crew_needs();
    need->set_skill(v1::SKILL_VIDEO);
    need->mutable_duration()->set_seconds(2 * kHour);
    need->set_headcount(1);
    request.mutable_prep_duration()->set_seconds(kHour);
    *request.mutable_event_schedule() = Draft(1).event_schedule();
    *request.mutable_delivery_window() = Draft(1).delivery_window();
    *request.mutable_venue() = Draft(1).venue();
    return request;
  }

  v1::PlanTransferRequest TransferPlan(const std::string& transfer_id) {
    v1::PlanTransferRequest request;
    request.set_transfer_id(transfer_id);
    request.set_from_warehouse_id("WH-SWEEP-A");
    request.set_to_warehouse_id("WH-SWEEP-B");
    v1::InventoryLine* line = request.add_inventory_lines();
    line->set_inventory_code(kItem);
    line->set_quantity(2);
    *request.mutable_window() = Window(6, 14);
    request.mutable_transit()->set_seconds(2 * kHour);
    return request;
  }

  // Calls `method` as ADMIN, and keeps the request as an exemplar of a valid request of its
  // type when the service accepts it.
  template <typename Stub, typename Request, typename Response>
  grpc::Status Load(Stub& stub,
                    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const Request& request, Response* response) {
    grpc::Status status = Call(stub, method, request, response, admin());
    if (status.ok()) {
      exemplars_.emplace(Request::descriptor()->full_name(), request.SerializeAsString());
    }
    return status;
  }

  // Creates an order and confirms it; returns it as confirmed (or as quoted, when ops cannot
  // support it).
  v1::Order ConfirmedOrder() {
    v1::CreateOrderRequest create;
    *create.mutable_order() = Draft(1);
    v1::CreateOrderResponse created;
    grpc::Status status =
        Load(*orders_, &v1::OrderIntakeService::Stub::CreateOrder, create, &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    v1::ConfirmOrderRequest confirm;
    confirm.set_order_id(created.order().order_id());
    confirm.set_accept_later_commitment(true);
    v1::ConfirmOrderResponse confirmed;
    status = Load(*orders_, &v1::OrderIntakeService::Stub::ConfirmOrder, confirm, &confirmed);
    return status.ok() ? confirmed.order() : created.order();
  }

  // An item, a product, crew, a truck, an unavailability, two confirmed orders (one for
  // order-intake's RPCs, one for inventory's and scheduling's, which order-intake's sweep leaves
  // alone) with a question, and a subscription: records for generated ids to name, and the
  // requests that made them as exemplars.
  void LoadRecords() {
    v1::UpsertItemRequest item;
    item.mutable_item()->set_inventory_code(kItem);
    item.mutable_item()->set_description("LED panel 500 mm");
    item.mutable_item()->set_category("video");
    item.mutable_item()->set_quantity_owned(kItemsOwned);
    v1::UpsertItemResponse item_response;
    grpc::Status status =
        Load(*inventory_, &v1::InventoryService::Stub::UpsertItem, item, &item_response);
    ASSERT_TRUE(status.ok()) << status.error_message();

    v1::UpsertProductRequest product;
    product.mutable_product()->set_product_code(kProduct);
    product.mutable_product()->set_name("LED wall 3 x 2 m");
    product.mutable_product()->mutable_day_rate()->set_currency_code("EUR");
    product.mutable_product()->mutable_day_rate()->set_units(500);
    v1::InventoryLine* component = product.mutable_product()->add_components();
    component->set_inventory_code(kItem);
    component->set_quantity(4);
    v1::CrewNeed* crew_need = product.mutable_product()->add_crew_needs();
    crew_need->set_skill(v1::SKILL_VIDEO);
    crew_need->mutable_duration()->set_seconds(2 * kHour);
    crew_need->set_headcount(2);
    product.mutable_product()->mutable_prep_time()->set_seconds(kHour);
    v1::UpsertProductResponse product_response;
    status =
        Load(*inventory_, &v1::InventoryService::Stub::UpsertProduct, product, &product_response);
    ASSERT_TRUE(status.ok()) << status.error_message();

    for (const auto& [id, skill] :
         std::vector<std::pair<std::string, v1::Skill>>{{kCrewMember, v1::SKILL_VIDEO},
                                                        {"sweep-val", v1::SKILL_VIDEO},
                                                        {"sweep-wanda", v1::SKILL_WAREHOUSE},
                                                        {"sweep-walt", v1::SKILL_WAREHOUSE},
                                                        {"sweep-dana", v1::SKILL_DRIVER}}) {
      v1::CreateCrewMemberRequest crew;
      crew.mutable_crew_member()->set_crew_member_id(id);
      crew.mutable_crew_member()->set_display_name(id);
      crew.mutable_crew_member()->add_skills(skill);
      crew.mutable_crew_member()->set_active(true);
      v1::CreateCrewMemberResponse response;
      status = Load(*scheduling_, &v1::SchedulingService::Stub::CreateCrewMember, crew, &response);
      ASSERT_TRUE(status.ok()) << status.error_message();
    }
    v1::CreateVehicleRequest truck;
    truck.mutable_vehicle()->set_vehicle_id(kVehicle);
    truck.mutable_vehicle()->set_display_name("Box truck");
    truck.mutable_vehicle()->set_vehicle_class(v1::VEHICLE_CLASS_BOX_TRUCK);
    truck.mutable_vehicle()->set_active(true);
    v1::CreateVehicleResponse truck_response;
    status =
        Load(*scheduling_, &v1::SchedulingService::Stub::CreateVehicle, truck, &truck_response);
    ASSERT_TRUE(status.ok()) << status.error_message();

    v1::AddUnavailabilityRequest holiday;
    holiday.mutable_unavailability()->set_crew_member_id("sweep-dana");
    holiday.mutable_unavailability()->set_kind(v1::UNAVAILABILITY_KIND_TIME_OFF);
    *holiday.mutable_unavailability()->mutable_window() = Window(30 * 24, 31 * 24);
    holiday.mutable_unavailability()->set_reason("holiday");
    v1::AddUnavailabilityResponse holiday_response;
    status = Load(*scheduling_, &v1::SchedulingService::Stub::AddUnavailability, holiday,
                  &holiday_response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    unavailability_id_ = holiday_response.unavailability().unavailability_id();
    v1::UpdateCrewRulesRequest crew_rules;
    crew_rules.mutable_rules()->mutable_time_off_notice()->set_seconds(7 * 24 * kHour);
    crew_rules.mutable_rules()->mutable_longest_self_set_time_off()->set_seconds(14 * 24 * kHour);
    v1::UpdateCrewRulesResponse crew_rules_response;
    status = Load(*scheduling_, &v1::SchedulingService::Stub::UpdateCrewRules, crew_rules,
                  &crew_rules_response);
    ASSERT_TRUE(status.ok()) << status.error_message();

    const v1::Order order = ConfirmedOrder();
    ASSERT_FALSE(order.order_id().empty());
    order_id_ = order.order_id();
    const v1::Order ops_order = ConfirmedOrder();
    ASSERT_FALSE(ops_order.order_id().empty());

    v1::AskQuestionRequest ask;
    ask.set_order_id(order_id_);
    ask.set_text("Is there a loading dock?");
    v1::AskQuestionResponse asked;
    status = Load(*orders_, &v1::OrderIntakeService::Stub::AskQuestion, ask, &asked);
    ASSERT_TRUE(status.ok()) << status.error_message();
    question_id_ = asked.question().question_id();
    v1::AddNoteRequest note;
    note.set_order_id(order_id_);
    note.mutable_note()->set_kind(v1::NOTE_KIND_LOADING_DOCK);
    note.mutable_note()->set_text("Dock 3, 2.5 m clearance");
    v1::AddNoteResponse noted;
    EXPECT_TRUE(Load(*orders_, &v1::OrderIntakeService::Stub::AddNote, note, &noted).ok());
    v1::AmendOrderRequest amend;
    amend.set_order_id(order_id_);
    amend.set_reason("the client wants a second wall");
    *amend.mutable_order() = Draft(2);
    amend.set_dry_run(true);
    v1::AmendOrderResponse amended;
    EXPECT_TRUE(Load(*orders_, &v1::OrderIntakeService::Stub::AmendOrder, amend, &amended).ok());
    v1::CheckFeasibilityRequest feasibility;
    *feasibility.mutable_draft() = Draft(1);
    v1::CheckFeasibilityResponse feasible;
    EXPECT_TRUE(
        Load(*orders_, &v1::OrderIntakeService::Stub::CheckFeasibility, feasibility, &feasible)
            .ok());

    v1::GetJobStatusRequest job;
    job.set_order_id(ops_order.order_id());
    v1::GetJobStatusResponse job_status;
    if (Call(*scheduling_, &v1::SchedulingService::Stub::GetJobStatus, job, &job_status, admin())
            .ok() &&
        job_status.job().tasks_size() > 0) {
      job_id_ = job_status.job().job_id();
      task_id_ = job_status.job().tasks(0).task_id();
    }
    // Hours worked yesterday on that task, so that the timesheet RPCs have an entry to act on.
    if (!task_id_.empty() && job_status.job().tasks(0).assignments_size() > 0) {
      v1::ReportHoursRequest hours;
      hours.mutable_entry()->set_task_id(task_id_);
      hours.mutable_entry()->set_crew_member_id(
          job_status.job().tasks(0).assignments(0).crew_member_id());
      const int64_t now = common::NowTimestamp().seconds();
      hours.mutable_entry()->mutable_start_time()->set_seconds(now - 30 * kHour);
      hours.mutable_entry()->mutable_finish_time()->set_seconds(now - 22 * kHour);
      hours.mutable_entry()->mutable_break_duration()->set_seconds(kHour / 2);
      hours.mutable_entry()->set_note("loaded the truck");
      v1::ReportHoursResponse reported;
      EXPECT_TRUE(
          Load(*scheduling_, &v1::SchedulingService::Stub::ReportHours, hours, &reported).ok());
      entry_id_ = reported.entry().entry_id();
    }
    v1::PlanJobResponse planned;
    EXPECT_TRUE(Load(*scheduling_, &v1::SchedulingService::Stub::PlanJob,
                     JobPlan("SWEEP-PLANNED-JOB", 1), &planned)
                    .ok());
    v1::PlanTransferResponse transferred;
    EXPECT_TRUE(Load(*scheduling_, &v1::SchedulingService::Stub::PlanTransfer,
                     TransferPlan("T-SWEEP"), &transferred)
                    .ok());
    // What the planned people cost: an order's job, a transfer's and an order without one.
    v1::GetLabourCostsRequest labour_costs;
    for (const std::string& id : {ops_order.order_id(), std::string("SWEEP-PLANNED-JOB"),
                                  std::string("T-SWEEP"), std::string("SWEEP-NO-JOB")}) {
      labour_costs.add_order_ids(id);
    }
    v1::GetLabourCostsResponse labour_costs_response;
    EXPECT_TRUE(Load(*scheduling_, &v1::SchedulingService::Stub::GetLabourCosts, labour_costs,
                     &labour_costs_response)
                    .ok());
    v1::CheckCapacityRequest capacity;
    *capacity.add_crew_needs() = JobPlan("", 1).crew_needs(0);
    *capacity.mutable_window() = Window(0, 24);
    v1::CheckCapacityResponse capacity_response;
    EXPECT_TRUE(Load(*scheduling_, &v1::SchedulingService::Stub::CheckCapacity, capacity,
                     &capacity_response)
                    .ok());
    v1::ReserveRequest reserve;
    reserve.set_order_id("SWEEP-RESERVED");
    reserve.set_order_revision(1);
    v1::InventoryLine* reserved_line = reserve.add_lines();
    reserved_line->set_inventory_code(kItem);
    reserved_line->set_quantity(1);
    *reserve.mutable_window() = Window(6, 30);
    v1::ReserveResponse reserved;
    EXPECT_TRUE(Load(*inventory_, &v1::InventoryService::Stub::Reserve, reserve, &reserved).ok());
    v1::GetAvailabilityCalendarRequest calendar;
    calendar.set_inventory_code(kItem);
    *calendar.mutable_range() = Window(0, 48);
    calendar.mutable_bucket_size()->set_seconds(6 * kHour);
    v1::GetAvailabilityCalendarResponse calendar_response;
    EXPECT_TRUE(Load(*inventory_, &v1::InventoryService::Stub::GetAvailabilityCalendar, calendar,
                     &calendar_response)
                    .ok());

    v1::CreateSubscriptionRequest subscribe;
    subscribe.mutable_subscription()->set_display_name("Sweep admin inbox");
    subscribe.mutable_subscription()->set_channel(v1::SUBSCRIPTION_CHANNEL_INBOX);
    subscribe.mutable_subscription()->set_role(v1::ROLE_ADMIN);
    subscribe.mutable_subscription()->add_event_types(v1::EVENT_TYPE_NOTE_ADDED);
    v1::CreateSubscriptionResponse subscribed;
    status = Load(*notification_, &v1::NotificationService::Stub::CreateSubscription, subscribe,
                  &subscribed);
    ASSERT_TRUE(status.ok()) << status.error_message();
    subscription_id_ = subscribed.subscription().subscription_id();
    // A note added now reaches the admin inbox through the relays.
    EXPECT_TRUE(Load(*orders_, &v1::OrderIntakeService::Stub::AddNote, note, &noted).ok());
    std::string notification_id;
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (notification_id.empty() && Clock::now() < deadline) {
      v1::ListNotificationsRequest list;
      v1::ListNotificationsResponse listed;
      if (Call(*notification_, &v1::NotificationService::Stub::ListNotifications, list, &listed,
               admin())
              .ok() &&
          listed.notifications_size() > 0) {
        notification_id = listed.notifications(0).notification_id();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }

    known_.product_code = kProduct;
    known_.inventory_code = kItem;
    known_.day0_seconds = day0_;
    known_.exemplars = exemplars_;
    known_.ids_by_field = {{"order_id", order_id_},
                           {"exclude_order_id", order_id_},
                           {"question_id", question_id_},
                           {"subscription_id", subscription_id_},
                           {"unavailability_id", unavailability_id_},
                           {"crew_member_id", kCrewMember},
                           {"vehicle_id", kVehicle},
                           {"job_id", job_id_},
                           {"task_id", task_id_},
                           {"entry_id", entry_id_},
                           {"notification_ids", notification_id},
                           {"person_id", "admin-1"},
                           {"recipient_id", "admin-1"},
                           {"salesperson_id", "admin-1"},
                           {"id", "admin-1"}};
    // Inventory and scheduling see the order order-intake's sweep does not change.
    KnownRecords ops_side = known_;
    ops_side.ids_by_field["order_id"] = ops_order.order_id();
    ops_side.ids_by_field["exclude_order_id"] = ops_order.order_id();
    ops_side.numbers_by_field["order_revision"] = ops_order.revision();
    known_by_service_["salesops.v1.InventoryService"] = ops_side;
    known_by_service_["salesops.v1.SchedulingService"] = ops_side;
  }

  v1::Order GetOrder(const std::string& order_id) {
    v1::GetOrderRequest request;
    request.set_order_id(order_id);
    request.set_view(v1::ORDER_VIEW_BASIC);
    v1::GetOrderResponse response;
    grpc::Status status =
        Call(*orders_, &v1::OrderIntakeService::Stub::GetOrder, request, &response, admin());
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.order();
  }

  int HistoryLength(const std::string& order_id) {
    v1::GetOrderHistoryRequest request;
    request.set_order_id(order_id);
    request.set_page_size(1000);
    v1::GetOrderHistoryResponse response;
    grpc::Status status =
        Call(*orders_, &v1::OrderIntakeService::Stub::GetOrderHistory, request, &response, admin());
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.entries_size();
  }

  // Free units of the item over the probe window, holds ignored: what reservations leave.
  int FirmlyFree() {
    v1::CheckAvailabilityRequest request;
    v1::InventoryLine* line = request.add_lines();
    line->set_inventory_code(kItem);
    line->set_quantity(1);
    *request.mutable_window() = Window(0, 30);
    request.set_ignore_holds(true);
    v1::CheckAvailabilityResponse response;
    grpc::Status status = Call(*inventory_, &v1::InventoryService::Stub::CheckAvailability, request,
                               &response, admin());
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.availability_size() > 0 ? response.availability(0).free() : -1;
  }

  WiredServices services_;
  std::unique_ptr<v1::InventoryService::Stub> inventory_;
  std::unique_ptr<v1::SchedulingService::Stub> scheduling_;
  std::unique_ptr<v1::NotificationService::Stub> notification_;
  std::unique_ptr<v1::OrderIntakeService::Stub> orders_;
  std::unique_ptr<v1::EventSink::Stub> sink_;
  int64_t day0_ = 0;
  std::string order_id_, question_id_, subscription_id_, unavailability_id_, job_id_, task_id_;
  std::string entry_id_;  // timesheet hours on task_id_
  KnownRecords known_;
  std::map<std::string, KnownRecords> known_by_service_;  // where they differ from known_
  std::map<std::string, std::string> exemplars_;
};

TEST_F(HostileInputTest, EveryRpcOfEveryServiceSurvivesMalformedRequests) {
  Sweep sweep(services_, known_, known_by_service_);
  sweep.Run();
  sweep.ScanLogs();

  std::cout << sweep.Table();
  for (const std::string& note : sweep.notes()) std::cout << "note: " << note << "\n";
  for (const std::string& answer : sweep.unparsable_answers()) {
    std::cout << "unparsable bytes were answered: " << answer << "\n";
  }
  std::cout << absl::StrFormat("swept %d RPCs in %.1f s\n", sweep.Rpcs().size(),
                               std::chrono::duration<double>(sweep.elapsed()).count());

  EXPECT_EQ(sweep.stopped(), "") << "the sweep stopped early";
  EXPECT_GT(sweep.Rpcs().size(), 60u);
  for (const SweptRpc& rpc : sweep.Rpcs()) {
    if (rpc.streaming || !sweep.stopped().empty()) continue;
    EXPECT_GE(sweep.tallies().at(rpc.full_name).sent, 20) << rpc.full_name;
  }

  std::string findings;
  for (const Finding& finding : sweep.findings()) {
    findings += absl::StrFormat("  %s [%s] %s: %s\n", finding.rpc, finding.variant, finding.code,
                                Printable(finding.message, 300));
  }
  EXPECT_TRUE(sweep.findings().empty())
      << sweep.findings().size() << " answers were INTERNAL, UNKNOWN or stalled:\n"
      << findings;

  std::string deaths;
  for (const Death& death : sweep.deaths()) {
    deaths += absl::StrFormat("  %s (%s) during %s [%s]; its log ends:\n%s", death.service,
                              death.how, death.rpc, death.variant, death.log_tail);
  }
  EXPECT_TRUE(sweep.deaths().empty()) << sweep.deaths().size() << " processes died:\n" << deaths;

  for (WiredServices::Member& member : services_.members()) {
    EXPECT_TRUE(member.process->running()) << member.name << " is not running";
    EXPECT_EQ(HealthStatus(member.address()), "SERVING") << member.name;
  }
  for (const ServiceDescriptor* service : ServicesInTheProtos()) {
    bool serving = false;
    for (WiredServices::Member& member : services_.members()) {
      serving = serving || HealthStatus(member.address(), service->full_name()) == "SERVING";
    }
    EXPECT_TRUE(serving) << service->full_name() << " is not SERVING after the sweep";
  }
}

// The order, its question, its notes, its history and its stage stay as they were.
TEST_F(HostileInputTest, AnOrderIdWithANulInItNeverReachesTheOrder) {
  using Orders = v1::OrderIntakeService::Stub;
  const v1::Order before = GetOrder(order_id_);
  const int history_before = HistoryLength(order_id_);
  for (const std::string& suffix : NulSuffixes()) {
    const std::string id = order_id_ + suffix;
    {
      v1::GetOrderRequest request;
      request.set_order_id(id);
      v1::GetOrderResponse response;
      ExpectRefused(Describe("GetOrder", "order_id", id),
                    Call(*orders_, &Orders::GetOrder, request, &response, admin()));
    }
    {
      v1::GetOrderHistoryRequest request;
      request.set_order_id(id);
      v1::GetOrderHistoryResponse response;
      ExpectRefused(Describe("GetOrderHistory", "order_id", id),
                    Call(*orders_, &Orders::GetOrderHistory, request, &response, admin()));
    }
    {
      v1::CheckFeasibilityRequest request;
      request.set_order_id(id);
      v1::CheckFeasibilityResponse response;
      ExpectRefused(Describe("CheckFeasibility", "order_id", id),
                    Call(*orders_, &Orders::CheckFeasibility, request, &response, admin()));
    }
    {
      v1::AddNoteRequest request;
      request.set_order_id(id);
      request.mutable_note()->set_kind(v1::NOTE_KIND_OTHER);
      request.mutable_note()->set_text("a note for another order");
      v1::AddNoteResponse response;
      ExpectRefused(Describe("AddNote", "order_id", id),
                    Call(*orders_, &Orders::AddNote, request, &response, admin()));
    }
    {
      v1::AskQuestionRequest request;
      request.set_order_id(id);
      request.set_text("a question for another order?");
      request.set_blocking(true);
      v1::AskQuestionResponse response;
      ExpectRefused(Describe("AskQuestion", "order_id", id),
                    Call(*orders_, &Orders::AskQuestion, request, &response, admin()));
    }
    {
      v1::AnswerQuestionRequest request;
      request.set_order_id(order_id_);
      request.set_question_id(question_id_ + suffix);
      request.set_text("an answer to another question");
      v1::AnswerQuestionResponse response;
      ExpectRefused(Describe("AnswerQuestion", "question_id", question_id_ + suffix),
                    Call(*orders_, &Orders::AnswerQuestion, request, &response, admin()));
      request.set_order_id(id);
      request.set_question_id(question_id_);
      ExpectRefused(Describe("AnswerQuestion", "order_id", id),
                    Call(*orders_, &Orders::AnswerQuestion, request, &response, admin()));
    }
    {
      v1::AcknowledgeChangeRequest request;
      request.set_order_id(id);
      request.set_revision(before.revision());
      v1::AcknowledgeChangeResponse response;
      ExpectRefused(Describe("AcknowledgeChange", "order_id", id),
                    Call(*orders_, &Orders::AcknowledgeChange, request, &response, admin()));
    }
    {
      v1::AmendOrderRequest request;
      request.set_order_id(id);
      request.set_etag(before.etag());
      request.set_reason("an amendment of another order");
      *request.mutable_order() = Draft(2);
      v1::AmendOrderResponse response;
      ExpectRefused(Describe("AmendOrder", "order_id", id),
                    Call(*orders_, &Orders::AmendOrder, request, &response, admin()));
    }
    {
      v1::ConfirmOrderRequest request;
      request.set_order_id(id);
      request.set_etag(before.etag());
      v1::ConfirmOrderResponse response;
      ExpectRefused(Describe("ConfirmOrder", "order_id", id),
                    Call(*orders_, &Orders::ConfirmOrder, request, &response, admin()));
    }
    {
      v1::CloseOrderRequest request;
      request.set_order_id(id);
      request.set_etag(before.etag());
      v1::CloseOrderResponse response;
      ExpectRefused(Describe("CloseOrder", "order_id", id),
                    Call(*orders_, &Orders::CloseOrder, request, &response, admin()));
    }
    {
      v1::CancelOrderRequest request;
      request.set_order_id(id);
      request.set_etag(before.etag());
      request.set_reason("a cancellation of another order");
      v1::CancelOrderResponse response;
      ExpectRefused(Describe("CancelOrder", "order_id", id),
                    Call(*orders_, &Orders::CancelOrder, request, &response, admin()));
    }
    {
      // A milestone for the order with the NUL id: delivered or refused, never applied to X.
      v1::DeliverRequest request;
      v1::Event* event = request.mutable_event();
      event->set_event_id("nul-probe-" + std::to_string(suffix.size()));
      event->set_type(v1::EVENT_TYPE_PREP_STARTED);
      event->set_order_id(id);
      event->set_order_revision(before.revision());
      *event->mutable_occur_time() = common::NowTimestamp();
      event->set_source_service("inventory");
      event->mutable_actor()->set_id("svc-1");
      event->mutable_actor()->set_role(v1::ROLE_SERVICE);
      request.set_attempt(1);
      v1::DeliverResponse response;
      grpc::Status status = Call(*sink_, &v1::EventSink::Stub::Deliver, request, &response,
                                 services_.tokens().service);
      EXPECT_NE(status.error_code(), grpc::StatusCode::INTERNAL)
          << Describe("Deliver", "event.order_id", id) << ": " << status.error_message();
    }
  }
  const v1::Order after = GetOrder(order_id_);
  EXPECT_EQ(after.revision(), before.revision()) << "order " << order_id_ << " was changed";
  EXPECT_EQ(after.stage(), before.stage()) << "order " << order_id_ << " changed stage";
  EXPECT_EQ(after.notes_size(), before.notes_size()) << "a note reached order " << order_id_;
  EXPECT_EQ(after.questions_size(), before.questions_size());
  for (const v1::Question& question : after.questions()) {
    if (question.question_id() == question_id_) {
      EXPECT_EQ(question.state(), v1::QUESTION_STATE_OPEN) << "question " << question_id_;
    }
  }
  EXPECT_EQ(HistoryLength(order_id_), history_before) << "order " << order_id_;
}

// A job (planned for its own order), a task, a crew member, a truck and an unavailability stay
// as they were.
TEST_F(HostileInputTest, ASchedulingIdWithANulInItNeverReachesTheRecord) {
  using Scheduling = v1::SchedulingService::Stub;
  const std::string job_order = "NUL-PROBE-JOB";
  v1::PlanJobResponse planned;
  grpc::Status status =
      Call(*scheduling_, &Scheduling::PlanJob, JobPlan(job_order, 1), &planned, admin());
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_GT(planned.job().tasks_size(), 0);
  const std::string task_id = planned.job().tasks(0).task_id();
  auto job_status = [&](const std::string& order_id) {
    v1::GetJobStatusRequest request;
    request.set_order_id(order_id);
    v1::GetJobStatusResponse response;
    EXPECT_TRUE(Call(*scheduling_, &Scheduling::GetJobStatus, request, &response, admin()).ok());
    return response.job();
  };
  const v1::Job job_before = job_status(job_order);
  for (const std::string& suffix : NulSuffixes()) {
    const std::string id = job_order + suffix;
    {
      v1::GetJobStatusRequest request;
      request.set_order_id(id);
      v1::GetJobStatusResponse response;
      ExpectRefused(Describe("GetJobStatus", "order_id", id),
                    Call(*scheduling_, &Scheduling::GetJobStatus, request, &response, admin()));
    }
    {
      v1::CancelJobRequest request;
      request.set_order_id(id);
      request.set_reason("cancelling another job");
      v1::CancelJobResponse response;
      ExpectRefused(Describe("CancelJob", "order_id", id),
                    Call(*scheduling_, &Scheduling::CancelJob, request, &response, admin()));
    }
    {
      v1::PlanJobResponse response;
      ExpectRefused(Describe("PlanJob", "order_id", id),
                    Call(*scheduling_, &Scheduling::PlanJob, JobPlan(id, 2), &response, admin()));
    }
    {
      v1::PlanTransferResponse response;
      ExpectRefused(
          Describe("PlanTransfer", "transfer_id", id),
          Call(*scheduling_, &Scheduling::PlanTransfer, TransferPlan(id), &response, admin()));
    }
    {
      v1::UpdateTaskStateRequest request;
      request.set_task_id(task_id + suffix);
      request.set_state(v1::TASK_STATE_BLOCKED);
      request.set_note("blocking another task");
      v1::UpdateTaskStateResponse response;
      ExpectRefused(Describe("UpdateTaskState", "task_id", task_id + suffix),
                    Call(*scheduling_, &Scheduling::UpdateTaskState, request, &response, admin()));
    }
    {
      v1::GetCrewMemberRequest request;
      request.set_crew_member_id(kCrewMember + suffix);
      v1::GetCrewMemberResponse response;
      ExpectRefused(Describe("GetCrewMember", "crew_member_id", kCrewMember + suffix),
                    Call(*scheduling_, &Scheduling::GetCrewMember, request, &response, admin()));
    }
    {
      v1::UpdateCrewMemberRequest request;
      request.mutable_crew_member()->set_crew_member_id(kCrewMember + suffix);
      request.mutable_crew_member()->set_display_name("Renamed through a NUL");
      request.mutable_crew_member()->add_skills(v1::SKILL_AUDIO);
      v1::UpdateCrewMemberResponse response;
      ExpectRefused(
          Describe("UpdateCrewMember", "crew_member.crew_member_id", kCrewMember + suffix),
          Call(*scheduling_, &Scheduling::UpdateCrewMember, request, &response, admin()));
    }
    {
      v1::UpdateVehicleRequest request;
      request.mutable_vehicle()->set_vehicle_id(kVehicle + suffix);
      request.mutable_vehicle()->set_display_name("Renamed through a NUL");
      request.mutable_vehicle()->set_vehicle_class(v1::VEHICLE_CLASS_VAN);
      v1::UpdateVehicleResponse response;
      ExpectRefused(Describe("UpdateVehicle", "vehicle.vehicle_id", kVehicle + suffix),
                    Call(*scheduling_, &Scheduling::UpdateVehicle, request, &response, admin()));
    }
    {
      v1::AddUnavailabilityRequest request;
      request.mutable_unavailability()->set_crew_member_id(kCrewMember + suffix);
      request.mutable_unavailability()->set_kind(v1::UNAVAILABILITY_KIND_OTHER);
      *request.mutable_unavailability()->mutable_window() = Window(6, 30);
      v1::AddUnavailabilityResponse response;
      ExpectRefused(
          Describe("AddUnavailability", "unavailability.crew_member_id", kCrewMember + suffix),
          Call(*scheduling_, &Scheduling::AddUnavailability, request, &response, admin()));
    }
    {
      v1::DeleteUnavailabilityRequest request;
      request.set_unavailability_id(unavailability_id_ + suffix);
      v1::DeleteUnavailabilityResponse response;
      ExpectRefused(
          Describe("DeleteUnavailability", "unavailability_id", unavailability_id_ + suffix),
          Call(*scheduling_, &Scheduling::DeleteUnavailability, request, &response, admin()));
    }
  }
  const v1::Job job_after = job_status(job_order);
  EXPECT_EQ(job_after.state(), job_before.state()) << "job of " << job_order;
  EXPECT_EQ(job_after.order_revision(), job_before.order_revision()) << "job of " << job_order;
  for (const v1::Task& task : job_after.tasks()) {
    if (task.task_id() == task_id) {
      EXPECT_NE(task.state(), v1::TASK_STATE_BLOCKED) << task_id;
    }
  }
  {
    v1::GetCrewMemberRequest request;
    request.set_crew_member_id(kCrewMember);
    v1::GetCrewMemberResponse response;
    ASSERT_TRUE(Call(*scheduling_, &Scheduling::GetCrewMember, request, &response, admin()).ok());
    EXPECT_EQ(response.crew_member().display_name(), kCrewMember);
    v1::GetVehicleRequest vehicle;
    vehicle.set_vehicle_id(kVehicle);
    v1::GetVehicleResponse vehicle_response;
    ASSERT_TRUE(
        Call(*scheduling_, &Scheduling::GetVehicle, vehicle, &vehicle_response, admin()).ok());
    EXPECT_EQ(vehicle_response.vehicle().display_name(), "Box truck");
    v1::ListUnavailabilityRequest unavailability;
    unavailability.set_page_size(1000);
    v1::ListUnavailabilityResponse listed;
    ASSERT_TRUE(
        Call(*scheduling_, &Scheduling::ListUnavailability, unavailability, &listed, admin()).ok());
    ASSERT_GE(listed.unavailability_size(), 1) << unavailability_id_ << " was deleted";
    EXPECT_EQ(listed.unavailability_size(), 1) << "an unavailability was added to " << kCrewMember;
    EXPECT_EQ(listed.unavailability(0).unavailability_id(), unavailability_id_);
  }
}

// A reservation (by its order's id), the item and the product stay as they were.
TEST_F(HostileInputTest, AnInventoryIdWithANulInItNeverReachesTheRecord) {
  using Inventory = v1::InventoryService::Stub;
  const std::string reserved_order = "NUL-PROBE-RESERVATION";
  v1::ReserveRequest reserve;
  reserve.set_order_id(reserved_order);
  reserve.set_order_revision(1);
  v1::InventoryLine* line = reserve.add_lines();
  line->set_inventory_code(kItem);
  line->set_quantity(3);
  *reserve.mutable_window() = Window(6, 30);
  v1::ReserveResponse reserved;
  grpc::Status status = Call(*inventory_, &Inventory::Reserve, reserve, &reserved, admin());
  ASSERT_TRUE(status.ok()) << status.error_message();
  const int free_before = FirmlyFree();
  for (const std::string& suffix : NulSuffixes()) {
    const std::string id = reserved_order + suffix;
    {
      v1::ReleaseRequest request;
      request.set_order_id(id);
      request.set_reason("releasing another order's stock");
      v1::ReleaseResponse response;
      ExpectRefused(Describe("Release", "order_id", id),
                    Call(*inventory_, &Inventory::Release, request, &response, admin()));
    }
    {
      v1::ReserveRequest request = reserve;
      request.set_order_id(id);
      request.set_order_revision(2);
      request.mutable_lines(0)->set_quantity(1);
      v1::ReserveResponse response;
      ExpectRefused(Describe("Reserve", "order_id", id),
                    Call(*inventory_, &Inventory::Reserve, request, &response, admin()));
    }
    {
      v1::GetPullSheetRequest request;
      request.set_order_id(id);
      v1::GetPullSheetResponse response;
      ExpectRefused(Describe("GetPullSheet", "order_id", id),
                    Call(*inventory_, &Inventory::GetPullSheet, request, &response, admin()));
    }
    {
      v1::RecordPrepRequest request;
      request.set_order_id(id);
      v1::PrepCount* count = request.add_counts();
      count->set_inventory_code(kItem);
      count->set_pulled_quantity(1);
      v1::RecordPrepResponse response;
      ExpectRefused(Describe("RecordPrep", "order_id", id),
                    Call(*inventory_, &Inventory::RecordPrep, request, &response, admin()));
    }
    {
      v1::CheckOutRequest request;
      request.set_order_id(id);
      v1::CheckOutResponse response;
      ExpectRefused(Describe("CheckOut", "order_id", id),
                    Call(*inventory_, &Inventory::CheckOut, request, &response, admin()));
    }
    {
      v1::UpsertItemRequest request;
      request.mutable_item()->set_inventory_code(kItem + suffix);
      request.mutable_item()->set_description("overwritten through a NUL");
      request.mutable_item()->set_quantity_owned(1);
      v1::UpsertItemResponse response;
      ExpectRefused(Describe("UpsertItem", "item.inventory_code", kItem + suffix),
                    Call(*inventory_, &Inventory::UpsertItem, request, &response, admin()));
    }
    {
      v1::DeleteItemRequest request;
      request.set_inventory_code(kItem + suffix);
      v1::DeleteItemResponse response;
      ExpectRefused(Describe("DeleteItem", "inventory_code", kItem + suffix),
                    Call(*inventory_, &Inventory::DeleteItem, request, &response, admin()));
    }
    {
      v1::DeleteProductRequest request;
      request.set_product_code(kProduct + suffix);
      v1::DeleteProductResponse response;
      ExpectRefused(Describe("DeleteProduct", "product_code", kProduct + suffix),
                    Call(*inventory_, &Inventory::DeleteProduct, request, &response, admin()));
    }
  }
  EXPECT_EQ(FirmlyFree(), free_before) << "the reservation of " << reserved_order << " changed";
  {
    v1::GetItemRequest request;
    request.set_inventory_code(kItem);
    v1::GetItemResponse response;
    ASSERT_TRUE(Call(*inventory_, &Inventory::GetItem, request, &response, admin()).ok());
    EXPECT_EQ(response.item().quantity_owned(), kItemsOwned);
    v1::GetProductRequest product;
    product.set_product_code(kProduct);
    v1::GetProductResponse product_response;
    EXPECT_TRUE(
        Call(*inventory_, &Inventory::GetProduct, product, &product_response, admin()).ok());
  }
}

// The subscription is not deleted.
TEST_F(HostileInputTest, ASubscriptionIdWithANulInItNeverReachesTheSubscription) {
  for (const std::string& suffix : NulSuffixes()) {
    v1::DeleteSubscriptionRequest request;
    request.set_subscription_id(subscription_id_ + suffix);
    v1::DeleteSubscriptionResponse response;
    ExpectRefused(Describe("DeleteSubscription", "subscription_id", subscription_id_ + suffix),
                  Call(*notification_, &v1::NotificationService::Stub::DeleteSubscription, request,
                       &response, admin()));
  }
  v1::ListSubscriptionsRequest list;
  list.set_page_size(1000);
  v1::ListSubscriptionsResponse subscriptions;
  ASSERT_TRUE(Call(*notification_, &v1::NotificationService::Stub::ListSubscriptions, list,
                   &subscriptions, admin())
                  .ok());
  bool still_there = false;
  for (const v1::Subscription& subscription : subscriptions.subscriptions()) {
    still_there = still_there || subscription.subscription_id() == subscription_id_;
  }
  EXPECT_TRUE(still_there) << "subscription " << subscription_id_ << " was deleted";
}

}  // namespace
}  // namespace salesops::testing
