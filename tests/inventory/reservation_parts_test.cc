// An order's phases as parts of one reservation (issue 17: a tour's stops, a rehearsal day and a
// show day), over real gRPC on a real inventory process and PostgreSQL: each part is checked,
// held, reserved, released and pulled over its own window.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "services/common/grpc_errors.h"
#include "tests/inventory/inventory_client.h"

namespace salesops::testing {
namespace {

using Stub = v1::InventoryService::Stub;
using common::ParseGrpcError;

v1::ReservationPart Part(const std::string& phase_id, std::vector<v1::InventoryLine> lines,
                         const v1::Window& window) {
  v1::ReservationPart part;
  part.set_phase_id(phase_id);
  for (auto& line : lines) *part.add_lines() = line;
  *part.mutable_window() = window;
  return part;
}

std::vector<std::string> FieldsOf(const grpc::Status& status) {
  std::vector<std::string> fields;
  for (const auto& violation : ParseGrpcError(status).violations) fields.push_back(violation.field);
  return fields;
}

class ReservationPartsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(inventory_.started()) << inventory_.log();
    PutItem("SPK-12", 10);
    PutItem("HAZER", 2);
  }

  void PutItem(const std::string& code, int owned) {
    v1::UpsertItemRequest request;
    request.mutable_item()->set_inventory_code(code);
    request.mutable_item()->set_description("Sales-facing " + code);
    request.mutable_item()->set_category("audio");
    request.mutable_item()->set_quantity_owned(owned);
    request.mutable_item()->set_tracking(v1::TRACKING_MODE_BULK);
    v1::UpsertItemResponse response;
    ASSERT_TRUE(inventory_.Call(&Stub::UpsertItem, request, &response).ok());
  }

  static v1::ReserveRequest ReserveRequest(const std::string& order, int64_t revision,
                                           std::vector<v1::InventoryLine> lines,
                                           const v1::Window& window,
                                           std::vector<v1::ReservationPart> parts) {
    v1::ReserveRequest request;
    request.set_order_id(order);
    request.set_order_revision(revision);
    for (auto& line : lines) *request.add_lines() = line;
    *request.mutable_window() = window;
    for (auto& part : parts) *request.add_parts() = part;
    return request;
  }

  grpc::Status Reserve(const v1::ReserveRequest& request, v1::ReserveResponse* response = nullptr) {
    v1::ReserveResponse ignored;
    return inventory_.Call(&Stub::Reserve, request, response ? response : &ignored,
                           inventory_.tokens().service);
  }

