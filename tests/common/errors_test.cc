#include <gtest/gtest.h>

#include "services/common/grpc_errors.h"

namespace salesops::common {
namespace {

TEST(ErrorsTest, InvalidArgumentCarriesEveryFieldViolation) {
  absl::Status status = InvalidArgumentError(
      {{"lines[0].product_code", "is required"}, {"window.no_later_than", "is required"}});
  grpc::Status wire = ToGrpcStatus(status);
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(wire.error_message(), "lines[0].product_code: is required (and 1 more)");

  ErrorDetails details = ParseGrpcError(wire);
  EXPECT_EQ(details.reason, "INVALID_REQUEST");
  ASSERT_EQ(details.violations.size(), 2u);
  EXPECT_EQ(details.violations[0], (FieldViolation{"lines[0].product_code", "is required"}));
  EXPECT_EQ(details.violations[1].field, "window.no_later_than");
}

TEST(ErrorsTest, BusinessRefusalIsFailedPreconditionWithReasonAndMetadata) {
  absl::Status status = BusinessRefusal(v1::INSUFFICIENT_STOCK, "2 LED-PANEL-500 short",
                                        {{"inventory_code", "LED-PANEL-500"}});
  ErrorDetails details = ParseGrpcError(ToGrpcStatus(status));
  EXPECT_EQ(details.code, grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(details.reason, "INSUFFICIENT_STOCK");
  EXPECT_EQ(details.metadata.at("inventory_code"), "LED-PANEL-500");
  EXPECT_EQ(details.message, "2 LED-PANEL-500 short");
  EXPECT_TRUE(details.violations.empty());
}

TEST(ErrorsTest, OkAndPlainErrorsConvert) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  grpc::Status plain = ToGrpcStatus(absl::NotFoundError("no such order"));
  EXPECT_EQ(plain.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ParseGrpcError(plain).reason, "");
}

TEST(ErrorsTest, ReturnIfErrorStopsAtTheFirstFailure) {
  int steps = 0;
  auto run = [&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR((++steps, absl::OkStatus()));
    SALESOPS_RETURN_IF_ERROR((++steps, absl::AbortedError("stale")));
    ++steps;
    return absl::OkStatus();
  };
  EXPECT_EQ(run().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(steps, 2);
}

}  // namespace
}  // namespace salesops::common
