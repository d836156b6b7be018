#pragma once

#include <google/protobuf/timestamp.pb.h>

#include <chrono>

#include "services/common/time_util.h"

namespace salesops::order_intake {

using TimePoint = std::chrono::system_clock::time_point;

// Where the domain reads "now": the system clock in the service, a hand-set one in tests.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
  google::protobuf::Timestamp NowTimestamp() const;
};

class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

inline google::protobuf::Timestamp Clock::NowTimestamp() const {
  return common::TimestampFromMicros(
      std::chrono::duration_cast<std::chrono::microseconds>(Now().time_since_epoch()).count());
}

}  // namespace salesops::order_intake
