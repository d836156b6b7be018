#pragma once

#include <grpcpp/support/status.h>

namespace salesops::cli {

// What salesopsctl's exit status means, so a script can branch on it without
// parsing messages. The line between 2 and 3: a request that can never succeed
// as written is bad input (2); a well-formed request that the current state of
// the business refuses — the stock is short, the etag is stale, the thing named
// does not exist (yet) or already does — is a refusal (3), and may succeed
// later or after another change.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,       // anything else: an internal error on the server, a bug
  kExitBadInput = 2,     // bad flags or files, INVALID_ARGUMENT, OUT_OF_RANGE
  kExitRefused = 3,      // FAILED_PRECONDITION, ABORTED, ALREADY_EXISTS, NOT_FOUND
  kExitUnavailable = 4,  // UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED
  kExitAuth = 5,         // UNAUTHENTICATED, PERMISSION_DENIED
};

ExitCode ExitCodeFor(grpc::StatusCode code);

}  // namespace salesops::cli
