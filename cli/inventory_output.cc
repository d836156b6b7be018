#include "cli/inventory_output.h"

#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

#include <iostream>
#include <string>

#include "cli/output.h"

namespace salesops::cli {

void PrintShortages(const google::protobuf::RepeatedPtrField<v1::OrderShortage>& shortages) {
  if (shortages.empty()) return;
  Table table({"order", "code", "reserved", "available", "short by"});
  for (const v1::OrderShortage& order : shortages) {
    for (const v1::StockShortage& shortage : order.shortages()) {
      table.AddRow({order.order_id(), shortage.inventory_code(),
                    std::to_string(shortage.requested()), std::to_string(shortage.available()),
                    std::to_string(shortage.shortfall())});
    }
  }
  std::cout << "\nReservations this leaves short:\n";
  table.Print();
}

void PrintCheckIn(const v1::CheckInResponse& response, const std::string& returned_label) {
  Details details;
  details.Add(returned_label, FormatLines(response.movement().lines()));
  details.Add("Damaged", FormatLines(response.movement().damaged()));
  details.Add("Missing", FormatLines(response.movement().missing()));
  std::vector<std::string> suppliers;
  for (const v1::SubRental& rental : response.to_return_to_supplier()) {
    suppliers.push_back(absl::StrCat(rental.inventory_code(), "=", rental.quantity(), " to ",
                                     rental.supplier_name()));
  }
  details.Add("Send back", suppliers.empty() ? "-" : absl::StrJoin(suppliers, ", "));
  details.Print();
}

}  // namespace salesops::cli
