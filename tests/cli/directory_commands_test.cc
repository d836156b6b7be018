// salesopsctl's directory commands (org, contact, venue) against a real order-intake process on
// the throwaway PostgreSQL: records created, changed, merged and listed the way sales and ops
// type them, and CSV imports that can be run twice and go on past a bad row.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "salesops/v1/order_intake.grpc.pb.h"
#include "tests/support/service_fixture.h"

namespace salesops::testing {
namespace {

using nlohmann::json;

class DirectoryCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(orders_.started()) << orders_.log();
    dir_ = ::testing::TempDir() + "/cli-directory-" + orders_.database().name();
    std::filesystem::create_directories(dir_);
    for (const std::string role : {"sales", "ops"}) {
      std::ofstream(dir_ + "/" + role + ".token") << orders_.tokens().ForRole(role);
    }
    std::ofstream(dir_ + "/config.yaml") << "order-intake-address: " << orders_.address() << "\n"
                                         << "token-file: sales.token\n";
  }

  void TearDown() override { std::filesystem::remove_all(dir_); }

  // salesopsctl as sales (or `role`); `output` gets stdout and stderr.
  int Ctl(const std::string& args, std::string* output, const std::string& role = "sales") {
    return RunCommand("SALESOPS_CONFIG=" + dir_ + "/config.yaml " +
                          ShellQuote(SalesopsctlBinary()) + " --token-file " + dir_ + "/" + role +
                          ".token " + args + " 2>&1",
                      output);
  }

