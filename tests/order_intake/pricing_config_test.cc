// The pricing configuration (issue 17 items 2-3) through order-intake's API on real PostgreSQL:
// product rates, price lists, tax and exchange rates created, listed, updated under their etag
// and removed; only ADMIN writes; retries act once; overlapping tax rates are refused; and
// PricingStore::LoadPricingConfig hands quotes exactly what was written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "services/common/db_pool.h"
#include "services/order_intake/postgres_pricing_store.h"
#include "tests/order_intake/order_fixture.h"
#include "tests/order_intake/pricing_records.h"

namespace salesops::testing {
namespace {

using common::ParseGrpcError;
using ::testing::HasSubstr;

class PricingConfigTest : public OrderSuiteTest {
 protected:
  const TestTokens& tokens() const { return suite_.orders->tokens(); }

  grpc::Status SetRate(const std::string& code, int64_t day_rate, v1::SetProductRateResponse* out,
                       const std::string& token = "") {
    v1::SetProductRateRequest request;
    request.mutable_productrate()->set_product_code(code);
    *request.mutable_productrate()->mutable_definition() = IssuePerDay(day_rate);
    return suite_.orders->Call(&OrderStub::SetProductRate, request, out,
                               token.empty() ? tokens().admin : token);
  }

  v1::PriceList TourList(const std::string& organisation_id) {
    v1::PriceList list;
    list.set_name("Tour 2027");
    list.set_organisation_id(organisation_id);
    *list.mutable_validity()->mutable_first_day() = Day(2027, 6, 1);
    *list.mutable_validity()->mutable_last_day() = Day(2027, 8, 31);
    v1::PriceOverride* wall = list.add_overrides();
    wall->set_product_code("LED-WALL-3X2");
    *wall->mutable_definition() = IssuePerDay(500);
    wall->mutable_definition()->mutable_day_factors(1)->set_factor_millionths(750'000);
    list.set_everything_else_percent_bp(8'500);
    return list;
  }

  std::string NewOrganisation(const std::string& name) {
    v1::CreateOrganisationRequest request;
    request.mutable_organisation()->set_name(name);
    v1::CreateOrganisationResponse response;
    EXPECT_TRUE(
        suite_.orders->Call(&OrderStub::CreateOrganisation, request, &response, tokens().sales)
            .ok());
    return response.organisation().organisation_id();
  }

  grpc::Status AddVat(const std::string& name, int64_t millionths,
                      std::optional<google::type::Date> first,
                      std::optional<google::type::Date> last, v1::CreateTaxRateResponse* out) {
    v1::CreateTaxRateRequest request;
    v1::TaxRate& rate = *request.mutable_taxrate();
    rate.set_tax_class(v1::TAX_CLASS_EQUIPMENT);
    rate.set_jurisdiction("DE");
    rate.set_tax_millionths(millionths);
    rate.set_name(name);
    if (first) *rate.mutable_validity()->mutable_first_day() = *first;
    if (last) *rate.mutable_validity()->mutable_last_day() = *last;
    return suite_.orders->Call(&OrderStub::CreateTaxRate, request, out, tokens().admin);
  }

  // The store quotes are priced from, on the service's own database.
  absl::StatusOr<order_intake::PricingConfig> Load() {
    const TestDatabase& database = suite_.orders->database();
    common::DatabaseOptions options;
    options.url = database.url();
    options.password = database.server().password;
    options.pool_size = 1;
    common::ConnectionPool pool(options);
    order_intake::PostgresPricingStore store(pool);
    return store.LoadPricingConfig();
  }
};

TEST_F(PricingConfigTest, AProductRateIsSetListedReplacedUnderItsEtagAndDeleted) {
  v1::SetProductRateResponse set;
  ASSERT_TRUE(SetRate("LED-WALL-3X2", 500, &set).ok());
  EXPECT_EQ(set.productrate().revision(), 1);
  EXPECT_EQ(set.productrate().updated_by().role(), v1::ROLE_ADMIN);
  ASSERT_TRUE(SetRate("TRUSS-SET", 250, &set).ok());

  v1::ListProductRatesRequest list;
  list.set_page_size(1);
  v1::ListProductRatesResponse page;
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::ListProductRates, list, &page, tokens().sales).ok());
  ASSERT_EQ(page.productrates_size(), 1);
  EXPECT_EQ(page.productrates(0).product_code(), "LED-WALL-3X2");
  list.set_page_token(page.next_page_token());
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::ListProductRates, list, &page, tokens().ops).ok());
  ASSERT_EQ(page.productrates_size(), 1);
  EXPECT_EQ(page.productrates(0).product_code(), "TRUSS-SET");
  EXPECT_TRUE(page.next_page_token().empty());

