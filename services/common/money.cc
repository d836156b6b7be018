#include "services/common/money.h"

#include <absl/numeric/int128.h>
#include <absl/strings/str_cat.h>

#include <cmath>
#include <limits>

#include "services/common/errors.h"

namespace salesops::common {

absl::Status AmountOutOfRange(std::string_view what) {
  return ReasonedError(
      absl::StatusCode::kOutOfRange, v1::AMOUNT_OUT_OF_RANGE,
      absl::StrCat(absl::string_view(what.data(), what.size()),
                   " is out of range; amounts are computed up to 9223372036854.775807 currency "
                   "units"));
}

int MinorUnitDigits(std::string_view currency) {
  // ISO 4217 exponents other than 2 among currencies a rental company may quote in.
  static constexpr std::string_view kWhole[] = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY",
                                                "KMF", "KRW", "PYG", "RWF", "UGX", "VND",
                                                "VUV", "XAF", "XOF", "XPF"};
  static constexpr std::string_view kThousandths[] = {"BHD", "IQD", "JOD", "KWD",
                                                      "LYD", "OMR", "TND"};
  for (std::string_view code : kWhole) {
    if (code == currency) return 0;
  }
  for (std::string_view code : kThousandths) {
    if (code == currency) return 3;
  }
  return 2;
}

int64_t MinorUnitMicros(std::string_view currency) {
  int64_t micros = kMicrosPerUnit;
  for (int digit = 0; digit < MinorUnitDigits(currency); ++digit) micros /= 10;
  return micros;
}

absl::StatusOr<int64_t> MoneyToMicros(const google::type::Money& money, std::string_view what) {
  int64_t micros = 0;
  if (__builtin_mul_overflow(money.units(), kMicrosPerUnit, &micros) ||
      __builtin_add_overflow(micros, int64_t{money.nanos() / 1000}, &micros)) {
    return AmountOutOfRange(what);
  }
  return micros;
}

google::type::Money MoneyFromMicros(int64_t micros, std::string_view currency) {
  google::type::Money money;
  money.set_currency_code(std::string(currency));
  money.set_units(micros / kMicrosPerUnit);
  money.set_nanos(static_cast<int32_t>((micros % kMicrosPerUnit) * 1000));
  return money;
}

absl::StatusOr<int64_t> CheckedAdd(int64_t a, int64_t b, std::string_view what) {
  int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return AmountOutOfRange(what);
  return sum;
}

absl::StatusOr<int64_t> CheckedMultiply(int64_t a, int64_t b, std::string_view what) {
  int64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) return AmountOutOfRange(what);
  return product;
}

absl::StatusOr<int64_t> ScaleMicros(int64_t micros, int64_t numerator, int64_t denominator,
                                    int64_t round_to, std::string_view what) {
  // |micros × numerator| < 2^126, so the product and the steps below fit in 128 bits.
  const absl::int128 scaled = absl::int128(micros) * numerator / denominator;
  const absl::int128 half = round_to / 2;
  const absl::int128 rounded =
      (scaled >= 0 ? scaled + half : scaled - half) / round_to * absl::int128(round_to);
  if (rounded > std::numeric_limits<int64_t>::max() ||
      rounded < std::numeric_limits<int64_t>::min()) {
    return AmountOutOfRange(what);
  }
  return static_cast<int64_t>(rounded);
}

absl::StatusOr<int64_t> RoundToMicros(double micros, std::string_view what) {
  // 2^63 is exactly representable; every double below it rounds to an int64.
  constexpr double kLimit = 9223372036854775808.0;
  if (!std::isfinite(micros) || micros >= kLimit || micros < -kLimit) {
    return AmountOutOfRange(what);
  }
  return std::llround(micros);
}

}  // namespace salesops::common
