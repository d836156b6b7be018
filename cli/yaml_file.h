#pragma once

#include <absl/status/statusor.h>
#include <absl/strings/str_cat.h>
#include <yaml-cpp/yaml.h>

#include <string>

namespace salesops::cli {

// The YAML file at `path`, or INVALID_ARGUMENT saying it cannot be read and why (missing,
// malformed), for the demo's files and the other files the CLI reads.
inline absl::StatusOr<YAML::Node> ReadYamlFile(const std::string& path) {
  try {
    return YAML::LoadFile(path);
  } catch (const YAML::Exception& error) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read ", path, ": ", error.what()));
  }
}

}  // namespace salesops::cli
