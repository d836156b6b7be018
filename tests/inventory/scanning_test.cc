// Issue 19's warehouse floor over gRPC on a real inventory process and PostgreSQL: units scanned
// out and in by their barcodes with every refusal, inspections that keep an overdue unit home and
// a failed one out of stock, and units retired, lost and found changing what a code owns.
#include <gtest/gtest.h>

#include <iostream>
#include <pqxx/pqxx>

#include "salesops/v1/events.pb.h"
#include "services/common/grpc_errors.h"
#include "services/common/money.h"
#include "tests/inventory/inventory_client.h"

namespace salesops::testing {
namespace {

using Stub = v1::InventoryService::Stub;

class ScanningTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(inventory_.started()) << inventory_.log(); }
  // The service's own account of what went wrong.
  void TearDown() override {
    if (HasFailure()) std::cerr << inventory_.log();
  }

  void PutItem(const std::string& code, int owned, v1::TrackingMode tracking) {
    v1::UpsertItemResponse response;
    ASSERT_TRUE(
        inventory_.Call(&Stub::UpsertItem, ItemRequest(code, owned, tracking), &response).ok());
  }

  // Registers a unit with `barcode`, bought `months_ago` months ago (0: no purchase day).
  std::string Register(const std::string& code, const std::string& barcode,
                       const std::string& warehouse = "", int months_ago = 0) {
    v1::RegisterAssetRequest request;
    request.mutable_asset()->set_inventory_code(code);
    request.mutable_asset()->set_barcode(barcode);
    request.mutable_asset()->set_serial_number("SN-" + barcode);
    request.mutable_asset()->set_warehouse_id(warehouse);
    if (months_ago > 0) {
      const absl::CivilMonth bought =
          absl::CivilMonth(absl::ToCivilDay(absl::Now(), absl::UTCTimeZone())) - months_ago;
      request.mutable_asset()->mutable_purchase_day()->set_year(static_cast<int>(bought.year()));
      request.mutable_asset()->mutable_purchase_day()->set_month(bought.month());
      request.mutable_asset()->mutable_purchase_day()->set_day(1);
    }
    v1::RegisterAssetResponse response;
    grpc::Status status = inventory_.Call(&Stub::RegisterAsset, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.asset().asset_id();
  }

  void Reserve(const std::string& order, std::vector<v1::InventoryLine> lines,
               v1::Window window = Days(1, 3)) {
    v1::ReserveRequest request;
    request.set_order_id(order);
    request.set_order_revision(1);
    for (const v1::InventoryLine& line : lines) *request.add_lines() = line;
    *request.mutable_window() = window;
    v1::ReserveResponse response;
    grpc::Status status =
        inventory_.Call(&Stub::Reserve, request, &response, inventory_.tokens().service);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  v1::ScanResult Out(const std::string& order, const std::string& barcode, int quantity = 0) {
    v1::ScanOutRequest request;
    request.set_order_id(order);
    request.set_barcode(barcode);
    request.set_quantity(quantity);
    v1::ScanOutResponse response;
    grpc::Status status =
        inventory_.Call(&Stub::ScanOut, request, &response, inventory_.tokens().ops);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.result();
  }

  v1::ScanResult In(const std::string& order, const std::string& barcode, int quantity = 0,
                    bool damaged = false) {
    v1::ScanInRequest request;
    request.set_order_id(order);
    request.set_barcode(barcode);
    request.set_quantity(quantity);
    if (damaged) {
      request.set_condition(v1::SCAN_CONDITION_DAMAGED);
      request.set_note("fader 3 crackles");
    }
    v1::ScanInResponse response;
    grpc::Status status =
        inventory_.Call(&Stub::ScanIn, request, &response, inventory_.tokens().ops);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.result();
  }

  static int Done(const v1::ScanResult& result, const std::string& code) {
    for (const v1::ScanProgress& progress : result.progress()) {
      if (progress.inventory_code() == code) return progress.done();
    }
    return -1;
  }

  v1::GetAssetResponse Asset(const std::string& asset_id) {
    v1::GetAssetRequest request;
    request.set_asset_id(asset_id);
    v1::GetAssetResponse response;
    EXPECT_TRUE(inventory_.Call(&Stub::GetAsset, request, &response).ok());
    return response;
  }

  int Outbox(const std::string& type, const std::string& order) {
    pqxx::connection connection(inventory_.database().connection_string());
    pqxx::nontransaction statement(connection);
    return statement
        .exec_params1("SELECT count(*) FROM outbox WHERE event_type = $1 AND order_id = $2", type,
                      order)[0]
        .as<int>();
  }

  // Everything a refused scan must leave alone, as one string.
  std::string FloorState() {
    pqxx::connection connection(inventory_.database().connection_string());
    pqxx::nontransaction statement(connection);
    std::string state;
    for (const char* sql :
         {"SELECT string_agg(order_id || inventory_code || pulled, ',' ORDER BY order_id, "
          "inventory_code) FROM prep_counts",
          "SELECT string_agg(asset_id || state || order_id, ',' ORDER BY asset_id) FROM assets",
          "SELECT count(*)::text FROM asset_events", "SELECT count(*)::text FROM outbox",
          "SELECT count(*)::text FROM scanned_returns"}) {
      pqxx::result row = statement.exec(sql);
      state += (row[0][0].is_null() ? "" : row[0][0].as<std::string>()) + "|";
    }
    return state;
  }

  InventoryFixture inventory_;
};

TEST_F(ScanningTest, UnitsScanOutAndBackInWithEveryRefusalChangingNothing) {
  PutItem("MIXER-X32", 4, v1::TRACKING_MODE_SERIALIZED);
  PutItem("CABLE-XLR", 100, v1::TRACKING_MODE_BULK);
  PutItem("SPK-12", 4, v1::TRACKING_MODE_BULK);
  const std::string m1 = Register("MIXER-X32", "MIX-1");
  const std::string m2 = Register("MIXER-X32", "MIX-2");
  Register("MIXER-X32", "MIX-3");
  Register("MIXER-X32", "MIX-SOUTH", "SOUTH");
  Reserve("ORDER-A", {Line("MIXER-X32", 2), Line("CABLE-XLR", 10)});
  Reserve("ORDER-B", {Line("MIXER-X32", 1)});

  // Refusals, each answered with its reason and the sheet's progress, and nothing changed.
  const std::string before = FloorState();
  struct Refused {
    std::string order, barcode;
    int quantity;
    v1::ScanRefusal refusal;
  };
  for (const Refused& refused :
       std::vector<Refused>{{"ORDER-A", "NO-SUCH-LABEL", 0, v1::SCAN_REFUSAL_UNKNOWN_BARCODE},
                            {"ORDER-A", "MIXER-X32", 0, v1::SCAN_REFUSAL_SCAN_THE_UNIT},
                            {"ORDER-A", "SPK-12", 1, v1::SCAN_REFUSAL_NOT_ON_SHEET},
                            {"ORDER-A", "MIX-SOUTH", 0, v1::SCAN_REFUSAL_OTHER_WAREHOUSE},
                            {"ORDER-A", "CABLE-XLR", 11, v1::SCAN_REFUSAL_NOTHING_NEEDED}}) {
    SCOPED_TRACE(refused.barcode);
    v1::ScanResult result = Out(refused.order, refused.barcode, refused.quantity);
    EXPECT_EQ(result.refusal(), refused.refusal) << result.message();
    EXPECT_FALSE(result.message().empty());
    EXPECT_EQ(result.progress_size(), 2) << "the station keeps its progress";
  }
  EXPECT_EQ(FloorState(), before) << "a refused scan changed something";

  // Accepted scans pull onto the sheet and take the unit out with the order.
  v1::ScanResult first = Out("ORDER-A", "MIX-1");
  ASSERT_EQ(first.refusal(), v1::SCAN_REFUSAL_UNSPECIFIED) << first.message();
  EXPECT_EQ(first.asset().asset_id(), m1);
  EXPECT_EQ(first.asset().state(), v1::ASSET_STATE_OUT);
  EXPECT_EQ(first.asset().order_id(), "ORDER-A");
  EXPECT_EQ(Done(first, "MIXER-X32"), 1);
  EXPECT_FALSE(first.complete());
  EXPECT_EQ(Outbox("EVENT_TYPE_PREP_STARTED", "ORDER-A"), 1);
  EXPECT_EQ(Out("ORDER-A", "MIX-1").refusal(), v1::SCAN_REFUSAL_ALREADY_OUT);
  v1::ScanResult elsewhere = Out("ORDER-B", "MIX-1");
  EXPECT_EQ(elsewhere.refusal(), v1::SCAN_REFUSAL_ALREADY_OUT);
  EXPECT_NE(elsewhere.message().find("out with order ORDER-A"), std::string::npos)
      << elsewhere.message();
  EXPECT_EQ(Done(Out("ORDER-A", "CABLE-XLR", 10), "CABLE-XLR"), 10);
  EXPECT_EQ(Out("ORDER-A", "CABLE-XLR").refusal(), v1::SCAN_REFUSAL_NOTHING_NEEDED);
  v1::ScanResult last = Out("ORDER-A", "MIX-2");
  ASSERT_EQ(last.refusal(), v1::SCAN_REFUSAL_UNSPECIFIED) << last.message();
  EXPECT_TRUE(last.complete());
  EXPECT_EQ(Outbox("EVENT_TYPE_PREP_COMPLETED", "ORDER-A"), 1);

  // Scanned back before it left: put back on the shelf and off the sheet; then pulled again.
  v1::ScanResult put_back = In("ORDER-A", "MIX-2");
  ASSERT_EQ(put_back.refusal(), v1::SCAN_REFUSAL_UNSPECIFIED) << put_back.message();
  EXPECT_EQ(put_back.asset().state(), v1::ASSET_STATE_AVAILABLE);
  v1::GetPullSheetRequest sheet_request;
  sheet_request.set_order_id("ORDER-A");
  v1::GetPullSheetResponse sheet;
  ASSERT_TRUE(inventory_.Call(&Stub::GetPullSheet, sheet_request, &sheet).ok());
  for (const auto& group : sheet.pull_sheet().groups()) {
    for (const auto& line : group.lines()) {
      if (line.inventory_code() != "MIXER-X32") continue;
      EXPECT_EQ(line.quantity_pulled(), 1);
      EXPECT_EQ(
          std::vector<std::string>(line.serial_numbers().begin(), line.serial_numbers().end()),
          std::vector<std::string>{"SN-MIX-1"});
    }
  }
  ASSERT_EQ(Out("ORDER-A", "MIX-2").refusal(), v1::SCAN_REFUSAL_UNSPECIFIED);

  v1::CheckOutRequest dispatch;
  dispatch.set_order_id("ORDER-A");
  v1::CheckOutResponse dispatched;
  ASSERT_TRUE(
      inventory_.Call(&Stub::CheckOut, dispatch, &dispatched, inventory_.tokens().ops).ok());

  // Scanning in: a unit on the shelf, or out with another order, is refused.
  EXPECT_EQ(In("ORDER-A", "MIX-3").refusal(), v1::SCAN_REFUSAL_NOT_OUT);
  ASSERT_EQ(Out("ORDER-B", "MIX-3").refusal(), v1::SCAN_REFUSAL_UNSPECIFIED);
  v1::ScanResult wrong = In("ORDER-A", "MIX-3");
  EXPECT_EQ(wrong.refusal(), v1::SCAN_REFUSAL_WRONG_ORDER);
  EXPECT_NE(wrong.message().find("ORDER-B"), std::string::npos) << wrong.message();

  // Back: one good, one damaged (to repair), nine cables of ten.
  EXPECT_EQ(In("ORDER-A", "MIX-1").refusal(), v1::SCAN_REFUSAL_UNSPECIFIED);
  v1::ScanResult broken = In("ORDER-A", "MIX-2", 0, true);
  ASSERT_EQ(broken.refusal(), v1::SCAN_REFUSAL_UNSPECIFIED) << broken.message();
  EXPECT_EQ(broken.asset().state(), v1::ASSET_STATE_IN_REPAIR);
  EXPECT_EQ(Outbox("EVENT_TYPE_ITEM_DAMAGED", "ORDER-A"), 1);
  v1::ScanResult cables = In("ORDER-A", "CABLE-XLR", 9);
  EXPECT_EQ(Done(cables, "CABLE-XLR"), 9);
  EXPECT_EQ(Done(cables, "MIXER-X32"), 2);
  EXPECT_FALSE(cables.complete()) << "one cable is still out";
  EXPECT_EQ(In("ORDER-A", "CABLE-XLR", 2).refusal(), v1::SCAN_REFUSAL_NOTHING_NEEDED);
  EXPECT_EQ(Out("ORDER-B", "MIX-2").refusal(), v1::SCAN_REFUSAL_NOT_IN_SERVICE);

  // Counting a scanned code again by hand is refused; a check-in with no lines records the scans.
  v1::CheckInRequest by_hand;
  by_hand.set_order_id("ORDER-A");
  by_hand.add_lines()->set_inventory_code("MIXER-X32");
  by_hand.mutable_lines(0)->set_returned_quantity(1);
  v1::CheckInResponse refused;
  grpc::Status status = inventory_.Call(&Stub::CheckIn, by_hand, &refused, inventory_.tokens().ops);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(common::ParseGrpcError(status).violations.at(0).field, "lines[0].inventory_code");
  v1::CheckInRequest scans;
  scans.set_order_id("ORDER-A");
  v1::CheckInResponse checked_in;
  status = inventory_.Call(&Stub::CheckIn, scans, &checked_in, inventory_.tokens().ops);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::Movement& movement = checked_in.movement();
  ASSERT_EQ(movement.lines_size(), 2);
  EXPECT_EQ(movement.lines(0).inventory_code(), "CABLE-XLR");
  EXPECT_EQ(movement.lines(0).quantity(), 9);
  EXPECT_EQ(movement.lines(1).quantity(), 1);
  ASSERT_EQ(movement.damaged_size(), 1);
  EXPECT_EQ(movement.damaged(0).inventory_code(), "MIXER-X32");
  ASSERT_EQ(movement.missing_size(), 1);
  EXPECT_EQ(movement.missing(0).quantity(), 1);
  EXPECT_TRUE(checked_in.out_of_service().empty())
      << "the damaged unit went to repair when it was scanned, not twice";
  EXPECT_EQ(Outbox("EVENT_TYPE_RETURNED", "ORDER-A"), 1);
  v1::CheckInResponse again;
  EXPECT_EQ(inventory_.Call(&Stub::CheckIn, scans, &again, inventory_.tokens().ops).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT)
      << "the scans were recorded once";

  // The unit's history: which order, who, when, in what condition.
  v1::GetAssetResponse history = Asset(m2);
  std::vector<v1::AssetEventKind> kinds;
  for (const v1::AssetEvent& event : history.history()) kinds.push_back(event.kind());
  EXPECT_EQ(kinds, (std::vector<v1::AssetEventKind>{
                       v1::ASSET_EVENT_KIND_REGISTERED, v1::ASSET_EVENT_KIND_SCANNED_OUT,
                       v1::ASSET_EVENT_KIND_PUT_BACK, v1::ASSET_EVENT_KIND_SCANNED_OUT,
                       v1::ASSET_EVENT_KIND_RETURNED}));
  const v1::AssetEvent& returned = history.history(4);
  EXPECT_EQ(returned.order_id(), "ORDER-A");
  EXPECT_EQ(returned.condition(), v1::SCAN_CONDITION_DAMAGED);
  EXPECT_EQ(returned.note(), "fader 3 crackles");
  EXPECT_FALSE(returned.actor().id().empty());
  EXPECT_TRUE(returned.has_event_time());
}

TEST_F(ScanningTest, AnOverdueInspectionKeepsAUnitHomeAndAFailedOneReportsTheShortage) {
  PutItem("LIGHT-SPOT", 2, v1::TRACKING_MODE_SERIALIZED);
  const std::string old_unit = Register("LIGHT-SPOT", "SPOT-OLD", "", 24);
  const std::string new_unit = Register("LIGHT-SPOT", "SPOT-NEW", "", 1);
  Reserve("ORDER-C", {Line("LIGHT-SPOT", 2)});

  // PAT every 12 months, and a visual check on every return. The unit bought two years ago
  // and never tested is overdue: it stops counting, and the order that needs both is short.
  v1::SetMaintenancePlanRequest plan;
  plan.mutable_plan()->set_inventory_code("LIGHT-SPOT");
  v1::InspectionRule* pat = plan.mutable_plan()->add_rules();
  pat->set_inspection_type("PAT");
  pat->set_name("Portable appliance test");
  pat->mutable_interval()->set_seconds(365 * 86400);
  plan.mutable_plan()->add_rules()->set_inspection_type("VISUAL");
  v1::SetMaintenancePlanResponse planned;
  grpc::Status status =
      inventory_.Call(&Stub::SetMaintenancePlan, plan, &planned, inventory_.tokens().ops);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(planned.shortages_size(), 1);
  EXPECT_EQ(planned.shortages(0).order_id(), "ORDER-C");
  EXPECT_EQ(planned.shortages(0).shortages(0).shortfall(), 1);
  EXPECT_EQ(Outbox("EVENT_TYPE_SHORTAGE_DETECTED", "ORDER-C"), 1);
  v1::GetMaintenancePlanRequest get_plan;
  get_plan.set_inventory_code("LIGHT-SPOT");
  v1::GetMaintenancePlanResponse got_plan;
  ASSERT_TRUE(inventory_.Call(&Stub::GetMaintenancePlan, get_plan, &got_plan).ok());
  EXPECT_EQ(got_plan.plan().rules_size(), 2);

  // The pull sheet flags it, and a scan of it is refused.
  v1::GetPullSheetRequest sheet_request;
  sheet_request.set_order_id("ORDER-C");
  v1::GetPullSheetResponse sheet;
  ASSERT_TRUE(inventory_.Call(&Stub::GetPullSheet, sheet_request, &sheet).ok());
  std::vector<std::string> flagged;
  for (const auto& due : sheet.pull_sheet().groups(0).lines(0).inspections_due()) {
    flagged.push_back(due.barcode() + ":" + due.inspection_type() +
                      (due.overdue() ? ":overdue" : ""));
  }
  // The new unit's PAT falls due next year, before the 2030 window ends: flagged, not overdue.
  EXPECT_EQ(flagged, (std::vector<std::string>{"SPOT-OLD:PAT:overdue", "SPOT-NEW:PAT"}));
  v1::ScanResult refused = Out("ORDER-C", "SPOT-OLD");
  EXPECT_EQ(refused.refusal(), v1::SCAN_REFUSAL_INSPECTION_OVERDUE);
  EXPECT_NE(refused.message().find("PAT"), std::string::npos) << refused.message();

  // Tested and passed: due in a year, and it goes out.
  v1::RecordInspectionRequest test;
  test.set_barcode("SPOT-OLD");
  test.set_inspection_type("PAT");
  test.set_passed(true);
  test.set_note("0.2 MOhm, pass");
  v1::RecordInspectionResponse tested;
  status = inventory_.Call(&Stub::RecordInspection, test, &tested, inventory_.tokens().ops);
  ASSERT_TRUE(status.ok()) << status.error_message();
  bool pat_found = false;
  for (const v1::InspectionDue& due : tested.asset().inspections()) {
    if (due.inspection_type() != "PAT") continue;
    pat_found = true;
    EXPECT_FALSE(due.overdue());
    EXPECT_GT(due.due_time().seconds(), tested.asset().register_time().seconds() + 360 * 86400);
  }
  EXPECT_TRUE(pat_found);
  ASSERT_EQ(Out("ORDER-C", "SPOT-OLD").refusal(), v1::SCAN_REFUSAL_UNSPECIFIED);

  // The other unit fails its test: to repair, and the order is short again.
  test.set_barcode("SPOT-NEW");
  test.set_passed(false);
  test.set_note("earth continuity fail");
  status = inventory_.Call(&Stub::RecordInspection, test, &tested, inventory_.tokens().ops);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(tested.asset().state(), v1::ASSET_STATE_IN_REPAIR);
  ASSERT_EQ(tested.shortages_size(), 1);
  EXPECT_EQ(tested.shortages(0).order_id(), "ORDER-C");
  EXPECT_EQ(Outbox("EVENT_TYPE_SHORTAGE_DETECTED", "ORDER-C"), 2);
  EXPECT_EQ(Out("ORDER-C", "SPOT-NEW").refusal(), v1::SCAN_REFUSAL_NOT_IN_SERVICE);

  // Repaired, with its cost in the repair log; still owes its PAT until it passes.
  v1::SetAssetStateRequest repaired;
  repaired.set_asset_id(new_unit);
  repaired.set_state(v1::ASSET_STATE_AVAILABLE);
  repaired.set_note("new IEC inlet");
  *repaired.mutable_cost() = common::MoneyFromMicros(45'000'000, "EUR");
  v1::SetAssetStateResponse back;
  status = inventory_.Call(&Stub::SetAssetState, repaired, &back, inventory_.tokens().ops);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(back.asset().state(), v1::ASSET_STATE_AVAILABLE);
  EXPECT_EQ(Out("ORDER-C", "SPOT-NEW").refusal(), v1::SCAN_REFUSAL_INSPECTION_OVERDUE);
  test.set_passed(true);
  test.set_note("retest pass");
  ASSERT_TRUE(
      inventory_.Call(&Stub::RecordInspection, test, &tested, inventory_.tokens().ops).ok());
  v1::ScanResult both = Out("ORDER-C", "SPOT-NEW");
  ASSERT_EQ(both.refusal(), v1::SCAN_REFUSAL_UNSPECIFIED) << both.message();
  EXPECT_TRUE(both.complete());
  v1::GetAssetResponse history = Asset(new_unit);
  bool repair_logged = false;
  for (const v1::AssetEvent& event : history.history()) {
    if (event.kind() == v1::ASSET_EVENT_KIND_REPAIRED) {
      repair_logged = common::MoneyToMicros(event.cost(), "cost").value() == 45'000'000;
    }
  }
  EXPECT_TRUE(repair_logged);

  // Back from the order: the visual check is owed before it goes out again.
  v1::CheckOutRequest dispatch;
  dispatch.set_order_id("ORDER-C");
  v1::CheckOutResponse dispatched;
  ASSERT_TRUE(
      inventory_.Call(&Stub::CheckOut, dispatch, &dispatched, inventory_.tokens().ops).ok());
  ASSERT_EQ(In("ORDER-C", "SPOT-OLD").refusal(), v1::SCAN_REFUSAL_UNSPECIFIED);
  Reserve("ORDER-D", {Line("LIGHT-SPOT", 1)}, Days(5, 6));
  v1::ScanResult unchecked = Out("ORDER-D", "SPOT-OLD");
  EXPECT_EQ(unchecked.refusal(), v1::SCAN_REFUSAL_INSPECTION_OVERDUE);
  EXPECT_NE(unchecked.message().find("VISUAL"), std::string::npos) << unchecked.message();
  test.set_barcode("SPOT-OLD");
  test.set_inspection_type("VISUAL");
  ASSERT_TRUE(
      inventory_.Call(&Stub::RecordInspection, test, &tested, inventory_.tokens().ops).ok());
  EXPECT_EQ(Out("ORDER-D", "SPOT-OLD").refusal(), v1::SCAN_REFUSAL_UNSPECIFIED);
}

TEST_F(ScanningTest, RetiredAndLostUnitsLeaveWhatTheCodeOwnsAndAFoundOneComesBack) {
  PutItem("MIC-SM58", 3, v1::TRACKING_MODE_SERIALIZED);
  const std::string sold = Register("MIC-SM58", "MIC-1");
  const std::string missing = Register("MIC-SM58", "MIC-2");
  Reserve("ORDER-E", {Line("MIC-SM58", 3)});
  auto owned = [&] {
    v1::GetItemRequest request;
    request.set_inventory_code("MIC-SM58");
    v1::GetItemResponse response;
    EXPECT_TRUE(inventory_.Call(&Stub::GetItem, request, &response).ok());
    return response.item().quantity_owned();
  };
  auto set_state = [&](const std::string& asset_id, v1::AssetState state,
                       v1::SetAssetStateResponse* response) {
    v1::SetAssetStateRequest request;
    request.set_asset_id(asset_id);
    request.set_state(state);
    request.set_note("sold to a customer");
    return inventory_.Call(&Stub::SetAssetState, request, response, inventory_.tokens().ops);
  };
  v1::SetAssetStateResponse response;
  ASSERT_TRUE(set_state(sold, v1::ASSET_STATE_RETIRED, &response).ok());
  EXPECT_EQ(owned(), 2);
  ASSERT_EQ(response.shortages_size(), 1) << "ORDER-E needs all three";
  EXPECT_EQ(response.shortages(0).order_id(), "ORDER-E");
  // Retired is final.
  grpc::Status status = set_state(sold, v1::ASSET_STATE_AVAILABLE, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(common::ParseGrpcError(status).reason, "INVALID_STAGE_TRANSITION");
  EXPECT_EQ(owned(), 2) << "a refused change changes nothing";

  ASSERT_TRUE(set_state(missing, v1::ASSET_STATE_LOST, &response).ok());
  EXPECT_EQ(owned(), 1);
  ASSERT_TRUE(set_state(missing, v1::ASSET_STATE_AVAILABLE, &response).ok());
  EXPECT_EQ(owned(), 2);
  EXPECT_EQ(response.asset().state(), v1::ASSET_STATE_AVAILABLE);
  EXPECT_EQ(Asset(missing).history().rbegin()->kind(), v1::ASSET_EVENT_KIND_FOUND);

  // A cost belongs to a repair only; OUT is reached by scanning.
  v1::SetAssetStateRequest bad;
  bad.set_asset_id(missing);
  bad.set_state(v1::ASSET_STATE_OUT);
  bad.set_note("x");
  status = inventory_.Call(&Stub::SetAssetState, bad, &response, inventory_.tokens().ops);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(common::ParseGrpcError(status).violations.at(0).field, "state");
  bad.set_state(v1::ASSET_STATE_IN_REPAIR);
  *bad.mutable_cost() = common::MoneyFromMicros(1'000'000, "EUR");
  status = inventory_.Call(&Stub::SetAssetState, bad, &response, inventory_.tokens().ops);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Asset(missing).asset().state(), v1::ASSET_STATE_AVAILABLE);
  // SALES reads the register but does not scan.
  v1::ScanOutRequest scan;
  scan.set_order_id("ORDER-E");
  scan.set_barcode("MIC-2");
  v1::ScanOutResponse scanned;
  EXPECT_EQ(inventory_.Call(&Stub::ScanOut, scan, &scanned, inventory_.tokens().sales).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace salesops::testing
