#pragma once

#include <absl/status/statusor.h>
#include <grpc/grpc_security.h>
#include <grpcpp/support/string_ref.h>

#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "salesops/v1/vocabulary.pb.h"
#include "services/common/role_policy.h"

namespace salesops::common {

// Bearer tokens the service accepts, kept only as SHA-256 hashes: a leaked
// configuration does not leak a usable token.
class TokenRegistry {
 public:
  // Lines of `<sha256-hex> <actor-id> <role> [display name…]`; lines are
  // separated by newlines or ';'; '#' starts a comment. Roles: sales, ops,
  // admin, service, crew (one crew member: the actor id is their CrewMember.person_id).
  static absl::StatusOr<TokenRegistry> Parse(std::string_view text);

  // The actor a presented token stands for, if any.
  std::optional<v1::Actor> Find(std::string_view token) const;
  size_t size() const { return by_hash_.size(); }

 private:
  std::map<std::string, v1::Actor, std::less<>> by_hash_;
};

std::optional<v1::Role> ParseRole(std::string_view name);

// Whether `caller` is the person or service `id` names. An empty id names nobody, and an empty
// caller is nobody: "" never matches "", so a blank owner is no one's to delete.
inline bool IsActor(const v1::Actor& caller, std::string_view id) {
  return !caller.id().empty() && !id.empty() && caller.id() == id;
}
std::string RoleName(v1::Role role);

// The decision taken for one incoming call.
struct AuthDecision {
  grpc_status_code code = GRPC_STATUS_OK;
  std::string message;
  std::optional<v1::Actor> actor;
};

class Authenticator {
 public:
  // Told of every refused call, so refusals count in the same gRPC metrics as
  // handled calls (they never reach the server interceptors).
  using RefusalObserver = std::function<void(std::string_view full_method, grpc_status_code)>;

  Authenticator(TokenRegistry tokens, RolePolicy policy, RefusalObserver on_refusal = {})
      : tokens_(std::move(tokens)),
        policy_(std::move(policy)),
        on_refusal_(std::move(on_refusal)) {}
  // The actor behind an `authorization` header value ("Bearer <token>").
  std::optional<v1::Actor> Identify(std::optional<std::string_view> authorization) const;
  // The actor behind a call's client metadata: none unless the call carries exactly one
  // `authorization` header (two headers are two claims, and neither is believed).
  std::optional<v1::Actor> Identify(
      const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) const;
  // `authorization_headers` holds every `authorization` value the call sent, in order; more
  // than one is refused, so the identity the check decided is the only one the call can have.
  AuthDecision Decide(std::string_view full_method,
                      const std::vector<std::string_view>& authorization_headers) const;

 private:
  TokenRegistry tokens_;
  RolePolicy policy_;
  RefusalObserver on_refusal_;
};

// Runs `authenticator` on every call accepted through `credentials`, before
// any handler: refused calls end with UNAUTHENTICATED or PERMISSION_DENIED and
// never reach the service.
void InstallAuthProcessor(grpc_server_credentials* credentials,
                          std::shared_ptr<const Authenticator> authenticator);

}  // namespace salesops::common
