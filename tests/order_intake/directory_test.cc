// The directory (issue 17 item 1) through order-intake's API on real PostgreSQL: organisations
// and venues created, read, updated under their etag, listed, searched and paged; duplicates
// merged with both histories kept; who may edit what; and bad input named field by field.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tests/order_intake/order_fixture.h"

namespace salesops::testing {
namespace {

using common::ParseGrpcError;

std::set<std::string> ViolatedFields(const grpc::Status& status) {
  std::set<std::string> fields;
  for (const common::FieldViolation& violation : ParseGrpcError(status).violations) {
    fields.insert(violation.field);
  }
  return fields;
}

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

  // How many revisions order-intake keeps of `id` in `table` (organisation_revisions, ...).
  int64_t Revisions(const std::string& table, const std::string& id_column, const std::string& id) {
    pqxx::connection connection(suite_.orders->database().connection_string());
    pqxx::nontransaction tx(connection);
    return tx.exec_params1("SELECT count(*) FROM " + table + " WHERE " + id_column + " = $1", id)[0]
        .as<int64_t>();
  }

  grpc::Status Merge(const v1::Organisation& survivor, const v1::Organisation& duplicate,
                     v1::MergeOrganisationsResponse* response, const std::string& request_id = "",
                     const std::string& token = "") {
    v1::MergeOrganisationsRequest request;
    request.set_request_id(request_id);
    request.set_organisation_id(survivor.organisation_id());
    request.set_etag(survivor.etag());
    request.set_duplicate_organisation_id(duplicate.organisation_id());
    request.set_duplicate_etag(duplicate.etag());
    return suite_.orders->Call(&OrderStub::MergeOrganisations, request, response,
                               token.empty() ? tokens().sales : token);
  }

