#include "services/order_intake/acceptance_pages.h"

#include <absl/strings/escaping.h>
#include <absl/strings/match.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_replace.h>

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "services/common/http_server.h"
#include "services/order_intake/document_words.h"

namespace salesops::order_intake {
namespace {

using common::HtmlEscape;

// This Abseil's string_view is its own type, not std::string_view.
absl::string_view AbslView(std::string_view view) { return {view.data(), view.size()}; }
using document_words::MicrosOf;
using document_words::Words;
using document_words::Writer;

// The pages' own words; what they share with the PDF (revision, delivery, total, ...) comes
// from document_words, so both say it alike.
struct PageWords {
  const char* html_lang;
  const char* customer;
  const char* download_pdf;
  const char* accept_heading;
  const char* accept_explanation;  // "{order}", "{revision}", "{total}"
  const char* your_name;
  const char* accept_button;
  const char* thank_you;  // "{name}"
  const char* confirmed_title;
  const char* confirmed;  // "{order}"
  const char* delivered;  // "{commitment}", "{venue}"
  const char* delivered_no_venue;
  const char* received_title;
  const char* received;  // "{order}"
  const char* questions;
  const char* refused_title;
  const char* invalid;
  const char* expired;
  const char* already_used;
  const char* superseded;
  const char* contact;  // "{company}"
};

constexpr PageWords kEnglishPage = {
    "en",
    "Customer",
    "Download the quote (PDF)",
    "Accept this quote",
    "By typing your name and pressing \u201cAccept quote\u201d you accept quote {order}, "
    "revision {revision}, for {total} as shown above and in the PDF.",
    "Your full name",
    "Accept quote",
    "Thank you, {name}.",
    "Order confirmed",
    "Order {order} is confirmed.",
    "Delivered {commitment} at {venue}.",
    "Delivered {commitment}.",
    "Acceptance received",
    "We have received your acceptance of quote {order} and will confirm it shortly.",
    "Questions? Please contact us:",
    "This link cannot be used",
    "This link is not valid. Please check that you opened the complete link from our message.",
    "This link has expired.",
    "This quote has already been accepted with this link.",
    "This quote has been replaced by a newer revision. Please use the link we sent with the "
    "new revision.",
    "Please contact {company}:",
};

constexpr PageWords kGermanPage = {
    "de",
    "Kunde",
    "Angebot als PDF herunterladen",
    "Angebot annehmen",
    "Mit Ihrem Namen und \u201eAngebot annehmen\u201c nehmen Sie das Angebot {order}, Revision "
    "{revision}, über {total} an, wie oben und im PDF dargestellt.",
    "Ihr vollständiger Name",
    "Angebot annehmen",
    "Vielen Dank, {name}.",
    "Auftrag bestätigt",
    "Auftrag {order} ist bestätigt.",
    "Lieferung {commitment} an {venue}.",
    "Lieferung {commitment}.",
    "Annahme erhalten",
    "Wir haben Ihre Annahme des Angebots {order} erhalten und bestätigen den Auftrag in Kürze.",
    "Fragen? Bitte wenden Sie sich an uns:",
    "Dieser Link kann nicht verwendet werden",
    "Dieser Link ist ungültig. Bitte prüfen Sie, ob Sie den vollständigen Link aus unserer "
    "Nachricht geöffnet haben.",
    "Dieser Link ist abgelaufen.",
    "Dieses Angebot wurde über diesen Link bereits angenommen.",
    "Dieses Angebot wurde durch eine neuere Revision ersetzt. Bitte verwenden Sie den Link, den "
    "wir Ihnen mit der neuen Revision geschickt haben.",
    "Bitte wenden Sie sich an {company}:",
};

const PageWords& PageWordsFor(v1::DocumentLanguage language) {
  return language == v1::DOCUMENT_LANGUAGE_GERMAN ? kGermanPage : kEnglishPage;
}

constexpr char kStyle[] =
    "body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "color:#1a1a1a;background:#f2f2f2}"
    "main{max-width:44rem;margin:0 auto;padding:1rem 1.25rem 2rem;background:#fff}"
    "header{display:flex;align-items:center;justify-content:space-between;gap:1rem;"
    "border-bottom:1px solid #ddd;padding-bottom:.5rem}"
    "header img{max-height:3.5rem;max-width:45%}"
    ".company{font-weight:600;margin:0}"
    "h1{font-size:1.4rem;margin:1rem 0 .75rem}"
    "h2{font-size:1.1rem;margin:1.5rem 0 .5rem}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}"
    "dt{color:#555}dd{margin:0}"
    ".lines{overflow-x:auto;margin-top:1rem}"
    "table{width:100%;border-collapse:collapse}"
    "th,td{padding:.4rem .3rem;border-bottom:1px solid #e4e4e4;text-align:left;"
    "vertical-align:top}"
    ".num{text-align:right;white-space:nowrap}"
    "tfoot td{border-bottom:none}"
    ".total td{font-weight:700;border-top:2px solid #1a1a1a}"
    ".terms{white-space:pre-wrap;font-size:.9rem;color:#444}"
    ".note{font-size:.9rem;color:#444}"
    "a.pdf{display:inline-block;margin:1rem 0 0}"
    "form{margin:1.5rem 0 0;padding:1rem;border:1px solid #ccc;border-radius:.5rem;"
    "background:#fafafa}"
    "form h2{margin-top:0}"
    "label{display:block;font-weight:600;margin:.75rem 0 .25rem}"
    "input{box-sizing:border-box;width:100%;font-size:1rem;padding:.6rem;border:1px solid #888;"
    "border-radius:.3rem}"
    "button{margin-top:1rem;width:100%;font-size:1.05rem;padding:.75rem;border:0;"
    "border-radius:.3rem;background:#1b5e20;color:#fff;cursor:pointer}"
    "@media (max-width:30rem){dl{grid-template-columns:1fr}dt{margin-top:.5rem}}";

// `text` with its placeholders filled, then escaped as a whole: the templates hold no markup,
// and a value that itself holds "{order}" is not expanded again (one pass).
std::string Fill(absl::string_view text,
                 std::initializer_list<std::pair<absl::string_view, absl::string_view>> values) {
  return HtmlEscape(absl::StrReplaceAll(text, values));
}

bool IsPng(const std::string& bytes) {
  return absl::StartsWith(bytes, absl::string_view("\x89PNG\r\n\x1a\n", 8));
}

// The whole document around `body` (already HTML): the company at the top, its logo inline as a
// data: URI, since the page may load nothing from anywhere.
std::string Page(const PageWords& page, std::string_view title, const v1::CompanyProfile& profile,
                 const std::string& body) {
  std::string logo;
  if (IsPng(profile.logo_png())) {
    logo = absl::StrCat("<img src=\"data:image/png;base64,", absl::Base64Escape(profile.logo_png()),
                        "\" alt=\"", HtmlEscape(profile.name()), "\">");
  }
  return absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"", page.html_lang,
      "\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      // The URL is a secret: not for search engines, nor for the next site's Referer.
      "<meta name=\"robots\" content=\"noindex, nofollow\">\n"
      "<meta name=\"referrer\" content=\"no-referrer\">\n<title>",
      HtmlEscape(title), " \u2013 ", HtmlEscape(profile.name()), "</title>\n<style>", kStyle,
      "</style>\n</head>\n<body>\n<main>\n<header><p class=\"company\">",
      HtmlEscape(profile.name()), "</p>", logo, "</header>\n", body, "</main>\n</body>\n</html>\n");
}

google::protobuf::Timestamp TimestampOf(absl::Time time) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(absl::ToUnixSeconds(time));
  return timestamp;
}

