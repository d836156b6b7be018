#include "services/common/credentials.h"

#include <grpc/grpc.h>

#include "services/common/config.h"

namespace salesops::common {
namespace {

// grpc++ 1.51's InsecureServerCredentials() cannot carry an auth metadata
// processor (it asserts), while the C core's insecure and SSL credentials both
// can. This adapter lets the C++ ServerBuilder use C-core credentials, so one
// auth path serves plaintext and TLS alike.
class CoreServerCredentials final : public grpc::ServerCredentials {
 public:
  explicit CoreServerCredentials(grpc_server_credentials* credentials)
      : credentials_(credentials) {}
  ~CoreServerCredentials() override { grpc_server_credentials_release(credentials_); }

  void SetAuthMetadataProcessor(const std::shared_ptr<grpc::AuthMetadataProcessor>&) override {
    // Auth is installed on the core credentials by MakeServerCredentials.
  }

 private:
  int AddPortToServer(const std::string& address, grpc_server* server) override {
    return grpc_server_add_http2_port(server, address.c_str(), credentials_);
  }

  grpc_server_credentials* credentials_;
};

absl::StatusOr<std::string> ReadPem(const std::string& path, const char* what) {
  std::optional<std::string> content = ReadSecretFile(path);
  if (!content || content->empty()) {
    return absl::InvalidArgumentError(std::string("cannot read ") + what + " file " + path);
  }
  return *content + "\n";
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const TlsFiles& tls, std::shared_ptr<const Authenticator> authenticator) {
  grpc_server_credentials* credentials = nullptr;
  if (tls.cert_file.empty()) {
    credentials = grpc_insecure_server_credentials_create();
  } else {
    absl::StatusOr<std::string> cert = ReadPem(tls.cert_file, "TLS certificate");
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadPem(tls.key_file, "TLS key");
    if (!key.ok()) return key.status();
    std::string ca;
    if (!tls.ca_file.empty()) {
      absl::StatusOr<std::string> read = ReadPem(tls.ca_file, "TLS CA");
      if (!read.ok()) return read.status();
      ca = *read;
    }
    grpc_ssl_pem_key_cert_pair pair{key->c_str(), cert->c_str()};
    credentials = grpc_ssl_server_credentials_create_ex(
        ca.empty() ? nullptr : ca.c_str(), &pair, 1,
        ca.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                   : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY,
        nullptr);
    if (credentials == nullptr) return absl::InvalidArgumentError("invalid TLS configuration");
  }
  InstallAuthProcessor(credentials, std::move(authenticator));
  return std::make_shared<CoreServerCredentials>(credentials);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const TlsFiles& tls) {
  if (tls.ca_file.empty() && tls.cert_file.empty()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  if (!tls.ca_file.empty()) {
    absl::StatusOr<std::string> ca = ReadPem(tls.ca_file, "TLS CA");
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
  }
  if (!tls.cert_file.empty()) {
    absl::StatusOr<std::string> cert = ReadPem(tls.cert_file, "TLS certificate");
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadPem(tls.key_file, "TLS key");
    if (!key.ok()) return key.status();
    options.pem_cert_chain = *cert;
    options.pem_private_key = *key;
  }
  return grpc::SslCredentials(options);
}

}  // namespace salesops::common
