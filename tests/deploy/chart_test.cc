// The Helm chart, checked by the real Helm v4 (fetched by scripts/test): `helm lint --strict`
// and `helm template` with the default values and every charts/salesops/ci/*-values.yaml, then
// what a platform team checks by hand on the rendered objects. Values that break the schema
// must make `helm lint` fail.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "services/common/sha256.h"
#include "tests/support/test_support.h"

namespace salesops::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kChart = fs::path(SALESOPS_SOURCE_DIR) / "charts" / "salesops";

// Who calls whom over gRPC (DESIGN.md §3, written out here independently of the chart's own
// table, so a wrong table in the chart fails this test).
const std::map<std::string, std::set<std::string>> kCallers = {
    {"inventory", {"order-intake"}},
    {"scheduling", {"order-intake", "inventory"}},
    {"notification", {"inventory", "scheduling", "order-intake"}},
    {"order-intake", {"notification"}},
};

const std::set<std::string> kServices = {"inventory", "scheduling", "notification", "order-intake"};

std::string Helm() {
  const char* helm = std::getenv("SALESOPS_HELM");
  return helm != nullptr ? helm : "";
}

// Runs helm with `args`; stderr goes with stdout so failures explain themselves.
int RunHelm(const std::string& args, std::string* output) {
  return RunCommand(ShellQuote(Helm()) + " " + args + " 2>&1", output);
}

// The node at `path` under `node`, or a null node when any step is missing (yaml-cpp throws on
// chained lookups through a missing key).
YAML::Node Dig(const YAML::Node& node, std::initializer_list<std::string> path) {
  YAML::Node current = node;
  for (const std::string& key : path) {
    if (!current.IsMap() || !current[key]) return YAML::Node();
    current.reset(current[key]);  // rebind: plain assignment would overwrite the tree
  }
  return current;
}

// A scalar's text, "" for anything else (yaml-cpp spells a null node "null").
std::string Text(const YAML::Node& node) { return node.IsScalar() ? node.Scalar() : ""; }

struct Rendered {
  std::vector<YAML::Node> objects;
  std::string text;

  std::vector<YAML::Node> OfKind(const std::string& kind) const {
    std::vector<YAML::Node> found;
    for (const YAML::Node& object : objects) {
      if (object["kind"].as<std::string>() == kind) found.push_back(object);
    }
    return found;
  }
  // The object, or a null node when there is none (test with IsMap()).
  YAML::Node Named(const std::string& kind, const std::string& name) const {
    for (const YAML::Node& object : OfKind(kind)) {
      if (object["metadata"]["name"].as<std::string>() == name) return object;
    }
    return YAML::Node();
  }
};

// `helm template` of the chart as release "so" with `args`; fails the test on errors.
Rendered Template(const std::string& args) {
  Rendered rendered;
  int status = RunHelm("template so " + ShellQuote(kChart.string()) + " --namespace shop " + args,
                       &rendered.text);
  EXPECT_EQ(status, 0) << rendered.text;
  for (const YAML::Node& document : YAML::LoadAll(rendered.text)) {
    if (document.IsMap()) rendered.objects.push_back(document);
  }
  return rendered;
}

std::map<std::string, std::string> Labels(const YAML::Node& node) {
  std::map<std::string, std::string> labels;
  if (!node) return labels;
  for (const auto& entry : node)
    labels[entry.first.as<std::string>()] = entry.second.as<std::string>();
  return labels;
}

bool Selects(const std::map<std::string, std::string>& selector,
             const std::map<std::string, std::string>& labels) {
  if (selector.empty()) return false;
  for (const auto& [key, value] : selector) {
    auto found = labels.find(key);
    if (found == labels.end() || found->second != value) return false;
  }
  return true;
}

// A workload's pod template (Deployment, StatefulSet) or the Pod itself.
YAML::Node PodSpecOf(const YAML::Node& object) {
  if (object["kind"].as<std::string>() == "Pod") return object["spec"];
  return object["spec"]["template"]["spec"];
}

std::map<std::string, std::string> PodLabelsOf(const YAML::Node& object) {
  if (object["kind"].as<std::string>() == "Pod") return Labels(object["metadata"]["labels"]);
  return Labels(object["spec"]["template"]["metadata"]["labels"]);
}

std::vector<YAML::Node> Workloads(const Rendered& rendered) {
  std::vector<YAML::Node> workloads = rendered.OfKind("Deployment");
  for (const YAML::Node& set : rendered.OfKind("StatefulSet")) workloads.push_back(set);
  return workloads;
}

std::string NameOf(const YAML::Node& object) {
  return object["kind"].as<std::string>() + "/" + object["metadata"]["name"].as<std::string>();
}

// A setting from the container's own securityContext, else the pod's.
YAML::Node Effective(const YAML::Node& pod, const YAML::Node& container, const std::string& key) {
  YAML::Node own = Dig(container, {"securityContext", key});
  return own.IsNull() ? Dig(pod, {"securityContext", key}) : own;
}

// A file a container reads from a Secret volume.
struct SecretFile {
  std::string secret;
  std::string key;
  int mode = -1;  // the volume's defaultMode, -1 when unset
  bool read_only = false;
};

// The files `container` sees from Secret volumes, by path. Only volumes that list their items
// (every Secret volume of the chart does) count, so that each file's key is known.
std::map<std::string, SecretFile> SecretFiles(const YAML::Node& pod_spec,
                                              const YAML::Node& container) {
  std::map<std::string, SecretFile> files;
  for (const YAML::Node& mount : container["volumeMounts"]) {
    for (const YAML::Node& volume : pod_spec["volumes"]) {
      if (Text(volume["name"]) != Text(mount["name"]) || !volume["secret"]) continue;
      for (const YAML::Node& item : Dig(volume, {"secret", "items"})) {
        SecretFile file;
        file.secret = Text(volume["secret"]["secretName"]);
        file.key = Text(item["key"]);
        file.mode = volume["secret"]["defaultMode"].as<int>(-1);
        file.read_only = mount["readOnly"].as<bool>(false);
        files[Text(mount["mountPath"]) + "/" + Text(item["path"])] = file;
      }
    }
  }
  return files;
}

// The value of the container's environment variable `name` ("" when unset or not a literal).
std::string EnvOf(const YAML::Node& container, const std::string& name) {
  for (const YAML::Node& env : container["env"]) {
    if (Text(env["name"]) == name) return Text(Dig(env, {"value"}));
  }
  return "";
}

std::vector<std::string> Words(const YAML::Node& list) {
  return list.IsSequence() ? list.as<std::vector<std::string>>() : std::vector<std::string>{};
}

// The value of `flag` among command-line words ("--flag=value" or "--flag value"), or nullopt.
std::optional<std::string> FlagValue(const std::vector<std::string>& words,
                                     const std::string& flag) {
  for (size_t i = 0; i < words.size(); ++i) {
    if (words[i].rfind(flag + "=", 0) == 0) return words[i].substr(flag.size() + 1);
    if (words[i] == flag && i + 1 < words.size()) return words[i + 1];
  }
  return std::nullopt;
}

const std::vector<std::string> kTlsFlags = {"--tls-cert-file", "--tls-key-file", "--tls-ca-file"};

