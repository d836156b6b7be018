#include "tests/support/test_support.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_replace.h>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <grpcpp/create_channel.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <pqxx/pqxx>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "services/common/config.h"
#include "services/common/health_client.h"
#include "services/common/metrics.h"
#include "services/common/sha256.h"

namespace salesops::testing {
namespace {

std::string RequireEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    throw std::runtime_error(std::string(name) +
                             " is not set: run the tests through scripts/test, which starts a "
                             "throwaway PostgreSQL and sets SALESOPS_TEST_PG_*");
  }
  return value;
}

std::string RandomSuffix() {
  static std::mt19937_64 random{std::random_device{}()};
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  std::ostringstream out;
  out << std::hex << random();
  return out.str();
}

std::string PostgresScript() {
  const char* configured = std::getenv("SALESOPS_POSTGRES_SCRIPT");
  if (configured != nullptr && *configured != '\0') return configured;
  return std::string(SALESOPS_SOURCE_DIR) + "/scripts/lib/postgres.sh";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

PostgresServer PostgresServer::FromEnvironment() {
  PostgresServer server;
  server.host = RequireEnv("SALESOPS_TEST_PG_HOST");
  server.port = std::stoi(RequireEnv("SALESOPS_TEST_PG_PORT"));
  server.user = RequireEnv("SALESOPS_TEST_PG_USER");
  server.password_file = RequireEnv("SALESOPS_TEST_PG_PASSWORD_FILE");
  server.password = common::ReadSecretFile(server.password_file).value_or("");
  return server;
}

std::string PostgresServer::Url(const std::string& database) const {
  return "postgresql://" + user + "@" + host + ":" + std::to_string(port) + "/" + database;
}

std::string PostgresServer::ConnectionString(const std::string& database) const {
  return "host=" + host + " port=" + std::to_string(port) + " user=" + user +
         " password=" + password + " dbname=" + database + " connect_timeout=5";
}

TestDatabase::TestDatabase(const PostgresServer& server)
    : server_(server), name_("salesops_test_" + RandomSuffix()) {
  pqxx::connection admin(server_.ConnectionString("postgres"));
  pqxx::nontransaction statement(admin);
  statement.exec("CREATE DATABASE " + name_);
}

TestDatabase::~TestDatabase() {
  try {
    pqxx::connection admin(server_.ConnectionString("postgres"));
    pqxx::nontransaction statement(admin);
    statement.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception&) {
    // The throwaway cluster is removed at the end of the run anyway.
  }
}

PrivatePostgres::PrivatePostgres() : script_(PostgresScript()) {
  char root_template[] = "/tmp/salesops-private-pg.XXXXXX";
  if (mkdtemp(root_template) == nullptr) throw std::runtime_error("mkdtemp failed");
  root_ = root_template;
  chmod(root_.c_str(), 0755);
  data_dir_ = root_ + "/data";
  if (RunCommand(ShellQuote(script_) + " init " + data_dir_) != 0) {
    throw std::runtime_error("initdb failed for " + data_dir_);
  }
  server_.host = "127.0.0.1";
  server_.user = "postgres";
  server_.password_file = root_ + "/secrets/postgres.password";
  server_.password = common::ReadSecretFile(server_.password_file).value_or("");
  // A port found free can be taken before PostgreSQL binds it (other tests' connections use
  // the same range): try a few.
  for (int attempt = 1;; ++attempt) {
    std::string port;
    if (RunCommand(ShellQuote(script_) + " free-port", &port) != 0)
      throw std::runtime_error("no free port");
    server_.port = std::stoi(port);
    try {
      Start();
      return;
    } catch (const std::runtime_error&) {
      if (attempt == 3) throw;
    }
  }
}

PrivatePostgres::~PrivatePostgres() {
  Stop();
  RunCommand("rm -rf " + root_);
}

void PrivatePostgres::Start() {
  if (RunCommand("SALESOPS_PG_FSYNC=off " + ShellQuote(script_) + " start " + data_dir_ + " " +
                 std::to_string(server_.port)) != 0) {
    throw std::runtime_error("cannot start PostgreSQL in " + data_dir_);
  }
}

void PrivatePostgres::Stop() { RunCommand(ShellQuote(script_) + " stop " + data_dir_); }

ServiceProcess::ServiceProcess(std::string binary, std::vector<std::string> args) {
  log_path_ = "/tmp/salesops-service-" + RandomSuffix() + ".log";
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    // Never outlive the test, even when it crashes.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    int log = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    std::vector<char*> argv;
    argv.push_back(binary.data());
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
}

ServiceProcess::~ServiceProcess() {
  if (running()) Terminate();
  unlink(log_path_.c_str());
}

bool ServiceProcess::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t result = waitpid(pid_, &status, WNOHANG);
  if (result == pid_) {
    pid_ = -1;
    exit_description_ = WIFSIGNALED(status)
                            ? "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
                                  strsignal(WTERMSIG(status)) + ")"
                            : "exited with status " + std::to_string(WEXITSTATUS(status));
    return false;
  }
  return true;
}

