#include "services/common/outbox.h"

#include <google/protobuf/util/time_util.h>
#include <openssl/rand.h>

#include "services/common/time_util.h"

namespace salesops::common {
namespace {

// A random (version 4) UUID, made here rather than asked of the database: one
// round trip less in every transaction that emits an event.
std::string NewEventId() {
  unsigned char bytes[16];
  RAND_bytes(bytes, sizeof(bytes));
  bytes[6] = (bytes[6] & 0x0F) | 0x40;
  bytes[8] = (bytes[8] & 0x3F) | 0x80;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id += '-';
    id += kHex[bytes[i] >> 4];
    id += kHex[bytes[i] & 0xF];
  }
  return id;
}

}  // namespace

v1::Event AppendToOutbox(pqxx::work& transaction, v1::Event event,
                         const std::string& source_service) {
  if (event.event_id().empty()) {
    event.set_event_id(NewEventId());
  }
  if (!event.has_occur_time()) {
    *event.mutable_occur_time() = NowTimestamp();
  }
  event.set_source_service(source_service);
  std::string payload = event.SerializeAsString();
  transaction.exec_params(
      "INSERT INTO outbox (event_id, event_type, order_id, payload) VALUES ($1, $2, $3, $4)",
      event.event_id(), v1::EventType_Name(event.type()), event.order_id(),
      pqxx::binarystring(payload));
  return event;
}

}  // namespace salesops::common
