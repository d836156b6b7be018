// Crew calendar feeds end to end (issue 20 item 4): scheduling runs with its calendar endpoint
// on real PostgreSQL, a show is planned, and each crew member's secret feed URL (from gRPC) is
// fetched over HTTP and read by the icalendar library (Debian's python3-icalendar), as a
// calendar app would; what it finds is compared with the member's schedule from GetSchedule.
#include <curl/curl.h>
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "services/common/grpc_errors.h"
#include "tests/scheduling/scheduling_test_support.h"

namespace salesops::testing {
namespace {

using Stub = v1::SchedulingService::Stub;
using google::protobuf::util::TimeUtil;

struct FeedAnswer {
  long status = 0;
  std::string body;
  std::string content_type;
};

size_t CollectFeed(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

FeedAnswer FetchFeed(const std::string& url, const std::string& method = "GET") {
  FeedAnswer answer;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "CalendarFeedTest/1.0 (like a calendar app)");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &CollectFeed);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  if (method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (method == "POST") curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "x=1");
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
    char* type = nullptr;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &type);
    if (type != nullptr) answer.content_type = type;
  }
  curl_easy_cleanup(curl);
  return answer;
}

// A feed as tests/scheduling/check_calendar_feed.py reads it with the icalendar library.
struct ParsedFeed {
  bool ok = false;
  std::string error;
  std::string name;
  struct Event {
    std::string uid, summary, description, status;
    int64_t start = 0, end = 0;
  };
  std::map<std::string, Event> events;  // by UID
};

ParsedFeed ParseWithIcalendar(const std::string& body) {
  static int feeds = 0;
  const std::string path =
      (std::filesystem::temp_directory_path() /
       ("salesops-feed-" + std::to_string(getpid()) + "-" + std::to_string(++feeds) + ".ics"))
          .string();
  std::ofstream(path, std::ios::binary) << body;
  ParsedFeed parsed;
  std::string output;
  const int status = RunCommand("/usr/bin/python3 " +
                                    ShellQuote(std::string(SALESOPS_SOURCE_DIR) +
                                               "/tests/scheduling/check_calendar_feed.py") +
                                    " " + ShellQuote(path) + " 2>&1",
                                &output);
  std::filesystem::remove(path);
  if (status != 0) {
    parsed.error = output;
    return parsed;
  }
  const nlohmann::json json = nlohmann::json::parse(output, nullptr, false);
  if (json.is_discarded()) {
    parsed.error = "not JSON: " + output;
    return parsed;
  }
  parsed.name = json["name"];
  for (const auto& item : json["events"]) {
    ParsedFeed::Event event{item["uid"],    item["summary"], item["description"],
                            item["status"], item["start"],   item["end"]};
    parsed.events[event.uid] = event;
  }
  parsed.ok = true;
  return parsed;
}

std::string KindLabel(v1::TaskKind kind) {
  switch (kind) {
    case v1::TASK_KIND_PREP:
      return "Prep";
    case v1::TASK_KIND_LOAD_OUT:
      return "Load-out";
    case v1::TASK_KIND_DELIVER:
      return "Delivery";
    case v1::TASK_KIND_SETUP:
      return "Setup";
    case v1::TASK_KIND_STRIKE:
      return "Strike";
    case v1::TASK_KIND_RETURN:
      return "Return";
    default:
      return "Transfer";
  }
}

std::vector<std::string> CalendarFeedFlags() {
  std::vector<std::string> args = CalendarArgs();
  // No background re-optimisation: what the feed shows is compared with GetSchedule.
  args.insert(args.end(), {"--reoptimize-interval-seconds", "0"});
  return args;
}

class CalendarFeedApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(scheduling_.started()) << scheduling_.log();
    AddCrewAndTruck(scheduling_);
    v1::PlanJobResponse planned;
    grpc::Status status =
        scheduling_.Call(&Stub::PlanJob, ShowPlan(day0_, "ORDER-CAL", 1), &planned);
    ASSERT_TRUE(status.ok()) << status.error_message();

    v1::AddUnavailabilityRequest off;
    off.mutable_unavailability()->set_crew_member_id("vic");
    off.mutable_unavailability()->set_kind(v1::UNAVAILABILITY_KIND_TIME_OFF);
    off.mutable_unavailability()->set_reason("Sister's wedding, in Köln");
    *off.mutable_unavailability()->mutable_window()->mutable_not_before() =
        TimeUtil::SecondsToTimestamp(day0_ + 10 * 86400);
    *off.mutable_unavailability()->mutable_window()->mutable_no_later_than() =
        TimeUtil::SecondsToTimestamp(day0_ + 12 * 86400);
    v1::AddUnavailabilityResponse added;
    status = scheduling_.Call(&Stub::AddUnavailability, off, &added);
    ASSERT_TRUE(status.ok()) << status.error_message();
    vic_time_off_ = added.unavailability();
  }

  grpc::Status GetFeed(const std::string& member, v1::GetCalendarFeedResponse* response,
                       const std::string& token = "") {
    v1::GetCalendarFeedRequest request;
    request.set_crew_member_id(member);
    return scheduling_.Call(&Stub::GetCalendarFeed, request, response,
                            token.empty() ? scheduling_.tokens().ops : token);
  }

  std::string FeedUrl(const std::string& member) {
    v1::GetCalendarFeedResponse response;
    grpc::Status status = GetFeed(member, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.crew_member_id(), member);
    return response.url();
  }

  grpc::Status Reset(const std::string& member, const std::string& request_id,
                     v1::ResetCalendarFeedResponse* response, const std::string& token = "") {
    v1::ResetCalendarFeedRequest request;
    request.set_request_id(request_id);
    request.set_crew_member_id(member);
    return scheduling_.Call(&Stub::ResetCalendarFeed, request, response,
                            token.empty() ? scheduling_.tokens().ops : token);
  }

  // The member's assignments over the feed's reach, as GetSchedule answers them.
  v1::GetScheduleResponse ScheduleOf(const std::string& member) {
    const int64_t now = TimeUtil::GetCurrentTime().seconds();
    v1::GetScheduleRequest request;
    request.set_crew_member_id(member);
    *request.mutable_range()->mutable_not_before() = TimeUtil::SecondsToTimestamp(now - 29 * 86400);
    *request.mutable_range()->mutable_no_later_than() =
        TimeUtil::SecondsToTimestamp(now + 179 * 86400);
    request.set_page_size(1000);
    v1::GetScheduleResponse schedule;
    grpc::Status status = scheduling_.Call(&Stub::GetSchedule, request, &schedule);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return schedule;
  }

  ParsedFeed Feed(const std::string& url) {
    const FeedAnswer answer = FetchFeed(url);
    EXPECT_EQ(answer.status, 200) << answer.body;
    EXPECT_EQ(answer.content_type, "text/calendar; charset=utf-8");
    ParsedFeed parsed = ParseWithIcalendar(answer.body);
    EXPECT_TRUE(parsed.ok) << parsed.error << "\n" << answer.body;
    return parsed;
  }

  int64_t day0_ = TestDayZero();
  v1::Unavailability vic_time_off_;
  SchedulingFixture scheduling_{"scheduling", std::make_shared<TestDatabase>(),
                                CalendarFeedFlags()};
};

