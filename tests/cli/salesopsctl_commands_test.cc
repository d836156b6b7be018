// salesopsctl against real inventory, scheduling and notification processes on
// the throwaway PostgreSQL: the demo company loaded through the CLI, the
// warehouse flow, notifications (including a stream that survives a restart
// of notification), the exit codes scripts branch on, and the scan station on a pseudo-terminal.
#include <absl/time/civil_time.h>
#include <absl/time/clock.h>
#include <absl/time/time.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/test_support.h"

namespace salesops::testing {
namespace {

using nlohmann::json;

class SalesopsctlCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/cli-commands-" + inventory_db_.name();
    std::filesystem::create_directories(dir_);
    for (const std::string role : {"admin", "sales", "ops", "service"}) {
      std::ofstream(dir_ + "/" + role + ".token") << tokens_.ForRole(role);
    }
    std::ofstream(dir_ + "/inventory.token") << TestTokens::OwnTokenOf("inventory");
    // Two crew members' own tokens (the freelancers of the offers test sign in with them).
    std::ofstream(dir_ + "/crew-ann.token") << tokens_.crew_ann;
    std::ofstream(dir_ + "/crew-ben.token") << tokens_.crew_ben;
    notification_port_ = FreeTcpPort();
    StartNotification();
    auto relaying = [&](const std::string& service, const TestDatabase& database) {
      return WithArg(WithArg(ServiceArgs(database.url(), database.server().password_file, tokens_),
                             "--notification-address", NotificationAddress()),
                     "--service-token-file", tokens_.ServiceTokenFile(service));
    };
    inventory_ = std::make_unique<ServiceProcess>(ServiceBinary("inventory"),
                                                  relaying("inventory", inventory_db_));
    // Offers go out a second after the work needs them, and crew calendar feeds are served.
    std::ofstream(dir_ + "/calendar.key")
        << "0123456789abcdef0123456789abcdef-calendar-key-not-a-secret\n";
    std::vector<std::string> scheduling_args = WithArg(
        WithArg(WithArg(relaying("scheduling", scheduling_db_), "--offer-interval-seconds", "1"),
                "--calendar-address", "127.0.0.1:" + std::to_string(FreeTcpPort())),
        "--calendar-key-file", dir_ + "/calendar.key");
    scheduling_ = std::make_unique<ServiceProcess>(ServiceBinary("scheduling"), scheduling_args);
    for (ServiceProcess* process : {inventory_.get(), scheduling_.get()}) {
      ASSERT_TRUE(process->WaitUntilStarted()) << process->log();
      ASSERT_TRUE(WaitForHealth(process->address(), "SERVING", std::chrono::seconds(20)));
    }
    // The config file the commands use, as scripts/run writes it: the token path is relative
    // to the file.
    std::ofstream(dir_ + "/config.yaml")
        << "inventory-address: " << inventory_->address() << "\n"
        << "scheduling-address: " << scheduling_->address() << "\n"
        << "notification-address: " << NotificationAddress() << "\n"
        << "order-intake-address: 127.0.0.1:1\n"
        << "token-file: admin.token\n";
  }

  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string NotificationAddress() const {
    return "127.0.0.1:" + std::to_string(notification_port_);
  }

  void StartNotification() {
    notification_ = std::make_unique<ServiceProcess>(
        ServiceBinary("notification"),
        WithArg(
            ServiceArgs(notification_db_.url(), notification_db_.server().password_file, tokens_),
            "--listen-address", NotificationAddress()));
    ASSERT_TRUE(notification_->WaitUntilStarted()) << notification_->log();
    ASSERT_TRUE(WaitForHealth(NotificationAddress(), "SERVING", std::chrono::seconds(20)));
  }

  // Runs salesopsctl with the test's config file; `output` gets stdout, and stderr too when
  // `with_stderr`.
  int Ctl(const std::string& args, std::string* output = nullptr, bool with_stderr = false) {
    std::string ignored;
    return RunCommand("SALESOPS_CONFIG=" + dir_ + "/config.yaml " +
                          ShellQuote(SalesopsctlBinary()) + " " + args +
                          (with_stderr ? " 2>&1" : " 2>/dev/null"),
                      output ? output : &ignored);
  }

  json CtlJson(const std::string& args) {
    std::string output;
    int code = Ctl(args + " --json", &output, false);
    EXPECT_EQ(code, 0) << args << "\n" << output;
    json parsed = json::parse(output, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(parsed.is_discarded()) << args << " printed no JSON:\n" << output;
    return parsed;
  }

  std::string TokenFile(const std::string& role) const { return dir_ + "/" + role + ".token"; }

  std::string DemoDir() const { return std::string(SALESOPS_SOURCE_DIR) + "/demo"; }

  // Publishes an event as a source service would (inventory's own token).
  void Publish(const std::string& type, const std::string& order, const std::string& summary) {
    static int counter = 0;
    std::string event_id = "cli-test-" + inventory_db_.name() + "-" + std::to_string(++counter);
    std::string request = "'{\"event\": {\"eventId\": \"" + event_id + "\", \"type\": \"" + type +
                          "\", \"orderId\": \"" + order +
                          "\", \"occurTime\": \"2030-05-01T08:00:00Z\", \"sourceService\": "
                          "\"inventory\", \"summary\": \"" +
                          summary + "\"}}'";
    std::string output;
    ASSERT_EQ(Ctl("--token-file " + TokenFile("inventory") + " call NotificationService.Publish " +
                      request,
                  &output, true),
              0)
        << output;
  }

  TestTokens tokens_;
  TestDatabase inventory_db_, scheduling_db_, notification_db_;
  int notification_port_ = 0;
  std::string dir_;
  std::unique_ptr<ServiceProcess> notification_, inventory_, scheduling_;
};

TEST_F(SalesopsctlCommandsTest, DemoCompanyLoadsThroughTheCliOnceAndThenChangesNothing) {
  json first = CtlJson(
      "demo load --skip orders --skip organisations --skip venues --skip pricing --skip "
      "company-profile " +
      ShellQuote(DemoDir()));
  EXPECT_EQ(first["company"], "Brightside Event Technology");
  EXPECT_EQ(first["warehouses"].size(), 2u);
  EXPECT_EQ(first["loaded"]["skills"]["created"], 4);
  EXPECT_EQ(first["loaded"]["items"]["created"], 58);
  EXPECT_EQ(first["loaded"]["products"]["created"], 21);
  EXPECT_EQ(first["loaded"]["crew"]["created"], 17);
  EXPECT_FALSE(first["loaded"].contains("offers")) << "the offers need the orders, skipped";
  EXPECT_EQ(first["loaded"]["vehicles"]["created"], 4);

  json second = CtlJson(
      "demo load --skip orders --skip organisations --skip venues --skip pricing --skip "
      "company-profile " +
      ShellQuote(DemoDir()));
  for (const std::string section : {"skills", "items", "products", "crew", "vehicles"}) {
    EXPECT_EQ(second["loaded"][section]["created"], 0) << section;
    EXPECT_EQ(second["loaded"][section]["updated"], 0) << section;
  }
  EXPECT_EQ(second["loaded"]["skills"]["unchanged"], 4);
  EXPECT_EQ(second["loaded"]["items"]["unchanged"], 58);
  EXPECT_EQ(second["loaded"]["products"]["unchanged"], 21);
  EXPECT_EQ(second["loaded"]["crew"]["unchanged"], 17);

  // What was loaded reads back through the same commands, in both warehouses.
  json items = CtlJson("catalog items list");
  ASSERT_EQ(items["items"].size(), 58u);
  std::set<std::string> warehouses;
  for (const json& item : items["items"]) warehouses.insert(item["warehouseId"]);
  EXPECT_EQ(warehouses, (std::set<std::string>{"WH-NORTH", "WH-SOUTH"}));
  json wall = CtlJson("catalog products show LED-WALL-3X2");
  EXPECT_EQ(wall["product"]["dayRate"]["currencyCode"], "EUR");
  EXPECT_EQ(wall["product"]["dayRate"]["units"], "2400");
  bool has_panels = false;
  for (const json& line : wall["product"]["components"]) {
    if (line["inventoryCode"] == "LED-PANEL-500") has_panels = line["quantity"] == 24;
  }
  EXPECT_TRUE(has_panels) << wall.dump();
  EXPECT_EQ(CtlJson("crew list --skill driver")["crewMembers"].size(), 3u);
  json alex = CtlJson("crew show CREW-ALEX");
  EXPECT_EQ(alex["crewMember"]["weeklyShifts"].size(), 5u);
  EXPECT_EQ(alex["crewMember"]["personId"], "alex.moreau");
  // Three freelancers with their fees; PYRO is held by freelancers only.
  json piet = CtlJson("crew show CREW-PIET")["crewMember"];
  EXPECT_EQ(piet["employment"], "EMPLOYMENT_FREELANCER");
  EXPECT_EQ(piet["dayFee"]["units"], "380");
  EXPECT_EQ(piet["hourFee"]["units"], "55");
  json pyro = CtlJson("crew list --skill PYRO")["crewMembers"];
  ASSERT_EQ(pyro.size(), 2u) << pyro.dump(2);
  for (const json& member : pyro) EXPECT_EQ(member["employment"], "EMPLOYMENT_FREELANCER");
  EXPECT_TRUE(CtlJson("crew show CREW-JONAS")["crewMember"]["crewChief"].get<bool>());
  // What they cost: every employee an hourly cost, with surcharges; the freelancers theirs.
  for (json member : CtlJson("crew list")["crewMembers"]) {
    if (member["employment"] == "EMPLOYMENT_FREELANCER") {
      EXPECT_TRUE(member["hourlyCost"].is_null()) << member.dump(2);
      EXPECT_EQ(member["beyondShiftPercent"], 50) << member.dump(2);
      continue;
    }
    const int64_t units = std::stoll(member["hourlyCost"]["units"].get<std::string>());
    EXPECT_GE(units, 28) << member.dump(2);
    EXPECT_LE(units, 45) << member.dump(2);
    EXPECT_GT(member["beyondShiftPercent"].get<int>(), 0) << member.dump(2);
  }
  EXPECT_EQ(alex["crewMember"]["hourlyCost"]["units"], "34");
  EXPECT_EQ(piet["nightWorkPercent"], 50);
  EXPECT_EQ(first["loaded"]["crew-rules"]["updated"], 1) << first.dump(2);
  EXPECT_EQ(second["loaded"]["crew-rules"]["unchanged"], 1) << second.dump(2);
  json rules = CtlJson("crew-rules show")["rules"];
  EXPECT_EQ(rules["perDiem"]["units"], "28");
  EXPECT_EQ(rules["perDiemFromTravel"], "3600s");
  // A crew file written before the cost columns still imports, and leaves the costs as they are.
  std::ofstream(dir_ + "/old-crew.csv")
      << "crew_member_id,display_name,skills,home_warehouse_id,weekly_shifts,contracted_weekly,"
         "person_id,employment,day_fee,hour_fee,crew_chief\n"
         "CREW-ALEX,Alex Moreau,VIDEO RIGGING,WH-NORTH,mon-fri 08:00-17:00,40h,alex.moreau,"
         "employee,,,no\n";
  EXPECT_EQ(CtlJson("crew import " + dir_ + "/old-crew.csv")["crew"]["unchanged"], 1);
  EXPECT_EQ(CtlJson("crew show CREW-ALEX")["crewMember"]["hourlyCost"]["units"], "34");
  // The demo's skill catalog: its own skills beside the seven built in, held with levels and
  // certificates counted from the day of the load, one of them expiring within two weeks.
  EXPECT_EQ(CtlJson("skills list")["skills"].size(), 11u);
  json rigger = CtlJson("skills show RIGGER")["skill"];
  EXPECT_TRUE(rigger["certificateRequired"].get<bool>());
  EXPECT_EQ(rigger["levelNames"], json::array({"level 1", "level 2"}));
  json marco = CtlJson("crew show CREW-MARCO")["crewMember"];
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::LocalTimeZone());
  bool rigger_expires_in_12_days = false;
  for (const json& held : marco["heldSkills"]) {
    if (held["skillCode"] != "RIGGER") continue;
    const json& day = held["certificateExpiryDay"];
    rigger_expires_in_12_days =
        absl::CivilDay(day["year"], day["month"], day["day"]) == today + 12 &&
        !held["certificateExpired"].get<bool>();
  }
  EXPECT_TRUE(rigger_expires_in_12_days) << marco.dump(2);
  std::string shown;
  ASSERT_EQ(Ctl("skills show RIGGER", &shown), 0);
  EXPECT_NE(shown.find("expires in 12 days"), std::string::npos) << shown;
  EXPECT_NE(shown.find("CREW-JONAS"), std::string::npos) << shown;
  json concert = CtlJson("catalog products list --skill grandma3")["products"];
  ASSERT_EQ(concert.size(), 1u) << concert.dump(2);
  EXPECT_EQ(concert[0]["productCode"], "LIGHT-RIG-CONCERT");
  ASSERT_EQ(Ctl("catalog products show LIGHT-RIG-CONCERT", &shown), 0);
  EXPECT_NE(shown.find("GRANDMA3/2:1x10h"), std::string::npos) << shown;
  EXPECT_EQ(CtlJson("vehicles list")["vehicles"].size(), 4u);

