// Issue 18's documents over real gRPC on the four services and PostgreSQL: the company profile,
// a quote and an order confirmation rendered to PDF, read back with pdftotext and pdftoppm, and
// kept byte for byte.
#include <absl/strings/str_format.h>
#include <absl/time/time.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "services/common/grpc_errors.h"
#include "tests/order_intake/order_fixture.h"

namespace salesops::testing {
namespace {

using common::ParseGrpcError;

class DocumentsTest : public OrderSuiteTest {
 protected:
  const TestTokens& tokens() const { return suite_.orders->tokens(); }

  grpc::Status SetProfile(const v1::CompanyProfile& profile, const std::string& token,
                          v1::SetCompanyProfileResponse* response) {
    v1::SetCompanyProfileRequest request;
    *request.mutable_profile() = profile;
    return suite_.orders->Call(&OrderStub::SetCompanyProfile, request, response, token);
  }

  static v1::CompanyProfile Brightside() {
    v1::CompanyProfile profile;
    profile.set_name("Brightside Event Technology GmbH");
    profile.add_address_lines("Hafenstraße 12");
    profile.add_address_lines("20457 Hamburg");
    profile.set_tax_id("DE123456789");
    profile.set_bank_details("IBAN DE89 3704 0044 0532 0130 00");
    profile.set_footer_text("Amtsgericht Hamburg HRB 12345");
    profile.set_terms("Payment within 14 days of the invoice.");
    profile.set_zone_id("Europe/Berlin");
    return profile;
  }

  grpc::Status Document(const std::string& order_id, v1::DocumentKind kind,
                        v1::GetDocumentResponse* response,
                        v1::DocumentLanguage language = v1::DOCUMENT_LANGUAGE_UNSPECIFIED,
                        int64_t revision = 0) {
    v1::GetDocumentRequest request;
    request.set_order_id(order_id);
    request.set_kind(kind);
    request.set_language(language);
    request.set_order_revision(revision);
    return suite_.orders->Call(&OrderStub::GetDocument, request, response, tokens().sales);
  }