TEST_F(CalendarFeedApiTest, AMembersFeedIsTheirScheduleAsACalendarAppReadsIt) {
  const std::string url = FeedUrl("vic");
  EXPECT_EQ(url.rfind("http://127.0.0.1:", 0), 0u) << url;
  EXPECT_NE(url.find("/calendar/"), std::string::npos) << url;
  EXPECT_EQ(url.substr(url.size() - 4), ".ics");
  EXPECT_EQ(FeedUrl("vic"), url) << "reading the URL must not change it";

  const v1::GetScheduleResponse schedule = ScheduleOf("vic");
  ASSERT_GE(schedule.entries_size(), 1) << "the show put no work on vic";
  const ParsedFeed feed = Feed(url);
  ASSERT_TRUE(feed.ok);
  EXPECT_EQ(feed.name, "salesops: vic");
  // Every assignment, and the time off: nothing more, nothing less.
  EXPECT_EQ(feed.events.size(), static_cast<size_t>(schedule.entries_size()) + 1);
  for (const v1::ScheduleEntry& entry : schedule.entries()) {
    const v1::Task& task = entry.task();
    SCOPED_TRACE(task.task_id());
    auto found = feed.events.find(task.task_id() + "/vic@salesops");
    ASSERT_NE(found, feed.events.end());
    const ParsedFeed::Event& event = found->second;
    EXPECT_EQ(event.start, entry.assignment().start_time().seconds());
    EXPECT_EQ(event.end, entry.assignment().finish_time().seconds());
    EXPECT_EQ(event.summary, KindLabel(task.kind()) + " VIDEO \xC2\xB7 order ORDER-CAL");
    EXPECT_NE(event.description.find("State: assigned"), std::string::npos) << event.description;
    EXPECT_NE(event.description.find("Deadline: "), std::string::npos) << event.description;
    EXPECT_EQ(event.status, "CONFIRMED");
  }
  auto off = feed.events.find("time-off-" + vic_time_off_.unavailability_id() + "/vic@salesops");
  ASSERT_NE(off, feed.events.end());
  EXPECT_EQ(off->second.summary, "Time off");
  EXPECT_EQ(off->second.description, "Sister's wedding, in Köln");
  EXPECT_EQ(off->second.start, day0_ + 10 * 86400);
  EXPECT_EQ(off->second.end, day0_ + 12 * 86400);

  // HEAD, as some apps check before they fetch: the headers, no body.
  const FeedAnswer head = FetchFeed(url, "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.content_type, "text/calendar; charset=utf-8");
  EXPECT_TRUE(head.body.empty());
}

TEST_F(CalendarFeedApiTest, AnotherMembersFeedShowsOnlyTheirs) {
  const std::string vic = FeedUrl("vic");
  const std::string val = FeedUrl("val");
  EXPECT_NE(val, vic);
  const v1::GetScheduleResponse schedule = ScheduleOf("val");
  ASSERT_GE(schedule.entries_size(), 1) << "the show put no work on val";
  const ParsedFeed feed = Feed(val);
  ASSERT_TRUE(feed.ok);
  EXPECT_EQ(feed.name, "salesops: val");
  EXPECT_EQ(feed.events.size(), static_cast<size_t>(schedule.entries_size()));
  for (const auto& [uid, event] : feed.events) {
    EXPECT_EQ(uid.substr(uid.size() - 13), "/val@salesops") << uid;
    EXPECT_EQ(event.summary.find("Time off"), std::string::npos) << "vic's time off in val's feed";
    EXPECT_EQ(event.description.find("vic"), std::string::npos) << event.description;
  }
  // A member with no work has a feed too, empty.
  const ParsedFeed empty = Feed(FeedUrl("abe"));
  ASSERT_TRUE(empty.ok);
  EXPECT_EQ(empty.events.size(), static_cast<size_t>(ScheduleOf("abe").entries_size()));
}

TEST_F(CalendarFeedApiTest, AResetRevokesTheOldUrlAtOnceAndTheNewOneWorks) {
  const std::string old_url = FeedUrl("vic");
  const std::string val_url = FeedUrl("val");
  ASSERT_EQ(FetchFeed(old_url).status, 200);

  v1::ResetCalendarFeedResponse reset;
  grpc::Status status = Reset("vic", "reset-vic-1", &reset);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(reset.crew_member_id(), "vic");
  EXPECT_NE(reset.url(), old_url);

  const FeedAnswer revoked = FetchFeed(old_url);
  EXPECT_EQ(revoked.status, 404);
  EXPECT_EQ(revoked.body.find("BEGIN:VCALENDAR"), std::string::npos);
  const ParsedFeed feed = Feed(reset.url());
  EXPECT_TRUE(feed.ok);
  EXPECT_EQ(feed.events.size(), static_cast<size_t>(ScheduleOf("vic").entries_size()) + 1);
  EXPECT_EQ(FeedUrl("vic"), reset.url()) << "GetCalendarFeed must give the new URL";
  // Another member's URL is not touched by vic's reset.
  EXPECT_EQ(FeedUrl("val"), val_url);
  EXPECT_EQ(FetchFeed(val_url).status, 200);

  // A second reset revokes the first one's URL too.
  v1::ResetCalendarFeedResponse again;
  ASSERT_TRUE(Reset("vic", "reset-vic-2", &again).ok());
  EXPECT_EQ(FetchFeed(reset.url()).status, 404);
  EXPECT_EQ(FetchFeed(again.url()).status, 200);
}

TEST_F(CalendarFeedApiTest, ForgedLinksAreNotFoundAndNoLinkIsLogged) {
  const std::string vic = FeedUrl("vic");
  const std::string val = FeedUrl("val");
  const size_t path_at = vic.find("/calendar/");
  const std::string base = vic.substr(0, path_at);
  const std::string vic_token = vic.substr(path_at + 10, vic.size() - path_at - 14);
  const std::string val_token = val.substr(path_at + 10, val.size() - path_at - 14);

  std::string forged = vic_token;
  forged[forged.size() - 3] = forged[forged.size() - 3] == 'A' ? 'B' : 'A';
  // val's id with vic's generation and signature: someone trying to read a colleague's plans.
  const std::string swapped =
      val_token.substr(0, val_token.find('.')) + vic_token.substr(vic_token.find('.'));
  for (const std::string& path :
       {"/calendar/" + forged + ".ics", "/calendar/" + swapped + ".ics", "/calendar/" + vic_token,
        "/calendar/" + vic_token + ".ics/x", std::string("/calendar/"), std::string("/"),
        "/calendar/%2e%2e/" + vic_token + ".ics"}) {
    const FeedAnswer answer = FetchFeed(base + path);
    EXPECT_EQ(answer.status, 404) << path;
    EXPECT_EQ(answer.body.find("BEGIN:VCALENDAR"), std::string::npos) << path;
  }
  EXPECT_EQ(FetchFeed(vic, "POST").status, 405);
  EXPECT_EQ(FetchFeed(vic).status, 200);

  // The links are secrets: neither a good one nor a forged one reaches the log.
  const std::string log = scheduling_.log();
  for (const std::string& token : {vic_token, val_token, forged, swapped}) {
    EXPECT_EQ(log.find(token.substr(token.rfind('.') + 1)), std::string::npos) << token;
  }
  EXPECT_EQ(log.find("/calendar/"), std::string::npos);
}

TEST_F(CalendarFeedApiTest, CrewGetAndResetTheirOwnFeedAndNoOneElses) {
  // vic signs in as the test's crew person kCrewAnn.
  v1::GetCrewMemberRequest get;
  get.set_crew_member_id("vic");
  v1::GetCrewMemberResponse got;
  ASSERT_TRUE(scheduling_.Call(&Stub::GetCrewMember, get, &got).ok());
  v1::UpdateCrewMemberRequest update;
  *update.mutable_crew_member() = got.crew_member();
  update.mutable_crew_member()->set_person_id(TestTokens::kCrewAnn);
  update.set_etag(got.crew_member().etag());
  v1::UpdateCrewMemberResponse updated;
  grpc::Status status = scheduling_.Call(&Stub::UpdateCrewMember, update, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const std::string ann = scheduling_.tokens().ForCrew(TestTokens::kCrewAnn);

  v1::GetCalendarFeedResponse own;
  status = GetFeed("", &own, ann);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(own.crew_member_id(), "vic");
  EXPECT_EQ(own.url(), FeedUrl("vic"));
  v1::GetCalendarFeedResponse named;
  ASSERT_TRUE(GetFeed("vic", &named, ann).ok());
  EXPECT_EQ(named.url(), own.url());

  v1::GetCalendarFeedResponse other;
  EXPECT_EQ(GetFeed("val", &other, ann).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(other.url().empty());
  EXPECT_EQ(GetFeed("nobody", &other, ann).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // A crew member whose person is on no member (Ben) has no feed.
  EXPECT_EQ(GetFeed("", &other, scheduling_.tokens().ForCrew(TestTokens::kCrewBen)).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  v1::ResetCalendarFeedResponse reset;
  status = Reset("", "ann-resets", &reset, ann);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(reset.crew_member_id(), "vic");
  EXPECT_NE(reset.url(), own.url());
  EXPECT_EQ(FetchFeed(own.url()).status, 404);
  const std::string val_url = FeedUrl("val");
  EXPECT_EQ(Reset("val", "ann-resets-val", &reset, ann).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(FeedUrl("val"), val_url);

  // Sales hands out no calendars; OPS must name whose.
  EXPECT_EQ(GetFeed("vic", &other, scheduling_.tokens().sales).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status unnamed = GetFeed("", &other);
  EXPECT_EQ(unnamed.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(common::ParseGrpcError(unnamed).violations.at(0).field, "crew_member_id");
  EXPECT_EQ(GetFeed("nobody", &other).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Reset("nobody", "", &reset).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST(CalendarFeedConfigTest, WithoutTheEndpointFeedsAreRefused) {
  SchedulingFixture scheduling("scheduling", std::make_shared<TestDatabase>());
  ASSERT_TRUE(scheduling.started()) << scheduling.log();
  AddCrewAndTruck(scheduling);
  v1::GetCalendarFeedRequest request;
  request.set_crew_member_id("vic");
  v1::GetCalendarFeedResponse response;
  grpc::Status status = scheduling.Call(&Stub::GetCalendarFeed, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("--calendar-address"), std::string::npos);
  v1::ResetCalendarFeedRequest reset;
  reset.set_crew_member_id("vic");
  v1::ResetCalendarFeedResponse reset_response;
  EXPECT_EQ(scheduling.Call(&Stub::ResetCalendarFeed, reset, &reset_response).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST(CalendarFeedConfigTest, AnEndpointWithoutAGoodKeyStopsTheStart) {
  TestDatabase database;
  TestTokens tokens;
  const std::string short_key = (std::filesystem::temp_directory_path() /
                                 ("salesops-calendar-short-" + std::to_string(getpid()) + ".key"))
                                    .string();
  std::ofstream(short_key) << "too-short\n";
  for (const std::vector<std::string>& flags :
       {std::vector<std::string>{"--calendar-address", "127.0.0.1:0"},
        std::vector<std::string>{"--calendar-address", "127.0.0.1:0", "--calendar-key-file",
                                 short_key}}) {
    std::vector<std::string> args =
        ServiceArgs(database.url(), database.server().password_file, tokens);
    args.insert(args.end(), flags.begin(), flags.end());
    ServiceProcess process(ServiceBinary("scheduling"), args);
    EXPECT_FALSE(process.WaitUntilStarted(std::chrono::seconds(20)));
    for (int i = 0; i < 100 && process.running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(process.exit_description(), "exited with status 2") << process.log();
    EXPECT_NE(process.log().find("calendar_endpoint_failed"), std::string::npos) << process.log();
  }
  std::filesystem::remove(short_key);
}

}  // namespace
}  // namespace salesops::testing
