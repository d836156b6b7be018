#include "services/common/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/server_builder.h>

#include "services/common/credentials.h"
#include "services/common/errors.h"
#include "services/common/interceptors.h"
#include "services/common/log.h"
#include "services/common/migrations.h"

namespace salesops::common {
namespace {

// Threads kept waiting for calls between bursts (see SetSyncServerOption below).
constexpr int kMaxIdlePollers = 32;

absl::StatusOr<TokenRegistry> LoadTokens(const ServerConfig& config) {
  std::string text = config.tokens;
  if (!config.tokens_file.empty()) {
    std::optional<std::string> file = ReadSecretFile(config.tokens_file);
    if (!file) return absl::InvalidArgumentError("cannot read tokens file " + config.tokens_file);
    text += "\n" + *file;
  }
  return TokenRegistry::Parse(text);
}

}  // namespace

Server::Server(ServiceDefinition definition, ServerConfig config)
    : definition_(std::move(definition)), config_(std::move(config)) {}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(ServiceDefinition definition,
                                                      ServerConfig config) {
  std::unique_ptr<Server> server(new Server(std::move(definition), std::move(config)));
  const ServerConfig& cfg = server->config_;

  absl::StatusOr<TokenRegistry> tokens = LoadTokens(cfg);
  if (!tokens.ok()) return tokens.status();
  if (tokens->size() == 0) {
    LogWarn("no_tokens_configured", {{"effect", "every call except health is refused"}});
  }
  std::string& own_token = server->own_token_;
  if (!cfg.service_token_file.empty()) {
    std::optional<std::string> read = ReadSecretFile(cfg.service_token_file);
    if (!read) return absl::InvalidArgumentError("cannot read " + cfg.service_token_file);
    own_token = *read;
  }

  SALESOPS_RETURN_IF_ERROR(server->metrics_.Serve(cfg.metrics_address));
  server->database_metrics_ = std::make_unique<DatabaseMetrics>(server->metrics_.registry());

  DatabaseOptions database;
  database.url = cfg.database_url;
  if (!cfg.database_password_file.empty()) {
    std::optional<std::string> password = ReadSecretFile(cfg.database_password_file);
    if (!password) {
      return absl::InvalidArgumentError("cannot read " + cfg.database_password_file);
    }
    database.password = *password;
  }
  database.application_name = "salesops-" + server->definition_.name;
  database.pool_size = cfg.database_pool_size;
  database.acquire_timeout = cfg.database_acquire_timeout;
  server->database_options_ = database;
  server->pool_ = std::make_unique<ConnectionPool>(database, server->database_metrics_.get());
  server->channels_ = std::make_unique<ChannelFactory>(
      std::make_shared<GrpcMetrics>(server->metrics_.registry(), "grpc_client"));

  server->outbox_backlog_ = MakeOutboxBacklogCollectable(*server->pool_);
  server->AddCollectable(server->outbox_backlog_);
  // Notification publishes to nobody: its own outbox stays empty.
  if (!cfg.notification_address.empty() && server->definition_.name != "notification") {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> notification =
        server->ChannelTo(cfg.notification_address, {v1::NotificationService::service_full_name()},
                          std::chrono::milliseconds(5000), /*max_attempts=*/1);
    if (!notification.ok()) return notification.status();
    OutboxRelayOptions relay;
    relay.poll_interval = cfg.outbox_poll_interval;
    relay.batch_size = cfg.outbox_batch_size;
    relay.retry_max = cfg.outbox_retry_max;
    server->outbox_relay_ = std::make_unique<OutboxRelay>(*server->pool_, *std::move(notification),
                                                          server->metrics_.registry(), relay);
  }

  if (server->definition_.make_services) {
    server->services_ = server->definition_.make_services(*server);
  }

  // Only the methods this server serves are counted by name; health and reflection are public.
  std::vector<std::string> known_methods = server->definition_.roles.Methods();
  known_methods.insert(known_methods.end(),
                       {"/grpc.health.v1.Health/Check", "/grpc.health.v1.Health/Watch",
                        "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"});
  auto server_metrics = std::make_shared<GrpcMetrics>(server->metrics_.registry(), "grpc_server",
                                                      std::move(known_methods));
  // Warnings for failed and refused calls: a caller hammering the service with bad calls
  // gets a few lines a second in the log, with a count of the ones left out.
  auto warnings = std::make_shared<LogRateLimiter>(/*per_second=*/20, /*burst=*/100);
  auto authenticator = std::make_shared<const Authenticator>(
      std::move(*tokens), server->definition_.roles,
      [server_metrics, warnings](std::string_view method, grpc_status_code code) {
        server_metrics->Refused(method, static_cast<grpc::StatusCode>(code));
        // Refused calls never reach the access-log interceptor; log them here.
        uint64_t suppressed = 0;
        if (!warnings->Allow(&suppressed)) return;
        LogEvent(spdlog::level::warn, "rpc",
                 {{"method", server_metrics->IsKnown(method) ? std::string(method) : "unknown"},
                  {"code", GrpcCodeLabel(static_cast<grpc::StatusCode>(code))},
                  {"refused_by", "auth"},
                  {"suppressed_warnings", suppressed > 0 ? std::to_string(suppressed) : ""}});
      });
  server->authenticator_ = authenticator;
  server->identities_ = std::make_shared<CallIdentities>();
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      MakeServerCredentials({cfg.tls_cert_file, cfg.tls_key_file, cfg.tls_ca_file}, authenticator);
  if (!credentials.ok()) return credentials.status();

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(cfg.listen_address, *credentials, &server->grpc_port_);
  builder.SetMaxReceiveMessageSize(cfg.max_message_bytes);
  builder.SetMaxSendMessageSize(cfg.max_message_bytes);
  // Bounded work per client: a thread budget for the whole server, a cap on one connection's
  // open calls, and keepalive enforcement (a client pinging more often than every 10 s without
  // calls is cut off, as a ping flood would be), plus our own pings to find dead peers.
  grpc::ResourceQuota quota("salesops-" + server->definition_.name);
  quota.SetMaxThreads(cfg.max_threads);
  builder.SetResourceQuota(quota);
  // gRPC's sync server keeps at most MAX_POLLERS (default 2) threads waiting for calls: with
  // more calls in flight, every thread that finishes one exits and the next call creates a new
  // one, hundreds of threads a second under load. Idle pollers cost nothing but their stack.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, kMaxIdlePollers);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, cfg.max_concurrent_streams);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 60000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  for (const auto& service : server->services_) {
    builder.RegisterService(service.get());
  }
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<ServerMetricsInterceptorFactory>(server_metrics));
  interceptors.push_back(std::make_unique<AccessLogInterceptorFactory>(
      authenticator, server->identities_, server_metrics, warnings));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));

  server->server_ = builder.BuildAndStart();
  if (!server->server_ || server->grpc_port_ == 0) {
    return absl::UnavailableError("cannot listen on " + cfg.listen_address);
  }
  for (const std::string& method : server->definition_.roles.Methods()) {
    std::string service = SplitFullMethod(method).first;
    if (std::find(server->service_names_.begin(), server->service_names_.end(), service) ==
        server->service_names_.end()) {
      server->service_names_.push_back(service);
    }
  }
  // "liveness" answers SERVING for as long as the process serves calls, database or not: a
  // Kubernetes liveness probe on it restarts a hung process, never one waiting out a database
  // outage (readiness, on the overall status, takes that one out of its Service instead).
  server->server_->GetHealthCheckService()->SetServingStatus("liveness", true);
  // NOT_SERVING until migrations ran and the database answers.
  server->SetServing(false);
  server->watcher_ = std::thread([raw = server.get()] { raw->WatchDatabase(); });
  if (server->outbox_relay_) {
    server->OnMigrated([raw = server.get()] { raw->outbox_relay_->Start(); });
  }
  LogInfo("server_started", {{"grpc_port", std::to_string(server->grpc_port_)},
                             {"metrics_port", std::to_string(server->metrics_port())},
                             {"tls", cfg.tls_cert_file.empty() ? "off"
                                     : cfg.tls_ca_file.empty() ? "on"
                                                               : "mutual"}});
  return server;
}

