#include "services/common/role_policy.h"

namespace salesops::common {

RolePolicy& RolePolicy::Allow(std::string_view method, std::initializer_list<v1::Role> roles) {
  std::string full = "/" + service_ + "/" + std::string(method);
  allowed_[full].insert(roles.begin(), roles.end());
  return *this;
}

RolePolicy& RolePolicy::Merge(const RolePolicy& other) {
  for (const auto& [method, roles] : other.allowed_)
    allowed_[method].insert(roles.begin(), roles.end());
  return *this;
}

bool RolePolicy::IsPublic(std::string_view full_method) {
  return full_method.rfind("/grpc.health.v1.Health/", 0) == 0 ||
         full_method.rfind("/grpc.reflection.v1alpha.ServerReflection/", 0) == 0 ||
         full_method.rfind("/grpc.reflection.v1.ServerReflection/", 0) == 0;
}

const std::set<v1::Role>* RolePolicy::AllowedRoles(std::string_view full_method) const {
  auto found = allowed_.find(full_method);
  return found == allowed_.end() ? nullptr : &found->second;
}

bool RolePolicy::IsAllowed(std::string_view full_method, v1::Role role) const {
  const std::set<v1::Role>* roles = AllowedRoles(full_method);
  return roles != nullptr && roles->count(role) > 0;
}

std::vector<std::string> RolePolicy::Methods() const {
  std::vector<std::string> methods;
  for (const auto& [method, roles] : allowed_) methods.push_back(method);
  return methods;
}

}  // namespace salesops::common
