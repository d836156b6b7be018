// salesops-order-intake: quotes and orders, available-to-promise, the confirm saga, change orders,
// clarifications, history and pipeline forecast.
#include "services/common/server.h"
#include "services/order_intake/order_intake_service.h"

int main(int argc, char** argv) {
  return salesops::common::RunServiceMain(salesops::order_intake::Definition(), argc, argv,
                                          salesops::order_intake::MakeServices);
}
