#pragma once

// Money arithmetic that cannot wrap. Amounts are computed in int64 micros of the currency
// unit (1 EUR = 1'000'000), which hold ±9,223,372,036,854.775807 units: far more than any
// quote, far less than google.type.Money lets a caller type (±9.2e18 units). So every step
// is checked, and one whose result does not fit answers OUT_OF_RANGE (AMOUNT_OUT_OF_RANGE)
// naming `what`: a price is right or refused, never wrapped into something stored.
#include <absl/status/statusor.h>
#include <google/type/money.pb.h>

#include <cstdint>
#include <string_view>

namespace salesops::common {

inline constexpr int64_t kMicrosPerUnit = 1'000'000;

// The refusal every function below gives, e.g. "order.product_lines[3] (LED-WALL-3X2):
// 10 x 2 day(s) at 9000000000000000000 EUR a day is out of range; ...".
absl::Status AmountOutOfRange(std::string_view what);

// ISO 4217's digits after the decimal point of `currency` (2 unless it is one of the few with 0
// or 3), and its minor unit in micros: 10'000 for EUR (a cent), 1'000'000 for JPY.
int MinorUnitDigits(std::string_view currency);
int64_t MinorUnitMicros(std::string_view currency);

// `money` in micros; nanos below a micro are dropped.
absl::StatusOr<int64_t> MoneyToMicros(const google::type::Money& money, std::string_view what);

// Always fits: units are micros / 10^6, and nanos the remainder, with the same sign.
google::type::Money MoneyFromMicros(int64_t micros, std::string_view currency);

// One int64 step of a money computation: amounts in micros, or a factor that feeds one (a
// quantity, whole days, person-seconds).
absl::StatusOr<int64_t> CheckedAdd(int64_t a, int64_t b, std::string_view what);
absl::StatusOr<int64_t> CheckedMultiply(int64_t a, int64_t b, std::string_view what);

// micros × numerator / denominator, rounded half away from zero to a multiple of `round_to`
// micros (e.g. an hourly rate × seconds / 3600, to the cent: round_to 10'000). The product
// is taken in 128 bits, so only a result that does not fit is refused. `denominator` and
// `round_to` are positive.
absl::StatusOr<int64_t> ScaleMicros(int64_t micros, int64_t numerator, int64_t denominator,
                                    int64_t round_to, std::string_view what);

// A fractional amount (e.g. weighted by a win probability) rounded to whole micros.
absl::StatusOr<int64_t> RoundToMicros(double micros, std::string_view what);

}  // namespace salesops::common