  // A changed row is updated, the rest left alone.
  std::string changed = dir_ + "/demo";
  std::filesystem::copy(DemoDir(), changed);
  std::string items_csv = changed + "/items.csv";
  std::ifstream in(items_csv);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  size_t row = text.find("MON-55,55-inch 4K display on a rolling stand,video,12,");
  ASSERT_NE(row, std::string::npos);
  text.replace(text.find(",12,", row), 4, ",14,");
  std::ofstream(items_csv) << text;
  // A certificate day counted from today is counted on the first load: a file counting it
  // differently later keeps the day held; a day written as a date replaces it.
  std::string crew_csv = changed + "/crew.csv";
  std::ifstream crew_in(crew_csv);
  std::string crew_text((std::istreambuf_iterator<char>(crew_in)),
                        std::istreambuf_iterator<char>());
  crew_in.close();
  ASSERT_NE(crew_text.find("RIGGER@+12d"), std::string::npos);
  crew_text.replace(crew_text.find("RIGGER@+12d"), 11, "RIGGER@+40d");
  ASSERT_NE(crew_text.find("FORKLIFT@+300d"), std::string::npos);
  crew_text.replace(crew_text.find("FORKLIFT@+300d"), 14, "FORKLIFT@2031-06-30");
  std::ofstream(crew_csv) << crew_text;
  json third = CtlJson(
      "demo load --skip orders --skip organisations --skip venues --skip pricing --skip "
      "company-profile " +
      changed);
  EXPECT_EQ(third["loaded"]["items"]["updated"], 1);
  EXPECT_EQ(third["loaded"]["items"]["unchanged"], 57);
  EXPECT_EQ(CtlJson("catalog items show MON-55")["item"]["quantityOwned"], 14);
  EXPECT_EQ(third["loaded"]["crew"]["updated"], 1) << third.dump(2);
  EXPECT_EQ(third["loaded"]["crew"]["unchanged"], 16);
  EXPECT_EQ(CtlJson("crew show CREW-MARCO")["crewMember"]["heldSkills"], marco["heldSkills"]);
  bool forklift_until_june = false;
  const json tom = CtlJson("crew show CREW-TOM")["crewMember"];
  for (const json& held : tom["heldSkills"]) {
    forklift_until_june |=
        held["skillCode"] == "FORKLIFT" &&
        held["certificateExpiryDay"] == json({{"year", 2031}, {"month", 6}, {"day", 30}});
  }
  EXPECT_TRUE(forklift_until_june) << tom.dump(2);
}

// The skill catalog through `skills` (ADMIN writes, everyone reads), and crew holding its skills
// with levels and certificates through `crew --skill CODE[/LEVEL][@DAY]`.
TEST_F(SalesopsctlCommandsTest, SkillCatalogAndCrewHoldingSkillsWithCertificates) {
  std::string output;
  // The seven skills salesops started with are in the catalog from the start.
  std::set<std::string> codes;
  const json listed = CtlJson("skills list");
  for (const json& skill : listed["skills"]) codes.insert(skill["skillCode"]);
  EXPECT_EQ(codes, (std::set<std::string>{"AUDIO", "DRIVER", "LIGHTING", "RIGGING", "STAGING",
                                          "VIDEO", "WAREHOUSE"}))
      << listed.dump(2);

  json added = CtlJson(
      "skills add GRANDMA3 --name 'grandMA3 operator' --level operator --level programmer "
      "--request-id add-grandma3");
  EXPECT_EQ(added["skill"]["skillCode"], "GRANDMA3");
  EXPECT_EQ(added["skill"]["levelNames"], json::array({"operator", "programmer"}));
  EXPECT_FALSE(added["skill"]["certificateRequired"].get<bool>());
  // The same request id again is answered, not done twice; a new one for the code is refused.
  EXPECT_EQ(CtlJson("skills add GRANDMA3 --name 'grandMA3 operator' --level operator --level "
                    "programmer --request-id add-grandma3")["skill"]["etag"],
            added["skill"]["etag"]);
  EXPECT_EQ(Ctl("skills add GRANDMA3 --name 'Another'", &output, true), 3);
  EXPECT_NE(output.find("ALREADY_EXISTS"), std::string::npos) << output;
  // Lower case is read as the code it names.
  json forklift = CtlJson(
      "skills add forklift --name 'Forklift licence' --certificate "
      "--description 'Drives the warehouse forklift'");
  EXPECT_EQ(forklift["skill"]["skillCode"], "FORKLIFT");
  EXPECT_TRUE(forklift["skill"]["certificateRequired"].get<bool>());
  // Only ADMIN changes the catalog; every role reads it.
  EXPECT_EQ(
      Ctl("--token-file " + TokenFile("ops") + " skills add RIGGER --name Rigger", &output, true),
      5);
  EXPECT_EQ(Ctl("--token-file " + TokenFile("sales") + " skills show grandma3", &output), 0);
  EXPECT_NE(output.find("1 operator, 2 programmer"), std::string::npos) << output;
  EXPECT_EQ(Ctl("skills show NO-SUCH-SKILL", &output, true), 3);

  // An update changes what is given under the etag read; a stale etag is refused.
  json updated = CtlJson("skills update GRANDMA3 --description 'Runs and programs shows'");
  EXPECT_EQ(updated["skill"]["description"], "Runs and programs shows");
  EXPECT_EQ(updated["skill"]["levelNames"], added["skill"]["levelNames"]);
  EXPECT_EQ(updated["skill"]["name"], "grandMA3 operator");
  EXPECT_NE(updated["skill"]["etag"], added["skill"]["etag"]);
  EXPECT_EQ(
      Ctl("skills update GRANDMA3 --name X --etag " + added["skill"]["etag"].get<std::string>(),
          &output, true),
      3);
  EXPECT_NE(output.find("STALE_REVISION"), std::string::npos) << output;
  EXPECT_EQ(Ctl("skills update FORKLIFT --certificate --no-certificate", &output, true), 2);
  EXPECT_EQ(CtlJson("skills show GRANDMA3")["skill"]["name"], "grandMA3 operator");

  // A crew member with held skills: the old words, a level, a certificate counted from today.
  const std::string ops = "--token-file " + TokenFile("ops") + " ";
  json vic = CtlJson(ops +
                     "crew add CREW-VIC --name 'Vic Ortega' --person-id vic.ortega "
                     "--skill video --skill 'GRANDMA3/2 FORKLIFT@+10d' "
                     "--shifts 'mon-fri 08:00-17:00' --zone Europe/Berlin");
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::LocalTimeZone());
  const absl::CivilDay in_ten_days = today + 10;
  std::map<std::string, json> held;
  for (const json& skill : vic["crewMember"]["heldSkills"]) held[skill["skillCode"]] = skill;
  ASSERT_EQ(held.size(), 3u) << vic.dump(2);
  EXPECT_EQ(held["VIDEO"]["level"], 1);
  EXPECT_EQ(held["GRANDMA3"]["level"], 2);
  EXPECT_EQ(held["FORKLIFT"]["certificateExpiryDay"], json({{"year", in_ten_days.year()},
                                                            {"month", in_ten_days.month()},
                                                            {"day", in_ten_days.day()}}));
  EXPECT_EQ(vic["crewMember"]["personId"], "vic.ortega");
  // Bad input is named by its flag before anything is sent; a certificate the skill needs is
  // refused by scheduling.
  EXPECT_EQ(Ctl(ops + "crew add CREW-X --name X --skill RIGGER/x", &output, true), 2);
  EXPECT_NE(output.find("--skill"), std::string::npos) << output;
  EXPECT_NE(output.find("level"), std::string::npos) << output;
  EXPECT_EQ(Ctl(ops + "crew add CREW-X --name X --skill FORKLIFT@31.12.2030", &output, true), 2);
  EXPECT_NE(output.find("expiry day"), std::string::npos) << output;
  EXPECT_EQ(Ctl(ops + "crew add CREW-X --name X --skill FORKLIFT --shifts 'mon 08:00-17:00'",
                &output, true),
            2);
  EXPECT_NE(output.find("certificate_expiry_day (--skill)"), std::string::npos) << output;
  EXPECT_EQ(Ctl(ops + "crew add CREW-X --name X --skill JUGGLING --shifts 'mon 08:00-17:00'",
                &output, true),
            3);
  EXPECT_NE(output.find("UNKNOWN_SKILL_CODE"), std::string::npos) << output;
  EXPECT_EQ(Ctl("crew show CREW-X", &output, true), 3);

  // Tables print what is held in the spelling --skill takes, and flag what no longer counts.
  ASSERT_EQ(Ctl("crew list --skill grandma3", &output), 0);
  EXPECT_NE(output.find("CREW-VIC"), std::string::npos) << output;
  EXPECT_NE(output.find("GRANDMA3/2"), std::string::npos) << output;
  EXPECT_EQ(CtlJson("crew list --skill GRANDMA3")["crewMembers"].size(), 1u);
  EXPECT_EQ(CtlJson("crew list --skill video")["crewMembers"].size(), 1u);
  ASSERT_EQ(Ctl("crew show CREW-VIC", &output), 0);
  EXPECT_NE(output.find("expires in 10 days"), std::string::npos) << output;
  ASSERT_EQ(Ctl("skills show GRANDMA3", &output), 0);
  EXPECT_NE(output.find("2 (programmer)"), std::string::npos) << output;

  // A certificate past its day: still held, flagged expired, in the list and in the show.
  CtlJson(ops + "crew update CREW-VIC --skill 'video GRANDMA3/2 FORKLIFT@2020-01-31'");
  json expired = CtlJson("crew show CREW-VIC");
  bool forklift_expired = false;
  for (const json& skill : expired["crewMember"]["heldSkills"]) {
    if (skill["skillCode"] == "FORKLIFT") forklift_expired = skill["certificateExpired"];
  }
  EXPECT_TRUE(forklift_expired) << expired.dump(2);
  ASSERT_EQ(Ctl("crew list", &output), 0);
  EXPECT_NE(output.find("FORKLIFT@2020-01-31 (expired)"), std::string::npos) << output;
  ASSERT_EQ(Ctl("crew show CREW-VIC", &output), 0);
  EXPECT_NE(output.find("EXPIRED"), std::string::npos) << output;
  // An update without --skill keeps what is held.
  CtlJson(ops + "crew update CREW-VIC --name 'Vic Ortega-Lind'");
  EXPECT_EQ(CtlJson("crew show CREW-VIC")["crewMember"]["heldSkills"].size(), 3u);
}

