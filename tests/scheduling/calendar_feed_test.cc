// Crew calendar feeds, the pure part (services/scheduling/calendar_feed.h): the RFC 5545 writer,
// what a member's feed shows, the signed URL, and the endpoint's answers with a fake loader.
#include "services/scheduling/calendar_feed.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "services/common/time_util.h"

namespace salesops::scheduling {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kKey[] = "0123456789abcdef0123456789abcdef-calendar-test-key";

// 2025-01-10 00:00 UTC.
const absl::Time kDay = absl::FromUnixSeconds(1736467200);

google::protobuf::Timestamp At(absl::Time time) {
  return common::TimestampFromMicros(absl::ToUnixMicros(time));
}

std::vector<std::string> PhysicalLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find("\r\n", start);
    if (end == std::string::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 2;
  }
  return lines;
}

// RFC 5545 3.1: a CRLF followed by one space or tab is removed.
std::string Unfold(const std::string& text) {
  std::string unfolded;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 3, "\r\n ") == 0) {
      i += 2;
      continue;
    }
    unfolded += text[i];
  }
  return unfolded;
}

bool IsUtf8(const std::string& text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    size_t length = byte < 0x80         ? 1
                    : (byte >> 5) == 6  ? 2
                    : (byte >> 4) == 14 ? 3
                    : (byte >> 3) == 30 ? 4
                                        : 0;
    if (length == 0 || i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

TEST(CalendarTextTest, EscapesBackslashSemicolonCommaAndLineBreaks) {
  EXPECT_EQ(EscapeCalendarText("a\\b;c,d"), "a\\\\b\\;c\\,d");
  EXPECT_EQ(EscapeCalendarText("one\ntwo\r\nthree\rfour"), "one\\ntwo\\nthree\\nfour");
  // Other control characters cannot go into a content line.
  EXPECT_EQ(EscapeCalendarText("tab\there\x01"), "tab here ");
  // Text that is not UTF-8 comes out as U+FFFD, never as a broken sequence.
  EXPECT_TRUE(IsUtf8(EscapeCalendarText("caf\xC3")));
  EXPECT_EQ(EscapeCalendarText("Bühne · Halle"), "Bühne · Halle");
}

TEST(CalendarLineTest, ShortLinesEndInCrlfUnfolded) {
  EXPECT_EQ(FoldCalendarLine("SUMMARY:Setup"), "SUMMARY:Setup\r\n");
  const std::string exactly75(75, 'x');
  EXPECT_EQ(FoldCalendarLine(exactly75), exactly75 + "\r\n");
}

TEST(CalendarLineTest, LongLinesFoldAt75OctetsWithALeadingSpace) {
  std::string line = "DESCRIPTION:";
  for (int i = 0; i < 30; ++i) line += "0123456789";
  const std::string folded = FoldCalendarLine(line);
  ASSERT_EQ(folded.substr(folded.size() - 2), "\r\n");
  const std::vector<std::string> lines = PhysicalLines(folded);
  ASSERT_GT(lines.size(), 4u);
  EXPECT_EQ(lines[0].size(), 75u);
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_LE(lines[i].size(), 75u) << "line " << i;
    if (i > 0) EXPECT_EQ(lines[i][0], ' ') << "line " << i;
  }
  EXPECT_EQ(Unfold(folded), line + "\r\n");
}

TEST(CalendarLineTest, FoldingNeverSplitsAUtf8Character) {
  // Two-, three- and four-byte characters at every offset against the 75-octet limit.
  for (const std::string character : {"ü", "€", "\xF0\x9F\x8E\xA4"}) {
    for (size_t prefix = 0; prefix < 5; ++prefix) {
      std::string line = "SUMMARY:" + std::string(prefix, 'a');
      for (int i = 0; i < 80; ++i) line += character;
      const std::string folded = FoldCalendarLine(line);
      for (const std::string& physical : PhysicalLines(folded)) {
        EXPECT_LE(physical.size(), 75u);
        EXPECT_TRUE(IsUtf8(physical)) << "a line cut inside a character: prefix " << prefix;
      }
      EXPECT_EQ(Unfold(folded), line + "\r\n");
    }
  }
}

TEST(CalendarLineTest, DateTimesAreUtc) {
  EXPECT_EQ(CalendarDateTime(kDay + absl::Hours(6) + absl::Minutes(5)), "20250110T060500Z");
}

CalendarFeedSource VicsWeek() {
  CalendarFeedSource source;
  source.crew_member_id = "vic";
  source.display_name = "Vic Vega";
  source.generation = 3;

  v1::ScheduleEntry setup;
  v1::Task& task = *setup.mutable_task();
  task.set_task_id("1040/SETUP-VIDEO");
  task.set_order_id("1040");
  task.set_kind(v1::TASK_KIND_SETUP);
  task.set_state(v1::TASK_STATE_BLOCKED);
  task.set_skill(v1::SKILL_VIDEO);
  task.set_state_note("Dock closed; call Ann, site manager");
  task.set_at_risk(true);
  task.set_at_risk_reason(v1::AT_RISK_REASON_TASK_BLOCKED);
  task.set_at_risk_explanation("blocked: Dock closed");
  *task.mutable_window()->mutable_not_before() = At(kDay + absl::Hours(8));
  *task.mutable_window()->mutable_no_later_than() = At(kDay + absl::Hours(19));
  *task.mutable_update_time() = At(kDay - absl::Hours(30));
  v1::Assignment& mine = *setup.mutable_assignment();
  mine.set_crew_member_id("vic");
  *mine.mutable_start_time() = At(kDay + absl::Hours(9));
  *mine.mutable_finish_time() = At(kDay + absl::Hours(13));
  mine.set_explanation("video, free at 09:00");
  source.assignments.push_back(setup);

  v1::ScheduleEntry prep = setup;
  prep.mutable_task()->set_task_id("1041/PREP");
  prep.mutable_task()->set_order_id("1041");
  prep.mutable_task()->set_kind(v1::TASK_KIND_PREP);
  prep.mutable_task()->set_state(v1::TASK_STATE_ASSIGNED);
  prep.mutable_task()->set_skill_code("WAREHOUSE");
  prep.mutable_task()->set_min_level(2);
  *prep.mutable_assignment()->mutable_start_time() = At(kDay - absl::Hours(20));
  *prep.mutable_assignment()->mutable_finish_time() = At(kDay - absl::Hours(16));
  source.assignments.push_back(prep);

  v1::ScheduleEntry cancelled = setup;
  cancelled.mutable_task()->set_task_id("1042/STRIKE-VIDEO");
  cancelled.mutable_task()->set_state(v1::TASK_STATE_CANCELLED);
  source.assignments.push_back(cancelled);

  v1::Unavailability off;
  off.set_unavailability_id("7c0e");
  off.set_crew_member_id("vic");
  off.set_kind(v1::UNAVAILABILITY_KIND_TIME_OFF);
  off.set_reason("Sister's wedding");
  *off.mutable_window()->mutable_not_before() = At(kDay + absl::Hours(24 * 3));
  *off.mutable_window()->mutable_no_later_than() = At(kDay + absl::Hours(24 * 5));
  source.time_off.push_back(off);
  return source;
}

TEST(CalendarOfTest, OneEventPerAssignmentAndTimeOffEarliestFirst) {
  const Calendar calendar = CalendarOf(VicsWeek(), kDay);
  EXPECT_EQ(calendar.name, "salesops: Vic Vega");
  ASSERT_EQ(calendar.events.size(), 3u);  // the cancelled task is not shown

  EXPECT_EQ(calendar.events[0].uid, "1041/PREP/vic@salesops");
  EXPECT_EQ(calendar.events[0].summary, "Prep WAREHOUSE \xC2\xB7 order 1041");
  EXPECT_THAT(calendar.events[0].description, HasSubstr("Skill: WAREHOUSE (level 2 or above)"));

  const CalendarEvent& setup = calendar.events[1];
  EXPECT_EQ(setup.uid, "1040/SETUP-VIDEO/vic@salesops");
  EXPECT_EQ(setup.summary, "Setup VIDEO \xC2\xB7 order 1040");
  EXPECT_EQ(setup.start, kDay + absl::Hours(9));  // the assignment's times, not the window's
  EXPECT_EQ(setup.end, kDay + absl::Hours(13));
  EXPECT_THAT(setup.description, HasSubstr("State: blocked"));
  EXPECT_THAT(setup.description,
              HasSubstr("Window: Fri 10 Jan 2025 08:00 UTC to Fri 10 Jan 2025 19:00 UTC"));
  EXPECT_THAT(setup.description, HasSubstr("Deadline: Fri 10 Jan 2025 19:00 UTC"));
  EXPECT_THAT(setup.description, HasSubstr("Note: Dock closed; call Ann, site manager"));
  EXPECT_THAT(setup.description, HasSubstr("At risk: task blocked"));
  // The solver's explanation names everyone on the task: not in one person's feed.
  EXPECT_THAT(setup.description, Not(HasSubstr("free at 09:00")));
  ASSERT_TRUE(setup.last_modified.has_value());

  EXPECT_EQ(calendar.events[2].uid, "time-off-7c0e/vic@salesops");
  EXPECT_EQ(calendar.events[2].summary, "Time off");
  EXPECT_EQ(calendar.events[2].description, "Sister's wedding");
}

TEST(CalendarOfTest, DescriptionsUseTheMembersZoneWhenItIsKnown) {
  CalendarFeedSource source = VicsWeek();
  source.zone_id = "../../etc/passwd";  // never a path: UTC
  EXPECT_THAT(CalendarOf(source, kDay).events[1].description, HasSubstr("19:00 UTC"));
  absl::TimeZone berlin;
  if (!absl::LoadTimeZone("Europe/Berlin", &berlin)) GTEST_SKIP() << "no tzdata here";
  source.zone_id = "Europe/Berlin";
  EXPECT_THAT(CalendarOf(source, kDay).events[1].description,
              HasSubstr("Deadline: Fri 10 Jan 2025 20:00 CET"));
}

TEST(CalendarOfTest, HoldsAtMostTheLimit) {
  CalendarFeedSource source = VicsWeek();
  source.time_off.clear();
  const v1::ScheduleEntry one = source.assignments[0];
  source.assignments.clear();
  for (int i = 0; i < kMaxCalendarFeedEvents + 5; ++i) {
    v1::ScheduleEntry entry = one;
    entry.mutable_task()->set_task_id("T" + std::to_string(i));
    *entry.mutable_assignment()->mutable_start_time() = At(kDay + absl::Minutes(i));
    source.assignments.push_back(entry);
  }
  EXPECT_EQ(CalendarOf(source, kDay).events.size(), static_cast<size_t>(kMaxCalendarFeedEvents));
}

TEST(WriteCalendarTest, IsAPublishedCalendarOfCrlfLines) {
  const std::string text = WriteCalendar(CalendarOf(VicsWeek(), kDay));
  ASSERT_GE(text.size(), 2u);
  EXPECT_EQ(text.substr(text.size() - 2), "\r\n");
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') ASSERT_TRUE(i > 0 && text[i - 1] == '\r') << "a bare LF at " << i;
  }
  for (const std::string& line : PhysicalLines(text)) EXPECT_LE(line.size(), 75u) << line;
  const std::string unfolded = Unfold(text);
  EXPECT_EQ(unfolded.rfind("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:", 0), 0u);
  EXPECT_THAT(unfolded, HasSubstr("\r\nMETHOD:PUBLISH\r\n"));
  EXPECT_THAT(unfolded, HasSubstr("\r\nX-WR-CALNAME:salesops: Vic Vega\r\n"));
  EXPECT_THAT(unfolded, HasSubstr("\r\nDTSTAMP:20250110T000000Z\r\n"));
  EXPECT_THAT(unfolded, HasSubstr("\r\nDTSTART:20250110T090000Z\r\nDTEND:20250110T130000Z\r\n"));
  EXPECT_THAT(unfolded, HasSubstr("Note: Dock closed\\; call Ann\\, site manager"));
  EXPECT_THAT(unfolded, HasSubstr("\\nState: blocked\\n"));
  EXPECT_THAT(unfolded, HasSubstr("\r\nSUMMARY:Time off\r\n"));
  EXPECT_THAT(unfolded, HasSubstr("\r\nDESCRIPTION:Sister's wedding\r\n"));
  EXPECT_EQ(unfolded.substr(unfolded.size() - 15), "END:VCALENDAR\r\n");
  size_t events = 0;
  for (size_t at = unfolded.find("BEGIN:VEVENT"); at != std::string::npos;
       at = unfolded.find("BEGIN:VEVENT", at + 1)) {
    ++events;
  }
  EXPECT_EQ(events, 3u);
}

