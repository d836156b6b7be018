// salesopsctl's timesheet commands (hours report|confirm|approve|list, labour-report,
// payroll-export) against a real scheduling process: a crew member reports with their own token,
// the crew chief confirms, OPS approve or send back, OPS read the labour report, ADMIN save the
// payroll CSV; and the exit codes a refusal gives.
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/scheduling/scheduling_test_support.h"

namespace salesops::testing {
namespace {

using nlohmann::json;
using Stub = v1::SchedulingService::Stub;

constexpr int64_t kCliHour = 3600;
constexpr int64_t kCliDay = 24 * kCliHour;

// "2030-05-06T08:00:00Z" of `seconds`.
std::string IsoTime(int64_t seconds) {
  std::time_t time = seconds;
  std::tm utc{};
  gmtime_r(&time, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

class TimesheetCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(scheduling_.started()) << scheduling_.log();
    AddCrewAndTruck(scheduling_);
    ChangeCrewMember(scheduling_, "vic", [](v1::CrewMember& member) {
      member.set_person_id(TestTokens::kCrewAnn);
      member.mutable_contracted_weekly_duration()->set_seconds(4 * kCliHour);
    });
    ChangeCrewMember(scheduling_, "val", [](v1::CrewMember& member) {
      member.set_person_id(TestTokens::kCrewBen);
      member.set_crew_chief(true);
    });
    v1::PlanJobResponse planned;
    grpc::Status status =
        scheduling_.Call(&Stub::PlanJob, ShowPlan(TestDayZero(), "ORDER-CLI", 1), &planned);
    ASSERT_TRUE(status.ok()) << status.error_message();

    dir_ = ::testing::TempDir() + "/cli-hours-" + scheduling_.database().name();
    std::filesystem::create_directories(dir_);
    const TestTokens& tokens = scheduling_.tokens();
    for (const auto& [file, token] :
         std::vector<std::pair<std::string, std::string>>{{"admin", tokens.admin},
                                                          {"ops", tokens.ops},
                                                          {"ann", tokens.crew_ann},
                                                          {"ben", tokens.crew_ben}}) {
      std::ofstream(dir_ + "/" + file + ".token") << token;
    }
    std::ofstream(dir_ + "/config.yaml") << "inventory-address: 127.0.0.1:1\n"
                                         << "scheduling-address: " << scheduling_.address() << "\n"
                                         << "notification-address: 127.0.0.1:1\n"
                                         << "order-intake-address: 127.0.0.1:1\n"
                                         << "token-file: admin.token\n";
    // Yesterday, the day before: whole hours in the past.
    const int64_t now = google::protobuf::util::TimeUtil::GetCurrentTime().seconds();
    day_ = (now / kCliDay - 2) * kCliDay;
  }

  void TearDown() override { std::filesystem::remove_all(dir_); }

  // salesopsctl as `who` (a token file's name); stdout (and stderr when `with_stderr`).
  int Ctl(const std::string& who, const std::string& args, std::string* output = nullptr,
          bool with_stderr = false) {
    std::string ignored;
    return RunCommand("SALESOPS_CONFIG=" + dir_ + "/config.yaml " +
                          ShellQuote(SalesopsctlBinary()) + " --token-file " + dir_ + "/" + who +
                          ".token " + args + (with_stderr ? " 2>&1" : " 2>/dev/null"),
                      output ? output : &ignored);
  }

  json CtlJson(const std::string& who, const std::string& args) {
    std::string output;
    EXPECT_EQ(Ctl(who, args + " --json", &output), 0) << args << "\n" << output;
    json parsed = json::parse(output, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(parsed.is_discarded()) << args << " printed no JSON:\n" << output;
    return parsed;
  }

  std::string At(int hour, int minute = 0) const {
    return IsoTime(day_ + hour * kCliHour + minute * 60);
  }

  std::shared_ptr<TestDatabase> database_ = std::make_shared<TestDatabase>();
  SchedulingFixture scheduling_{"scheduling", database_, {"--reoptimize-interval-seconds", "0"}};
  std::string dir_;
  int64_t day_ = 0;
};

TEST_F(TimesheetCommandsTest, CrewReportTheChiefConfirmsOpsApproveAndAdminExportsPayroll) {
  // Ann reports her own hours, with a break.
  json reported = CtlJson("ann", "hours report ORDER-CLI/SETUP-VIDEO --start " + At(8) +
                                     " --finish " + At(13) + " --break 30m --note 'rig ran late'");
  const std::string entry_id = reported["entry"]["entryId"];
  EXPECT_EQ(reported["entry"]["crewMemberId"], "vic");
  EXPECT_EQ(reported["entry"]["state"], "TIMESHEET_STATE_REPORTED");
  EXPECT_EQ(reported["entry"]["workedDuration"], "16200s");

  // Someone else's hours: not allowed (exit 5), naming nothing of theirs.
  std::string output;
  EXPECT_EQ(Ctl("ann",
                "hours report ORDER-CLI/SETUP-VIDEO --crew-member val --start " + At(8) +
                    " --finish " + At(12),
                &output, true),
            5)
      << output;
  // Bad hours: the flag is named (exit 2).
  EXPECT_EQ(Ctl("ann", "hours report ORDER-CLI/SETUP-VIDEO --start " + At(8) + " --finish " + At(7),
                &output, true),
            2);
  EXPECT_NE(output.find("--finish"), std::string::npos) << output;

  // Ben, the crew chief on the same task, confirms; people read what happened.
  ASSERT_EQ(Ctl("ben", "hours confirm " + entry_id, &output, true), 0) << output;
  EXPECT_NE(output.find("Confirmed by"), std::string::npos) << output;
  EXPECT_NE(output.find("confirmed"), std::string::npos) << output;
  EXPECT_NE(output.find("4h30m"), std::string::npos) << output;

  // Ben's own hours, sent back by OPS (a reason is needed), reported again.
  const std::string bens = CtlJson("ben", "hours report ORDER-CLI/SETUP-VIDEO --start " + At(8) +
                                              " --finish " + At(14))["entry"]["entryId"];
  EXPECT_EQ(Ctl("ops", "hours approve " + bens + " --reject", &output, true), 2);
  json rejected = CtlJson("ops", "hours approve " + bens + " --reject --reason 'ended at 13:00'");
  EXPECT_EQ(rejected["entry"]["state"], "TIMESHEET_STATE_REJECTED");
  EXPECT_EQ(rejected["entry"]["rejectionReason"], "ended at 13:00");
  CtlJson("ben", "hours report ORDER-CLI/SETUP-VIDEO --start " + At(8) + " --finish " + At(13));

  // OPS approve both; approved hours are final (exit 3: refused by a business rule).
  for (const std::string& id : {entry_id, bens}) {
    EXPECT_EQ(CtlJson("ops", "hours approve " + id)["entry"]["state"], "TIMESHEET_STATE_APPROVED");
  }
  EXPECT_EQ(
      Ctl("ann", "hours report ORDER-CLI/SETUP-VIDEO --start " + At(8) + " --finish " + At(12),
          &output, true),
      3)
      << output;

  // The list: Ann sees hers; OPS everyone's, as a table.
  json anns = CtlJson("ann", "hours list");
  ASSERT_EQ(anns["entries"].size(), 1u) << anns.dump();
  ASSERT_EQ(Ctl("ops", "hours list --state approved --order ORDER-CLI", &output, true), 0);
  EXPECT_NE(output.find(entry_id), std::string::npos) << output;
  EXPECT_NE(output.find(bens), std::string::npos) << output;
  EXPECT_NE(output.find("approved"), std::string::npos) << output;

  // The labour report: per order, per person, and Ann's week against her 4 contracted hours.
  const std::string range = "--from " + IsoTime(day_ - 7 * kCliDay) + " --to +6d";
  json report = CtlJson("ops", "labour-report " + range);
  ASSERT_EQ(report["orders"].size(), 1u) << report.dump();
  EXPECT_EQ(report["orders"][0]["workedDuration"], "34200s");  // 4 h 30 + 5 h
  bool vics_week = false;
  for (const json& week : report["weeks"]) {
    if (week["crewMemberId"] != "vic") continue;
    vics_week = true;
    EXPECT_EQ(week["overtime"], "1800s") << week.dump();
  }
  EXPECT_TRUE(vics_week) << report.dump();
  ASSERT_EQ(Ctl("ops", "labour-report " + range, &output, true), 0);
  for (const char* words : {"Per order:", "Per person:", "ORDER-CLI", "OVERTIME", "0h30m"}) {
    EXPECT_NE(output.find(words), std::string::npos) << words << "\n" << output;
  }
  EXPECT_EQ(Ctl("ann", "labour-report " + range, &output, true), 5);

  // Payroll: ADMIN only, to a file.
  const std::string file = dir_ + "/payroll.csv";
  EXPECT_EQ(Ctl("ops", "payroll-export " + range + " -o " + file, &output, true), 5);
  ASSERT_EQ(Ctl("admin", "payroll-export " + range + " -o " + file, &output, true), 0) << output;
  EXPECT_NE(output.find("2 approved entries"), std::string::npos) << output;
  std::ifstream in(file);
  std::stringstream csv;
  csv << in.rdbuf();
  EXPECT_EQ(csv.str().rfind("entry_id,crew_member_id,display_name,order_id,task_id,", 0), 0u)
      << csv.str();
  EXPECT_NE(csv.str().find(entry_id + ",vic,vic,ORDER-CLI,ORDER-CLI/SETUP-VIDEO,"),
            std::string::npos)
      << csv.str();

  // Work on no task: Ann's afternoon in the warehouse, listed as such.
  json warehouse = CtlJson("ann", "hours report --other-work warehouse --start " + At(14) +
                                      " --finish " + At(17) + " --note 'cable testing'");
  EXPECT_EQ(warehouse["entry"]["otherWork"], "OTHER_WORK_WAREHOUSE") << warehouse.dump();
  EXPECT_EQ(warehouse["entry"]["taskId"], "") << warehouse.dump();
  ASSERT_EQ(Ctl("ann", "hours list", &output, true), 0);
  EXPECT_NE(output.find("warehouse (no task)"), std::string::npos) << output;
  // Neither a task nor other work, or a kind nobody knows: the flag is named (exit 2).
  EXPECT_EQ(Ctl("ann", "hours report --start " + At(18) + " --finish " + At(19), &output, true), 2);
  EXPECT_NE(output.find("TASK"), std::string::npos) << output;
  EXPECT_EQ(
      Ctl("ann", "hours report --other-work gardening --start " + At(18) + " --finish " + At(19),
          &output, true),
      2);
  EXPECT_NE(output.find("--other-work"), std::string::npos) << output;
  // The report says which of Vic's hours were other work.
  json with_warehouse = CtlJson("ops", "labour-report " + range);
  bool vics_line = false;
  for (const json& line : with_warehouse["people"]) {
    if (line["crewMemberId"] != "vic") continue;
    vics_line = true;
    EXPECT_EQ(line["otherWorkDuration"], "10800s") << line.dump();
    EXPECT_EQ(line["workedDuration"], "27000s") << line.dump();  // 4 h 30 + 3 h
  }
  EXPECT_TRUE(vics_line) << with_warehouse.dump();
  ASSERT_EQ(Ctl("ops", "labour-report " + range, &output, true), 0);
  EXPECT_NE(output.find("OF IT OTHER WORK"), std::string::npos) << output;
}

}  // namespace
}  // namespace salesops::testing