  json CtlJson(const std::string& args, const std::string& role = "sales") {
    std::string output;
    EXPECT_EQ(
        RunCommand("SALESOPS_CONFIG=" + dir_ + "/config.yaml " + ShellQuote(SalesopsctlBinary()) +
                       " --token-file " + dir_ + "/" + role + ".token " + args + " --json",
                   &output),
        0)
        << args << "\n"
        << output;
    json parsed = json::parse(output, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(parsed.is_discarded()) << args << " printed no JSON:\n" << output;
    return parsed;
  }

  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  ServiceFixture<v1::OrderIntakeService> orders_{
      "order-intake", std::make_shared<TestDatabase>(),
      std::vector<std::string>{"--inventory-address", "127.0.0.1:1", "--scheduling-address",
                               "127.0.0.1:1"}};
  std::string dir_;
};

TEST_F(DirectoryCommandsTest, OrganisationsAndContactsAreEditedMergedAndListed) {
  std::string output;
  ASSERT_EQ(Ctl("org create --name 'Konzert GmbH' --tax-id DE123456789 --tax-status "
                "reverse-charge --payment-days 30 --locality Berlin",
                &output),
            0)
      << output;
  const json first = CtlJson("org list --search konzert")["organisations"][0];
  const std::string id = first["organisationId"];
  EXPECT_EQ(first["taxStatus"], "TAX_STATUS_REVERSE_CHARGE");

  ASSERT_EQ(Ctl("contact add " + id +
                    " --name 'Petra Produktion' --email petra@example.com "
                    "--billing yes",
                &output),
            0)
      << output;
  EXPECT_NE(output.find("Petra Produktion"), std::string::npos) << output;
  ASSERT_EQ(Ctl("contact add " + id + " --name 'Theo Technik'", &output), 0) << output;
  json contacts = CtlJson("contact list " + id);
  ASSERT_EQ(contacts.size(), 2u) << contacts;
  const std::string theo = contacts[1]["contactId"];
  ASSERT_EQ(Ctl("contact update " + id + " " + theo + " --phone '+49 30 1'", &output), 0) << output;
  EXPECT_EQ(CtlJson("contact list " + id)[1]["phone"], "+49 30 1");
  ASSERT_EQ(Ctl("contact remove " + id + " " + theo, &output), 0) << output;
  EXPECT_EQ(CtlJson("contact list " + id).size(), 1u);
  // An unknown contact is the caller's mistake; a bad field names the flag.
  EXPECT_EQ(Ctl("contact remove " + id + " contact-999999", &output), 2);
  EXPECT_EQ(Ctl("org update " + id + " --payment-days 400", &output), 2);
  EXPECT_NE(output.find("--payment-days"), std::string::npos) << output;
  // Ops read but do not edit organisations.
  EXPECT_EQ(Ctl("org update " + id + " --notes hi", &output, "ops"), 5);
  EXPECT_EQ(Ctl("org show " + id, &output, "ops"), 0);
  EXPECT_NE(output.find("reverse-charge"), std::string::npos) << output;

  // The same client typed in again, then merged: Petra's email folds into the first record.
  ASSERT_EQ(Ctl("org create --name 'Konzert GmbH (alt)'", &output), 0) << output;
  const std::string duplicate =
      CtlJson("org list --search alt")["organisations"][0]["organisationId"];
  ASSERT_EQ(Ctl("contact add " + duplicate + " --name Petra --email PETRA@example.com --phone 123",
                &output),
            0);
  ASSERT_EQ(Ctl("org merge " + id + " " + duplicate, &output), 0) << output;
  EXPECT_NE(output.find("merged " + duplicate + " into " + id), std::string::npos) << output;
  EXPECT_EQ(CtlJson("contact list " + id)[0]["phone"], "123");
  EXPECT_EQ(CtlJson("org show " + duplicate)["organisation"]["mergedIntoId"], id);
  EXPECT_EQ(CtlJson("org list --search konzert")["organisations"].size(), 1u);
  EXPECT_EQ(CtlJson("org list --search konzert --include-merged")["organisations"].size(), 2u);
  // Merging it again, or into itself, is refused.
  EXPECT_EQ(Ctl("org merge " + id + " " + duplicate, &output), 3) << output;
  EXPECT_EQ(Ctl("org merge " + id + " " + id, &output), 2) << output;

  // Listing pages when asked to.
  ASSERT_EQ(Ctl("org create --name 'Konzert Zwei'", &output), 0);
  json page = CtlJson("org list --search konzert --page-size 1");
  ASSERT_EQ(page["organisations"].size(), 1u);
  const std::string token = page["nextPageToken"];
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(CtlJson("org list --search konzert --page-size 1 --page-token " +
                    token)["organisations"][0]["name"],
            "Konzert Zwei");
}

TEST_F(DirectoryCommandsTest, AnOrganisationImportRunTwiceWritesOnceAndGoesOnPastABadRow) {
  const std::string path = WriteFile(
      "orgs.csv",
      "external_id,name,tax_id,tax_status,payment_days,locality,contact_name,contact_email\n"
      "CRM-1,Festival e.V.,,exempt,14,Leipzig,Fiona,fiona@example.com\n"
      "CRM-2,\"Tour GmbH, Berlin\",DE999,reverse-charge,30,Berlin,,\n"
      "CRM-3,Broken Ltd,,sometimes,,,,\n"
      ",Walk-in Client,,,,,,\n");
  std::string output;
  EXPECT_EQ(Ctl("org import " + path, &output), 2) << output;
  EXPECT_NE(output.find("orgs.csv row 4: tax_status"), std::string::npos) << output;
  EXPECT_NE(output.find("3 created, 0 updated, 0 unchanged, 1 failed"), std::string::npos)
      << output;
  EXPECT_EQ(Ctl("org import " + path, &output), 2) << output;
  EXPECT_NE(output.find("0 created, 0 updated, 3 unchanged, 1 failed"), std::string::npos)
      << output;
  const json listed = CtlJson("org list");
  ASSERT_EQ(listed["organisations"].size(), 3u) << listed;
  EXPECT_EQ(listed["organisations"][0]["contacts"][0]["email"], "fiona@example.com");
  EXPECT_EQ(listed["organisations"][0]["revision"], "1");

  // A changed row updates the record its external id names, keeping what the row leaves empty.
  const std::string changed = WriteFile(
      "orgs2.csv", "external_id,name,notes\nCRM-2,\"Tour GmbH, Berlin\",Pays in advance\n");
  EXPECT_EQ(Ctl("org import " + changed, &output), 0) << output;
  EXPECT_NE(output.find("0 created, 1 updated, 0 unchanged, 0 failed"), std::string::npos)
      << output;
  const json tour = CtlJson("org list --search CRM-2")["organisations"][0];
  EXPECT_EQ(tour["notes"], "Pays in advance");
  EXPECT_EQ(tour["taxId"], "DE999");

  // A misspelt column stops the import before any row.
  EXPECT_EQ(Ctl("org import " + WriteFile("bad.csv", "name,tax_stauts\nX,exempt\n"), &output), 2);
  EXPECT_NE(output.find("unknown column 'tax_stauts'"), std::string::npos) << output;
}

TEST_F(DirectoryCommandsTest, VenuesAreImportedNotedByOpsAndMerged) {
  const std::string path = WriteFile(
      "venues.csv",
      "name,address_lines,locality,zone_id,dock_hours,power,height_limit_cm,travel_times\n"
      "Messe Halle 7,Messedamm 22,Berlin,Europe/Berlin,sat 08:00-12:00; mon-fri 07:00-18:00,"
      "2 x 63 A CEE,380,BER-1=40m HAM-1=3h\n"
      "Stadthalle,Markt 1,Leipzig,,,,high,\n"
      "Kulturhaus,,Dresden,,,125 A CEE,,\n");
  std::string output;
  EXPECT_EQ(Ctl("venue import " + path, &output), 2) << output;
  EXPECT_NE(output.find("venues.csv row 3: height_limit_cm"), std::string::npos) << output;
  EXPECT_NE(output.find("2 created, 0 updated, 0 unchanged, 1 failed"), std::string::npos)
      << output;
  EXPECT_EQ(Ctl("venue import " + path, &output), 2) << output;
  EXPECT_NE(output.find("0 created, 0 updated, 2 unchanged, 1 failed"), std::string::npos)
      << output;

  const json messe = CtlJson("venue list --search messe")["venues"][0];
  const std::string messe_id = messe["venueId"];
  EXPECT_EQ(messe["dockHours"].size(), 6u);
  ASSERT_EQ(Ctl("venue show " + messe_id, &output, "ops"), 0);
  EXPECT_NE(output.find("BER-1=40m"), std::string::npos) << output;

  // Ops keep the notes current, but do not edit the venue.
  ASSERT_EQ(Ctl("venue notes " + messe_id + " --loading 'Dock 3, forklift'", &output, "ops"), 0)
      << output;
  EXPECT_EQ(Ctl("venue update " + messe_id + " --power none", &output, "ops"), 5);
  ASSERT_EQ(Ctl("venue update " + messe_id + " --parking-notes 'P2 for trucks'", &output), 0)
      << output;
  const json shown = CtlJson("venue show " + messe_id)["venue"];
  EXPECT_EQ(shown["loadingNotes"], "Dock 3, forklift");
  EXPECT_EQ(shown["parkingNotes"], "P2 for trucks");
  EXPECT_EQ(shown["power"], "2 x 63 A CEE");

  ASSERT_EQ(Ctl("venue create --name 'Messe Berlin Halle 7' --locality Berlin", &output), 0);
  const std::string duplicate =
      CtlJson("venue list --search 'Messe Berlin'")["venues"][0]["venueId"];
  ASSERT_EQ(Ctl("venue merge " + messe_id + " " + duplicate, &output), 0) << output;
  EXPECT_EQ(CtlJson("venue show " + duplicate)["venue"]["mergedIntoId"], messe_id);
  EXPECT_EQ(CtlJson("venue list --search messe")["venues"].size(), 1u);
}

}  // namespace
}  // namespace salesops::testing