// The TLS flags among `words` and their values.
std::map<std::string, std::string> TlsFlagsOf(const std::vector<std::string>& words) {
  std::map<std::string, std::string> flags;
  for (const std::string& flag : kTlsFlags) {
    if (auto value = FlagValue(words, flag)) flags[flag] = *value;
  }
  return flags;
}

bool HasEnv(const YAML::Node& container, const std::string& name) {
  for (const YAML::Node& env : container["env"]) {
    if (Text(env["name"]) == name) return true;
  }
  return false;
}

// `node` as text with every map's keys sorted, so that two renderings of one value compare
// equal whatever order their keys were written in.
std::string Canonical(const YAML::Node& node) {
  if (node.IsMap()) {
    std::map<std::string, std::string> entries;
    for (const auto& entry : node) entries[entry.first.Scalar()] = Canonical(entry.second);
    std::string text = "{";
    for (const auto& [key, value] : entries) text += key + ":" + value + ",";
    return text + "}";
  }
  if (node.IsSequence()) {
    std::string text = "[";
    for (const YAML::Node& item : node) text += Canonical(item) + ",";
    return text + "]";
  }
  return Text(node);
}

// The file the service reads its own bearer token from, as mounted.
SecretFile ServiceTokenFile(const YAML::Node& deployment) {
  YAML::Node spec = PodSpecOf(deployment);
  YAML::Node container = spec["containers"][0];
  std::string path = EnvOf(container, "SALESOPS_SERVICE_TOKEN_FILE");
  auto files = SecretFiles(spec, container);
  auto found = files.find(path);
  EXPECT_NE(found, files.end()) << NameOf(deployment) << ": its token file " << path
                                << " is not mounted from a Secret";
  return found == files.end() ? SecretFile() : found->second;
}

// Every token key the pod's Secret volumes project (mounted or not).
std::set<std::string> TokenKeysOf(const YAML::Node& deployment) {
  std::set<std::string> keys;
  for (const YAML::Node& volume : PodSpecOf(deployment)["volumes"]) {
    for (const YAML::Node& item : Dig(volume, {"secret", "items"})) {
      std::string key = Text(item["key"]);
      if (key.size() > 6 && key.compare(key.size() - 6, 6, ".token") == 0) keys.insert(key);
    }
  }
  return keys;
}

// What every rendering must satisfy, whatever the values.
void ExpectWellFormed(const Rendered& rendered) {
  ASSERT_FALSE(rendered.objects.empty());
  std::regex dns_label("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  for (const YAML::Node& object : rendered.objects) {
    std::string name = object["metadata"]["name"].as<std::string>();
    EXPECT_TRUE(std::regex_match(name, dns_label) && name.size() <= 63) << NameOf(object);
    auto labels = Labels(object["metadata"]["labels"]);
    for (const char* key : {"app.kubernetes.io/name", "app.kubernetes.io/instance",
                            "app.kubernetes.io/managed-by", "helm.sh/chart"}) {
      EXPECT_TRUE(labels.count(key)) << NameOf(object) << " lacks label " << key;
    }
  }

  std::vector<YAML::Node> pods = Workloads(rendered);
  for (const YAML::Node& pod : rendered.OfKind("Pod")) pods.push_back(pod);
  for (const YAML::Node& object : pods) {
    YAML::Node spec = PodSpecOf(object);
    bool hook = Dig(object, {"metadata", "annotations", "helm.sh/hook"}).IsScalar();
    ASSERT_TRUE(spec["containers"].IsSequence()) << NameOf(object);
    for (const YAML::Node& container : spec["containers"]) {
      std::string where = NameOf(object) + " container " + container["name"].as<std::string>();
      // A `helm test` pod runs one check and exits: probes have nothing to watch there.
      if (!hook) {
        for (const char* probe : {"startupProbe", "readinessProbe", "livenessProbe"}) {
          EXPECT_TRUE(container[probe].IsMap()) << where << " has no " << probe;
        }
      }
      EXPECT_TRUE(Dig(container, {"resources", "requests", "cpu"}).IsScalar()) << where;
      EXPECT_TRUE(Dig(container, {"resources", "requests", "memory"}).IsScalar()) << where;
      EXPECT_TRUE(Dig(container, {"resources", "limits", "memory"}).IsScalar()) << where;

      YAML::Node security = container["securityContext"];
      ASSERT_TRUE(security.IsMap()) << where << " has no securityContext";
      EXPECT_FALSE(security["allowPrivilegeEscalation"].as<bool>(true)) << where;
      EXPECT_TRUE(security["readOnlyRootFilesystem"].as<bool>(false)) << where;
      EXPECT_FALSE(security["privileged"].as<bool>(false)) << where;
      auto drop =
          security["capabilities"]["drop"].as<std::vector<std::string>>(std::vector<std::string>{});
      EXPECT_NE(std::find(drop.begin(), drop.end(), "ALL"), drop.end()) << where;
      EXPECT_TRUE(Effective(spec, container, "runAsNonRoot").as<bool>(false)) << where;
      EXPECT_EQ(Text(Dig(Effective(spec, container, "seccompProfile"), {"type"})), "RuntimeDefault")
          << where;

      std::string image = container["image"].as<std::string>();
      bool pinned = image.find('@') != std::string::npos;
      std::string last = image.substr(image.find_last_of('/') + 1);
      EXPECT_TRUE(pinned || last.find(':') != std::string::npos) << where << ": untagged " << image;
      EXPECT_FALSE(image.size() >= 7 && image.substr(image.size() - 7) == ":latest") << where;
    }
    EXPECT_FALSE(spec["automountServiceAccountToken"].as<bool>(true)) << NameOf(object);
  }

  for (const YAML::Node& workload : Workloads(rendered)) {
    auto selector = Labels(workload["spec"]["selector"]["matchLabels"]);
    EXPECT_TRUE(Selects(selector, PodLabelsOf(workload)))
        << NameOf(workload) << ": selector does not match its pod labels";
  }

  for (const YAML::Node& service : rendered.OfKind("Service")) {
    auto selector = Labels(service["spec"]["selector"]);
    std::vector<YAML::Node> selected;
    for (const YAML::Node& workload : Workloads(rendered)) {
      if (Selects(selector, PodLabelsOf(workload))) selected.push_back(workload);
    }
    ASSERT_EQ(selected.size(), 1u) << NameOf(service) << " must select exactly one workload";
    std::set<std::string> container_ports;
    for (const YAML::Node& container : PodSpecOf(selected[0])["containers"]) {
      for (const YAML::Node& port : container["ports"]) {
        container_ports.insert(Text(Dig(port, {"name"})));
      }
    }
    for (const YAML::Node& port : service["spec"]["ports"]) {
      std::string name = Text(Dig(port, {"name"}));
      EXPECT_FALSE(name.empty()) << NameOf(service) << " has an unnamed port";
      std::string target = Text(Dig(port, {"targetPort"}));
      EXPECT_TRUE(container_ports.count(target))
          << NameOf(service) << " port " << name << " targets " << target
          << ", which its pods do not name";
    }
  }

  for (const YAML::Node& budget : rendered.OfKind("PodDisruptionBudget")) {
    auto selector = Labels(budget["spec"]["selector"]["matchLabels"]);
    int selected = 0;
    for (const YAML::Node& workload : Workloads(rendered)) {
      selected += Selects(selector, PodLabelsOf(workload)) ? 1 : 0;
    }
    EXPECT_EQ(selected, 1) << NameOf(budget);
  }

  for (const YAML::Node& hpa : rendered.OfKind("HorizontalPodAutoscaler")) {
    EXPECT_EQ(hpa["apiVersion"].as<std::string>(), "autoscaling/v2");
    std::string target = hpa["spec"]["scaleTargetRef"]["name"].as<std::string>();
    YAML::Node deployment = rendered.Named("Deployment", target);
    ASSERT_TRUE(deployment.IsMap()) << NameOf(hpa) << " scales a missing " << target;
    // The HPA owns the count: a replicas field would reset it on every upgrade.
    EXPECT_TRUE(Dig(deployment, {"spec", "replicas"}).IsNull()) << target;
    EXPECT_GE(hpa["spec"]["maxReplicas"].as<int>(), hpa["spec"]["minReplicas"].as<int>());
  }

  // The salesops containers: native gRPC probes on the gRPC port; readiness asks the overall
  // status (database included), liveness only whether the process serves. With TLS, which the
  // kubelet's gRPC probe cannot speak, salesopsctl health asks the same on localhost with the
  // pod's own certificate files.
  for (const YAML::Node& deployment : rendered.OfKind("Deployment")) {
    SCOPED_TRACE(NameOf(deployment));
    YAML::Node container = PodSpecOf(deployment)["containers"][0];
    int grpc_port = -1;
    for (const YAML::Node& port : container["ports"]) {
      if (port["name"].as<std::string>() == "grpc") grpc_port = port["containerPort"].as<int>();
    }
    auto tls = TlsFlagsOf(Words(container["args"]));
    for (const char* probe : {"startupProbe", "readinessProbe", "livenessProbe"}) {
      std::optional<std::string> service;  // the health name asked
      if (tls.empty()) {
        EXPECT_EQ(Dig(container, {probe, "grpc", "port"}).as<int>(-2), grpc_port) << probe;
        YAML::Node name = Dig(container, {probe, "grpc", "service"});
        if (!name.IsNull()) service = Text(name);
      } else {
        auto command = Words(Dig(container, {probe, "exec", "command"}));
        ASSERT_GE(command.size(), 3u) << probe << " is no salesopsctl health";
        EXPECT_EQ(command[0], "/usr/local/bin/salesopsctl") << probe;
        EXPECT_EQ(command[1], "health") << probe;
        EXPECT_EQ(command.back(), "localhost:" + std::to_string(grpc_port)) << probe;
        EXPECT_EQ(TlsFlagsOf(command), tls) << probe << " must present the server's own files";
        service = FlagValue(command, "--service");
      }
      if (std::string(probe) == "livenessProbe") {
        EXPECT_EQ(service.value_or(""), "liveness");
      } else {
        EXPECT_FALSE(service.has_value()) << probe << " must ask the overall status";
      }
    }
  }
}

