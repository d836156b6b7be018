#pragma once

#include <grpcpp/channel.h>
#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace salesops::testing {

// Settings of the throwaway PostgreSQL that scripts/test starts
// (SALESOPS_TEST_PG_*). A test needing a database fails, never skips, when
// they are missing: run the tests through scripts/test.
struct PostgresServer {
  std::string host;
  int port = 0;
  std::string user;
  std::string password_file;
  std::string password;

  static PostgresServer FromEnvironment();
  std::string Url(const std::string& database) const;
  // Connection string with the password, for the test's own connections.
  std::string ConnectionString(const std::string& database) const;
};

// A fresh, empty database on the test server, dropped when the object dies.
class TestDatabase {
 public:
  explicit TestDatabase(const PostgresServer& server = PostgresServer::FromEnvironment());
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& name() const { return name_; }
  std::string url() const { return server_.Url(name_); }
  std::string connection_string() const { return server_.ConnectionString(name_); }
  const PostgresServer& server() const { return server_; }

 private:
  PostgresServer server_;
  std::string name_;
};

// A private PostgreSQL cluster for tests that stop and start the database
// (scripts/lib/postgres.sh does the work, as in the run command).
class PrivatePostgres {
 public:
  PrivatePostgres();
  ~PrivatePostgres();
  void Start();
  void Stop();
  const PostgresServer& server() const { return server_; }

 private:
  std::string script_;
  std::string root_;
  std::string data_dir_;
  PostgresServer server_;
};

// A salesops binary running as a real child process; SIGTERM and wait on
// destruction. Its log (stderr) goes to a file the test can read.
class ServiceProcess {
 public:
  ServiceProcess(std::string binary, std::vector<std::string> args);
  ~ServiceProcess();
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  // Waits for the "server_started" log line and reads the ports from it.
  bool WaitUntilStarted(std::chrono::seconds timeout = std::chrono::seconds(30));
  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(grpc_port_); }
  std::string log() const;
  // Sends SIGTERM and returns the exit status (-1 when killed by a signal).
  int Terminate(std::chrono::seconds timeout = std::chrono::seconds(30));
  bool running();
  // How the process ended, once running() has seen it end: "exited with status N" or
  // "killed by signal N (name)"; empty while it runs.
  const std::string& exit_description() const { return exit_description_; }

 private:
  std::string log_path_;
  pid_t pid_ = -1;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
  std::string exit_description_;
};

// Token fixtures: clear tokens for the test client, and the hashed lines the
// service is configured with.
struct TestTokens {
  std::string sales = "sales-token-for-tests";
  std::string ops = "ops-token-for-tests";
  std::string admin = "admin-token-for-tests";
  std::string service = "service-token-for-tests";
  // Two crew members' own tokens (role crew): actor ids kCrewAnn and kCrewBen, each the
  // CrewMember.person_id a test gives its member. ForRole("crew") is Ann's.
  static constexpr char kCrewAnn[] = "crew-ann";
  static constexpr char kCrewBen[] = "crew-ben";
  std::string crew_ann = "crew-ann-token-for-tests";
  std::string crew_ben = "crew-ben-token-for-tests";
  // `<sha256> <actor> <role>` lines separated by ';' (SALESOPS_TOKENS format).
  std::string HashedLines() const;
  const std::string& ForRole(const std::string& role) const;
  // The crew token of person kCrewAnn or kCrewBen.
  const std::string& ForCrew(const std::string& person_id) const;
  // A file holding `service`'s own token (role service, actor id = the service's name, as each
  // deployment has), for --service-token-file (made once per service).
  const std::string& ServiceTokenFile(const std::string& service) const;
  static std::string OwnTokenOf(const std::string& service) {
    return "service-token-for-" + service;
  }

 private:
  mutable std::map<std::string, std::string> service_token_files_;
};

// Standard flags to run a service binary against `database_url` on free ports.
std::vector<std::string> ServiceArgs(const std::string& database_url,
                                     const std::string& password_file, const TestTokens& tokens);

// `args` with `flag` set to `value`: replaced where present, appended otherwise.
std::vector<std::string> WithArg(std::vector<std::string> args, const std::string& flag,
                                 const std::string& value);

// A TCP port on 127.0.0.1 that was free a moment ago (for a process that must
// come back on the same address after a restart).
int FreeTcpPort();

// An integer setting from the environment (the load tools' SALESOPS_BENCH_*), or `fallback`
// when it is unset or empty.
int EnvInt(const char* name, int fallback);

// grpc.health.v1 Check over a real channel: "SERVING", "NOT_SERVING", or the
// error code name when the call fails.
std::string HealthStatus(const std::string& address, const std::string& service = "");

// Polls until HealthStatus equals `expected` or the timeout passes.
bool WaitForHealth(const std::string& address, const std::string& expected,
                   std::chrono::milliseconds timeout, const std::string& service = "");

// GET http://127.0.0.1:<port>/metrics.
std::string FetchMetrics(int port);

// Runs a shell command, returning its exit status and (optionally) stdout.
int RunCommand(const std::string& command, std::string* output = nullptr);

// The binary of a service, from the build (set by CMake).
std::string ServiceBinary(const std::string& service);
std::string SalesopsctlBinary();

// `text` as one word for /bin/sh, so that a checkout path with spaces survives RunCommand.
std::string ShellQuote(const std::string& text);

// A PDF's text as `pdftotext -layout` reads it (poppler-utils); pages end with '\f'. Empty when
// the tool fails.
std::string PdfText(const std::string& pdf);
// The share (0 to 1) of a PDF page's pixels that are not white, rendered by `pdftoppm` at 30 dpi
// in grey; -1 when it cannot be rendered. A blank page is 0.
double PdfPageInk(const std::string& pdf, int page = 1);
// Every barcode on every page of a PDF, as `zbarimg --raw` decodes it from `pdftoppm` at 300 dpi,
// in page order.
std::vector<std::string> PdfBarcodes(const std::string& pdf);

}  // namespace salesops::testing
