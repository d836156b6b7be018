#pragma once

// What several inventory commands print alike.
#include <google/protobuf/repeated_field.h>

#include <string>

#include "salesops/v1/inventory.pb.h"

namespace salesops::cli {

// The reservations a change of stock leaves short (the service has sent SHORTAGE_DETECTED for
// each): the orders someone must now sub-rent for or call about. Nothing when there are none.
void PrintShortages(const google::protobuf::RepeatedPtrField<v1::OrderShortage>& shortages);

// What a check-in recorded: back in good order, damaged, still missing, and what goes back to
// its supplier. `returned_label` names the first row ("Returned", "Checked in").
void PrintCheckIn(const v1::CheckInResponse& response, const std::string& returned_label);

}  // namespace salesops::cli
