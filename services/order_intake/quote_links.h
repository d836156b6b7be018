#pragma once

// The signed links quotes are sent as (issue 18 item 2): "<link id>.<expiry>.<signature>", the
// signature an HMAC-SHA-256 under the installation's acceptance key of the link id, the expiry,
// the order and its revision. The link id alone finds the stored link; the signature proves the
// link was made here, for that order and revision, until that time, so nothing secret is
// stored and a link cannot be forged, extended or moved to another order.
#include <absl/time/time.h>

#include <optional>
#include <string>
#include <string_view>

namespace salesops::order_intake {

struct QuoteLinkToken {
  std::string link_id;
  absl::Time expire_time;
};

// 128 random bits as 32 lowercase hex digits (OpenSSL's RAND_bytes).
std::string NewLinkId();

std::string SignQuoteLink(std::string_view key, const std::string& link_id, absl::Time expire_time,
                          const std::string& order_id, int64_t order_revision);

// The link id and expiry of a well-formed token; nullopt for anything else (the signature is
// checked against the stored link with QuoteLinkSignatureMatches).
std::optional<QuoteLinkToken> ParseQuoteLink(std::string_view token);

// Whether `token` carries the signature of that link, order and revision (compared in constant
// time).
bool QuoteLinkSignatureMatches(std::string_view key, std::string_view token,
                               const std::string& order_id, int64_t order_revision);

}  // namespace salesops::order_intake