// Every ConfigMap and Secret a pod refers to is rendered, or is one of `external` (secrets
// the user manages).
void ExpectReferencesResolve(const Rendered& rendered, const std::set<std::string>& external) {
  for (const YAML::Node& workload : Workloads(rendered)) {
    YAML::Node spec = PodSpecOf(workload);
    for (const YAML::Node& volume : spec["volumes"]) {
      if (volume["secret"]) {
        std::string name = volume["secret"]["secretName"].as<std::string>();
        YAML::Node secret = rendered.Named("Secret", name);
        EXPECT_TRUE(secret.IsMap() || external.count(name))
            << NameOf(workload) << " mounts missing Secret " << name;
        if (!secret.IsMap()) continue;
        for (const YAML::Node& item : Dig(volume, {"secret", "items"})) {
          std::string key = Text(item["key"]);
          EXPECT_TRUE(Dig(secret, {"stringData", key}).IsScalar() ||
                      Dig(secret, {"data", key}).IsScalar())
              << NameOf(workload) << " mounts " << key << ", which " << name << " lacks";
        }
      }
      if (volume["configMap"]) {
        std::string name = volume["configMap"]["name"].as<std::string>();
        EXPECT_TRUE(rendered.Named("ConfigMap", name).IsMap()) << NameOf(workload) << " " << name;
      }
    }
    for (const YAML::Node& container : spec["containers"]) {
      for (const YAML::Node& source : container["envFrom"]) {
        std::string name = source["configMapRef"]["name"].as<std::string>();
        EXPECT_TRUE(rendered.Named("ConfigMap", name).IsMap()) << NameOf(workload) << " " << name;
      }
      for (const YAML::Node& env : container["env"]) {
        YAML::Node reference = Dig(env, {"valueFrom", "secretKeyRef"});
        if (!reference.IsMap()) continue;
        std::string name = reference["name"].as<std::string>();
        std::string key = reference["key"].as<std::string>();
        if (external.count(name)) continue;
        YAML::Node secret = rendered.Named("Secret", name);
        ASSERT_TRUE(secret.IsMap()) << NameOf(workload) << " reads missing Secret " << name;
        EXPECT_TRUE(Dig(secret, {"stringData", key}).IsScalar() ||
                    Dig(secret, {"data", key}).IsScalar())
            << name << " lacks " << key;
      }
    }
  }
}

// The values combinations the chart is checked with: the defaults and charts/salesops/ci/.
std::vector<std::string> ValuesCombinations() {
  std::vector<std::string> combinations = {""};
  for (const auto& entry : fs::directory_iterator(kChart / "ci")) {
    if (entry.path().extension() == ".yaml") combinations.push_back(entry.path().string());
  }
  std::sort(combinations.begin(), combinations.end());
  return combinations;
}

std::string ValuesArgs(const std::string& values_file) {
  return values_file.empty() ? "" : "-f " + ShellQuote(values_file);
}

class DeployChartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(Helm().empty()) << "SALESOPS_HELM is not set: run the tests through scripts/test";
    ASSERT_TRUE(fs::exists(Helm())) << Helm();
  }
};

TEST_F(DeployChartTest, HelmIsVersion4) {
  std::string output;
  ASSERT_EQ(RunHelm("version --short", &output), 0) << output;
  EXPECT_EQ(output.rfind("v4.", 0), 0u) << output;
}

TEST_F(DeployChartTest, LintStrictPassesForEveryValuesCombination) {
  std::vector<std::string> combinations = ValuesCombinations();
  // The defaults and at least: all optional parts on, HPA on, existing secrets.
  ASSERT_GE(combinations.size(), 4u);
  for (const std::string& values : combinations) {
    std::string output;
    EXPECT_EQ(
        RunHelm("lint --strict " + ShellQuote(kChart.string()) + " " + ValuesArgs(values), &output),
        0)
        << (values.empty() ? "default values" : values) << "\n"
        << output;
  }
}

