#include "services/order_intake/quote_links.h"

#include <absl/strings/escaping.h>
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_split.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <vector>

namespace salesops::order_intake {
namespace {

constexpr size_t kLinkIdBytes = 16;
constexpr size_t kMaxTokenBytes = 200;

std::string Signature(std::string_view key, std::string_view link_id, int64_t expire_seconds,
                      const std::string& order_id, int64_t order_revision) {
  const std::string message = absl::StrCat("quote-link\n", std::string(link_id), "\n",
                                           expire_seconds, "\n", order_id, "\n", order_revision);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
  return absl::WebSafeBase64Escape(
      absl::string_view(reinterpret_cast<const char*>(digest), length));
}

bool IsLowerHex(absl::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::string NewLinkId() {
  unsigned char bytes[kLinkIdBytes];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    // OpenSSL's generator failing is not something to carry on from with a guessable id.
    std::abort();
  }
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

std::string SignQuoteLink(std::string_view key, const std::string& link_id, absl::Time expire_time,
                          const std::string& order_id, int64_t order_revision) {
  const int64_t expire_seconds = absl::ToUnixSeconds(expire_time);
  return absl::StrCat(link_id, ".", expire_seconds, ".",
                      Signature(key, link_id, expire_seconds, order_id, order_revision));
}

std::optional<QuoteLinkToken> ParseQuoteLink(std::string_view token) {
  if (token.size() > kMaxTokenBytes) return std::nullopt;
  std::vector<absl::string_view> parts =
      absl::StrSplit(absl::string_view(token.data(), token.size()), '.');
  if (parts.size() != 3 || parts[0].size() != 2 * kLinkIdBytes || !IsLowerHex(parts[0])) {
    return std::nullopt;
  }
  int64_t expire_seconds = 0;
  if (!absl::SimpleAtoi(parts[1], &expire_seconds) || expire_seconds <= 0) return std::nullopt;
  return QuoteLinkToken{std::string(parts[0]), absl::FromUnixSeconds(expire_seconds)};
}

bool QuoteLinkSignatureMatches(std::string_view key, std::string_view token,
                               const std::string& order_id, int64_t order_revision) {
  const std::optional<QuoteLinkToken> parsed = ParseQuoteLink(token);
  if (!parsed) return false;
  const std::string expected =
      SignQuoteLink(key, parsed->link_id, parsed->expire_time, order_id, order_revision);
  return expected.size() == token.size() &&
         CRYPTO_memcmp(expected.data(), token.data(), token.size()) == 0;
}

}  // namespace salesops::order_intake
