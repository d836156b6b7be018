// salesops-order-intake: quotes and orders, available-to-promise, the confirm saga, change
// orders, clarifications and history.
#include "services/common/server.h"
#include "services/order_intake/order_intake_service.h"

int main(int argc, char** argv) {
  salesops::order_intake::OrderIntakeOptions options;
  return salesops::common::RunServiceMain(
      salesops::order_intake::Definition(), argc, argv,
      [&options](salesops::common::ServiceRuntime& runtime) {
        return salesops::order_intake::MakeServices(runtime, options);
      },
      [&options](CLI::App& app) { salesops::order_intake::AddOptions(app, options); });
}
