#pragma once

#include <absl/status/statusor.h>

#include <map>
#include <string>
#include <vector>

#include "services/common/credentials.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace salesops::cli {

// The four services salesopsctl talks to.
enum class Endpoint { kInventory, kScheduling, kNotification, kOrderIntake };

struct EndpointInfo {
  Endpoint endpoint;
  std::string name;             // "order-intake", as people and logs say it
  std::string setting;          // "order-intake-address": flag, env and config key
  std::string default_address;  // where scripts/run puts it
};
const std::vector<EndpointInfo>& Endpoints();
const EndpointInfo& InfoOf(Endpoint endpoint);

// Everything a command needs to reach the services, after resolving each
// setting: flag, then environment (SALESOPS_<SETTING>), then the config file,
// then the default.
struct ClientSettings {
  std::map<Endpoint, std::string> addresses;
  std::string token;         // the bearer token itself; empty sends none
  std::string token_origin;  // where it came from, for error hints
  common::TlsFiles tls;
  int timeout_ms = 10000;
  bool json = false;
};

// The settings one name each: `--NAME` on the command line, `SALESOPS_NAME`
// in the environment (dashes become underscores), `NAME:` in the config file.
const std::vector<std::string>& SettingNames();
std::string EnvNameOf(const std::string& setting);  // "token-file" -> SALESOPS_TOKEN_FILE

// The global options as given on the command line or in the environment.
struct GlobalOptions {
  std::string config_file;
  bool json = false;
  std::map<std::string, std::string> values;  // setting name -> value, when given
  std::map<std::string, CLI::Option*> options;
};

// Adds the global options to the top-level command (subcommands accept them
// too, before or after their own arguments).
void AddGlobalOptions(CLI::App& app, GlobalOptions& options);

// Where the config file is looked for when --config and SALESOPS_CONFIG are absent.
std::string DefaultConfigPath();

// Reads the config file (when there is one) and fills in what was not given.
// A config file named explicitly must exist; unknown keys are errors, so a
// typo does not silently fall back to a default.
absl::StatusOr<ClientSettings> ResolveSettings(const GlobalOptions& options);

}  // namespace salesops::cli
