#include "services/notification/feed_cursor.h"

#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_split.h>

#include <vector>

namespace salesops::notification {

std::string EncodeCursor(const FeedPosition& position) {
  return absl::StrCat("v1.", position.writer_xid, ".", position.notification_id);
}

std::optional<FeedPosition> DecodeCursor(const std::string& cursor) {
  std::vector<std::string> parts = absl::StrSplit(cursor, '.');
  FeedPosition position;
  if (parts.size() != 3 || parts[0] != "v1" || !absl::SimpleAtoi(parts[1], &position.writer_xid) ||
      !absl::SimpleAtoi(parts[2], &position.notification_id) || position.notification_id < 0) {
    return std::nullopt;
  }
  return position;
}

}  // namespace salesops::notification
