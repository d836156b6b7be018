// salesops-order-intake: quotes and orders, available-to-promise, the confirm saga, change
// orders, clarifications and history.
#include "services/common/service_definition.h"
#include "services/order_intake/order_intake_definition.h"

int main(int argc, char** argv) {
  return salesops::common::RunServiceMain(salesops::order_intake::Definition(), argc, argv);
}
