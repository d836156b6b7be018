#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "salesops/v1/vocabulary.pb.h"

namespace salesops::common {

// Which roles may call each RPC of a service: one table per service, deny by
// default. Health and reflection are open to everyone (probes carry no token).
class RolePolicy {
 public:
  explicit RolePolicy(std::string service_full_name) : service_(std::move(service_full_name)) {}
  RolePolicy& Allow(std::string_view method, std::initializer_list<v1::Role> roles);
  // Adds another service's table (a binary may host several services).
  RolePolicy& Merge(const RolePolicy& other);

  bool IsAllowed(std::string_view full_method, v1::Role role) const;
  // Methods the table knows, as "/package.Service/Method".
  std::vector<std::string> Methods() const;
  const std::set<v1::Role>* AllowedRoles(std::string_view full_method) const;

  static bool IsPublic(std::string_view full_method);

 private:
  std::string service_;
  std::map<std::string, std::set<v1::Role>, std::less<>> allowed_;
};

}  // namespace salesops::common
