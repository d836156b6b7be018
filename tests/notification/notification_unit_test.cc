// Pure pieces of notification and the relay: summaries, webhook signatures and
// URL rules, stream cursors, retry backoff.
#include <absl/time/time.h>
#include <gtest/gtest.h>
#include <openssl/hmac.h>

#include "services/common/backoff.h"
#include "services/notification/address_policy.h"
#include "services/notification/feed_cursor.h"
#include "services/notification/summary.h"
#include "services/notification/webhook.h"

namespace salesops::notification {
namespace {

google::protobuf::Timestamp At(absl::Time time) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(absl::ToUnixSeconds(time));
  return timestamp;
}

// Wednesday 2030-05-01 10:00 UTC.
const absl::Time kNow = absl::FromCivil(absl::CivilMinute(2030, 5, 1, 10, 0), absl::UTCTimeZone());

TEST(SummaryTest, AmendmentAfterPrepReadsAsTheWarehouseNeedsIt) {
  v1::Event event;
  event.set_type(v1::EVENT_TYPE_ORDER_AMENDED);
  event.set_order_id("1042");
  event.set_order_revision(3);
  v1::OrderChangedPayload* order = event.mutable_order_changed();
  order->set_prep_underway(true);
  v1::InventoryLine* more = order->mutable_impact()->add_pull_more();
  more->set_inventory_code("LED-PANEL-500");
  more->set_quantity(4);
  order->mutable_impact()->set_commitment_holds(true);
  *order->mutable_impact()->mutable_commitment()->mutable_no_later_than() =
      At(absl::FromCivil(absl::CivilMinute(2030, 5, 3, 8, 0), absl::UTCTimeZone()));
  EXPECT_EQ(SummarizeEvent(event, absl::UTCTimeZone(), kNow),
            "Order 1042 rev 3: changed, prep already underway, +4 LED-PANEL-500 to pull, deliver "
            "no later than Fri 08:00");
}

TEST(SummaryTest, TheSourceServicesOwnSummaryWins) {
  v1::Event event;
  event.set_type(v1::EVENT_TYPE_SHORTAGE_DETECTED);
  event.set_summary("Order 7: 2 LED-PANEL-500 short after damage");
  event.mutable_stock()->add_shortages()->set_inventory_code("X");
  EXPECT_EQ(SummarizeEvent(event, absl::UTCTimeZone(), kNow),
            "Order 7: 2 LED-PANEL-500 short after damage");
}

TEST(SummaryTest, ShortageQuestionAndTaskLines) {
  v1::Event shortage;
  shortage.set_type(v1::EVENT_TYPE_SHORTAGE_DETECTED);
  shortage.set_order_id("9");
  v1::StockShortage* short_line = shortage.mutable_stock()->add_shortages();
  short_line->set_inventory_code("MIC-SM58");
  short_line->set_shortfall(3);
  EXPECT_EQ(SummarizeEvent(shortage, absl::UTCTimeZone(), kNow),
            "Order 9: shortage detected, MIC-SM58 short by 3");

  v1::Event question;
  question.set_type(v1::EVENT_TYPE_QUESTION_ASKED);
  question.set_order_id("9");
  question.mutable_question()->set_blocking(true);
  question.mutable_question()->set_product_code("LED-WALL-3X2");
  question.mutable_question()->set_question_text("Is there a loading dock?");
  EXPECT_EQ(SummarizeEvent(question, absl::UTCTimeZone(), kNow),
            "Order 9: blocking question on LED-WALL-3X2: Is there a loading dock?");

  v1::Event task;
  task.set_type(v1::EVENT_TYPE_TASK_AT_RISK);
  task.set_order_id("9");
  task.mutable_task()->set_kind(v1::TASK_KIND_DELIVER);
  *task.mutable_task()->mutable_window()->mutable_no_later_than() =
      At(absl::FromCivil(absl::CivilMinute(2030, 6, 12, 8, 0), absl::UTCTimeZone()));
  task.mutable_task()->set_reason("no driver free before 09:00");
  EXPECT_EQ(SummarizeEvent(task, absl::UTCTimeZone(), kNow),
            "Order 9: deliver task at risk, done no later than Wed 12 Jun 08:00, no driver free "
            "before 09:00");
}

TEST(SummaryTest, TimesAreWrittenInTheConfiguredZone) {
  absl::TimeZone amsterdam;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Amsterdam", &amsterdam));
  google::protobuf::Timestamp eight_utc =
      At(absl::FromCivil(absl::CivilMinute(2030, 5, 3, 8, 0), absl::UTCTimeZone()));
  EXPECT_EQ(DescribeTime(eight_utc, amsterdam, kNow), "Fri 10:00");
}

TEST(SummaryTest, LongSummariesAreCutOnACharacterBoundary) {
  v1::Event event;
  event.set_type(v1::EVENT_TYPE_NOTE_ADDED);
  std::string text;
  for (int i = 0; i < 600; ++i) text += "é";  // two bytes each
  event.mutable_note()->mutable_note()->set_text(text);
  std::string summary = SummarizeEvent(event, absl::UTCTimeZone(), kNow);
  EXPECT_LE(summary.size(), 1000u);
  EXPECT_EQ(summary.substr(summary.size() - 3), "…");
  // Every byte before the ellipsis belongs to a complete character.
  std::string body = summary.substr(0, summary.size() - 3);
  EXPECT_EQ(body.substr(0, 6), "Note: ");
  EXPECT_EQ((body.size() - 6) % 2, 0u);
}

TEST(SummaryTest, AMultiLineNoteIsQuotedOnOneLine) {
  v1::Event event;
  event.set_type(v1::EVENT_TYPE_NOTE_ADDED);
  event.mutable_note()->mutable_note()->set_text("Dock is round the back.\n\tRing twice.");
  EXPECT_EQ(SummarizeEvent(event, absl::UTCTimeZone(), kNow),
            "Note: Dock is round the back.  Ring twice.");
}

// An offer to a freelancer, as scheduling publishes it (issue 20), with no summary of its own.
v1::Event CrewOfferEvent(v1::EventType type) {
  v1::Event event;
  event.set_type(type);
  event.set_order_id("1040");
  event.add_recipient_person_ids("crew-ana");
  v1::CrewOffer* offer = event.mutable_crew_offer();
  offer->set_crew_member_id("ana");
  offer->set_order_id("1040");
  offer->set_task_kind(v1::TASK_KIND_SETUP);
  offer->set_skill_code("RIGGER");
  const absl::TimeZone utc = absl::UTCTimeZone();
  *offer->mutable_start_time() = At(absl::FromCivil(absl::CivilMinute(2030, 5, 7, 8, 0), utc));
  *offer->mutable_finish_time() = At(absl::FromCivil(absl::CivilMinute(2030, 5, 7, 12, 0), utc));
  *offer->mutable_reply_by_time() = At(absl::FromCivil(absl::CivilMinute(2030, 5, 6, 18, 0), utc));
  offer->mutable_fee()->set_currency_code("EUR");
  offer->mutable_fee()->set_units(240);
  return event;
}

TEST(SummaryTest, EachStepOfAnOfferToAFreelancerReadsAsOneLine) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  EXPECT_EQ(SummarizeEvent(CrewOfferEvent(v1::EVENT_TYPE_CREW_OFFER_SENT), utc, kNow),
            "Offer to ana: SETUP RIGGER on order 1040, Tue 08:00–12:00, 240.00 EUR, reply by "
            "Mon 18:00");
  EXPECT_EQ(SummarizeEvent(CrewOfferEvent(v1::EVENT_TYPE_CREW_OFFER_ACCEPTED), utc, kNow),
            "ana accepted SETUP RIGGER on order 1040, Tue 08:00–12:00, 240.00 EUR");
  v1::Event declined = CrewOfferEvent(v1::EVENT_TYPE_CREW_OFFER_DECLINED);
  // The freelancer's own words may span lines (and try to forge another); they read as one.
  declined.mutable_crew_offer()->set_decline_reason("Booked elsewhere.\nOffer to ben: accepted");
  EXPECT_EQ(SummarizeEvent(declined, utc, kNow),
            "ana declined SETUP RIGGER on order 1040, Tue 08:00–12:00: Booked elsewhere. Offer to "
            "ben: accepted");
  EXPECT_EQ(SummarizeEvent(CrewOfferEvent(v1::EVENT_TYPE_CREW_OFFER_EXPIRED), utc, kNow),
            "Offer to ana expired: SETUP RIGGER on order 1040, Tue 08:00–12:00 (no reply by Mon "
            "18:00)");
  EXPECT_EQ(SummarizeEvent(CrewOfferEvent(v1::EVENT_TYPE_CREW_OFFER_WITHDRAWN), utc, kNow),
            "Offer to ana withdrawn: SETUP RIGGER on order 1040, Tue 08:00–12:00 is no longer "
            "needed from them");

