#include "services/common/outbox.h"

#include <google/protobuf/util/time_util.h>

namespace salesops::common {

v1::Event AppendToOutbox(pqxx::work& transaction, v1::Event event,
                         const std::string& source_service) {
  if (event.event_id().empty()) {
    event.set_event_id(transaction.exec1("SELECT gen_random_uuid()::text")[0].as<std::string>());
  }
  if (!event.has_occur_time()) {
    *event.mutable_occur_time() = google::protobuf::util::TimeUtil::GetCurrentTime();
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
