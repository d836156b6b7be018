// The inventory API over real gRPC, on a real inventory process and PostgreSQL.
#include <absl/strings/escaping.h>
#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <thread>

#include "services/common/grpc_errors.h"
#include "tests/inventory/inventory_client.h"

namespace salesops::testing {
namespace {

using Stub = v1::InventoryService::Stub;
using common::ParseGrpcError;

class InventoryApiTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(inventory_.started()) << inventory_.log(); }

  v1::Item PutItem(const std::string& code, int owned, const std::string& category = "video") {
    v1::UpsertItemRequest request;
    request.mutable_item()->set_inventory_code(code);
    request.mutable_item()->set_description("Sales-facing " + code);
    request.mutable_item()->set_category(category);
    request.mutable_item()->set_quantity_owned(owned);
    request.mutable_item()->set_tracking(v1::TRACKING_MODE_SERIALIZED);
    v1::UpsertItemResponse response;
    EXPECT_TRUE(inventory_.Call(&Stub::UpsertItem, request, &response).ok());
    return response.item();
  }

  grpc::Status Reserve(const std::string& order, int64_t revision,
                       std::vector<v1::InventoryLine> lines, const v1::Window& window,
                       v1::ReserveResponse* response = nullptr) {
    v1::ReserveRequest request;
    request.set_order_id(order);
    request.set_order_revision(revision);
    for (auto& line : lines) *request.add_lines() = line;
    *request.mutable_window() = window;
    v1::ReserveResponse ignored;
    return inventory_.Call(&Stub::Reserve, request, response ? response : &ignored,
                           inventory_.tokens().service);
  }

  // Reserve as a saga step: with its request_id, so a compensation can name it.
  grpc::Status ReserveStep(const std::string& request_id, const std::string& order,
                           int64_t revision, const std::string& code, int quantity) {
    v1::ReserveRequest request;
    request.set_request_id(request_id);
    request.set_order_id(order);
    request.set_order_revision(revision);
    *request.add_lines() = Line(code, quantity);
    *request.mutable_window() = Days(0, 2);
    v1::ReserveResponse response;
    return inventory_.Call(&Stub::Reserve, request, &response, inventory_.tokens().service);
  }