Server::~Server() { Shutdown(); }

void Server::SetServing(bool serving) {
  if (serving_ == serving) return;
  serving_ = serving;
  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  // The overall status by its name (""): the all-services overload would flip "liveness" too.
  health->SetServingStatus("", serving);
  for (const std::string& name : service_names_) health->SetServingStatus(name, serving);
  database_metrics_->SetDatabaseUp(serving);
  LogInfo("health_changed", {{"status", serving ? "SERVING" : "NOT_SERVING"}});
}

void Server::WatchDatabase() {
  bool migrated = false;
  std::string last_error;
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    absl::Status status;
    if (!migrated) {
      // Migrations hold a session-level lock, so they get their own connection.
      try {
        DatabaseOptions options = database_options_;
        options.application_name += "-migrations";
        pqxx::connection connection(ConnectionString(options));
        absl::StatusOr<MigrationReport> report =
            ApplyMigrations(connection, definition_.migrations);
        status = report.status();
        if (report.ok()) {
          migrated = true;
          std::vector<std::function<void()>> hooks;
          {
            std::lock_guard<std::mutex> hooks_lock(mutex_);
            migrated_ = true;
            hooks.swap(migrated_hooks_);
          }
          for (const auto& hook : hooks) hook();
          LogInfo("migrations_current", {{"version", std::to_string(report->current_version)},
                                         {"applied_now", std::to_string(report->applied.size())}});
        } else if (status.code() != absl::StatusCode::kUnavailable) {
          LogError("migrations_failed", {{"error", std::string(status.message())}});
          RequestShutdown(1);
        }
      } catch (const std::exception& error) {
        status = absl::UnavailableError(error.what());
      }
    }
    if (migrated) status = pool_->Ping();
    if (!status.ok() && std::string(status.message()) != last_error) {
      LogWarn("database_unreachable", {{"error", std::string(status.message())}});
    }
    last_error = status.ok() ? "" : std::string(status.message());
    lock.lock();
    if (stopping_) break;
    SetServing(migrated && status.ok());
    changed_.wait_for(lock, config_.database_check_interval, [this] { return stopping_; });
  }
}

