// A real Prometheus (Debian's package) scrapes the four real services on loopback, with the
// shipped scrape config (deploy/prometheus/prometheus.yml, targets pointed at the test's ports)
// and the shipped rules. Then: promtool accepts every /metrics page, the traffic shows up per
// service, every rule evaluates without error, and every PromQL expression of the Grafana
// dashboard runs against what the services really expose.
#include <arpa/inet.h>
#include <curl/curl.h>
#include <google/protobuf/util/time_util.h>
#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "salesops/v1/inventory.grpc.pb.h"
#include "services/common/generic_call.h"
#include "tests/support/test_support.h"

namespace salesops::testing {
namespace {

namespace fs = std::filesystem;
using google::protobuf::util::TimeUtil;
using nlohmann::json;

const fs::path kSource = SALESOPS_SOURCE_DIR;
const fs::path kPrometheusDir = kSource / "deploy" / "prometheus";
const std::vector<std::string> kServices = {"inventory", "scheduling", "notification",
                                            "order-intake"};

// One call each service answers with an admin token, by full method name.
const std::map<std::string, std::string> kTrafficMethod = {
    {"inventory", "/salesops.v1.InventoryService/ListItems"},
    {"scheduling", "/salesops.v1.SchedulingService/ListCrewMembers"},
    {"notification", "/salesops.v1.NotificationService/ListSubscriptions"},
    {"order-intake", "/salesops.v1.OrderIntakeService/ListOrders"},
};

// Metrics that the dashboard and the rules use and that are announced but not exposed by every
// service yet (outbox relay, notification deliveries, order-intake's pipeline). Queries on them
// must still run; a name outside this list that no service exposes is a typo and fails.
const std::set<std::string> kAnnouncedMetrics = {
    "salesops_outbox_pending_events",
    "salesops_outbox_oldest_pending_age_seconds",
    "salesops_outbox_relayed_total",
    "salesops_notification_events_received_total",
    "salesops_notification_deliveries_total",
    "salesops_notification_delivery_seconds",
    "salesops_notification_dead_letters_total",
    "salesops_notification_stream_subscribers",
    "salesops_orders",
    "salesops_order_confirmations_total",
    // Client-side gRPC metrics appear with a service's first call to another one (the outbox
    // relay, order-intake's calls), which this branch's services do not make yet.
    "grpc_client_handled_total",
    "grpc_client_handling_seconds",
};

size_t AppendToString(char* data, size_t size, size_t count, void* target) {
  static_cast<std::string*>(target)->append(data, size * count);
  return size * count;
}

// GET `url`; returns the HTTP status (0 when nothing answered).
long HttpGet(const std::string& url, std::string* body) {
  body->clear();
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendToString);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  }
  curl_easy_cleanup(curl);
  return status;
}

