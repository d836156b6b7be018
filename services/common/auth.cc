#include "services/common/auth.h"

#include <absl/strings/ascii.h>
#include <absl/strings/str_split.h>
#include <absl/strings/strip.h>

#include "services/common/sha256.h"

namespace salesops::common {
namespace {

bool IsSha256Hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Debian's Abseil is built with its own absl::string_view (not an alias of
// std::string_view), so views are converted at this boundary.
absl::string_view AbslView(std::string_view view) { return {view.data(), view.size()}; }

std::string_view SliceView(const grpc_slice& slice) {
  return {reinterpret_cast<const char*>(GRPC_SLICE_START_PTR(slice)), GRPC_SLICE_LENGTH(slice)};
}

}  // namespace

std::optional<v1::Role> ParseRole(std::string_view name) {
  std::string lower = absl::AsciiStrToLower(AbslView(name));
  if (lower == "sales") return v1::ROLE_SALES;
  if (lower == "ops") return v1::ROLE_OPS;
  if (lower == "admin") return v1::ROLE_ADMIN;
  if (lower == "service") return v1::ROLE_SERVICE;
  if (lower == "crew") return v1::ROLE_CREW;
  return std::nullopt;
}

std::string RoleName(v1::Role role) {
  switch (role) {
    case v1::ROLE_SALES:
      return "sales";
    case v1::ROLE_OPS:
      return "ops";
    case v1::ROLE_ADMIN:
      return "admin";
    case v1::ROLE_SERVICE:
      return "service";
    case v1::ROLE_CREW:
      return "crew";
    default:
      return "unspecified";
  }
}

absl::StatusOr<TokenRegistry> TokenRegistry::Parse(std::string_view text) {
  TokenRegistry registry;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(AbslView(text), absl::ByAnyChar("\n;"))) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    std::vector<absl::string_view> parts =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (parts.size() < 3) {
      return absl::InvalidArgumentError("token entry " + std::to_string(line_number) +
                                        ": expected '<sha256-hex> <actor-id> <role>'");
    }
    std::string hash = absl::AsciiStrToLower(parts[0]);
    if (!IsSha256Hex(hash)) {
      return absl::InvalidArgumentError(
          "token entry " + std::to_string(line_number) +
          ": first field must be the token's SHA-256 in hex (tokens are never stored in clear)");
    }
    std::optional<v1::Role> role = ParseRole(std::string_view(parts[2].data(), parts[2].size()));
    if (!role) {
      return absl::InvalidArgumentError("token entry " + std::to_string(line_number) +
                                        ": unknown role '" + std::string(parts[2]) +
                                        "' (sales, ops, admin, service or crew)");
    }
    v1::Actor actor;
    actor.set_id(std::string(parts[1]));
    actor.set_role(*role);
    if (parts.size() > 3) {
      size_t name_start = parts[3].data() - line.data();
      actor.set_display_name(std::string(line.substr(name_start)));
    }
    registry.by_hash_[hash] = std::move(actor);
  }
  return registry;
}

std::optional<v1::Actor> TokenRegistry::Find(std::string_view token) const {
  if (token.empty()) return std::nullopt;
  auto found = by_hash_.find(Sha256Hex(token));
  if (found == by_hash_.end()) return std::nullopt;
  return found->second;
}

AuthDecision Authenticator::Decide(
    std::string_view full_method,
    const std::vector<std::string_view>& authorization_headers) const {
  AuthDecision decision;
  if (authorization_headers.size() == 1) decision.actor = Identify(authorization_headers.front());
  if (RolePolicy::IsPublic(full_method)) return decision;
  if (authorization_headers.empty()) {
    decision.code = GRPC_STATUS_UNAUTHENTICATED;
    decision.message = "missing bearer token (send 'authorization: Bearer <token>')";
  } else if (authorization_headers.size() > 1) {
    decision.code = GRPC_STATUS_UNAUTHENTICATED;
    decision.message = "more than one authorization header: send exactly one bearer token";
  } else if (!decision.actor) {
    decision.code = GRPC_STATUS_UNAUTHENTICATED;
    decision.message = "invalid bearer token";
  } else if (decision.actor->id().empty()) {
    // The registry never holds one, but an identity must never be blank.
    decision.code = GRPC_STATUS_UNAUTHENTICATED;
    decision.message = "invalid bearer token";
  } else if (!policy_.IsAllowed(full_method, decision.actor->role())) {
    decision.code = GRPC_STATUS_PERMISSION_DENIED;
    // An unknown path is the caller's own text: it is not echoed back.
    decision.message = "role '" + RoleName(decision.actor->role()) + "' may not call " +
                       (policy_.AllowedRoles(full_method) != nullptr ? std::string(full_method)
                                                                     : "an unknown method");
  }
  if (decision.code != GRPC_STATUS_OK && on_refusal_) on_refusal_(full_method, decision.code);
  return decision;
}

namespace {

void ProcessAuthMetadata(void* state, grpc_auth_context* context, const grpc_metadata* metadata,
                         size_t metadata_count, grpc_process_auth_metadata_done_cb done,
                         void* user_data) {
  const auto& authenticator = *static_cast<std::shared_ptr<const Authenticator>*>(state);
  std::string_view path;
  std::vector<std::string_view> authorization_headers;
  for (size_t i = 0; i < metadata_count; ++i) {
    std::string_view key = SliceView(metadata[i].key);
    if (key == ":path") path = SliceView(metadata[i].value);
    if (key == "authorization") authorization_headers.push_back(SliceView(metadata[i].value));
  }
  AuthDecision decision = authenticator->Decide(path, authorization_headers);
  // The header is not consumed and no identity is stored in the auth context:
  // gRPC 1.51 shares that context across every call of a connection, so a
  // property set here would leak one call's identity into the next. The
  // identity interceptor resolves the call's one header with the same
  // Authenticator, once per call, and hands that actor to the handler
  // (CallIdentities): a call with two headers never gets this far.
  done(user_data, nullptr, 0, nullptr, 0, decision.code,
       decision.code == GRPC_STATUS_OK ? nullptr : decision.message.c_str());
}

void DestroyAuthState(void* state) {
  delete static_cast<std::shared_ptr<const Authenticator>*>(state);
}

}  // namespace

void InstallAuthProcessor(grpc_server_credentials* credentials,
                          std::shared_ptr<const Authenticator> authenticator) {
  grpc_auth_metadata_processor processor;
  processor.process = ProcessAuthMetadata;
  processor.destroy = DestroyAuthState;
  processor.state = new std::shared_ptr<const Authenticator>(std::move(authenticator));
  grpc_server_credentials_set_auth_metadata_processor(credentials, processor);
}

std::optional<v1::Actor> Authenticator::Identify(
    std::optional<std::string_view> authorization) const {
  if (!authorization) return std::nullopt;
  absl::string_view value = absl::StripAsciiWhitespace(AbslView(*authorization));
  if (!absl::ConsumePrefix(&value, "Bearer ") && !absl::ConsumePrefix(&value, "bearer ")) {
    return std::nullopt;
  }
  value = absl::StripAsciiWhitespace(value);
  return tokens_.Find(std::string_view(value.data(), value.size()));
}

std::optional<v1::Actor> Authenticator::Identify(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) const {
  if (metadata.count("authorization") != 1) return std::nullopt;
  auto found = metadata.find("authorization");
  return Identify(std::string_view(found->second.data(), found->second.size()));
}

}  // namespace salesops::common