  v1::Organisation GetOrganisation(const std::string& id) {
    v1::GetOrganisationRequest request;
    request.set_organisation_id(id);
    v1::GetOrganisationResponse response;
    grpc::Status status = suite_.orders->Call(&OrderStub::GetOrganisation, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.organisation();
  }

  std::set<std::string> ListedOrganisations(const std::string& search, bool include_merged) {
    v1::ListOrganisationsRequest request;
    request.set_search(search);
    request.set_include_merged(include_merged);
    v1::ListOrganisationsResponse response;
    grpc::Status status = suite_.orders->Call(&OrderStub::ListOrganisations, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::set<std::string> ids;
    for (const v1::Organisation& organisation : response.organisations()) {
      ids.insert(organisation.organisation_id());
    }
    return ids;
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

TEST_F(DirectoryTest, AMergeMovesContactsAndKeepsTheDuplicateWithItsHistory) {
  const v1::Organisation survivor = NewOrganisation("Merge Konzert GmbH");
  // The same client typed in again: Petra once more (her email in other case, with the phone
  // the first record lacks) and a colleague who is the billing contact there.
  v1::CreateOrganisationRequest create;
  create.mutable_organisation()->set_name("Merge Konzert (old)");
  v1::Contact* petra = create.mutable_organisation()->add_contacts();
  petra->set_name("Petra P.");
  petra->set_email("PETRA@example.com");
  petra->set_phone("+49 30 1234");
  v1::Contact* bernd = create.mutable_organisation()->add_contacts();
  bernd->set_name("Bernd Buchhaltung");
  bernd->set_email("bernd@example.com");
  bernd->set_billing(true);
  v1::CreateOrganisationResponse created;
  ASSERT_TRUE(
      suite_.orders->Call(&OrderStub::CreateOrganisation, create, &created, tokens().sales).ok());
  const v1::Organisation duplicate = created.organisation();

  v1::MergeOrganisationsResponse merged;
  grpc::Status status = Merge(survivor, duplicate, &merged, "merge-konzert-1");
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::Organisation& kept = merged.organisation();
  EXPECT_EQ(kept.revision(), 2);
  ASSERT_EQ(kept.contacts_size(), 2);
  // Petra stays one contact with her first id, and gains the phone.
  EXPECT_EQ(kept.contacts(0).contact_id(), survivor.contacts(0).contact_id());
  EXPECT_EQ(kept.contacts(0).phone(), "+49 30 1234");
  EXPECT_TRUE(kept.contacts(0).billing());
  // Bernd moves with his id, no longer the billing contact (the survivor has one).
  EXPECT_EQ(kept.contacts(1).contact_id(), duplicate.contacts(1).contact_id());
  EXPECT_FALSE(kept.contacts(1).billing());
  EXPECT_NE(kept.notes().find("merged organisation " + duplicate.organisation_id()),
            std::string::npos)
      << kept.notes();
  EXPECT_NE(kept.notes().find(duplicate.contacts(1).contact_id()), std::string::npos);

  // The duplicate is kept, pointing at the survivor, with its contacts and both revisions.
  const v1::Organisation old = GetOrganisation(duplicate.organisation_id());
  EXPECT_EQ(old.merged_into_id(), survivor.organisation_id());
  EXPECT_EQ(old.revision(), 2);
  EXPECT_EQ(old.contacts_size(), 2);
  EXPECT_EQ(old.SerializeAsString(), merged.duplicate().SerializeAsString());
  EXPECT_EQ(Revisions("organisation_revisions", "organisation_id", duplicate.organisation_id()), 2);
  EXPECT_EQ(Revisions("organisation_revisions", "organisation_id", survivor.organisation_id()), 2);

  // Listings leave it out unless asked.
  EXPECT_EQ(ListedOrganisations("Merge Konzert", false),
            (std::set<std::string>{survivor.organisation_id()}));
  EXPECT_EQ(ListedOrganisations("Merge Konzert", true),
            (std::set<std::string>{survivor.organisation_id(), duplicate.organisation_id()}));

  // A retry with the same request_id is answered as the first call was, and merges nothing.
  v1::MergeOrganisationsResponse again;
  status = Merge(survivor, duplicate, &again, "merge-konzert-1");
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(again.SerializeAsString(), merged.SerializeAsString());
  EXPECT_EQ(Revisions("organisation_revisions", "organisation_id", survivor.organisation_id()), 2);

  // The merged record is no longer edited.
  v1::UpdateOrganisationRequest update;
  update.set_organisation_id(old.organisation_id());
  update.set_etag(old.etag());
  *update.mutable_organisation() = old;
  v1::UpdateOrganisationResponse updated;
  status = suite_.orders->Call(&OrderStub::UpdateOrganisation, update, &updated, tokens().sales);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ViolatedFields(status), std::set<std::string>{"organisation_id"});
}

TEST_F(DirectoryTest, MergesAreRefusedWhenStaleIntoItselfOrWithAMergedRecord) {
  const v1::Organisation first = NewOrganisation("Refused Merge A");
  const v1::Organisation second = NewOrganisation("Refused Merge B");
  const v1::Organisation third = NewOrganisation("Refused Merge C");
  v1::MergeOrganisationsResponse response;

  grpc::Status status = Merge(first, first, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(status), std::set<std::string>{"duplicate_organisation_id"});

  // Either etag stale: nothing written.
  for (bool survivor_stale : {true, false}) {
    v1::Organisation survivor = first, duplicate = second;
    (survivor_stale ? survivor : duplicate).set_etag("99");
    status = Merge(survivor, duplicate, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
    EXPECT_EQ(ParseGrpcError(status).reason, "STALE_REVISION");
  }
  EXPECT_EQ(GetOrganisation(first.organisation_id()).revision(), 1);
  EXPECT_EQ(GetOrganisation(second.organisation_id()).revision(), 1);

  // Only sales and admin merge.
  EXPECT_EQ(Merge(first, second, &response, "", tokens().ops).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::Organisation missing = second;
  missing.set_organisation_id("org-999999");
  EXPECT_EQ(Merge(first, missing, &response).error_code(), grpc::StatusCode::NOT_FOUND);

  ASSERT_TRUE(Merge(first, second, &response).ok());
  const v1::Organisation merged = response.duplicate();
  const v1::Organisation survivor = response.organisation();
  // Into a merged record, or a merged record into another: refused, naming the field.
  status = Merge(merged, third, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ViolatedFields(status), std::set<std::string>{"organisation_id"});
  EXPECT_NE(status.error_message().find(survivor.organisation_id()), std::string::npos)
      << status.error_message();
  status = Merge(third, merged, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ViolatedFields(status), std::set<std::string>{"duplicate_organisation_id"});
  EXPECT_EQ(GetOrganisation(third.organisation_id()).revision(), 1);
}

TEST_F(DirectoryTest, AMergedVenueFillsWhatTheSurvivorLacks) {
  const v1::DirectoryVenue duplicate = NewVenue("Messe Halle 7 (alt)", "Berlin");
  v1::CreateVenueRequest create;
  create.mutable_venue()->set_name("Messe Halle 7");
  create.mutable_venue()->set_power("1 x 125 A CEE");
  v1::WarehouseTravel* travel = create.mutable_venue()->add_travel_times();
  travel->set_warehouse_id("HAM-1");
  travel->mutable_travel_time()->set_seconds(3 * 3600);
  v1::CreateVenueResponse created;
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::CreateVenue, create, &created, tokens().sales).ok());
  const v1::DirectoryVenue survivor = created.venue();

  v1::MergeVenuesRequest request;
  request.set_venue_id(survivor.venue_id());
  request.set_etag(survivor.etag());
  request.set_duplicate_venue_id(duplicate.venue_id());
  request.set_duplicate_etag(duplicate.etag());
  v1::MergeVenuesResponse merged;
  grpc::Status status =
      suite_.orders->Call(&OrderStub::MergeVenues, request, &merged, tokens().sales);
  ASSERT_TRUE(status.ok()) << status.error_message();
  // The survivor's own power stays; dock hours, height and the second warehouse come over.
  EXPECT_EQ(merged.venue().power(), "1 x 125 A CEE");
  EXPECT_EQ(merged.venue().height_limit_cm(), 380);
  EXPECT_EQ(merged.venue().dock_hours_size(), 2);
  EXPECT_EQ(merged.venue().zone_id(), "Europe/Berlin");
  EXPECT_EQ(merged.venue().travel_times_size(), 2);
  EXPECT_NE(merged.venue().notes().find("merged venue " + duplicate.venue_id()), std::string::npos);
  EXPECT_EQ(merged.duplicate().merged_into_id(), survivor.venue_id());
  EXPECT_EQ(merged.duplicate().power(), "2 x 63 A CEE");
  EXPECT_EQ(Revisions("venue_revisions", "venue_id", duplicate.venue_id()), 2);

  v1::ListVenuesRequest list;
  list.set_search("Messe Halle 7");
  v1::ListVenuesResponse listed;
  ASSERT_TRUE(suite_.orders->Call(&OrderStub::ListVenues, list, &listed).ok());
  ASSERT_EQ(listed.venues_size(), 1);
  EXPECT_EQ(listed.venues(0).venue_id(), survivor.venue_id());

  // Ops may keep notes current, but not on a merged venue.
  v1::UpdateVenueNotesRequest notes;
  notes.set_venue_id(duplicate.venue_id());
  notes.set_etag(merged.duplicate().etag());
  notes.set_access_notes("Gate C now");
  v1::UpdateVenueNotesResponse noted;
  EXPECT_EQ(
      suite_.orders->Call(&OrderStub::UpdateVenueNotes, notes, &noted, tokens().ops).error_code(),
      grpc::StatusCode::FAILED_PRECONDITION);
}

}  // namespace
}  // namespace salesops::testing
