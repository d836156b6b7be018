// The directory (issue 17 item 1) through order-intake's API on real PostgreSQL: organisations
// and venues created, read, updated under their etag, listed, searched and paged; who may edit
// what; and bad input named field by field.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tests/order_intake/order_fixture.h"

namespace salesops::testing {
namespace {

using common::ParseGrpcError;

class DirectoryTest : public OrderSuiteTest {
 protected:
  const TestTokens& tokens() const { return suite_.orders->tokens(); }

  v1::Organisation NewOrganisation(const std::string& name) {
    v1::CreateOrganisationRequest request;
    v1::Organisation& organisation = *request.mutable_organisation();
    organisation.set_name(name);
    organisation.set_tax_id("DE123456789");
    organisation.set_tax_status(v1::TAX_STATUS_REVERSE_CHARGE);
    organisation.mutable_payment_terms()->mutable_due_after()->set_seconds(30 * 86400);
    organisation.mutable_payment_terms()->set_description("30 days net");
    organisation.set_default_pricelist("Tour 2027");
    organisation.mutable_billing_address()->add_address_lines("Hauptstr. 1");
    organisation.mutable_billing_address()->set_locality("Berlin");
    v1::Contact* contact = organisation.add_contacts();
    contact->set_name("Petra Produktion");
    contact->set_email("petra@example.com");
    contact->set_billing(true);
    v1::CreateOrganisationResponse response;
    grpc::Status status =
        suite_.orders->Call(&OrderStub::CreateOrganisation, request, &response, tokens().sales);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.organisation();
  }

  v1::DirectoryVenue NewVenue(const std::string& name, const std::string& locality) {
    v1::CreateVenueRequest request;
    v1::DirectoryVenue& venue = *request.mutable_venue();
    venue.set_name(name);
    venue.mutable_address()->add_address_lines("Messedamm 22");
    venue.mutable_address()->set_locality(locality);
    venue.set_zone_id("Europe/Berlin");
    v1::DockWindow* afternoon = venue.add_dock_hours();
    afternoon->set_weekday(v1::WEEKDAY_MONDAY);
    afternoon->mutable_start_offset()->set_seconds(13 * 3600);
    afternoon->mutable_end_offset()->set_seconds(18 * 3600);
    v1::DockWindow* morning = venue.add_dock_hours();
    morning->set_weekday(v1::WEEKDAY_MONDAY);
    morning->mutable_start_offset()->set_seconds(7 * 3600);
    morning->mutable_end_offset()->set_seconds(12 * 3600);
    venue.set_power("2 x 63 A CEE");
    venue.set_height_limit_cm(380);
    v1::WarehouseTravel* travel = venue.add_travel_times();
    travel->set_warehouse_id("BER-1");
    travel->mutable_travel_time()->set_seconds(2400);
    v1::CreateVenueResponse response;
    grpc::Status status =
        suite_.orders->Call(&OrderStub::CreateVenue, request, &response, tokens().sales);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.venue();
  }
};

TEST_F(DirectoryTest, AnOrganisationIsCreatedReadAndUpdatedUnderItsEtag) {
  const v1::Organisation created = NewOrganisation("Konzert GmbH");
  ASSERT_FALSE(created.organisation_id().empty());
  EXPECT_EQ(created.revision(), 1);
  ASSERT_EQ(created.contacts_size(), 1);
  EXPECT_FALSE(created.contacts(0).contact_id().empty());
  EXPECT_EQ(created.created_by().role(), v1::ROLE_SALES);

  v1::GetOrganisationRequest get;
  get.set_organisation_id(created.organisation_id());
  v1::GetOrganisationResponse got;
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::GetOrganisation, get, &got, tokens().ops).ok());
  EXPECT_EQ(got.organisation().SerializeAsString(), created.SerializeAsString());