// The Secrets each ci/ values file names but leaves to the user.
const std::map<std::string, std::set<std::string>> kExternalSecrets = {
    {"existing-secrets-values.yaml",
     {"salesops-tokens", "salesops-inventory-db", "salesops-scheduling-db",
      "salesops-notification-db", "salesops-order-intake-db"}},
    {"production-values.yaml",
     {"salesops-inventory-db", "salesops-scheduling-db", "salesops-notification-db",
      "salesops-order-intake-db"}},
    {"security-values.yaml", {"salesops-tls", "salesops-order-intake-tls"}},
};

TEST_F(DeployChartTest, EveryValuesCombinationRendersWellFormedObjects) {
  for (const std::string& values : ValuesCombinations()) {
    SCOPED_TRACE(values.empty() ? "default values" : values);
    // With the Prometheus Operator's API present, so the ServiceMonitor is checked too.
    Rendered rendered = Template(ValuesArgs(values) + " --api-versions monitoring.coreos.com/v1");
    ExpectWellFormed(rendered);
    auto external = kExternalSecrets.find(fs::path(values).filename().string());
    ExpectReferencesResolve(
        rendered, external == kExternalSecrets.end() ? std::set<std::string>{} : external->second);
  }
}

TEST_F(DeployChartTest, DefaultsRenderTheFourServicesAndNothingOptional) {
  Rendered rendered = Template("");
  std::set<std::string> components;
  for (const YAML::Node& deployment : rendered.OfKind("Deployment")) {
    std::string component =
        deployment["metadata"]["labels"]["app.kubernetes.io/component"].as<std::string>();
    components.insert(component);
    YAML::Node container = PodSpecOf(deployment)["containers"][0];
    EXPECT_EQ(container["command"][0].as<std::string>(), "/usr/local/bin/salesops-" + component);
    EXPECT_EQ(deployment["spec"]["replicas"].as<int>(), 2);
  }
  EXPECT_EQ(components,
            (std::set<std::string>{"inventory", "scheduling", "notification", "order-intake"}));
  EXPECT_EQ(rendered.OfKind("Service").size(), 4u);
  EXPECT_EQ(rendered.OfKind("ServiceAccount").size(), 4u);
  EXPECT_EQ(rendered.OfKind("PodDisruptionBudget").size(), 4u);
  EXPECT_TRUE(rendered.OfKind("HorizontalPodAutoscaler").empty());
  // Deny-by-default, one per service, the helm test pod's.
  EXPECT_EQ(rendered.OfKind("NetworkPolicy").size(), 6u);
  EXPECT_TRUE(rendered.OfKind("ServiceMonitor").empty());
  EXPECT_TRUE(rendered.OfKind("StatefulSet").empty());
  ExpectReferencesResolve(rendered, {});

  // The image tag defaults to the chart's appVersion.
  std::string chart_yaml;
  {
    std::ifstream in(kChart / "Chart.yaml");
    std::stringstream buffer;
    buffer << in.rdbuf();
    chart_yaml = buffer.str();
  }
  std::string app_version = YAML::Load(chart_yaml)["appVersion"].as<std::string>();
  for (const YAML::Node& deployment : rendered.OfKind("Deployment")) {
    std::string image = PodSpecOf(deployment)["containers"][0]["image"].as<std::string>();
    EXPECT_EQ(image, "registry.example.com/salesops/salesops:" + app_version);
  }
}

// The accepted-token lines of a hashes file: hash -> {actor id, role}.
std::map<std::string, std::pair<std::string, std::string>> ParseHashes(const std::string& text) {
  std::map<std::string, std::pair<std::string, std::string>> lines;
  std::istringstream in(text);
  std::string hash, actor, role;
  while (in >> hash >> actor >> role) lines[hash] = {actor, role};
  return lines;
}

// Each service calls with a token of its own, whose identity is the service's name, and no pod
// holds another service's token: one compromised pod cannot act as the other services.
TEST_F(DeployChartTest, EachServiceCallsWithItsOwnTokenAndIdentity) {
  Rendered rendered =
      Template("-f " + ShellQuote((kChart / "ci" / "all-optional-values.yaml").string()));
  YAML::Node auth = rendered.Named("Secret", "so-salesops-auth");
  ASSERT_TRUE(auth.IsMap());
  std::string hashes = Text(Dig(auth, {"stringData", "tokens.hashes"}));
  auto accepted = ParseHashes(hashes);
  std::set<std::string> service_identities;
  for (const auto& [hash, identity] : accepted) {
    if (identity.second == "service") service_identities.insert(identity.first);
  }
  EXPECT_EQ(service_identities, kServices) << hashes;
  // The callers' hashes from the values are there too.
  EXPECT_NE(hashes.find("5e4b88414f1b51efafafabe14041dcfa1544ced9bcd1cc54ff722e53d702998d "
                        "sales-app sales"),
            std::string::npos)
      << hashes;

  std::set<std::string> tokens;
  for (const std::string& component : kServices) {
    SCOPED_TRACE(component);
    YAML::Node deployment = rendered.Named("Deployment", "so-salesops-" + component);
    ASSERT_TRUE(deployment.IsMap());
    SecretFile own = ServiceTokenFile(deployment);
    EXPECT_EQ(own.secret, "so-salesops-auth");
    EXPECT_TRUE(own.read_only);
    std::string token = Text(Dig(auth, {"stringData", own.key}));
    EXPECT_GE(token.size(), 32u);
    auto identity = accepted.find(common::Sha256Hex(token));
    ASSERT_NE(identity, accepted.end()) << "its token's hash is not accepted";
    EXPECT_EQ(identity->second, std::make_pair(component, std::string("service")));
    EXPECT_EQ(TokenKeysOf(deployment), std::set<std::string>{own.key}) << "another's token";
    // The clear token is never among the accepted lines.
    EXPECT_EQ(hashes.find(token), std::string::npos);
    tokens.insert(token);
  }
  EXPECT_EQ(tokens.size(), kServices.size()) << "the services share a token";
}

TEST_F(DeployChartTest, ServiceTokensFromValuesAreUsedAndMustDiffer) {
  const std::string token(40, 'a');
  Rendered rendered = Template("--set auth.serviceTokens.orderIntake=" + token);
  YAML::Node auth = rendered.Named("Secret", "so-salesops-auth");
  ASSERT_TRUE(auth.IsMap());
  EXPECT_EQ(Text(Dig(auth, {"stringData", "order-intake.token"})), token);
  auto accepted = ParseHashes(Text(Dig(auth, {"stringData", "tokens.hashes"})));
  EXPECT_EQ(accepted[common::Sha256Hex(token)].first, "order-intake");

  std::string output;
  EXPECT_NE(RunHelm("template so " + ShellQuote(kChart.string()) +
                        " --set auth.serviceTokens.orderIntake=" + token +
                        " --set auth.serviceTokens.inventory=" + token,
                    &output),
            0)
      << "two services with one token would be one identity";
  EXPECT_NE(output.find("each service needs a token of its own"), std::string::npos) << output;
}

// The keys a pod projects from the Secret `secret`.
std::set<std::string> ItemsOf(const YAML::Node& pod_spec, const std::string& secret) {
  std::set<std::string> keys;
  for (const YAML::Node& volume : pod_spec["volumes"]) {
    if (Text(Dig(volume, {"secret", "secretName"})) != secret) continue;
    for (const YAML::Node& item : Dig(volume, {"secret", "items"})) keys.insert(Text(item["key"]));
  }
  return keys;
}