TEST_F(SalesopsctlCommandsTest, ExitCodesSayWhatKindOfFailureItWas) {
  ASSERT_EQ(Ctl("demo load --skip orders --skip organisations --skip venues --skip pricing --skip "
                "company-profile " +
                ShellQuote(DemoDir())),
            0);
  std::string output;

  // 2: bad input, each field named in plain words.
  EXPECT_EQ(Ctl("availability 'bad code=0' --from 2030-05-01 --to 2030-05-02", &output, true), 2);
  EXPECT_NE(output.find("lines[0].inventory_code:"), std::string::npos) << output;
  EXPECT_NE(output.find("lines[0].quantity:"), std::string::npos) << output;
  EXPECT_EQ(Ctl("availability LED-PANEL-500=1 --from someday --to 2030-05-02", &output, true), 2);
  EXPECT_NE(output.find("--from"), std::string::npos) << output;
  EXPECT_EQ(Ctl("catalog items list --no-such-flag", &output, true), 2);

  // 3: refused by the state of things, with the reason.
  EXPECT_EQ(Ctl("catalog items delete LED-PANEL-500", &output, true), 3);
  EXPECT_NE(output.find("ITEM_IN_USE"), std::string::npos) << output;
  EXPECT_EQ(Ctl("catalog items upsert MON-55 --quantity 13 --etag 999", &output, true), 3);
  EXPECT_NE(output.find("STALE_REVISION"), std::string::npos) << output;
  EXPECT_EQ(Ctl("crew show CREW-NOBODY", &output, true), 3);
  EXPECT_EQ(CtlJson("catalog items show MON-55")["item"]["quantityOwned"], 12);

  // 4: unreachable, with where it looked and how to change it.
  EXPECT_EQ(
      Ctl("--inventory-address 127.0.0.1:1 --timeout-ms 2000 catalog items list", &output, true),
      4);
  EXPECT_NE(output.find("SALESOPS_INVENTORY_ADDRESS"), std::string::npos) << output;

  // 5: a role that may not, or no token at all.
  EXPECT_EQ(Ctl("--token-file " + TokenFile("sales") + " catalog items upsert MON-55 --quantity 1",
                &output, true),
            5);
  EXPECT_NE(output.find("sales"), std::string::npos) << output;
  std::ofstream(dir_ + "/no-token.yaml") << "inventory-address: " << inventory_->address() << "\n";
  EXPECT_EQ(RunCommand("SALESOPS_CONFIG=" + dir_ + "/no-token.yaml " +
                           ShellQuote(SalesopsctlBinary()) + " catalog items list 2>&1",
                       &output),
            5);
  EXPECT_NE(output.find("--token-file"), std::string::npos) << output;

  // Settings: flag over environment over config file; a bad config file is bad input.
  EXPECT_EQ(RunCommand("SALESOPS_CONFIG=" + dir_ +
                       "/config.yaml SALESOPS_INVENTORY_ADDRESS=127.0.0.1:1 " +
                       ShellQuote(SalesopsctlBinary()) +
                       " --timeout-ms 2000 catalog items list >/dev/null 2>&1"),
            4);
  EXPECT_EQ(RunCommand("SALESOPS_CONFIG=" + dir_ +
                       "/config.yaml SALESOPS_INVENTORY_ADDRESS=127.0.0.1:1 " +
                       ShellQuote(SalesopsctlBinary()) + " --inventory-address " +
                       inventory_->address() + " catalog items list >/dev/null 2>&1"),
            0);
  std::ofstream(dir_ + "/typo.yaml") << "inventory-adress: 127.0.0.1:50051\n";
  EXPECT_EQ(RunCommand(ShellQuote(SalesopsctlBinary()) + " --config " + dir_ +
                           "/typo.yaml catalog items list 2>&1",
                       &output),
            2);
  EXPECT_NE(output.find("unknown setting 'inventory-adress'"), std::string::npos) << output;
  EXPECT_EQ(Ctl("--config " + dir_ + "/missing.yaml health", &output, true), 2);
}

TEST_F(SalesopsctlCommandsTest, WarehouseAndScheduleCommandsFollowAnOrder) {
  ASSERT_EQ(Ctl("demo load --skip orders --skip organisations --skip venues --skip pricing --skip "
                "company-profile " +
                ShellQuote(DemoDir())),
            0);
  const std::string window = "--from 2030-05-02T00:00:00Z --to 2030-05-03T00:00:00Z";
  json free = CtlJson("availability LED-PANEL-500=80 LED-PROC-4K " + window);
  EXPECT_EQ(free["allAvailable"], true) << free.dump();

  // order-intake reserves on confirm; here the test does (ADMIN may).
  std::string output;
  ASSERT_EQ(Ctl("call InventoryService.Reserve '{\"orderId\": \"ORD-7\", \"orderRevision\": 1, "
                "\"lines\": [{\"inventoryCode\": \"LED-PANEL-500\", \"quantity\": 24}], "
                "\"window\": {\"notBefore\": \"2030-05-01T08:00:00Z\", \"noLaterThan\": "
                "\"2030-05-03T18:00:00Z\"}}'",
                &output, true),
            0)
      << output;
  json short_now = CtlJson("availability LED-PANEL-500=80 " + window);
  EXPECT_EQ(short_now["allAvailable"], false);
  ASSERT_EQ(short_now["shortages"].size(), 1u);
  EXPECT_EQ(short_now["shortages"][0]["shortfall"], 8);

  json sheet = CtlJson("pullsheet ORD-7");
  EXPECT_EQ(sheet["pullSheet"]["groups"][0]["lines"][0]["quantityToPull"], 24);
  const std::string ops = "--token-file " + TokenFile("ops") + " ";
  EXPECT_EQ(Ctl(ops + "prep ORD-7 --pulled LED-PANEL-500=30", &output, true), 2);
  EXPECT_NE(output.find("over-pull"), std::string::npos) << output;
  json prepped = CtlJson(ops + "prep ORD-7 --pulled LED-PANEL-500=24");
  EXPECT_EQ(prepped["pullSheet"]["progress"]["state"], "PREP_STATE_COMPLETE");
  json out = CtlJson(ops + "checkout ORD-7 --vehicle VAN-1");
  EXPECT_EQ(out["movement"]["lines"][0]["quantity"], 24);
  json back = CtlJson(ops +
                      "checkin ORD-7 --returned LED-PANEL-500=22 --damaged LED-PANEL-500=2 "
                      "--damage-note 'cracked corner'");
  EXPECT_EQ(back["outOfService"].size(), 1u) << back.dump();
  EXPECT_EQ(CtlJson("catalog items show LED-PANEL-500")["outOfServiceQuantity"], 2);

  json forecast = CtlJson(
      "forecast --from 2030-05-01T00:00:00Z --to 2030-05-04T00:00:00Z "
      "--bucket 1d --code LED-PANEL-500");
  ASSERT_EQ(forecast["forecasts"].size(), 1u);
  EXPECT_EQ(forecast["forecasts"][0]["buckets"][1]["firmDemand"], 24);

  // A job planned by hand (order-intake does this on confirm), then seen by sales and ops. It is
  // days ahead, not years: assignment only places work inside its planning horizon.
  json planned = CtlJson(
      "job plan ORD-8 --product LED-WALL-3X2=1 --deliver-by +4d --show-start +4d2h "
      "--show-end +5d --strike +5d1h --venue 'Harbour Congress Centre' --travel 40m");
  EXPECT_EQ(planned["job"]["orderId"], "ORD-8");
  EXPECT_GT(planned["job"]["tasks"].size(), 4u);
  json status = CtlJson("--token-file " + TokenFile("sales") + " job status ORD-8");
  EXPECT_EQ(status["job"]["tasks"].size(), planned["job"]["tasks"].size());
  json plan = CtlJson("prep-plan --from -1d --to +10d");
  ASSERT_EQ(plan["plan"].size(), 1u);
  EXPECT_EQ(plan["plan"][0]["orderId"], "ORD-8");
  json schedule = CtlJson("schedule --from -1d --to +10d");
  EXPECT_FALSE(schedule["entries"].empty()) << schedule.dump();
  for (const json& entry : schedule["entries"]) EXPECT_EQ(entry["task"]["orderId"], "ORD-8");
  EXPECT_EQ(Ctl("job status ORD-NONE", &output, true), 3);
}