  v1::UpdateOrganisationRequest update;
  update.set_organisation_id(created.organisation_id());
  update.set_etag(created.etag());
  *update.mutable_organisation() = created;
  update.mutable_organisation()->set_notes("Invoices in English");
  update.mutable_organisation()->add_contacts()->set_name("Theo Technik");
  v1::UpdateOrganisationResponse updated;
  grpc::Status status =
      suite_.orders->Call(&OrderStub::UpdateOrganisation, update, &updated, tokens().sales);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(updated.organisation().revision(), 2);
  EXPECT_NE(updated.organisation().etag(), created.etag());
  ASSERT_EQ(updated.organisation().contacts_size(), 2);
  // The contact kept its id; the new one got its own.
  EXPECT_EQ(updated.organisation().contacts(0).contact_id(), created.contacts(0).contact_id());
  EXPECT_NE(updated.organisation().contacts(1).contact_id(), created.contacts(0).contact_id());
  EXPECT_EQ(updated.organisation().create_time().seconds(), created.create_time().seconds());

  // The same etag again is stale now.
  update.mutable_organisation()->set_notes("Invoices in German");
  status = suite_.orders->Call(&OrderStub::UpdateOrganisation, update, &updated, tokens().sales);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(ParseGrpcError(status).reason, "STALE_REVISION");