TEST(CalendarLinkTest, ASignedLinkVerifiesAndNamesItsMember) {
  const std::string token = SignCalendarFeed(kKey, {"vic", 3});
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."),
      std::string::npos)
      << token;
  const std::optional<CalendarFeedLink> link = VerifyCalendarFeed(kKey, token);
  ASSERT_TRUE(link.has_value());
  EXPECT_EQ(link->crew_member_id, "vic");
  EXPECT_EQ(link->generation, 3);
  EXPECT_EQ(SignCalendarFeed(kKey, {"vic", 3}), token);  // the same URL until reset
  EXPECT_EQ(CalendarFeedPath(kKey, {"vic", 3}), "/calendar/" + token + ".ics");
  // Ids of any text survive the trip.
  const std::optional<CalendarFeedLink> odd =
      VerifyCalendarFeed(kKey, SignCalendarFeed(kKey, {"Zoë / crew #7", 1}));
  ASSERT_TRUE(odd.has_value());
  EXPECT_EQ(odd->crew_member_id, "Zoë / crew #7");
}

TEST(CalendarLinkTest, ForgedOtherMemberOldGenerationAndOtherKeyAreRefused) {
  const std::string vic = SignCalendarFeed(kKey, {"vic", 3});
  const std::string val = SignCalendarFeed(kKey, {"val", 3});
  // Another member's id with vic's signature.
  EXPECT_FALSE(VerifyCalendarFeed(kKey, val.substr(0, val.find('.')) + vic.substr(vic.find('.'))));
  // Another generation with vic's signature (what a reset leaves behind, edited).
  std::string bumped = vic;
  bumped.replace(bumped.find(".3."), 3, ".4.");
  EXPECT_FALSE(VerifyCalendarFeed(kKey, bumped));
  // One byte of the signature changed.
  std::string forged = vic;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(VerifyCalendarFeed(kKey, forged));
  // Made under another installation's key.
  EXPECT_FALSE(
      VerifyCalendarFeed(kKey, SignCalendarFeed("another-installation-key-01234567", {"vic", 3})));
}

