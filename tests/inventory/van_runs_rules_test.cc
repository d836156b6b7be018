// The van-run dispatcher's rules without a process (services/inventory/van_runs.h): the calls
// it makes from a stored transfer are the same on every try, which answers make a transfer
// wait and which stop the whole sweep, and how long a refused transfer waits.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "services/common/errors.h"
#include "services/common/grpc_errors.h"
#include "services/inventory/van_runs.h"

namespace salesops::inventory {
namespace {

using google::protobuf::util::TimeUtil;

v1::Transfer StoredTransfer() {
  v1::Transfer transfer;
  transfer.set_transfer_id("T-000042");
  v1::InventoryLine* line = transfer.add_lines();
  line->set_inventory_code("SPK-12");
  line->set_quantity(3);
  transfer.set_from_warehouse_id("SOUTH");
  transfer.set_to_warehouse_id("MAIN");
  // Nanoseconds past the microsecond, as a caller may send them: inventory counts the road in
  // microseconds.
  *transfer.mutable_depart_time() = TimeUtil::NanosecondsToTimestamp(1893456000000000500);
  *transfer.mutable_arrive_time() = TimeUtil::SecondsToTimestamp(1893456000 + 7200);
  transfer.mutable_transit()->set_seconds(7200);
  transfer.mutable_transit()->set_nanos(700);
  transfer.set_note("cancelled: a reason that must not change the body");
  transfer.set_van_run_planned(true);
  return transfer;
}

TEST(VanRunRulesTest, ThePlanTransferIsTheStoredRoadAndTheSameOnEveryTry) {
  const v1::PlanTransferRequest request = PlanTransferRequestOf(StoredTransfer());
  EXPECT_EQ(request.request_id(), "van-run-T-000042");
  EXPECT_EQ(request.transfer_id(), "T-000042");
  EXPECT_EQ(request.from_warehouse_id(), "SOUTH");
  EXPECT_EQ(request.to_warehouse_id(), "MAIN");
  ASSERT_EQ(request.inventory_lines_size(), 1);
  EXPECT_EQ(request.inventory_lines(0).inventory_code(), "SPK-12");
  EXPECT_EQ(request.inventory_lines(0).quantity(), 3);
  EXPECT_EQ(TimeUtil::TimestampToNanoseconds(request.window().not_before()), 1893456000000000000);
  EXPECT_EQ(request.window().no_later_than().seconds(), 1893456000 + 7200);
  // Exactly the window's length, never a nanosecond more (scheduling refuses a longer drive).
  EXPECT_EQ(request.transit().seconds(), 7200);
  EXPECT_EQ(request.transit().nanos(), 0);

  // What changes on a transfer after it is made (its note, its flags) changes nothing here.
  v1::Transfer later = StoredTransfer();
  later.set_note("something else");
  later.set_van_run_planned(false);
  later.set_state(v1::TRANSFER_STATE_CANCELLED);
  EXPECT_EQ(PlanTransferRequestOf(later).SerializeAsString(), request.SerializeAsString());
}

TEST(VanRunRulesTest, TheCancelJobFencesThePlanTransferItUndoes) {
  const v1::CancelJobRequest request = CancelJobRequestOf("T-000042");
  EXPECT_EQ(request.order_id(), "T-000042");
  EXPECT_EQ(request.undo_request_id(), VanRunRequestId("T-000042"));
  EXPECT_EQ(request.order_revision(), 0);
  EXPECT_FALSE(request.request_id().empty());
  EXPECT_NE(request.request_id(), request.undo_request_id());
  EXPECT_EQ(CancelJobRequestOf("T-000042").SerializeAsString(), request.SerializeAsString());
}

TEST(VanRunRulesTest, AnswersSortIntoDoneUndoneUnreachableAndRefused) {
  EXPECT_EQ(OutcomeOf(grpc::Status::OK), VanRunCallOutcome::kDone);
  for (grpc::StatusCode code :
       {grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::DEADLINE_EXCEEDED,
        grpc::StatusCode::RESOURCE_EXHAUSTED, grpc::StatusCode::CANCELLED}) {
    EXPECT_EQ(OutcomeOf(grpc::Status(code, "down")), VanRunCallOutcome::kUnreachable) << code;
  }
  for (grpc::StatusCode code :
       {grpc::StatusCode::INVALID_ARGUMENT, grpc::StatusCode::ALREADY_EXISTS,
        grpc::StatusCode::FAILED_PRECONDITION, grpc::StatusCode::PERMISSION_DENIED,
        grpc::StatusCode::UNAUTHENTICATED, grpc::StatusCode::UNIMPLEMENTED,
        grpc::StatusCode::INTERNAL, grpc::StatusCode::ABORTED}) {
    EXPECT_EQ(OutcomeOf(grpc::Status(code, "no")), VanRunCallOutcome::kRefused) << code;
  }
  const grpc::Status undone = common::ToGrpcStatus(common::ReasonedError(
      absl::StatusCode::kAborted, v1::STEP_UNDONE, "PlanJob van-run-T-000042 was undone"));
  EXPECT_EQ(OutcomeOf(undone), VanRunCallOutcome::kUndone);
}

TEST(VanRunRulesTest, ARefusedTransferBacksOffUpToTenMinutes) {
  std::mt19937_64 random(42);
  EXPECT_GE(RetryDelayAfterRefusal(1, random), std::chrono::milliseconds(2500));
  EXPECT_LE(RetryDelayAfterRefusal(1, random), std::chrono::milliseconds(5000));
  EXPECT_GE(RetryDelayAfterRefusal(3, random), std::chrono::milliseconds(10000));
  for (int refusals : {8, 20, 1000}) {
    const std::chrono::milliseconds delay = RetryDelayAfterRefusal(refusals, random);
    EXPECT_GE(delay, std::chrono::minutes(5)) << refusals;
    EXPECT_LE(delay, std::chrono::minutes(10)) << refusals;
  }
}

}  // namespace
}  // namespace salesops::inventory
