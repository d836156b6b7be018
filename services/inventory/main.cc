// salesops-inventory: the shared catalog, availability over time, holds and reservations, prep,
// check-out and check-in; and the van runs of transfers, which scheduling plans.
#include "services/common/service_definition.h"
#include "services/inventory/inventory_definition.h"
#include "services/inventory/van_run_definition.h"

int main(int argc, char** argv) {
  return salesops::common::RunServiceMain(
      salesops::inventory::WithVanRuns(salesops::inventory::Definition()), argc, argv);
}
