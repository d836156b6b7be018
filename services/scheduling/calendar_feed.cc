#include "services/scheduling/calendar_feed.h"

#include <absl/strings/ascii.h>
#include <absl/strings/escaping.h>
#include <absl/strings/match.h>
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <absl/strings/str_split.h>
#include <absl/strings/strip.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <utility>

#include "services/common/log.h"
#include "services/common/time_util.h"
#include "services/common/validation.h"
#include "services/scheduling/crew_zone.h"

namespace salesops::scheduling {
namespace {

// This Abseil's string_view is its own type, not std::string_view.
absl::string_view CalendarView(std::string_view view) { return {view.data(), view.size()}; }

constexpr size_t kMaxCalendarLineOctets = 75;
// The longest line of text kept, before escaping: room for a label and the longest field a task
// or a period holds (2,000 bytes).
constexpr size_t kMaxCalendarTextLineBytes = 4000;
// A crew member id is at most 100 bytes: 136 in base64url, with 19 digits of generation and 43
// of signature well under this.
constexpr size_t kMaxCalendarTokenBytes = 256;
constexpr size_t kMaxCalendarMemberIdBytes = 100;
constexpr char kCalendarPathPrefix[] = "/calendar/";
constexpr char kCalendarPathSuffix[] = ".ics";

// ---- The token ----

bool IsCalendarTokenPart(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    const bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                         (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!allowed) return false;
  }
  return true;
}

std::string CalendarSignature(std::string_view key, const CalendarFeedLink& link) {
  // The id's length first: no other (id, generation) pair makes the same message.
  const std::string message = absl::StrCat("salesops-calendar-feed\n", link.crew_member_id.size(),
                                           ":", link.crew_member_id, "\n", link.generation);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
  return absl::WebSafeBase64Escape(
      absl::string_view(reinterpret_cast<const char*>(digest), length));
}

// ---- Writing ----

void AddCalendarProperty(std::string& out, std::string_view name, std::string_view value) {
  out += FoldCalendarLine(absl::StrCat(CalendarView(name), ":", CalendarView(value)));
}

// ---- What the feed shows ----

absl::Time CalendarTimeOf(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixMicros(common::ToMicros(timestamp));
}

std::string CalendarKindName(v1::TaskKind kind) {
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
    case v1::TASK_KIND_TRANSFER:
      return "Transfer";
    default:
      return "Task";
  }
}

std::string CalendarStateName(v1::TaskState state) {
  switch (state) {
    case v1::TASK_STATE_PLANNED:
      return "planned";
    case v1::TASK_STATE_ASSIGNED:
      return "assigned";
    case v1::TASK_STATE_STARTED:
      return "started";
    case v1::TASK_STATE_DONE:
      return "done";
    case v1::TASK_STATE_BLOCKED:
      return "blocked";
    case v1::TASK_STATE_CANCELLED:
      return "cancelled";
    default:
      return "unknown";
  }
}

std::string CalendarTimeOffName(v1::UnavailabilityKind kind) {
  switch (kind) {
    case v1::UNAVAILABILITY_KIND_SICK_LEAVE:
      return "Sick leave";
    case v1::UNAVAILABILITY_KIND_TRAINING:
      return "Training";
    case v1::UNAVAILABILITY_KIND_OTHER:
      return "Unavailable";
    default:
      return "Time off";
  }
}

// The skill code of a task ("VIDEO"), from the enum where an older record has no code.
std::string CalendarSkillOf(const v1::Task& task) {
  if (!task.skill_code().empty()) return task.skill_code();
  if (task.skill() == v1::SKILL_UNSPECIFIED) return "";
  absl::string_view name = v1::Skill_Name(task.skill());
  absl::ConsumePrefix(&name, "SKILL_");
  return std::string(name);
}

// "no skilled crew free" for AT_RISK_REASON_NO_SKILLED_CREW_FREE.
std::string CalendarRiskName(v1::AtRiskReason reason) {
  absl::string_view name = v1::AtRiskReason_Name(reason);
  if (!absl::ConsumePrefix(&name, "AT_RISK_REASON_") || name == "UNSPECIFIED") return "yes";
  std::string words = absl::AsciiStrToLower(name);
  std::replace(words.begin(), words.end(), '_', ' ');
  return words;
}

std::string CalendarMinutes(int64_t seconds) {
  const int64_t minutes = seconds / 60;
  if (minutes < 60) return absl::StrCat(minutes, " min");
  if (minutes % 60 == 0) return absl::StrCat(minutes / 60, " h");
  return absl::StrCat(minutes / 60, " h ", minutes % 60, " min");
}

