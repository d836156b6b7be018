// Checked money arithmetic: every amount right to the micro, or OUT_OF_RANGE naming it.
#include "services/common/money.h"

#include <gtest/gtest.h>

#include <limits>

#include "services/common/grpc_errors.h"

namespace salesops::common {
namespace {

constexpr int64_t kMaxMicros = std::numeric_limits<int64_t>::max();
constexpr int64_t kMinMicros = std::numeric_limits<int64_t>::min();

google::type::Money Eur(int64_t units, int32_t nanos) {
  google::type::Money money;
  money.set_currency_code("EUR");
  money.set_units(units);
  money.set_nanos(nanos);
  return money;
}

// The refusal a caller sees: OUT_OF_RANGE, AMOUNT_OUT_OF_RANGE, and what overflowed.
void ExpectAmountOutOfRange(const absl::Status& status, const std::string& what) {
  EXPECT_EQ(status.code(), absl::StatusCode::kOutOfRange) << status;
  EXPECT_EQ(ParseGrpcError(ToGrpcStatus(status)).reason, "AMOUNT_OUT_OF_RANGE");
  EXPECT_NE(status.message().find(what), std::string_view::npos) << status.message();
}

TEST(MoneyTest, MicrosRoundTripUpToTheLargestAmountsAndNoFurther) {
  EXPECT_EQ(*MoneyToMicros(Eur(499, 500'000'000), "rate"), 499'500'000);
  EXPECT_EQ(*MoneyToMicros(Eur(-2, -250'000'000), "rate"), -2'250'000);
  // Nanos below a micro are dropped, towards zero.
  EXPECT_EQ(*MoneyToMicros(Eur(0, 1'999), "rate"), 1);
  EXPECT_EQ(*MoneyToMicros(Eur(0, -1'999), "rate"), -1);

  // The largest and smallest amounts that fit, to the micro.
  EXPECT_EQ(*MoneyToMicros(Eur(9'223'372'036'854, 775'807'000), "rate"), kMaxMicros);
  EXPECT_EQ(*MoneyToMicros(Eur(-9'223'372'036'854, -775'808'000), "rate"), kMinMicros);
  // One micro more is refused, in units and in the nanos carried into them.
  ExpectAmountOutOfRange(
      MoneyToMicros(Eur(9'223'372'036'854, 775'808'000), "the day rate").status(), "the day rate");
  ExpectAmountOutOfRange(MoneyToMicros(Eur(-9'223'372'036'854, -775'809'000), "rate").status(),
                         "rate");
  ExpectAmountOutOfRange(MoneyToMicros(Eur(9'000'000'000'000'000'000, 0), "rate").status(), "rate");
  ExpectAmountOutOfRange(MoneyToMicros(Eur(kMinMicros, 0), "rate").status(), "rate");

  for (int64_t micros : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{1'999'999},
                         int64_t{-1'000'001}, kMaxMicros, kMinMicros}) {
    const google::type::Money money = MoneyFromMicros(micros, "EUR");
    EXPECT_EQ(money.currency_code(), "EUR");
    // Units and nanos always share a sign, and nanos stay under one unit.
    EXPECT_FALSE(money.units() > 0 && money.nanos() < 0) << micros;
    EXPECT_FALSE(money.units() < 0 && money.nanos() > 0) << micros;
    EXPECT_LT(std::abs(money.nanos()), 1'000'000'000) << micros;
    EXPECT_EQ(*MoneyToMicros(money, "round trip"), micros);
  }
  EXPECT_EQ(MoneyFromMicros(kMaxMicros, "EUR").units(), 9'223'372'036'854);
  EXPECT_EQ(MoneyFromMicros(kMaxMicros, "EUR").nanos(), 775'807'000);
  EXPECT_EQ(MoneyFromMicros(-1'500'000, "EUR").units(), -1);
  EXPECT_EQ(MoneyFromMicros(-1'500'000, "EUR").nanos(), -500'000'000);
}

TEST(MoneyTest, SumsAndProductsAreExactOrRefused) {
  EXPECT_EQ(*CheckedAdd(kMaxMicros - 1, 1, "sum"), kMaxMicros);
  EXPECT_EQ(*CheckedAdd(kMinMicros, kMaxMicros, "sum"), -1);
  ExpectAmountOutOfRange(CheckedAdd(kMaxMicros, 1, "the quote total").status(), "the quote total");
  ExpectAmountOutOfRange(CheckedAdd(kMinMicros, -1, "sum").status(), "sum");

  EXPECT_EQ(*CheckedMultiply(499'500'000, 2, "line"), 999'000'000);
  EXPECT_EQ(*CheckedMultiply(-1'000'000, 3, "line"), -3'000'000);
  EXPECT_EQ(*CheckedMultiply(kMaxMicros, -1, "line"), -kMaxMicros);
  ExpectAmountOutOfRange(CheckedMultiply(kMinMicros, -1, "line").status(), "line");
  // A day rate of 9e12 units fits; times 10,000 units it does not (it wrapped before).
  ExpectAmountOutOfRange(CheckedMultiply(9'000'000'000'000'000'000, 10'000, "lines[3]").status(),
                         "lines[3]");
  ExpectAmountOutOfRange(CheckedMultiply(kMaxMicros / 2 + 1, 2, "line").status(), "line");
}

TEST(MoneyTest, ScalingTakesTheProductInFullAndRoundsHalfAwayFromZero) {
  // 40 EUR an hour for 3 person-hours, to the cent.
  EXPECT_EQ(*ScaleMicros(40'000'000, 3 * 3600, 3600, 10'000, "crew"), 120'000'000);
  // 45 EUR an hour for 1 person-second: 0.0125 EUR, rounded to the cent.
  EXPECT_EQ(*ScaleMicros(45'000'000, 1, 3600, 10'000, "crew"), 10'000);
  EXPECT_EQ(*ScaleMicros(-45'000'000, 1, 3600, 10'000, "crew"), -10'000);
  EXPECT_EQ(*ScaleMicros(44'000'000, 1, 3600, 10'000, "crew"), 10'000);
  EXPECT_EQ(*ScaleMicros(17'000'000, 1, 3600, 10'000, "crew"), 0);
  // The intermediate product does not fit in 64 bits, the result does.
  EXPECT_EQ(*ScaleMicros(kMaxMicros, 3600, 3600, 1, "crew"), kMaxMicros);
  EXPECT_EQ(*ScaleMicros(kMinMicros, 7200, 7200, 1, "crew"), kMinMicros);
  ExpectAmountOutOfRange(ScaleMicros(kMaxMicros, 3601, 3600, 1, "the crew cost").status(),
                         "the crew cost");
  ExpectAmountOutOfRange(ScaleMicros(kMaxMicros, kMaxMicros, 1, 10'000, "crew").status(), "crew");
}

TEST(MoneyTest, FractionalAmountsRoundToMicrosWhileTheyFit) {
  EXPECT_EQ(*RoundToMicros(0.5, "weighted"), 1);
  EXPECT_EQ(*RoundToMicros(-0.5, "weighted"), -1);
  EXPECT_EQ(*RoundToMicros(816'000'000.4, "weighted"), 816'000'000);
  EXPECT_EQ(*RoundToMicros(-9223372036854775808.0, "weighted"), kMinMicros);
  ExpectAmountOutOfRange(RoundToMicros(9223372036854775808.0, "the weighted revenue").status(),
                         "the weighted revenue");
  ExpectAmountOutOfRange(RoundToMicros(1e300, "weighted").status(), "weighted");
  ExpectAmountOutOfRange(RoundToMicros(std::numeric_limits<double>::quiet_NaN(), "w").status(),
                         "w");
  ExpectAmountOutOfRange(RoundToMicros(-std::numeric_limits<double>::infinity(), "w").status(),
                         "w");
}

}  // namespace
}  // namespace salesops::common