// Checks that the TLS flags among `words` name files the pod mounts read-only, with a
// restrictive mode, from `secret`, and returns each flag's Secret key.
std::map<std::string, std::string> TlsKeysOf(const YAML::Node& pod_spec,
                                             const YAML::Node& container,
                                             const std::vector<std::string>& words,
                                             const std::string& secret) {
  std::map<std::string, std::string> keys;
  auto files = SecretFiles(pod_spec, container);
  for (const auto& [flag, path] : TlsFlagsOf(words)) {
    auto file = files.find(path);
    if (file == files.end()) {
      ADD_FAILURE() << flag << " names " << path << ", which is not mounted from a Secret";
      continue;
    }
    EXPECT_EQ(file->second.secret, secret) << flag;
    EXPECT_TRUE(file->second.read_only) << flag;
    EXPECT_EQ(file->second.mode, 0440) << flag << ": group-readable (fsGroup) and nothing more";
    keys[flag] = file->second.key;
  }
  return keys;
}

// TLS from values: each service mounts its certificate Secret and gets its files as the flags
// the binaries take; with mutual TLS also the CA, which makes the servers require client
// certificates (and verify the peers they call). The probes and the helm test pod speak TLS too
// (ExpectWellFormed checks the probes); /metrics stays plain HTTP for the ServiceMonitor.
TEST_F(DeployChartTest, TlsMountsTheCertificatesAndPassesTheirFilesAsFlags) {
  for (bool mutual : {true, false}) {
    SCOPED_TRACE(mutual ? "mutual TLS" : "TLS");
    Rendered rendered = Template(
        "--set tls.enabled=true --set tls.secretName=salesops-tls"
        " --set orderIntake.tls.secretName=salesops-order-intake-tls --set tls.mutual=" +
        std::string(mutual ? "true" : "false") +
        " --set metrics.serviceMonitor.enabled=true --api-versions monitoring.coreos.com/v1");
    ExpectWellFormed(rendered);
    ExpectReferencesResolve(rendered, {"salesops-tls", "salesops-order-intake-tls"});
    std::map<std::string, std::string> expected = {{"--tls-cert-file", "tls.crt"},
                                                   {"--tls-key-file", "tls.key"}};
    if (mutual) expected["--tls-ca-file"] = "ca.crt";
    std::set<std::string> expected_items;
    for (const auto& [flag, key] : expected) expected_items.insert(key);

    for (const std::string& component : kServices) {
      SCOPED_TRACE(component);
      YAML::Node deployment = rendered.Named("Deployment", "so-salesops-" + component);
      ASSERT_TRUE(deployment.IsMap());
      YAML::Node spec = PodSpecOf(deployment);
      YAML::Node container = spec["containers"][0];
      std::string secret =
          component == "order-intake" ? "salesops-order-intake-tls" : "salesops-tls";
      EXPECT_EQ(TlsKeysOf(spec, container, Words(container["args"]), secret), expected);
      // Without mutual TLS a Secret without ca.crt (a public CA's certificate) must do.
      EXPECT_EQ(ItemsOf(spec, secret), expected_items);
    }

    std::vector<YAML::Node> pods = rendered.OfKind("Pod");
    ASSERT_EQ(pods.size(), 1u);
    YAML::Node test_spec = PodSpecOf(pods[0]);
    YAML::Node test_container = test_spec["containers"][0];
    EXPECT_EQ(
        TlsKeysOf(test_spec, test_container, Words(test_container["command"]), "salesops-tls"),
        expected)
        << "the helm test pod";

    std::vector<YAML::Node> monitors = rendered.OfKind("ServiceMonitor");
    ASSERT_EQ(monitors.size(), 1u);
    YAML::Node endpoint = monitors[0]["spec"]["endpoints"][0];
    EXPECT_EQ(Text(endpoint["port"]), "metrics");
    EXPECT_TRUE(Dig(endpoint, {"tlsConfig"}).IsNull());
    EXPECT_NE(Text(Dig(endpoint, {"scheme"})), "https");
  }

  // Off by default: plaintext, nothing mounted.
  Rendered defaults = Template("");
  for (const YAML::Node& deployment : defaults.OfKind("Deployment")) {
    YAML::Node container = PodSpecOf(deployment)["containers"][0];
    EXPECT_TRUE(TlsFlagsOf(Words(container["args"])).empty()) << NameOf(deployment);
    int secrets = 0;
    for (const YAML::Node& volume : PodSpecOf(deployment)["volumes"]) {
      secrets += volume["secret"] ? 1 : 0;
    }
    EXPECT_EQ(secrets, 2) << NameOf(deployment) << ": its database and auth Secrets only";
  }
}

TEST_F(DeployChartTest, PeersAreConfiguredFromTheCallGraph) {
  Rendered rendered = Template("");
  for (const auto& [callee, callers] : kCallers) {
    std::string key = callee;
    std::replace(key.begin(), key.end(), '-', '_');
    std::transform(key.begin(), key.end(), key.begin(), ::toupper);
    std::string variable = "SALESOPS_" + key + "_ADDRESS";
    for (const char* component : {"inventory", "scheduling", "notification", "order-intake"}) {
      YAML::Node config = rendered.Named("ConfigMap", std::string("so-salesops-") + component);
      ASSERT_TRUE(config.IsMap()) << component;
      YAML::Node address = Dig(config, {"data", variable});
      if (callers.count(component)) {
        EXPECT_EQ(Text(address), "so-salesops-" + callee + ":50051")
            << component << " " << variable;
      } else {
        EXPECT_TRUE(address.IsNull()) << component << " needs no " << variable;
      }
    }
  }
}

TEST_F(DeployChartTest, NetworkPoliciesDenyByDefaultAndAdmitOnlyCallers) {
  Rendered rendered =
      Template("-f " + ShellQuote((kChart / "ci" / "all-optional-values.yaml").string()));
  YAML::Node deny = rendered.Named("NetworkPolicy", "so-salesops-default-deny");
  ASSERT_TRUE(deny.IsMap());
  EXPECT_EQ(deny["spec"]["policyTypes"].size(), 2u);
  EXPECT_TRUE(Dig(deny, {"spec", "ingress"}).IsNull());
  EXPECT_TRUE(Dig(deny, {"spec", "egress"}).IsNull());

  for (const auto& [callee, callers] : kCallers) {
    YAML::Node policy = rendered.Named("NetworkPolicy", "so-salesops-" + callee);
    ASSERT_TRUE(policy.IsMap()) << callee;
    std::set<std::string> admitted;
    bool allowed_clients = false;
    for (const YAML::Node& rule : policy["spec"]["ingress"]) {
      if (rule["ports"][0]["port"].as<std::string>() != "grpc") continue;
      for (const YAML::Node& peer : rule["from"]) {
        if (peer["namespaceSelector"]) {
          allowed_clients = true;
          continue;
        }
        admitted.insert(
            Text(Dig(peer, {"podSelector", "matchLabels", "app.kubernetes.io/component"})));
      }
    }
    std::set<std::string> expected = callers;
    expected.insert("helm-test");
    EXPECT_EQ(admitted, expected) << callee;
    EXPECT_TRUE(allowed_clients) << callee << " must admit networkPolicy.allowedClients";

    // Egress to exactly the services it calls.
    std::set<std::string> calls;
    for (const YAML::Node& rule : policy["spec"]["egress"]) {
      for (const YAML::Node& peer : rule["to"]) {
        std::string component =
            Text(Dig(peer, {"podSelector", "matchLabels", "app.kubernetes.io/component"}));
        if (!component.empty() && component != "postgresql") calls.insert(component);
      }
    }
    std::set<std::string> expected_calls;
    for (const auto& [other, other_callers] : kCallers) {
      if (other_callers.count(callee)) expected_calls.insert(other);
    }
    EXPECT_EQ(calls, expected_calls) << callee;
  }
}