void AddFact(std::string& html, std::string_view label, std::string_view value) {
  absl::StrAppend(&html, "<dt>", HtmlEscape(label), "</dt><dd>", HtmlEscape(value), "</dd>\n");
}

// The place a stop of the order is delivered to: the order's venue, or a phase's name (else its
// venue), as the documents name a tour's stops.
std::string StopName(const v1::OrderPhase& phase) {
  return phase.name().empty() ? phase.venue().name() : phase.name();
}

// A toured order's commitment is its last stop's, so each stop is promised by its own window, as
// the order confirmation states it; a single stop, once confirmed, by ops' commitment.
google::protobuf::Timestamp PromisedBy(const v1::Order& order, bool confirmed) {
  return confirmed && order.phases().empty() && order.commitment().has_no_later_than()
             ? order.commitment().no_later_than()
             : order.delivery_window().window().no_later_than();
}

std::string Contact(const v1::CompanyProfile& profile) {
  std::string html;
  if (!profile.email().empty()) {
    absl::StrAppend(&html, "<li><a href=\"mailto:", HtmlEscape(profile.email()), "\">",
                    HtmlEscape(profile.email()), "</a></li>");
  }
  if (!profile.phone().empty()) {
    std::string dial;  // "+49 40 123-45" dials as "+494012345"
    for (char c : profile.phone()) {
      if ((c >= '0' && c <= '9') || (c == '+' && dial.empty())) dial.push_back(c);
    }
    absl::StrAppend(&html, "<li><a href=\"tel:", HtmlEscape(dial), "\">",
                    HtmlEscape(profile.phone()), "</a></li>");
  }
  return html.empty() ? "" : absl::StrCat("<ul class=\"note\">", html, "</ul>\n");
}

