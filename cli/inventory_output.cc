#include "cli/inventory_output.h"

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

}  // namespace salesops::cli