int Server::WaitForShutdownRequest() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return shutdown_requested_; });
  return exit_code_;
}

void Server::RequestShutdown(int exit_code) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!shutdown_requested_) exit_code_ = exit_code;
  shutdown_requested_ = true;
  changed_.notify_all();
}

void Server::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (shut_down_) return;
    shut_down_ = true;
    stopping_ = true;
    shutdown_requested_ = true;
    // Load balancers stop sending before the listener closes.
    if (server_) SetServing(false);
    changed_.notify_all();
  }
  if (watcher_.joinable()) watcher_.join();
  if (outbox_relay_) outbox_relay_->Stop();
  std::vector<std::function<void()>> hooks;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    hooks.swap(shutdown_hooks_);
  }
  for (const auto& hook : hooks) hook();
  if (server_) {
    LogInfo("draining", {{"grace_ms", std::to_string(config_.shutdown_grace.count())}});
    server_->Shutdown(std::chrono::system_clock::now() + config_.shutdown_grace);
    server_->Wait();
  }
  LogInfo("server_stopped");
}

void Server::OnMigrated(std::function<void()> hook) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!migrated_) {
      migrated_hooks_.push_back(std::move(hook));
      return;
    }
  }
  hook();
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> Server::ChannelTo(
    const std::string& target, std::vector<std::string> services,
    std::chrono::milliseconds call_timeout, int max_attempts) const {
  ChannelOptions options = ChannelOptionsFor(target, std::move(services), call_timeout);
  options.bearer_token = own_token_;
  options.max_attempts = max_attempts;
  return channels_->Create(options);
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> Server::AnonymousChannelTo(
    const std::string& target, std::vector<std::string> services,
    std::chrono::milliseconds call_timeout) const {
  ChannelOptions options = ChannelOptionsFor(target, std::move(services), call_timeout);
  options.max_attempts = 1;
  return channels_->Create(options);
}

ChannelOptions Server::ChannelOptionsFor(const std::string& target,
                                         std::vector<std::string> services,
                                         std::chrono::milliseconds call_timeout) const {
  ChannelOptions options;
  options.target = target;
  options.services = std::move(services);
  // With TLS on, this server's certificate doubles as its client certificate
  // (mutual TLS) and the CA verifies the peer.
  if (!config_.tls_cert_file.empty()) {
    options.tls = {config_.tls_cert_file, config_.tls_key_file, config_.tls_ca_file};
  }
  options.call_timeout = call_timeout;
  return options;
}

v1::Actor Server::CallerOf(const grpc::ServerContext& context) const {
  return identities_->Get(&context);
}

}  // namespace salesops::common
