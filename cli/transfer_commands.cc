// Stock across warehouses (issue 19): where a code's units are (warehouse-stock) and moving them
// between warehouses over a road time (transfer), during which they count at neither end.
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/command_tree.h"
#include "cli/input_parsing.h"
#include "cli/inventory_stub.h"
#include "cli/output.h"

namespace salesops::cli {
namespace {

using v1::InventoryService;

// "SOUTH → MAIN".
std::string TransferRoute(const v1::Transfer& transfer) {
  return transfer.from_warehouse_id() + " → " + transfer.to_warehouse_id();
}

// One row a transfer, by depart time as the service lists them.
void PrintTransferTable(const google::protobuf::RepeatedPtrField<v1::Transfer>& transfers) {
  Table table({"transfer", "lines", "from → to", "depart", "arrive", "state", "van run planned"});
  for (const v1::Transfer& transfer : transfers) {
    table.AddRow({transfer.transfer_id(), FormatLines(transfer.lines()), TransferRoute(transfer),
                  FormatTime(transfer.depart_time()), FormatTime(transfer.arrive_time()),
                  EnumWord(transfer.state()), YesNo(transfer.van_run_planned())});
  }
  table.Print();
}

void PrintTransfer(const v1::Transfer& transfer) {
  Details details;
  details.Add("Transfer", transfer.transfer_id());
  details.Add("Lines", FormatLines(transfer.lines()));
  details.Add("From → to", TransferRoute(transfer));
  details.Add("Depart", FormatTime(transfer.depart_time()));
  details.Add("Arrive", absl::StrCat(FormatTime(transfer.arrive_time()), " (",
                                     FormatDuration(transfer.transit()), " on the road)"));
  details.Add("State", EnumWord(transfer.state()));
  details.Add("Units",
              transfer.asset_ids().empty() ? "-" : absl::StrJoin(transfer.asset_ids(), " "));
  // Scheduling plans the driver and vehicle after the transfer is stored, so a fresh one
  // usually reads "not yet": `transfer list` shows when it is.
  details.Add("Van run", transfer.van_run_planned() ? "planned" : "not planned yet");
  if (!transfer.note().empty()) details.Add("Note", transfer.note());
  if (transfer.has_created_by()) {
    details.Add("Created", absl::StrCat(FormatTime(transfer.create_time()), " by ",
                                        transfer.created_by().id()));
  }
  details.Print();
}

// What each warehouse keeps of a code now, the home (which holds what the others do not)
// marked.
void PrintWarehouseStock(const std::string& code,
                         const google::protobuf::RepeatedPtrField<v1::WarehouseStock>& stock) {
  Table table({"warehouse", "units now", ""});
  for (const v1::WarehouseStock& warehouse : stock) {
    table.AddRow({warehouse.warehouse_id(), std::to_string(warehouse.quantity()),
                  warehouse.home() ? "home" : ""});
  }
  std::cout << "Stock of " << code << " by warehouse:\n";
  table.Print();
}

ExitCode ShowWarehouseStock(Session& session, const std::string& code) {
  v1::GetWarehouseStockRequest request;
  request.set_inventory_code(code);
  v1::GetWarehouseStockResponse response;
  if (ExitCode exit_code =
          session.Call(&InventoryService::Stub::GetWarehouseStock, request, &response);
      exit_code != kExitOk) {
    return exit_code;
  }
  return PrintAnswer(session, response, [&] {
    PrintWarehouseStock(code, response.stock());
    if (response.in_transit().empty()) {
      std::cout << "\nNothing of " << code << " on the road.\n";
      return;
    }
    std::cout << "\nOn the road now (counted at neither end):\n";
    PrintTransferTable(response.in_transit());
  });
}

struct WarehouseStockOptions {
  std::string code, warehouse;
  int quantity = 0;
};

ExitCode SetWarehouseStockCommand(Session& session, const WarehouseStockOptions& options) {
  v1::SetWarehouseStockRequest request;
  request.set_inventory_code(options.code);
  request.set_warehouse_id(options.warehouse);
  request.set_quantity(options.quantity);
  session.SetFieldFlags(
      {{"inventory_code", "CODE"}, {"warehouse_id", "WAREHOUSE"}, {"quantity", "N"}});
  v1::SetWarehouseStockResponse response;
  if (ExitCode code = session.Call(&InventoryService::Stub::SetWarehouseStock, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response,
                     [&] { PrintWarehouseStock(options.code, response.stock()); });
}

struct CreateTransferOptions {
  std::string from, to, depart, transit, note;
  std::vector<std::string> lines, assets;
};

ExitCode CreateTransferCommand(Session& session, const CreateTransferOptions& options) {
  v1::CreateTransferRequest request;
  v1::Transfer& transfer = *request.mutable_transfer();
  for (const std::string& word : options.lines) {
    absl::StatusOr<v1::InventoryLine> line = ParseInventoryLine(word);
    if (!line.ok()) return ReportBadInput(std::string(line.status().message()));
    *transfer.add_lines() = *line;
  }
  transfer.set_from_warehouse_id(options.from);
  transfer.set_to_warehouse_id(options.to);
  absl::StatusOr<google::protobuf::Timestamp> depart = ParseTime(options.depart);
  if (!depart.ok()) return ReportBadInput("--depart: " + std::string(depart.status().message()));
  *transfer.mutable_depart_time() = *depart;
  absl::StatusOr<google::protobuf::Duration> transit = ParseDuration(options.transit);
  if (!transit.ok()) {
    return ReportBadInput("--transit: " + std::string(transit.status().message()));
  }
  *transfer.mutable_transit() = *transit;
  for (const std::string& asset : options.assets) transfer.add_asset_ids(asset);
  transfer.set_note(options.note);
  session.SetFieldFlags({{"lines", "CODE=N"},
                         {"lines.inventory_code", "CODE=N"},
                         {"lines.quantity", "CODE=N"},
                         {"from_warehouse_id", "--from"},
                         {"to_warehouse_id", "--to"},
                         {"depart_time", "--depart"},
                         {"transit", "--transit"},
                         {"asset_ids", "--asset"},
                         {"note", "--note"}});
  v1::CreateTransferResponse response;
  if (ExitCode code = session.Call(&InventoryService::Stub::CreateTransfer, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] { PrintTransfer(response.transfer()); });
}

struct CancelTransferOptions {
  std::string transfer, reason;
};

ExitCode CancelTransferCommand(Session& session, const CancelTransferOptions& options) {
  v1::CancelTransferRequest request;
  request.set_transfer_id(options.transfer);
  request.set_reason(options.reason);
  session.SetFieldFlags({{"reason", "--reason"}});
  v1::CancelTransferResponse response;
  if (ExitCode code = session.Call(&InventoryService::Stub::CancelTransfer, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] { PrintTransfer(response.transfer()); });
}

struct ListTransfersOptions {
  std::string code, warehouse;
  bool open_only = false;
};

ExitCode ListTransfersCommand(Session& session, const ListTransfersOptions& options) {
  v1::ListTransfersRequest request;
  request.set_inventory_code(options.code);
  request.set_warehouse_id(options.warehouse);
  request.set_open_only(options.open_only);
  v1::ListTransfersResponse response;
  if (ExitCode code =
          session.CallAllPages(&InventoryService::Stub::ListTransfers, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    if (response.transfers().empty()) {
      std::cout << "No transfers.\n";
      return;
    }
    PrintTransferTable(response.transfers());
  });
}

}  // namespace

void AddTransferCommands(CommandTree& tree) {
  CLI::App& root = tree.root();
  {
    CLI::App* stock = tree.AddGroup(
        root, "warehouse-stock",
        "How many units of a code each warehouse keeps (the code's home holds the rest)");
    auto shown = std::make_shared<std::string>();
    CLI::App* show = stock->add_subcommand(
        "show", "A code's units per warehouse now, and the transfers of it on the road");
    show->add_option("code", *shown, "Inventory code")->required();
    tree.OnRun(show, [shown](Session& session) { return ShowWarehouseStock(session, *shown); });
    auto options = MakeOptions<WarehouseStockOptions>();
    CLI::App* set = stock->add_subcommand(
        "set",
        "How many units a warehouse other than the home keeps: a re-count or a first split, not "
        "a move (that is a transfer; OPS)");
    set->add_option("code", options->code, "Inventory code")->required();
    set->add_option("warehouse", options->warehouse, "Warehouse id, not the code's home")
        ->required();
    set->add_option("quantity", options->quantity, "Units kept there (0 clears it)")
        ->required()
        ->check(CLI::NonNegativeNumber);
    tree.OnRun(set,
               [options](Session& session) { return SetWarehouseStockCommand(session, *options); });
  }
  {
    CLI::App* transfer = tree.AddGroup(
        root, "transfer",
        "Move units between warehouses: on the road they count at neither end, and scheduling "
        "plans the van run");
    auto options = MakeOptions<CreateTransferOptions>();
    CLI::App* create = transfer->add_subcommand(
        "create",
        "Move units from one warehouse to another; refused when the origin cannot spare them or "
        "the road time leaves a confirmed order short (OPS)");
    create->add_option("lines", options->lines, "CODE=N to move, one or more")->required();
    create->add_option("--from", options->from, "Warehouse they leave")->required();
    create->add_option("--to", options->to, "Warehouse they arrive at")->required();
    create
        ->add_option("--depart", options->depart,
                     "When they leave (2030-05-01 08:00, tomorrow 08:00, +2d)")
        ->required();
    create->add_option("--transit", options->transit, "Time on the road (4h, 1d; 1m to 14d)")
        ->required();
    create
        ->add_option("--asset", options->assets,
                     "A serialised unit that travels (asset id), repeatable; scanned at the "
                     "destination once it has arrived")
        ->allow_extra_args(false);
    create->add_option("--note", options->note, "For the driver and the other warehouse");
    tree.OnRun(create,
               [options](Session& session) { return CreateTransferCommand(session, *options); });
    auto cancelled = MakeOptions<CancelTransferOptions>();
    CLI::App* cancel =
        transfer->add_subcommand("cancel", "Cancel a transfer before it departs (OPS)");
    cancel->add_option("transfer", cancelled->transfer, "Transfer id (T-000042)")->required();
    cancel->add_option("--reason", cancelled->reason, "Why");
    tree.OnRun(cancel, [cancelled](Session& session) {
      return CancelTransferCommand(session, *cancelled);
    });
    auto filter = MakeOptions<ListTransfersOptions>();
    CLI::App* list = transfer->add_subcommand("list", "Transfers by depart time");
    list->add_option("--code", filter->code, "Moving this inventory code");
    list->add_option("--warehouse", filter->warehouse, "Leaving or arriving at this warehouse");
    list->add_flag("--open", filter->open_only, "Only those not yet arrived nor cancelled");
    tree.OnRun(list, [filter](Session& session) { return ListTransfersCommand(session, *filter); });
  }
}

}  // namespace salesops::cli
