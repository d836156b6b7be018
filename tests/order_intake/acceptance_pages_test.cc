#include "services/order_intake/acceptance_pages.h"

#include <absl/strings/str_cat.h>
#include <absl/time/time.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "services/common/money.h"

namespace salesops::order_intake {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kHostileName[] = "<script>alert(1)</script>";
constexpr char kEscapedName[] = "&lt;script&gt;alert(1)&lt;/script&gt;";

google::type::Money Euros(int64_t units) {
  return common::MoneyFromMicros(units * common::kMicrosPerUnit, "EUR");
}

google::protobuf::Timestamp At(const char* berlin_time) {
  absl::TimeZone berlin;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/Berlin", &berlin));
  absl::Time time;
  std::string error;
  EXPECT_TRUE(absl::ParseTime("%Y-%m-%d %H:%M", berlin_time, berlin, &time, &error)) << error;
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(absl::ToUnixSeconds(time));
  return timestamp;
}

v1::CompanyProfile Profile() {
  v1::CompanyProfile profile;
  profile.set_name("Hafen Veranstaltungstechnik GmbH");
  profile.set_email("angebote@hafen-vt.de");
  profile.set_phone("+49 40 1234-56");
  profile.set_terms("Payment within 14 days.\nCancellation up to 7 days before: free.");
  profile.set_zone_id("Europe/Berlin");
  return profile;
}

// A quote for 2 LED walls: 2,500.00 EUR net, 19 % VAT, 2,975.00 EUR in total.
v1::Order QuotedOrder() {
  v1::Order order;
  order.set_order_id("Q-1042");
  order.set_revision(3);
  order.mutable_customer()->set_name(kHostileName);
  order.mutable_customer()->set_contact_name("Eva Schmidt");
  order.mutable_venue()->set_name("Stadthalle Hamburg");
  *order.mutable_event_schedule()->mutable_show_start_time() = At("2026-06-12 19:00");
  *order.mutable_event_schedule()->mutable_show_end_time() = At("2026-06-12 23:00");
  *order.mutable_delivery_window()->mutable_window()->mutable_no_later_than() =
      At("2026-06-12 08:00");
  v1::Quote& quote = *order.mutable_quote();
  v1::QuoteLine& line = *quote.add_lines();
  line.set_product_name("LED wall 3x2 m");
  line.mutable_line()->set_product_code("LED-WALL-3X2");
  line.mutable_line()->set_quantity(2);
  *line.mutable_net() = Euros(2500);
  v1::TaxLine& tax = *quote.add_tax_lines();
  tax.set_tax_millionths(190000);
  *tax.mutable_net() = Euros(2500);
  *tax.mutable_tax() = Euros(475);
  *quote.mutable_net_total() = Euros(2500);
  *quote.mutable_total() = Euros(2975);
  order.set_stage_reason("short: 2 LED-PANEL-500");
  return order;
}

absl::Time LinkExpiry() {
  absl::TimeZone berlin;
  absl::LoadTimeZone("Europe/Berlin", &berlin);
  return absl::FromCivil(absl::CivilMinute(2026, 6, 1, 18, 0), berlin);
}

std::string EnglishQuote(const v1::Order& order = QuotedOrder(),
                         const v1::CompanyProfile& profile = Profile()) {
  return QuotePage(order, profile, v1::DOCUMENT_LANGUAGE_ENGLISH, "/q/tok.1.sig/quote.pdf",
                   "/q/tok.1.sig/accept", LinkExpiry());
}

TEST(QuotePageTest, ShowsTheQuoteAsThePdfWordsIt) {
  const std::string html = EnglishQuote();
  EXPECT_THAT(html, HasSubstr("<html lang=\"en\">"));
  EXPECT_THAT(html, HasSubstr("Hafen Veranstaltungstechnik GmbH"));
  EXPECT_THAT(html, HasSubstr("<dt>Quote no.</dt><dd>Q-1042</dd>"));
  EXPECT_THAT(html, HasSubstr("<dt>Revision</dt><dd>3</dd>"));
  EXPECT_THAT(html, HasSubstr("Attn. Eva Schmidt"));
  EXPECT_THAT(html, HasSubstr("Stadthalle Hamburg, 12 Jun 2026 19:00 \u2013 12 Jun 2026 23:00"));
  EXPECT_THAT(html, HasSubstr("<dt>Delivery</dt><dd>no later than 12 Jun 2026 08:00</dd>"));
  EXPECT_THAT(html, HasSubstr("<dt>Valid until</dt><dd>01 Jun 2026 18:00</dd>"));
  EXPECT_THAT(html, HasSubstr("<td>LED wall 3x2 m</td><td class=\"num\">2</td>"
                              "<td class=\"num\">2,500.00 EUR</td>"));
  EXPECT_THAT(html, HasSubstr("VAT 19 % on 2,500.00 EUR</td><td class=\"num\">475.00 EUR"));
  EXPECT_THAT(html, HasSubstr("<tr class=\"total\"><td colspan=\"2\">Total</td>"
                              "<td class=\"num\">2,975.00 EUR</td>"));
  EXPECT_THAT(html, HasSubstr("Payment within 14 days.\nCancellation up to 7 days before: free."));
  EXPECT_THAT(html, HasSubstr("href=\"/q/tok.1.sig/quote.pdf\""));
}

TEST(QuotePageTest, HasTheAcceptFormWithARequiredName) {
  const std::string html = EnglishQuote();
  EXPECT_THAT(html, HasSubstr("<form method=\"post\" action=\"/q/tok.1.sig/accept\">"));
  EXPECT_THAT(html, HasSubstr("<input id=\"name\" name=\"name\" type=\"text\" required "
                              "maxlength=\"200\""));
  EXPECT_THAT(html, HasSubstr("<button type=\"submit\">Accept quote</button>"));
  EXPECT_THAT(html, HasSubstr("you accept quote Q-1042, revision 3, for 2,975.00 EUR"));
}

TEST(QuotePageTest, IsSelfContained) {
  v1::CompanyProfile profile = Profile();
  profile.set_logo_png(std::string("\x89PNG\r\n\x1a\n", 8) + "pixels");
  const std::string html = EnglishQuote(QuotedOrder(), profile);
  EXPECT_THAT(html, HasSubstr("<img src=\"data:image/png;base64,iVBORw0KGgpwaXhlbHM=\""));
  EXPECT_THAT(html, HasSubstr("<meta name=\"viewport\""));
  EXPECT_THAT(html, HasSubstr("<style>"));
  EXPECT_THAT(html, AllOf(Not(HasSubstr("<script")), Not(HasSubstr("http://")),
                          Not(HasSubstr("https://")), Not(HasSubstr("<link"))));

  profile.set_logo_png("not a png");  // never handed to the browser as an image
  EXPECT_THAT(EnglishQuote(QuotedOrder(), profile), Not(HasSubstr("<img")));
}

TEST(QuotePageTest, EscapesEveryStringFromTheOrderTheProfileAndTheUrls) {
  v1::Order order = QuotedOrder();
  order.mutable_quote()->mutable_lines(0)->set_product_name("Wall \"deluxe\" & <b>more</b>");
  v1::CompanyProfile profile = Profile();
  profile.set_name("<img src=x onerror=alert(1)>");
  profile.set_terms("</p><script>steal()</script>");
  const std::string html = QuotePage(order, profile, v1::DOCUMENT_LANGUAGE_ENGLISH,
                                     "/q/x\"><script>a()</script>", "/q/x' onclick='b()", {});
  EXPECT_THAT(html, Not(HasSubstr("<script")));
  EXPECT_THAT(html, Not(HasSubstr("<img src=x")));
  EXPECT_THAT(html, Not(HasSubstr("<b>more")));
  EXPECT_THAT(html, HasSubstr(kEscapedName));
  EXPECT_THAT(html, HasSubstr("Wall &quot;deluxe&quot; &amp; &lt;b&gt;more&lt;/b&gt;"));
  EXPECT_THAT(html, HasSubstr("action=\"/q/x&#39; onclick=&#39;b()\""));
  EXPECT_THAT(html, HasSubstr("href=\"/q/x&quot;&gt;&lt;script&gt;a()&lt;/script&gt;\""));
}

TEST(QuotePageTest, SpeaksGerman) {
  const std::string html = QuotePage(QuotedOrder(), Profile(), v1::DOCUMENT_LANGUAGE_GERMAN,
                                     "/q/t/quote.pdf", "/q/t/accept", LinkExpiry());
  EXPECT_THAT(html, HasSubstr("<html lang=\"de\">"));
  EXPECT_THAT(html, HasSubstr("<h1>Angebot Q-1042</h1>"));
  EXPECT_THAT(html, HasSubstr("<dt>Lieferung</dt><dd>spätestens 12.06.2026 08:00</dd>"));
  EXPECT_THAT(html, HasSubstr("<dt>Gültig bis</dt><dd>01.06.2026 18:00</dd>"));
  EXPECT_THAT(html, HasSubstr("USt. 19 % auf 2.500,00 EUR"));
  EXPECT_THAT(html, HasSubstr("2.975,00 EUR"));
  EXPECT_THAT(html, HasSubstr("<button type=\"submit\">Angebot annehmen</button>"));
  EXPECT_THAT(html, HasSubstr("Angebot als PDF herunterladen"));
  EXPECT_THAT(html, Not(HasSubstr("Accept quote")));
}

TEST(QuotePageTest, UnspecifiedLanguageIsEnglish) {
  const std::string html = QuotePage(QuotedOrder(), Profile(), v1::DOCUMENT_LANGUAGE_UNSPECIFIED,
                                     "/p", "/a", LinkExpiry());
  EXPECT_THAT(html, HasSubstr("<html lang=\"en\">"));
  EXPECT_THAT(html, HasSubstr("Accept quote"));
}

TEST(QuotePageTest, ATourNamesEachStopsDelivery) {
  v1::Order order = QuotedOrder();
  v1::OrderPhase& phase = *order.add_phases();
  phase.set_phase_id("hannover");
  phase.set_name("Hannover, Stadthalle");
  *phase.mutable_delivery_window()->mutable_window()->mutable_no_later_than() =
      At("2026-06-14 10:00");
  const std::string html = EnglishQuote(order);
  EXPECT_THAT(html, HasSubstr("<dt>Delivery Stadthalle Hamburg</dt><dd>no later than 12 Jun 2026 "
                              "08:00</dd>"));
  EXPECT_THAT(html, HasSubstr("<dt>Delivery Hannover, Stadthalle</dt><dd>no later than 14 Jun "
                              "2026 10:00</dd>"));
}

TEST(ConfirmedPageTest, ThanksTheClientAndStatesTheCommitment) {
  v1::Order order = QuotedOrder();
  order.set_stage(v1::ORDER_STAGE_CONFIRMED);
  *order.mutable_commitment()->mutable_no_later_than() = At("2026-06-12 07:30");
  const std::string html =
      ConfirmedPage(order, Profile(), v1::DOCUMENT_LANGUAGE_ENGLISH, kHostileName);
  EXPECT_THAT(html,
              HasSubstr(absl::StrCat("Thank you, ", kEscapedName, ". Order Q-1042 is confirmed.")));
  EXPECT_THAT(html, HasSubstr("Delivered no later than 12 Jun 2026 07:30 at Stadthalle Hamburg."));
  EXPECT_THAT(html, HasSubstr("href=\"mailto:angebote@hafen-vt.de\""));
  EXPECT_THAT(html, HasSubstr("href=\"tel:+4940123456\""));
  EXPECT_THAT(html, Not(HasSubstr("<script>")));

  const std::string german =
      ConfirmedPage(order, Profile(), v1::DOCUMENT_LANGUAGE_GERMAN, "Jürgen Müller");
  EXPECT_THAT(german, HasSubstr("Vielen Dank, Jürgen Müller. Auftrag Q-1042 ist bestätigt."));
  EXPECT_THAT(german, HasSubstr("Lieferung spätestens 12.06.2026 07:30 an Stadthalle Hamburg."));
}

TEST(ReceivedPageTest, PromisesAConfirmationAndNeverSaysWhy) {
  const std::string html =
      ReceivedPage(QuotedOrder(), Profile(), v1::DOCUMENT_LANGUAGE_ENGLISH, kHostileName);
  EXPECT_THAT(html, HasSubstr(absl::StrCat("Thank you, ", kEscapedName, ".")));
  EXPECT_THAT(html, HasSubstr("We have received your acceptance of quote Q-1042 and will confirm "
                              "it shortly."));
  EXPECT_THAT(html, Not(HasSubstr("LED-PANEL-500")));
  EXPECT_THAT(html, Not(HasSubstr("<script>")));
  EXPECT_THAT(ReceivedPage(QuotedOrder(), Profile(), v1::DOCUMENT_LANGUAGE_GERMAN, "Eva"),
              HasSubstr("bestätigen den Auftrag in Kürze"));
}

TEST(RefusedPageTest, ExplainsEachRefusalAndWhomToContact) {
  const struct {
    LinkRefusal refusal;
    const char* english;
    const char* german;
  } cases[] = {
      {LinkRefusal::kInvalid, "This link is not valid.", "Dieser Link ist ungültig."},
      {LinkRefusal::kExpired, "This link has expired.", "Dieser Link ist abgelaufen."},
      {LinkRefusal::kAlreadyUsed, "already been accepted with this link", "bereits angenommen"},
      {LinkRefusal::kSuperseded, "replaced by a newer revision", "durch eine neuere Revision"},
  };
  for (const auto& c : cases) {
    const std::string english = RefusedPage(c.refusal, Profile(), v1::DOCUMENT_LANGUAGE_ENGLISH);
    EXPECT_THAT(english, HasSubstr(c.english));
    EXPECT_THAT(english, HasSubstr("Please contact Hafen Veranstaltungstechnik GmbH:"));
    EXPECT_THAT(english, HasSubstr(">angebote@hafen-vt.de</a>"));
    EXPECT_THAT(english, HasSubstr(">+49 40 1234-56</a>"));
    const std::string german = RefusedPage(c.refusal, Profile(), v1::DOCUMENT_LANGUAGE_GERMAN);
    EXPECT_THAT(german, HasSubstr(c.german));
    EXPECT_THAT(german, HasSubstr("Bitte wenden Sie sich an Hafen Veranstaltungstechnik GmbH:"));
  }
  v1::CompanyProfile hostile = Profile();
  hostile.set_name(kHostileName);
  const std::string html = RefusedPage(LinkRefusal::kExpired, hostile, {});
  EXPECT_THAT(html, HasSubstr(kEscapedName));
  EXPECT_THAT(html, Not(HasSubstr("<script>")));
}

}  // namespace
}  // namespace salesops::order_intake