std::string ServiceProcess::log() const { return ReadFile(log_path_); }

bool ServiceProcess::WaitUntilStarted(std::chrono::seconds timeout) {
  static const std::regex started(R"(event=server_started grpc_port=(\d+) metrics_port=(\d+))");
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch match;
    std::string text = log();
    if (std::regex_search(text, match, started)) {
      grpc_port_ = std::stoi(match[1]);
      metrics_port_ = std::stoi(match[2]);
      return true;
    }
    if (!running()) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int ServiceProcess::Terminate(std::chrono::seconds timeout) {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return -1;
}

std::string TestTokens::HashedLines() const {
  return common::Sha256Hex(sales) + " seller-1 sales Sam Seller;" + common::Sha256Hex(ops) +
         " ops-1 ops Olga Ops;" + common::Sha256Hex(admin) + " admin-1 admin;" +
         common::Sha256Hex(service) + " svc-1 service;" + common::Sha256Hex(crew_ann) + " " +
         kCrewAnn + " crew Ann Rigger;" + common::Sha256Hex(crew_ben) + " " + kCrewBen +
         " crew Ben Lampie;" + common::Sha256Hex(OwnTokenOf("inventory")) + " inventory service;" +
         common::Sha256Hex(OwnTokenOf("scheduling")) + " scheduling service;" +
         common::Sha256Hex(OwnTokenOf("notification")) + " notification service;" +
         common::Sha256Hex(OwnTokenOf("order-intake")) + " order-intake service";
}

const std::string& TestTokens::ServiceTokenFile(const std::string& service) const {
  std::string& file = service_token_files_[service];
  if (file.empty()) {
    file = "/tmp/salesops-service-token-" + RandomSuffix();
    std::ofstream(file) << OwnTokenOf(service);
  }
  return file;
}

std::vector<std::string> WithArg(std::vector<std::string> args, const std::string& flag,
                                 const std::string& value) {
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == flag) {
      args[i + 1] = value;
      return args;
    }
  }
  args.push_back(flag);
  args.push_back(value);
  return args;
}

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::atoi(value) : fallback;
}

namespace {

// Whether 127.0.0.1:`port` can be bound now; 0 asks the kernel for any free port.
int BindLoopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  socklen_t length = sizeof(address);
  int bound = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    bound = ntohs(address.sin_port);
  }
  close(fd);
  return bound;
}

}  // namespace

int FreeTcpPort() {
  // Below the kernel's ephemeral range (32768 and up on Linux): a port handed out here is
  // not one the kernel gives the next process that listens on port 0 (every service's
  // metrics port in a parallel test), which a port from that range could become between
  // this call and the service binding it.
  static std::mutex mutex;
  static std::mt19937 random(std::random_device{}() ^ static_cast<unsigned>(getpid()));
  std::lock_guard<std::mutex> lock(mutex);
  std::uniform_int_distribution<int> below_ephemeral(20000, 32000);
  for (int attempt = 0; attempt < 100; ++attempt) {
    const int port = below_ephemeral(random);
    if (BindLoopback(port) == port) return port;
  }
  return BindLoopback(0);
}

const std::string& TestTokens::ForRole(const std::string& role) const {
  if (role == "sales") return sales;
  if (role == "ops") return ops;
  if (role == "admin") return admin;
  if (role == "crew") return crew_ann;
  return service;
}

const std::string& TestTokens::ForCrew(const std::string& person_id) const {
  return person_id == kCrewBen ? crew_ben : crew_ann;
}

std::vector<std::string> ServiceArgs(const std::string& database_url,
                                     const std::string& password_file, const TestTokens& tokens) {
  return {"--database-url",
          database_url,
          "--database-password-file",
          password_file,
          "--listen-address",
          "127.0.0.1:0",
          "--metrics-address",
          "127.0.0.1:0",
          "--tokens",
          tokens.HashedLines(),
          "--log-format",
          "text",
          "--database-check-interval-ms",
          "500",
          "--shutdown-grace-ms",
          "5000"};
}

std::string HealthStatus(const std::string& address, const std::string& service) {
  auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  absl::StatusOr<std::string> status =
      common::CheckHealth(channel, service, std::chrono::milliseconds(2000));
  if (!status.ok())
    return common::GrpcCodeLabel(static_cast<grpc::StatusCode>(status.status().code()));
  return *status;
}

