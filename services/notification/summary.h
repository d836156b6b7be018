#pragma once

#include <absl/time/time.h>

#include <string>

#include "salesops/v1/events.pb.h"

namespace salesops::notification {

// The one line a person reads in their inbox, in the shared vocabulary, e.g.
// "Order 1042 rev 3: +4 LED-PANEL-500 to pull, deliver no later than Fri 08:00".
// The emitting service's own summary is used when it wrote one; otherwise the
// line is built from the event's type and payload. Times are written in
// `time_zone`, to the minute, relative to `now` ("Fri 08:00" this week).
std::string SummarizeEvent(const v1::Event& event, const absl::TimeZone& time_zone, absl::Time now);

// "Fri 08:00" for an instant in the next six days from `now`, "Fri 12 Jun 08:00" otherwise.
std::string DescribeTime(const google::protobuf::Timestamp& time, const absl::TimeZone& time_zone,
                         absl::Time now);

}  // namespace salesops::notification
