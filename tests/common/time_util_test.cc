#include "services/common/time_util.h"

#include <gtest/gtest.h>

#include <chrono>

namespace salesops::common {
namespace {

TEST(TimeUtilTest, NowHasSubSecondResolutionAndIsNow) {
  // Debian's protobuf TimeUtil::GetCurrentTime() has whole seconds only; events
  // stamped with it looked up to a second old.
  int with_fraction = 0;
  for (int i = 0; i < 200; ++i) {
    if (NowTimestamp().nanos() != 0) ++with_fraction;
  }
  EXPECT_GT(with_fraction, 190);
  const int64_t system_micros = std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
  EXPECT_NEAR(static_cast<double>(ToMicros(NowTimestamp())), static_cast<double>(system_micros),
              100'000.0);
}

TEST(TimeUtilTest, MicrosRoundTripIncludingBeforeTheEpoch) {
  for (int64_t micros : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{1'795'754'201'123'456},
                         int64_t{-86'400'000'001}}) {
    EXPECT_EQ(ToMicros(TimestampFromMicros(micros)), micros);
    EXPECT_GE(TimestampFromMicros(micros).nanos(), 0);
  }
}

}  // namespace
}  // namespace salesops::common