// A rule's ports as "port/protocol".
std::set<std::string> PortsOf(const YAML::Node& rule) {
  std::set<std::string> ports;
  for (const YAML::Node& port : rule["ports"]) {
    ports.insert(Text(port["port"]) + "/" + Text(Dig(port, {"protocol"})));
  }
  return ports;
}

// A service's egress, sorted by what each rule opens; `other` holds any rule that is none of
// DNS, the database or a salesops service.
struct Egress {
  int dns_rules = 0;
  std::vector<YAML::Node> database_peers;
  std::set<std::string> callees;
  std::vector<YAML::Node> other;
};

Egress EgressOf(const YAML::Node& policy) {
  Egress egress;
  for (const YAML::Node& rule : policy["spec"]["egress"]) {
    // A rule without `to` opens its ports to every destination.
    EXPECT_TRUE(Dig(rule, {"to"}).IsSequence() && rule["to"].size() > 0)
        << NameOf(policy) << " lets everything out on " << YAML::Dump(rule["ports"]);
    std::set<std::string> ports = PortsOf(rule);
    if (ports == std::set<std::string>{"53/UDP", "53/TCP"}) {
      ++egress.dns_rules;
      for (const YAML::Node& peer : rule["to"]) {
        EXPECT_EQ(
            Text(Dig(peer, {"namespaceSelector", "matchLabels", "kubernetes.io/metadata.name"})),
            "kube-system")
            << NameOf(policy) << ": DNS elsewhere than kube-system";
        EXPECT_EQ(Text(Dig(peer, {"podSelector", "matchLabels", "k8s-app"})), "kube-dns")
            << NameOf(policy) << ": DNS to other pods than kube-dns";
      }
    } else if (ports == std::set<std::string>{"5432/TCP"}) {
      for (const YAML::Node& peer : rule["to"]) egress.database_peers.push_back(peer);
    } else if (ports == std::set<std::string>{"50051/TCP"}) {
      for (const YAML::Node& peer : rule["to"]) {
        EXPECT_TRUE(Dig(peer, {"namespaceSelector"}).IsNull() && Dig(peer, {"ipBlock"}).IsNull())
            << NameOf(policy) << ": gRPC out of the release";
        egress.callees.insert(
            Text(Dig(peer, {"podSelector", "matchLabels", "app.kubernetes.io/component"})));
      }
    } else {
      egress.other.push_back(rule);
    }
  }
  return egress;
}

// With the default values: each service reaches only DNS (kube-dns), its database and the
// services it calls, and is reached only by its callers, the helm test pod and Prometheus.
TEST_F(DeployChartTest, NetworkPoliciesAreOnByDefaultAndLetOutOnlyDnsDatabaseAndCallees) {
  for (bool dev_database : {false, true}) {
    SCOPED_TRACE(dev_database ? "dev PostgreSQL" : "external database");
    Rendered rendered = Template(dev_database ? "--set postgresql.enabled=true" : "");
    ASSERT_TRUE(rendered.Named("NetworkPolicy", "so-salesops-default-deny").IsMap());
    for (const auto& [component, callers] : kCallers) {
      SCOPED_TRACE(component);
      YAML::Node policy = rendered.Named("NetworkPolicy", "so-salesops-" + component);
      ASSERT_TRUE(policy.IsMap());
      EXPECT_EQ(Labels(policy["spec"]["podSelector"]["matchLabels"])["app.kubernetes.io/component"],
                component);
      auto types = Words(policy["spec"]["policyTypes"]);
      EXPECT_EQ(std::set<std::string>(types.begin(), types.end()),
                (std::set<std::string>{"Ingress", "Egress"}));

      Egress egress = EgressOf(policy);
      EXPECT_EQ(egress.dns_rules, 1);
      ASSERT_EQ(egress.database_peers.size(), 1u);
      if (dev_database) {
        EXPECT_EQ(Text(Dig(egress.database_peers[0],
                           {"podSelector", "matchLabels", "app.kubernetes.io/component"})),
                  "postgresql");
      } else {
        EXPECT_EQ(Text(Dig(egress.database_peers[0], {"ipBlock", "cidr"})), "0.0.0.0/0")
            << "networkPolicy.databasePeers";
      }
      std::set<std::string> expected_callees;
      for (const auto& [callee, its_callers] : kCallers) {
        if (its_callers.count(component)) expected_callees.insert(callee);
      }
      EXPECT_EQ(egress.callees, expected_callees);
      EXPECT_TRUE(egress.other.empty()) << YAML::Dump(egress.other[0]);

      std::set<std::string> admitted;
      for (const YAML::Node& rule : policy["spec"]["ingress"]) {
        ASSERT_TRUE(Dig(rule, {"from"}).IsSequence() && rule["from"].size() > 0)
            << "ingress from anywhere on " << YAML::Dump(rule["ports"]);
        std::string port = Text(rule["ports"][0]["port"]);
        for (const YAML::Node& peer : rule["from"]) {
          std::string component_label =
              Text(Dig(peer, {"podSelector", "matchLabels", "app.kubernetes.io/component"}));
          if (port == "grpc") {
            admitted.insert(component_label);
          } else {
            EXPECT_EQ(port, "metrics");
            EXPECT_EQ(Text(Dig(peer, {"namespaceSelector", "matchLabels",
                                      "kubernetes.io/metadata.name"})),
                      "monitoring");
          }
        }
      }
      std::set<std::string> expected_admitted = callers;
      expected_admitted.insert("helm-test");
      EXPECT_EQ(admitted, expected_admitted);
    }
  }
}