std::string QuoteLines(const v1::Order& order, const Writer& writer) {
  const Words& words = writer.words();
  const v1::Quote& quote = order.quote();
  std::string rows;
  auto add_row = [&rows](std::string_view item, std::string_view quantity,
                         std::string_view amount) {
    absl::StrAppend(&rows, "<tr><td>", HtmlEscape(item), "</td><td class=\"num\">",
                    HtmlEscape(quantity), "</td><td class=\"num\">", HtmlEscape(amount),
                    "</td></tr>\n");
  };
  for (const v1::QuoteLine& line : quote.lines()) {
    add_row(line.product_name().empty() ? line.line().product_code() : line.product_name(),
            absl::StrCat(line.line().quantity()), writer.Money(line.net()));
  }
  for (const v1::CustomQuoteLine& custom : quote.custom_lines()) {
    add_row(
        absl::StrCat(writer.Category(custom.line().category()), ": ", custom.line().description()),
        absl::StrCat(custom.line().quantity() < 1 ? 1 : custom.line().quantity()),
        writer.Money(custom.net()));
  }
  for (const v1::CrewCostLine& crew : quote.crew_lines()) {
    add_row(words.crew, "", writer.Money(crew.line_total()));
  }
  if (quote.has_transport() && MicrosOf(quote.transport()) != 0) {
    add_row(words.transport, "", writer.Money(quote.transport()));
  }
  if (quote.has_pinned_surcharge() && MicrosOf(quote.pinned_surcharge()) != 0) {
    add_row(words.pinned, "", writer.Money(quote.pinned_surcharge()));
  }

  std::string totals;
  auto add_total = [&totals](std::string_view label, std::string_view amount, bool grand) {
    absl::StrAppend(&totals, grand ? "<tr class=\"total\">" : "<tr>", "<td colspan=\"2\">",
                    HtmlEscape(label), "</td><td class=\"num\">", HtmlEscape(amount),
                    "</td></tr>\n");
  };
  add_total(words.net, writer.Money(quote.net_total()), false);
  for (const v1::TaxLine& tax : quote.tax_lines()) {
    add_total(
        absl::StrReplaceAll(words.tax, {{"{rate}", writer.Decimal(tax.tax_millionths(), 10000)},
                                        {"{net}", writer.Money(tax.net())}}),
        writer.Money(tax.tax()), false);
  }
  add_total(words.total, writer.Money(quote.total()), true);

  std::string html =
      absl::StrCat("<div class=\"lines\"><table>\n<thead><tr><th>", HtmlEscape(words.item),
                   "</th><th class=\"num\">", HtmlEscape(words.quantity), "</th><th class=\"num\">",
                   HtmlEscape(words.amount), "</th></tr></thead>\n<tbody>\n", rows,
                   "</tbody>\n<tfoot>\n", totals, "</tfoot>\n</table></div>\n");
  if (!quote.tax_note().empty()) {
    absl::StrAppend(&html, "<p class=\"note\">", HtmlEscape(quote.tax_note()), "</p>\n");
  }
  return html;
}

// Thanks and what happens next, for the pages after an acceptance.
std::string AfterAcceptance(const PageWords& page, std::string_view title,
                            const v1::CompanyProfile& profile, std::string_view name,
                            const std::string& news, const std::string& details) {
  return Page(
      page, title, profile,
      absl::StrCat("<h1>", HtmlEscape(title), "</h1>\n<p>",
                   Fill(page.thank_you, {{"{name}", AbslView(name)}}), " ", news, "</p>\n", details,
                   "<p class=\"note\">", HtmlEscape(page.questions), "</p>\n", Contact(profile)));
}

}  // namespace

