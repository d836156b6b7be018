#include <absl/synchronization/mutex.h>

#include <csignal>
#include <thread>

#include "services/common/command_line.h"
#include "services/common/failpoint.h"
#include "services/common/log.h"
#include "services/common/server.h"
#include "services/common/service_definition.h"

namespace salesops::common {

int RunServiceMain(ServiceDefinition definition, int argc, char** argv) {
  CommandLine command_line("salesops-" + definition.name,
                           "salesops " + definition.name + " service");
  if (definition.add_options) definition.add_options(command_line.app());
  if (std::optional<int> exit_code = command_line.Parse(argc, argv)) return *exit_code;
  const ServerConfig& config = command_line.config();
  InitLogging(definition.name, config.log_level, config.log_format);
  // Debian builds Abseil without NDEBUG, which turns on the lock-order graph of every
  // absl::Mutex (gRPC takes several per call): a debugging aid that costs CPU on every call.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // A fault test's failpoints are read before anything can reach one (see failpoint.h).
  LoadFailpoints();

  // Signals are taken by one thread with sigwait; every other thread
  // (gRPC's, the watcher) inherits the blocked mask.
  static sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(std::move(definition), config);
  if (!server.ok()) {
    LogError("startup_failed", {{"error", std::string(server.status().message())}});
    return 1;
  }
  std::thread signal_thread([raw = server->get()] {
    int received = 0;
    sigwait(&signals, &received);
    LogInfo("signal_received", {{"signal", received == SIGTERM ? "SIGTERM" : "SIGINT"}});
    raw->RequestShutdown(0);
  });
  signal_thread.detach();
  int exit_code = (*server)->WaitForShutdownRequest();
  (*server)->Shutdown();
  return exit_code;
}

}  // namespace salesops::common
