// Pure order rules: the lifecycle and the quote arithmetic.
#include "services/order_intake/order_rules.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <set>
#include <tuple>

#include "services/common/grpc_errors.h"
#include "services/common/money.h"
#include "services/order_intake/change_impact.h"
#include "services/order_intake/clarifications.h"
#include "services/order_intake/directory_rules.h"
#include "services/order_intake/lifecycle.h"
#include "services/order_intake/notes.h"
#include "services/order_intake/phases.h"
#include "services/order_intake/pricing.h"

namespace salesops::order_intake {
namespace {

using google::protobuf::util::TimeUtil;

// When the quotes below are made (the service passes its Clock's now).
const google::protobuf::Timestamp kQuoteTime = TimeUtil::SecondsToTimestamp(1'800'000'000);

TEST(LifecycleTest, OneLineForwardWithLostAndCancelledBesideIt) {
  EXPECT_TRUE(CanMove(v1::ORDER_STAGE_INQUIRY, v1::ORDER_STAGE_QUOTED));
  EXPECT_TRUE(CanMove(v1::ORDER_STAGE_QUOTED, v1::ORDER_STAGE_INQUIRY));
  EXPECT_TRUE(CanMove(v1::ORDER_STAGE_QUOTED, v1::ORDER_STAGE_CONFIRMED));
  EXPECT_TRUE(CanMove(v1::ORDER_STAGE_CONFIRMED, v1::ORDER_STAGE_IN_PREP));
  // A missed milestone does not hold the order back.
  EXPECT_TRUE(CanMove(v1::ORDER_STAGE_CONFIRMED, v1::ORDER_STAGE_DISPATCHED));
  EXPECT_TRUE(CanMove(v1::ORDER_STAGE_RETURNED, v1::ORDER_STAGE_CLOSED));
  EXPECT_TRUE(CanMove(v1::ORDER_STAGE_QUOTED, v1::ORDER_STAGE_LOST));
  EXPECT_TRUE(CanMove(v1::ORDER_STAGE_ON_SITE, v1::ORDER_STAGE_CANCELLED));

  EXPECT_FALSE(CanMove(v1::ORDER_STAGE_QUOTED, v1::ORDER_STAGE_IN_PREP)) << "prep before confirm";
  EXPECT_FALSE(CanMove(v1::ORDER_STAGE_READY, v1::ORDER_STAGE_IN_PREP)) << "backwards";
  EXPECT_FALSE(CanMove(v1::ORDER_STAGE_ON_SITE, v1::ORDER_STAGE_CLOSED)) << "close before return";
  EXPECT_FALSE(CanMove(v1::ORDER_STAGE_CONFIRMED, v1::ORDER_STAGE_LOST));
  EXPECT_FALSE(CanMove(v1::ORDER_STAGE_RETURNED, v1::ORDER_STAGE_CANCELLED));
  EXPECT_FALSE(CanMove(v1::ORDER_STAGE_CANCELLED, v1::ORDER_STAGE_QUOTED));
  EXPECT_FALSE(CanMove(v1::ORDER_STAGE_CLOSED, v1::ORDER_STAGE_CANCELLED));
  EXPECT_FALSE(CanMove(v1::ORDER_STAGE_CONFIRMED, v1::ORDER_STAGE_CONFIRMED));
}

TEST(LifecycleTest, MilestoneEventsNameTheirStage) {
  v1::Event event;
  event.set_type(v1::EVENT_TYPE_PREP_STARTED);
  EXPECT_EQ(StageOfMilestone(event), v1::ORDER_STAGE_IN_PREP);
  event.set_type(v1::EVENT_TYPE_ON_SITE);
  EXPECT_EQ(StageOfMilestone(event), v1::ORDER_STAGE_ON_SITE);
  event.set_type(v1::EVENT_TYPE_STOCK_RESERVED);
  EXPECT_EQ(StageOfMilestone(event), std::nullopt);
}

v1::Order OrderOver(int64_t delivery, int64_t strike, bool pinned = false) {
  v1::Order order;
  *order.mutable_delivery_window()->mutable_window()->mutable_no_later_than() =
      TimeUtil::SecondsToTimestamp(delivery);
  *order.mutable_event_schedule()->mutable_strike_time() = TimeUtil::SecondsToTimestamp(strike);
  order.mutable_delivery_window()->set_pinned(pinned);
  return order;
}

int64_t BillableDays(const v1::Order& order) {
  return BillableDaysOf(order.delivery_window(), order.event_schedule());
}

// Priced with no configuration: catalog day rates, untaxed.
absl::StatusOr<v1::Quote> PriceQuote(const v1::Order& order,
                                     const v1::ResolveProductsResponse& resolved,
                                     const PricingOptions& options, const std::string& field,
                                     const google::protobuf::Timestamp& now) {
  absl::StatusOr<PricedQuote> priced =
      order_intake::PriceQuote(order, resolved, PricingConfig{}, options, field, now);
  if (!priced.ok()) return priced.status();
  return priced->quote;
}

int64_t QuoteMicros(const google::type::Money& money) {
  return *common::MoneyToMicros(money, "a quote amount");
}

TEST(PricingTest, DayRatesOverWholeDaysPlusCrewTimePlusTheCostOfSpecificity) {
  const int64_t day = 86400;
  EXPECT_EQ(BillableDays(OrderOver(0, 3600)), 1);
  EXPECT_EQ(BillableDays(OrderOver(0, day)), 1);
  EXPECT_EQ(BillableDays(OrderOver(0, day + 1)), 2);
  EXPECT_EQ(BillableDays(OrderOver(0, 3 * day - 60)), 3);

  v1::ResolveProductsResponse resolved;
  v1::ResolvedProductLine* wall = resolved.add_resolved_lines();
  wall->mutable_line()->set_product_code("LED-WALL-3X2");
  wall->mutable_line()->set_quantity(2);
  wall->set_product_name("LED wall 3 x 2 m");
  wall->mutable_day_rate()->set_currency_code("EUR");
  wall->mutable_day_rate()->set_units(499);
  wall->mutable_day_rate()->set_nanos(500'000'000);
  v1::CrewNeed* video = resolved.add_crew_needs();
  video->set_skill(v1::SKILL_VIDEO);
  video->mutable_duration()->set_seconds(90 * 60);
  video->set_headcount(2);
  PricingOptions options;
  options.crew_hourly_micros = 40'000'000;
  options.pinned_surcharge_micros = 150'000'000;

  absl::StatusOr<v1::Quote> priced = PriceQuote(OrderOver(0, 2 * day + 7200, /*pinned=*/true),
                                                resolved, options, "order", kQuoteTime);
  ASSERT_TRUE(priced.ok()) << priced.status();
  const v1::Quote& quote = *priced;
  EXPECT_EQ(quote.quote_time(), kQuoteTime);
  // 2 x 499.50 x 3 days.
  EXPECT_EQ(QuoteMicros(quote.lines(0).line_total()), 2'997'000'000);
  EXPECT_EQ(quote.billable_duration().seconds(), 3 * day);
  // 2 people x 1.5 h x 40.
  ASSERT_EQ(quote.crew_lines_size(), 1);
  EXPECT_EQ(quote.crew_lines(0).person_time().seconds(), 3 * 3600);
  EXPECT_EQ(QuoteMicros(quote.crew_cost()), 120'000'000);
  EXPECT_EQ(QuoteMicros(quote.pinned_surcharge()), 150'000'000);
  EXPECT_EQ(QuoteMicros(quote.total()), 3'267'000'000);
  EXPECT_EQ(quote.total().currency_code(), "EUR");
  EXPECT_EQ(quote.total().units(), 3267);
  EXPECT_EQ(quote.total().nanos(), 0);

  // Not pinned: no surcharge.
  const v1::Quote plain = *PriceQuote(OrderOver(0, day), resolved, options, "order", kQuoteTime);
  EXPECT_EQ(QuoteMicros(plain.pinned_surcharge()), 0);
  EXPECT_EQ(QuoteMicros(plain.total()), 999'000'000 + 120'000'000);
}

v1::ResolvedProductLine* AddPricedLine(v1::ResolveProductsResponse& resolved,
                                       const std::string& code, int quantity, int64_t units) {
  v1::ResolvedProductLine* line = resolved.add_resolved_lines();
  line->mutable_line()->set_product_code(code);
  line->mutable_line()->set_quantity(quantity);
  line->mutable_day_rate()->set_currency_code("EUR");
  line->mutable_day_rate()->set_units(units);
  return line;
}

// The refusal names the amount that did not fit; OUT_OF_RANGE, never a wrapped price.
void ExpectPriceOutOfRange(const absl::StatusOr<v1::Quote>& priced, const std::string& what) {
  ASSERT_FALSE(priced.ok()) << priced->total().units();
  EXPECT_EQ(priced.status().code(), absl::StatusCode::kOutOfRange) << priced.status();
  EXPECT_NE(priced.status().message().find(what), std::string_view::npos) << priced.status();
}

TEST(PricingTest, AnAmountBeyondInt64MicrosIsRefusedNamingItNeverWrapped) {
  const int64_t day = 86400;
  PricingOptions options;
  {
    // A day rate that fits a Money but not micros.
    v1::ResolveProductsResponse resolved;
    AddPricedLine(resolved, "LED-WALL-3X2", 1, 1);
    AddPricedLine(resolved, "GOLD-STAGE", 1, 9'000'000'000'000'000'000);
    ExpectPriceOutOfRange(PriceQuote(OrderOver(0, day), resolved, options, "order", kQuoteTime),
                          "order.product_lines[1] (GOLD-STAGE): the day rate");
  }
  {
    // Each factor fits; rate × quantity × days does not (it wrapped to a negative total).
    v1::ResolveProductsResponse resolved;
    AddPricedLine(resolved, "GOLD-STAGE", 10'000, 9'000'000'000);
    ExpectPriceOutOfRange(
        PriceQuote(OrderOver(0, 3 * day), resolved, options, "draft", kQuoteTime),
        "draft.product_lines[0] (GOLD-STAGE): 10000 x 27,000,000,000.00 EUR is out of range");
  }
  {
    // Every line fits; their sum does not.
    v1::ResolveProductsResponse resolved;
    AddPricedLine(resolved, "GOLD-STAGE", 1, 5'000'000'000'000);
    AddPricedLine(resolved, "GOLD-TRUSS", 1, 5'000'000'000'000);
    ExpectPriceOutOfRange(PriceQuote(OrderOver(0, day), resolved, options, "order", kQuoteTime),
                          "order: the quote's total is out of range");
  }
  {
    // Equipment and crew fit apart; the total does not.
    v1::ResolveProductsResponse resolved;
    AddPricedLine(resolved, "GOLD-STAGE", 1, 9'223'372'036'000);
    v1::CrewNeed* crew = resolved.add_crew_needs();
    crew->set_skill(v1::SKILL_RIGGING);
    crew->mutable_duration()->set_seconds(100'000'000);
    crew->set_headcount(1);
    ExpectPriceOutOfRange(PriceQuote(OrderOver(0, day), resolved, options, "order", kQuoteTime),
                          "order: the quote's total is out of range");
  }
  {
    // The crew cost: person-seconds × hourly rate, past what fits.
    v1::ResolveProductsResponse resolved;
    v1::CrewNeed* crew = resolved.add_crew_needs();
    crew->set_skill(v1::SKILL_RIGGING);
    crew->mutable_duration()->set_seconds(3'000'000'000);
    crew->set_headcount(100);
    options.crew_hourly_micros = 1'000'000'000'000;
    ExpectPriceOutOfRange(PriceQuote(OrderOver(0, day), resolved, options, "order", kQuoteTime),
                          "order: CREW-RIGGING: the unit price (catalog) is out of range");
    // More person-time than a Duration holds is refused too, not a crash.
    crew->mutable_duration()->set_seconds(300'000'000'000);
    ExpectPriceOutOfRange(PriceQuote(OrderOver(0, day), resolved, options, "order", kQuoteTime),
                          "the crew time of RIGGING for order");
  }
  {
    // The largest price that fits, in whole cents (a unit price is rounded to the cent).
    v1::ResolveProductsResponse resolved;
    v1::ResolvedProductLine* line = AddPricedLine(resolved, "GOLD-STAGE", 1, 9'223'372'036'854);
    line->mutable_day_rate()->set_nanos(770'000'000);
    absl::StatusOr<v1::Quote> priced =
        PriceQuote(OrderOver(0, day), resolved, PricingOptions{}, "order", kQuoteTime);
    ASSERT_TRUE(priced.ok()) << priced.status();
    EXPECT_EQ(priced->total().units(), 9'223'372'036'854);
    EXPECT_EQ(priced->total().nanos(), 770'000'000);
  }
}

TEST(PricingTest, TheRentalWindowCoversLoadOutToReturn) {
  v1::Order order = OrderOver(100'000, 200'000);
  order.mutable_venue()->mutable_travel_time()->set_seconds(1800);
  v1::Window window = RentalWindow(order);
  EXPECT_EQ(window.not_before().seconds(), 100'000 - 1800 - 7200);
  EXPECT_EQ(window.no_later_than().seconds(), 200'000 + 1800 + 7200);
}

TEST(DiscountApprovalTest, AnApprovalStandsWhileTheDiscountsStayAndReasonsFitTheirField) {
  v1::Order before = OrderOver(0, 86400);
  v1::LineDiscount* line = before.add_line_discounts();
  line->set_product_code("WALL");
  line->mutable_discount()->set_kind(v1::DISCOUNT_KIND_PERCENT);
  line->mutable_discount()->set_percent_bp(3500);
  line->mutable_discount()->set_reason(std::string(500, 'x'));
  const std::vector<std::string> reasons = {"line 1 (WALL): discount 35 % ('" +
                                            std::string(500, 'x') + "') is above the threshold"};
  // Within the threshold: nothing to approve.
  EXPECT_EQ(DiscountApprovalAfter(nullptr, before, {}).state(),
            v1::DISCOUNT_APPROVAL_STATE_UNSPECIFIED);
  v1::DiscountApproval pending = DiscountApprovalAfter(nullptr, before, reasons);
  EXPECT_EQ(pending.state(), v1::DISCOUNT_APPROVAL_STATE_PENDING);
  ASSERT_EQ(pending.reasons_size(), 1);
  EXPECT_LE(pending.reasons(0).size(), 500u);

  *before.mutable_discount_approval() = pending;
  before.mutable_discount_approval()->set_state(v1::DISCOUNT_APPROVAL_STATE_APPROVED);
  v1::Order after = before;
  after.mutable_pipeline()->set_win_probability(0.9);
  EXPECT_EQ(DiscountApprovalAfter(&before, after, reasons).state(),
            v1::DISCOUNT_APPROVAL_STATE_APPROVED);
  after.mutable_line_discounts(0)->mutable_discount()->set_percent_bp(4000);
  EXPECT_EQ(DiscountApprovalAfter(&before, after, reasons).state(),
            v1::DISCOUNT_APPROVAL_STATE_PENDING);
}

TEST(ZoneNameTest, OnlyAZonesNameIsLoadedNeverAPath) {
  absl::TimeZone zone;
  for (const std::string name : {"Europe/Berlin", "UTC", "America/Port-au-Prince", "Etc/GMT+1",
                                 "America/Argentina/Buenos_Aires"}) {
    EXPECT_TRUE(LoadZoneByName(name, &zone)) << name;
  }
  EXPECT_EQ(zone.name(), "America/Argentina/Buenos_Aires");
  // Abseil would open these as files, and load the first two: a name is never a path, and a
  // FIFO or a device at one could stall the call.
  EXPECT_FALSE(LoadZoneByName("/usr/share/zoneinfo/UTC", &zone));
  EXPECT_FALSE(LoadZoneByName("Europe/../Europe/Berlin", &zone));
  for (const std::string name : std::vector<std::string>{
           "/dev/stdin", "../../../../proc/self/fd/0", "Europe/../../../etc/passwd",
           "file:/etc/passwd", "Europe//Berlin", "Europe/Berlin/", "./UTC", "",
           std::string(65, 'A'), "Mars/Olympus_Mons"}) {
    EXPECT_FALSE(LoadZoneByName(name, &zone)) << name;
  }
}

TEST(DirectoryOnOrdersTest, TheNamedContactTheBillingOneOrTheOneAMergeFoldedItInto) {
  v1::Organisation organisation;
  for (const auto& [id, email, billing] : std::vector<std::tuple<std::string, std::string, bool>>{
           {"contact-1", "ada@example.com", false}, {"contact-2", "ap@example.com", true}}) {
    v1::Contact* contact = organisation.add_contacts();
    contact->set_contact_id(id);
    contact->set_email(email);
    contact->set_billing(billing);
  }
  EXPECT_EQ(ContactFor(organisation, "contact-1", "")->contact_id(), "contact-1");
  EXPECT_EQ(ContactFor(organisation, "", "")->contact_id(), "contact-2");
  EXPECT_EQ(ContactFor(organisation, "contact-9", "ADA@example.com")->contact_id(), "contact-1");
  EXPECT_EQ(ContactFor(organisation, "contact-9", ""), nullptr);

  v1::DirectoryVenue hall;
  hall.set_name("Hall 7");
  hall.set_loading_notes(std::string(3000, 'n'));
  for (int64_t seconds : {10800, 2400, 5400}) {
    hall.add_travel_times()->mutable_travel_time()->set_seconds(seconds);
  }
  const v1::Venue venue = OrderVenueFrom(hall);
  EXPECT_EQ(venue.name(), "Hall 7");
  EXPECT_EQ(venue.travel_time().seconds(), 2400);
  EXPECT_LE(venue.loading_dock_notes().size(), 2000u);
}

TEST(PhasesTest, EachPhaseTakesItsShareOfTheResolvedLines) {
  v1::Order order = OrderOver(0, 86400);
  order.add_product_lines()->set_product_code("WALL");
  v1::OrderPhase* berlin = order.add_phases();
  berlin->set_phase_id("berlin");
  berlin->add_product_lines()->set_product_code("WALL");
  berlin->add_product_lines()->set_product_code("PA");
  ASSERT_EQ(AllProductLines(order).size(), 3);
  v1::ResolveProductsResponse resolved;
  for (const auto& [code, panels, seconds] : std::vector<std::tuple<std::string, int, int64_t>>{
           {"WALL", 24, 7200}, {"WALL", 24, 7200}, {"PA", 0, 3600}}) {
    v1::ResolvedProductLine* line = resolved.add_resolved_lines();
    line->mutable_line()->set_product_code(code);
    if (panels > 0) {
      v1::InventoryLine* item = line->add_inventory_lines();
      item->set_inventory_code("PANEL");
      item->set_quantity(panels);
    }
    v1::CrewNeed* need = line->add_crew_needs();
    need->set_skill(v1::SKILL_VIDEO);
    need->set_headcount(2);
    need->mutable_duration()->set_seconds(seconds);
  }
  const std::vector<PhaseWork> phases = PhasesOf(order, resolved);
  ASSERT_EQ(phases.size(), 2u);
  EXPECT_EQ(phases[0].phase_id, "");
  ASSERT_EQ(phases[0].resolved.inventory_lines_size(), 1);
  EXPECT_EQ(phases[0].resolved.inventory_lines(0).quantity(), 24);
  EXPECT_EQ(phases[1].phase_id, "berlin");
  EXPECT_EQ(phases[1].field, "order.phases[0]");
  EXPECT_EQ(phases[1].first_line, 1);
  EXPECT_EQ(phases[1].resolved.inventory_lines(0).quantity(), 24);
  // Crew per (skill, headcount), summed within the phase only.
  ASSERT_EQ(phases[1].resolved.crew_needs_size(), 1);
  EXPECT_EQ(phases[1].resolved.crew_needs(0).duration().seconds(), 7200 + 3600);
}

TEST(PhasesTest, BadPhasesAreNamedFieldByField) {
  const google::protobuf::Timestamp now = TimeUtil::SecondsToTimestamp(1'000);
  v1::Order order = OrderOver(100'000, 200'000);
  for (const char* id : {"hannover", "hannover", "Berlin!"}) {
    v1::OrderPhase* phase = order.add_phases();
    phase->set_phase_id(id);
    phase->add_product_lines()->set_product_code("WALL");
    phase->add_product_lines()->set_product_code("WALL");
    *phase->mutable_delivery_window()->mutable_window()->mutable_no_later_than() =
        TimeUtil::SecondsToTimestamp(500);
  }
  std::vector<common::FieldViolation> violations;
  PhaseViolations(order, "order", now, violations);
  std::set<std::string> fields;
  for (const common::FieldViolation& violation : violations) fields.insert(violation.field);
  for (const char* field :
       {"order.phases[1].phase_id", "order.phases[2].phase_id", "order.phases[0].venue",
        "order.phases[0].delivery_window.window.no_later_than",
        "order.phases[0].product_lines[1].product_code"}) {
    EXPECT_TRUE(fields.count(field)) << field;
  }
  EXPECT_FALSE(fields.count("order.phases[0].phase_id"));
}

TEST(ChangeImpactTest, PullMorePutBackAndCrewTimePerCode) {
  auto resolved = [](std::vector<std::pair<std::string, int>> lines, int64_t crew_seconds) {
    v1::ResolveProductsResponse response;
    for (const auto& [code, quantity] : lines) {
      v1::InventoryLine* line = response.add_inventory_lines();
      line->set_inventory_code(code);
      line->set_quantity(quantity);
    }
    v1::CrewNeed* need = response.add_crew_needs();
    need->set_skill(v1::SKILL_AUDIO);
    need->mutable_duration()->set_seconds(crew_seconds);
    need->set_headcount(2);
    return response;
  };
  v1::ChangeImpact impact = ComputeChangeImpact(
      resolved({{"LED-PANEL-500", 60}, {"MIC-WL-HH", 4}}, 3600),
      resolved({{"LED-PANEL-500", 40}, {"MIC-WL-HH", 8}, {"CASE-MIC-12", 1}}, 5400));
  ASSERT_EQ(impact.pull_more_size(), 2);
  EXPECT_EQ(impact.pull_more(0).inventory_code(), "CASE-MIC-12");
  EXPECT_EQ(impact.pull_more(1).inventory_code(), "MIC-WL-HH");
  EXPECT_EQ(impact.pull_more(1).quantity(), 4);
  ASSERT_EQ(impact.put_back_size(), 1);
  EXPECT_EQ(impact.put_back(0).quantity(), 20);
  EXPECT_EQ(impact.crew_time_delta().seconds(), 2 * 1800);
  EXPECT_EQ(impact.summary(),
            "+1 CASE-MIC-12 to pull, +4 MIC-WL-HH to pull, 20 LED-PANEL-500 to put back, +1 h "
            "crew time");
}

TEST(ChangeImpactTest, DiffNamesWhatChanged) {
  v1::Order before = OrderOver(0, 86400);
  v1::ProductLine* wall = before.add_product_lines();
  wall->set_product_code("LED-WALL-5X3");
  wall->set_quantity(3);
  v1::Order after = before;
  after.mutable_product_lines(0)->set_quantity(1);
  v1::ProductLine* mics = after.add_product_lines();
  mics->set_product_code("MIC-PACK-8");
  mics->set_quantity(1);
  after.mutable_venue()->set_name("Other hall");
  v1::OrderDiff diff = DiffOrders(before, after);
  EXPECT_EQ(DescribeDiff(diff), "LED-WALL-5X3 3 -> 1, MIC-PACK-8 0 -> 1, venue changed");
  EXPECT_EQ(diff.previous_venue().name(), "");
  EXPECT_EQ(diff.venue().name(), "Other hall");
  EXPECT_EQ(DescribeDiff(DiffOrders(before, before)), "nothing changed");
}

TEST(ClarificationsTest, ABlockingThreadHoldsTheOrderUntilAnsweredAndAFollowUpReopensIt) {
  v1::Order order;
  order.set_order_id("1042");
  order.add_product_lines()->set_product_code("LED-WALL-3X2");
  v1::Actor ops, sales;
  ops.set_id("ops-1");
  sales.set_id("seller-1");
  const google::protobuf::Timestamp at = TimeUtil::SecondsToTimestamp(1000);

  absl::StatusOr<v1::Question> asked =
      Ask(order, "", "LED-WALL-3X2", /*blocking=*/true, "Dock height?", ops, at);
  ASSERT_TRUE(asked.ok());
  EXPECT_EQ(asked->question_id(), "Q1");
  EXPECT_EQ(order.open_blocking_question_count(), 1);
  EXPECT_EQ(PayloadOf(*asked).question_text(), "Dock height?");

  absl::StatusOr<v1::Question> answered = Answer(order, "Q1", "4 m", sales, at);
  ASSERT_TRUE(answered.ok());
  EXPECT_EQ(answered->state(), v1::QUESTION_STATE_ANSWERED);
  EXPECT_EQ(order.open_blocking_question_count(), 0);
  EXPECT_EQ(PayloadOf(*answered).answer_text(), "4 m");
  EXPECT_EQ(PayloadOf(*answered).answered_by().id(), "seller-1");

  // A follow-up in the same thread reopens it, still blocking, with both turns kept.
  absl::StatusOr<v1::Question> again = Ask(order, "Q1", "", false, "Is it covered?", ops, at);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->state(), v1::QUESTION_STATE_OPEN);
  EXPECT_TRUE(again->blocking());
  EXPECT_EQ(again->messages_size(), 3);
  EXPECT_EQ(order.open_blocking_question_count(), 1);
  EXPECT_EQ(PayloadOf(*again).question_text(), "Is it covered?");
  EXPECT_EQ(PayloadOf(*again).answer_text(), "");

  EXPECT_EQ(Ask(order, "", "MIC-KIT", false, "?", ops, at).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Ask(order, "Q9", "", false, "?", ops, at).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Answer(order, "Q9", "!", sales, at).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(order.questions_size(), 1);
}

// The refusal a caller sees at a cap: FAILED_PRECONDITION, LIMIT_REACHED, the limit.
template <typename T>
void ExpectLimitReached(const absl::StatusOr<T>& refused, const std::string& what, int limit) {
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition) << refused.status();
  const common::ErrorDetails details =
      common::ParseGrpcError(common::ToGrpcStatus(refused.status()));
  EXPECT_EQ(details.reason, "LIMIT_REACHED");
  EXPECT_EQ(details.metadata.at("limit"), std::to_string(limit));
  EXPECT_NE(refused.status().message().find(what), std::string_view::npos) << refused.status();
}

TEST(NotesTest, AnOrderTakesNotesUpToItsCapThenRefusesMore) {
  v1::Order order;
  order.set_order_id("1042");
  v1::Actor ops;
  ops.set_id("ops-1");
  const google::protobuf::Timestamp at = TimeUtil::SecondsToTimestamp(1000);
  v1::Note note;
  note.set_kind(v1::NOTE_KIND_POWER);
  note.set_text("32 A three-phase at the dock");
  for (int i = 1; i <= kMaxNotesPerOrder; ++i) {
    absl::StatusOr<v1::Note> added = AppendNote(order, note, ops, at);
    ASSERT_TRUE(added.ok()) << added.status();
    EXPECT_EQ(added->note_id(), "N" + std::to_string(i));
    EXPECT_EQ(added->author().id(), "ops-1");
  }
  ExpectLimitReached(AppendNote(order, note, ops, at), "order 1042 holds 200 notes",
                     kMaxNotesPerOrder);
  EXPECT_EQ(order.notes_size(), kMaxNotesPerOrder);
}

TEST(ClarificationsTest, QuestionsAndAnswersPerOrderAreCappedWhateverTheThread) {
  v1::Order order;
  order.set_order_id("1042");
  v1::Actor ops, sales;
  ops.set_id("ops-1");
  sales.set_id("seller-1");
  const google::protobuf::Timestamp at = TimeUtil::SecondsToTimestamp(1000);
  // New threads and follow-ups count alike: half each.
  for (int i = 0; i < kMaxQuestionsPerOrder; ++i) {
    const std::string thread = i % 2 == 0 ? "" : "Q" + std::to_string(order.questions_size());
    ASSERT_TRUE(Ask(order, thread, "", /*blocking=*/true, "Dock height?", ops, at).ok()) << i;
    ASSERT_TRUE(Answer(order, "Q" + std::to_string(order.questions_size()), "4 m", sales, at).ok())
        << i;
  }
  EXPECT_EQ(order.questions_size(), kMaxQuestionsPerOrder / 2);
  ExpectLimitReached(Ask(order, "", "", true, "One more?", ops, at), "holds 100 questions",
                     kMaxQuestionsPerOrder);
  ExpectLimitReached(Ask(order, "Q1", "", true, "One more?", ops, at), "holds 100 questions",
                     kMaxQuestionsPerOrder);
  ExpectLimitReached(Answer(order, "Q1", "Again", sales, at), "holds 100 answers",
                     kMaxAnswersPerOrder);
  // Nothing changed: no thread reopened, no message added, nothing blocking.
  EXPECT_EQ(order.questions_size(), kMaxQuestionsPerOrder / 2);
  EXPECT_EQ(order.questions(0).messages_size(), 4);
  EXPECT_EQ(order.open_blocking_question_count(), 0);
  // A thread that does not exist is still NOT_FOUND, not a cap.
  EXPECT_EQ(Ask(order, "Q99", "", false, "?", ops, at).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(OrderLimitsTest, TheCapsStayWithinTheApisOwnBoundsOnAnOrder) {
  auto max_items = [](const google::protobuf::Descriptor* message, const std::string& field) {
    return static_cast<int>(message->FindFieldByName(field)->options().GetExtension(v1::max_items));
  };
  // GetOrder never answers with more than the vocabulary lets an Order hold.
  EXPECT_EQ(kMaxNotesPerOrder, max_items(v1::Order::descriptor(), "notes"));
  EXPECT_LE(kMaxQuestionsPerOrder, max_items(v1::Order::descriptor(), "questions"));
  EXPECT_LE(kMaxQuestionsPerOrder + kMaxAnswersPerOrder,
            max_items(v1::Question::descriptor(), "messages"));
}

}  // namespace
}  // namespace salesops::order_intake
