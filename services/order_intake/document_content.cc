#include "services/order_intake/document_content.h"

#include <absl/strings/ascii.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <absl/strings/str_replace.h>
#include <absl/time/time.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "services/common/errors.h"
#include "services/common/money.h"
#include "services/common/skill_codes.h"
#include "services/order_intake/directory_rules.h"
#include "services/order_intake/document_words.h"
#include "services/order_intake/rating.h"

namespace salesops::order_intake {
namespace {

using document_words::CompanyZone;
using document_words::FooterOf;
using document_words::MicrosOf;
using document_words::SenderOf;
using document_words::WarehouseWords;
using document_words::Words;
using document_words::Writer;
using documents::Column;
using documents::Document;
using documents::Heading;
using documents::KeyValues;
using documents::Paragraph;
using documents::Table;
using documents::TotalLine;
using documents::Totals;

constexpr Words kEnglish = {
    "Quote",
    "Order confirmation",
    "Quote no.",
    "Order no.",
    "Revision",
    "Date",
    "Valid until",
    "Your reference",
    "Event",
    "Delivery",
    "no later than {time}",
    "between {from} and {to}",
    "Item",
    "Qty",
    "Unit price",
    "Amount",
    "Crew",
    "Transport",
    "Exact delivery time",
    "Discount",
    "Net",
    "VAT {rate} % on {net}",
    "Total",
    "Options (not included in the total)",
    "instead of",
    "Converted at",
    "Attn.",
    "VAT ID",
    "Terms",
    "We confirm order {order}, revision {revision}: delivered {commitment} at {venue}, with "
    "the lines and prices below.",
    "Page {page} of {pages}",
    "Service",
    "Production",
    "Fee",
    "%d %b %Y %H:%M",
};

constexpr Words kGerman = {
    "Angebot",
    "Auftragsbestätigung",
    "Angebotsnr.",
    "Auftragsnr.",
    "Revision",
    "Datum",
    "Gültig bis",
    "Ihr Zeichen",
    "Veranstaltung",
    "Lieferung",
    "spätestens {time}",
    "zwischen {from} und {to}",
    "Position",
    "Menge",
    "Einzelpreis",
    "Betrag",
    "Personal",
    "Transport",
    "Feste Lieferzeit",
    "Rabatt",
    "Netto",
    "USt. {rate} % auf {net}",
    "Gesamt",
    "Optionen (nicht im Gesamtbetrag enthalten)",
    "statt",
    "Umgerechnet zu",
    "z. Hd.",
    "USt-IdNr.",
    "Bedingungen",
    "Wir bestätigen Auftrag {order}, Revision {revision}: Lieferung {commitment} an {venue}, "
    "mit den folgenden Positionen und Preisen.",
    "Seite {page} von {pages}",
    "Dienstleistung",
    "Produktion",
    "Gebühr",
    "%d.%m.%Y %H:%M",
};

constexpr WarehouseWords kEnglishWarehouse = {
    "Pull sheet",
    "Delivery note",
    "Code",
    "Description",
    "To pull",
    "Pulled",
    "Delivered",
    "To return",
    "used up",
    "(consumable, not returned)",
    "{quantity} from {supplier}",
    "{part}: {quantity}, {from} to {to}",
    "Notes (on the order, nothing to pull)",
    "Loading",
    "Access",
    "Strike",
    "Pulled by",
    "Checked by",
    "Driver",
    "Received by (name, date)",
};

constexpr WarehouseWords kGermanWarehouse = {
    "Packliste",
    "Lieferschein",
    "Code",
    "Beschreibung",
    "Menge",
    "Gepackt",
    "Geliefert",
    "Zurück",
    "verbraucht",
    "(Verbrauchsmaterial, keine Rückgabe)",
    "{quantity} von {supplier}",
    "{part}: {quantity}, {from} bis {to}",
    "Hinweise (zum Auftrag, nichts zu packen)",
    "Anlieferung",
    "Zugang",
    "Abbau",
    "Gepackt von",
    "Geprüft von",
    "Fahrer",
    "Empfangen von (Name, Datum)",
};

}  // namespace

namespace document_words {

int64_t MicrosOf(const google::type::Money& money) {
  return common::MoneyToMicros(money, "an amount").value_or(0);
}

Writer::Writer(v1::DocumentLanguage language, absl::TimeZone zone)
    : words_(language == v1::DOCUMENT_LANGUAGE_GERMAN ? kGerman : kEnglish),
      warehouse_(language == v1::DOCUMENT_LANGUAGE_GERMAN ? kGermanWarehouse : kEnglishWarehouse),
      german_(language == v1::DOCUMENT_LANGUAGE_GERMAN),
      zone_(zone) {}

std::string Writer::Money(const google::type::Money& money) const {
  std::string text = rating::FormatMoney(MicrosOf(money), money.currency_code());
  // 1,234.56 EUR -> 1.234,56 EUR. StrReplaceAll replaces every pattern in one pass and never
  // rescans what it put in, so the two separators swap without a placeholder (one would stay).
  if (german_) text = absl::StrReplaceAll(text, {{",", "."}, {".", ","}});
  return text;
}

std::string Writer::Time(const google::protobuf::Timestamp& timestamp) const {
  return absl::FormatTime(words_.time_format, absl::FromUnixSeconds(timestamp.seconds()), zone_);
}

std::string Writer::Decimal(int64_t value, int64_t per_unit) const {
  std::string text = absl::StrCat(value / per_unit);
  if (value % per_unit != 0) {
    std::string fraction = absl::StrCat(per_unit + value % per_unit).substr(1);
    while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
    absl::StrAppend(&text, german_ ? "," : ".", fraction);
  }
  return text;
}

std::string Writer::Commitment(const v1::DeliveryWindow& delivery,
                               const google::protobuf::Timestamp& no_later_than) const {
  if (delivery.pinned() && delivery.window().has_not_before()) {
    return absl::StrReplaceAll(words_.between, {{"{from}", Time(delivery.window().not_before())},
                                                {"{to}", Time(no_later_than)}});
  }
  return absl::StrReplaceAll(words_.no_later_than, {{"{time}", Time(no_later_than)}});
}

std::string Writer::Category(v1::CustomLineCategory category) const {
  switch (category) {
    case v1::CUSTOM_LINE_CATEGORY_SERVICE:
      return words_.service;
    case v1::CUSTOM_LINE_CATEGORY_TRANSPORT:
      return words_.transport;
    case v1::CUSTOM_LINE_CATEGORY_PRODUCTION:
      return words_.production;
    default:
      return words_.fee;
  }
}

std::vector<std::string> SenderOf(const v1::CompanyProfile& profile, const Words& words) {
  std::vector<std::string> lines = {profile.name()};
  for (const std::string& line : profile.address_lines()) lines.push_back(line);
  if (!profile.tax_id().empty()) lines.push_back(absl::StrCat(words.tax_id, " ", profile.tax_id()));
  if (!profile.email().empty()) lines.push_back(profile.email());
  if (!profile.phone().empty()) lines.push_back(profile.phone());
  return lines;
}

absl::TimeZone CompanyZone(const v1::CompanyProfile& profile) {
  absl::TimeZone zone = absl::UTCTimeZone();
  if (!profile.zone_id().empty() && !LoadZoneByName(profile.zone_id(), &zone)) {
    zone = absl::UTCTimeZone();  // checked when the profile was set; a vanished zone is UTC
  }
  return zone;
}

std::string FooterOf(const v1::CompanyProfile& profile) {
  return absl::StrJoin({profile.bank_details(), profile.footer_text()}, "\n");
}

}  // namespace document_words

namespace {

// "video", "grandma3 operator": a crew line's skill code as a word on the page.
std::string SkillWord(const std::string& skill_code) {
  std::string word = common::SkillWord(skill_code);
  std::replace(word.begin(), word.end(), '-', ' ');
  return word;
}

std::string Quantity(int quantity) { return absl::StrCat(quantity < 1 ? 1 : quantity); }

std::vector<std::string> RecipientOf(const v1::Order& order, const Words& words) {
  std::vector<std::string> lines;
  const v1::Organisation& organisation = order.directory_snapshot().organisation();
  lines.push_back(organisation.name().empty() ? order.customer().name() : organisation.name());
  if (!order.customer().contact_name().empty()) {
    lines.push_back(absl::StrCat(words.attention, " ", order.customer().contact_name()));
  }
  const google::type::PostalAddress& address = organisation.billing_address();
  for (const std::string& line : address.address_lines()) lines.push_back(line);
  std::string town = absl::StrJoin({address.postal_code(), address.locality()}, " ");
  if (town != " ") lines.push_back(std::string(absl::StripAsciiWhitespace(town)));
  if (!address.region_code().empty()) lines.push_back(address.region_code());
  if (!organisation.tax_id().empty()) {
    lines.push_back(absl::StrCat(words.tax_id, " ", organisation.tax_id()));
  }
  return lines;
}

// The name a phase is shown under: its own, else its venue's; "" for the main part.
std::string PhaseTitle(const v1::Order& order, const std::string& phase_id) {
  if (phase_id.empty()) return order.venue().name();
  for (const v1::OrderPhase& phase : order.phases()) {
    if (phase.phase_id() != phase_id) continue;
    return phase.name().empty() ? phase.venue().name() : phase.name();
  }
  return phase_id;
}

void AddSubLine(Table& table, const std::string& text) {
  if (!text.empty()) table.rows.push_back({"\t" + text, "", "", ""});
}

// The lines of the quote, a group per phase when the order has phases.
void AddLines(const v1::Order& order, const Writer& writer, std::vector<documents::Block>& blocks) {
  const Words& words = writer.words();
  const v1::Quote& quote = order.quote();
  std::vector<std::string> phase_ids = {""};
  for (const v1::OrderPhase& phase : order.phases()) phase_ids.push_back(phase.phase_id());
  const std::vector<Column> columns = {{words.item, 94, false},
                                       {words.quantity, 14, true},
                                       {words.unit_price, 32, true},
                                       {words.amount, 34, true}};
  for (const std::string& phase_id : phase_ids) {
    Table table{columns, {}};
    for (const v1::QuoteLine& line : quote.lines()) {
      if (line.phase_id() != phase_id) continue;
      table.rows.push_back(
          {absl::StrCat(line.product_name(), " (", line.line().product_code(), ")"),
           Quantity(line.line().quantity()), writer.Money(line.unit_price()),
           writer.Money(line.line_total())});
      AddSubLine(table, line.explanation());
      if (line.has_discount()) {
        AddSubLine(table, absl::StrCat(words.discount, ": ", line.discount().reason(), " (-",
                                       writer.Money(line.discount_amount()), ")"));
      }
    }
    for (const v1::CrewCostLine& crew : quote.crew_lines()) {
      if (crew.phase_id() != phase_id) continue;
      table.rows.push_back({absl::StrCat(words.crew, ": ", SkillWord(common::SkillCodeOf(crew))), "",
                            writer.Money(crew.hourly_cost()), writer.Money(crew.line_total())});
      AddSubLine(table, crew.explanation());
    }
    if (table.rows.empty()) continue;
    if (!order.phases().empty()) blocks.push_back(Heading{PhaseTitle(order, phase_id)});
    blocks.push_back(std::move(table));
  }
  Table extras{columns, {}};
  if (quote.has_pinned_surcharge() && MicrosOf(quote.pinned_surcharge()) != 0) {
    extras.rows.push_back({words.pinned, "", "", writer.Money(quote.pinned_surcharge())});
    AddSubLine(extras, order.delivery_window().pinned_reason());
  }
  if (quote.has_transport() && MicrosOf(quote.transport()) != 0) {
    extras.rows.push_back({words.transport, "", "", writer.Money(quote.transport())});
    AddSubLine(extras, quote.transport_explanation());
  }
  for (const v1::CustomQuoteLine& custom : quote.custom_lines()) {
    extras.rows.push_back(
        {absl::StrCat(writer.Category(custom.line().category()), ": ", custom.line().description()),
         Quantity(custom.line().quantity()), writer.Money(custom.line().unit_price()),
         writer.Money(custom.line_total())});
  }
  if (!extras.rows.empty()) blocks.push_back(std::move(extras));
}

void AddTotals(const v1::Order& order, const Writer& writer,
               std::vector<documents::Block>& blocks) {
  const Words& words = writer.words();
  const v1::Quote& quote = order.quote();
  Totals totals;
  if (quote.has_discount_total() && MicrosOf(quote.discount_total()) != 0) {
    std::string label = words.discount;
    if (quote.has_order_discount()) absl::StrAppend(&label, ": ", quote.order_discount().reason());
    totals.lines.push_back({label, "-" + writer.Money(quote.discount_total()), false});
  }
  totals.lines.push_back({words.net, writer.Money(quote.net_total()), false});
  for (const v1::TaxLine& tax : quote.tax_lines()) {
    totals.lines.push_back(
        {absl::StrReplaceAll(words.tax, {{"{rate}", writer.Decimal(tax.tax_millionths(), 10000)},
                                         {"{net}", writer.Money(tax.net())}}),
         writer.Money(tax.tax()), false});
  }
  totals.lines.push_back({words.total, writer.Money(quote.total()), true});
  blocks.push_back(std::move(totals));
  if (!quote.tax_note().empty()) blocks.push_back(Paragraph{quote.tax_note(), true});
  for (const v1::QuoteExchangeRate& rate : quote.exchange_rates()) {
    blocks.push_back(Paragraph{
        absl::StrCat(words.converted, " 1 ", rate.from_currency(), " = ",
                     writer.Decimal(rate.factor_millionths(), 1000000), " ", rate.to_currency()),
        true});
  }
}

void AddOptions(const v1::Order& order, const Writer& writer,
                std::vector<documents::Block>& blocks) {
  const Words& words = writer.words();
  if (order.quote().optional_lines().empty()) return;
  blocks.push_back(Heading{words.options});
  Table table{{{words.item, 94, false},
               {words.quantity, 14, true},
               {words.unit_price, 32, true},
               {words.amount, 34, true}},
              {}};
  for (int i = 0; i < order.quote().optional_lines_size(); ++i) {
    const v1::QuoteLine& line = order.quote().optional_lines(i);
    std::string item = absl::StrCat(line.product_name(), " (", line.line().product_code(), ")");
    if (i < order.optional_lines_size() && !order.optional_lines(i).instead_of().empty()) {
      absl::StrAppend(&item, ", ", words.instead_of, " ", order.optional_lines(i).instead_of());
    }
    table.rows.push_back({item, Quantity(line.line().quantity()), writer.Money(line.unit_price()),
                          writer.Money(line.line_total())});
    if (i < order.optional_lines_size()) AddSubLine(table, order.optional_lines(i).note());
  }
  blocks.push_back(std::move(table));
}

std::string PartNeeds(const v1::Order& order, const v1::PullSheetLine& line, const Writer& writer) {
  std::vector<std::string> parts;
  for (const v1::PullSheetNeed& need : line.needs()) {
    std::string part = PhaseTitle(order, need.phase_id());
    parts.push_back(absl::StrReplaceAll(writer.warehouse().part_need,
                                        {{"{part}", part},
                                         {"{quantity}", absl::StrCat(need.quantity())},
                                         {"{from}", writer.Time(need.window().not_before())},
                                         {"{to}", writer.Time(need.window().no_later_than())}}));
  }
  return absl::StrJoin(parts, "; ");
}

// What to pull, a table per warehouse and category in picking order, each code with its barcode
// and a column to tick; the parts that need a code when there are several, and sub-rented units.
void AddPullSheet(const v1::Order& order, const v1::PullSheet& sheet, const Writer& writer,
                  std::vector<documents::Block>& blocks) {
  const WarehouseWords& words = writer.warehouse();
  for (const v1::PullSheetGroup& group : sheet.groups()) {
    blocks.push_back(Heading{absl::StrJoin({group.warehouse_id(), group.category()}, " · ")});
    Column code{words.code, 58, false};
    code.barcode = true;
    Table table{
        {code, {words.description, 72, false}, {words.to_pull, 22, true}, {words.tick, 22, true}},
        {}};
    for (const v1::PullSheetLine& line : group.lines()) {
      std::string description = line.description();
      if (line.tracking() == v1::TRACKING_MODE_CONSUMABLE) {
        absl::StrAppend(&description, " ", words.consumable);
      }
      table.rows.push_back(
          {line.inventory_code(), description, absl::StrCat(line.quantity_to_pull()), ""});
      if (line.needs_size() > 1) AddSubLine(table, PartNeeds(order, line, writer));
      if (line.from_sub_rental() > 0) {
        AddSubLine(table, absl::StrReplaceAll(words.from_supplier,
                                              {{"{quantity}", absl::StrCat(line.from_sub_rental())},
                                               {"{supplier}", line.supplier_name()}}));
      }
    }
    blocks.push_back(std::move(table));
  }
}

// What left and what must come back: consumables are used up at the event.
void AddDelivered(const v1::PullSheet& sheet, const Writer& writer,
                  std::vector<documents::Block>& blocks) {
  const WarehouseWords& words = writer.warehouse();
  Table table{{{words.code, 50, false},
               {words.description, 76, false},
               {words.delivered, 24, true},
               {words.to_return, 24, true}},
              {}};
  for (const v1::PullSheetGroup& group : sheet.groups()) {
    for (const v1::PullSheetLine& line : group.lines()) {
      if (line.quantity_checked_out() == 0) continue;
      const bool consumable = line.tracking() == v1::TRACKING_MODE_CONSUMABLE;
      table.rows.push_back(
          {line.inventory_code(), line.description(), absl::StrCat(line.quantity_checked_out()),
           consumable ? words.used_up : absl::StrCat(line.quantity_checked_out())});
    }
  }
  blocks.push_back(std::move(table));
}

void AddSheetNotes(const v1::PullSheet& sheet, const Writer& writer,
                   std::vector<documents::Block>& blocks) {
  if (sheet.notes().empty()) return;
  blocks.push_back(Heading{writer.warehouse().notes});
  Table table{{{writer.words().item, 150, false}, {writer.words().quantity, 24, true}}, {}};
  for (const v1::PullSheetNote& note : sheet.notes()) {
    table.rows.push_back({absl::StrCat(writer.Category(note.category()), ": ", note.description()),
                          Quantity(note.quantity())});
  }
  blocks.push_back(std::move(table));
}

bool WasConfirmed(v1::OrderStage stage) {
  switch (stage) {
    case v1::ORDER_STAGE_CONFIRMED:
    case v1::ORDER_STAGE_IN_PREP:
    case v1::ORDER_STAGE_READY:
    case v1::ORDER_STAGE_DISPATCHED:
    case v1::ORDER_STAGE_ON_SITE:
    case v1::ORDER_STAGE_RETURNED:
    case v1::ORDER_STAGE_CLOSED:
      return true;
    default:
      return false;
  }
}

}  // namespace

absl::StatusOr<Document> DocumentOf(const v1::Order& order, const v1::CompanyProfile& profile,
                                    v1::DocumentKind kind, v1::DocumentLanguage language,
                                    const v1::PullSheet* sheet) {
  const Writer writer(language, CompanyZone(profile));
  const Words& words = writer.words();
  const bool confirmation = kind == v1::DOCUMENT_KIND_ORDER_CONFIRMATION;
  const bool warehouse =
      kind == v1::DOCUMENT_KIND_PULL_SHEET || kind == v1::DOCUMENT_KIND_DELIVERY_NOTE;
  if ((confirmation || warehouse) &&
      (!WasConfirmed(order.stage()) || !order.commitment().has_no_later_than())) {
    return common::ReasonedError(
        absl::StatusCode::kFailedPrecondition, v1::INVALID_STAGE_TRANSITION,
        absl::StrCat("order ", order.order_id(), " revision ", order.revision(),
                     " was not confirmed, so it has no ",
                     confirmation ? "order confirmation" : "pull sheet or delivery note"));
  }
  if (warehouse && sheet == nullptr) {
    return absl::InternalError("a warehouse document needs the order's pull sheet");
  }

  Document document;
  document.title = confirmation                              ? words.confirmation
                   : kind == v1::DOCUMENT_KIND_PULL_SHEET    ? writer.warehouse().pull_sheet
                   : kind == v1::DOCUMENT_KIND_DELIVERY_NOTE ? writer.warehouse().delivery_note
                                                             : words.quote;
  document.sender_lines = SenderOf(profile, words);
  document.logo_png = profile.logo_png();
  document.recipient_lines = RecipientOf(order, words);
  document.footer = FooterOf(profile);
  document.page_label = words.page;
  document.pdf_title = absl::StrCat(document.title, " ", order.order_id(), " ", words.revision, " ",
                                    order.revision());
  document.pdf_author = profile.name();
  document.creation_date =
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(order.update_time().seconds()),
                       absl::UTCTimeZone());