TEST(CalendarLinkTest, MalformedTokensAreRefused) {
  const std::string vic = SignCalendarFeed(kKey, {"vic", 3});
  for (const std::string& token :
       {std::string(), std::string("."), std::string(".."), std::string("dmlj.3"), vic + ".",
        vic + "=", "=" + vic, vic.substr(1), std::string("dmlj.0.") + vic.substr(7),
        std::string("dmlj.-3.") + vic.substr(7), std::string("dmlj.03.") + vic.substr(7),
        std::string(300, 'A') + vic, std::string("dm%6Cj") + vic.substr(4),
        std::string("dmlj .3.x"), std::string("\0", 1) + vic}) {
    EXPECT_FALSE(VerifyCalendarFeed(kKey, token).has_value()) << token;
  }
}

// The endpoint with a fake loader: what it answers, and when it reads the schedule at all.
class ServeCalendarFeedTest : public ::testing::Test {
 protected:
  ServeCalendarFeedTest() {
    config_.key = kKey;
    config_.now = [] { return kDay; };
    config_.load = [this](const std::string& id, absl::Time from, absl::Time to,
                          int limit) -> absl::StatusOr<std::optional<CalendarFeedSource>> {
      ++loads_;
      EXPECT_EQ(from, kDay - absl::Hours(24 * 30));
      EXPECT_EQ(to, kDay + absl::Hours(24 * 180));
      EXPECT_EQ(limit, kMaxCalendarFeedEvents);
      if (!store_up_) return absl::UnavailableError("database away");
      if (id != "vic") return std::optional<CalendarFeedSource>();
      return std::optional<CalendarFeedSource>(vic_);
    };
  }

