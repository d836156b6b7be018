#pragma once

#include <absl/status/statusor.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>

#include "services/common/auth.h"

namespace salesops::common {

// TLS is configuration, not code: empty paths mean plaintext.
struct TlsFiles {
  std::string cert_file;  // our certificate chain (PEM)
  std::string key_file;   // its private key (PEM)
  std::string ca_file;    // CA bundle to verify the peer; on a server, it turns on mutual TLS
};

// Plaintext or TLS server credentials (mutual TLS when `ca_file` is set), with
// the bearer-token auth processor installed either way.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsFiles& tls, std::shared_ptr<const Authenticator> authenticator);

// Plaintext when no file is given; otherwise TLS verifying the server against
// `ca_file` (system roots when empty) and presenting cert/key when given.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const TlsFiles& tls);

}  // namespace salesops::common
