#include "services/common/time_util.h"

#include <chrono>

namespace salesops::common {

int64_t ToMicros(const google::protobuf::Timestamp& timestamp) {
  return timestamp.seconds() * 1000000 + timestamp.nanos() / 1000;
}

google::protobuf::Timestamp NowTimestamp() {
  return TimestampFromMicros(std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count());
}

google::protobuf::Timestamp TimestampFromMicros(int64_t micros) {
  google::protobuf::Timestamp timestamp;
  int64_t seconds = micros / 1000000;
  int64_t remainder = micros % 1000000;
  if (remainder < 0) {  // nanos must be non-negative
    remainder += 1000000;
    --seconds;
  }
  timestamp.set_seconds(seconds);
  timestamp.set_nanos(static_cast<int32_t>(remainder * 1000));
  return timestamp;
}

int64_t DurationToMicros(const google::protobuf::Duration& duration) {
  return duration.seconds() * 1000000 + duration.nanos() / 1000;
}

google::protobuf::Duration DurationFromMicros(int64_t micros) {
  google::protobuf::Duration duration;
  duration.set_seconds(micros / 1000000);
  duration.set_nanos(static_cast<int32_t>((micros % 1000000) * 1000));
  return duration;
}

}  // namespace salesops::common
