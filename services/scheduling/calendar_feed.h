#pragma once

// Crew calendar feeds (issue 20 item 4; README "Calendar feeds"): each crew member's schedule as
// an iCalendar (RFC 5545) feed that calendar apps subscribe to, at a secret URL of its own.
//
// Nothing secret is stored. The URL is <base>/calendar/<token>.ics, the token
// "<member id, base64url>.<generation>.<signature>", the signature an HMAC-SHA-256 under the
// installation's calendar key of the member id and the member's feed generation. The token
// names the member, so the server finds them without keeping the token; the signature proves
// the server made it; a reset bumps the generation, so every URL made before stops working.
//
// This file is the feed's pure part: the RFC 5545 writer, what a member's feed shows, the token,
// and the HTTP endpoint, which reads the schedule through a loader so it knows no store.
#include <absl/status/statusor.h>
#include <absl/time/time.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "salesops/v1/scheduling.pb.h"
#include "services/common/http_server.h"

namespace salesops::scheduling {

// ---- RFC 5545 ---------------------------------------------------------------------------------

struct CalendarEvent {
  std::string uid;  // stable across fetches: apps update the event rather than add another
  absl::Time start;
  absl::Time end;
  std::string summary;
  std::string description;  // several lines allowed
  std::optional<absl::Time> last_modified;
};

struct Calendar {
  std::string name;  // X-WR-CALNAME: what the app names the subscription
  absl::Time stamp;  // DTSTAMP of every event: when this copy of the feed was made
  std::vector<CalendarEvent> events;
};

// A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, a line break as "\n"
// (CR LF, CR and LF alike); other control characters become spaces and bytes that are not UTF-8
// become U+FFFD, so the feed is always valid UTF-8.
std::string EscapeCalendarText(std::string_view text);

// One content line as sent: folded (3.1) so that no line exceeds 75 octets, each continuation
// starting with a space, never inside a UTF-8 character, every line ending in CRLF.
std::string FoldCalendarLine(std::string_view line);

// A UTC DATE-TIME (3.3.5, form 2): 20250110T060000Z.
std::string CalendarDateTime(absl::Time time);

// The whole VCALENDAR: VERSION, PRODID, CALSCALE, METHOD:PUBLISH, X-WR-CALNAME, a refresh hint,
// and one VEVENT per event.
std::string WriteCalendar(const Calendar& calendar);

// ---- What a member's feed shows -------------------------------------------------------------

// How far the feed reaches, and how much it holds at most.
inline constexpr absl::Duration kCalendarFeedPast = absl::Hours(24 * 30);
inline constexpr absl::Duration kCalendarFeedAhead = absl::Hours(24 * 180);
inline constexpr int kMaxCalendarFeedEvents = 1000;

// What the feed of one crew member is made from.
struct CalendarFeedSource {
  std::string crew_member_id;
  std::string display_name;
  std::string zone_id;  // the member's IANA zone: descriptions give times in it when known here
  bool active = true;
  int64_t generation = 1;  // the feed's current generation: older tokens are refused
  // Tasks placed on the member, each with the member's own assignment (cancelled ones are not:
  // cancelling takes everyone off a task).
  std::vector<v1::ScheduleEntry> assignments;
  // The member's own unavailability: time off, sick leave, training.
  std::vector<v1::Unavailability> time_off;
};

// The member's calendar as of `now`: one event per assignment ("Setup VIDEO · order 1040", from
// the assignment's start to its finish, the task's window, skill, order, state and note in the
// description) and per period of time off, earliest first, at most kMaxCalendarFeedEvents.
Calendar CalendarOf(const CalendarFeedSource& source, absl::Time now);

// ---- The secret URL -------------------------------------------------------------------------

// An HMAC key shorter than its hash's output weakens it.
inline constexpr size_t kMinCalendarKeyBytes = 32;

struct CalendarFeedLink {
  std::string crew_member_id;
  int64_t generation = 0;
};

// The token of `link`: URL-safe ([A-Za-z0-9_.-]), the same for the same key and link.
std::string SignCalendarFeed(std::string_view key, const CalendarFeedLink& link);

// The link a token signed under `key` names; nullopt for anything else (malformed, forged,
// signed under another key). The signature is compared in constant time.
std::optional<CalendarFeedLink> VerifyCalendarFeed(std::string_view key, std::string_view token);

// "/calendar/<token>.ics": the path the endpoint serves a link at.
std::string CalendarFeedPath(std::string_view key, const CalendarFeedLink& link);

// ---- The HTTP endpoint ----------------------------------------------------------------------

// Reads a member's feed source over [from, to), at most `limit` assignments and `limit` periods
// of time off: nullopt when no such member exists; an error when it cannot be read now.
using CalendarFeedLoader = std::function<absl::StatusOr<std::optional<CalendarFeedSource>>(
    const std::string& crew_member_id, absl::Time from, absl::Time to, int limit)>;

struct CalendarEndpointConfig {
  std::string key;  // at least kMinCalendarKeyBytes
  CalendarFeedLoader load;
  std::function<absl::Time()> now;
};

// Answers one request: GET or HEAD of a current link's path is the feed (text/calendar); a
// malformed, forged or reset link, or an inactive or deleted member, is 404 and reads nothing
// (a forged one not even the database); other methods are 405; a store that cannot answer is
// 503. Nothing of the request is logged: its path is the secret.
common::HttpResponse ServeCalendarFeed(const CalendarEndpointConfig& config,
                                       const common::HttpRequest& request);

// Serves ServeCalendarFeed on `address` ("host:port"; port 0 picks one).
absl::StatusOr<std::unique_ptr<common::HttpServer>> StartCalendarEndpoint(
    const std::string& address, CalendarEndpointConfig config);

}  // namespace salesops::scheduling
