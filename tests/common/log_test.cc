#include "services/common/log.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace salesops::common {
namespace {

TEST(LogTest, TextLinesAreKeyValueWithQuotingOnlyWhereNeeded) {
  std::string line = FormatLogFields(false, "inventory", "rpc",
                                     {{"method", "/salesops.v1.InventoryService/GetItem"},
                                      {"code", "OK"},
                                      {"message", "item \"X\" not found"},
                                      {"empty", ""}});
  EXPECT_EQ(line,
            "service=inventory event=rpc method=/salesops.v1.InventoryService/GetItem code=OK "
            "message=\"item \\\"X\\\" not found\" empty=\"\"");
}

TEST(LogTest, JsonLinesParseAsOneObject) {
  std::string body = FormatLogFields(true, "inventory", "rpc",
                                     {{"code", "InvalidArgument"}, {"message", "line\nbreak"}});
  // The logger's pattern supplies the opening brace with time and level.
  nlohmann::json parsed = nlohmann::json::parse(R"({"ts":"t","level":"info",)" + body);
  EXPECT_EQ(parsed["service"], "inventory");
  EXPECT_EQ(parsed["event"], "rpc");
  EXPECT_EQ(parsed["code"], "InvalidArgument");
  EXPECT_EQ(parsed["message"], "line\nbreak");
  EXPECT_EQ(body.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace salesops::common
