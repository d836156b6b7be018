#pragma once

// What several inventory commands print alike.
#include <google/protobuf/repeated_field.h>

#include "salesops/v1/inventory.pb.h"

namespace salesops::cli {

// The reservations a change of stock leaves short (the service has sent SHORTAGE_DETECTED for
// each): the orders someone must now sub-rent for or call about. Nothing when there are none.
void PrintShortages(const google::protobuf::RepeatedPtrField<v1::OrderShortage>& shortages);

}  // namespace salesops::cli
