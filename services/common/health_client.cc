#include "services/common/health_client.h"

#include <google/protobuf/unknown_field_set.h>
#include <grpcpp/client_context.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

#include <condition_variable>
#include <mutex>

namespace salesops::common {

absl::StatusOr<std::string> CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                                        const std::string& service,
                                        std::chrono::milliseconds timeout) {
  // HealthCheckRequest { string service = 1; }
  google::protobuf::UnknownFieldSet request_fields;
  if (!service.empty()) request_fields.AddLengthDelimited(1, service);
  std::string request_bytes;
  request_fields.SerializeToString(&request_bytes);
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;

  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  grpc::GenericStub stub(channel);
  std::mutex mutex;
  std::condition_variable done_signal;
  bool done = false;
  grpc::Status status;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status result) {
                   std::lock_guard<std::mutex> lock(mutex);
                   status = std::move(result);
                   done = true;
                   done_signal.notify_all();
                 });
  {
    std::unique_lock<std::mutex> lock(mutex);
    done_signal.wait(lock, [&] { return done; });
  }
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  }
  // HealthCheckResponse { ServingStatus status = 1; }
  std::vector<grpc::Slice> slices;
  (void)response.Dump(&slices);
  std::string response_bytes;
  for (const grpc::Slice& part : slices) {
    response_bytes.append(reinterpret_cast<const char*>(part.begin()), part.size());
  }
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
