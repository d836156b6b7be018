#pragma once

#include <absl/status/statusor.h>

#include <cstddef>
#include <string>

namespace salesops::common {

// Page tokens are opaque to callers (AIP-158): the last key returned, tagged
// with the listing it belongs to, base64url-encoded. A token from another
// listing or a mangled one is INVALID_ARGUMENT on `page_token`.
// The longest position a token may carry (every listing's keys are far shorter).
inline constexpr size_t kMaxPageTokenPosition = 300;

std::string EncodePageToken(const std::string& listing, const std::string& last_key);
absl::StatusOr<std::string> DecodePageToken(const std::string& listing, const std::string& token);

}  // namespace salesops::common