  v1::CheckAvailabilityResponse Check(std::vector<v1::InventoryLine> lines,
                                      const v1::Window& window,
                                      std::vector<v1::ReservationPart> parts = {}) {
    v1::CheckAvailabilityRequest request;
    for (auto& line : lines) *request.add_lines() = line;
    *request.mutable_window() = window;
    for (auto& part : parts) *request.add_parts() = part;
    v1::CheckAvailabilityResponse response;
    grpc::Status status =
        inventory_.Call(&Stub::CheckAvailability, request, &response, inventory_.tokens().sales);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  int Free(const std::string& code, const v1::Window& window) {
    v1::CheckAvailabilityResponse response = Check({Line(code, 1)}, window);
    return response.availability_size() > 0 ? response.availability(0).free() : -1;
  }

  int QueryInt(const std::string& sql) {
    pqxx::connection connection(inventory_.database().connection_string());
    pqxx::nontransaction statement(connection);
    return statement.exec1(sql)[0].as<int>();
  }

  InventoryFixture inventory_;
};

TEST_F(ReservationPartsTest, PartsThatDoNotOverlapShareUnitsOneWindowOverBothWouldNot) {
  // One window over the rehearsal and the show would need 16 of 10.
  EXPECT_FALSE(Check({Line("SPK-12", 16)}, Days(0, 5)).all_available());

  v1::ReserveResponse response;
  grpc::Status status = Reserve(ReserveRequest("TOUR-1", 1, {Line("SPK-12", 8)}, Days(0, 2),
                                               {Part("show", {Line("SPK-12", 8)}, Days(3, 5))}),
                                &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::Reservation& reservation = response.reservation();
  EXPECT_EQ(reservation.window().not_before(), Day(0));  // the main part's window
  ASSERT_EQ(reservation.lines_size(), 1);
  EXPECT_EQ(reservation.lines(0).quantity(), 8);
  ASSERT_EQ(reservation.parts_size(), 1);
  EXPECT_EQ(reservation.parts(0).phase_id(), "show");
  EXPECT_EQ(reservation.parts(0).window().not_before(), Day(3));
  EXPECT_EQ(reservation.parts(0).window().no_later_than(), Day(5));
  EXPECT_EQ(reservation.parts(0).lines(0).quantity(), 8);

  // Each part holds its units over its own window only.
  EXPECT_EQ(Free("SPK-12", Days(0, 2)), 2);
  EXPECT_EQ(Free("SPK-12", Days(2, 3)), 10);
  EXPECT_EQ(Free("SPK-12", Days(3, 5)), 2);

  // ListReservations reads back what Reserve answered.
  v1::ListReservationsRequest list;
  list.set_order_id("TOUR-1");
  v1::ListReservationsResponse listed;
  ASSERT_TRUE(inventory_.Call(&Stub::ListReservations, list, &listed).ok());
  ASSERT_EQ(listed.reservations_size(), 1);
  EXPECT_EQ(listed.reservations(0).SerializeAsString(), reservation.SerializeAsString());
}

TEST_F(ReservationPartsTest, OverlappingPartsNeedTheSumAndAShortageNamesItsPart) {
  grpc::Status refused =
      Reserve(ReserveRequest("SHOW-1", 1, {Line("SPK-12", 6)}, Days(0, 2),
                             {Part("rehearsal", {Line("SPK-12", 5)}, Days(1, 3))}));
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  common::ErrorDetails details = ParseGrpcError(refused);
  EXPECT_EQ(details.reason, "INSUFFICIENT_STOCK");
  EXPECT_NE(refused.error_message().find("1 x SPK-12 short in part 'rehearsal' (want 5, 4 free)"),
            std::string::npos)
      << refused.error_message();
  v1::ReservationShortages by_part;
  for (const google::protobuf::Any& detail : details.other_details) {
    if (detail.Is<v1::ReservationShortages>()) ASSERT_TRUE(detail.UnpackTo(&by_part));
  }
  ASSERT_EQ(by_part.shortages_size(), 2);
  EXPECT_EQ(by_part.shortages(0).phase_id(), "");
  EXPECT_EQ(by_part.shortages(0).shortage().available(), 5);
  EXPECT_EQ(by_part.shortages(1).phase_id(), "rehearsal");
  EXPECT_EQ(by_part.shortages(1).window().not_before(), Day(1));
  EXPECT_EQ(by_part.shortages(1).shortage().available(), 4);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM reservations"), 0);  // nothing half-written

  ASSERT_TRUE(Reserve(ReserveRequest("SHOW-1", 1, {Line("SPK-12", 5)}, Days(0, 2),
                                     {Part("rehearsal", {Line("SPK-12", 5)}, Days(1, 3))}))
                  .ok());
  EXPECT_EQ(Free("SPK-12", Days(1, 2)), 0);
  EXPECT_EQ(Free("SPK-12", Days(0, 1)), 5);

  // Another order's check: its main part fits, its "stop-2" does not; the shortage says so,
  // and no later window is offered, since moving the main part would not help.
  v1::CheckAvailabilityResponse checked =
      Check({Line("SPK-12", 1)}, Days(10, 11), {Part("stop-2", {Line("SPK-12", 3)}, Days(1, 2))});
  EXPECT_FALSE(checked.all_available());
  ASSERT_EQ(checked.part_shortages_size(), 1);
  ASSERT_EQ(checked.shortages_size(), 1);
  EXPECT_EQ(checked.part_shortages(0).phase_id(), "stop-2");
  EXPECT_EQ(checked.part_shortages(0).window().not_before(), Day(1));
  EXPECT_EQ(checked.part_shortages(0).shortage().shortfall(), 3);
  EXPECT_FALSE(checked.has_earliest_feasible_window());
}

TEST_F(ReservationPartsTest, AHoldWithPartsIsReplacedByAFirmReservationWithParts) {
  v1::PlaceHoldRequest hold;
  hold.set_order_id("TOUR-2");
  hold.set_order_revision(1);
  *hold.add_lines() = Line("SPK-12", 4);
  *hold.mutable_window() = Days(0, 1);
  *hold.add_parts() = Part("stop-2", {Line("SPK-12", 12), Line("HAZER", 1)}, Days(2, 3));
  *hold.mutable_expire_time() = google::protobuf::util::TimeUtil::GetCurrentTime() +
                                google::protobuf::util::TimeUtil::SecondsToDuration(3600);
  hold.set_win_probability(0.5);
  v1::PlaceHoldResponse held;
  ASSERT_TRUE(inventory_.Call(&Stub::PlaceHold, hold, &held, inventory_.tokens().service).ok());
  // A quote may be short: held anyway, the shortage naming its part.
  ASSERT_EQ(held.part_shortages_size(), 1);
  EXPECT_EQ(held.part_shortages(0).phase_id(), "stop-2");
  EXPECT_EQ(held.part_shortages(0).shortage().shortfall(), 2);
  ASSERT_EQ(held.reservation().parts_size(), 1);
  EXPECT_EQ(held.reservation().parts(0).lines_size(), 2);
  EXPECT_EQ(Free("HAZER", Days(2, 3)), 1);

  v1::ReserveResponse reserved;
  ASSERT_TRUE(Reserve(ReserveRequest("TOUR-2", 1, {Line("SPK-12", 4)}, Days(0, 1),
                                     {Part("stop-2", {Line("SPK-12", 10)}, Days(2, 3)),
                                      Part("stop-3", {Line("HAZER", 2)}, Days(5, 6))}),
                      &reserved)
                  .ok());
  EXPECT_EQ(reserved.replaced_reservation_id(), held.reservation().reservation_id());
  // Every line of every part of the hold stopped counting.
  EXPECT_EQ(QueryInt("SELECT count(*) FROM reservation_lines WHERE active AND reservation_id = '" +
                     held.reservation().reservation_id() + "'"),
            0);
  EXPECT_EQ(Free("HAZER", Days(2, 3)), 2);
  EXPECT_EQ(Free("HAZER", Days(5, 6)), 0);
  EXPECT_EQ(Free("SPK-12", Days(2, 3)), 0);
  ASSERT_EQ(reserved.reservation().parts_size(), 2);
  EXPECT_EQ(reserved.reservation().parts(1).phase_id(), "stop-3");

  v1::ListReservationsRequest list;
  list.set_order_id("TOUR-2");
  v1::ListReservationsResponse listed;
  ASSERT_TRUE(inventory_.Call(&Stub::ListReservations, list, &listed).ok());
  ASSERT_EQ(listed.reservations_size(), 2);
  for (const v1::Reservation& reservation : listed.reservations()) {
    EXPECT_EQ(reservation.state(), reservation.kind() == v1::RESERVATION_KIND_HOLD
                                       ? v1::RESERVATION_STATE_REPLACED
                                       : v1::RESERVATION_STATE_ACTIVE);
    EXPECT_GE(reservation.parts_size(), 1);
  }
}

TEST_F(ReservationPartsTest, ReleasingTheOrderFreesEveryPart) {
  ASSERT_TRUE(Reserve(ReserveRequest("TOUR-3", 1, {Line("SPK-12", 10)}, Days(0, 1),
                                     {Part("stop-2", {Line("SPK-12", 10)}, Days(2, 3)),
                                      Part("stop-3", {Line("SPK-12", 10)}, Days(4, 5))}))
                  .ok());
  EXPECT_EQ(Free("SPK-12", Days(4, 5)), 0);
  v1::ReleaseRequest release;
  release.set_order_id("TOUR-3");
  release.set_reason("tour cancelled");
  v1::ReleaseResponse released;
  ASSERT_TRUE(
      inventory_.Call(&Stub::Release, release, &released, inventory_.tokens().service).ok());
  ASSERT_EQ(released.released_size(), 1);
  EXPECT_EQ(released.released(0).parts_size(), 2);
  for (double day : {0, 2, 4}) EXPECT_EQ(Free("SPK-12", Days(day, day + 1)), 10) << day;
  EXPECT_EQ(QueryInt("SELECT count(*) FROM reservation_lines WHERE active"), 0);
}

TEST_F(ReservationPartsTest, ARetriedReserveWithPartsActsOnce) {
  v1::ReserveRequest request =
      ReserveRequest("TOUR-4", 1, {Line("SPK-12", 3)}, Days(0, 1),
                     {Part("stop-2", {Line("SPK-12", 3), Line("HAZER", 1)}, Days(2, 3))});
  request.set_request_id("confirm-tour-4-stock");
  v1::ReserveResponse first, again;
  ASSERT_TRUE(Reserve(request, &first).ok());
  ASSERT_TRUE(Reserve(request, &again).ok());
  EXPECT_EQ(again.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM reservations"), 1);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM reservation_lines"), 3);
  EXPECT_EQ(QueryInt("SELECT count(*) FROM outbox WHERE event_type = 'EVENT_TYPE_STOCK_RESERVED'"),
            1);

  // The same id with another part is another request.
  request.mutable_parts(0)->mutable_lines(0)->set_quantity(4);
  grpc::Status reused = Reserve(request);
  EXPECT_EQ(ParseGrpcError(reused).reason, "REQUEST_ID_REUSED");
}

TEST_F(ReservationPartsTest, BadPartsAreRefusedNamingTheFieldAndWriteNothing) {
  v1::ReserveRequest request = ReserveRequest(
      "TOUR-5", 1, {Line("SPK-12", 1)}, Days(0, 1),
      {Part("show", {Line("SPK-12", 1)}, Days(2, 3)), Part("show", {Line("SPK-12", 1)}, Days(4, 5)),
       Part("Show Day", {Line("SPK-12", 1)}, Days(6, 7))});
  grpc::Status status = Reserve(request);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(status), (std::vector<std::string>{"parts[1].phase_id", "parts[2].phase_id"}));