std::string QuotePage(const v1::Order& order, const v1::CompanyProfile& profile,
                      v1::DocumentLanguage language, std::string_view pdf_url,
                      std::string_view accept_url, absl::Time expire_time) {
  const PageWords& page = PageWordsFor(language);
  const Writer writer(language, document_words::CompanyZone(profile));
  const Words& words = writer.words();
  const std::string revision = absl::StrCat(order.revision());

  std::string facts;
  AddFact(facts, words.quote_number, order.order_id());
  AddFact(facts, words.revision, revision);
  std::string customer = order.customer().name();
  if (!order.customer().contact_name().empty()) {
    absl::StrAppend(&customer, ", ", words.attention, " ", order.customer().contact_name());
  }
  AddFact(facts, page.customer, customer);
  if (!order.customer_reference().empty()) {
    AddFact(facts, words.your_reference, order.customer_reference());
  }
  std::string event = order.venue().name();
  const v1::EventSchedule& schedule = order.event_schedule();
  if (schedule.has_show_start_time()) {
    absl::StrAppend(&event, event.empty() ? "" : ", ", writer.Time(schedule.show_start_time()));
    if (schedule.has_show_end_time()) {
      absl::StrAppend(&event, " \u2013 ", writer.Time(schedule.show_end_time()));
    }
  }
  if (!event.empty()) AddFact(facts, words.event, event);
  AddFact(facts,
          order.phases().empty() ? std::string(words.delivery)
                                 : absl::StrCat(words.delivery, " ", order.venue().name()),
          writer.Commitment(order.delivery_window(), PromisedBy(order, false)));
  for (const v1::OrderPhase& phase : order.phases()) {
    AddFact(facts, absl::StrCat(words.delivery, " ", StopName(phase)),
            writer.Commitment(phase.delivery_window(),
                              phase.delivery_window().window().no_later_than()));
  }
  if (expire_time != absl::InfiniteFuture()) {
    AddFact(facts, words.valid_until, writer.Time(TimestampOf(expire_time)));
  }

  std::string body = absl::StrCat(
      "<h1>", HtmlEscape(words.quote), " ", HtmlEscape(order.order_id()), "</h1>\n<dl>\n", facts,
      "</dl>\n<p><a class=\"pdf\" href=\"", HtmlEscape(pdf_url), "\">",
      HtmlEscape(page.download_pdf), "</a></p>\n", QuoteLines(order, writer));
  if (!profile.terms().empty()) {
    absl::StrAppend(&body, "<h2>", HtmlEscape(words.terms), "</h2>\n<p class=\"terms\">",
                    HtmlEscape(profile.terms()), "</p>\n");
  }
  absl::StrAppend(
      &body, "<form method=\"post\" action=\"", HtmlEscape(accept_url), "\">\n<h2>",
      HtmlEscape(page.accept_heading), "</h2>\n<p>",
      Fill(page.accept_explanation, {{"{order}", order.order_id()},
                                     {"{revision}", revision},
                                     {"{total}", writer.Money(order.quote().total())}}),
      "</p>\n<label for=\"name\">", HtmlEscape(page.your_name),
      "</label>\n<input id=\"name\" name=\"name\" type=\"text\" required maxlength=\"200\" "
      "autocomplete=\"name\">\n<button type=\"submit\">",
      HtmlEscape(page.accept_button), "</button>\n</form>\n");
  return Page(page, absl::StrCat(words.quote, " ", order.order_id()), profile, body);
}

std::string ConfirmedPage(const v1::Order& order, const v1::CompanyProfile& profile,
                          v1::DocumentLanguage language, std::string_view accepted_by_name) {
  const PageWords& page = PageWordsFor(language);
  const Writer writer(language, document_words::CompanyZone(profile));
  std::vector<std::pair<std::string, std::string>> stops = {
      {order.venue().name(), writer.Commitment(order.delivery_window(), PromisedBy(order, true))}};
  for (const v1::OrderPhase& phase : order.phases()) {
    stops.emplace_back(StopName(phase),
                       writer.Commitment(phase.delivery_window(),
                                         phase.delivery_window().window().no_later_than()));
  }
  std::string deliveries;
  for (const auto& [venue, commitment] : stops) {
    absl::StrAppend(&deliveries, "<li>",
                    venue.empty()
                        ? Fill(page.delivered_no_venue, {{"{commitment}", commitment}})
                        : Fill(page.delivered, {{"{commitment}", commitment}, {"{venue}", venue}}),
                    "</li>\n");
  }
  return AfterAcceptance(page, page.confirmed_title, profile, accepted_by_name,
                         Fill(page.confirmed, {{"{order}", order.order_id()}}),
                         absl::StrCat("<ul>\n", deliveries, "</ul>\n"));
}

std::string ReceivedPage(const v1::Order& order, const v1::CompanyProfile& profile,
                         v1::DocumentLanguage language, std::string_view accepted_by_name) {
  const PageWords& page = PageWordsFor(language);
  return AfterAcceptance(page, page.received_title, profile, accepted_by_name,
                         Fill(page.received, {{"{order}", order.order_id()}}), "");
}

std::string RefusedPage(LinkRefusal refusal, const v1::CompanyProfile& profile,
                        v1::DocumentLanguage language) {
  const PageWords& page = PageWordsFor(language);
  const char* reason = page.invalid;
  switch (refusal) {
    case LinkRefusal::kInvalid:
      reason = page.invalid;
      break;
    case LinkRefusal::kExpired:
      reason = page.expired;
      break;
    case LinkRefusal::kAlreadyUsed:
      reason = page.already_used;
      break;
    case LinkRefusal::kSuperseded:
      reason = page.superseded;
      break;
  }
  return Page(page, page.refused_title, profile,
              absl::StrCat("<h1>", HtmlEscape(page.refused_title), "</h1>\n<p>", HtmlEscape(reason),
                           "</p>\n<p>", Fill(page.contact, {{"{company}", profile.name()}}),
                           "</p>\n", Contact(profile)));
}

}  // namespace salesops::order_intake