  // The saga's compensation of the Reserve `undo_request_id`.
  v1::ReleaseResponse UndoStep(const std::string& undo_request_id, const std::string& order,
                               int64_t revision) {
    v1::ReleaseRequest request;
    request.set_order_id(order);
    request.set_order_revision(revision);
    request.set_reason("saga compensation");
    request.set_undo_request_id(undo_request_id);
    v1::ReleaseResponse response;
    grpc::Status status =
        inventory_.Call(&Stub::Release, request, &response, inventory_.tokens().service);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  v1::CodeAvailability Availability(const std::string& code, int requested,
                                    const v1::Window& window, bool ignore_holds = false) {
    v1::CheckAvailabilityRequest request;
    *request.add_lines() = Line(code, requested);
    *request.mutable_window() = window;
    request.set_ignore_holds(ignore_holds);
    v1::CheckAvailabilityResponse response;
    grpc::Status status =
        inventory_.Call(&Stub::CheckAvailability, request, &response, inventory_.tokens().sales);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.availability_size() > 0 ? response.availability(0) : v1::CodeAvailability();
  }

  int QueryInt(const std::string& sql) {
    pqxx::connection connection(inventory_.database().connection_string());
    pqxx::nontransaction statement(connection);
    return statement.exec1(sql)[0].as<int>();
  }

  InventoryFixture inventory_;
};

TEST_F(InventoryApiTest, ItemsRoundTripWithEtags) {
  v1::Item item = PutItem("LED-PANEL-500", 40);
  EXPECT_EQ(item.etag(), "1");
  v1::GetItemRequest get;
  get.set_inventory_code("LED-PANEL-500");
  v1::GetItemResponse got;
  ASSERT_TRUE(inventory_.Call(&Stub::GetItem, get, &got, inventory_.tokens().sales).ok());
  EXPECT_EQ(got.item().description(), "Sales-facing LED-PANEL-500");
  EXPECT_EQ(got.item().quantity_owned(), 40);

  v1::UpsertItemRequest stale;
  *stale.mutable_item() = item;
  stale.mutable_item()->set_quantity_owned(30);
  stale.set_etag("7");
  v1::UpsertItemResponse response;
  grpc::Status refused = inventory_.Call(&Stub::UpsertItem, stale, &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(ParseGrpcError(refused).reason, "STALE_REVISION");

  stale.set_etag("1");
  ASSERT_TRUE(inventory_.Call(&Stub::UpsertItem, stale, &response).ok());
  EXPECT_FALSE(response.created());
  EXPECT_EQ(response.item().etag(), "2");
  EXPECT_EQ(response.item().quantity_owned(), 30);

  get.set_inventory_code("NO-SUCH-ITEM");
  EXPECT_EQ(inventory_.Call(&Stub::GetItem, get, &got).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(InventoryApiTest, ListItemsPagesInCodeOrderWithFilters) {
  for (const char* code : {"E-ITEM", "A-ITEM", "D-ITEM", "C-ITEM", "B-ITEM"}) PutItem(code, 1);
  PutItem("Z-AUDIO", 1, "audio");
  std::vector<std::string> seen;
  v1::ListItemsRequest request;
  request.set_page_size(2);
  request.set_category("video");
  int pages = 0;
  do {
    v1::ListItemsResponse response;
    ASSERT_TRUE(inventory_.Call(&Stub::ListItems, request, &response).ok());
    for (const auto& item : response.items()) seen.push_back(item.inventory_code());
    request.set_page_token(response.next_page_token());
    ++pages;
  } while (!request.page_token().empty() && pages < 10);
  EXPECT_EQ(seen, (std::vector<std::string>{"A-ITEM", "B-ITEM", "C-ITEM", "D-ITEM", "E-ITEM"}));
  EXPECT_EQ(pages, 3);

  request.set_page_token("not-a-token");
  v1::ListItemsResponse response;
  grpc::Status bad = inventory_.Call(&Stub::ListItems, request, &response);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ParseGrpcError(bad).violations.at(0).field, "page_token");
}

TEST_F(InventoryApiTest, ProductsReferenceOnlyExistingItemsAndKeepThemFromDeletion) {
  PutItem("LED-PANEL-500", 40);
  v1::UpsertProductRequest request;
  v1::Product* product = request.mutable_product();
  product->set_product_code("LED-WALL-3X2");
  product->set_name("LED wall 3 x 2 m");
  product->mutable_day_rate()->set_currency_code("EUR");
  product->mutable_day_rate()->set_units(1200);
  *product->add_components() = Line("LED-PANEL-500", 24);
  *product->add_components() = Line("NOT-IN-STOCK", 2);
  v1::UpsertProductResponse response;
  grpc::Status refused = inventory_.Call(&Stub::UpsertProduct, request, &response);
  // A code that does not exist (yet): refused by the state, with the field named.
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  common::ErrorDetails details = ParseGrpcError(refused);
  EXPECT_EQ(details.reason, "UNKNOWN_INVENTORY_CODE");
  EXPECT_EQ(details.violations.at(0).field, "product.components[1].inventory_code");
  EXPECT_EQ(QueryInt("SELECT count(*) FROM products"), 0);  // nothing half-written

  product->mutable_components()->RemoveLast();
  ASSERT_TRUE(inventory_.Call(&Stub::UpsertProduct, request, &response).ok());
  EXPECT_TRUE(response.created());
  EXPECT_EQ(response.product().components(0).quantity(), 24);

  // Only ADMIN changes the catalog.
  EXPECT_EQ(inventory_.Call(&Stub::UpsertProduct, request, &response, inventory_.tokens().sales)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  v1::DeleteItemRequest delete_item;
  delete_item.set_inventory_code("LED-PANEL-500");
  v1::DeleteItemResponse deleted;
  grpc::Status in_use = inventory_.Call(&Stub::DeleteItem, delete_item, &deleted);
  EXPECT_EQ(in_use.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ParseGrpcError(in_use).reason, "ITEM_IN_USE");
  EXPECT_NE(in_use.error_message().find("LED-WALL-3X2"), std::string::npos);

  v1::ResolveProductsRequest resolve;
  resolve.add_lines()->set_product_code("LED-WALL-3X2");
  resolve.mutable_lines(0)->set_quantity(2);
  v1::ResolveProductsResponse resolved;
  ASSERT_TRUE(
      inventory_.Call(&Stub::ResolveProducts, resolve, &resolved, inventory_.tokens().sales).ok());
  EXPECT_EQ(resolved.inventory_lines(0).quantity(), 48);
}

TEST_F(InventoryApiTest, AvailabilityIsThePeakOverTheWholeWindow) {
  PutItem("SPK-12", 10);
  ASSERT_TRUE(Reserve("ORDER-A", 1, {Line("SPK-12", 6)}, Days(0, 1)).ok());
  ASSERT_TRUE(Reserve("ORDER-B", 1, {Line("SPK-12", 4)}, Days(2, 3)).ok());
  v1::CodeAvailability availability = Availability("SPK-12", 5, Days(0, 3));
  EXPECT_EQ(availability.peak_in_use(), 6);
  EXPECT_EQ(availability.free(), 4);
  EXPECT_EQ(availability.sub_rental_needed(), 1);
  EXPECT_EQ(Availability("SPK-12", 5, Days(1, 2)).free(), 10);
}

TEST_F(InventoryApiTest, HoldsCountUntilTheyExpireWithoutAnyJob) {
  PutItem("SPK-12", 10);
  v1::PlaceHoldRequest hold;
  hold.set_order_id("QUOTE-7");
  hold.set_order_revision(1);
  *hold.add_lines() = Line("SPK-12", 12);
  *hold.mutable_window() = Days(0, 2);
  *hold.mutable_expire_time() = google::protobuf::util::TimeUtil::GetCurrentTime() +
                                google::protobuf::util::TimeUtil::SecondsToDuration(5);
  hold.set_win_probability(0.4);
  v1::PlaceHoldResponse held;
  ASSERT_TRUE(inventory_.Call(&Stub::PlaceHold, hold, &held, inventory_.tokens().service).ok());
  // A quote may be short: the hold is placed and the shortage reported.
  ASSERT_EQ(held.shortages_size(), 1);
  EXPECT_EQ(held.shortages(0).shortfall(), 2);
  EXPECT_EQ(Availability("SPK-12", 1, Days(0, 2)).free(), 0);
  EXPECT_EQ(Availability("SPK-12", 1, Days(0, 2), /*ignore_holds=*/true).free(), 10);

  std::this_thread::sleep_for(std::chrono::milliseconds(5500));
  EXPECT_EQ(Availability("SPK-12", 1, Days(0, 2)).free(), 10);
}

TEST_F(InventoryApiTest, ReserveNeverOverbooksAndSaysWhatIsShort) {
  PutItem("SPK-12", 5);
  PutItem("AMP-2CH", 10);
  ASSERT_TRUE(Reserve("ORDER-A", 1, {Line("SPK-12", 4)}, Days(0, 2)).ok());
  grpc::Status refused = Reserve("ORDER-B", 1, {Line("AMP-2CH", 2), Line("SPK-12", 3)}, Days(1, 3));
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  common::ErrorDetails details = ParseGrpcError(refused);
  EXPECT_EQ(details.reason, "INSUFFICIENT_STOCK");
  EXPECT_EQ(details.metadata.at("SPK-12"), "2");
  EXPECT_NE(refused.error_message().find("2 x SPK-12 short (want 3, 1 free)"), std::string::npos);
  // Nothing of ORDER-B was written, not even its AMP-2CH line.
  EXPECT_EQ(QueryInt("SELECT count(*) FROM reservations WHERE order_id = 'ORDER-B'"), 0);
  EXPECT_EQ(Availability("AMP-2CH", 1, Days(1, 3)).free(), 10);
}

TEST_F(InventoryApiTest, ReserveIsIdempotentAndANewRevisionReplacesTheOldAtomically) {
  PutItem("SPK-12", 10);
  v1::ReserveResponse first, again, second;
  ASSERT_TRUE(Reserve("ORDER-A", 1, {Line("SPK-12", 4)}, Days(0, 2), &first).ok());
  ASSERT_TRUE(Reserve("ORDER-A", 1, {Line("SPK-12", 4)}, Days(0, 2), &again).ok());
  EXPECT_EQ(again.reservation().reservation_id(), first.reservation().reservation_id());
  EXPECT_EQ(QueryInt("SELECT count(*) FROM reservations"), 1);

  // Revision 2 wants 8: it must not compete with revision 1's 4 (10 owned).
  ASSERT_TRUE(Reserve("ORDER-A", 2, {Line("SPK-12", 8)}, Days(0, 2), &second).ok());
  EXPECT_EQ(second.replaced_reservation_id(), first.reservation().reservation_id());
  EXPECT_EQ(Availability("SPK-12", 1, Days(0, 2)).free(), 2);

  grpc::Status stale = Reserve("ORDER-A", 1, {Line("SPK-12", 4)}, Days(0, 2));
  EXPECT_EQ(stale.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(ParseGrpcError(stale).reason, "STALE_REVISION");
  EXPECT_EQ(QueryInt("SELECT count(*) FROM outbox WHERE event_type = 'EVENT_TYPE_STOCK_RESERVED'"),
            2);
}

TEST_F(InventoryApiTest, ReleaseFreesStockAndIsHarmlessTwice) {
  PutItem("SPK-12", 10);
  ASSERT_TRUE(Reserve("ORDER-A", 1, {Line("SPK-12", 10)}, Days(0, 2)).ok());
  v1::ReleaseRequest release;
  release.set_order_id("ORDER-A");
  release.set_reason("client cancelled");
  v1::ReleaseResponse released;
  ASSERT_TRUE(
      inventory_.Call(&Stub::Release, release, &released, inventory_.tokens().service).ok());
  ASSERT_EQ(released.released_size(), 1);
  EXPECT_EQ(released.released(0).state(), v1::RESERVATION_STATE_RELEASED);
  EXPECT_EQ(Availability("SPK-12", 10, Days(0, 2)).free(), 10);
  ASSERT_TRUE(
      inventory_.Call(&Stub::Release, release, &released, inventory_.tokens().service).ok());
  EXPECT_EQ(released.released_size(), 0);
}

TEST_F(InventoryApiTest, BadInputNamesEachFieldAndWritesNothing) {
  PutItem("SPK-12", 10);
  v1::ReserveRequest request;
  request.set_order_id("ORDER-A");
  request.set_order_revision(1);
  *request.add_lines() = Line("spk 12", 1);
  *request.add_lines() = Line("SPK-12", 0);
  *request.mutable_window() = Days(3, 1);
  v1::ReserveResponse response;
  grpc::Status status =
      inventory_.Call(&Stub::Reserve, request, &response, inventory_.tokens().service);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::vector<std::string> fields;
  for (const auto& violation : ParseGrpcError(status).violations) fields.push_back(violation.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"lines[0].inventory_code", "lines[1].quantity",
                                              "window.not_before"}));

  *request.mutable_lines(0) = Line("NOT-AN-ITEM", 1);
  request.mutable_lines(1)->set_quantity(1);
  *request.mutable_window() = Days(1, 3);
  status = inventory_.Call(&Stub::Reserve, request, &response, inventory_.tokens().service);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ParseGrpcError(status).reason, "UNKNOWN_INVENTORY_CODE");
  EXPECT_EQ(ParseGrpcError(status).violations.at(0).field, "lines[0].inventory_code");
  EXPECT_EQ(QueryInt("SELECT count(*) FROM reservations"), 0);
}

TEST_F(InventoryApiTest, CalendarShowsFreeUnitsPerBucket) {
  PutItem("SPK-12", 10);
  ASSERT_TRUE(Reserve("ORDER-A", 1, {Line("SPK-12", 7)}, Days(1, 2)).ok());
  v1::GetAvailabilityCalendarRequest request;
  request.set_inventory_code("SPK-12");
  *request.mutable_range() = Days(0, 3);
  request.mutable_bucket_size()->set_seconds(86400);
  v1::GetAvailabilityCalendarResponse response;
  ASSERT_TRUE(inventory_.Call(&Stub::GetAvailabilityCalendar, request, &response).ok());
  ASSERT_EQ(response.buckets_size(), 3);
  EXPECT_EQ(response.buckets(0).free(), 10);
  EXPECT_EQ(response.buckets(1).free(), 3);
  EXPECT_EQ(response.buckets(1).reserved(), 7);
  EXPECT_EQ(response.buckets(2).free(), 10);

  request.mutable_bucket_size()->set_seconds(60);  // 4320 buckets: too many
  EXPECT_EQ(inventory_.Call(&Stub::GetAvailabilityCalendar, request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(InventoryApiTest, ShortAnswerOffersTheEarliestWindowThatFits) {
  PutItem("SPK-12", 10);
  ASSERT_TRUE(Reserve("ORDER-A", 1, {Line("SPK-12", 8)}, Days(0, 5)).ok());
  v1::CheckAvailabilityRequest request;
  *request.add_lines() = Line("SPK-12", 6);
  *request.mutable_window() = Days(1, 3);
  v1::CheckAvailabilityResponse response;
  ASSERT_TRUE(inventory_.Call(&Stub::CheckAvailability, request, &response).ok());
  EXPECT_FALSE(response.all_available());
  ASSERT_EQ(response.shortages_size(), 1);
  EXPECT_EQ(response.shortages(0).shortfall(), 4);
  EXPECT_EQ(response.earliest_feasible_window().not_before().seconds(), Day(5).seconds());
  EXPECT_EQ(response.earliest_feasible_window().no_later_than().seconds(), Day(7).seconds());
}

TEST_F(InventoryApiTest, InventoryInputRulesNameTheirFields) {
  PutItem("SPK-12", 5);
  v1::PlaceHoldRequest hold;
  hold.set_order_id("QUOTE-1");
  hold.set_order_revision(1);
  *hold.add_lines() = Line("SPK-12", 1);
  *hold.mutable_window() = Days(0, 1);
  // In the past (2001), though within the years every time must keep to.
  *hold.mutable_expire_time() = google::protobuf::util::TimeUtil::SecondsToTimestamp(1000000000);
  hold.set_win_probability(1.5);
  v1::PlaceHoldResponse held;
  grpc::Status status = inventory_.Call(&Stub::PlaceHold, hold, &held, inventory_.tokens().service);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ParseGrpcError(status).violations.at(0).field, "win_probability");
  hold.set_win_probability(0.5);
  status = inventory_.Call(&Stub::PlaceHold, hold, &held, inventory_.tokens().service);
  EXPECT_EQ(ParseGrpcError(status).violations.at(0).field, "expire_time");

  // Stock is checked over a whole window: it needs a start.
  v1::CheckAvailabilityRequest check;
  *check.add_lines() = Line("SPK-12", 1);
  check.mutable_window()->mutable_no_later_than()->set_seconds(Day(1).seconds());
  v1::CheckAvailabilityResponse availability;
  status = inventory_.Call(&Stub::CheckAvailability, check, &availability);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ParseGrpcError(status).violations.at(0).field, "window.not_before");
  EXPECT_EQ(QueryInt("SELECT count(*) FROM reservations"), 0);
}

TEST_F(InventoryApiTest, AReleaseThatOvertakesItsReserveFencesIt) {
  PutItem("SPK-12", 5);
  // The saga gave up on a slow Reserve and compensated before the Reserve arrived.
  EXPECT_EQ(UndoStep("saga-1.reserve", "ORDER-A", 1).released_size(), 0);
  grpc::Status late = ReserveStep("saga-1.reserve", "ORDER-A", 1, "SPK-12", 4);
  EXPECT_EQ(late.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(ParseGrpcError(late).reason, "STEP_UNDONE");
  EXPECT_EQ(QueryInt("SELECT count(*) FROM reservations"), 0);
  EXPECT_EQ(Availability("SPK-12", 5, Days(0, 2)).free(), 5);

  // Compensating twice is fine, and the order can still be reserved by a new attempt.
  UndoStep("saga-1.reserve", "ORDER-A", 1);
  EXPECT_TRUE(ReserveStep("saga-2.reserve", "ORDER-A", 1, "SPK-12", 4).ok());
  EXPECT_EQ(Availability("SPK-12", 1, Days(0, 2)).free(), 1);
}

TEST_F(InventoryApiTest, AReleaseAfterItsReserveReleasesItAndRefusesARetry) {
  PutItem("SPK-12", 5);
  ASSERT_TRUE(ReserveStep("saga-1.reserve", "ORDER-A", 1, "SPK-12", 4).ok());
  v1::ReleaseResponse undone = UndoStep("saga-1.reserve", "ORDER-A", 1);
  ASSERT_EQ(undone.released_size(), 1);
  EXPECT_EQ(undone.released(0).state(), v1::RESERVATION_STATE_RELEASED);
  EXPECT_EQ(Availability("SPK-12", 5, Days(0, 2)).free(), 5);
  // A retry of the undone step (its first answer lost) must not reserve again.
  EXPECT_EQ(ParseGrpcError(ReserveStep("saga-1.reserve", "ORDER-A", 1, "SPK-12", 4)).reason,
            "STEP_UNDONE");
  EXPECT_EQ(Availability("SPK-12", 5, Days(0, 2)).free(), 5);
  EXPECT_TRUE(ReserveStep("saga-2.reserve", "ORDER-A", 2, "SPK-12", 2).ok());
  EXPECT_EQ(Availability("SPK-12", 3, Days(0, 2)).free(), 3);
}

TEST_F(InventoryApiTest, ListReservationsPagesByOrderWithFilters) {
  PutItem("SPK-12", 20);
  ASSERT_TRUE(Reserve("ORDER-B", 1, {Line("SPK-12", 1)}, Days(0, 2)).ok());
  ASSERT_TRUE(Reserve("ORDER-B", 2, {Line("SPK-12", 2)}, Days(0, 2)).ok());  // replaces rev 1
  ASSERT_TRUE(Reserve("ORDER-D", 1, {Line("SPK-12", 1)}, Days(0, 2)).ok());
  UndoStep("", "ORDER-D", 0);
  for (const char* quote : {"QUOTE-A", "QUOTE-C"}) {
    v1::PlaceHoldRequest hold;
    hold.set_order_id(quote);
    hold.set_order_revision(1);
    *hold.add_lines() = Line("SPK-12", 1);
    *hold.mutable_window() = Days(0, 2);
    *hold.mutable_expire_time() = google::protobuf::util::TimeUtil::GetCurrentTime() +
                                  google::protobuf::util::TimeUtil::SecondsToDuration(3600);
    v1::PlaceHoldResponse held;
    ASSERT_TRUE(inventory_.Call(&Stub::PlaceHold, hold, &held, inventory_.tokens().service).ok());
  }
  // QUOTE-C's hold ran out: still active in its row, but no longer counting.
  QueryInt(
      "WITH expired AS (UPDATE reservations SET expire_time = now() - interval '1 minute' "
      "WHERE order_id = 'QUOTE-C' RETURNING 1) SELECT count(*) FROM expired");

  auto list = [&](v1::ListReservationsRequest request) {
    std::vector<std::string> seen;
    int pages = 0;
    do {
      v1::ListReservationsResponse response;
      grpc::Status status =
          inventory_.Call(&Stub::ListReservations, request, &response, inventory_.tokens().sales);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      for (const v1::Reservation& reservation : response.reservations()) {
        seen.push_back(reservation.order_id() + "/" + std::to_string(reservation.order_revision()) +
                       "/" + v1::ReservationState_Name(reservation.state()));
      }
      request.set_page_token(response.next_page_token());
    } while (!request.page_token().empty() && ++pages < 10);
    return seen;
  };
  v1::ListReservationsRequest request;
  request.set_page_size(2);
  EXPECT_EQ(list(request), (std::vector<std::string>{
                               "ORDER-B/1/RESERVATION_STATE_REPLACED",
                               "ORDER-B/2/RESERVATION_STATE_ACTIVE",
                               "ORDER-D/1/RESERVATION_STATE_RELEASED",
                               "QUOTE-A/1/RESERVATION_STATE_ACTIVE",
                               "QUOTE-C/1/RESERVATION_STATE_EXPIRED",
                           }));
  request.set_active_only(true);
  EXPECT_EQ(list(request), (std::vector<std::string>{"ORDER-B/2/RESERVATION_STATE_ACTIVE",
                                                     "QUOTE-A/1/RESERVATION_STATE_ACTIVE"}));
  request.set_active_only(false);
  request.set_kind(v1::RESERVATION_KIND_HOLD);
  EXPECT_EQ(list(request), (std::vector<std::string>{"QUOTE-A/1/RESERVATION_STATE_ACTIVE",
                                                     "QUOTE-C/1/RESERVATION_STATE_EXPIRED"}));
  request.set_kind(v1::RESERVATION_KIND_UNSPECIFIED);
  request.set_order_id("ORDER-B");
  EXPECT_EQ(list(request), (std::vector<std::string>{"ORDER-B/1/RESERVATION_STATE_REPLACED",
                                                     "ORDER-B/2/RESERVATION_STATE_ACTIVE"}));

  // Lines come with each reservation.
  v1::ListReservationsResponse response;
  ASSERT_TRUE(inventory_.Call(&Stub::ListReservations, request, &response).ok());
  ASSERT_EQ(response.reservations_size(), 2);
  ASSERT_EQ(response.reservations(1).lines_size(), 1);
  EXPECT_EQ(response.reservations(1).lines(0).quantity(), 2);

  // A token made up by the caller, even one tagged with this listing, names the field.
  for (const std::string& token :
       {std::string("not-a-token"), absl::WebSafeBase64Escape("reservations\nno position"),
        absl::WebSafeBase64Escape("reservations\n12 not-a-uuid ORDER-B")}) {
    request.set_page_token(token);
    grpc::Status bad = inventory_.Call(&Stub::ListReservations, request, &response);
    EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << token;
    EXPECT_EQ(ParseGrpcError(bad).violations.at(0).field, "page_token") << token;
  }
}

TEST_F(InventoryApiTest, MetricsCountReservationsHoldsAndChecks) {
  PutItem("SPK-12", 5);
  ASSERT_TRUE(Reserve("ORDER-A", 1, {Line("SPK-12", 4)}, Days(0, 2)).ok());
  ASSERT_FALSE(Reserve("ORDER-B", 1, {Line("SPK-12", 4)}, Days(0, 2)).ok());
  v1::PlaceHoldRequest hold;
  hold.set_order_id("QUOTE-C");
  hold.set_order_revision(1);
  *hold.add_lines() = Line("SPK-12", 1);
  *hold.mutable_window() = Days(5, 6);
  *hold.mutable_expire_time() = google::protobuf::util::TimeUtil::GetCurrentTime() +
                                google::protobuf::util::TimeUtil::SecondsToDuration(3600);
  v1::PlaceHoldResponse held;
  ASSERT_TRUE(inventory_.Call(&Stub::PlaceHold, hold, &held, inventory_.tokens().service).ok());
  Availability("SPK-12", 1, Days(0, 2));

  std::string metrics = FetchMetrics(inventory_.metrics_port());
  EXPECT_NE(metrics.find("salesops_inventory_reservations_total{kind=\"firm\",outcome=\"placed\","
                         "reason=\"\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("salesops_inventory_reservations_total{kind=\"firm\",outcome=\"refused\","
                         "reason=\"INSUFFICIENT_STOCK\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("salesops_inventory_holds_active 1"), std::string::npos);
  EXPECT_NE(metrics.find("salesops_inventory_shortages_detected_total{source=\"reserve\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("salesops_inventory_availability_check_seconds_count 1"),
            std::string::npos);
}

}  // namespace
}  // namespace salesops::testing