  // Work past midnight names the finish's day; cents round; no fee and no reply time are left
  // out rather than shown empty.
  v1::Event night = CrewOfferEvent(v1::EVENT_TYPE_CREW_OFFER_SENT);
  *night.mutable_crew_offer()->mutable_finish_time() =
      At(absl::FromCivil(absl::CivilMinute(2030, 5, 8, 2, 30), utc));
  night.mutable_crew_offer()->mutable_fee()->set_units(187);
  night.mutable_crew_offer()->mutable_fee()->set_nanos(995'000'000);
  EXPECT_EQ(SummarizeEvent(night, utc, kNow),
            "Offer to ana: SETUP RIGGER on order 1040, Tue 08:00–Wed 02:30, 188.00 EUR, reply by "
            "Mon 18:00");
  v1::Event bare = CrewOfferEvent(v1::EVENT_TYPE_CREW_OFFER_SENT);
  bare.mutable_crew_offer()->clear_fee();
  bare.mutable_crew_offer()->clear_reply_by_time();
  EXPECT_EQ(SummarizeEvent(bare, utc, kNow),
            "Offer to ana: SETUP RIGGER on order 1040, Tue 08:00–12:00");
  // An offer carried by another type says what became of it.
  v1::Event withdrawn = CrewOfferEvent(v1::EVENT_TYPE_TASK_STATE_CHANGED);
  withdrawn.mutable_crew_offer()->set_state(v1::OFFER_STATE_WITHDRAWN);
  EXPECT_EQ(SummarizeEvent(withdrawn, utc, kNow),
            "Offer to ana withdrawn: SETUP RIGGER on order 1040, Tue 08:00–12:00");

