#include "services/common/idempotency.h"

#include "services/common/errors.h"
#include "services/common/sha256.h"

namespace salesops::common {

IdempotentRequest::IdempotentRequest(std::string method, std::string request_id,
                                     const google::protobuf::Message& request)
    : method_(std::move(method)), request_id_(std::move(request_id)) {
  std::string bytes;
  google::protobuf::io::StringOutputStream stream(&bytes);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  request.SerializeToCodedStream(&coded);
  coded.Trim();
  request_hash_ = Sha256Hex(bytes);
}

absl::StatusOr<std::optional<std::string>> IdempotentRequest::Replay(
    pqxx::work& transaction) const {
  if (request_id_.empty()) return std::nullopt;
  // Two retries of one request arriving together: the second waits here for
  // the first to commit, then finds its answer.
  transaction.exec_params("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                          method_ + "\n" + request_id_);
  pqxx::result rows = transaction.exec_params(
      "SELECT request_hash, response FROM idempotency_keys WHERE method = $1 AND request_id = $2",
      method_, request_id_);
  if (rows.empty()) return std::nullopt;
  if (rows[0][0].as<std::string>() != request_hash_) {
    return InvalidArgumentError(
        {{"request_id", "was already used for a different request; use a new request_id"}},
        v1::REQUEST_ID_REUSED);
  }
  pqxx::binarystring response(rows[0][1]);
  return response.str();
}

void IdempotentRequest::Remember(pqxx::work& transaction,
                                 const google::protobuf::Message& response) const {
  if (request_id_.empty()) return;
  transaction.exec_params(
      "INSERT INTO idempotency_keys (method, request_id, request_hash, response) "
      "VALUES ($1, $2, $3, $4)",
      method_, request_id_, request_hash_, pqxx::binarystring(response.SerializeAsString()));
}

}  // namespace salesops::common
