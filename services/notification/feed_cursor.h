#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace salesops::notification {

// A place in a recipient's stream. Rows are ordered by the id of the
// transaction that wrote them, then by notification id, and a row joins the
// stream only once every older transaction has ended: so a row that commits
// late can never land behind a cursor a reader already moved past.
struct FeedPosition {
  uint64_t writer_xid = 0;
  int64_t notification_id = 0;
};

// The opaque cursor a client passes back to resume a stream ("v1.<xid>.<id>").
std::string EncodeCursor(const FeedPosition& position);
// std::nullopt for anything EncodeCursor did not make.
std::optional<FeedPosition> DecodeCursor(const std::string& cursor);

}  // namespace salesops::notification
