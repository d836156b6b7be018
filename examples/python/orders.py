"""salesops from Python: the same gRPC API and protos salesopsctl uses.

Generate the stubs once (Debian: protobuf-compiler, protobuf-compiler-grpc, python3-grpcio,
python3-protobuf), from the repository root after a build:

    mkdir -p /tmp/salesops-py
    protoc -Iprotos -Ibuild/protos/google-common-protos --python_out=/tmp/salesops-py \
      --grpc_python_out=/tmp/salesops-py --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin \
      protos/salesops/v1/*.proto build/protos/google-common-protos/google/*/*.proto
    PYTHONPATH=/tmp/salesops-py SALESOPS_TOKEN_FILE=.data/tokens/sales.token \
      /usr/bin/python3 examples/python/orders.py

It lists the open quotes with what ops could commit to, and shows how a refusal reads: the
status code, the reason (google.rpc.ErrorInfo) and each field violation (google.rpc.BadRequest)
from the rich status in the trailing metadata.
"""
import os
import sys

import grpc
from google.rpc import error_details_pb2, status_pb2

from salesops.v1 import order_intake_pb2, order_intake_pb2_grpc, vocabulary_pb2


def explain(error: grpc.RpcError) -> str:
    """The refusal in words: code, reason and every field violation."""
    lines = [f"{error.code().name}: {error.details()}"]
    for key, value in error.trailing_metadata() or ():
        if key != "grpc-status-details-bin":
            continue
        status = status_pb2.Status.FromString(value)
        for detail in status.details:
            info, bad_request = error_details_pb2.ErrorInfo(), error_details_pb2.BadRequest()
            if detail.Unpack(info):
                lines.append(f"  reason: {info.reason}")
            elif detail.Unpack(bad_request):
                lines += [f"  {v.field}: {v.description}" for v in bad_request.field_violations]
    return "\n".join(lines)


def main() -> int:
    address = os.environ.get("SALESOPS_ORDER_INTAKE_ADDRESS", "127.0.0.1:50054")
    with open(os.environ["SALESOPS_TOKEN_FILE"]) as token_file:
        metadata = [("authorization", "Bearer " + token_file.read().strip())]
    orders = order_intake_pb2_grpc.OrderIntakeServiceStub(grpc.insecure_channel(address))

    quotes = orders.ListOrders(
        order_intake_pb2.ListOrdersRequest(stages=[vocabulary_pb2.ORDER_STAGE_QUOTED]),
        metadata=metadata, timeout=10)
    print(f"open quotes: {len(quotes.orders)}")
    for order in quotes.orders:
        check = orders.CheckFeasibility(
            order_intake_pb2.CheckFeasibilityRequest(order_id=order.order_id),
            metadata=metadata, timeout=30)
        short = ", ".join(f"{s.inventory_code} by {s.shortfall}"
                          for s in check.feasibility.stock_shortages)
        print(f"  {order.order_id} {order.customer.name}: "
              + ("ops can support it" if check.feasibility.feasible else f"short: {short}"))

    # A quote without a customer, venue or lines: refused, and nothing is written.
    try:
        orders.CreateOrder(order_intake_pb2.CreateOrderRequest(order=order_intake_pb2.Order()),
                           metadata=metadata, timeout=10)
        print("an empty quote was accepted", file=sys.stderr)
        return 1
    except grpc.RpcError as error:
        print(explain(error))
    return 0


if __name__ == "__main__":
    sys.exit(main())
