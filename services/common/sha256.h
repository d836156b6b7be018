#pragma once

#include <string>
#include <string_view>

namespace salesops::common {

// Lower-case hex SHA-256 of `data` (OpenSSL): token hashes, migration checksums.
std::string Sha256Hex(std::string_view data);

}  // namespace salesops::common
