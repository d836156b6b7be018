#pragma once

#include <pqxx/pqxx>
#include <string>

#include "salesops/v1/events.pb.h"

namespace salesops::common {

// Writes `event` to the service's outbox table inside `transaction`, so the
// event exists exactly when the state change it describes commits. Fills in
// event_id (a UUID) and occur_time when unset, and the source service.
// The relay that sends outbox rows to notification comes with issue #5.
v1::Event AppendToOutbox(pqxx::work& transaction, v1::Event event,
                         const std::string& source_service);

}  // namespace salesops::common