  common::HttpResponse Get(const std::string& path, const std::string& method = "GET") {
    common::HttpRequest request;
    request.method = method;
    request.path = path;
    return ServeCalendarFeed(config_, request);
  }

  CalendarEndpointConfig config_;
  CalendarFeedSource vic_ = VicsWeek();
  bool store_up_ = true;
  int loads_ = 0;
};

TEST_F(ServeCalendarFeedTest, ACurrentLinkIsTheFeed) {
  const common::HttpResponse feed = Get(CalendarFeedPath(kKey, {"vic", 3}));
  EXPECT_EQ(feed.status, 200);
  EXPECT_EQ(feed.content_type, "text/calendar; charset=utf-8");
  EXPECT_EQ(feed.body, WriteCalendar(CalendarOf(vic_, kDay)));
  EXPECT_EQ(Get(CalendarFeedPath(kKey, {"vic", 3}), "HEAD").status, 200);
  EXPECT_EQ(loads_, 2);
}

TEST_F(ServeCalendarFeedTest, AForgedLinkIsNotFoundWithoutReadingTheSchedule) {
  std::string path = CalendarFeedPath(kKey, {"vic", 3});
  path[path.size() - 6] = path[path.size() - 6] == 'x' ? 'y' : 'x';
  EXPECT_EQ(Get(path).status, 404);
  EXPECT_EQ(Get(CalendarFeedPath("another-installation-key-01234567", {"vic", 3})).status, 404);
  EXPECT_EQ(Get("/calendar/" + SignCalendarFeed(kKey, {"vic", 3})).status, 404);  // no .ics
  EXPECT_EQ(Get("/calendar/.ics").status, 404);
  EXPECT_EQ(Get("/").status, 404);
  EXPECT_EQ(Get("/calendar/../metrics").status, 404);
  EXPECT_EQ(loads_, 0);
}

