#include "services/common/log.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

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
            "message=\"item \\\"X\\\" not found\"");
}

TEST(LogTest, NoValueCanBreakALineOrSendATerminalSequenceAndLongValuesAreCut) {
  std::string line =
      FormatLogFields(false, "inventory", "rpc",
                      {{"message", "a\nb\rc\x1b[31md\x7f"}, {"long", std::string(10000, 'x')}});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.find('\r'), std::string::npos);
  EXPECT_EQ(line.find('\x1b'), std::string::npos);
  EXPECT_NE(line.find(R"(message="a\nb\x0dc\x1b[31md\x7f")"), std::string::npos) << line;
  EXPECT_LT(line.size(), 2200u);
}

TEST(LogTest, RateLimiterLetsABurstThroughThenCountsWhatItDropped) {
  LogRateLimiter limiter(/*per_second=*/0.001, /*burst=*/3);
  uint64_t suppressed = 99;
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(limiter.Allow(&suppressed));
    EXPECT_EQ(suppressed, 0u);
  }
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(limiter.Allow(&suppressed));
  LogRateLimiter refilling(/*per_second=*/1000, /*burst=*/1);
  ASSERT_TRUE(refilling.Allow(&suppressed));
  EXPECT_FALSE(refilling.Allow(&suppressed));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(refilling.Allow(&suppressed));
  EXPECT_EQ(suppressed, 1u);  // the one dropped line is reported with the next
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