  // Replacing with a stale etag is refused; with the current one it is revision 2.
  v1::SetProductRateRequest replace;
  *replace.mutable_productrate() = page.productrates(0);
  replace.mutable_productrate()->mutable_definition()->mutable_rate()->set_units(300);
  replace.set_etag("r7");
  v1::SetProductRateResponse replaced;
  grpc::Status status =
      suite_.orders->Call(&OrderStub::SetProductRate, replace, &replaced, tokens().admin);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(ParseGrpcError(status).reason, "STALE_REVISION");
  replace.set_etag(page.productrates(0).etag());
  ASSERT_TRUE(
      suite_.orders->Call(&OrderStub::SetProductRate, replace, &replaced, tokens().admin).ok());
  EXPECT_EQ(replaced.productrate().revision(), 2);
  EXPECT_EQ(replaced.productrate().definition().rate().units(), 300);

  v1::DeleteProductRateRequest remove;
  remove.set_product_code("TRUSS-SET");
  v1::DeleteProductRateResponse removed;
  ASSERT_TRUE(
      suite_.orders->Call(&OrderStub::DeleteProductRate, remove, &removed, tokens().admin).ok());
  EXPECT_EQ(suite_.orders->Call(&OrderStub::DeleteProductRate, remove, &removed, tokens().admin)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(PricingConfigTest, APriceListIsCreatedReadUpdatedUnderItsEtagAndDeleted) {
  const std::string organisation_id = NewOrganisation("Tour Promoter GmbH");
  v1::CreatePriceListRequest create;
  *create.mutable_pricelist() = TourList(organisation_id);
  v1::CreatePriceListResponse created;
  grpc::Status status =
      suite_.orders->Call(&OrderStub::CreatePriceList, create, &created, tokens().admin);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::PriceList& list = created.pricelist();
  EXPECT_EQ(list.pricelist_id(), "pl-1001");
  EXPECT_EQ(list.revision(), 1);
  EXPECT_TRUE(list.has_everything_else_percent_bp());

  v1::GetPriceListRequest get;
  get.set_pricelist_id(list.pricelist_id());
  v1::GetPriceListResponse got;
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::GetPriceList, get, &got, tokens().sales).ok());
  EXPECT_EQ(got.pricelist().SerializeAsString(), list.SerializeAsString());

  // The name is unique.
  v1::CreatePriceListResponse twin;
  status = suite_.orders->Call(&OrderStub::CreatePriceList, create, &twin, tokens().admin);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);

  v1::UpdatePriceListRequest update;
  update.set_pricelist_id(list.pricelist_id());
  update.set_etag(list.etag());
  *update.mutable_pricelist() = list;
  update.mutable_pricelist()->clear_everything_else_percent_bp();
  update.mutable_pricelist()->set_notes("Three stops: Berlin, Hamburg, Munich");
  v1::UpdatePriceListResponse updated;
  status = suite_.orders->Call(&OrderStub::UpdatePriceList, update, &updated, tokens().admin);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(updated.pricelist().revision(), 2);
  EXPECT_EQ(updated.pricelist().pricelist_id(), list.pricelist_id());
  EXPECT_FALSE(updated.pricelist().has_everything_else_percent_bp());

  // The etag just used is stale now.
  update.mutable_pricelist()->set_notes("Four stops");
  status = suite_.orders->Call(&OrderStub::UpdatePriceList, update, &updated, tokens().admin);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(ParseGrpcError(status).reason, "STALE_REVISION");

  v1::ListPriceListsRequest list_request;
  v1::ListPriceListsResponse listed;
  ASSERT_TRUE(
      suite_.orders->Call(&OrderStub::ListPriceLists, list_request, &listed, tokens().ops).ok());
  ASSERT_EQ(listed.pricelists_size(), 1);
  EXPECT_EQ(listed.pricelists(0).notes(), "Three stops: Berlin, Hamburg, Munich");

  v1::DeletePriceListRequest remove;
  remove.set_pricelist_id(list.pricelist_id());
  remove.set_etag(list.etag());
  v1::DeletePriceListResponse removed;
  status = suite_.orders->Call(&OrderStub::DeletePriceList, remove, &removed, tokens().admin);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED) << "an old etag removes nothing";
  remove.set_etag(updated.pricelist().etag());
  ASSERT_TRUE(
      suite_.orders->Call(&OrderStub::DeletePriceList, remove, &removed, tokens().admin).ok());
  EXPECT_EQ(suite_.orders->Call(&OrderStub::GetPriceList, get, &got, tokens().sales).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(PricingConfigTest, APriceListForAnOrganisationTheDirectoryLacksIsRefusedByField) {
  v1::CreatePriceListRequest create;
  *create.mutable_pricelist() = TourList("org-999999");
  v1::CreatePriceListResponse created;
  grpc::Status status =
      suite_.orders->Call(&OrderStub::CreatePriceList, create, &created, tokens().admin);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  const common::ErrorDetails details = ParseGrpcError(status);
  ASSERT_EQ(details.violations.size(), 1u);
  EXPECT_EQ(details.violations[0].field, "pricelist.organisation_id");

  // And a bad table is named field by field.
  *create.mutable_pricelist() = TourList("");
  create.mutable_pricelist()
      ->mutable_overrides(0)
      ->mutable_definition()
      ->mutable_day_factors(0)
      ->set_from_day(2);
  status = suite_.orders->Call(&OrderStub::CreatePriceList, create, &created, tokens().admin);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ParseGrpcError(status).violations.at(0).field,
            "pricelist.overrides[0].definition.day_factors[0].from_day");
}