  KeyValues facts;
  facts.pairs.push_back({kind == v1::DOCUMENT_KIND_QUOTE ? words.quote_number : words.order_number,
                         order.order_id()});
  facts.pairs.push_back({words.revision, absl::StrCat(order.revision())});
  facts.pairs.push_back({words.date, writer.Time(order.update_time())});
  if (kind == v1::DOCUMENT_KIND_QUOTE && order.has_quote_expire_time()) {
    facts.pairs.push_back({words.valid_until, writer.Time(order.quote_expire_time())});
  }
  if (!order.customer_reference().empty()) {
    facts.pairs.push_back({words.your_reference, order.customer_reference()});
  }
  std::string event = order.venue().name();
  if (order.event_schedule().has_show_start_time()) {
    absl::StrAppend(&event, event.empty() ? "" : ", ",
                    writer.Time(order.event_schedule().show_start_time()));
  }
  if (!event.empty()) facts.pairs.push_back({words.event, event});
  // The order's commitment is its last stop's when it has phases; each stop is delivered by its
  // own window, which confirmation held the plan to, so a toured order names each.
  const google::protobuf::Timestamp& deliver_by =
      kind == v1::DOCUMENT_KIND_QUOTE || !order.phases().empty()
          ? order.delivery_window().window().no_later_than()
          : order.commitment().no_later_than();
  facts.pairs.push_back({order.phases().empty()
                             ? std::string(words.delivery)
                             : absl::StrCat(words.delivery, " ", PhaseTitle(order, "")),
                         writer.Commitment(order.delivery_window(), deliver_by)});
  for (const v1::OrderPhase& phase : order.phases()) {
    facts.pairs.push_back({absl::StrCat(words.delivery, " ", PhaseTitle(order, phase.phase_id())),
                           writer.Commitment(phase.delivery_window(),
                                             phase.delivery_window().window().no_later_than())});
  }
  if (warehouse) {
    const WarehouseWords& ops = writer.warehouse();
    if (order.event_schedule().has_strike_time()) {
      facts.pairs.push_back({ops.strike, writer.Time(order.event_schedule().strike_time())});
    }
    if (!order.venue().loading_dock_notes().empty()) {
      facts.pairs.push_back({ops.loading, order.venue().loading_dock_notes()});
    }
    if (!order.venue().access_notes().empty()) {
      facts.pairs.push_back({ops.access, order.venue().access_notes()});
    }
  }
  document.blocks.push_back(std::move(facts));
  if (kind == v1::DOCUMENT_KIND_PULL_SHEET) {
    AddPullSheet(order, *sheet, writer, document.blocks);
    AddSheetNotes(*sheet, writer, document.blocks);
    document.blocks.push_back(
        documents::SignatureLines{{writer.warehouse().pulled_by, writer.warehouse().checked_by}});
    return document;
  }
  if (kind == v1::DOCUMENT_KIND_DELIVERY_NOTE) {
    AddDelivered(*sheet, writer, document.blocks);
    AddSheetNotes(*sheet, writer, document.blocks);
    document.blocks.push_back(
        documents::SignatureLines{{writer.warehouse().driver, writer.warehouse().received_by}});
    return document;
  }

  if (confirmation) {
    document.blocks.push_back(Paragraph{absl::StrReplaceAll(
        words.confirmation_text,
        {{"{order}", order.order_id()},
         {"{revision}", absl::StrCat(order.revision())},
         {"{commitment}", writer.Commitment(order.delivery_window(), deliver_by)},
         {"{venue}", order.venue().name()}})});
  }
  AddLines(order, writer, document.blocks);
  AddTotals(order, writer, document.blocks);
  if (!confirmation) AddOptions(order, writer, document.blocks);
  if (!profile.terms().empty()) {
    document.blocks.push_back(Heading{words.terms});
    document.blocks.push_back(Paragraph{profile.terms(), true});
  }
  return document;
}

}  // namespace salesops::order_intake
