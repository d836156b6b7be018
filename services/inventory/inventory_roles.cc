#include "services/inventory/inventory_definition.h"

namespace salesops::inventory {

// Who may call what. Deny by default: an RPC missing here is refused for
// every role, so a new RPC cannot ship open by accident.
common::RolePolicy RolePolicy() {
  common::RolePolicy policy(kServiceFullName);
  policy.Allow("UpsertItem", {v1::ROLE_ADMIN})
      .Allow("GetItem", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("ListItems", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("DeleteItem", {v1::ROLE_ADMIN})
      .Allow("UpsertProduct", {v1::ROLE_ADMIN})
      .Allow("GetProduct", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("ListProducts", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("DeleteProduct", {v1::ROLE_ADMIN})
      .Allow("ResolveProducts", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("CheckAvailability", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("GetAvailabilityCalendar",
             {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("PlaceHold", {v1::ROLE_SERVICE, v1::ROLE_ADMIN})
      .Allow("Reserve", {v1::ROLE_SERVICE, v1::ROLE_ADMIN})
      .Allow("Release", {v1::ROLE_SERVICE, v1::ROLE_ADMIN})
      .Allow("ListReservations", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("AddSubRental", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("ListSubRentals", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("GetPullSheet", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      // Labels are printed in the warehouse.
      .Allow("GetLabels", {v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      // The asset register: the warehouse registers units; everyone reads them.
      .Allow("RegisterAsset", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("GetAsset", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("ListAssets", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("SetAssetState", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("SetMaintenancePlan", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("GetMaintenancePlan", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("RecordInspection", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      // Stock across warehouses: the warehouse moves it; everyone sees where it is.
      .Allow("SetWarehouseStock", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("GetWarehouseStock", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("CreateTransfer", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("CancelTransfer", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("ListTransfers", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      // The warehouse counts; ADMIN, who keeps the books, applies the counts.
      .Allow("StartStockTake", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("CountStock", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("GetStockTake", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("ApplyStockTake", {v1::ROLE_ADMIN})
      // Scanning is the warehouse's.
      .Allow("ScanOut", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("ScanIn", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("RecordPrep", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("CheckOut", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("CheckIn", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("SetOutOfService", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("ForecastDemand", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE});
  return policy;
}

}  // namespace salesops::inventory
