// The main job end to end: the four services as real processes on the throwaway PostgreSQL,
// the demo company with its orders loaded by `salesopsctl demo load`, and the README's story
// driven through `salesopsctl --json` by the roles that do it (sales quotes, is refused, amends
// and confirms; ops pull, read the change after prep and acknowledge it), with the exit codes
// scripts branch on.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "tests/order_intake/order_suite.h"

namespace salesops::testing {
namespace {

using nlohmann::json;

class StoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(suite_.started()) << suite_.logs();
    dir_ = ::testing::TempDir() + "/cli-story-" + std::to_string(getpid());
    std::filesystem::create_directories(dir_);
    for (const std::string role : {"admin", "sales", "ops"}) {
      std::ofstream(dir_ + "/" + role + ".token") << TestTokens().ForRole(role);
    }
    std::ofstream(dir_ + "/config.yaml")
        << "inventory-address: " << suite_.inventory->address() << "\n"
        << "scheduling-address: " << suite_.scheduling->address() << "\n"
        << "notification-address: " << suite_.notification->address() << "\n"
        << "order-intake-address: " << suite_.orders->address() << "\n"
        << "token-file: admin.token\n"
        << "timeout-ms: 30000\n";
  }

  void TearDown() override { std::filesystem::remove_all(dir_); }

  // salesopsctl as `role`, from the source tree (the story's files are relative to it);
  // `output` gets stdout.
  int Ctl(const std::string& role, const std::string& args, std::string* output) {
    return RunCommand("cd " + ShellQuote(SALESOPS_SOURCE_DIR) + " && SALESOPS_CONFIG=" + dir_ +
                          "/config.yaml " + ShellQuote(SalesopsctlBinary()) + " --token-file " +
                          dir_ + "/" + role + ".token " + args + " --json 2>" + dir_ +
                          "/stderr.txt",
                      output);
  }

  // salesopsctl as `role` as a person reads it (no --json), standard input from `input_file`
  // when one is given; `output` gets stdout, `errors` stderr.
  int CtlText(const std::string& role, const std::string& args, std::string* output,
              std::string* errors = nullptr, const std::string& input_file = "") {
    const int code = RunCommand(
        "cd " + ShellQuote(SALESOPS_SOURCE_DIR) + " && SALESOPS_CONFIG=" + dir_ + "/config.yaml " +
            ShellQuote(SalesopsctlBinary()) + " --token-file " + dir_ + "/" + role + ".token " +
            args + (input_file.empty() ? "" : " < " + ShellQuote(input_file)) + " 2>" + dir_ +
            "/stderr.txt",
        output);
    if (errors != nullptr) {
      std::ifstream in(dir_ + "/stderr.txt");
      *errors = std::string(std::istreambuf_iterator<char>(in), {});
    }
    return code;
  }