TEST_F(SalesopsctlCommandsTest, NotificationsListAckAndFollowAcrossARestart) {
  const std::string sales = "--token-file " + TokenFile("sales") + " ";
  // Shortages go to sales' inbox out of the box.
  Publish("EVENT_TYPE_SHORTAGE_DETECTED", "ORD-1", "Order ORD-1: 8 LED-PANEL-500 short");
  json inbox = CtlJson(sales + "notifications --unread");
  ASSERT_EQ(inbox["notifications"].size(), 1u);
  EXPECT_EQ(inbox["unacknowledgedCount"], 1);
  EXPECT_EQ(inbox["notifications"][0]["summary"], "Order ORD-1: 8 LED-PANEL-500 short");
  EXPECT_EQ(CtlJson(sales + "notifications ack --all")["acknowledgedCount"], 1);
  EXPECT_EQ(CtlJson(sales + "notifications --unread")["notifications"].size(), 0u);

  // --follow prints each new notification once, in order, and when notification restarts it
  // reconnects after the last one shown: an event published meanwhile is not missed.
  std::string follow_out = dir_ + "/follow.out";
  FILE* follow = popen(
      ("SALESOPS_CONFIG=" + dir_ + "/config.yaml " + ShellQuote(SalesopsctlBinary()) + " " + sales +
       "notifications --follow --json --limit 2 >" + follow_out + " 2>" + dir_ + "/follow.err")
          .c_str(),
      "r");
  ASSERT_NE(follow, nullptr);
  // The stream starts from now: wait until it is connected (the service counts subscribers).
  ASSERT_TRUE([&] {
    for (int i = 0; i < 600; ++i) {
      if (FetchMetrics(notification_->metrics_port())
              .find("salesops_notification_stream_subscribers 1") != std::string::npos) {
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }());
  Publish("EVENT_TYPE_SHORTAGE_DETECTED", "ORD-2", "first, before the restart");
  // The first line is out before notification goes down.
  ASSERT_TRUE([&] {
    for (int i = 0; i < 600; ++i) {
      std::ifstream in(follow_out);
      std::string line;
      if (std::getline(in, line) && !line.empty()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }());
  EXPECT_EQ(notification_->Terminate(), 0);
  StartNotification();
  Publish("EVENT_TYPE_SHORTAGE_DETECTED", "ORD-3", "second, after the restart");
  EXPECT_EQ(WEXITSTATUS(pclose(follow)), 0);
  std::ifstream in(follow_out);
  std::vector<json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["summary"], "first, before the restart");
  EXPECT_EQ(lines[1]["summary"], "second, after the restart");
  std::ifstream err(dir_ + "/follow.err");
  std::string errors((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
  EXPECT_NE(errors.find("reconnecting"), std::string::npos) << errors;

  // A webhook subscription with a generated secret, shown once; no dead letters yet.
  json webhook = CtlJson(
      "subscribe-webhook https://hooks.example.invalid/salesops --type order-amended "
      "--type shortage-detected --name 'Ops chat bridge'");
  EXPECT_EQ(webhook["webhookSecret"].get<std::string>().size(), 64u);
  EXPECT_EQ(webhook["subscription"]["webhook"]["secretSet"], true);
  EXPECT_EQ(webhook["subscription"]["eventTypes"].size(), 2u);
  EXPECT_EQ(CtlJson("dead-letters list")["deadLetters"].size(), 0u);
  std::string output;
  EXPECT_EQ(Ctl("subscribe-webhook ftp://example.invalid/x", &output, true), 2);
  EXPECT_NE(output.find("url"), std::string::npos) << output;
  // The service's own neighbourhood is out of a webhook's reach unless the operator opens it.
  EXPECT_EQ(Ctl("subscribe-webhook http://169.254.169.254/latest/meta-data/", &output, true), 2);
  EXPECT_NE(output.find("link-local"), std::string::npos) << output;
}

}  // namespace
}  // namespace salesops::testing

namespace salesops::testing {
namespace {

// rate, pricelist, tax and fx against a real order-intake: what people type ("19 %", "1.083",
// "500 EUR/day factors 1:1,2:0.5") stored as meant, listed as typed, and only ADMIN writing.
TEST_F(SalesopsctlCommandsTest, PricingCommandsKeepRatesListsTaxAndExchangeRates) {
  TestDatabase orders_db;
  ServiceProcess orders(
      ServiceBinary("order-intake"),
      WithArg(WithArg(ServiceArgs(orders_db.url(), orders_db.server().password_file, tokens_),
                      "--inventory-address", inventory_->address()),
              "--scheduling-address", scheduling_->address()));
  ASSERT_TRUE(orders.WaitUntilStarted()) << orders.log();
  ASSERT_TRUE(WaitForHealth(orders.address(), "SERVING", std::chrono::seconds(20)));
  const std::string to_orders = " --order-intake-address " + orders.address();

  std::string output;
  ASSERT_EQ(
      Ctl("rate set LED-WALL-3X2 '500 EUR/day factors 1:1,2:0.5,4:0.25 week-cap 3'" + to_orders,
          &output, true),
      0)
      << output;
  EXPECT_NE(output.find("500.00 EUR/day factors 1:1.0,2:0.5,4:0.25 week-cap 3.0"),
            std::string::npos)
      << output;
  ASSERT_EQ(Ctl("rate list" + to_orders, &output), 0);
  EXPECT_NE(output.find("LED-WALL-3X2"), std::string::npos) << output;

  ASSERT_EQ(
      Ctl("tax add --jurisdiction DE --rate '19 %' --name 'USt 19 %' --from 2021-01-01" + to_orders,
          &output, true),
      0)
      << output;
  // The same class and jurisdiction again shares days: refused by a rule, exit 3, naming it.
  EXPECT_EQ(Ctl("tax add --jurisdiction DE --rate '16 %'" + to_orders, &output, true), 3);
  EXPECT_NE(output.find("tax-1001"), std::string::npos) << output;
  ASSERT_EQ(Ctl("tax list" + to_orders, &output), 0);
  EXPECT_NE(output.find("19 %"), std::string::npos) << output;
  EXPECT_NE(output.find("2021-01-01"), std::string::npos) << output;

  ASSERT_EQ(Ctl("fx add eur USD 1.083" + to_orders, &output, true), 0) << output;
  EXPECT_NE(output.find("1 EUR = 1.083 USD"), std::string::npos) << output;
  EXPECT_EQ(Ctl("fx add EUR EUR 1" + to_orders, &output, true), 2) << "a currency to itself";

  ASSERT_EQ(Ctl("pricelist create 'Summer 2027' --from 2027-06-01 --until 2027-08-31 "
                "--override TRUSS-SET=80% --override 'LED-WALL-3X2=450 EUR/day' --others 90%" +
                    to_orders,
                &output, true),
            0)
      << output;
  json shown = CtlJson("pricelist show pl-1001" + to_orders);
  EXPECT_EQ(shown["pricelist"]["overrides"].size(), 2u) << shown.dump();
  EXPECT_EQ(shown["pricelist"]["everythingElsePercentBp"], 9000) << shown.dump();
  ASSERT_EQ(Ctl("pricelist update pl-1001 --others none --notes 'Festival season'" + to_orders,
                &output, true),
            0)
      << output;
  ASSERT_EQ(Ctl("pricelist show pl-1001" + to_orders, &output), 0);
  EXPECT_NE(output.find("Festival season"), std::string::npos) << output;
  EXPECT_NE(output.find("80 %"), std::string::npos) << output;

  // Sales reads but does not write.
  EXPECT_EQ(Ctl("pricelist list --token-file " + TokenFile("sales") + to_orders, &output), 0);
  EXPECT_NE(output.find("Summer 2027"), std::string::npos) << output;
  EXPECT_NE(Ctl("pricelist delete pl-1001 --token-file " + TokenFile("sales") + to_orders), 0);
  EXPECT_EQ(Ctl("pricelist delete pl-1001" + to_orders), 0);
  EXPECT_EQ(Ctl("tax remove tax-1001" + to_orders), 0);
  EXPECT_EQ(Ctl("fx remove fx-1001" + to_orders), 0);
  EXPECT_EQ(Ctl("rate delete LED-WALL-3X2" + to_orders), 0);
  ASSERT_EQ(Ctl("tax list" + to_orders, &output), 0);
  EXPECT_EQ(output.find("tax-1001"), std::string::npos) << output;
}

}  // namespace
}  // namespace salesops::testing

namespace salesops::testing {
namespace {

// Every wait on a terminal is this long at most, so a station that hangs fails the test instead
// of stopping it.
constexpr std::chrono::seconds kTerminalWait(5);

// A command on a pseudo-terminal, as a person at a scan station runs it: its standard input,
// output and error are the terminal, so it sees a tty, and what is typed is echoed on the
// screen as a keyboard's (or a USB scanner's) keys are.
class PseudoTerminal {
 public:
  explicit PseudoTerminal(const std::string& command) {
    winsize size = {};
    size.ws_row = 50;
    size.ws_col = 160;
    pid_ = forkpty(&terminal_, nullptr, nullptr, &size);
    if (pid_ < 0) throw std::runtime_error("forkpty failed");
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
      execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }

  ~PseudoTerminal() {
    if (pid_ > 0 && !ended_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (terminal_ >= 0) close(terminal_);
  }

  PseudoTerminal(const PseudoTerminal&) = delete;
  PseudoTerminal& operator=(const PseudoTerminal&) = delete;

  // Keys, as typed: "\r" is Enter, "\x04" is Ctrl-D.
  void Type(const std::string& keys) {
    ASSERT_EQ(write(terminal_, keys.data(), keys.size()), static_cast<ssize_t>(keys.size()));
  }

  // Reads until `text` appears after what the last wait saw; `seen()` is then the screen output
  // from there up to the end of `text`. False when it does not appear within kTerminalWait.
  bool WaitFor(const std::string& text) {
    const auto deadline = std::chrono::steady_clock::now() + kTerminalWait;
    while (true) {
      size_t found = output_.find(text, seen_end_);
      if (found != std::string::npos) {
        seen_ = output_.substr(seen_end_, found + text.size() - seen_end_);
        seen_end_ = found + text.size();
        return true;
      }
      if (!ReadSome(deadline)) return false;
    }
  }

  // Types one line and returns the screen the station drew in answer (up to its next prompt).
  std::string Scan(const std::string& line) {
    Type(line + "\r");
    EXPECT_TRUE(WaitFor("scan> ")) << "no answer to '" << line << "':\n" << output_;
    return seen_;
  }

  // Waits for the command to end, reading what it still prints; its exit status, or -1 when it
  // did not end within kTerminalWait (it is killed then).
  int WaitForExit() {
    const auto deadline = std::chrono::steady_clock::now() + kTerminalWait;
    while (ReadSome(deadline)) {
    }
    seen_ = output_.substr(seen_end_);
    seen_end_ = output_.size();
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        ended_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

  const std::string& seen() const { return seen_; }
  const std::string& output() const { return output_; }

 private:
  // False at the deadline, or when the terminal closed (the command ended: read gives EIO).
  bool ReadSome(std::chrono::steady_clock::time_point deadline) {
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd ready = {terminal_, POLLIN, 0};
      int polled = poll(&ready, 1, static_cast<int>(left.count()));
      if (polled < 0 && errno == EINTR) continue;
      if (polled <= 0) return false;
      char buffer[4096];
      ssize_t read_bytes = read(terminal_, buffer, sizeof buffer);
      if (read_bytes <= 0) return false;
      output_.append(buffer, static_cast<size_t>(read_bytes));
      return true;
    }
  }

  int terminal_ = -1;
  pid_t pid_ = -1;
  bool ended_ = false;
  std::string output_;
  std::string seen_;
  size_t seen_end_ = 0;
};

// The scan station as the warehouse uses it (issue 19): salesopsctl on a terminal, barcodes
// typed a line at a time as a USB scanner types them, the progress table redrawn after each
// scan, the bell and the reason on a refusal, and at the end what is missing; then the same
// station fed from a pipe, as a script would, in plain lines and in JSON.
TEST_F(SalesopsctlCommandsTest, ScanStationPullsAndTakesBackAnOrderOnATerminal) {
  std::string output;
  ASSERT_EQ(Ctl("catalog items upsert MIXER-X32 --description 'Digital mixer X32' --category audio "
                "--quantity 2 --tracking serialized --warehouse WH-1",
                &output, true),
            0)
      << output;
  ASSERT_EQ(Ctl("catalog items upsert CABLE-XLR --description 'XLR cable 10 m' --category audio "
                "--quantity 40 --tracking bulk --warehouse WH-1",
                &output, true),
            0)
      << output;
  const std::string ops = "--token-file " + TokenFile("ops") + " ";
  std::vector<std::string> mixers;
  for (const std::string serial : {"X32-001", "X32-002"}) {
    json registered = CtlJson(ops + "assets register MIXER-X32 --serial " + serial);
    mixers.push_back(registered["asset"]["assetId"]);
  }
  ASSERT_EQ(mixers.size(), 2u);
  // order-intake reserves on confirm; here the test does (ADMIN may). Two orders a month apart,
  // so both mixers can be reserved for each.
  auto reserve = [&](const std::string& order, int mixers_needed, const std::string& month) {
    std::string answer;
    ASSERT_EQ(
        Ctl("call InventoryService.Reserve '{\"orderId\": \"" + order +
                "\", \"orderRevision\": 1, \"lines\": [{\"inventoryCode\": \"MIXER-X32\", "
                "\"quantity\": " +
                std::to_string(mixers_needed) +
                "}, {\"inventoryCode\": \"CABLE-XLR\", \"quantity\": 5}], \"window\": "
                "{\"notBefore\": \"2030-" +
                month + "-01T08:00:00Z\", \"noLaterThan\": \"2030-" + month + "-03T18:00:00Z\"}}'",
            &answer, true),
        0)
        << answer;
  };
  reserve("ORD-SCAN", 2, "05");
  reserve("ORD-LATER", 1, "06");
  const std::string station_command = "SALESOPS_CONFIG=" + dir_ + "/config.yaml " +
                                      ShellQuote(SalesopsctlBinary()) + " " + ops + "scan out ";

  {
    PseudoTerminal station(station_command + "ORD-SCAN --dispatch");
    ASSERT_TRUE(station.WaitFor("scan> ")) << station.output();
    EXPECT_NE(station.seen().find("0/2"), std::string::npos) << station.seen();
    EXPECT_NE(station.seen().find("0/5"), std::string::npos) << station.seen();

    std::string screen = station.Scan(mixers[0]);
    EXPECT_NE(screen.find("\x1b[H\x1b[J"), std::string::npos) << "redrawn in place:\n" << screen;
    EXPECT_NE(screen.find("1/2"), std::string::npos) << screen;
    EXPECT_NE(screen.find("OK  " + mixers[0]), std::string::npos) << screen;
    EXPECT_EQ(screen.find('\a'), std::string::npos) << "no bell on an accepted scan:\n" << screen;

    // The same unit again, a barcode nothing carries, and a line no scanner types: each rings
    // the bell, says why, and changes nothing.
    screen = station.Scan(mixers[0]);
    EXPECT_NE(screen.find('\a'), std::string::npos) << screen;
    EXPECT_NE(screen.find("REFUSED  ALREADY_OUT"), std::string::npos) << screen;
    EXPECT_NE(screen.find("1/2"), std::string::npos) << screen;
    screen = station.Scan("NO-SUCH-LABEL");
    EXPECT_NE(screen.find('\a'), std::string::npos) << screen;
    EXPECT_NE(screen.find("REFUSED  UNKNOWN_BARCODE"), std::string::npos) << screen;
    screen = station.Scan("two words");
    EXPECT_NE(screen.find('\a'), std::string::npos) << screen;
    EXPECT_NE(screen.find("REFUSED  NOT_SENT"), std::string::npos) << screen;

    screen = station.Scan(mixers[1]);
    EXPECT_NE(screen.find("2/2"), std::string::npos) << screen;
    EXPECT_NE(screen.find("✓"), std::string::npos) << screen;
    screen = station.Scan("5 CABLE-XLR");
    EXPECT_NE(screen.find("5/5"), std::string::npos) << screen;

    station.Type("done\r");
    EXPECT_EQ(station.WaitForExit(), 0) << station.output();
    EXPECT_NE(station.seen().find("Complete."), std::string::npos) << station.seen();
    EXPECT_NE(station.seen().find("Dispatched:"), std::string::npos) << station.seen();
    EXPECT_NE(station.seen().find("MIXER-X32=2"), std::string::npos) << station.seen();
  }
  // Both mixers are out with ORD-SCAN: the later order gets its cables and no mixer, and
  // Ctrl-D ends the station with what is missing.
  {
    PseudoTerminal station(station_command + "ORD-LATER");
    ASSERT_TRUE(station.WaitFor("scan> ")) << station.output();
    std::string screen = station.Scan(mixers[0]);
    EXPECT_NE(screen.find("ALREADY_OUT"), std::string::npos) << screen;
    EXPECT_NE(screen.find("ORD-SCAN"), std::string::npos) << "names the order:\n" << screen;
    screen = station.Scan("5 CABLE-XLR");
    EXPECT_NE(screen.find("5/5"), std::string::npos) << screen;
    station.Type("\x04");
    EXPECT_EQ(station.WaitForExit(), 3) << station.output();
    EXPECT_NE(station.seen().find("Missing:"), std::string::npos) << station.seen();
    EXPECT_NE(station.seen().find("MIXER-X32: 1"), std::string::npos) << station.seen();
  }

  // From a pipe: one plain line a scan, no terminal codes; the bell still on stderr. Scan in
  // takes the order back: a unit good, a unit damaged with what is wrong, 3 of the 5 cables;
  // --check-in records it, and 2 cables are missing.
  std::ofstream(dir_ + "/returns.txt")
      << mixers[0] << "\r\n!" << mixers[1] << " fader 3 broken\n\n3 CABLE-XLR\n"
      << mixers[0] << "\n";
  int code = RunCommand(
      "SALESOPS_CONFIG=" + dir_ + "/config.yaml " + ShellQuote(SalesopsctlBinary()) + " " + ops +
          "scan in ORD-SCAN --check-in <" + dir_ + "/returns.txt 2>" + dir_ + "/returns.err",
      &output);
  EXPECT_EQ(code, 3) << output;
  EXPECT_EQ(output.find('\x1b'), std::string::npos) << "no terminal codes in a pipe:\n" << output;
  EXPECT_NE(output.find("OK  " + mixers[0]), std::string::npos) << output;
  EXPECT_NE(output.find("OK  " + mixers[1]), std::string::npos) << output;
  EXPECT_NE(output.find("REFUSED  NOT_OUT"), std::string::npos) << output;
  EXPECT_NE(output.find("Missing:"), std::string::npos) << output;
  EXPECT_NE(output.find("CABLE-XLR: 2"), std::string::npos) << output;
  EXPECT_NE(output.find("CABLE-XLR=2"), std::string::npos) << "the check-in's missing:\n" << output;
  std::ifstream errors_file(dir_ + "/returns.err");
  std::string errors((std::istreambuf_iterator<char>(errors_file)),
                     std::istreambuf_iterator<char>());
  EXPECT_NE(errors.find('\a'), std::string::npos) << errors;
  ASSERT_EQ(Ctl("assets show " + mixers[1], &output, true), 0) << output;
  EXPECT_NE(output.find("in-repair"), std::string::npos) << output;
  EXPECT_NE(output.find("damaged; fader 3 broken"), std::string::npos) << output;

  // --json: one ScanResult a line, then the summary.
  std::ofstream(dir_ + "/more.txt") << "1 CABLE-XLR\n";
  code = RunCommand("SALESOPS_CONFIG=" + dir_ + "/config.yaml " + ShellQuote(SalesopsctlBinary()) +
                        " " + ops + "scan out ORD-LATER --json <" + dir_ + "/more.txt 2>/dev/null",
                    &output);
  EXPECT_EQ(code, 3) << output;
  std::vector<json> lines;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  ASSERT_EQ(lines.size(), 2u) << output;
  EXPECT_EQ(lines[0]["refusal"], "SCAN_REFUSAL_NOTHING_NEEDED") << output;
  EXPECT_EQ(lines[1]["complete"], false) << output;
  EXPECT_EQ(lines[1]["missing"][0]["inventoryCode"], "MIXER-X32") << output;
}

// A unit's life beside scanning: a maintenance plan, an inspection that fails and one that
// passes, repair with its cost, each in the unit's history.
TEST_F(SalesopsctlCommandsTest, AssetStateInspectionsAndMaintenancePlans) {
  std::string output;
  ASSERT_EQ(Ctl("catalog items upsert HOIST-1T --description 'Chain hoist 1 t' --category rigging "
                "--quantity 1 --tracking serialized --warehouse WH-1",
                &output, true),
            0)
      << output;
  const std::string ops = "--token-file " + TokenFile("ops") + " ";
  json registered = CtlJson(ops + "assets register HOIST-1T --serial H-1 --barcode HOIST-0001");
  const std::string hoist = registered["asset"]["assetId"];

  ASSERT_EQ(Ctl(ops + "maintenance-plan set HOIST-1T --rule 'LOLER:182:Lifting equipment check' "
                      "--rule visual",
                &output, true),
            0)
      << output;
  EXPECT_NE(output.find("every 182 days"), std::string::npos) << output;
  EXPECT_NE(output.find("on every return"), std::string::npos) << output;
  EXPECT_NE(output.find("VISUAL"), std::string::npos) << output;
  ASSERT_EQ(Ctl("maintenance-plan show HOIST-1T", &output, true), 0) << output;
  EXPECT_NE(output.find("Lifting equipment check"), std::string::npos) << output;
  EXPECT_EQ(Ctl(ops + "maintenance-plan set HOIST-1T --rule 'LOLER:often'", &output, true), 2);
  EXPECT_NE(output.find("--rule"), std::string::npos) << output;

  // By barcode: a fail sends the unit to repair.
  ASSERT_EQ(Ctl(ops + "assets inspect HOIST-0001 LOLER --fail --note 'brake slips'", &output, true),
            0)
      << output;
  EXPECT_NE(output.find("LOLER failed"), std::string::npos) << output;
  EXPECT_NE(output.find("in-repair"), std::string::npos) << output;
  EXPECT_EQ(Ctl(ops + "assets inspect " + hoist + " LOLER", &output, true), 2) << output;

  // Repaired, with what it cost; then it passes.
  ASSERT_EQ(Ctl(ops + "assets state " + hoist + " available --note 'new brake' --cost '45 EUR'",
                &output, true),
            0)
      << output;
  EXPECT_NE(output.find("available"), std::string::npos) << output;
  ASSERT_EQ(Ctl(ops + "assets inspect " + hoist + " loler --pass", &output, true), 0) << output;
  EXPECT_NE(output.find("LOLER passed"), std::string::npos) << output;
  EXPECT_EQ(Ctl(ops + "assets state " + hoist + " out --note x", &output, true), 2) << output;

  ASSERT_EQ(Ctl("assets show HOIST-0001", &output, true), 0) << output;
  EXPECT_NE(output.find("LOLER failed; brake slips"), std::string::npos) << output;
  EXPECT_NE(output.find("cost 45.00 EUR; new brake"), std::string::npos) << output;
  EXPECT_NE(output.find("LOLER passed"), std::string::npos) << output;
  // Its inspections: LOLER passed just now, so next due in 182 days.
  EXPECT_NE(output.find("INSPECTION"), std::string::npos) << output;

  // Retired: no longer counts.
  ASSERT_EQ(Ctl(ops + "assets state HOIST-0001 retired --note 'sold to a client'", &output, true),
            0)
      << output;
  EXPECT_NE(output.find("retired"), std::string::npos) << output;
}

}  // namespace
}  // namespace salesops::testing

namespace salesops::testing {
namespace {

// The lines of `text` that contain every one of `words`: a table row, whatever its padding.
std::vector<std::string> RowsWith(const std::string& text, const std::vector<std::string>& words) {
  std::vector<std::string> rows;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (std::all_of(words.begin(), words.end(), [&](const std::string& word) {
          return line.find(word) != std::string::npos;
        })) {
      rows.push_back(line);
    }
  }
  return rows;
}

// Stock across warehouses (issue 19) through the CLI: a code split between its home and another
// warehouse, a transfer between them listed, availability per warehouse with the units on the
// road and the transfer it suggests, the transfer cancelled, and a pull sheet per warehouse.
TEST_F(SalesopsctlCommandsTest, WarehouseStockTransfersAndAvailabilityPerWarehouse) {
  std::string output;
  ASSERT_EQ(Ctl("catalog items upsert LIGHT-SPOT --description 'LED spot 200 W' --category "
                "lighting --quantity 10 --tracking bulk --warehouse MAIN",
                &output, true),
            0)
      << output;
  const std::string ops = "--token-file " + TokenFile("ops") + " ";
  ASSERT_EQ(Ctl(ops + "warehouse-stock set LIGHT-SPOT SOUTH 4", &output, true), 0) << output;
  EXPECT_EQ(RowsWith(output, {"SOUTH", "4"}).size(), 1u) << output;
  ASSERT_EQ(Ctl("warehouse-stock show LIGHT-SPOT", &output, true), 0) << output;
  EXPECT_EQ(RowsWith(output, {"MAIN", "6", "home"}).size(), 1u) << output;
  EXPECT_EQ(RowsWith(output, {"SOUTH", "4"}).size(), 1u) << output;
  EXPECT_NE(output.find("Nothing of LIGHT-SPOT on the road."), std::string::npos) << output;
  EXPECT_EQ(Ctl(ops + "warehouse-stock set LIGHT-SPOT SOUTH 11", &output, true), 2) << output;

  // Three spots leave SOUTH in two days and are a day on the road.
  ASSERT_EQ(Ctl(ops + "transfer create --from SOUTH --to MAIN --depart +2d --transit 1d "
                      "LIGHT-SPOT=3 --note 'for the gala'",
                &output, true),
            0)
      << output;
  EXPECT_NE(output.find("SOUTH → MAIN"), std::string::npos) << output;
  EXPECT_NE(output.find("1d on the road"), std::string::npos) << output;
  EXPECT_NE(output.find("for the gala"), std::string::npos) << output;
  const size_t id_at = output.find("T-");
  ASSERT_NE(id_at, std::string::npos) << output;
  const std::string transfer = output.substr(id_at, output.find('\n', id_at) - id_at);
  EXPECT_EQ(Ctl(ops + "transfer create --from SOUTH --to SOUTH --depart +2d --transit 1d "
                      "LIGHT-SPOT=1",
                &output, true),
            2)
      << output;
  EXPECT_NE(output.find("--to"), std::string::npos) << "names the flag:\n" << output;
  EXPECT_EQ(Ctl(ops + "transfer create --from SOUTH --to MAIN --depart someday --transit 1d "
                      "LIGHT-SPOT=1",
                &output, true),
            2);
  EXPECT_NE(output.find("--depart"), std::string::npos) << output;

  ASSERT_EQ(Ctl("transfer list --code LIGHT-SPOT --open", &output, true), 0) << output;
  EXPECT_NE(output.find("VAN RUN PLANNED"), std::string::npos) << output;
  EXPECT_EQ(RowsWith(output, {transfer, "LIGHT-SPOT=3", "SOUTH → MAIN", "planned"}).size(), 1u)
      << output;
  ASSERT_EQ(Ctl("transfer list --warehouse NORTH", &output, true), 0) << output;
  EXPECT_NE(output.find("No transfers."), std::string::npos) << output;

  // Before it leaves: 6 at home, 4 at SOUTH. Eight wanted at home: SOUTH can send two in time.
  ASSERT_EQ(Ctl("availability LIGHT-SPOT=8 --from +36h --to +44h", &output, true), 0) << output;
  EXPECT_NE(output.find("WHERE (STOCK/FREE)"), std::string::npos) << output;
  EXPECT_NE(output.find("MAIN 6/6, SOUTH 4/4"), std::string::npos) << output;
  EXPECT_EQ(output.find("IN TRANSIT"), std::string::npos) << "nothing on the road:\n" << output;
  EXPECT_NE(output.find("Suggest: transfer 2 x LIGHT-SPOT SOUTH → MAIN, leaving by "),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("salesopsctl transfer create --from SOUTH --to MAIN --depart '"),
            std::string::npos)
      << output;
  // On the road: three spots count nowhere, and SOUTH has one left to send.
  ASSERT_EQ(Ctl("availability LIGHT-SPOT=8 --from +2d1h --to +2d9h", &output, true), 0) << output;
  EXPECT_NE(output.find("IN TRANSIT"), std::string::npos) << output;
  EXPECT_EQ(RowsWith(output, {"LIGHT-SPOT", "MAIN 6/6, SOUTH 1/1", "3"}).size(), 1u) << output;
  EXPECT_NE(output.find("Suggest: transfer 1 x LIGHT-SPOT SOUTH → MAIN"), std::string::npos)
      << output;
  // --json is the service's answer as it is.
  json answer = CtlJson("availability LIGHT-SPOT=8 --from +2d1h --to +2d9h");
  EXPECT_EQ(answer["availability"][0]["inTransit"], 3) << answer.dump();
  EXPECT_EQ(answer["suggestedTransfers"].size(), 1u) << answer.dump();

  ASSERT_EQ(Ctl(ops + "transfer cancel " + transfer + " --reason 'gala moved'", &output, true), 0)
      << output;
  EXPECT_NE(output.find("cancelled"), std::string::npos) << output;
  ASSERT_EQ(Ctl("transfer list --code LIGHT-SPOT --open", &output, true), 0) << output;
  EXPECT_NE(output.find("No transfers."), std::string::npos) << output;
  ASSERT_EQ(Ctl("availability LIGHT-SPOT=8 --from +2d1h --to +2d9h", &output, true), 0) << output;
  EXPECT_NE(output.find("MAIN 6/6, SOUTH 4/4"), std::string::npos) << output;
  EXPECT_EQ(Ctl(ops + "transfer cancel T-999999", &output, true), 3) << output;

  // The order is pulled at the code's home: its sheet at SOUTH is empty.
  ASSERT_EQ(Ctl("call InventoryService.Reserve '{\"orderId\": \"ORD-GALA\", \"orderRevision\": 1, "
                "\"lines\": [{\"inventoryCode\": \"LIGHT-SPOT\", \"quantity\": 5}], \"window\": "
                "{\"notBefore\": \"2030-05-01T08:00:00Z\", \"noLaterThan\": "
                "\"2030-05-03T18:00:00Z\"}}'",
                &output, true),
            0)
      << output;
  EXPECT_EQ(CtlJson("pullsheet ORD-GALA --warehouse MAIN")["pullSheet"]["groups"].size(), 1u);
  EXPECT_EQ(CtlJson("pullsheet ORD-GALA --warehouse SOUTH")["pullSheet"]["groups"].size(), 0u);
}

// A stock take through the CLI (issue 19): started at a warehouse, counted at a station fed from
// a pipe (bins, counts by label, units, refusals that ring the bell and let the station go on),
// its report shown, and applied by ADMIN only, with the reservation it leaves short.
TEST_F(SalesopsctlCommandsTest, StockTakeIsCountedFromStandardInputAndAppliedByAdmin) {
  std::string output;
  ASSERT_EQ(Ctl("catalog items upsert CABLE-XLR --description 'XLR cable 10 m' --category audio "
                "--quantity 40 --tracking bulk --warehouse MAIN",
                &output, true),
            0)
      << output;
  ASSERT_EQ(Ctl("catalog items upsert MIC-SM58 --description 'Vocal microphone' --category audio "
                "--quantity 3 --tracking serialized --warehouse MAIN",
                &output, true),
            0)
      << output;
  const std::string ops = "--token-file " + TokenFile("ops") + " ";
  for (const std::string barcode : {"MIC-1", "MIC-2", "MIC-3"}) {
    ASSERT_EQ(Ctl(ops + "assets register MIC-SM58 --barcode " + barcode + " --location A-1",
                  &output, true),
              0)
        << output;
  }
  // A later order needs 39 of the 40 cables.
  ASSERT_EQ(Ctl("call InventoryService.Reserve '{\"orderId\": \"ORD-TOUR\", \"orderRevision\": 1, "
                "\"lines\": [{\"inventoryCode\": \"CABLE-XLR\", \"quantity\": 39}], \"window\": "
                "{\"notBefore\": \"2030-05-01T08:00:00Z\", \"noLaterThan\": "
                "\"2030-05-03T18:00:00Z\"}}'",
                &output, true),
            0)
      << output;

  ASSERT_EQ(Ctl(ops + "stocktake start MAIN", &output, true), 0) << output;
  const size_t id_at = output.find("Started ST-");
  ASSERT_NE(id_at, std::string::npos) << output;
  const std::string stock_take =
      output.substr(id_at + 8, output.find(' ', id_at + 8) - (id_at + 8));
  EXPECT_EQ(RowsWith(output, {"CABLE-XLR", "40"}).size(), 1u) << output;
  EXPECT_EQ(RowsWith(output, {"MIC-SM58", "3"}).size(), 1u) << output;

  // The station from a pipe: a line after 'done' is never read.
  std::ofstream(dir_ + "/count.txt") << "@C-1\n25 CABLE-XLR\n@C-2\r\n13 CABLE-XLR\n\n@A-1\n"
                                        "MIC-1\nMIC-2\nMIC-SM58\ntwo words\nJUNK-9\ndone\nMIC-3\n";
  int code = RunCommand("timeout 60 env SALESOPS_CONFIG=" + dir_ + "/config.yaml " +
                            ShellQuote(SalesopsctlBinary()) + " " + ops + "stocktake count " +
                            stock_take + " <" + dir_ + "/count.txt 2>" + dir_ + "/count.err",
                        &output);
  EXPECT_EQ(code, 0) << output;
  EXPECT_NE(output.find("Bin C-2"), std::string::npos) << output;
  EXPECT_NE(output.find("OK  CABLE-XLR +25: 25 counted"), std::string::npos) << output;
  EXPECT_NE(output.find("OK  CABLE-XLR +13: 38 counted"), std::string::npos) << output;
  EXPECT_NE(output.find("REFUSED  MIC-SM58 is registered unit by unit"), std::string::npos)
      << output;
  EXPECT_NE(output.find("REFUSED  'two words' is not a barcode"), std::string::npos) << output;
  EXPECT_NE(output.find("noted as unknown"), std::string::npos) << output;
  // The report at the end: two cables and MIC-3 missing.
  EXPECT_EQ(RowsWith(output, {"CABLE-XLR", "40", "38", "-2"}).size(), 1u) << output;
  EXPECT_NE(output.find("Missing (1)"), std::string::npos) << output;
  EXPECT_EQ(RowsWith(output, {"MIC-3", "MIC-SM58"}).size(), 1u) << output;
  EXPECT_NE(output.find("Unknown barcodes: JUNK-9"), std::string::npos) << output;
  std::ifstream errors_file(dir_ + "/count.err");
  std::string errors((std::istreambuf_iterator<char>(errors_file)),
                     std::istreambuf_iterator<char>());
  EXPECT_EQ(std::count(errors.begin(), errors.end(), '\a'), 2) << "a bell a refusal:\n" << errors;

  ASSERT_EQ(Ctl("stocktake show " + stock_take, &output, true), 0) << output;
  EXPECT_NE(output.find("open"), std::string::npos) << output;
  EXPECT_NE(output.find("Found (2)"), std::string::npos) << output;
  EXPECT_EQ(RowsWith(output, {"MIC-1", "A-1"}).size(), 1u) << "found in its bin:\n" << output;
  EXPECT_EQ(RowsWith(output, {"CABLE-XLR", "-2"}).size(), 1u) << output;
  EXPECT_NE(output.find("Wrong place (registered at another warehouse, or lost): none"),
            std::string::npos)
      << output;

  // OPS counts; only ADMIN (the config's token) applies.
  EXPECT_EQ(
      Ctl(ops + "stocktake apply " + stock_take + " --reason 'year-end count'", &output, true), 5)
      << output;
  EXPECT_EQ(Ctl("stocktake apply " + stock_take, &output, true), 2) << "--reason is required";
  ASSERT_EQ(Ctl("stocktake apply " + stock_take + " --reason 'year-end count'", &output, true), 0)
      << output;
  EXPECT_NE(output.find("Applied " + stock_take), std::string::npos) << output;
  EXPECT_NE(output.find("year-end count"), std::string::npos) << output;
  EXPECT_NE(output.find("Reservations this leaves short:"), std::string::npos) << output;
  EXPECT_EQ(RowsWith(output, {"ORD-TOUR", "CABLE-XLR", "39", "38", "1"}).size(), 1u) << output;
  EXPECT_EQ(CtlJson("catalog items show CABLE-XLR")["item"]["quantityOwned"], 38);
  ASSERT_EQ(Ctl("assets show MIC-3", &output, true), 0) << output;
  EXPECT_NE(output.find("lost"), std::string::npos) << output;
  // Applied: the station refuses to start.
  code = RunCommand("timeout 60 env SALESOPS_CONFIG=" + dir_ + "/config.yaml " +
                        ShellQuote(SalesopsctlBinary()) + " " + ops + "stocktake count " +
                        stock_take + " </dev/null 2>&1",
                    &output);
  EXPECT_EQ(code, 3) << output;
}

// Offers to freelancers from the command line: work nobody in-house can do is offered to the
// freelancers holding the skill, one at a time; Fay declines with her own crew token, Gus is
// asked next and accepts with his, and the task is covered. Each sees only their own offers.
TEST_F(SalesopsctlCommandsTest, FreelancersSeeDeclineAndAcceptOffersWithTheirOwnTokens) {
  const std::string ops = "--token-file " + TokenFile("ops") + " ";
  const std::string fay = "--token-file " + TokenFile("crew-ann") + " ";
  const std::string gus = "--token-file " + TokenFile("crew-ben") + " ";
  std::string output;
  ASSERT_EQ(Ctl("skills add PYRO --name Pyrotechnics", &output, true), 0) << output;
  ASSERT_EQ(Ctl("catalog items upsert PYRO-FOUNTAIN --description 'Stage fountain' --category "
                "effects --quantity 12 --tracking bulk --warehouse WH-1",
                &output, true),
            0)
      << output;
  ASSERT_EQ(Ctl("catalog products upsert PYRO-SHOW --name 'Stage pyro' --day-rate 900 "
                "--component PYRO-FOUNTAIN=4 --crew PYRO:1x4h",
                &output, true),
            0)
      << output;

  // Two freelancers with fees; fees parse like every amount, and a bad one names its flag.
  json added = CtlJson(ops +
                       "crew add CREW-FAY --name 'Fay Rowe' --person-id crew-ann --skill PYRO "
                       "--shifts 'mon-sun 06:00-23:00' --freelancer --day-fee '300 EUR'");
  EXPECT_EQ(added["crewMember"]["employment"], "EMPLOYMENT_FREELANCER");
  EXPECT_EQ(added["crewMember"]["dayFee"]["units"], "300");
  ASSERT_EQ(Ctl(ops + "crew add CREW-GUS --name 'Gus Berg' --person-id crew-ben --skill PYRO "
                      "--shifts 'mon-sun 06:00-23:00' --freelancer --day-fee 400 --hour-fee "
                      "'45.50 EUR' --crew-chief",
                &output, true),
            0)
      << output;
  EXPECT_EQ(Ctl(ops + "crew add CREW-X --name X --skill PYRO --day-fee lots", &output, true), 2);
  EXPECT_NE(output.find("--day-fee"), std::string::npos) << output;
  EXPECT_EQ(
      Ctl(ops + "crew add CREW-X --name X --skill PYRO --freelancer --employee", &output, true), 2);
  ASSERT_EQ(Ctl("crew show CREW-GUS", &output), 0);
  EXPECT_NE(output.find("freelancer"), std::string::npos) << output;
  EXPECT_NE(output.find("45.50 EUR"), std::string::npos) << output;
  EXPECT_NE(output.find("Crew chief:   yes"), std::string::npos) << output;
  ASSERT_EQ(Ctl("crew list", &output), 0);
  EXPECT_NE(output.find("300.00 EUR/day"), std::string::npos) << output;
  json updated = CtlJson(ops + "crew update CREW-GUS --no-crew-chief --hour-fee none");
  EXPECT_FALSE(updated["crewMember"]["crewChief"].get<bool>());
  EXPECT_TRUE(updated["crewMember"]["hourFee"].is_null()) << updated.dump(2);
  EXPECT_EQ(updated["crewMember"]["dayFee"]["units"], "400") << "what is not given stays";

  // A job needing pyro, which nobody in-house holds: the offer worker asks Fay first (nobody is
  // booked, so by id).
  ASSERT_EQ(Ctl("job plan ORD-PYRO --product PYRO-SHOW=1 --deliver-by +4d --show-start +4d2h "
                "--show-end +5d --strike +5d1h --venue 'Harbour Congress Centre' --travel 40m",
                &output, true),
            0)
      << output;
  auto offers_when = [&](size_t count) {
    json offers;
    for (int attempt = 0; attempt < 300; ++attempt) {
      offers = CtlJson(ops + "offers list --order ORD-PYRO")["offers"];
      if (offers.size() == count) return offers;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "never " << count << " offers: " << offers.dump(2);
    return offers;
  };
  json offers = offers_when(1);
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0]["crewMemberId"], "CREW-FAY");
  EXPECT_EQ(offers[0]["state"], "OFFER_STATE_SENT");
  const std::string first = offers[0]["offerId"];

  // Fay sees it with her own token; Gus sees none, and cannot answer hers.
  ASSERT_EQ(Ctl(fay + "offers list", &output), 0);
  EXPECT_NE(output.find(first), std::string::npos) << output;
  EXPECT_NE(output.find("sent"), std::string::npos) << output;
  EXPECT_NE(output.find("300.00 EUR"), std::string::npos) << output;
  EXPECT_NE(output.find("holds PYRO"), std::string::npos) << output;
  // How the fee was reached: under the list, and whole in `offers show`.
  const std::string fee_explanation = offers[0]["feeExplanation"];
  EXPECT_NE(fee_explanation.find("300.00 EUR"), std::string::npos) << offers[0].dump(2);
  EXPECT_NE(output.find("Fees:"), std::string::npos) << output;
  EXPECT_NE(output.find(fee_explanation), std::string::npos) << output;
  ASSERT_EQ(Ctl(fay + "offers show " + first, &output), 0);
  EXPECT_NE(output.find("How:"), std::string::npos) << output;
  EXPECT_NE(output.find(fee_explanation), std::string::npos) << output;
  EXPECT_NE(output.find("Why them:"), std::string::npos) << output;
  EXPECT_EQ(CtlJson(fay + "offers show " + first)["offer"]["offerId"], first);
  // Someone else's offer is refused as an id that does not exist is (exit 5); ops are told it
  // does not exist (exit 3).
  EXPECT_EQ(Ctl(gus + "offers show " + first, &output, true), 5) << "not his: " << output;
  EXPECT_EQ(Ctl(gus + "offers show OFFER-NONE", &output, true), 5) << output;
  EXPECT_EQ(Ctl("offers show OFFER-NONE", &output, true), 3) << output;
  EXPECT_EQ(CtlJson("offers show " + first)["offer"]["crewMemberId"], "CREW-FAY");
  EXPECT_EQ(CtlJson(gus + "offers list")["offers"].size(), 0u);
  EXPECT_EQ(Ctl(gus + "offers list --crew-member CREW-FAY", &output, true), 5) << output;
  EXPECT_EQ(Ctl(gus + "offers accept " + first, &output, true), 5) << output;
  EXPECT_EQ(Ctl(fay + "offers decline " + first, &output, true), 2) << "a reason is asked for";
  EXPECT_EQ(Ctl("offers list --state maybe", &output, true), 2);
  EXPECT_NE(output.find("--state"), std::string::npos) << output;

  // Fay declines; Gus is asked next, and accepts: the task is covered.
  ASSERT_EQ(Ctl(fay + "offers decline " + first +
                    " --reason 'Booked at a festival that weekend' --request-id fay-no",
                &output, true),
            0)
      << output;
  EXPECT_NE(output.find("declined " + first), std::string::npos) << output;
  EXPECT_EQ(Ctl(fay + "offers decline " + first + " --reason again", &output, true), 3)
      << "an answered offer cannot be answered again: " << output;
  offers = offers_when(2);
  ASSERT_EQ(offers.size(), 2u);
  EXPECT_EQ(offers[0]["crewMemberId"], "CREW-GUS") << "newest first";
  EXPECT_EQ(offers[0]["rank"], 2);
  const std::string second = offers[0]["offerId"];
  ASSERT_EQ(Ctl(gus + "offers accept " + second + " --request-id gus-yes", &output, true), 0)
      << output;
  EXPECT_NE(output.find("accepted " + second), std::string::npos) << output;
  EXPECT_NE(output.find("is covered"), std::string::npos) << output;
  json declined = CtlJson("offers list --state declined --order ORD-PYRO")["offers"];
  ASSERT_EQ(declined.size(), 1u);
  EXPECT_EQ(declined[0]["declineReason"], "Booked at a festival that weekend");
  ASSERT_EQ(Ctl("offers list --task " + offers[0]["taskId"].get<std::string>(), &output), 0);
  EXPECT_NE(output.find("accepted"), std::string::npos) << output;
  EXPECT_NE(output.find("Booked at a festival"), std::string::npos) << output;
}

// A crew member's calendar feed URL, their own with their crew token or anyone's for ops, and a
// reset that kills the old URL; the crew rules ADMIN sets, each flag's mistakes naming it.
TEST_F(SalesopsctlCommandsTest, CalendarUrlsAndCrewRules) {
  const std::string ops = "--token-file " + TokenFile("ops") + " ";
  const std::string ann = "--token-file " + TokenFile("crew-ann") + " ";
  std::string output;
  ASSERT_EQ(Ctl(ops + "crew add CREW-ANN --name 'Ann Rigger' --person-id crew-ann --skill RIGGING "
                      "--shifts 'mon-fri 08:00-17:00'",
                &output, true),
            0)
      << output;
  json own = CtlJson(ann + "crew calendar-url");
  EXPECT_EQ(own["crewMemberId"], "CREW-ANN");
  const std::string url = own["url"];
  EXPECT_NE(url.find("/calendar/"), std::string::npos) << url;
  EXPECT_EQ(CtlJson(ops + "crew calendar-url CREW-ANN")["url"], url);
  ASSERT_EQ(Ctl(ann + "crew calendar-url", &output), 0);
  EXPECT_NE(output.find(url), std::string::npos) << output;
  EXPECT_NE(output.find("Calendar feed of CREW-ANN"), std::string::npos) << output;
  std::string feed;
  ASSERT_EQ(RunCommand("curl -sf " + ShellQuote(url), &feed), 0);
  EXPECT_NE(feed.find("BEGIN:VCALENDAR"), std::string::npos) << feed;
  EXPECT_EQ(Ctl(ann + "crew calendar-url CREW-SOMEONE", &output, true), 5) << output;

  ASSERT_EQ(Ctl(ann + "crew calendar-url --reset --request-id lost-phone", &output), 0);
  EXPECT_NE(output.find("every earlier URL is dead"), std::string::npos) << output;
  const std::string fresh = CtlJson(ann + "crew calendar-url")["url"];
  EXPECT_NE(fresh, url);
  EXPECT_NE(RunCommand("curl -sf " + ShellQuote(url), &feed), 0) << "the old URL is dead";

  // The crew rules: defaults first, then ADMIN changes what is given.
  ASSERT_EQ(Ctl("crew-rules show", &output), 0);
  EXPECT_NE(output.find("24h (the default)"), std::string::npos) << output;
  json rules = CtlJson(
      "crew-rules set --time-off-notice 7d --longest-time-off 14d --allow-late-return "
      "--offer-reply-within 12h --request-id rules-1")["rules"];
  EXPECT_EQ(rules["timeOffNotice"], "604800s");
  EXPECT_EQ(rules["longestSelfSetTimeOff"], "1209600s");
  EXPECT_EQ(rules["offerReplyWithin"], "43200s");
  EXPECT_TRUE(rules["allowLateReturn"].get<bool>());
  rules = CtlJson("crew-rules set --no-late-return --time-off-notice none")["rules"];
  EXPECT_FALSE(rules["allowLateReturn"].get<bool>());
  EXPECT_TRUE(rules["timeOffNotice"].is_null()) << rules.dump(2);
  EXPECT_EQ(rules["offerReplyWithin"], "43200s") << "what is not given stays";
  EXPECT_EQ(CtlJson(ann + "crew-rules show")["rules"]["offerReplyWithin"], "43200s");
  EXPECT_EQ(Ctl(ops + "crew-rules set --offer-reply-within 2h", &output, true), 5) << output;
  EXPECT_EQ(Ctl("crew-rules set --time-off-notice soon", &output, true), 2);
  EXPECT_NE(output.find("--time-off-notice"), std::string::npos) << output;
  EXPECT_EQ(Ctl("crew-rules set --allow-late-return --no-late-return", &output, true), 2);
  EXPECT_EQ(Ctl("crew-rules set --offer-reply-within 1h --etag stale", &output, true), 3);
}

// Money in the protobuf JSON mapping ({"currencyCode", "units", "nanos"}) in cents; 0 for none.
int64_t CentsOf(const json& money) {
  if (!money.is_object()) return 0;
  const int64_t units = money.contains("units") ? std::stoll(money["units"].get<std::string>()) : 0;
  const int64_t nanos = money.contains("nanos") ? money["nanos"].get<int64_t>() : 0;
  return units * 100 + nanos / 10000000;
}

// A Duration in the protobuf JSON mapping ("9000s") in seconds; 0 for none.
int64_t SecondsOf(const json& duration) {
  if (!duration.is_string()) return 0;
  return std::stoll(duration.get<std::string>());
}

// What people cost (README "What people cost"): an employee's hourly cost (ADMIN's) and surcharges
// through `crew add|update`, the crew rules of the freelance day, the night and per diems through
// `crew-rules set`, each flag's mistakes naming it; then the demo's crew and rules costing a job
// at a venue 1 h 15 min out, line by line as the README counts it, for ADMIN only.
TEST_F(SalesopsctlCommandsTest, CrewCostsCrewRulesAndTheLabourCostOfAPlannedJob) {
  const std::string ops = "--token-file " + TokenFile("ops") + " ";
  std::string output;
  // An employee's cost rate is pay: ADMIN sets it (the default token here), OPS may not.
  EXPECT_EQ(Ctl(ops + "crew add CREW-VIC --name 'Vic Hale' --skill VIDEO --shifts 'mon-fri "
                      "08:00-17:00' --hourly-cost 32",
                &output, true),
            5)
      << output;
  json added = CtlJson(
      "crew add CREW-VIC --name 'Vic Hale' --skill VIDEO --shifts 'mon-fri 08:00-17:00' "
      "--hourly-cost '32.50 EUR' --beyond-shift-percent 50 --night-work-percent '25 %'")
      ["crewMember"];
  EXPECT_EQ(added["hourlyCost"]["currencyCode"], "EUR");
  EXPECT_EQ(CentsOf(added["hourlyCost"]), 3250);
  EXPECT_EQ(added["beyondShiftPercent"], 50);
  EXPECT_EQ(added["nightWorkPercent"], 25);
  ASSERT_EQ(Ctl("crew show CREW-VIC", &output), 0);
  EXPECT_NE(output.find("32.50 EUR an hour paid"), std::string::npos) << output;
  EXPECT_NE(output.find("+50 % beyond shifts, +25 % at night"), std::string::npos) << output;
  ASSERT_EQ(Ctl("crew list", &output), 0);
  EXPECT_NE(output.find("32.50 EUR/h"), std::string::npos) << output;
  // OPS plan with the member without the pay, and their edits keep it.
  ASSERT_EQ(Ctl(ops + "crew list", &output), 0);
  EXPECT_EQ(output.find("32.50 EUR/h"), std::string::npos) << output;
  EXPECT_TRUE(
      CtlJson(ops + "crew update CREW-VIC --contracted 38h")["crewMember"]["hourlyCost"].is_null());
  EXPECT_EQ(CentsOf(CtlJson("crew show CREW-VIC")["crewMember"]["hourlyCost"]), 3250);
  // Bad values: caught locally (money, a percentage) or by the service (out of range), each
  // naming its flag; nothing changes.
  EXPECT_EQ(Ctl(ops + "crew update CREW-VIC --hourly-cost lots", &output, true), 2);
  EXPECT_NE(output.find("--hourly-cost"), std::string::npos) << output;
  EXPECT_EQ(Ctl(ops + "crew update CREW-VIC --night-work-percent half", &output, true), 2);
  EXPECT_NE(output.find("--night-work-percent"), std::string::npos) << output;
  EXPECT_EQ(Ctl(ops + "crew update CREW-VIC --beyond-shift-percent 900", &output, true), 2);
  EXPECT_NE(output.find("--beyond-shift-percent"), std::string::npos) << output;
  json updated = CtlJson("crew update CREW-VIC --hourly-cost none --night-work-percent 0");
  EXPECT_TRUE(updated["crewMember"]["hourlyCost"].is_null()) << updated.dump(2);
  EXPECT_EQ(updated["crewMember"]["nightWorkPercent"], 0);
  EXPECT_EQ(updated["crewMember"]["beyondShiftPercent"], 50) << "what is not given stays";

  // The crew rules of pay: defaults first, then ADMIN sets what is given.
  ASSERT_EQ(Ctl("crew-rules show", &output), 0);
  EXPECT_NE(output.find("10h (the default)"), std::string::npos) << output;
  EXPECT_NE(output.find("22:00-06:00 (the default)"), std::string::npos) << output;
  json rules = CtlJson(
      "crew-rules set --freelance-day 9h --night 23:00-05:00 --per-diem '24.50 EUR' "
      "--per-diem-from 1h30m")["rules"];
  EXPECT_EQ(rules["freelanceDayDuration"], "32400s");
  EXPECT_EQ(rules["nightStartOffset"], "82800s");
  EXPECT_EQ(rules["nightEndOffset"], "18000s");
  EXPECT_EQ(CentsOf(rules["perDiem"]), 2450);
  EXPECT_EQ(rules["perDiemFromTravel"], "5400s");
  ASSERT_EQ(Ctl("crew-rules show", &output), 0);
  EXPECT_NE(output.find("23:00-05:00, in each member's zone"), std::string::npos) << output;
  EXPECT_NE(output.find("24.50 EUR a person and day"), std::string::npos) << output;
  EXPECT_NE(output.find("1h30m of travel"), std::string::npos) << output;
  EXPECT_EQ(Ctl("crew-rules set --night 23:00-25:30", &output, true), 2);
  EXPECT_NE(output.find("--night"), std::string::npos) << output;
  EXPECT_EQ(Ctl("crew-rules set --per-diem plenty", &output, true), 2);
  EXPECT_NE(output.find("--per-diem"), std::string::npos) << output;
  EXPECT_EQ(Ctl("crew-rules set --freelance-day 30h", &output, true), 2) << "at most 24 hours";
  EXPECT_NE(output.find("--freelance-day"), std::string::npos) << output;
  EXPECT_EQ(Ctl(ops + "crew-rules set --per-diem '30 EUR'", &output, true), 5) << "ADMIN's";
  rules = CtlJson("crew-rules set --per-diem none --night none --freelance-day none")["rules"];
  EXPECT_TRUE(rules["perDiem"].is_null()) << rules.dump(2);
  EXPECT_TRUE(rules["nightStartOffset"].is_null()) << rules.dump(2);
  EXPECT_TRUE(rules["freelanceDayDuration"].is_null()) << rules.dump(2);
  EXPECT_EQ(rules["perDiemFromTravel"], "5400s") << "what is not given stays";

  // The demo's crew with their costs and its crew rules (a per diem of 28 EUR from an hour out).
  json loaded = CtlJson(
      "demo load --skip orders --skip organisations --skip venues --skip pricing --skip "
      "company-profile " +
      ShellQuote(DemoDir()));
  EXPECT_EQ(loaded["loaded"]["crew-rules"]["updated"], 1) << loaded.dump(2);
  rules = CtlJson("crew-rules show")["rules"];
  EXPECT_EQ(CentsOf(rules["perDiem"]), 2800);
  EXPECT_EQ(rules["perDiemFromTravel"], "3600s");
  EXPECT_EQ(rules["freelanceDayDuration"], "36000s");
  EXPECT_EQ(CtlJson("demo load --skip orders --skip organisations --skip venues --skip pricing "
                    "--skip company-profile " +
                    ShellQuote(DemoDir()))["loaded"]["crew-rules"]["unchanged"],
            1);

  // Monitors for a band at the open-air stage, 1 h 15 min out: prep and the drive from the
  // warehouse, setup and strike by the audio crew at the venue.
  // Business days, so that the audio crew's shifts hold the work.
  ASSERT_EQ(Ctl("job plan ORD-COST --product MONITOR-PACK=1 --deliver-by '+4bd 10:00' "
                "--show-start '+4bd 14:00' --show-end '+4bd 18:00' --strike '+5bd 12:00' "
                "--venue 'Open-air stage, Seaside Park' --travel 1h15m",
                &output, true),
            0)
      << output;
  json costs = CtlJson("labour-cost ORD-COST ORD-NONE");
  ASSERT_EQ(costs["orders"].size(), 2u) << costs.dump(2);
  json& order = costs["orders"][0];
  EXPECT_EQ(order["orderId"], "ORD-COST");
  EXPECT_TRUE(order["planned"].get<bool>());
  EXPECT_FALSE(costs["orders"][1]["planned"].get<bool>()) << "no job for it";
  ASSERT_FALSE(order["lines"].empty()) << order.dump(2);
  EXPECT_TRUE(order["unpricedCrewMemberIds"].empty()) << "every demo employee has a cost";
  std::map<std::string, json> members;
  int64_t line_sum = 0;
  int travelled = 0, per_diems = 0;
  for (json line : order["lines"]) {  // a copy: fields left unset read as null
    const std::string who = line["crewMemberId"];
    if (!members.count(who)) members[who] = CtlJson("crew show " + who)["crewMember"];
    json& member = members[who];
    ASSERT_EQ(line["employment"], "EMPLOYMENT_EMPLOYEE") << line.dump(2);
    // Work: every hour at the hourly cost, the hours outside shifts and at night with their
    // surcharges on top (each part rounded to the cent).
    const int64_t hourly = CentsOf(member["hourlyCost"]);
    const int64_t surcharged_seconds =
        SecondsOf(line["workDuration"]) * 100 +
        SecondsOf(line["beyondShiftDuration"]) * member["beyondShiftPercent"].get<int64_t>() +
        SecondsOf(line["nightDuration"]) * member["nightWorkPercent"].get<int64_t>();
    EXPECT_NEAR(CentsOf(line["workCost"]), hourly * surcharged_seconds / 360000, 2) << line.dump(2);
    // Travel at the hourly cost, and the per diem, once per person and day at the venue.
    EXPECT_NEAR(CentsOf(line["travelCost"]), hourly * SecondsOf(line["travelDuration"]) / 3600, 1)
        << line.dump(2);
    const int count = line["perDiemCount"].get<int>();
    EXPECT_EQ(CentsOf(line["perDiemCost"]), 2800 * count) << line.dump(2);
    const bool at_venue =
        line["taskKind"] == "TASK_KIND_SETUP" || line["taskKind"] == "TASK_KIND_STRIKE";
    if (at_venue && SecondsOf(line["travelDuration"]) > 0) {
      EXPECT_EQ(SecondsOf(line["travelDuration"]), 2 * 75 * 60) << "there and back";
      EXPECT_EQ(count, 1) << "the venue is more than an hour out: " << line.dump(2);
      ++travelled;
    }
    if (!at_venue) {
      EXPECT_EQ(SecondsOf(line["travelDuration"]), 0) << line.dump(2);
      EXPECT_EQ(count, 0) << line.dump(2);
    }
    per_diems += count;
    EXPECT_NEAR(
        CentsOf(line["cost"]),
        CentsOf(line["workCost"]) + CentsOf(line["travelCost"]) + CentsOf(line["perDiemCost"]), 1)
        << line.dump(2);
    line_sum += CentsOf(line["cost"]);
  }
  EXPECT_GE(travelled, 1) << "the audio crew travel to the stage: " << order.dump(2);
  EXPECT_EQ(per_diems, travelled) << "one per diem per person and day at the venue";
  ASSERT_EQ(order["costTotals"].size(), 1u) << order.dump(2);
  EXPECT_EQ(order["costTotals"][0]["currencyCode"], "EUR");
  EXPECT_EQ(CentsOf(order["costTotals"][0]), line_sum);

  // For people: the table, the total, and with --explain how each line was counted.
  ASSERT_EQ(Ctl("labour-cost ORD-COST ORD-NONE --explain", &output), 0);
  EXPECT_NE(output.find("Order ORD-COST"), std::string::npos) << output;
  EXPECT_NE(output.find("PER DIEMS"), std::string::npos) << output;
  EXPECT_NE(output.find("2h30m"), std::string::npos) << "the travel: " << output;
  json& total = order["costTotals"][0];
  char total_text[64];
  std::snprintf(total_text, sizeof(total_text), "Cost: %lld.%02lld EUR",
                static_cast<long long>(CentsOf(total) / 100),
                static_cast<long long>(CentsOf(total) % 100));
  EXPECT_NE(output.find(total_text), std::string::npos) << total_text << "\n" << output;
  EXPECT_NE(output.find("How:"), std::string::npos) << output;
  EXPECT_NE(output.find("Order ORD-NONE: not planned"), std::string::npos) << output;

  // Costs are ADMIN's (and the services'): OPS are refused, a bad request names the argument.
  EXPECT_EQ(Ctl(ops + "labour-cost ORD-COST", &output, true), 5) << output;
  EXPECT_EQ(Ctl("labour-cost ORD-COST ORD-COST", &output, true), 2) << "each order once";
  EXPECT_NE(output.find("ORDER_ID"), std::string::npos) << output;
  EXPECT_EQ(Ctl("labour-cost", &output, true), 2);
}

}  // namespace
}  // namespace salesops::testing