TEST_F(PricingConfigTest, OnlyAdminWritesAndEveryoneReads) {
  v1::SetProductRateResponse set;
  grpc::Status status = SetRate("LED-WALL-3X2", 500, &set, tokens().sales);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::CreateTaxRateRequest tax;
  tax.mutable_taxrate()->set_jurisdiction("DE");
  tax.mutable_taxrate()->set_tax_millionths(190'000);
  v1::CreateTaxRateResponse taxed;
  for (const std::string& token : {tokens().sales, tokens().ops}) {
    EXPECT_EQ(suite_.orders->Call(&OrderStub::CreateTaxRate, tax, &taxed, token).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  v1::CreatePriceListRequest create;
  *create.mutable_pricelist() = TourList("");
  v1::CreatePriceListResponse created;
  EXPECT_EQ(suite_.orders->Call(&OrderStub::CreatePriceList, create, &created, tokens().sales)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListTaxRatesRequest list;
  v1::ListTaxRatesResponse listed;
  for (const std::string& token : {tokens().sales, tokens().ops, tokens().admin}) {
    EXPECT_TRUE(suite_.orders->Call(&OrderStub::ListTaxRates, list, &listed, token).ok());
  }
  EXPECT_EQ(listed.taxrates_size(), 0) << "nothing was written by the refused calls";
}

TEST_F(PricingConfigTest, AnOverlappingTaxRateIsRefusedNamingTheOther) {
  v1::CreateTaxRateResponse old_vat, new_vat, refused;
  ASSERT_TRUE(AddVat("USt 16 %", 160'000, Day(2020, 7, 1), Day(2020, 12, 31), &old_vat).ok());
  ASSERT_TRUE(AddVat("USt 19 %", 190'000, Day(2021, 1, 1), std::nullopt, &new_vat).ok());
  EXPECT_EQ(new_vat.taxrate().taxrate_id(), "tax-1002");

  grpc::Status status = AddVat("USt 19 %", 190'000, Day(2020, 12, 1), std::nullopt, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(status.error_message(), HasSubstr(old_vat.taxrate().taxrate_id()));
  EXPECT_EQ(ParseGrpcError(status).metadata["conflicting_taxrate_id"],
            old_vat.taxrate().taxrate_id());

  // Removing the old rate makes room.
  v1::DeleteTaxRateRequest remove;
  remove.set_taxrate_id(old_vat.taxrate().taxrate_id());
  v1::DeleteTaxRateResponse removed;
  ASSERT_TRUE(
      suite_.orders->Call(&OrderStub::DeleteTaxRate, remove, &removed, tokens().admin).ok());
  status = AddVat("USt 19 % (Dec)", 190'000, Day(2020, 12, 1), Day(2020, 12, 31), &refused);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(PricingConfigTest, AnExchangeRateOfACurrencyToItselfIsRefused) {
  v1::CreateExchangeRateRequest request;
  request.mutable_exchangerate()->set_from_currency("EUR");
  request.mutable_exchangerate()->set_to_currency("EUR");
  request.mutable_exchangerate()->set_factor_millionths(1'000'000);
  v1::CreateExchangeRateResponse response;
  grpc::Status status =
      suite_.orders->Call(&OrderStub::CreateExchangeRate, request, &response, tokens().admin);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ParseGrpcError(status).violations.at(0).field, "exchangerate.to_currency");
}

TEST_F(PricingConfigTest, ARetriedCreateActsOnce) {
  v1::CreateExchangeRateRequest request;
  request.set_request_id("fx-eur-usd-october");
  request.mutable_exchangerate()->set_from_currency("EUR");
  request.mutable_exchangerate()->set_to_currency("USD");
  request.mutable_exchangerate()->set_factor_millionths(1'083'000);
  v1::CreateExchangeRateResponse first, again;
  ASSERT_TRUE(
      suite_.orders->Call(&OrderStub::CreateExchangeRate, request, &first, tokens().admin).ok());
  ASSERT_TRUE(
      suite_.orders->Call(&OrderStub::CreateExchangeRate, request, &again, tokens().admin).ok());
  EXPECT_EQ(again.exchangerate().exchangerate_id(), first.exchangerate().exchangerate_id());
  v1::ListExchangeRatesRequest list;
  v1::ListExchangeRatesResponse listed;
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::ListExchangeRates, list, &listed).ok());
  EXPECT_EQ(listed.exchangerates_size(), 1);
}

TEST_F(PricingConfigTest, LoadPricingConfigReturnsWhatWasWritten) {
  v1::SetProductRateResponse set;
  ASSERT_TRUE(SetRate("LED-WALL-3X2", 500, &set).ok());
  const std::string organisation_id = NewOrganisation("Tour Promoter GmbH");
  v1::CreatePriceListRequest create;
  *create.mutable_pricelist() = TourList(organisation_id);
  v1::CreatePriceListResponse created;
  ASSERT_TRUE(
      suite_.orders->Call(&OrderStub::CreatePriceList, create, &created, tokens().admin).ok());
  v1::CreateTaxRateResponse vat;
  ASSERT_TRUE(AddVat("USt 19 %", 190'000, Day(2021, 1, 1), std::nullopt, &vat).ok());
  v1::CreateExchangeRateRequest fx;
  fx.mutable_exchangerate()->set_from_currency("EUR");
  fx.mutable_exchangerate()->set_to_currency("USD");
  fx.mutable_exchangerate()->set_factor_millionths(1'083'000);
  v1::CreateExchangeRateResponse converted;
  ASSERT_TRUE(
      suite_.orders->Call(&OrderStub::CreateExchangeRate, fx, &converted, tokens().admin).ok());

  absl::StatusOr<order_intake::PricingConfig> config = Load();
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->product_rates.size(), 1u);
  const order_intake::rating::Product& wall = config->product_rates.at("LED-WALL-3X2");
  EXPECT_EQ(wall.rate.rate_micros, 500'000'000);
  ASSERT_EQ(wall.rate.day_factors.steps.size(), 3u);
  EXPECT_EQ(wall.rate.day_factors.week_cap_millionths, 3'000'000);
  ASSERT_EQ(config->price_lists.size(), 1u);
  EXPECT_EQ(config->price_lists[0].name, "Tour 2027");
  EXPECT_EQ(config->price_lists[0].organisation_id, organisation_id);
  EXPECT_EQ(config->price_lists[0].everything_else_percent_bp, 8'500);
  ASSERT_EQ(config->tax_rates.size(), 1u);
  EXPECT_EQ(config->tax_rates[0].rate_millionths, 190'000);
  EXPECT_EQ(config->tax_rates[0].validity.from, absl::CivilDay(2021, 1, 1));
  ASSERT_EQ(config->exchange_rates.size(), 1u);
  EXPECT_EQ(config->exchange_rates[0].rate_millionths, 1'083'000);

  // Priced from it: the tour deal for the promoter in July, as rating_test prices it.
  order_intake::rating::LineRequest line;
  line.product_code = "LED-WALL-3X2";
  line.quantity = 2;
  line.days = 3;
  absl::StatusOr<order_intake::rating::LinePrice> price =
      order_intake::rating::PriceLine(line, config->product_rates, config->price_lists,
                                      organisation_id, absl::CivilDay(2027, 7, 1));
  ASSERT_TRUE(price.ok()) << price.status();
  EXPECT_EQ(price->total_micros, 2'500'000'000);
  EXPECT_EQ(price->priced_by, "price list 'Tour 2027'");
}

}  // namespace
}  // namespace salesops::testing