// notification's deliveries leave the release only through networkPolicy.webhookEgress, and
// only from notification.
TEST_F(DeployChartTest, WebhookEgressOnlyWhenConfiguredAndOnlyForNotification) {
  Rendered closed = Template("");
  EXPECT_TRUE(EgressOf(closed.Named("NetworkPolicy", "so-salesops-notification")).other.empty());

  fs::path values = kChart / "ci" / "security-values.yaml";
  std::vector<std::string> configured;
  for (const YAML::Node& rule : YAML::LoadFile(values.string())["networkPolicy"]["webhookEgress"]) {
    configured.push_back(Canonical(rule));
  }
  ASSERT_FALSE(configured.empty());
  Rendered open = Template("-f " + ShellQuote(values.string()));
  for (const std::string& component : kServices) {
    SCOPED_TRACE(component);
    YAML::Node policy = open.Named("NetworkPolicy", "so-salesops-" + component);
    ASSERT_TRUE(policy.IsMap());
    std::vector<std::string> opened;
    for (const YAML::Node& rule : EgressOf(policy).other) opened.push_back(Canonical(rule));
    EXPECT_EQ(opened, component == "notification" ? configured : std::vector<std::string>{});
  }

  // The deprecated webhookPeers/webhookPorts still open the same way.
  Rendered legacy = Template("--set networkPolicy.webhookPeers[0].ipBlock.cidr=203.0.113.0/24");
  Egress egress = EgressOf(legacy.Named("NetworkPolicy", "so-salesops-notification"));
  ASSERT_EQ(egress.other.size(), 1u);
  EXPECT_EQ(PortsOf(egress.other[0]), std::set<std::string>{"443/TCP"});
  EXPECT_EQ(Text(Dig(egress.other[0]["to"][0], {"ipBlock", "cidr"})), "203.0.113.0/24");
}

// notification's delivery allow-lists reach its container as comma-separated environment
// variables, only when given, and no other service gets them.
TEST_F(DeployChartTest, DeliveryAllowListsReachNotificationOnly) {
  const std::vector<std::string> variables = {"SALESOPS_EVENT_SINK_ALLOWLIST",
                                              "SALESOPS_WEBHOOK_ALLOW_CIDRS"};
  Rendered defaults = Template("");
  for (const YAML::Node& deployment : defaults.OfKind("Deployment")) {
    for (const std::string& variable : variables) {
      EXPECT_FALSE(HasEnv(PodSpecOf(deployment)["containers"][0], variable))
          << NameOf(deployment) << " " << variable << " set although empty";
    }
  }

  Rendered rendered =
      Template("-f " + ShellQuote((kChart / "ci" / "security-values.yaml").string()));
  for (const std::string& component : kServices) {
    SCOPED_TRACE(component);
    YAML::Node container =
        PodSpecOf(rendered.Named("Deployment", "so-salesops-" + component))["containers"][0];
    if (component == "notification") {
      EXPECT_EQ(EnvOf(container, "SALESOPS_EVENT_SINK_ALLOWLIST"),
                "crm-events.crm.svc.cluster.local:9443,[fd00::20]:8443");
      EXPECT_EQ(EnvOf(container, "SALESOPS_WEBHOOK_ALLOW_CIDRS"), "10.20.0.0/16,fd00::/8");
    } else {
      for (const std::string& variable : variables) EXPECT_FALSE(HasEnv(container, variable));
    }
  }
}

// Crew calendar feeds (issue 20) are scheduling's: with them on, scheduling alone gets the port,
// the flags, the key's Secret and the way in from anywhere; with them off, nobody does.
TEST_F(DeployChartTest, CalendarFeedsReachSchedulingOnlyWhenEnabled) {
  const std::vector<std::string> variables = {
      "SALESOPS_CALENDAR_ADDRESS", "SALESOPS_CALENDAR_KEY_FILE", "SALESOPS_CALENDAR_BASE_URL"};
  Rendered defaults = Template("");
  for (const YAML::Node& deployment : defaults.OfKind("Deployment")) {
    for (const std::string& variable : variables) {
      EXPECT_FALSE(HasEnv(PodSpecOf(deployment)["containers"][0], variable)) << NameOf(deployment);
    }
  }
  EXPECT_FALSE(defaults.Named("Secret", "so-salesops-calendar").IsMap());

  Rendered rendered =
      Template("-f " + ShellQuote((kChart / "ci" / "all-optional-values.yaml").string()));
  for (const std::string& component : kServices) {
    SCOPED_TRACE(component);
    YAML::Node spec = PodSpecOf(rendered.Named("Deployment", "so-salesops-" + component));
    YAML::Node container = spec["containers"][0];
    std::map<std::string, int> ports;
    for (const YAML::Node& port : container["ports"]) {
      ports[port["name"].as<std::string>()] = port["containerPort"].as<int>();
    }
    std::set<std::string> secrets;
    for (const YAML::Node& volume : spec["volumes"]) {
      if (volume["secret"]) secrets.insert(volume["secret"]["secretName"].as<std::string>());
    }
    std::set<std::string> service_ports;
    for (const YAML::Node& port :
         rendered.Named("Service", "so-salesops-" + component)["spec"]["ports"]) {
      service_ports.insert(port["name"].as<std::string>());
    }
    bool open_to_all = false;
    for (const YAML::Node& rule :
         rendered.Named("NetworkPolicy", "so-salesops-" + component)["spec"]["ingress"]) {
      if (Text(rule["ports"][0]["port"]) == "calendar") open_to_all = !rule["from"];
    }
    if (component == "scheduling") {
      EXPECT_EQ(ports["calendar"], 8091);
      EXPECT_EQ(EnvOf(container, "SALESOPS_CALENDAR_ADDRESS"), "0.0.0.0:8091");
      EXPECT_EQ(EnvOf(container, "SALESOPS_CALENDAR_KEY_FILE"),
                "/var/run/secrets/salesops/calendar/calendar.key");
      EXPECT_EQ(EnvOf(container, "SALESOPS_CALENDAR_BASE_URL"), "https://calendar.example.com");
      EXPECT_TRUE(secrets.count("so-salesops-calendar"));
      EXPECT_TRUE(service_ports.count("calendar"));
      EXPECT_TRUE(open_to_all) << "calendar apps fetch from anywhere";
    } else {
      EXPECT_FALSE(ports.count("calendar"));
      for (const std::string& variable : variables) EXPECT_FALSE(HasEnv(container, variable));
      EXPECT_FALSE(secrets.count("so-salesops-calendar"));
      EXPECT_FALSE(service_ports.count("calendar"));
    }
  }
  YAML::Node key = rendered.Named("Secret", "so-salesops-calendar");
  ASSERT_TRUE(key.IsMap());
  EXPECT_GE(Text(key["data"]["calendar.key"]).size(), 64u);
}

