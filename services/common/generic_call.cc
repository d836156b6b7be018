#include "services/common/generic_call.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

#include <condition_variable>
#include <mutex>

namespace salesops::common {

grpc::Status CallUnaryBytes(const std::shared_ptr<grpc::Channel>& channel,
                            grpc::ClientContext& context, const std::string& full_method,
                            const std::string& request_bytes, std::string* response_bytes) {
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  grpc::GenericStub stub(channel);
  std::mutex mutex;
  std::condition_variable done_signal;
  bool done = false;
  grpc::Status status;
  stub.UnaryCall(&context, full_method, grpc::StubOptions(), &request, &response,
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
  if (status.ok() && response_bytes != nullptr) {
    std::vector<grpc::Slice> slices;
    (void)response.Dump(&slices);
    response_bytes->clear();
    for (const grpc::Slice& part : slices) {
      response_bytes->append(reinterpret_cast<const char*>(part.begin()), part.size());
    }
  }
  return status;
}

}  // namespace salesops::common