class CalendarDescription {
 public:
  explicit CalendarDescription(absl::TimeZone zone) : zone_(zone) {}

  void Line(std::string line) { lines_.push_back(std::move(line)); }
  void Field(std::string_view label, std::string_view value) {
    if (!value.empty())
      lines_.push_back(absl::StrCat(CalendarView(label), ": ", CalendarView(value)));
  }
  std::string Time(const google::protobuf::Timestamp& timestamp) const {
    return absl::FormatTime("%a %d %b %Y %H:%M %Z", CalendarTimeOf(timestamp), zone_);
  }
  std::string Text() const { return absl::StrJoin(lines_, "\n"); }

 private:
  absl::TimeZone zone_;
  std::vector<std::string> lines_;
};

CalendarEvent CalendarAssignmentEvent(const CalendarFeedSource& source,
                                      const v1::ScheduleEntry& entry, absl::TimeZone zone) {
  const v1::Task& task = entry.task();
  const v1::Assignment& mine = entry.assignment();
  const bool transfer = task.kind() == v1::TASK_KIND_TRANSFER;
  const std::string skill = CalendarSkillOf(task);
  const std::string what =
      absl::StrCat(transfer ? "transfer " : "order ", task.order_id(),
                   task.phase_id().empty() ? "" : absl::StrCat(", phase ", task.phase_id()));

  CalendarEvent event;
  event.uid = absl::StrCat(task.task_id(), "/", source.crew_member_id, "@salesops");
  event.start =
      CalendarTimeOf(mine.has_start_time() ? mine.start_time() : task.planned_start_time());
  event.end =
      CalendarTimeOf(mine.has_finish_time() ? mine.finish_time() : task.planned_finish_time());
  // "Setup VIDEO · order 1040": what, with which skill, for whom.
  event.summary = absl::StrCat(CalendarKindName(task.kind()), skill.empty() ? "" : " ", skill,
                               " \xC2\xB7 ", what);
  if (task.has_update_time()) event.last_modified = CalendarTimeOf(task.update_time());

  CalendarDescription description(zone);
  description.Line(absl::StrCat(CalendarKindName(task.kind()), " for ", what));
  if (!skill.empty()) {
    description.Field("Skill", task.min_level() > 1
                                   ? absl::StrCat(skill, " (level ", task.min_level(), " or above)")
                                   : skill);
  }
  description.Field("State", CalendarStateName(task.state()));
  if (task.window().has_not_before() && task.window().has_no_later_than()) {
    description.Field("Window", absl::StrCat(description.Time(task.window().not_before()), " to ",
                                             description.Time(task.window().no_later_than())));
  }
  if (task.window().has_no_later_than()) {
    description.Field("Deadline", description.Time(task.window().no_later_than()));
  }
  description.Field("Vehicle", mine.vehicle_id());
  if (mine.travel_duration().seconds() > 0) {
    description.Field("Travel beforehand", CalendarMinutes(mine.travel_duration().seconds()));
  }
  if (mine.overtime().seconds() > 0) {
    description.Field("Overtime", CalendarMinutes(mine.overtime().seconds()));
  }
  // The reason by its name only: the solver's explanations name the other people on the work,
  // and the feed is this person's alone.
  if (task.at_risk()) description.Field("At risk", CalendarRiskName(task.at_risk_reason()));
  description.Field("Note", task.state_note());
  event.description = description.Text();
  return event;
}

CalendarEvent CalendarTimeOffEvent(const CalendarFeedSource& source,
                                   const v1::Unavailability& off) {
  CalendarEvent event;
  event.uid =
      absl::StrCat("time-off-", off.unavailability_id(), "/", source.crew_member_id, "@salesops");
  event.start = CalendarTimeOf(off.window().not_before());
  event.end = CalendarTimeOf(off.window().no_later_than());
  event.summary = CalendarTimeOffName(off.kind());
  event.description = off.reason();
  if (off.has_create_time()) event.last_modified = CalendarTimeOf(off.create_time());
  return event;
}

// ---- Serving ----

common::HttpResponse CalendarPlainResponse(int status, std::string body) {
  common::HttpResponse response;
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.body = std::move(body);
  return response;
}

common::HttpResponse CalendarNotFound() {
  // The same answer for every reason a link does not work: it tells a guesser nothing.
  return CalendarPlainResponse(404, "Not found\n");
}

}  // namespace

