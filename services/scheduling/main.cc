// salesops-scheduling: crew and vehicles, jobs planned from orders, global assignment by deadlines,
// commitments, prep plan.
#include "services/common/service_definition.h"
#include "services/scheduling/scheduling_definition.h"

int main(int argc, char** argv) {
  return salesops::common::RunServiceMain(salesops::scheduling::Definition(), argc, argv);
}
