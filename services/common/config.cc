#include "services/common/config.h"

#include <cctype>
#include <fstream>
#include <sstream>

namespace salesops::common {

std::optional<std::string> ReadSecretFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string content = buffer.str();
  while (!content.empty() && std::isspace(static_cast<unsigned char>(content.back()))) {
    content.pop_back();
  }
  return content;
}

}  // namespace salesops::common
