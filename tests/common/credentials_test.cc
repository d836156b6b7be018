#include "services/common/credentials.h"

#include <grpcpp/create_channel.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "services/common/channel_factory.h"
#include "tests/common/grpc_test_server.h"
#include "tests/support/test_support.h"

namespace salesops::common {
namespace {

// A throwaway CA with a server certificate (for 127.0.0.1 and localhost) and
// a client certificate, made with the openssl command line for this test run.
class ThrowawayCa {
 public:
  ThrowawayCa() {
    char dir_template[] = "/tmp/salesops-ca.XXXXXX";
    dir_ = mkdtemp(dir_template);
    std::ofstream script(dir_ + "/make-ca.sh");
    script << "set -e\n"
              "cd \"$(dirname \"$0\")\"\n"
              "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 \\\n"
              "  -subj /CN=salesops-test-ca 2>/dev/null\n"
              "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > server.ext\n"
              "for who in server client; do\n"
              "  openssl req -newkey rsa:2048 -nodes -keyout $who.key -out $who.csr \\\n"
              "    -subj /CN=salesops-$who 2>/dev/null\n"
              "  ext=''; if [ \"$who\" = server ]; then ext='-extfile server.ext'; fi\n"
              "  openssl x509 -req -in $who.csr -CA ca.pem -CAkey ca.key -CAcreateserial \\\n"
              "    -out $who.pem -days 1 $ext 2>/dev/null\n"
              "done\n";
    script.close();
    ok_ = testing::RunCommand("bash " + dir_ + "/make-ca.sh") == 0;
  }
  ~ThrowawayCa() { testing::RunCommand("rm -rf " + dir_); }
  bool ok() const { return ok_; }
  std::string Path(const std::string& file) const { return dir_ + "/" + file; }

 private:
  std::string dir_;
  bool ok_ = false;
};

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ca_ = new ThrowawayCa(); }
  static void TearDownTestSuite() { delete ca_; }

  void StartServer(bool mutual) {
    ASSERT_TRUE(ca_->ok()) << "openssl could not create the test CA";
    TlsFiles tls{ca_->Path("server.pem"), ca_->Path("server.key"),
                 mutual ? ca_->Path("ca.pem") : ""};
    server_ = testing::StartTestServer(&inventory_, tls, &port_);
    ASSERT_NE(server_, nullptr);
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  // Calls GetItem over a channel built from `tls`, with `token`.
  grpc::Status Call(const TlsFiles& tls, const std::string& token, std::string* caller = nullptr) {
    ChannelOptions options;
    options.target = "127.0.0.1:" + std::to_string(port_);
    options.tls = tls;
    options.bearer_token = token;
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        ChannelFactory(nullptr).Create(options);
    EXPECT_TRUE(channel.ok());
    auto stub = v1::InventoryService::NewStub(*channel);
    grpc::ClientContext context;
    SetDeadline(context, std::chrono::seconds(5));
    v1::GetItemRequest request;
    request.set_inventory_code("LED-PANEL-500");
    v1::GetItemResponse response;
    grpc::Status status = stub->GetItem(&context, request, &response);
    if (caller) *caller = response.item().description();
    return status;
  }

  static ThrowawayCa* ca_;
  testing::ScriptedInventory inventory_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

ThrowawayCa* TlsTest::ca_ = nullptr;

TEST_F(TlsTest, TlsServerAcceptsClientsThatTrustItsCa) {
  StartServer(/*mutual=*/false);
  std::string caller;
  grpc::Status status = Call({"", "", ca_->Path("ca.pem")}, "service-token", &caller);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(caller, "svc-1");  // bearer-token auth still applies over TLS
}

TEST_F(TlsTest, TlsServerRefusesPlaintextClients) {
  StartServer(/*mutual=*/false);
  EXPECT_EQ(Call({}, "service-token").error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, TokenIsStillRequiredOverTls) {
  StartServer(/*mutual=*/false);
  EXPECT_EQ(Call({"", "", ca_->Path("ca.pem")}, "").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(TlsTest, MutualTlsAcceptsClientsWithACertificateFromTheCa) {
  StartServer(/*mutual=*/true);
  grpc::Status status = Call(
      {ca_->Path("client.pem"), ca_->Path("client.key"), ca_->Path("ca.pem")}, "service-token");
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(TlsTest, MutualTlsRefusesClientsWithoutACertificate) {
  StartServer(/*mutual=*/true);
  EXPECT_EQ(Call({"", "", ca_->Path("ca.pem")}, "service-token").error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST(CredentialsTest, MissingFilesAreAClearError) {
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials = MakeServerCredentials(
      {"/nonexistent/cert.pem", "/nonexistent/key.pem", ""},
      std::make_shared<const Authenticator>(TokenRegistry(), RolePolicy("x.Y")));
  EXPECT_EQ(credentials.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(std::string(credentials.status().message()).find("/nonexistent/cert.pem"),
            std::string::npos);
}

}  // namespace
}  // namespace salesops::common