bool WaitForHealth(const std::string& address, const std::string& expected,
                   std::chrono::milliseconds timeout, const std::string& service) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (HealthStatus(address, service) == expected) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

namespace {
size_t AppendToString(char* data, size_t size, size_t count, void* target) {
  static_cast<std::string*>(target)->append(data, size * count);
  return size * count;
}
}  // namespace

std::string FetchMetrics(int port) {
  std::string body;
  CURL* curl = curl_easy_init();
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/metrics";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendToString);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 5L);
  curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  return body;
}

std::string ShellQuote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

int RunCommand(const std::string& command, std::string* output) {
  FILE* pipe = popen((command + (output ? "" : " >/dev/null")).c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  std::string collected;
  size_t read = 0;
  while ((read = fread(buffer, 1, sizeof(buffer), pipe)) > 0) collected.append(buffer, read);
  int status = pclose(pipe);
  if (output) {
    while (!collected.empty() && std::isspace(static_cast<unsigned char>(collected.back()))) {
      collected.pop_back();
    }
    *output = collected;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ServiceBinary(const std::string& service) {
  if (service == "inventory") return SALESOPS_BINARY_INVENTORY;
  if (service == "scheduling") return SALESOPS_BINARY_SCHEDULING;
  if (service == "notification") return SALESOPS_BINARY_NOTIFICATION;
  if (service == "order-intake") return SALESOPS_BINARY_ORDER_INTAKE;
  throw std::invalid_argument("unknown service " + service);
}

}  // namespace salesops::testing

namespace salesops::testing {
std::string SalesopsctlBinary() { return SALESOPS_BINARY_SALESOPSCTL; }
namespace {

// Writes `pdf` to a fresh directory, runs `command` (with {pdf} and {dir} filled in) and
// answers its output; the directory is removed after.
int WithPdfFile(const std::string& pdf, const std::string& command, std::string* output,
                const std::function<void(const std::string& dir)>& after = nullptr) {
  char dir_template[] = "/tmp/salesops-pdf.XXXXXX";
  const char* dir = mkdtemp(dir_template);
  if (dir == nullptr) return -1;
  const std::string path = std::string(dir) + "/document.pdf";
  std::ofstream(path, std::ios::binary).write(pdf.data(), static_cast<std::streamsize>(pdf.size()));
  const int status = RunCommand(
      absl::StrReplaceAll(command, {{"{pdf}", ShellQuote(path)}, {"{dir}", ShellQuote(dir)}}),
      output);
  if (after) after(dir);
  std::filesystem::remove_all(dir);
  return status;
}

}  // namespace

std::string PdfText(const std::string& pdf) {
  std::string text;
  if (WithPdfFile(pdf, "pdftotext -layout {pdf} - 2>/dev/null", &text) != 0) return "";
  return text;
}

std::vector<std::string> PdfBarcodes(const std::string& pdf) {
  std::string decoded;
  // pdftoppm names pages page-1.png, page-2.png ...; zbarimg exits 4 on a page without one.
  WithPdfFile(pdf,
              "pdftoppm -r 300 -png {pdf} {dir}/page 2>/dev/null && "
              "for page in $(ls {dir}/page-*.png | sort -V); do "
              "zbarimg --nodbus --raw -q \"$page\" 2>/dev/null; done; true",
              &decoded);
  std::vector<std::string> codes;
  std::istringstream lines(decoded);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) codes.push_back(line);
  }
  return codes;
}

double PdfPageInk(const std::string& pdf, int page) {
  double ink = -1;
  const std::string command =
      absl::StrCat("pdftoppm -gray -r 30 -f ", page, " -l ", page, " {pdf} {dir}/page 2>/dev/null");
  WithPdfFile(pdf, command, nullptr, [&](const std::string& dir) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().extension() != ".pgm") continue;
      // Binary PGM: "P5", width, height, maxval, then one byte a pixel.
      std::ifstream in(entry.path(), std::ios::binary);
      std::string magic;
      int width = 0, height = 0, maxval = 0;
      in >> magic >> width >> height >> maxval;
      in.get();
      if (magic != "P5" || width <= 0 || height <= 0 || maxval != 255) return;
      std::string pixels(static_cast<size_t>(width) * height, '\0');
      in.read(pixels.data(), static_cast<std::streamsize>(pixels.size()));
      size_t inked = 0;
      for (char pixel : pixels) inked += static_cast<unsigned char>(pixel) < 250 ? 1 : 0;
      ink = static_cast<double>(inked) / static_cast<double>(pixels.size());
    }
  });
  return ink;
}

}  // namespace salesops::testing
