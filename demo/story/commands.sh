# The story in commands: scripts/run prints them (without these comment lines) to paste into a
# second terminal, and tests/cli/story_test.cc runs them. Run from the repository root with
# SALESOPS_CONFIG set and salesopsctl on the PATH.
salesopsctl order list
order=$(salesopsctl quote --file demo/story/quote.yaml --id-only); salesopsctl order show $order
salesopsctl confirm $order     # refused (exit 3): ops cannot support it, and say what is short
salesopsctl amend $order --product LED-WALL-5X3=1 --reason "The client takes one wall"
salesopsctl confirm $order && salesopsctl pullsheet $order
salesopsctl prep $order --pulled LED-PANEL-500=30; salesopsctl order wait $order --stage in-prep
salesopsctl amend $order --product MIC-PACK-8=1 --reason "A panel talk was added"
sleep 1; salesopsctl --token-file .data/tokens/ops.token notifications --order $order
salesopsctl order history $order; salesopsctl --help
