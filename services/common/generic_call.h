#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/status.h>

#include <string>

namespace salesops::common {

// Calls one unary RPC by its full name ("/pkg.Service/Method") with an
// already-serialized request and waits for the answer. For tools that work
// from descriptors rather than generated stubs (salesopsctl call, health).
grpc::Status CallUnaryBytes(const std::shared_ptr<grpc::Channel>& channel,
                            grpc::ClientContext& context, const std::string& full_method,
                            const std::string& request_bytes, std::string* response_bytes);

}  // namespace salesops::common