  // Scheduling's own line, when it writes one, wins as for every event.
  v1::Event own = CrewOfferEvent(v1::EVENT_TYPE_CREW_OFFER_EXPIRED);
  own.set_summary("Offer to ana expired; asked ben");
  EXPECT_EQ(SummarizeEvent(own, utc, kNow), "Offer to ana expired; asked ben");
}

TEST(WebhookTest, SignatureIsHmacSha256OfTimestampDotBody) {
  const std::string secret = "whsec-0123456789abcdef";
  const std::string body = R"({"eventId":"e-1"})";
  const std::string text = "1700000000." + body;
  unsigned char digest[32];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest, &length);
  char hex[65];
  for (int i = 0; i < 32; ++i) snprintf(hex + 2 * i, 3, "%02x", digest[i]);
  EXPECT_EQ(WebhookSignature(secret, 1700000000, body), std::string("v1=") + hex);
  // Any change to the body, the timestamp or the secret changes it.
  EXPECT_NE(WebhookSignature(secret, 1700000001, body), WebhookSignature(secret, 1700000000, body));
  EXPECT_NE(WebhookSignature(secret + "x", 1700000000, body),
            WebhookSignature(secret, 1700000000, body));
  EXPECT_NE(WebhookSignature(secret, 1700000000, body + " "),
            WebhookSignature(secret, 1700000000, body));
}

