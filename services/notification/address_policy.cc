#include "services/notification/address_policy.h"

#include <absl/strings/ascii.h>
#include <absl/strings/numbers.h>
#include <absl/strings/str_split.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace salesops::notification {
namespace {

using Address = std::array<unsigned char, 16>;

// IPv4 a.b.c.d as ::ffff:a.b.c.d, so one range table serves both families.
Address Mapped(const unsigned char ipv4[4]) {
  Address mapped{};
  mapped[10] = mapped[11] = 0xff;
  std::memcpy(&mapped[12], ipv4, 4);
  return mapped;
}

bool IsMappedIpv4(const Address& address) {
  for (int i = 0; i < 10; ++i) {
    if (address[i] != 0) return false;
  }
  return address[10] == 0xff && address[11] == 0xff;
}

std::optional<Address> FromSockaddr(const sockaddr* address) {
  if (address == nullptr) return std::nullopt;
  if (address->sa_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(address);
    return Mapped(reinterpret_cast<const unsigned char*>(&v4->sin_addr));
  }
  if (address->sa_family == AF_INET6) {
    Address bytes;
    std::memcpy(bytes.data(), &reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr, 16);
    return bytes;
  }
  return std::nullopt;
}

std::optional<Address> FromText(std::string_view text) {
  std::string host(text);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  unsigned char v4[4];
  if (inet_pton(AF_INET, host.c_str(), v4) == 1) return Mapped(v4);
  Address v6;
  if (inet_pton(AF_INET6, host.c_str(), v6.data()) == 1) return v6;
  return std::nullopt;
}

std::string ToText(const Address& address) {
  char text[INET6_ADDRSTRLEN] = {0};
  if (IsMappedIpv4(address)) {
    inet_ntop(AF_INET, &address[12], text, sizeof(text));
  } else {
    inet_ntop(AF_INET6, address.data(), text, sizeof(text));
  }
  return text;
}

// What kind of refused range `address` is in, if any.
std::optional<std::string_view> RefusedKind(const Address& address) {
  if (IsMappedIpv4(address)) {
    const unsigned char a = address[12], b = address[13];
    if (a == 127) return "loopback";
    if (a == 169 && b == 254) return "link-local (cloud metadata lives here)";
    if (a == 10 || (a == 172 && (b & 0xf0) == 16) || (a == 192 && b == 168)) return "private";
    if (a == 100 && (b & 0xc0) == 64) return "shared (carrier-grade NAT)";
    if (a == 0) return "unspecified";
    if (a >= 224) return "multicast or reserved";
    return std::nullopt;
  }
  static const Address kLoopback = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  static const Address kUnspecified{};
  if (address == kLoopback) return "loopback";
  if (address == kUnspecified) return "unspecified";
  if (address[0] == 0xfe && (address[1] & 0xc0) == 0x80) return "link-local";
  if ((address[0] & 0xfe) == 0xfc) return "unique-local (private)";
  if (address[0] == 0xff) return "multicast";
  // IPv4-compatible and NAT64-embedded forms of an IPv4 address carry its rules.
  if (address[0] == 0 && address[1] == 0x64 && address[2] == 0xff && address[3] == 0x9b) {
    return RefusedKind(Mapped(&address[12]));
  }
  return std::nullopt;
}

}  // namespace

bool AddressPolicy::Range::Contains(const Address& address) const {
  int bits = prefix_bits;
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    unsigned char mask = bits >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - bits));
    if ((address[i] & mask) != (network[i] & mask)) return false;
  }
  return true;
}

absl::StatusOr<AddressPolicy> AddressPolicy::Parse(std::string_view allowed_cidrs) {
  AddressPolicy policy;
  for (absl::string_view entry :
       absl::StrSplit(absl::string_view(allowed_cidrs.data(), allowed_cidrs.size()), ',',
                      absl::SkipWhitespace())) {
    entry = absl::StripAsciiWhitespace(entry);
    std::vector<absl::string_view> parts = absl::StrSplit(entry, '/');
    std::optional<Address> network =
        parts.empty() ? std::nullopt : FromText({parts[0].data(), parts[0].size()});
    int prefix = 0;
    if (!network || parts.size() != 2 || !absl::SimpleAtoi(parts[1], &prefix)) {
      return absl::InvalidArgumentError("'" + std::string(entry) +
                                        "' is not a CIDR such as 10.0.0.0/8 or fd00::/8");
    }
    const bool ipv4 = IsMappedIpv4(*network) && parts[0].find(':') == absl::string_view::npos;
    const int max_prefix = ipv4 ? 32 : 128;
    if (prefix < 0 || prefix > max_prefix) {
      return absl::InvalidArgumentError("'" + std::string(entry) + "' has a prefix outside 0.." +
                                        std::to_string(max_prefix));
    }
    policy.allowed_.push_back({*network, ipv4 ? prefix + 96 : prefix});
  }
  return policy;
}

std::optional<std::string> AddressPolicy::Refusal(const sockaddr* address) const {
  std::optional<Address> bytes = FromSockaddr(address);
  if (!bytes) return "only IPv4 and IPv6 addresses are connected to";
  std::optional<std::string_view> kind = RefusedKind(*bytes);
  if (!kind) return std::nullopt;
  for (const Range& range : allowed_) {
    if (range.Contains(*bytes)) return std::nullopt;
  }
  return "address " + ToText(*bytes) + " is " + std::string(*kind) +
         "; webhooks may reach it only when the operator allows it (--webhook-allow-cidrs)";
}

std::optional<std::string> AddressPolicy::RefusalForLiteral(std::string_view host) const {
  std::optional<Address> bytes = FromText(host);
  if (!bytes) return std::nullopt;
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  std::memcpy(&address.sin6_addr, bytes->data(), 16);
  return Refusal(reinterpret_cast<const sockaddr*>(&address));
}

std::vector<std::string> ParseAddressList(std::string_view comma_separated) {
  std::vector<std::string> addresses;
  for (absl::string_view entry :
       absl::StrSplit(absl::string_view(comma_separated.data(), comma_separated.size()), ',',
                      absl::SkipWhitespace())) {
    addresses.emplace_back(absl::StripAsciiWhitespace(entry));
  }
  return addresses;
}

}  // namespace salesops::notification