  request.mutable_parts()->DeleteSubrange(1, 2);
  *request.mutable_parts(0)->mutable_window() = Days(3, 2);  // inverted
  status = Reserve(request);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_EQ(FieldsOf(status).size(), 1u);
  EXPECT_EQ(FieldsOf(status)[0].rfind("parts[0].window", 0), 0u) << FieldsOf(status)[0];

  request.mutable_parts(0)->mutable_window()->clear_not_before();
  status = Reserve(request);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(status), (std::vector<std::string>{"parts[0].window.not_before"}));

  request.mutable_parts()->Clear();
  for (int i = 0; i < 21; ++i) {
    *request.add_parts() = Part("stop-" + std::to_string(i), {Line("SPK-12", 1)}, Days(i, i + 1));
  }
  status = Reserve(request);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldsOf(status), (std::vector<std::string>{"parts"}));

  request.mutable_parts()->Clear();
  *request.add_parts() = Part("show", {Line("NOT-AN-ITEM", 1)}, Days(2, 3));
  status = Reserve(request);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(FieldsOf(status), (std::vector<std::string>{"parts[0].lines[0].inventory_code"}));
  EXPECT_EQ(QueryInt("SELECT count(*) FROM reservations"), 0);
}

TEST_F(ReservationPartsTest, ThePullSheetSaysWhichPartNeedsWhatAndWhen) {
  ASSERT_TRUE(
      Reserve(ReserveRequest("SHOW-2", 1, {Line("SPK-12", 4)}, Days(0, 2),
                             {Part("rehearsal", {Line("SPK-12", 3)}, Days(1, 3)),
                              Part("show", {Line("SPK-12", 6), Line("HAZER", 2)}, Days(3, 4))}))
          .ok());
  v1::GetPullSheetRequest request;
  request.set_order_id("SHOW-2");
  v1::GetPullSheetResponse response;
  ASSERT_TRUE(inventory_.Call(&Stub::GetPullSheet, request, &response).ok());
  const v1::PullSheet& sheet = response.pull_sheet();
  ASSERT_EQ(sheet.groups_size(), 1);
  ASSERT_EQ(sheet.groups(0).lines_size(), 2);
  const v1::PullSheetLine& hazer = sheet.groups(0).lines(0);
  EXPECT_EQ(hazer.inventory_code(), "HAZER");
  ASSERT_EQ(hazer.needs_size(), 1);
  EXPECT_EQ(hazer.needs(0).phase_id(), "show");
  EXPECT_EQ(hazer.needs(0).window().not_before(), Day(3));
  const v1::PullSheetLine& speakers = sheet.groups(0).lines(1);
  ASSERT_EQ(speakers.needs_size(), 3);
  EXPECT_EQ(speakers.needs(0).phase_id(), "");
  EXPECT_EQ(speakers.needs(1).phase_id(), "rehearsal");
  EXPECT_EQ(speakers.needs(1).quantity(), 3);
  EXPECT_EQ(speakers.needs(2).phase_id(), "show");
  EXPECT_EQ(speakers.needs(2).window().no_later_than(), Day(4));
  // Pulled once for the order: 4 + 3 at the overlap is the most the parts need at one time.
  EXPECT_EQ(speakers.quantity_to_pull(), 7);
  EXPECT_EQ(sheet.progress().units_to_pull(), 9);

  v1::RecordPrepRequest prep;
  prep.set_order_id("SHOW-2");
  v1::PrepCount* count = prep.add_counts();
  count->set_inventory_code("SPK-12");
  count->set_pulled_quantity(7);
  count = prep.add_counts();
  count->set_inventory_code("HAZER");
  count->set_pulled_quantity(2);
  v1::RecordPrepResponse prepped;
  ASSERT_TRUE(inventory_.Call(&Stub::RecordPrep, prep, &prepped, inventory_.tokens().ops).ok());
  EXPECT_EQ(prepped.pull_sheet().progress().state(), v1::PREP_STATE_COMPLETE);
}

}  // namespace
}  // namespace salesops::testing
