#pragma once

#include <absl/status/statusor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/message.h>

#include <optional>
#include <pqxx/pqxx>
#include <string>

namespace salesops::common {

// AIP-155 request ids for mutations whose effect is not naturally idempotent
// (creating something with a server-assigned id). Inside the mutation's own
// transaction:
//
//   SALESOPS_ASSIGN_OR_RETURN(std::optional<std::string> earlier,
//                             ReplayIdempotent(tx, "CreateSubscription", request));
//   if (earlier) { response.ParseFromString(*earlier); return OK; }
//   ... act ...
//   RememberIdempotent(tx, "CreateSubscription", request, response);
//
// The key is (method, request_id); concurrent retries serialize on it. The
// same request_id with a different body is REQUEST_ID_REUSED.
class IdempotentRequest {
 public:
  // `request_id` empty: no replay protection (every call acts).
  IdempotentRequest(std::string method, std::string request_id,
                    const google::protobuf::Message& request);

  // The stored response of an earlier identical request, if any.
  absl::StatusOr<std::optional<std::string>> Replay(pqxx::work& transaction) const;
  void Remember(pqxx::work& transaction, const google::protobuf::Message& response) const;

 private:
  std::string method_;
  std::string request_id_;
  std::string request_hash_;
};

}  // namespace salesops::common