TEST_F(ServeCalendarFeedTest, AResetLinkAnInactiveOrUnknownMemberIsNotFound) {
  const common::HttpResponse old = Get(CalendarFeedPath(kKey, {"vic", 2}));
  EXPECT_EQ(old.status, 404);
  EXPECT_THAT(old.body, Not(HasSubstr("BEGIN:VCALENDAR")));
  EXPECT_EQ(Get(CalendarFeedPath(kKey, {"nobody", 1})).status, 404);
  vic_.active = false;
  EXPECT_EQ(Get(CalendarFeedPath(kKey, {"vic", 3})).status, 404);
}

TEST_F(ServeCalendarFeedTest, OnlyGetAndHeadAndAStoreAwayIsUnavailable) {
  const common::HttpResponse post = Get(CalendarFeedPath(kKey, {"vic", 3}), "POST");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(loads_, 0);
  store_up_ = false;
  EXPECT_EQ(Get(CalendarFeedPath(kKey, {"vic", 3})).status, 503);
}

TEST(StartCalendarEndpointTest, RefusesAShortKey) {
  CalendarEndpointConfig config;
  config.key = "short";
  config.now = [] { return kDay; };
  config.load = [](const std::string&, absl::Time, absl::Time, int) {
    return absl::StatusOr<std::optional<CalendarFeedSource>>(std::nullopt);
  };
  EXPECT_FALSE(StartCalendarEndpoint("127.0.0.1:0", config).ok());
}

}  // namespace
}  // namespace salesops::scheduling