std::string EscapeCalendarText(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  bool first = true;
  // Each line on its own: OneLine makes it valid UTF-8 without control characters.
  for (absl::string_view line : absl::StrSplit(CalendarView(text), '\n')) {
    absl::ConsumeSuffix(&line, "\r");
    if (!first) escaped += "\\n";
    first = false;
    for (absl::string_view part : absl::StrSplit(line, '\r')) {
      if (part.data() != line.data()) escaped += "\\n";  // a lone CR breaks a line too
      for (char c :
           common::OneLine(std::string_view(part.data(), part.size()), kMaxCalendarTextLineBytes)) {
        if (c == '\\' || c == ';' || c == ',') escaped += '\\';
        escaped += c;
      }
    }
  }
  return escaped;
}

std::string FoldCalendarLine(std::string_view line) {
  std::string folded;
  folded.reserve(line.size() + line.size() / 70 * 3 + 2);
  size_t position = 0;
  bool first = true;
  while (true) {
    // A continuation's leading space is one of its 75 octets.
    const size_t room = first ? kMaxCalendarLineOctets : kMaxCalendarLineOctets - 1;
    if (!first) folded += ' ';
    if (line.size() - position <= room) {
      folded.append(line.substr(position));
      folded += "\r\n";
      return folded;
    }
    size_t cut = room;
    // Back off to the start of a UTF-8 character (never onto a 10xxxxxx continuation byte).
    while (cut > 0 && (static_cast<unsigned char>(line[position + cut]) & 0xC0) == 0x80) --cut;
    if (cut == 0) cut = room;  // not UTF-8 at all: cut anywhere rather than loop
    folded.append(line.substr(position, cut));
    folded += "\r\n";
    position += cut;
    first = false;
  }
}

std::string CalendarDateTime(absl::Time time) {
  return absl::FormatTime("%Y%m%dT%H%M%SZ", time, absl::UTCTimeZone());
}

std::string WriteCalendar(const Calendar& calendar) {
  std::string out;
  AddCalendarProperty(out, "BEGIN", "VCALENDAR");
  AddCalendarProperty(out, "VERSION", "2.0");
  AddCalendarProperty(out, "PRODID", "-//salesops//crew calendar feed//EN");
  AddCalendarProperty(out, "CALSCALE", "GREGORIAN");
  AddCalendarProperty(out, "METHOD", "PUBLISH");
  AddCalendarProperty(out, "X-WR-CALNAME", EscapeCalendarText(calendar.name));
  AddCalendarProperty(out, "NAME", EscapeCalendarText(calendar.name));
  // How often subscribers should fetch again (RFC 7986, and the older name Outlook reads).
  AddCalendarProperty(out, "REFRESH-INTERVAL;VALUE=DURATION", "PT1H");
  AddCalendarProperty(out, "X-PUBLISHED-TTL", "PT1H");
  const std::string stamp = CalendarDateTime(calendar.stamp);
  for (const CalendarEvent& event : calendar.events) {
    AddCalendarProperty(out, "BEGIN", "VEVENT");
    AddCalendarProperty(out, "UID", EscapeCalendarText(event.uid));
    AddCalendarProperty(out, "DTSTAMP", stamp);
    AddCalendarProperty(out, "DTSTART", CalendarDateTime(event.start));
    AddCalendarProperty(out, "DTEND", CalendarDateTime(std::max(event.end, event.start)));
    AddCalendarProperty(out, "SUMMARY", EscapeCalendarText(event.summary));
    if (!event.description.empty()) {
      AddCalendarProperty(out, "DESCRIPTION", EscapeCalendarText(event.description));
    }
    if (event.last_modified)
      AddCalendarProperty(out, "LAST-MODIFIED", CalendarDateTime(*event.last_modified));
    AddCalendarProperty(out, "STATUS", "CONFIRMED");
    AddCalendarProperty(out, "TRANSP", "OPAQUE");
    AddCalendarProperty(out, "END", "VEVENT");
  }
  AddCalendarProperty(out, "END", "VCALENDAR");
  return out;
}

Calendar CalendarOf(const CalendarFeedSource& source, absl::Time now) {
  Calendar calendar;
  calendar.name = absl::StrCat(
      "salesops: ", source.display_name.empty() ? source.crew_member_id : source.display_name);
  calendar.stamp = now;
  const absl::TimeZone zone = CrewZoneOf(source.zone_id);
  for (const v1::ScheduleEntry& entry : source.assignments) {
    if (entry.task().state() == v1::TASK_STATE_CANCELLED) continue;
    if (!entry.assignment().has_start_time() && !entry.task().has_planned_start_time()) continue;
    calendar.events.push_back(CalendarAssignmentEvent(source, entry, zone));
  }
  for (const v1::Unavailability& off : source.time_off) {
    calendar.events.push_back(CalendarTimeOffEvent(source, off));
  }
  std::stable_sort(calendar.events.begin(), calendar.events.end(),
                   [](const CalendarEvent& a, const CalendarEvent& b) {
                     if (a.start != b.start) return a.start < b.start;
                     return a.uid < b.uid;
                   });
  if (calendar.events.size() > static_cast<size_t>(kMaxCalendarFeedEvents)) {
    calendar.events.resize(kMaxCalendarFeedEvents);
  }
  return calendar;
}