std::string UrlEncode(const std::string& text) {
  CURL* curl = curl_easy_init();
  char* escaped = curl_easy_escape(curl, text.c_str(), static_cast<int>(text.size()));
  std::string result = escaped;
  curl_free(escaped);
  curl_easy_cleanup(curl);
  return result;
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Every PromQL expression of a Grafana dashboard: panel targets (rows' nested panels too).
void CollectExpressions(const json& panels, std::vector<std::string>* expressions) {
  for (const json& panel : panels) {
    if (panel.contains("targets")) {
      for (const json& target : panel["targets"]) {
        if (target.contains("expr")) expressions->push_back(target["expr"].get<std::string>());
      }
    }
    if (panel.contains("panels")) CollectExpressions(panel["panels"], expressions);
  }
}

// Grafana's variables as Grafana would expand them with every service selected.
std::string ExpandVariables(std::string expression) {
  const std::vector<std::pair<std::string, std::string>> variables = {
      {"$__rate_interval", "1m"}, {"${service}", ".*"}, {"$service", ".*"}};
  for (const auto& [name, value] : variables) {
    for (size_t at = expression.find(name); at != std::string::npos;
         at = expression.find(name, at + value.size())) {
      expression.replace(at, name.size(), value);
    }
  }
  return expression;
}

// The metric names an expression reads (salesops_* and grpc_server_*/grpc_client_* ones; the
// grpc_code-style names are labels). Histogram series map to their family.
std::set<std::string> MetricNames(const std::string& expression) {
  static const std::regex name(R"(\b(salesops_[a-z0-9_]+|grpc_(server|client)_[a-z0-9_]+)\b)");
  static const std::regex histogram_part("_(bucket|sum|count)$");
  std::set<std::string> names;
  for (auto it = std::sregex_iterator(expression.begin(), expression.end(), name);
       it != std::sregex_iterator(); ++it) {
    names.insert(std::regex_replace(it->str(), histogram_part, ""));
  }
  return names;
}

class DeployPrometheusTest : public ::testing::Test {
 protected:
  struct Running {
    std::unique_ptr<TestDatabase> database;
    std::unique_ptr<ServiceProcess> process;
  };

  static void SetUpTestSuite() {
    services_ = new std::map<std::string, Running>();
    for (const std::string& service : kServices) {
      Running& running = (*services_)[service];
      running.database = std::make_unique<TestDatabase>();
      running.process = std::make_unique<ServiceProcess>(
          ServiceBinary(service),
          ServiceArgs(running.database->url(), running.database->server().password_file, tokens_));
    }
    for (auto& [service, running] : *services_) {
      ASSERT_TRUE(running.process->WaitUntilStarted()) << running.process->log();
      ASSERT_TRUE(WaitForHealth(running.process->address(), "SERVING", std::chrono::seconds(30)))
          << running.process->log();
    }
    SendTraffic();
    ReserveMoreThanExists();
    StartPrometheus();
    // Keep calling while the tests query, so rates over the last minute are not zero; bounded
    // in count, and stopped by TearDownTestSuite.
    traffic_ = new std::thread([] {
      for (int round = 0; round < 3000 && !stop_traffic_; ++round) {
        SendTraffic();
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    });
  }

  static void TearDownTestSuite() {
    stop_traffic_ = true;
    if (traffic_ != nullptr) traffic_->join();
    delete traffic_;
    traffic_ = nullptr;
    delete prometheus_;
    prometheus_ = nullptr;
    delete services_;
    services_ = nullptr;
    if (!work_dir_.empty()) fs::remove_all(work_dir_);
  }

  // Calls each service with an admin token (answered) and without one (UNAUTHENTICATED):
  // both end up in grpc_server_handled_total.
  static void SendTraffic() {
    // One channel per service for the whole suite: a new connection per round would churn
    // through local ports that other tests' servers pick.
    static auto* channels = new std::map<std::string, std::shared_ptr<grpc::Channel>>();
    for (auto& [service, running] : *services_) {
      auto& channel = (*channels)[service];
      if (!channel) {
        channel =
            grpc::CreateChannel(running.process->address(), grpc::InsecureChannelCredentials());
      }
      for (int call = 0; call < 2; ++call) {
        for (const std::string& token : {tokens_.admin, std::string()}) {
          grpc::ClientContext context;
          context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
          if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
          common::CallUnaryBytes(channel, context, kTrafficMethod.at(service), "", nullptr);
        }
      }
    }
  }

  // A firm reservation of more panels than inventory owns: refused, and counted as a refused
  // reservation and a shortage (the dashboard's inventory panels).
  static void ReserveMoreThanExists() {
    auto stub = v1::InventoryService::NewStub(grpc::CreateChannel(
        services_->at("inventory").process->address(), grpc::InsecureChannelCredentials()));
    auto call = [&](auto method, const auto& request, auto* response) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      context.AddMetadata("authorization", "Bearer " + tokens_.admin);
      return ((*stub).*method)(&context, request, response);
    };
    v1::UpsertItemRequest item;
    item.mutable_item()->set_inventory_code("LED-PANEL-500");
    item.mutable_item()->set_description("LED video panel 500 x 500 mm");
    item.mutable_item()->set_category("video");
    item.mutable_item()->set_quantity_owned(4);
    item.mutable_item()->set_tracking(v1::TRACKING_MODE_SERIALIZED);
    v1::UpsertItemResponse upserted;
    ASSERT_TRUE(call(&v1::InventoryService::Stub::UpsertItem, item, &upserted).ok());
    v1::ReserveRequest reserve;
    reserve.set_order_id("ORDER-1");
    reserve.set_order_revision(1);
    auto* line = reserve.add_lines();
    line->set_inventory_code("LED-PANEL-500");
    line->set_quantity(10);
    int64_t now = TimeUtil::GetCurrentTime().seconds();
    *reserve.mutable_window()->mutable_not_before() = TimeUtil::SecondsToTimestamp(now + 86400);
    *reserve.mutable_window()->mutable_no_later_than() =
        TimeUtil::SecondsToTimestamp(now + 2 * 86400);
    v1::ReserveResponse reserved;
    EXPECT_FALSE(call(&v1::InventoryService::Stub::Reserve, reserve, &reserved).ok());
  }

  // The shipped scrape config with its targets replaced by the test's ports and a 1 s cadence,
  // and the shipped rule files.
  static void StartPrometheus() {
    work_dir_ = fs::temp_directory_path() / ("salesops-prometheus-" + std::to_string(getpid()));
    fs::create_directories(work_dir_ / "data");
    YAML::Node config = YAML::LoadFile((kPrometheusDir / "prometheus.yml").string());
    config["global"]["scrape_interval"] = "1s";
    config["global"]["evaluation_interval"] = "1s";
    YAML::Node rule_files(YAML::NodeType::Sequence);
    for (const YAML::Node& file : config["rule_files"]) {
      rule_files.push_back((kPrometheusDir / file.as<std::string>()).string());
    }
    config["rule_files"] = rule_files;
    for (YAML::Node job : config["scrape_configs"]) {
      std::string service = job["static_configs"][0]["labels"]["service"].as<std::string>("");
      ASSERT_TRUE(services_->count(service)) << "job " << job["job_name"] << " has no service";
      YAML::Node targets(YAML::NodeType::Sequence);
      targets.push_back("127.0.0.1:" +
                        std::to_string(services_->at(service).process->metrics_port()));
      job["static_configs"][0]["targets"] = targets;
    }
    {
      std::ofstream out(work_dir_ / "prometheus.yml");
      out << config;
    }
    prometheus_port_ = FreePort();
    prometheus_ = new ServiceProcess(
        "/usr/bin/prometheus",
        {"--config.file=" + (work_dir_ / "prometheus.yml").string(),
         "--storage.tsdb.path=" + (work_dir_ / "data").string(),
         "--web.listen-address=127.0.0.1:" + std::to_string(prometheus_port_), "--log.level=warn"});
    std::string body;
    ASSERT_TRUE(PollUntil([&] { return HttpGet(PrometheusUrl("/-/ready"), &body) == 200; }))
        << "Prometheus did not become ready:\n"
        << prometheus_->log();
  }

  static std::string PrometheusUrl(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(prometheus_port_) + path;
  }

  // Polls `done` every 200 ms; false after 90 s (a bound for a broken setup, not a measurement).
  template <typename Done>
  static bool PollUntil(Done done) {
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (std::chrono::steady_clock::now() < give_up) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }

  // /api/v1/query at the current time; the whole answer (status, data or error).
  static json Query(const std::string& expression) {
    std::string body;
    long status = HttpGet(PrometheusUrl("/api/v1/query?query=" + UrlEncode(expression)), &body);
    json answer = json::parse(body, nullptr, false);
    if (answer.is_discarded()) answer = json{{"status", "http " + std::to_string(status)}};
    return answer;
  }

  static std::set<std::string> LabelValues(const json& answer, const std::string& label) {
    std::set<std::string> values;
    if (answer.value("status", "") != "success") return values;
    for (const json& sample : answer["data"]["result"]) {
      if (sample["metric"].contains(label)) values.insert(sample["metric"][label]);
    }
    return values;
  }

  static std::set<std::string> AllServices() {
    return std::set<std::string>(kServices.begin(), kServices.end());
  }

  static inline std::map<std::string, Running>* services_ = nullptr;
  static inline ServiceProcess* prometheus_ = nullptr;
  static inline int prometheus_port_ = 0;
  static inline fs::path work_dir_;
  static inline TestTokens tokens_;
  static inline std::thread* traffic_ = nullptr;
  static inline std::atomic<bool> stop_traffic_{false};
};

TEST_F(DeployPrometheusTest, PromtoolAcceptsEveryServicesMetrics) {
  for (auto& [service, running] : *services_) {
    std::string page = FetchMetrics(running.process->metrics_port());
    ASSERT_NE(page.find("grpc_server_handled_total"), std::string::npos) << service;
    fs::path file = work_dir_ / (service + ".metrics");
    std::ofstream(file) << page;
    std::string output;
    int status = RunCommand("promtool check metrics < '" + file.string() + "' 2>&1", &output);
    EXPECT_EQ(status, 0) << service << ":\n" << output;
  }
}

TEST_F(DeployPrometheusTest, ScrapesTheTrafficOfEveryService) {
  std::set<std::string> seen;
  ASSERT_TRUE(PollUntil([&] {
    seen = LabelValues(Query("count by (service) (grpc_server_handled_total)"), "service");
    return seen == AllServices();
  })) << "services seen: "
      << seen.size() << "\n"
      << prometheus_->log();

  for (const std::string& service : kServices) {
    std::string method = kTrafficMethod.at(service);
    std::string grpc_service = method.substr(1, method.rfind('/') - 1);
    std::string grpc_method = method.substr(method.rfind('/') + 1);
    json answer = Query("sum by (grpc_code) (grpc_server_handled_total{job=\"salesops-" + service +
                        "\",grpc_service=\"" + grpc_service + "\",grpc_method=\"" + grpc_method +
                        "\",grpc_type=\"unary\"})");
    std::set<std::string> codes = LabelValues(answer, "grpc_code");
    // The calls without a token were refused, and counted, with go-grpc-prometheus spelling.
    EXPECT_TRUE(codes.count("Unauthenticated")) << service << ": " << answer.dump();
    EXPECT_GE(codes.size(), 2u) << service << ": the admin calls are counted too";
  }
  EXPECT_EQ(LabelValues(Query("up{job=~\"salesops-.*\"} == 1"), "service"), AllServices());
  EXPECT_EQ(LabelValues(Query("salesops_db_up == 1"), "service"), AllServices());
}

TEST_F(DeployPrometheusTest, EveryRuleEvaluatesWithoutErrors) {
  json groups;
  ASSERT_TRUE(PollUntil([&] {
    std::string body;
    if (HttpGet(PrometheusUrl("/api/v1/rules"), &body) != 200) return false;
    groups = json::parse(body)["data"]["groups"];
    if (groups.empty()) return false;
    for (const json& group : groups) {
      for (const json& rule : group["rules"]) {
        if (rule.value("lastEvaluation", "").rfind("0001-", 0) == 0) return false;
      }
    }
    return true;
  })) << "rules never all evaluated:\n"
      << groups.dump(1);
  int rules = 0;
  for (const json& group : groups) {
    for (const json& rule : group["rules"]) {
      ++rules;
      EXPECT_EQ(rule.value("health", ""), "ok")
          << rule.value("name", "") << ": " << rule.value("lastError", "");
    }
  }
  EXPECT_GE(rules, 10);

  // The recording rules the alerts read produce series for every service from real metrics.
  std::set<std::string> recorded;
  ASSERT_TRUE(PollUntil([&] {
    recorded = LabelValues(Query("service_grpc_method:grpc_server_requests:rate5m > 0"), "service");
    return recorded == AllServices();
  })) << recorded.size();
  EXPECT_FALSE(
      Query("service_grpc_method:grpc_server_error_ratio:rate5m")["data"]["result"].empty());
}

TEST_F(DeployPrometheusTest, EveryDashboardQueryRunsAgainstTheRealMetrics) {
  json dashboard = json::parse(ReadText(kSource / "deploy" / "grafana" / "salesops.json"));
  std::vector<std::string> expressions;
  CollectExpressions(dashboard["panels"], &expressions);
  ASSERT_GE(expressions.size(), 20u);

  // What the services expose now (the # TYPE lines of their /metrics), and what the rules record.
  std::set<std::string> exposed;
  for (auto& [service, running] : *services_) {
    std::istringstream page(FetchMetrics(running.process->metrics_port()));
    for (std::string line; std::getline(page, line);) {
      std::istringstream words(line);
      std::string hash, type, name;
      if (words >> hash >> type >> name && hash == "#" && type == "TYPE") exposed.insert(name);
    }
  }
  ASSERT_TRUE(exposed.count("salesops_scheduling_tasks_at_risk"));

  // Wait until rates have two samples, so the gRPC panels can be expected to show data.
  ASSERT_TRUE(PollUntil(
      [&] { return !Query("rate(grpc_server_handled_total[1m]) > 0")["data"]["result"].empty(); }));

  for (const std::string& expression : expressions) {
    std::string expanded = ExpandVariables(expression);
    EXPECT_EQ(expanded.find('$'), std::string::npos) << "unexpanded variable in " << expression;
    json answer = Query(expanded);
    EXPECT_EQ(answer.value("status", ""), "success") << expanded << "\n"
                                                     << answer.value("error", answer.dump());
    bool only_grpc_server = true;
    for (const std::string& name : MetricNames(expression)) {
      EXPECT_TRUE(exposed.count(name) || kAnnouncedMetrics.count(name))
          << name << " (in " << expression << ") is exposed by no service";
      only_grpc_server = only_grpc_server && name.rfind("grpc_server_", 0) == 0;
    }
    // The test's traffic reaches every service, so the gRPC server panels show data (all but
    // the server-error ones: nothing fails here).
    if (only_grpc_server && expression.find("grpc_code=~") == std::string::npos) {
      EXPECT_FALSE(answer["data"]["result"].empty()) << expanded;
    }
  }

  // The service variable's query: label_values(grpc_server_handled_total, service).
  std::string body;
  ASSERT_EQ(HttpGet(PrometheusUrl("/api/v1/label/service/values?" + UrlEncode("match[]") + "=" +
                                  UrlEncode("grpc_server_handled_total")),
                    &body),
            200)
      << body;
  std::set<std::string> values;
  json answer = json::parse(body);
  for (const json& value : answer["data"]) values.insert(value.get<std::string>());
  EXPECT_EQ(values, AllServices()) << body;
}

TEST_F(DeployPrometheusTest, TasksAtRiskReportsEveryReasonFromScheduling) {
  std::set<std::string> reasons;
  ASSERT_TRUE(PollUntil([&] {
    reasons = LabelValues(Query("salesops_scheduling_tasks_at_risk{service=\"scheduling\"} == 0"),
                          "reason");
    return reasons.size() == 7;
  })) << reasons.size();
  EXPECT_TRUE(reasons.count("no_skilled_crew_free"));
  EXPECT_TRUE(reasons.count("crew_pending"));
  EXPECT_TRUE(reasons.count("task_blocked"));
}

}  // namespace
}  // namespace salesops::testing