  v1::Order QuotedOrder() {
    v1::Order draft = Draft(1);
    draft.set_customer_reference("PO-7781");
    v1::CustomLine* banners = draft.add_custom_lines();
    banners->set_category(v1::CUSTOM_LINE_CATEGORY_PRODUCTION);
    banners->set_description("Printed banners <3 m> & frames");
    banners->mutable_unit_price()->set_currency_code("EUR");
    banners->mutable_unit_price()->set_units(240);
    v1::CreateOrderResponse created;
    grpc::Status status = Create(draft, &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return created.order();
  }
};

TEST_F(DocumentsTest, AProfileIsAdminsAndMustHoldAPngAndARealTimeZone) {
  v1::SetCompanyProfileResponse response;
  EXPECT_EQ(SetProfile(Brightside(), tokens().sales, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::CompanyProfile bad = Brightside();
  bad.set_logo_png("GIF89a not a png");
  bad.set_zone_id("Mars/Olympus_Mons");
  grpc::Status refused = SetProfile(bad, tokens().admin, &response);
  ASSERT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::set<std::string> fields;
  for (const auto& violation : ParseGrpcError(refused).violations) fields.insert(violation.field);
  EXPECT_EQ(fields, (std::set<std::string>{"profile.logo_png", "profile.zone_id"}));

  v1::GetCompanyProfileResponse read;
  EXPECT_EQ(suite_.orders
                ->Call(&OrderStub::GetCompanyProfile, v1::GetCompanyProfileRequest(), &read,
                       tokens().sales)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);  // nothing was written
  ASSERT_TRUE(SetProfile(Brightside(), tokens().admin, &response).ok());
  v1::CompanyProfile stale = Brightside();
  v1::SetCompanyProfileRequest with_etag;
  *with_etag.mutable_profile() = stale;
  with_etag.set_etag("999");
  v1::SetCompanyProfileResponse ignored;
  EXPECT_EQ(suite_.orders->Call(&OrderStub::SetCompanyProfile, with_etag, &ignored, tokens().admin)
                .error_code(),
            grpc::StatusCode::ABORTED);
  ASSERT_TRUE(
      suite_.orders
          ->Call(&OrderStub::GetCompanyProfile, v1::GetCompanyProfileRequest(), &read, tokens().ops)
          .ok());
  EXPECT_EQ(read.profile().name(), "Brightside Event Technology GmbH");
}

TEST_F(DocumentsTest, AQuoteIsRenderedOnceFromItsRevisionAndKeptByteForByte) {
  const v1::Order order = QuotedOrder();
  v1::GetDocumentResponse first;
  grpc::Status status = Document(order.order_id(), v1::DOCUMENT_KIND_QUOTE, &first);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << "no profile yet";

  v1::SetCompanyProfileResponse profile;
  ASSERT_TRUE(SetProfile(Brightside(), tokens().admin, &profile).ok());
  status = Document(order.order_id(), v1::DOCUMENT_KIND_QUOTE, &first);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::Document& quote = first.document();
  EXPECT_EQ(quote.order_revision(), order.revision());
  EXPECT_EQ(quote.language(), v1::DOCUMENT_LANGUAGE_ENGLISH);
  EXPECT_EQ(quote.sha256().size(), 64u);
  const std::string text = PdfText(quote.pdf());
  for (const std::string& expected :
       {std::string("Quote"), std::string("Brightside Event Technology GmbH"), order.order_id(),
        std::string("Revision"), std::string("LED wall 3 x 2 m (LED-WALL-3X2)"),
        std::string("PO-7781"), std::string("Printed banners <3 m> & frames"),
        std::string("IBAN DE89"), std::string("Payment within 14 days"), std::string("Total"),
        std::string("Page 1 of 1")}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
  }
  // The total as the quote computed it, thousands grouped: "1,320.00 EUR".
  const int64_t units = order.quote().total().units();
  const std::string total =
      (units >= 1000 ? absl::StrCat(units / 1000, ",", absl::StrFormat("%03d", units % 1000))
                     : absl::StrCat(units)) +
      absl::StrFormat(".%02d EUR", order.quote().total().nanos() / 10000000);
  EXPECT_NE(text.find(total), std::string::npos) << total << "\n" << text;
  EXPECT_GT(PdfPageInk(quote.pdf()), 0.01) << "the page is blank";

  // Asked again, after the profile changed: the same bytes, not a new rendering.
  v1::CompanyProfile renamed = Brightside();
  renamed.set_name("Brightside Renamed AG");
  ASSERT_TRUE(SetProfile(renamed, tokens().admin, &profile).ok());
  v1::GetDocumentResponse again;
  ASSERT_TRUE(Document(order.order_id(), v1::DOCUMENT_KIND_QUOTE, &again).ok());
  EXPECT_EQ(again.document().sha256(), quote.sha256());
  EXPECT_EQ(again.document().pdf(), quote.pdf());

  // In German, a document of its own.
  v1::GetDocumentResponse german;
  ASSERT_TRUE(
      Document(order.order_id(), v1::DOCUMENT_KIND_QUOTE, &german, v1::DOCUMENT_LANGUAGE_GERMAN)
          .ok());
  const std::string german_text = PdfText(german.document().pdf());
  EXPECT_NE(german_text.find("Angebot"), std::string::npos) << german_text;
  EXPECT_NE(german_text.find("Gesamt"), std::string::npos) << german_text;
  EXPECT_NE(german_text.find("Seite 1 von 1"), std::string::npos) << german_text;
  EXPECT_NE(german.document().sha256(), quote.sha256());

  // An unknown order, or a revision it never had, is NOT_FOUND.
  EXPECT_EQ(Document("ORD-NOPE", v1::DOCUMENT_KIND_QUOTE, &again).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Document(order.order_id(), v1::DOCUMENT_KIND_QUOTE, &again,
                     v1::DOCUMENT_LANGUAGE_UNSPECIFIED, 99)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(DocumentsTest, AnOrderConfirmationStatesTheCommitmentOfAConfirmedRevisionOnly) {
  v1::SetCompanyProfileResponse profile;
  ASSERT_TRUE(SetProfile(Brightside(), tokens().admin, &profile).ok());
  const v1::Order order = QuotedOrder();
  v1::GetDocumentResponse document;
  grpc::Status status = Document(order.order_id(), v1::DOCUMENT_KIND_ORDER_CONFIRMATION, &document);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ParseGrpcError(status).reason, "INVALID_STAGE_TRANSITION");

  v1::ConfirmOrderResponse confirmed;
  status = Confirm(order, &confirmed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  status = Document(order.order_id(), v1::DOCUMENT_KIND_ORDER_CONFIRMATION, &document);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const std::string text = PdfText(document.document().pdf());
  EXPECT_NE(text.find("Order confirmation"), std::string::npos) << text;
  EXPECT_NE(text.find("delivered no later than"), std::string::npos) << text;
  // The commitment's time in the company's zone (Europe/Berlin), as "%d %b %Y %H:%M".
  const absl::Time committed =
      absl::FromUnixSeconds(confirmed.order().commitment().no_later_than().seconds());
  absl::TimeZone berlin;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Berlin", &berlin));
  const std::string when = absl::FormatTime("%d %b %Y %H:%M", committed, berlin);
  EXPECT_NE(text.find(when), std::string::npos) << when << "\n" << text;
  EXPECT_NE(text.find(absl::StrCat("We confirm order ", order.order_id(), ", revision ",
                                   confirmed.order().revision())),
            std::string::npos)
      << text;
  EXPECT_GT(PdfPageInk(document.document().pdf()), 0.01);
}

TEST_F(DocumentsTest, ThePullSheetCarriesBarcodesAndTheDeliveryNoteWhatLeftAndComesBack) {
  v1::SetCompanyProfileResponse profile;
  ASSERT_TRUE(SetProfile(Brightside(), tokens().admin, &profile).ok());
  const v1::Order order = QuotedOrder();
  v1::GetDocumentResponse document;
  EXPECT_EQ(Document(order.order_id(), v1::DOCUMENT_KIND_PULL_SHEET, &document).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION)
      << "a quote has no pull sheet";
  v1::ConfirmOrderResponse confirmed;
  grpc::Status status = Confirm(order, &confirmed);
  ASSERT_TRUE(status.ok()) << status.error_message();

  status = Document(order.order_id(), v1::DOCUMENT_KIND_PULL_SHEET, &document);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const std::string sheet_text = PdfText(document.document().pdf());
  for (const std::string expected :
       {"Pull sheet", "LED-PANEL-500", "To pull", "24", "Notes (on the order, nothing to pull)",
        "Printed banners <3 m> & frames", "Pulled by", "Checked by"}) {
    EXPECT_NE(sheet_text.find(expected), std::string::npos) << expected << "\n" << sheet_text;
  }
  // The code is scannable from the printed page.
  const std::vector<std::string> barcodes = PdfBarcodes(document.document().pdf());
  EXPECT_NE(std::find(barcodes.begin(), barcodes.end(), "LED-PANEL-500"), barcodes.end())
      << ::testing::PrintToString(barcodes);

  // Nothing has left yet: no delivery note.
  status = Document(order.order_id(), v1::DOCUMENT_KIND_DELIVERY_NOTE, &document);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  v1::RecordPrepRequest prep;
  prep.set_order_id(order.order_id());
  v1::PrepCount* count = prep.add_counts();
  count->set_inventory_code("LED-PANEL-500");
  count->set_pulled_quantity(24);
  v1::RecordPrepResponse prepped;
  ASSERT_TRUE(suite_.inventory->Call(&InventoryStub::RecordPrep, prep, &prepped).ok());
  v1::CheckOutRequest check_out;
  check_out.set_order_id(order.order_id());
  v1::CheckOutResponse out;
  ASSERT_TRUE(suite_.inventory->Call(&InventoryStub::CheckOut, check_out, &out).ok());

  status = Document(order.order_id(), v1::DOCUMENT_KIND_DELIVERY_NOTE, &document);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const std::string note_text = PdfText(document.document().pdf());
  for (const std::string expected :
       {"Delivery note", "Delivered", "To return", "LED-PANEL-500", "Driver", "Received by"}) {
    EXPECT_NE(note_text.find(expected), std::string::npos) << expected << "\n" << note_text;
  }
  EXPECT_GT(PdfPageInk(document.document().pdf()), 0.01);
}

TEST_F(DocumentsTest, APullSheetIsOnlyForTheRevisionInventoryReserved) {
  v1::SetCompanyProfileResponse profile;
  ASSERT_TRUE(SetProfile(Brightside(), tokens().admin, &profile).ok());
  v1::ConfirmOrderResponse confirmed;
  ASSERT_TRUE(Confirm(QuotedOrder(), &confirmed).ok());
  const v1::Order& first = confirmed.order();
  v1::AmendOrderRequest amend;
  amend.set_order_id(first.order_id());
  amend.set_etag(first.etag());
  amend.set_reason("the client sent a new purchase-order number");
  amend.set_accept_later_commitment(true);
  *amend.mutable_order() = first;
  amend.mutable_order()->set_customer_reference("PO-7782");
  v1::AmendOrderResponse amended;
  grpc::Status status =
      suite_.orders->Call(&OrderStub::AmendOrder, amend, &amended, tokens().sales);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_GT(amended.order().revision(), first.revision());

  // Inventory now holds the new revision's sheet: the old revision's was never printed and is
  // not printed now, rather than showing the new lines under the old number.
  v1::GetDocumentResponse document;
  status = Document(first.order_id(), v1::DOCUMENT_KIND_PULL_SHEET, &document,
                    v1::DOCUMENT_LANGUAGE_UNSPECIFIED, first.revision());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ParseGrpcError(status).reason, "STALE_REVISION");
  status = Document(first.order_id(), v1::DOCUMENT_KIND_PULL_SHEET, &document);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(document.document().order_revision(), amended.order().revision());
}

}  // namespace
}  // namespace salesops::testing
