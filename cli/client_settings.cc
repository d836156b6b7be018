#include "cli/client_settings.h"

#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>

#include "services/common/config.h"

namespace salesops::cli {
namespace {

// Relative paths in a config file are relative to the file, so a config kept
// next to its token files works from any directory.
std::string ResolvePath(const std::string& path, const std::filesystem::path& base_dir) {
  if (path.empty()) return path;
  if (path == "~" || path.rfind("~/", 0) == 0) {
    const char* home = std::getenv("HOME");
    return std::string(home ? home : "") + path.substr(1);
  }
  std::filesystem::path candidate(path);
  if (candidate.is_absolute() || base_dir.empty()) return path;
  return (base_dir / candidate).lexically_normal().string();
}

bool IsPathSetting(const std::string& setting) {
  return setting.size() > 5 && setting.compare(setting.size() - 5, 5, "-file") == 0;
}

absl::StatusOr<std::map<std::string, std::string>> ReadConfigFile(const std::string& path) {
  std::map<std::string, std::string> values;
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return absl::InvalidArgumentError("cannot read config file " + path);
  } catch (const YAML::Exception& error) {
    return absl::InvalidArgumentError(
        absl::StrCat("config file ", path, " is not valid YAML: ", error.what()));
  }
  if (root.IsNull()) return values;
  if (!root.IsMap()) {
    return absl::InvalidArgumentError("config file " + path + " must be a map of settings");
  }
  const std::vector<std::string>& known = SettingNames();
  std::filesystem::path base_dir = std::filesystem::path(path).parent_path();
  for (const auto& entry : root) {
    std::string key = entry.first.as<std::string>();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return absl::InvalidArgumentError(absl::StrCat("config file ", path, ": unknown setting '",
                                                     key, "' (known: ", absl::StrJoin(known, ", "),
                                                     ")"));
    }
    if (!entry.second.IsScalar()) {
      return absl::InvalidArgumentError(
          absl::StrCat("config file ", path, ": '", key, "' must be a single value"));
    }
    std::string value = entry.second.as<std::string>();
    values[key] = IsPathSetting(key) ? ResolvePath(value, base_dir) : value;
  }
  return values;
}

}  // namespace

const std::vector<EndpointInfo>& Endpoints() {
  static const auto* endpoints = new std::vector<EndpointInfo>{
      {Endpoint::kInventory, "inventory", "inventory-address", "127.0.0.1:50051"},
      {Endpoint::kScheduling, "scheduling", "scheduling-address", "127.0.0.1:50052"},
      {Endpoint::kNotification, "notification", "notification-address", "127.0.0.1:50053"},
      {Endpoint::kOrderIntake, "order-intake", "order-intake-address", "127.0.0.1:50054"},
  };
  return *endpoints;
}

const EndpointInfo& InfoOf(Endpoint endpoint) {
  for (const EndpointInfo& info : Endpoints()) {
    if (info.endpoint == endpoint) return info;
  }
  return Endpoints().front();
}

std::string EnvNameOf(const std::string& setting) {
  std::string env = "SALESOPS_" + setting;
  for (char& c : env) c = c == '-' ? '_' : static_cast<char>(std::toupper(c));
  return env;
}

const std::vector<std::string>& SettingNames() {
  static const auto* names = new std::vector<std::string>{
      "inventory-address",    "scheduling-address", "notification-address",
      "order-intake-address", "token-file",         "timeout-ms",
      "tls-ca-file",          "tls-cert-file",      "tls-key-file"};
  return *names;
}

void AddGlobalOptions(CLI::App& app, GlobalOptions& options) {
  const std::string group = "Connection (flag, SALESOPS_* environment, or config file)";
  app.add_option("--config", options.config_file,
                 "YAML config file with the settings below (default: " + DefaultConfigPath() +
                     " when it exists)")
      ->envname("SALESOPS_CONFIG")
      ->group(group);
  app.add_flag("--json", options.json, "Print the answer as JSON (protobuf JSON mapping)");
  const std::map<std::string, std::string> help = {
      {"inventory-address", "inventory service host:port (default 127.0.0.1:50051)"},
      {"scheduling-address", "scheduling service host:port (default 127.0.0.1:50052)"},
      {"notification-address", "notification service host:port (default 127.0.0.1:50053)"},
      {"order-intake-address", "order-intake service host:port (default 127.0.0.1:50054)"},
      {"token-file", "File holding your bearer token (else $SALESOPS_TOKEN holds the token)"},
      {"timeout-ms", "Deadline of each call in milliseconds (default 10000)"},
      {"tls-ca-file", "CA bundle (PEM) to verify the services; turns TLS on"},
      {"tls-cert-file", "Client certificate (PEM) for mutual TLS"},
      {"tls-key-file", "Client private key (PEM) for mutual TLS"},
  };
  for (const std::string& name : SettingNames()) {
    std::string& target = options.values[name];
    options.options[name] =
        app.add_option("--" + name, target, help.at(name))->envname(EnvNameOf(name))->group(group);
  }
}

std::string DefaultConfigPath() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg != nullptr && *xdg != '\0') {
    return std::string(xdg) + "/salesops/config.yaml";
  }
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "") + "/.config/salesops/config.yaml";
}

absl::StatusOr<ClientSettings> ResolveSettings(const GlobalOptions& options) {
  std::map<std::string, std::string> from_file;
  std::string config_path = options.config_file;
  if (config_path.empty() && std::filesystem::exists(DefaultConfigPath())) {
    config_path = DefaultConfigPath();
  }
  if (!config_path.empty()) {
    absl::StatusOr<std::map<std::string, std::string>> read = ReadConfigFile(config_path);
    if (!read.ok()) return read.status();
    from_file = std::move(*read);
  }
  auto setting = [&](const std::string& name, const std::string& fallback) -> std::string {
    auto given = options.options.find(name);
    if (given != options.options.end() && given->second->count() > 0) {
      return options.values.at(name);
    }
    auto in_file = from_file.find(name);
    return in_file != from_file.end() ? in_file->second : fallback;
  };

  ClientSettings settings;
  settings.json = options.json;
  for (const EndpointInfo& info : Endpoints()) {
    settings.addresses[info.endpoint] = setting(info.setting, info.default_address);
  }
  std::string timeout = setting("timeout-ms", "10000");
  if (!absl::SimpleAtoi(timeout, &settings.timeout_ms) || settings.timeout_ms < 1 ||
      settings.timeout_ms > 600000) {
    return absl::InvalidArgumentError("timeout-ms must be a whole number from 1 to 600000, not '" +
                                      timeout + "'");
  }
  settings.tls.ca_file = setting("tls-ca-file", "");
  settings.tls.cert_file = setting("tls-cert-file", "");
  settings.tls.key_file = setting("tls-key-file", "");
  if (settings.tls.cert_file.empty() != settings.tls.key_file.empty()) {
    return absl::InvalidArgumentError("tls-cert-file and tls-key-file go together");
  }

  std::string token_file = setting("token-file", "");
  if (!token_file.empty()) {
    std::optional<std::string> token = common::ReadSecretFile(token_file);
    if (!token) return absl::InvalidArgumentError("cannot read token file " + token_file);
    settings.token = *token;
    settings.token_origin = "token file " + token_file;
  } else if (const char* token = std::getenv("SALESOPS_TOKEN"); token != nullptr && *token) {
    settings.token = token;
    settings.token_origin = "$SALESOPS_TOKEN";
  }
  return settings;
}

}  // namespace salesops::cli
