#pragma once

#include <absl/status/status.h>
#include <google/protobuf/message.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "services/common/errors.h"

namespace salesops::common {

inline constexpr int kMaxPageSize = 1000;
// Times lie in 2000-01-01 .. 2199-12-31 UTC; a duration (given, or computed from given ones)
// is at most those 200 years, far inside what int64 seconds and protobuf can hold.
inline constexpr int64_t kMaxDurationSeconds = 6311433600;
// The longest window any request may give (a query range, a delivery window): two years. Work
// per request grows with the window, so it has to end somewhere.
inline constexpr int64_t kMaxWindowSpanDays = 731;
inline constexpr int64_t kMaxWindowSpanSeconds = kMaxWindowSpanDays * 24 * 3600;
inline constexpr int kDefaultPageSize = 50;

// A request id (the `request_id` field, the x-request-id header) is plain text a header, a log
// line and an idempotency key can all carry: `[A-Za-z0-9._:-]{1,100}`.
inline constexpr size_t kMaxRequestIdLength = 100;
bool IsSafeRequestId(std::string_view request_id);

// Valid UTF-8 with no control characters: text that can go anywhere as it is.
bool IsPlainText(std::string_view text);

// Product and inventory codes share one format: upper-case,
// `[A-Z0-9][A-Z0-9-]{1,39}`. The single definition every service uses.
bool IsValidCatalogCode(std::string_view code);

// Walks a request and reports every violation of the rules declared on its
// fields in the protos (salesops.v1 code/max_length/max_items/min_value/
// max_value options and google.api.field_behavior REQUIRED), plus the rules
// that belong to vocabulary types wherever they appear: Window order, pinned
// deliveries need a reason, Money and Timestamp well-formedness, page sizes.
// OUTPUT_ONLY fields are ignored: the server sets them.
std::vector<FieldViolation> ValidateRequest(const google::protobuf::Message& request);

// ValidateRequest as a status: OK, or INVALID_ARGUMENT naming every bad field.
absl::Status CheckRequest(const google::protobuf::Message& request);

// `text` as one line of at most `max_bytes` bytes: every control character (newlines and tabs
// included) becomes a space, a byte that is not UTF-8 becomes U+FFFD, and a longer text is cut
// with "…" at a character boundary (TruncateText). For caller text that lands in a one-line
// field, a log line or a stored error.
std::string OneLine(std::string_view text, size_t max_bytes);

// Makes every string field of `message`, however deeply nested, pass the text rules
// ValidateRequest checks: cut to its declared max_length with "…", control characters
// replaced by spaces (newlines and tabs stay in multi_line fields), bytes that are not UTF-8
// replaced by U+FFFD. Fields that already pass are left as they are; bytes fields and maps are
// not touched. What a service builds from caller text goes through this before it leaves the
// service, so a long reason shortens a message instead of getting it refused.
void FitTextToRules(google::protobuf::Message& message);

// Page size as the server will use it: 0 means the default; callers have
// already been refused for values outside [0, kMaxPageSize].
int EffectivePageSize(int requested);

}  // namespace salesops::common