std::string SignCalendarFeed(std::string_view key, const CalendarFeedLink& link) {
  return absl::StrCat(absl::WebSafeBase64Escape(link.crew_member_id), ".", link.generation, ".",
                      CalendarSignature(key, link));
}

std::optional<CalendarFeedLink> VerifyCalendarFeed(std::string_view key, std::string_view token) {
  if (token.size() > kMaxCalendarTokenBytes) return std::nullopt;
  std::vector<absl::string_view> parts = absl::StrSplit(CalendarView(token), '.');
  if (parts.size() != 3 || !IsCalendarTokenPart(parts[0]) || !IsCalendarTokenPart(parts[2])) {
    return std::nullopt;
  }
  CalendarFeedLink link;
  if (!absl::WebSafeBase64Unescape(parts[0], &link.crew_member_id) || link.crew_member_id.empty() ||
      link.crew_member_id.size() > kMaxCalendarMemberIdBytes ||
      !common::IsPlainText(link.crew_member_id)) {
    return std::nullopt;
  }
  if (!absl::SimpleAtoi(parts[1], &link.generation) || link.generation <= 0) return std::nullopt;
  // Made again from what the token claims, and compared whole: a token differing in any byte
  // (another encoding of the same id included) is not one this server made.
  const std::string expected = SignCalendarFeed(key, link);
  if (expected.size() != token.size() ||
      CRYPTO_memcmp(expected.data(), token.data(), token.size()) != 0) {
    return std::nullopt;
  }
  return link;
}

std::string CalendarFeedPath(std::string_view key, const CalendarFeedLink& link) {
  return absl::StrCat(kCalendarPathPrefix, SignCalendarFeed(key, link), kCalendarPathSuffix);
}

common::HttpResponse ServeCalendarFeed(const CalendarEndpointConfig& config,
                                       const common::HttpRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    common::HttpResponse refusal = CalendarPlainResponse(405, "Method not allowed\n");
    refusal.headers.emplace_back("Allow", "GET, HEAD");
    return refusal;
  }
  absl::string_view path = request.path;
  if (!absl::ConsumePrefix(&path, kCalendarPathPrefix) ||
      !absl::ConsumeSuffix(&path, kCalendarPathSuffix)) {
    return CalendarNotFound();
  }
  const std::optional<CalendarFeedLink> link =
      VerifyCalendarFeed(config.key, std::string_view(path.data(), path.size()));
  if (!link) return CalendarNotFound();

  const absl::Time now = config.now();
  absl::StatusOr<std::optional<CalendarFeedSource>> source =
      config.load(link->crew_member_id, now - kCalendarFeedPast, now + kCalendarFeedAhead,
                  kMaxCalendarFeedEvents);
  if (!source.ok()) {
    common::LogWarn("calendar_feed_unavailable",
                    {{"error", std::string(source.status().message())}});
    common::HttpResponse busy = CalendarPlainResponse(503, "Try again in a minute\n");
    busy.headers.emplace_back("Retry-After", "60");
    return busy;
  }
  // A reset link (an older generation), a member since deleted or made inactive: gone.
  if (!*source || (*source)->generation != link->generation || !(*source)->active) {
    return CalendarNotFound();
  }
  common::HttpResponse feed;
  feed.content_type = "text/calendar; charset=utf-8";
  feed.body = WriteCalendar(CalendarOf(**source, now));
  feed.headers.emplace_back("Content-Disposition", "inline; filename=\"schedule.ics\"");
  return feed;
}

absl::StatusOr<std::unique_ptr<common::HttpServer>> StartCalendarEndpoint(
    const std::string& address, CalendarEndpointConfig config) {
  if (config.key.size() < kMinCalendarKeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("the calendar key needs at least ", kMinCalendarKeyBytes, " bytes"));
  }
  if (!config.load || !config.now) {
    return absl::InvalidArgumentError("the calendar endpoint needs a loader and a clock");
  }
  common::HttpServerOptions options;
  options.max_body_bytes = 1024;  // GET and HEAD carry none
  return common::HttpServer::Start(
      address,
      [config = std::move(config)](const common::HttpRequest& request) {
        return ServeCalendarFeed(config, request);
      },
      options);
}

}  // namespace salesops::scheduling
