#pragma once

#include <absl/status/statusor.h>
#include <sys/socket.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace salesops::notification {

// Where deliveries may connect. A webhook URL is chosen by a person, so by default it may not
// reach this service's own neighbourhood: loopback, link-local (169.254.0.0/16, where cloud
// metadata lives), private (RFC 1918, CGNAT), unique-local IPv6, multicast and unspecified
// addresses are refused unless the operator lists them (`--webhook-allow-cidrs`). The check is
// made on the address actually connected to, after DNS, so a name that resolves (or rebinds) to
// a refused address is refused too.
class AddressPolicy {
 public:
  // `allowed_cidrs`: comma-separated CIDRs ("10.20.0.0/16,fd00::/8"); empty allows none of the
  // refused ranges.
  static absl::StatusOr<AddressPolicy> Parse(std::string_view allowed_cidrs);

  // Why a connection to `address` is refused, or nothing when it may go ahead.
  std::optional<std::string> Refusal(const sockaddr* address) const;
  // The same for an address written as text ("127.0.0.1", "::1"); nothing for a host name
  // (names are judged at connect time by the address they resolve to).
  std::optional<std::string> RefusalForLiteral(std::string_view host) const;

 private:
  struct Range {
    std::array<unsigned char, 16> network{};  // IPv4 as IPv4-mapped IPv6
    int prefix_bits = 0;
    bool Contains(const std::array<unsigned char, 16>& address) const;
  };
  std::vector<Range> allowed_;
};

// The gRPC EventSink targets (host:port) user-created SERVICE subscriptions may name: exactly
// the operator's list (`--event-sink-allowlist`), nothing by default.
std::vector<std::string> ParseAddressList(std::string_view comma_separated);

}  // namespace salesops::notification