  v1::GetOrganisationRequest missing;
  missing.set_organisation_id("org-999999");
  EXPECT_EQ(suite_.orders->Call(&OrderStub::GetOrganisation, missing, &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(DirectoryTest, VenuesKeepDockHoursInOrderAndOpsEditOnlyTheirNotes) {
  const v1::DirectoryVenue venue = NewVenue("Messe Halle 7", "Berlin");
  ASSERT_EQ(venue.dock_hours_size(), 2);
  EXPECT_EQ(venue.dock_hours(0).start_offset().seconds(), 7 * 3600);
  EXPECT_EQ(venue.travel_times(0).travel_time().seconds(), 2400);

  // Ops cannot change the venue itself...
  v1::UpdateVenueRequest update;
  update.set_venue_id(venue.venue_id());
  update.set_etag(venue.etag());
  *update.mutable_venue() = venue;
  update.mutable_venue()->set_power("none");
  v1::UpdateVenueResponse updated;
  grpc::Status status =
      suite_.orders->Call(&OrderStub::UpdateVenue, update, &updated, tokens().ops);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  // ...but keeps its access and loading notes current.
  v1::UpdateVenueNotesRequest notes;
  notes.set_venue_id(venue.venue_id());
  notes.set_etag(venue.etag());
  notes.set_access_notes("Gate B, ask for the Hallenmeister");
  notes.set_loading_notes("Dock 3, forklift on site");
  v1::UpdateVenueNotesResponse noted;
  status = suite_.orders->Call(&OrderStub::UpdateVenueNotes, notes, &noted, tokens().ops);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(noted.venue().loading_notes(), "Dock 3, forklift on site");
  EXPECT_EQ(noted.venue().power(), "2 x 63 A CEE");
  EXPECT_EQ(noted.venue().revision(), 2);
  EXPECT_EQ(noted.venue().updated_by().role(), v1::ROLE_OPS);

  // Sales' update with the etag read before ops' notes is stale.
  status = suite_.orders->Call(&OrderStub::UpdateVenue, update, &updated, tokens().sales);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(ParseGrpcError(status).reason, "STALE_REVISION");
}

TEST_F(DirectoryTest, OpsCannotCreateOrEditOrganisations) {
  const v1::Organisation organisation = NewOrganisation("Theater AG");
  v1::UpdateOrganisationRequest update;
  update.set_organisation_id(organisation.organisation_id());
  update.set_etag(organisation.etag());
  *update.mutable_organisation() = organisation;
  v1::UpdateOrganisationResponse updated;
  EXPECT_EQ(suite_.orders->Call(&OrderStub::UpdateOrganisation, update, &updated, tokens().ops)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::CreateOrganisationRequest create;
  create.mutable_organisation()->set_name("Ops Own Ltd");
  v1::CreateOrganisationResponse created;
  EXPECT_EQ(suite_.orders->Call(&OrderStub::CreateOrganisation, create, &created, tokens().ops)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(DirectoryTest, ListsSearchAndPage) {
  for (int i = 0; i < 5; ++i) NewOrganisation("Festival " + std::to_string(i) + " e.V.");
  NewOrganisation("Konferenz 100% GmbH");
  NewVenue("Stadthalle", "Leipzig");
  NewVenue("Kulturhaus", "Dresden");

  std::set<std::string> seen;
  v1::ListOrganisationsRequest list;
  list.set_search("FESTIVAL");
  list.set_page_size(2);
  int pages = 0;
  do {
    v1::ListOrganisationsResponse page;
    grpc::Status status =
        suite_.orders->Call(&OrderStub::ListOrganisations, list, &page, tokens().ops);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const v1::Organisation& organisation : page.organisations()) {
      EXPECT_TRUE(seen.insert(organisation.organisation_id()).second);
    }
    list.set_page_token(page.next_page_token());
    ++pages;
  } while (!list.page_token().empty() && pages < 10);
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(pages, 3);

  // A contact's email is searched too; % is a character, not a wildcard.
  v1::ListOrganisationsRequest by_email;
  by_email.set_search("100%");
  v1::ListOrganisationsResponse found;
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::ListOrganisations, by_email, &found).ok());
  ASSERT_EQ(found.organisations_size(), 1);
  EXPECT_EQ(found.organisations(0).name(), "Konferenz 100% GmbH");

  v1::ListVenuesRequest venues;
  venues.set_search("leipzig");
  v1::ListVenuesResponse in_leipzig;
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::ListVenues, venues, &in_leipzig, tokens().ops).ok());
  ASSERT_EQ(in_leipzig.venues_size(), 1);
  EXPECT_EQ(in_leipzig.venues(0).name(), "Stadthalle");

  v1::ListVenuesRequest bad_token;
  bad_token.set_page_token("not-a-token");
  EXPECT_EQ(suite_.orders->Call(&OrderStub::ListVenues, bad_token, &in_leipzig).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

std::set<std::string> ViolatedFields(const grpc::Status& status) {
  std::set<std::string> fields;
  for (const common::FieldViolation& violation : ParseGrpcError(status).violations) {
    fields.insert(violation.field);
  }
  return fields;
}

TEST_F(DirectoryTest, BadInputIsRefusedFieldByField) {
  v1::CreateOrganisationRequest organisation;
  organisation.mutable_organisation()->set_tax_status(v1::TAX_STATUS_REVERSE_CHARGE);
  organisation.mutable_organisation()->mutable_payment_terms()->mutable_due_after()->set_seconds(
      3600);
  organisation.mutable_organisation()->add_contacts()->set_contact_id("contact-1");
  v1::CreateOrganisationResponse created;
  grpc::Status status =
      suite_.orders->Call(&OrderStub::CreateOrganisation, organisation, &created, tokens().sales);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const std::set<std::string> organisation_fields = ViolatedFields(status);
  EXPECT_TRUE(organisation_fields.contains("organisation.name")) << status.error_message();
  EXPECT_TRUE(organisation_fields.contains("organisation.contacts[0].name"))
      << status.error_message();

  // The rules beyond the annotations, once the annotated fields are right.
  organisation.mutable_organisation()->set_name("Reverse Ltd");
  organisation.mutable_organisation()->mutable_contacts(0)->set_name("Rita");
  status =
      suite_.orders->Call(&OrderStub::CreateOrganisation, organisation, &created, tokens().sales);
  EXPECT_EQ(ViolatedFields(status),
            (std::set<std::string>{"organisation.tax_id", "organisation.payment_terms.due_after",
                                   "organisation.contacts[0].contact_id"}))
      << status.error_message();

  v1::CreateVenueRequest venue;
  venue.mutable_venue()->set_name("Overlapping Hall");
  for (int64_t start : {8, 10}) {
    v1::DockWindow* window = venue.mutable_venue()->add_dock_hours();
    window->set_weekday(v1::WEEKDAY_FRIDAY);
    window->mutable_start_offset()->set_seconds(start * 3600);
    window->mutable_end_offset()->set_seconds((start + 4) * 3600);
  }
  for (int i = 0; i < 2; ++i) {
    v1::WarehouseTravel* travel = venue.mutable_venue()->add_travel_times();
    travel->set_warehouse_id("BER-1");
    travel->mutable_travel_time()->set_seconds(3600);
  }
  v1::CreateVenueResponse made;
  status = suite_.orders->Call(&OrderStub::CreateVenue, venue, &made, tokens().sales);
  EXPECT_EQ(ViolatedFields(status), (std::set<std::string>{"venue.zone_id", "venue.dock_hours[1]",
                                                           "venue.travel_times[1].warehouse_id"}))
      << status.error_message();
}

}  // namespace
}  // namespace salesops::testing
