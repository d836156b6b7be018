#include "services/common/health_client.h"

#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/client_context.h>

#include "services/common/generic_call.h"

namespace salesops::common {

absl::StatusOr<std::string> CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                                        const std::string& service,
                                        std::chrono::milliseconds timeout) {
  // HealthCheckRequest { string service = 1; }
  google::protobuf::UnknownFieldSet request_fields;
  if (!service.empty()) request_fields.AddLengthDelimited(1, service);
  std::string request_bytes;
  request_fields.SerializeToString(&request_bytes);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  std::string response_bytes;
  grpc::Status status = CallUnaryBytes(channel, context, "/grpc.health.v1.Health/Check",
                                       request_bytes, &response_bytes);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  }
  // HealthCheckResponse { ServingStatus status = 1; }
  google::protobuf::UnknownFieldSet response_fields;
  if (!response_fields.ParseFromString(response_bytes)) {
    return absl::InternalError("unreadable health response");
  }
  int64_t value = 0;  // absent field = UNKNOWN
  for (int i = 0; i < response_fields.field_count(); ++i) {
    if (response_fields.field(i).number() == 1) value = response_fields.field(i).varint();
  }
  switch (value) {
    case 1:
      return std::string("SERVING");
    case 2:
      return std::string("NOT_SERVING");
    case 3:
      return std::string("SERVICE_UNKNOWN");
    default:
      return std::string("UNKNOWN");
  }
}

}  // namespace salesops::common
