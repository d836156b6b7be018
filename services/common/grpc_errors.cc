#include "services/common/grpc_errors.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace salesops::common {

namespace {

// An error trailer stays a few kB whatever went wrong: HTTP/2 header limits (8 to 16 kB in most
// clients) would otherwise fail the call, and the next one on the same channel with it.
constexpr size_t kMaxErrorDetailsBytes = 6 * 1024;
constexpr size_t kMaxErrorMessageBytes = 1024;

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  google::rpc::Status rich;
  rich.set_code(static_cast<int>(status.code()));
  rich.set_message(
      TruncateText({status.message().data(), status.message().size()}, kMaxErrorMessageBytes));
  status.ForEachPayload([&rich](absl::string_view url, const absl::Cord& payload) {
    auto* detail = rich.add_details();
    detail->set_type_url(std::string(url));
    detail->set_value(std::string(payload));
  });
  // Typed details (e.g. a long shortage list) go first when the trailer would be too big; the
  // reason (ErrorInfo) and the field violations, already capped, are what callers act on.
  if (rich.ByteSizeLong() > kMaxErrorDetailsBytes) {
    auto* details = rich.mutable_details();
    for (int i = details->size() - 1; i >= 0; --i) {
      const std::string& url = details->Get(i).type_url();
      if (url != kErrorInfoUrl && url != kBadRequestUrl) details->DeleteSubrange(i, 1);
    }
  }
  if (rich.ByteSizeLong() > kMaxErrorDetailsBytes) rich.clear_details();
  // absl and gRPC share the canonical code numbering.
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), rich.message(),
                      rich.SerializeAsString());
}

ErrorDetails ParseGrpcError(const grpc::Status& status) {
  ErrorDetails details;
  details.code = status.error_code();
  details.message = status.error_message();
  google::rpc::Status rich;
  if (status.error_details().empty() || !rich.ParseFromString(status.error_details())) {
    return details;
  }
  for (const auto& any : rich.details()) {
    google::rpc::ErrorInfo info;
    google::rpc::BadRequest bad_request;
    if (any.UnpackTo(&info)) {
      details.reason = info.reason();
      details.metadata.insert(info.metadata().begin(), info.metadata().end());
    } else if (any.UnpackTo(&bad_request)) {
      for (const auto& violation : bad_request.field_violations()) {
        details.violations.push_back({violation.field(), violation.description()});
      }
    } else {
      details.other_details.push_back(any);
    }
  }
  return details;
}

}  // namespace salesops::common
