// deploy/compose.yaml cannot be run here (no container engine), so its consistency with what
// is run is checked instead: each service runs its own binary from the one image built by
// deploy/Dockerfile, health-checked with salesopsctl, after a healthy PostgreSQL, on its own
// database; Prometheus's shipped scrape config targets exactly these containers' /metrics.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace salesops::testing {
namespace {

namespace fs = std::filesystem;
const fs::path kDeploy = fs::path(SALESOPS_SOURCE_DIR) / "deploy";

// A service's setting, its own or from the `<<: *service` block it merges (yaml-cpp reads a
// merge key as a plain "<<" entry).
YAML::Node Setting(const YAML::Node& service, const std::string& key) {
  if (service[key]) return service[key];
  if (service["<<"] && service["<<"][key]) return service["<<"][key];
  return YAML::Node();
}

std::string EnvValue(const YAML::Node& service, const std::string& name) {
  YAML::Node env = Setting(service, "environment");
  if (env[name]) return env[name].as<std::string>();
  if (env["<<"] && env["<<"][name]) return env["<<"][name].as<std::string>();
  return "";
}

TEST(DeployComposeTest, ServicesRunTheImageTheirWayAndPrometheusScrapesThem) {
  YAML::Node compose = YAML::LoadFile((kDeploy / "compose.yaml").string());
  YAML::Node services = compose["services"];
  ASSERT_TRUE(services.IsMap());
  ASSERT_TRUE(services["postgres"]["healthcheck"]["test"].IsSequence());

  std::set<std::string> images, host_ports;
  int builds = 0;
  for (const std::string name : {"inventory", "scheduling", "notification", "order-intake"}) {
    SCOPED_TRACE(name);
    YAML::Node service = services[name];
    ASSERT_TRUE(service.IsMap());
    EXPECT_EQ(Setting(service, "command")[0].as<std::string>(), "/usr/local/bin/salesops-" + name);
    images.insert(Setting(service, "image").as<std::string>());
    if (YAML::Node build = Setting(service, "build"); build.IsMap()) {
      ++builds;
      EXPECT_EQ(build["dockerfile"].as<std::string>(), "deploy/Dockerfile");
    }
    EXPECT_TRUE(Setting(service, "read_only").as<bool>(false));
    std::string health;
    for (const YAML::Node& word : Setting(service, "healthcheck")["test"]) {
      health += word.as<std::string>() + " ";
    }
    EXPECT_NE(health.find("/usr/local/bin/salesopsctl health"), std::string::npos) << health;
    EXPECT_EQ(Setting(service, "depends_on")["postgres"]["condition"].as<std::string>(),
              "service_healthy");
    std::string database = name;
    std::replace(database.begin(), database.end(), '-', '_');
    EXPECT_EQ(EnvValue(service, "SALESOPS_DATABASE_URL"),
              "postgresql://" + database + "@postgres:5432/" + database);
    EXPECT_FALSE(EnvValue(service, "SALESOPS_DATABASE_PASSWORD_FILE").empty());
    EXPECT_FALSE(EnvValue(service, "SALESOPS_TOKENS_FILE").empty());
    // Its own token (identity = its name, deploy/tokens.hashes) and no other service's.
    std::vector<std::string> tokens;
    for (const YAML::Node& volume : Setting(service, "volumes")) {
      std::string text = volume.as<std::string>();
      std::string source = text.substr(0, text.find(':'));
      if (source.size() > 6 && source.compare(source.size() - 6, 6, ".token") == 0) {
        tokens.push_back(text);
      }
    }
    EXPECT_EQ(tokens,
              std::vector<std::string>{"./" + name + ".token:" +
                                       EnvValue(service, "SALESOPS_SERVICE_TOKEN_FILE") + ":ro"});
    for (const YAML::Node& port : Setting(service, "ports")) {
      std::string host = port.as<std::string>().substr(0, port.as<std::string>().find(':'));
      EXPECT_TRUE(host_ports.insert(host).second) << "host port " << host << " used twice";
    }
  }
  EXPECT_EQ(images.size(), 1u) << "one image for the four services";
  EXPECT_EQ(builds, 1) << "the image is built once";

  // The image listens for /metrics on 9100 (Dockerfile ENV); Prometheus scrapes <service>:9100.
  std::ifstream dockerfile(kDeploy / "Dockerfile");
  std::stringstream text;
  text << dockerfile.rdbuf();
  EXPECT_NE(text.str().find("SALESOPS_METRICS_ADDRESS=0.0.0.0:9100"), std::string::npos);
  YAML::Node prometheus = YAML::LoadFile((kDeploy / "prometheus" / "prometheus.yml").string());
  std::map<std::string, std::string> targets;
  for (const YAML::Node& job : prometheus["scrape_configs"]) {
    targets[job["job_name"].as<std::string>()] =
        job["static_configs"][0]["targets"][0].as<std::string>();
    EXPECT_EQ(job["static_configs"][0]["targets"].size(), 1u);
  }
  EXPECT_EQ(targets, (std::map<std::string, std::string>{
                         {"salesops-inventory", "inventory:9100"},
                         {"salesops-scheduling", "scheduling:9100"},
                         {"salesops-notification", "notification:9100"},
                         {"salesops-order-intake", "order-intake:9100"},
                     }));
  EXPECT_TRUE(services["prometheus"].IsMap());
  EXPECT_TRUE(services["grafana"].IsMap());
}

}  // namespace
}  // namespace salesops::testing
