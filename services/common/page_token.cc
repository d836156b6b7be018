#include "services/common/page_token.h"

#include <absl/strings/escaping.h>

#include "services/common/errors.h"
#include "services/common/validation.h"

namespace salesops::common {

std::string EncodePageToken(const std::string& listing, const std::string& last_key) {
  if (last_key.empty()) return "";
  return absl::WebSafeBase64Escape(listing + '\n' + last_key);
}

absl::StatusOr<std::string> DecodePageToken(const std::string& listing, const std::string& token) {
  if (token.empty()) return std::string();
  std::string decoded;
  // The position inside goes to SQL as a key: whatever a caller made up must be plain text
  // there (valid UTF-8, no control characters, short), or PostgreSQL would refuse it as an
  // internal error.
  if (!absl::WebSafeBase64Unescape(token, &decoded) || decoded.rfind(listing + '\n', 0) != 0 ||
      decoded.size() > listing.size() + 1 + kMaxPageTokenPosition ||
      !IsPlainText(std::string_view(decoded).substr(listing.size() + 1))) {
    return InvalidArgumentError(
        {{"page_token", "is not a page token from this listing; pass next_page_token unchanged"}});
  }
  return decoded.substr(listing.size() + 1);
}

}  // namespace salesops::common