  // The JSON a command printed, with its exit code checked.
  json CtlJson(const std::string& role, const std::string& args, int expected_exit = 0) {
    std::string output;
    int code = Ctl(role, args, &output);
    std::ifstream errors(dir_ + "/stderr.txt");
    EXPECT_EQ(code, expected_exit)
        << args << "\n"
        << output << std::string(std::istreambuf_iterator<char>(errors), {});
    json parsed = json::parse(output, nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(parsed.is_discarded()) << args << " printed no JSON:\n" << output;
    return parsed;
  }

  // Online acceptance on, as scripts/run runs it: the demo sends quotes and accepts one.
  Suite suite_{/*dependency_timeout_ms=*/10000, AcceptanceArgs()};
  std::string dir_;
};

// Money in the protobuf JSON mapping ({"currencyCode", "units", "nanos"}) in cents; 0 for none.
int64_t CentsOf(const json& money) {
  if (!money.is_object()) return 0;
  const int64_t units = money.contains("units") ? std::stoll(money["units"].get<std::string>()) : 0;
  const int64_t nanos = money.contains("nanos") ? money["nanos"].get<int64_t>() : 0;
  return units * 100 + nanos / 10000000;
}

std::set<std::string> Codes(const json& lines, const std::string& code_key = "inventoryCode") {
  std::set<std::string> codes;
  for (const json& line : lines) codes.insert(line[code_key].get<std::string>());
  return codes;
}

TEST_F(StoryTest, DemoOrdersInEveryStageThenTheStoryThroughSalesopsctl) {
  const std::string demo = std::string(SALESOPS_SOURCE_DIR) + "/demo";
  json loaded = CtlJson("admin", "demo load " + ShellQuote(demo));
  EXPECT_EQ(loaded["loaded"]["orders"]["created"], 19) << loaded.dump(2);
  // The pyro work nobody in-house may do: the setup offered to Freya, who declined, then to
  // Piet, who accepted; the strike to Freya, who accepted.
  EXPECT_EQ(loaded["loaded"]["offers"]["created"], 3) << loaded.dump(2);
  // The warehouse floor: 3 stock splits, 4 projectors, their plan, 3 PAT passes, 1 transfer.
  EXPECT_EQ(loaded["loaded"]["warehouse"]["created"], 12) << loaded.dump(2);

  // Orders in every stage, each reached through the calls sales and ops make.
  json listed = CtlJson("admin", "order list");
  std::map<std::string, json> by_stage;
  std::map<std::string, json> by_reference;
  for (const json& order : listed["orders"]) {
    by_stage[order["stage"]] = order;
    by_reference[order["customerReference"]] = order;
  }
  for (const std::string stage :
       {"INQUIRY", "QUOTED", "CONFIRMED", "IN_PREP", "READY", "DISPATCHED", "ON_SITE", "RETURNED",
        "CLOSED", "CANCELLED", "LOST"}) {
    EXPECT_TRUE(by_stage.count("ORDER_STAGE_" + stage)) << stage << " missing";
  }
  EXPECT_TRUE(by_reference["demo-fashion-show-pinned"]["deliveryWindow"]["pinned"]);
  EXPECT_EQ(by_reference["demo-startup-demo-day-question"]["openBlockingQuestionCount"], 1);
  EXPECT_EQ(by_reference["demo-product-launch-changed"]["unacknowledgedChanges"].size(), 1u);
  // The demo's money: a quote accepted online (confirmed at once), quotes sent, deposits paid,
  // and the gala's final invoice, dated back, overdue.
  const std::string accepted = by_reference["demo-architecture-awards"]["orderId"];
  EXPECT_EQ(by_reference["demo-architecture-awards"]["stage"], "ORDER_STAGE_CONFIRMED");
  json links = CtlJson("ops", "quote-links " + accepted);
  ASSERT_EQ(links["links"].size(), 1u) << links.dump(2);
  EXPECT_EQ(links["links"][0]["state"], "QUOTE_LINK_STATE_ACCEPTED");
  EXPECT_EQ(links["links"][0]["acceptance"]["acceptedByName"], "Lena Vogt");
  EXPECT_EQ(links["links"][0]["acceptance"]["outcome"], "ACCEPTANCE_OUTCOME_CONFIRMED");
  json sent = CtlJson(
      "sales", "quote-links " + by_reference["demo-congress-quote"]["orderId"].get<std::string>());
  EXPECT_EQ(sent["links"][0]["state"], "QUOTE_LINK_STATE_OPEN") << sent.dump(2);
  json deposits =
      CtlJson("sales", "invoice list --order " +
                           by_reference["demo-charity-ball"]["orderId"].get<std::string>());
  ASSERT_EQ(deposits["invoices"].size(), 1u) << deposits.dump(2);
  EXPECT_EQ(deposits["invoices"][0]["kind"], "INVOICE_KIND_DEPOSIT");
  EXPECT_EQ(deposits["invoices"][0]["paymentStatus"], "PAYMENT_STATUS_PAID");
  json overdue = CtlJson("sales", "invoice list --overdue");
  ASSERT_EQ(overdue["invoices"].size(), 1u) << overdue.dump(2);
  EXPECT_EQ(overdue["invoices"][0]["orderId"], by_reference["demo-harbour-gala"]["orderId"]);
  EXPECT_TRUE(overdue["invoices"][0]["overdue"].get<bool>());
  // The gala's pyro, offered to the freelancers who hold PYRO: Freya declined the setup and Piet
  // took it; Freya took the strike. Both tasks are covered.
  const std::string gala = by_reference["demo-new-year-gala"]["orderId"];
  std::map<std::string, std::string> answered;  // "task crew member" -> state
  const json gala_offers = CtlJson("ops", "offers list --order " + gala)["offers"];
  for (const json& offer : gala_offers) {
    answered[offer["taskId"].get<std::string>() + " " + offer["crewMemberId"].get<std::string>()] =
        offer["state"];
    if (offer["state"] == "OFFER_STATE_DECLINED") {
      EXPECT_EQ(offer["declineReason"], "Booked on a festival stage that evening");
    }
  }
  EXPECT_EQ(answered, (std::map<std::string, std::string>{
                          {gala + "/SETUP-PYRO CREW-FREYA", "OFFER_STATE_DECLINED"},
                          {gala + "/SETUP-PYRO CREW-PIET", "OFFER_STATE_ACCEPTED"},
                          {gala + "/STRIKE-PYRO CREW-FREYA", "OFFER_STATE_ACCEPTED"}}));
  const json gala_tasks = CtlJson("ops", "job status " + gala)["job"]["tasks"];
  int pyro_tasks = 0;
  for (const json& task : gala_tasks) {
    if (!task["taskId"].get<std::string>().ends_with("-PYRO")) continue;
    ++pyro_tasks;
    EXPECT_FALSE(task["atRisk"].get<bool>()) << "covered once accepted: " << task.dump(2);
  }
  EXPECT_EQ(pyro_tasks, 2);

  // Last week's timesheets (demo/timesheets.yaml): 23 days of work on no planned task.
  EXPECT_EQ(loaded["loaded"]["timesheets"]["created"], 23) << loaded.dump(2);
  const json toms = CtlJson("ops", "hours list --crew-member CREW-TOM")["entries"];
  ASSERT_EQ(toms.size(), 5u) << toms.dump(2);
  for (const json& entry : toms) {
    EXPECT_EQ(entry["state"], "TIMESHEET_STATE_APPROVED") << entry.dump(2);
    EXPECT_EQ(entry["otherWork"], "OTHER_WORK_WAREHOUSE") << entry.dump(2);
  }
  const json sent_back = CtlJson("ops", "hours list --state rejected")["entries"];
  ASSERT_EQ(sent_back.size(), 1u) << sent_back.dump(2);
  EXPECT_EQ(sent_back[0]["crewMemberId"], "CREW-DAN");
  EXPECT_EQ(sent_back[0]["rejectionReason"],
            "The shift log shows an hour's lunch; report it with the break");
  EXPECT_EQ(CtlJson("ops", "hours list --state reported")["entries"].size(), 1u);
  EXPECT_EQ(CtlJson("ops", "hours list --state confirmed")["entries"].size(), 1u);
  // Tom's week: 5 x 9 h against his 40 h, 5 h of overtime; the week is the one the hours are in.
  const std::string last_week =
      "--from " + toms[0]["startTime"].get<std::string>().substr(0, 10) + " --to +7d";
  const json labour = CtlJson("ops", "labour-report " + last_week);
  bool toms_week = false;
  for (const json& week : labour["weeks"]) {
    if (week["crewMemberId"] != "CREW-TOM") continue;
    toms_week = true;
    EXPECT_EQ(week["workedDuration"], "162000s") << week.dump(2);
    EXPECT_EQ(week["overtime"], "18000s") << week.dump(2);
  }
  EXPECT_TRUE(toms_week) << labour.dump(2);
  std::string payroll;
  ASSERT_EQ(Ctl("admin", "payroll-export " + last_week, &payroll), 0) << payroll;
  // The 20 approved entries, each approved by the loader's ADMIN.
  size_t approved_lines = 0;
  for (size_t at = payroll.find(",admin-1,"); at != std::string::npos;
       at = payroll.find(",admin-1,", at + 1)) {
    ++approved_lines;
  }
  EXPECT_EQ(approved_lines, 20u) << payroll;
  EXPECT_NE(payroll.find(",540,300,admin-1,warehouse"), std::string::npos)
      << "Tom's Friday carries his 5 h of overtime:\n"
      << payroll;
  EXPECT_NE(payroll.find(",CREW-TOM,Tom Walsh,,,"), std::string::npos) << payroll;
  EXPECT_NE(payroll.find(",training\r\n"), std::string::npos) << payroll;

  // Loading again changes nothing: no second invoice, link or payment.
  const json invoices_before = CtlJson("sales", "invoice list")["invoices"];
  CtlJson("admin", "demo load " + ShellQuote(demo));
  EXPECT_EQ(CtlJson("sales", "invoice list")["invoices"], invoices_before);
  EXPECT_EQ(CtlJson("ops", "quote-links " + accepted)["links"].size(), 1u);
  EXPECT_EQ(CtlJson("sales", "invoice list --overdue")["invoices"].size(), 1u);
  // A cancelled order's job is over: nothing of it is at risk any more.
  json cancelled =
      CtlJson("ops", "order show " +
                         by_reference["demo-graduation-cancelled"]["orderId"].get<std::string>());
  EXPECT_EQ(cancelled["order"]["opsStatus"]["job"]["state"], "JOB_STATE_CANCELLED");
  EXPECT_TRUE(cancelled["order"]["opsStatus"]["atRisk"].empty()) << cancelled.dump(2);
  const std::string short_quote = by_reference["demo-car-launch-shortage"]["orderId"];
  json shortage = CtlJson("sales", "feasibility " + short_quote);
  EXPECT_FALSE(shortage["feasibility"]["feasible"]);
  EXPECT_TRUE(Codes(shortage["feasibility"]["stockShortages"]).count("LED-PANEL-500-OUT"));
  // The blocking question holds its quote: confirming is refused with the reason.
  json blocked = CtlJson(
      "sales",
      "confirm " + by_reference["demo-startup-demo-day-question"]["orderId"].get<std::string>(), 3);
  EXPECT_EQ(blocked["error"]["reason"], "BLOCKING_QUESTION_OPEN");

  // Loading again creates nothing and moves nothing.
  json again = CtlJson("admin", "demo load " + ShellQuote(demo));
  EXPECT_EQ(again["loaded"]["orders"]["created"], 0);
  EXPECT_EQ(again["loaded"]["orders"]["unchanged"], 19);
  EXPECT_EQ(again["loaded"]["offers"]["created"], 0) << again.dump(2);
  EXPECT_EQ(again["loaded"]["offers"]["unchanged"], 3) << again.dump(2);
  EXPECT_EQ(again["loaded"]["timesheets"]["created"], 0) << again.dump(2);
  EXPECT_EQ(again["loaded"]["timesheets"]["unchanged"], 23) << again.dump(2);
  EXPECT_EQ(again["loaded"]["warehouse"]["created"], 0);
  EXPECT_EQ(again["loaded"]["warehouse"]["updated"], 0);
  EXPECT_EQ(again["loaded"]["warehouse"]["unchanged"], 12) << again.dump(2);
  EXPECT_EQ(again["loaded"]["skills"]["unchanged"], 4) << again.dump(2);
  EXPECT_EQ(again["loaded"]["crew"]["unchanged"], 17) << again.dump(2);
  EXPECT_EQ(again["loaded"]["products"]["unchanged"], 21) << again.dump(2);
  EXPECT_EQ(again["loaded"]["crew-rules"]["unchanged"], 1) << again.dump(2);
  EXPECT_EQ(CtlJson("ops", "transfer list")["transfers"].size(), 1u);
  EXPECT_EQ(CtlJson("ops", "assets list")["assets"].size(), 4u);
  EXPECT_EQ(CtlJson("admin", "order list")["orders"].size(), listed["orders"].size());

  // What people cost (README "What people cost"): the band's tour stop, confirmed, at the
  // open-air stage 1 h 15 min out, costed person by person with travel and per diems; its margin
  // sets the quote's crew lines against the setup and strike, the warehouse and driving apart;
  // and the forecast's labour. Margins and the forecast's labour are ADMIN's only.
  const std::string band = by_reference["demo-band-tour-stop"]["orderId"];
  json band_costs = CtlJson("admin", "labour-cost " + band)["orders"][0];
  EXPECT_TRUE(band_costs["planned"].get<bool>()) << band_costs.dump(2);
  int per_diems = 0;
  int64_t on_site = 0, handling = 0;
  for (json line : band_costs["lines"]) {
    per_diems += line["perDiemCount"].get<int>();
    const bool at_venue =
        line["taskKind"] == "TASK_KIND_SETUP" || line["taskKind"] == "TASK_KIND_STRIKE";
    (at_venue ? on_site : handling) += CentsOf(line["cost"]);
  }
  EXPECT_GT(per_diems, 0) << "the stage is past the per diem's hour: " << band_costs.dump(2);
  ASSERT_EQ(band_costs["costTotals"].size(), 1u) << band_costs.dump(2);
  EXPECT_EQ(band_costs["costTotals"][0]["currencyCode"], "EUR");
  EXPECT_EQ(CentsOf(band_costs["costTotals"][0]), on_site + handling);
  EXPECT_GT(on_site, 0);
  EXPECT_GT(handling, 0) << "prep, load-out and the drives";
  json margin = CtlJson("admin", "margin " + band)["margin"];
  EXPECT_TRUE(margin["planned"].get<bool>()) << margin.dump(2);
  EXPECT_EQ(CentsOf(margin["labourCost"]), on_site) << margin.dump(2);
  EXPECT_EQ(CentsOf(margin["handlingCost"]), handling) << margin.dump(2);
  EXPECT_GT(CentsOf(margin["labourPrice"]), 0) << "the quote charges crew: " << margin.dump(2);
  EXPECT_EQ(CentsOf(margin["margin"]), CentsOf(margin["labourPrice"]) - on_site);
  EXPECT_EQ(margin["lines"].size(), band_costs["lines"].size());
  EXPECT_FALSE(margin["explanation"].get<std::string>().empty());
  std::string margin_text;
  ASSERT_EQ(CtlText("admin", "margin " + band, &margin_text), 0);
  EXPECT_NE(margin_text.find("Labour price:"), std::string::npos) << margin_text;
  EXPECT_NE(margin_text.find("Margin:"), std::string::npos) << margin_text;
  EXPECT_NE(margin_text.find("Handling:"), std::string::npos) << margin_text;
  EXPECT_NE(margin_text.find(margin["explanation"].get<std::string>()), std::string::npos)
      << margin_text;
  std::string refused_text;
  EXPECT_EQ(Ctl("sales", "margin " + band, &refused_text), 5) << "ADMIN's only";
  EXPECT_EQ(Ctl("ops", "margin " + band, &refused_text), 5) << "ADMIN's only";
  EXPECT_EQ(Ctl("sales", "pipeline --labour", &refused_text), 5) << "ADMIN's only";
  EXPECT_EQ(Ctl("sales", "labour-cost " + band, &refused_text), 5) << "ADMIN's only";
  json forecast = CtlJson("admin", "pipeline --labour --to +8w");
  int64_t forecast_cost = 0, forecast_revenue = 0, forecast_handling = 0;
  for (json bucket : forecast["buckets"]) {
    forecast_cost += CentsOf(bucket["labourCost"]);
    forecast_revenue += CentsOf(bucket["labourRevenue"]);
    forecast_handling += CentsOf(bucket["handlingCost"]);
  }
  EXPECT_GE(forecast_cost, on_site) << "the band's stop is within eight weeks";
  EXPECT_GE(forecast_revenue, CentsOf(margin["labourPrice"]));
  EXPECT_GE(forecast_handling, handling);
  std::string forecast_text;
  ASSERT_EQ(CtlText("admin", "pipeline --labour", &forecast_text), 0);
  EXPECT_NE(forecast_text.find("LABOUR COST"), std::string::npos) << forecast_text;
  EXPECT_NE(forecast_text.find("HANDLING"), std::string::npos) << forecast_text;

  // 1. Sales quotes three LED walls and a speech PA: priced, held, and short.
  json quoted = CtlJson("sales", "quote --file demo/story/quote.yaml");
  const std::string order = quoted["order"]["orderId"];
  EXPECT_EQ(quoted["order"]["stage"], "ORDER_STAGE_QUOTED");
  // Priced by the demo's configuration: the wall by its rate definition, all at 19 % VAT.
  EXPECT_EQ(quoted["order"]["quote"]["netTotal"]["units"], "21380");
  EXPECT_EQ(quoted["order"]["quote"]["taxTotal"]["units"], "4062");
  EXPECT_EQ(quoted["order"]["quote"]["total"]["units"], "25442");
  EXPECT_EQ(quoted["order"]["quote"]["lines"][0]["pricedBy"], "catalog");
  EXPECT_NE(
      quoted["order"]["quote"]["lines"][0]["explanation"].get<std::string>().find("day factor"),
      std::string::npos)
      << quoted["order"]["quote"].dump(2);
  EXPECT_FALSE(quoted["feasibility"]["feasible"]);
  bool panels_short_by_84 = false;
  for (const json& shortage : quoted["feasibility"]["stockShortages"]) {
    if (shortage["inventoryCode"] == "LED-PANEL-500")
      panels_short_by_84 = shortage["shortfall"] == 84;
  }
  EXPECT_TRUE(panels_short_by_84) << quoted["feasibility"].dump(2);

  // A bad request is exit 2, names the field and the flag, and writes nothing.
  json bad = CtlJson("sales",
                     "quote --file demo/story/quote.yaml --deliver-from '2020-01-01 05:00' "
                     "--deliver-by '2020-01-01 08:00'",
                     2);
  bool names_deliver_by = false;
  for (const json& violation : bad["error"]["fieldViolations"]) {
    if (violation["field"] == "order.delivery_window.window.no_later_than") {
      names_deliver_by = violation["flag"] == "--deliver-by";
    }
  }
  EXPECT_TRUE(names_deliver_by) << bad.dump(2);
  std::string ignored;
  EXPECT_EQ(Ctl("sales", "quote --deliver-by 'next tuesday'", &ignored), 2);  // caught locally
  EXPECT_EQ(CtlJson("admin", "order list")["orders"].size(), listed["orders"].size() + 1);

  // 2. Confirming is refused (exit 3) with what is short, per code.
  json refused = CtlJson("sales", "confirm " + order, 3);
  EXPECT_EQ(refused["error"]["reason"], "INSUFFICIENT_STOCK");
  ASSERT_EQ(refused["error"]["details"].size(), 1u) << refused.dump(2);
  EXPECT_TRUE(Codes(refused["error"]["details"][0]["stockShortages"]).count("LED-PANEL-500"));
  // Sales may not acknowledge for ops (exit 5), and an unknown order is refused (exit 3).
  EXPECT_EQ(Ctl("sales", "ack-change " + order + " 1", &ignored), 5);
  EXPECT_EQ(Ctl("sales", "order show 999999", &ignored), 3);

  // 3. One wall; 4. confirmed, with ops' commitment.
  json amended = CtlJson(
      "sales", "amend " + order + " --product LED-WALL-5X3=1 --reason 'The client takes one wall'");
  EXPECT_EQ(amended["order"]["revision"], "2");
  json confirmed = CtlJson("sales", "confirm " + order);
  EXPECT_EQ(confirmed["order"]["stage"], "ORDER_STAGE_CONFIRMED");
  EXPECT_TRUE(confirmed["order"]["commitment"]["meetsRequest"]);

  // 5. The warehouse pulls; the order moves to in-prep by itself.
  json sheet = CtlJson("ops", "pullsheet " + order);
  EXPECT_EQ(sheet["pullSheet"]["orderId"], order);
  CtlJson("ops", "prep " + order + " --pulled LED-PANEL-500=30");
  json in_prep = CtlJson("ops", "order wait " + order + " --stage in-prep --timeout 30s");
  ASSERT_EQ(in_prep["stage"], "ORDER_STAGE_IN_PREP") << suite_.logs();
  // A stage a cancelled order will never reach is refused at once (exit 3).
  const std::string lost = by_reference["demo-trade-fair-lost"]["orderId"];
  EXPECT_EQ(Ctl("ops", "order wait " + lost + " --stage confirmed", &ignored), 3);

  // 6. A change after prep: its impact is computed and waits for ops.
  json changed = CtlJson(
      "sales", "amend " + order + " --product MIC-PACK-8=1 --reason 'A panel talk was added'");
  EXPECT_TRUE(Codes(changed["impact"]["pullMore"]).count("MIC-WL-HH"));
  ASSERT_EQ(changed["order"]["unacknowledgedChanges"].size(), 1u);

  // 7. Ops read it in their inbox and acknowledge it.
  bool notified = false;
  for (int attempt = 0; attempt < 100 && !notified; ++attempt) {
    json inbox = CtlJson("ops", "notifications --order " + order + " --type order-amended");
    for (const json& notification : inbox["notifications"]) {
      notified |= notification["summary"].get<std::string>().find("changed after prep") !=
                  std::string::npos;
    }
    if (!notified) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(notified);
  json acknowledged = CtlJson("ops", "ack-change " + order + " --note 'Mics added'");
  ASSERT_EQ(acknowledged["acknowledged"].size(), 1u);
  EXPECT_EQ(acknowledged["acknowledged"][0]["revision"], "3");
  EXPECT_TRUE(CtlJson("sales", "order show " + order)["order"]["unacknowledgedChanges"].empty());

  // 8. The history tells it all, in order.
  json history = CtlJson("sales", "order history " + order);
  std::vector<std::string> kinds;
  for (const json& entry : history["entries"]) kinds.push_back(entry["kind"]);
  EXPECT_EQ(kinds, (std::vector<std::string>{
                       "HISTORY_ENTRY_KIND_CREATED", "HISTORY_ENTRY_KIND_REFUSED",
                       "HISTORY_ENTRY_KIND_AMENDED", "HISTORY_ENTRY_KIND_CONFIRMED",
                       "HISTORY_ENTRY_KIND_STAGE_CHANGED", "HISTORY_ENTRY_KIND_AMENDED",
                       "HISTORY_ENTRY_KIND_CHANGE_ACKNOWLEDGED"}));

  // The tour (README, "A tour, priced with tax"): three stops for Tourneewerk, each priced for
  // its own days through the client's price list, with 19 % VAT, then confirmed as one.
  json tour = CtlJson("sales", "quote --file demo/story/tour.yaml");
  const json& tour_order = tour["order"];
  ASSERT_EQ(tour_order["phases"].size(), 2u) << tour.dump(2);
  EXPECT_EQ(tour_order["phases"][0]["phaseId"], "berlin");
  EXPECT_EQ(tour_order["phases"][0]["venue"]["name"], "Tempodrom Berlin");
  EXPECT_EQ(tour_order["customer"]["name"], "Tourneewerk GmbH");
  std::set<std::string> stops;
  for (const json& line : tour_order["quote"]["lines"]) {
    stops.insert(line.value("phaseId", ""));
    if (line["line"]["productCode"] == "LED-WALL-5X3") {
      EXPECT_EQ(line["pricedBy"], "price list 'Tour 2027'") << line.dump(2);
    }
    EXPECT_EQ(line["taxMillionths"], "190000") << line.dump(2);
  }
  EXPECT_EQ(stops, (std::set<std::string>{"", "berlin", "muenchen"}));
  ASSERT_EQ(tour_order["quote"]["taxLines"].size(), 1u);
  EXPECT_EQ(tour_order["quote"]["taxLines"][0]["taxMillionths"], "190000");
  EXPECT_NE(tour_order["quote"]["taxTotal"]["units"], "0");
  EXPECT_TRUE(tour["feasibility"]["feasible"]) << tour["feasibility"].dump(2);
  // Gaffer tape is sold once, not per day; the scrim is a custom line, taxed as equipment.
  bool tape_sold = false;
  for (const json& line : tour_order["quote"]["lines"]) {
    if (line["line"]["productCode"] != "GAFFER-TAPE") continue;
    tape_sold = line["explanation"].get<std::string>().find("sale price 9.50 EUR x 12") !=
                std::string::npos;
    EXPECT_EQ(line["lineTotal"]["units"], "114") << line.dump(2);
  }
  EXPECT_TRUE(tape_sold) << tour_order["quote"].dump(2);
  ASSERT_EQ(tour_order["quote"]["customLines"].size(), 1u);
  json tour_confirmed = CtlJson("sales", "confirm " + tour_order["orderId"].get<std::string>());
  EXPECT_EQ(tour_confirmed["order"]["stage"], "ORDER_STAGE_CONFIRMED");
  // Ops read the custom line on the pull sheet, and see that the tape does not come back.
  json tour_sheet = CtlJson("ops", "pullsheet " + tour_order["orderId"].get<std::string>());
  ASSERT_EQ(tour_sheet["pullSheet"]["notes"].size(), 1u) << tour_sheet.dump(2);
  EXPECT_EQ(tour_sheet["pullSheet"]["notes"][0]["category"], "CUSTOM_LINE_CATEGORY_PRODUCTION");
  EXPECT_NE(tour_sheet["pullSheet"]["notes"][0]["description"].get<std::string>().find(
                "Tour-branded scrim"),
            std::string::npos);
  std::string tape_tracking;
  for (const json& group : tour_sheet["pullSheet"]["groups"]) {
    for (const json& line : group["lines"]) {
      if (line["inventoryCode"] == "TAPE-GAFFER-50") {
        tape_tracking = line["tracking"];
        EXPECT_EQ(line["quantityToPull"], 12) << line.dump(2);
      }
    }
  }
  EXPECT_EQ(tape_tracking, "TRACKING_MODE_CONSUMABLE");

  // The tour's documents (README, "Documents"), headed by the demo's company profile.
  const std::string tour_id = tour_order["orderId"].get<std::string>();
  std::map<std::string, std::string> pdfs;
  for (const std::string kind : {"quote", "confirmation", "pull-sheet"}) {
    const std::string file = dir_ + "/tour-" + kind + ".pdf";
    json saved = CtlJson("sales", "document " + kind + " " + tour_id + " -o " + ShellQuote(file));
    EXPECT_EQ(saved["sha256"].get<std::string>().size(), 64u) << saved.dump(2);
    std::ifstream in(file, std::ios::binary);
    pdfs[kind] = std::string(std::istreambuf_iterator<char>(in), {});
    EXPECT_GT(PdfPageInk(pdfs[kind]), 0.01) << kind << " is blank";
  }
  const std::string quote_text = PdfText(pdfs["quote"]);
  for (const std::string expected :
       {"Quote", "Brightside Event Technology GmbH", "Tourneewerk GmbH", "Berlin, Tempodrom",
        "München, Zenith", "price list 'Tour 2027'", "sale price 9.50 EUR x 12",
        "Tour-branded scrim", "VAT 19 % on", "Total", "Valid until"}) {
    EXPECT_NE(quote_text.find(expected), std::string::npos) << expected << "\n" << quote_text;
  }
  const std::string confirmation_text = PdfText(pdfs["confirmation"]);
  EXPECT_NE(confirmation_text.find("delivered no later than"), std::string::npos)
      << confirmation_text;
  // Money on the tour: a 30 % deposit invoiced and part paid, then credited in part; and the
  // delivery note of a demo order that left.
  CtlJson("sales", "invoice plan set --order " + tour_id + " --deposit 30");
  json deposit = CtlJson("sales", "invoice issue " + tour_id + " --kind deposit");
  const std::string deposit_number = deposit["invoice"]["invoiceNumber"];
  json paid = CtlJson("sales", "payment record " + deposit_number + " 500");
  EXPECT_EQ(paid["invoice"]["paymentStatus"], "PAYMENT_STATUS_PARTIALLY_PAID") << paid.dump(2);
  json credit = CtlJson("sales", "credit-note " + deposit_number +
                                     " --reason 'one stop moved to next season' --line "
                                     "'Deposit for the Munich stop=100@19%'");
  const std::string credit_number = credit["creditNote"]["invoiceNumber"];
  for (const auto& [kind, number] : {std::pair<std::string, std::string>{"invoice", deposit_number},
                                     {"credit-note", credit_number}}) {
    const std::string file = dir_ + "/tour-" + kind + ".pdf";
    CtlJson("sales", "invoice pdf " + number + " -o " + ShellQuote(file));
    std::ifstream in(file, std::ios::binary);
    pdfs[kind] = std::string(std::istreambuf_iterator<char>(in), {});
    EXPECT_GT(PdfPageInk(pdfs[kind]), 0.01) << kind << " is blank";
  }
  const std::string invoice_text = PdfText(pdfs["invoice"]);
  for (const std::string expected : {std::string("Deposit invoice"), deposit_number,
                                     std::string("Tourneewerk GmbH"), std::string("VAT 19 %")}) {
    EXPECT_NE(invoice_text.find(expected), std::string::npos) << expected << "\n" << invoice_text;
  }
  const std::string credit_text = PdfText(pdfs["credit-note"]);
  for (const std::string expected : {std::string("Credit note"), credit_number, deposit_number,
                                     std::string("one stop moved to next season")}) {
    EXPECT_NE(credit_text.find(expected), std::string::npos) << expected << "\n" << credit_text;
  }
  {
    const std::string file = dir_ + "/delivery-note.pdf";
    CtlJson("ops", "document delivery-note " +
                       by_reference["demo-fashion-show-pinned"]["orderId"].get<std::string>() +
                       " -o " + ShellQuote(file));
    std::ifstream in(file, std::ios::binary);
    pdfs["delivery-note"] = std::string(std::istreambuf_iterator<char>(in), {});
    EXPECT_NE(PdfText(pdfs["delivery-note"]).find("Received by"), std::string::npos);
  }
  const std::vector<std::string> scanned = PdfBarcodes(pdfs["pull-sheet"]);
  EXPECT_NE(std::find(scanned.begin(), scanned.end(), "TAPE-GAFFER-50"), scanned.end())
      << ::testing::PrintToString(scanned);
  // The warehouse floor and the scan-out story (README, "Scanning out, with a unit overdue"):
  // every projector in the register, one overdue for its PAT, a transfer on its way, and the
  // stock per warehouse.
  std::map<std::string, json> projectors;
  const json register_of_projectors = CtlJson("ops", "assets list --code PROJ-20K");
  for (const json& asset : register_of_projectors["assets"]) {
    projectors[asset["barcode"]] = asset;
  }
  ASSERT_EQ(projectors.size(), 4u);
  for (const auto& [barcode, asset] : projectors) {
    EXPECT_EQ(asset["state"], "ASSET_STATE_AVAILABLE") << asset.dump(2);
    EXPECT_EQ(asset["warehouseId"], "WH-NORTH");
    bool pat_overdue = false;
    for (const json& due : asset["inspections"]) {
      if (due["inspectionType"] == "PAT") pat_overdue = due["overdue"];
    }
    EXPECT_EQ(pat_overdue, barcode == "BRT-PJ-004") << asset.dump(2);
  }
  std::string shown;
  ASSERT_EQ(CtlText("ops", "assets show BRT-PJ-004", &shown), 0);
  EXPECT_NE(shown.find("OVERDUE"), std::string::npos) << shown;
  const json transfers = CtlJson("ops", "transfer list")["transfers"];
  ASSERT_EQ(transfers.size(), 1u);
  EXPECT_EQ(transfers[0]["fromWarehouseId"], "WH-SOUTH");
  EXPECT_EQ(transfers[0]["toWarehouseId"], "WH-NORTH");
  EXPECT_EQ(transfers[0]["lines"][0]["inventoryCode"], "LED-PANEL-500");
  EXPECT_EQ(transfers[0]["lines"][0]["quantity"], 12);
  EXPECT_EQ(transfers[0]["state"], "TRANSFER_STATE_PLANNED");
  std::map<std::string, int> panels_by_warehouse;
  const json panels = CtlJson("ops", "warehouse-stock show LED-PANEL-500");
  for (const json& stock : panels["stock"]) {
    panels_by_warehouse[stock["warehouseId"]] = stock["quantity"];
  }
  EXPECT_EQ(panels_by_warehouse, (std::map<std::string, int>{{"WH-NORTH", 72}, {"WH-SOUTH", 24}}));
  // After the transfer arrived: North keeps 84 panels, South 12.
  json where =
      CtlJson("ops", "availability LED-PANEL-500=24 --from '+6bd 08:00' --to '+6bd 18:00'");
  std::map<std::string, int> stock_after_transfer;
  for (const json& warehouse : where["availability"][0]["warehouses"]) {
    stock_after_transfer[warehouse["warehouseId"]] = warehouse["stock"];
  }
  EXPECT_EQ(stock_after_transfer, (std::map<std::string, int>{{"WH-NORTH", 84}, {"WH-SOUTH", 12}}))
      << where.dump(2);

  // The awards night's sheet, scanned through a pipe as a scanner types it: the overdue unit is
  // refused (with the bell), every other label pulled, and the projector still missing.
  std::string awards_sheet;
  ASSERT_EQ(CtlText("ops", "pullsheet " + accepted, &awards_sheet), 0);
  EXPECT_NE(awards_sheet.find("PROJ-20K"), std::string::npos) << awards_sheet;
  std::ifstream labels_file(std::string(SALESOPS_SOURCE_DIR) + "/demo/story/awards-scan-out.txt");
  const std::string labels(std::istreambuf_iterator<char>(labels_file), {});
  const std::string first_scan = dir_ + "/first-scan.txt";
  std::ofstream(first_scan) << "BRT-PJ-004\n" << labels;
  std::string scanned_text, bell;
  EXPECT_EQ(CtlText("ops", "scan out " + accepted, &scanned_text, &bell, first_scan), 3);
  EXPECT_NE(scanned_text.find("REFUSED  INSPECTION_OVERDUE"), std::string::npos) << scanned_text;
  EXPECT_NE(bell.find('\a'), std::string::npos);
  size_t accepted_scans = 0;
  for (size_t at = scanned_text.find("\nOK  "); at != std::string::npos;
       at = scanned_text.find("\nOK  ", at + 1)) {
    ++accepted_scans;
  }
  EXPECT_EQ(accepted_scans + (scanned_text.starts_with("OK  ") ? 1 : 0),
            static_cast<size_t>(std::count(labels.begin(), labels.end(), '\n')))
      << scanned_text;
  EXPECT_NE(scanned_text.find("Missing:\n  PROJ-20K: 1"), std::string::npos) << scanned_text;
  // The bench tests it; now it goes out, and the sheet is complete and dispatched.
  json passed = CtlJson("ops", "assets inspect BRT-PJ-004 PAT --pass --note 'earth 0.06 ohm'");
  for (const json& due : passed["asset"]["inspections"]) {
    if (due["inspectionType"] == "PAT") {
      EXPECT_FALSE(due["overdue"].get<bool>()) << due.dump();
    }
  }
  const std::string second_scan = dir_ + "/second-scan.txt";
  std::ofstream(second_scan) << "BRT-PJ-004\n";
  std::string scanned_json;
  EXPECT_EQ(Ctl("ops", "scan out " + accepted + " --dispatch < " + ShellQuote(second_scan),
                &scanned_json),
            0)
      << scanned_json;
  std::vector<json> answers;
  std::istringstream answer_lines(scanned_json);
  for (std::string line; std::getline(answer_lines, line);) {
    answers.push_back(json::parse(line, nullptr, /*allow_exceptions=*/false));
  }
  ASSERT_EQ(answers.size(), 2u) << scanned_json;
  EXPECT_EQ(answers[0]["refusal"], "SCAN_REFUSAL_UNSPECIFIED") << answers[0].dump(2);
  EXPECT_EQ(answers[0]["asset"]["barcode"], "BRT-PJ-004");
  EXPECT_TRUE(answers[1]["complete"].get<bool>()) << answers[1].dump(2);
  EXPECT_TRUE(answers[1].contains("checkOut")) << answers[1].dump(2);
  json out_with_awards = CtlJson("ops", "assets show BRT-PJ-004");
  EXPECT_EQ(out_with_awards["asset"]["state"], "ASSET_STATE_OUT");
  EXPECT_EQ(out_with_awards["asset"]["orderId"], accepted);
  json dispatched = CtlJson("ops", "order wait " + accepted + " --stage dispatched --timeout 30s");
  EXPECT_EQ(dispatched["stage"], "ORDER_STAGE_DISPATCHED") << suite_.logs();
  // The warehouse floor loads again as it is, a unit out with an order included.
  json reloaded = CtlJson("admin", "demo load --skip orders " + ShellQuote(demo));
  EXPECT_EQ(reloaded["loaded"]["warehouse"]["unchanged"], 12) << reloaded.dump(2);

  // scripts/document-examples renders these for docs/examples/.
  if (const char* examples = std::getenv("SALESOPS_DOCUMENT_EXAMPLES_DIR")) {
    for (const auto& [kind, pdf] : pdfs) {
      std::ofstream(std::string(examples) + "/" + kind + ".pdf", std::ios::binary) << pdf;
    }
  }
}

// The commands scripts/run prints to paste (demo/story/commands.sh), run as pasted, then the
// story scripts/run --demo plays: from a
// folder holding demo/ and .data/tokens/, salesopsctl on the PATH, the config in the
// environment. The refused confirm and every later step do what their comments say.
TEST_F(StoryTest, TheCommandsScriptsRunPrintsAndItsDemoStoryWork) {
  std::string output;
  ASSERT_EQ(Ctl("admin", "demo load --skip orders demo", &output), 0) << output;
  const std::string source(SALESOPS_SOURCE_DIR);
  std::filesystem::create_directories(dir_ + "/.data/tokens");
  std::filesystem::copy_file(dir_ + "/ops.token", dir_ + "/.data/tokens/ops.token");
  std::filesystem::create_directory_symlink(source + "/demo", dir_ + "/demo");
  const std::string binary_dir = std::filesystem::path(SalesopsctlBinary()).parent_path();
  ASSERT_EQ(RunCommand("cd " + dir_ + " && SALESOPS_CONFIG=" + dir_ +
                           "/config.yaml PATH=" + ShellQuote(binary_dir) + ":\"$PATH\" bash " +
                           ShellQuote(source + "/demo/story/commands.sh") + " 2>&1",
                       &output),
            0)
      << output;
  EXPECT_NE(output.find("(INSUFFICIENT_STOCK)"), std::string::npos) << output;  // step 2
  EXPECT_NE(output.find("is confirmed: deliver no later than"), std::string::npos) << output;
  EXPECT_NE(output.find("is in-prep."), std::string::npos) << output;
  EXPECT_NE(output.find("changed after prep started, +1 CASE-MIC-12 to pull"), std::string::npos)
      << output;
  EXPECT_NE(output.find("stage-changed"), std::string::npos) << output;  // the history

  // scripts/run --demo plays demo/story.sh; it stops with exit 1 at the first step whose exit
  // code is not the one it expects. A day later, so it does not meet the wall booked above.
  ASSERT_EQ(RunCommand("SALESOPS_CONFIG=" + dir_ +
                           "/config.yaml SALESOPS_CTL=" + ShellQuote(SalesopsctlBinary()) +
                           " SALESOPS_TOKENS_DIR=" + dir_ + " SALESOPS_STORY_DAY=+11bd " +
                           ShellQuote(source + "/demo/story.sh") + " 2>&1",
                       &output),
            0)
      << output;
  EXPECT_NE(output.find("(exit 3, as expected)"), std::string::npos) << output;
  EXPECT_NE(output.find("The story is order"), std::string::npos) << output;
}

// "How to call the APIs from another language": the README's Python example, with stubs
// generated from the protos, reads the quotes and a refusal's reason and field violations.
TEST_F(StoryTest, APythonClientUsesTheSameProtos) {
  std::string output;
  ASSERT_EQ(Ctl("admin", "demo load --skip orders demo", &output), 0) << output;
  ASSERT_EQ(Ctl("sales", "quote --file demo/story/quote.yaml", &output), 0) << output;
  const std::string stubs = dir_ + "/python";
  std::filesystem::create_directories(stubs);
  const std::string source(SALESOPS_SOURCE_DIR);
  const std::string google(SALESOPS_GOOGLE_PROTO_ROOT);
  ASSERT_EQ(RunCommand(std::string(SALESOPS_PROTOC) + " -I" + ShellQuote(source + "/protos") +
                       " -I" + ShellQuote(google) + " --python_out=" + stubs +
                       " --grpc_python_out=" + stubs + " --plugin=protoc-gen-grpc_python=" +
                       SALESOPS_GRPC_PYTHON_PLUGIN + " " + ShellQuote(source + "/protos") +
                       "/salesops/v1/*.proto " + ShellQuote(google) + "/google/*/*.proto"),
            0);
  ASSERT_EQ(RunCommand("PYTHONPATH=" + stubs + " SALESOPS_TOKEN_FILE=" + dir_ +
                           "/sales.token SALESOPS_ORDER_INTAKE_ADDRESS=" +
                           suite_.orders->address() + " /usr/bin/python3 " +
                           ShellQuote(source + "/examples/python/orders.py") + " 2>&1",
                       &output),
            0)
      << output;
  EXPECT_NE(output.find("open quotes: 1"), std::string::npos) << output;
  EXPECT_NE(output.find("Northwind Conferences: short: "), std::string::npos) << output;
  EXPECT_NE(output.find("reason: INVALID_REQUEST"), std::string::npos) << output;
  EXPECT_NE(output.find("order.customer: is required"), std::string::npos) << output;
}

}  // namespace
}  // namespace salesops::testing