TEST(WebhookTest, OnlyHttpAndHttpsUrlsWithoutCredentials) {
  EXPECT_EQ(WebhookUrlProblem("https://hooks.example.com/salesops"), std::nullopt);
  EXPECT_EQ(WebhookUrlProblem("http://127.0.0.1:8080/in?x=1"), std::nullopt);
  EXPECT_TRUE(WebhookUrlProblem(""));
  EXPECT_TRUE(WebhookUrlProblem("ftp://files.example.com/"));
  EXPECT_TRUE(WebhookUrlProblem("file:///etc/passwd"));
  EXPECT_TRUE(WebhookUrlProblem("https://user:secret@hooks.example.com/"));
  EXPECT_TRUE(WebhookUrlProblem("https://user@hooks.example.com/"));
  EXPECT_TRUE(WebhookUrlProblem("hooks.example.com/in"));
  EXPECT_TRUE(WebhookUrlProblem("https://hooks.example.com/a b"));
  EXPECT_TRUE(WebhookUrlProblem("https://"));
}

TEST(AddressPolicyTest, RefusesTheServicesOwnNeighbourhoodUnlessTheOperatorAllowsIt) {
  AddressPolicy closed = *AddressPolicy::Parse("");
  for (const char* refused :
       {"127.0.0.1", "127.8.9.10", "169.254.169.254", "10.0.0.1", "172.16.0.1", "172.31.255.255",
        "192.168.1.1", "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "::", "fe80::1", "fd12::1",
        "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a9fe:a9fe"}) {
    EXPECT_TRUE(closed.RefusalForLiteral(refused).has_value()) << refused;
  }
  for (const char* allowed : {"93.184.216.34", "172.32.0.1", "8.8.8.8", "2606:4700::1111"}) {
    EXPECT_FALSE(closed.RefusalForLiteral(allowed).has_value()) << allowed;
  }
  EXPECT_FALSE(closed.RefusalForLiteral("hooks.example.com").has_value());  // judged at connect
  EXPECT_NE(closed.RefusalForLiteral("169.254.169.254")->find("link-local"), std::string::npos);

  AddressPolicy internal = *AddressPolicy::Parse("10.20.0.0/16, fd00::/8,127.0.0.1/32");
  EXPECT_FALSE(internal.RefusalForLiteral("10.20.3.4").has_value());
  EXPECT_TRUE(internal.RefusalForLiteral("10.21.0.1").has_value());
  EXPECT_FALSE(internal.RefusalForLiteral("fd12::1").has_value());
  EXPECT_FALSE(internal.RefusalForLiteral("127.0.0.1").has_value());
  EXPECT_TRUE(internal.RefusalForLiteral("127.0.0.2").has_value());
  EXPECT_TRUE(internal.RefusalForLiteral("169.254.169.254").has_value());

  for (const char* bad : {"10.0.0.0", "10.0.0.0/33", "fd00::/129", "nonsense/8", "10.0.0.0/x"}) {
    EXPECT_FALSE(AddressPolicy::Parse(bad).ok()) << bad;
  }
}

TEST(CursorTest, RoundTripsAndRejectsAnythingElse) {
  FeedPosition position{123456, 789};
  std::optional<FeedPosition> decoded = DecodeCursor(EncodeCursor(position));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->writer_xid, 123456u);
  EXPECT_EQ(decoded->notification_id, 789);
  for (const char* bad : {"", "v1.1", "v2.1.2", "v1.x.2", "v1.1.-2", "v1.1.2.3"}) {
    EXPECT_FALSE(DecodeCursor(bad)) << bad;
  }
}

TEST(BackoffTest, DoublesUpToTheCapWithJitterInTheUpperHalf) {
  std::mt19937_64 random(42);
  using std::chrono::milliseconds;
  for (int attempt = 1; attempt <= 12; ++attempt) {
    const double full = std::min(100.0 * (1 << (attempt - 1)), 5000.0);
    for (int i = 0; i < 50; ++i) {
      auto delay = common::BackoffDelay(attempt, milliseconds(100), milliseconds(5000), random);
      EXPECT_GE(delay.count(), static_cast<int64_t>(full / 2) - 1) << attempt;
      EXPECT_LE(delay.count(), static_cast<int64_t>(full)) << attempt;
    }
  }
  // Two relays that failed together do not retry together.
  std::set<int64_t> delays;
  for (int i = 0; i < 20; ++i) {
    delays.insert(common::BackoffDelay(5, milliseconds(100), milliseconds(5000), random).count());
  }
  EXPECT_GT(delays.size(), 10u);
}

}  // namespace
}  // namespace salesops::notification
