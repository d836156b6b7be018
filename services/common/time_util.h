#pragma once

#include <google/protobuf/duration.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include <cstdint>

namespace salesops::common {

// Microseconds since the Unix epoch: PostgreSQL's resolution, and how the
// stores pass instants to SQL (us_to_ts / ts_to_us), so nothing is rounded.
int64_t ToMicros(const google::protobuf::Timestamp& timestamp);

// Now, to the microsecond. (Debian's protobuf 3.21 TimeUtil::GetCurrentTime()
// returns whole seconds, which put every event up to a second in the past.)
google::protobuf::Timestamp NowTimestamp();
google::protobuf::Timestamp TimestampFromMicros(int64_t micros);
int64_t DurationToMicros(const google::protobuf::Duration& duration);
google::protobuf::Duration DurationFromMicros(int64_t micros);

}  // namespace salesops::common