TEST_F(DeployChartTest, HpaRemovesReplicasOnlyWhereEnabled) {
  Rendered rendered = Template("-f " + ShellQuote((kChart / "ci" / "hpa-values.yaml").string()));
  std::set<std::string> scaled;
  for (const YAML::Node& hpa : rendered.OfKind("HorizontalPodAutoscaler")) {
    scaled.insert(hpa["spec"]["scaleTargetRef"]["name"].as<std::string>());
  }
  EXPECT_EQ(scaled, (std::set<std::string>{"so-salesops-inventory", "so-salesops-order-intake"}));
  EXPECT_EQ(rendered.Named("Deployment", "so-salesops-scheduling")["spec"]["replicas"].as<int>(),
            2);
  // The digest pins the image; a service's own image block wins over the shared one.
  EXPECT_EQ(
      PodSpecOf(rendered.Named("Deployment", "so-salesops-scheduling"))["containers"][0]["image"]
          .as<std::string>(),
      "registry.example.com/salesops/salesops@sha256:"
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  EXPECT_EQ(
      PodSpecOf(rendered.Named("Deployment", "so-salesops-inventory"))["containers"][0]["image"]
          .as<std::string>(),
      "registry.example.com/salesops/salesops-debug:0.1.0-debug");
}

TEST_F(DeployChartTest, ExistingSecretsReplaceTheChartsSecrets) {
  Rendered rendered =
      Template("-f " + ShellQuote((kChart / "ci" / "existing-secrets-values.yaml").string()));
  EXPECT_TRUE(rendered.OfKind("Secret").empty()) << "the chart must not render secrets it was "
                                                    "told are managed elsewhere";
  std::map<std::string, std::string> expected = {
      {"inventory", "salesops-inventory-db"},
      {"scheduling", "salesops-scheduling-db"},
      {"notification", "salesops-notification-db"},
      {"order-intake", "salesops-order-intake-db"},
  };
  for (const auto& [component, secret] : expected) {
    YAML::Node spec = PodSpecOf(rendered.Named("Deployment", "so-salesops-" + component));
    std::set<std::string> mounted;
    for (const YAML::Node& volume : spec["volumes"]) {
      if (volume["secret"]) mounted.insert(volume["secret"]["secretName"].as<std::string>());
    }
    EXPECT_EQ(mounted, (std::set<std::string>{secret, "salesops-tokens"})) << component;
    std::string url_secret;
    for (const YAML::Node& env : spec["containers"][0]["env"]) {
      if (env["name"].as<std::string>() == "SALESOPS_DATABASE_URL") {
        url_secret = env["valueFrom"]["secretKeyRef"]["name"].as<std::string>();
      }
    }
    EXPECT_EQ(url_secret, secret) << component;
    SecretFile token = ServiceTokenFile(rendered.Named("Deployment", "so-salesops-" + component));
    EXPECT_EQ(token.secret, "salesops-tokens") << component;
    EXPECT_EQ(token.key, component + ".token");
  }
  ExpectReferencesResolve(rendered,
                          {"salesops-tokens", "salesops-inventory-db", "salesops-scheduling-db",
                           "salesops-notification-db", "salesops-order-intake-db"});
}

TEST_F(DeployChartTest, ServiceMonitorNeedsTheValueAndTheOperatorsApi) {
  std::string on = "-f " + ShellQuote((kChart / "ci" / "all-optional-values.yaml").string());
  EXPECT_TRUE(Template(on).OfKind("ServiceMonitor").empty())
      << "rendered without the monitoring.coreos.com/v1 API";
  Rendered with_api = Template(on + " --api-versions monitoring.coreos.com/v1");
  ASSERT_EQ(with_api.OfKind("ServiceMonitor").size(), 1u);
  YAML::Node monitor = with_api.OfKind("ServiceMonitor")[0];
  EXPECT_EQ(monitor["spec"]["endpoints"][0]["port"].as<std::string>(), "metrics");
  EXPECT_EQ(monitor["metadata"]["labels"]["release"].as<std::string>(), "kube-prometheus-stack");
  int selected = 0;
  for (const YAML::Node& service : with_api.OfKind("Service")) {
    selected += Selects(Labels(monitor["spec"]["selector"]["matchLabels"]),
                        Labels(service["metadata"]["labels"]))
                    ? 1
                    : 0;
  }
  // The four services and the dev PostgreSQL match the labels; the component expression keeps
  // the PostgreSQL one out.
  EXPECT_EQ(selected, 5);
  auto components =
      monitor["spec"]["selector"]["matchExpressions"][0]["values"].as<std::vector<std::string>>();
  EXPECT_EQ(std::set<std::string>(components.begin(), components.end()),
            (std::set<std::string>{"inventory", "scheduling", "notification", "order-intake"}));

  Rendered defaults = Template("--api-versions monitoring.coreos.com/v1");
  EXPECT_TRUE(defaults.OfKind("ServiceMonitor").empty()) << "off unless asked for";
}

TEST_F(DeployChartTest, DevPostgresqlSharesItsPasswordWithTheServices) {
  Rendered rendered = Template("--set postgresql.enabled=true");
  YAML::Node secret = rendered.Named("Secret", "so-salesops-postgresql");
  ASSERT_TRUE(secret.IsMap());
  std::string password = secret["stringData"]["password"].as<std::string>();
  EXPECT_GE(password.size(), 16u);
  for (const char* component : {"inventory", "scheduling", "notification", "order-intake"}) {
    YAML::Node database =
        rendered.Named("Secret", std::string("so-salesops-") + component + "-database");
    ASSERT_TRUE(database.IsMap()) << component;
    EXPECT_EQ(database["stringData"]["database-password"].as<std::string>(), password);
    std::string db = component;
    std::replace(db.begin(), db.end(), '-', '_');
    EXPECT_EQ(database["stringData"]["database-url"].as<std::string>(),
              "postgresql://" + db + "@so-salesops-postgresql:5432/" + db);
  }
  EXPECT_EQ(rendered.OfKind("StatefulSet").size(), 1u);
}

TEST_F(DeployChartTest, HelmTestPodChecksEveryEnabledService) {
  Rendered rendered = Template("--set notification.enabled=false");
  std::vector<YAML::Node> pods = rendered.OfKind("Pod");
  ASSERT_EQ(pods.size(), 1u);
  EXPECT_EQ(pods[0]["metadata"]["annotations"]["helm.sh/hook"].as<std::string>(), "test");
  auto command = PodSpecOf(pods[0])["containers"][0]["command"].as<std::vector<std::string>>();
  ASSERT_GE(command.size(), 2u);
  EXPECT_EQ(command[0], "/usr/local/bin/salesopsctl");
  EXPECT_EQ(command[1], "health");
  EXPECT_EQ(command.back(),
            "so-salesops-inventory:50051,so-salesops-order-intake:50051,"
            "so-salesops-scheduling:50051");
  EXPECT_FALSE(rendered.Named("Deployment", "so-salesops-notification").IsMap());
}

// charts/salesops/values.schema.json: each file in invalid-values/ breaks it in one way and
// names, in its first line, what `helm lint` must say.
TEST_F(DeployChartTest, ValuesThatBreakTheSchemaFailLint) {
  fs::path folder = fs::path(SALESOPS_SOURCE_DIR) / "tests" / "deploy" / "invalid-values";
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(folder)) {
    std::ifstream in(entry.path());
    std::string first_line;
    std::getline(in, first_line);
    const std::string prefix = "# expect: ";
    ASSERT_EQ(first_line.rfind(prefix, 0), 0u) << entry.path();
    std::string expected = first_line.substr(prefix.size());
    std::string output;
    int status = RunHelm(
        "lint --strict " + ShellQuote(kChart.string()) + " -f " + ShellQuote(entry.path().string()),
        &output);
    EXPECT_NE(status, 0) << entry.path() << " passed lint:\n" << output;
    EXPECT_NE(output.find(expected), std::string::npos)
        << entry.path() << ": no \"" << expected << "\" in\n"
        << output;
    // helm install/template apply the same schema.
    EXPECT_NE(RunHelm("template so " + ShellQuote(kChart.string()) + " -f " +
                          ShellQuote(entry.path().string()),
                      &output),
              0)
        << entry.path();
    ++checked;
  }
  EXPECT_GE(checked, 5);
}

}  // namespace
}  // namespace salesops::testing
