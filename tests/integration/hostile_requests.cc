#include "tests/integration/hostile_requests.h"

#include <absl/strings/str_format.h>
#include <google/protobuf/message.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/unknown_field_set.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <random>

#include "google/api/field_behavior.pb.h"
#include "salesops/v1/vocabulary.pb.h"

namespace salesops::testing {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::OneofDescriptor;
using google::protobuf::Reflection;

constexpr size_t kHugeStringBytes = 100 * 1024;
// Deep enough for every request in the protos (Order > OpsStatus > Job > Task > Assignment >
// Timestamp), shallow enough that no message grows without bound.
constexpr int kMaxDepth = 8;
constexpr int64_t kSecondsPerHour = 3600;
constexpr int64_t kYearOneSeconds = -62135596800;   // 0001-01-01T00:00:00Z
constexpr int64_t kYear9999Seconds = 253402300799;  // 9999-12-31T23:59:59Z
constexpr int64_t kMaxDurationSeconds = 315576000000;

constexpr Hostility kEveryHostility[] = {
    Hostility::kHugeString,
    Hostility::kControlCharacters,
    Hostility::kNulInString,
    Hostility::kNonAscii,
    Hostility::kInvalidUtf8,
    Hostility::kNegative,
    Hostility::kZero,
    Hostility::kExtreme,
    Hostility::kMoneyMismatchedSigns,
    Hostility::kMoneyHugeUnits,
    Hostility::kYearOne,
    Hostility::kYear9999,
    Hostility::kNegativeSeconds,
    Hostility::kEnumOutsideEnum,
    Hostility::kRepeatedOverLimit,
    Hostility::kPageSizeMinusOne,
    Hostility::kPageSizeBillion,
};

bool IsMessageOf(const FieldDescriptor& field, const char* full_name) {
  return field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
         field.message_type()->full_name() == full_name;
}

bool IsOutputOnly(const FieldDescriptor& field);

// Whether `hostility` has a value for `field` (a string for NUL, a timestamp for year 1...).
bool Fits(Hostility hostility, const FieldDescriptor& field) {
  const bool timestamp = IsMessageOf(field, "google.protobuf.Timestamp");
  const bool duration = IsMessageOf(field, "google.protobuf.Duration");
  const bool money = IsMessageOf(field, "google.type.Money");
  switch (hostility) {
    case Hostility::kHugeString:
    case Hostility::kControlCharacters:
    case Hostility::kNulInString:
    case Hostility::kNonAscii:
    case Hostility::kInvalidUtf8:
      return field.cpp_type() == FieldDescriptor::CPPTYPE_STRING || money;
    case Hostility::kNegative:
    case Hostility::kZero:
    case Hostility::kExtreme:
      return (field.cpp_type() != FieldDescriptor::CPPTYPE_STRING &&
              field.cpp_type() != FieldDescriptor::CPPTYPE_BOOL &&
              field.cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) ||
             timestamp || duration || money;
    case Hostility::kMoneyMismatchedSigns:
    case Hostility::kMoneyHugeUnits:
      return money;
    case Hostility::kYearOne:
      return timestamp;
    case Hostility::kYear9999:
    case Hostility::kNegativeSeconds:
      return timestamp || duration;
    case Hostility::kEnumOutsideEnum:
      return field.cpp_type() == FieldDescriptor::CPPTYPE_ENUM;
    case Hostility::kRepeatedOverLimit:
      return field.is_repeated() && !IsOutputOnly(field);
    case Hostility::kPageSizeMinusOne:
    case Hostility::kPageSizeBillion:
      return field.name() == "page_size";
    case Hostility::kNone:
      return false;
  }
  return false;
}

bool HasBehavior(const FieldDescriptor& field, google::api::FieldBehavior behavior) {
  const auto& options = field.options();
  for (int i = 0; i < options.ExtensionSize(google::api::field_behavior); ++i) {
    if (options.GetExtension(google::api::field_behavior, i) == behavior) return true;
  }
  return false;
}

bool IsOutputOnly(const FieldDescriptor& field) {
  return HasBehavior(field, google::api::OUTPUT_ONLY);
}

// Fills one request. Plausible values come from the field's name and annotations; hostile
// ones replace them where the variant says so.
class RequestFiller {
 public:
  RequestFiller(const KnownRecords& known, const RequestVariant& variant, uint32_t seed,
                int64_t& request_count)
      : known_(known), variant_(variant), random_(seed), request_count_(request_count) {
    one_field_hostility_ =
        variant.mixed ? kEveryHostility[seed % std::size(kEveryHostility)] : variant.hostility;
  }

  // one_field: the fields the hostility fits, counted by a fill with no target, and the one
  // (in the order a fill with the same seed meets them) that gets it.
  int fitting_fields() const { return fitting_fields_; }
  const std::string& poisoned_field() const { return poisoned_field_; }
  void set_target(int target) { target_ = target; }

  // Poisons the one target field of a valid request and leaves the rest as they are.
  void Mutate(Message& message, int depth) {
    const Descriptor& type = *message.GetDescriptor();
    const Reflection& reflection = *message.GetReflection();
    for (int i = 0; i < type.field_count(); ++i) {
      const FieldDescriptor& field = *type.field(i);
      const bool present = field.is_repeated()
                               ? reflection.FieldSize(message, &field) > 0
                               : !field.has_presence() || reflection.HasField(message, &field);
      // Another member of a oneof that is set would unset it.
      if (field.real_containing_oneof() != nullptr && !present) continue;
      path_.push_back(field.name());
      Hostility hostility = Draw(field, false);
      if (hostility != Hostility::kNone) {
        if (hostility != Hostility::kRepeatedOverLimit) reflection.ClearField(&message, &field);
        Apply(message, field, hostility, depth, false);
      } else if (field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && present &&
                 depth < kMaxDepth) {
        Mutate(field.is_repeated() ? *reflection.MutableRepeatedMessage(&message, &field, 0)
                                   : *reflection.MutableMessage(&message, &field),
               depth + 1);
      }
      path_.pop_back();
    }
  }

  void Fill(Message& message, int depth, bool plausible_only) {
    const Descriptor& type = *message.GetDescriptor();
    for (int i = 0; i < type.field_count(); ++i) {
      const FieldDescriptor& field = *type.field(i);
      if (const OneofDescriptor* oneof = field.real_containing_oneof()) {
        if (field.index_in_oneof() != ChosenMember(*oneof)) continue;
      }
      if (field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && depth >= kMaxDepth) continue;
      // With one poisoned field, optional parts are there half of the time, so that requests
      // of other shapes (a subscription without a webhook) get past validation too.
      if (variant_.one_field && field.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
          !field.is_repeated() && !HasBehavior(field, google::api::REQUIRED) && Chance(0.5)) {
        continue;
      }
      FillField(message, field, depth, plausible_only);
    }
  }

  std::string PlausibleString(const FieldDescriptor& field) {
    const std::string& name = field.name();
    if (name == "request_id") return "sweep-request-" + std::to_string(++request_count_);
    if (name == "event_id") return "sweep-event-" + std::to_string(++request_count_);
    switch (field.options().GetExtension(v1::code)) {
      case v1::CODE_KIND_PRODUCT:
        return known_.product_code;
      case v1::CODE_KIND_INVENTORY:
        return known_.inventory_code;
      case v1::CODE_KIND_SKILL:
        return known_.skill_code;
      default:
        break;
    }
    if (auto known = known_.ids_by_field.find(name); known != known_.ids_by_field.end()) {
      return known->second;
    }
    static const std::map<std::string, std::string> kByName = {
        {"currency_code", "EUR"},
        {"url", "http://127.0.0.1:9/sweep"},
        {"address", "127.0.0.1:9"},
        {"email", "sweep@example.com"},
        {"phone", "+49 30 1234567"},
        {"region_code", "DE"},
        {"language_code", "en"},
        {"postal_code", "10115"},
        {"page_token", ""},
        {"etag", ""},
        {"out_of_service_id", ""},  // empty: a new period
        {"cursor", ""},
        {"source_service", "inventory"},
        {"webhook_secret", "sweep-webhook-secret-0123456789"},
    };
    if (auto fixed = kByName.find(name); fixed != kByName.end()) return fixed->second;
    return "Sweep " + name;
  }

  std::string HostileString(const std::string& base, Hostility hostility) {
    const std::string nul(1, '\0');
    switch (hostility) {
      case Hostility::kHugeString: {
        std::string huge = base;
        huge.resize(kHugeStringBytes, 'x');
        return huge;
      }
      case Hostility::kControlCharacters:
        return Pick<std::string>({base + "\x01\x02\x03", base + "\r\nx-injected: 1",
                                  "\x1b[31m" + base + "\x1b[0m", base + "\t\b\x7f", base + "\n"});
      case Hostility::kNulInString:
        return Pick<std::string>({base + nul + "zzz", base + nul, nul + base});
      case Hostility::kNonAscii:
        return Pick<std::string>({base + " Z\xc3\xbcrich", base + " \xe6\x9d\xb1\xe4\xba\xac",
                                  base + " \xf0\x9f\x98\x80", "\xe2\x80\xae" + base,
                                  base + "\xc2\xa0\xe2\x80\x8b", "\xc4\xb0" + base});
      case Hostility::kInvalidUtf8: {
        const size_t middle = base.size() / 2;
        return Pick<std::string>({"\xff" + base,
                                  base.substr(0, middle) + "\xc3\x28" + base.substr(middle),
                                  base + "\xe2\x82", base + "\xed\xa0\x80", base + "\xc0\x80"});
      }
      default:
        return base;
    }
  }

  std::string RandomBytes(size_t size) {
    std::string bytes(size, '\0');
    for (char& byte : bytes) byte = static_cast<char>(random_() & 0xff);
    return bytes;
  }

 private:
  template <typename Value>
  Value Pick(std::initializer_list<Value> choices) {
    return *(choices.begin() + random_() % choices.size());
  }

  bool Chance(double probability) {
    return std::uniform_real_distribution<double>(0.0, 1.0)(random_) < probability;
  }

  int ChosenMember(const OneofDescriptor& oneof) {
    auto [chosen, added] = oneof_members_.try_emplace(&oneof, 0);
    if (added) chosen->second = static_cast<int>(random_() % oneof.field_count());
    return chosen->second;
  }

  Hostility Draw(const FieldDescriptor& field, bool plausible_only) {
    if (variant_.one_field) {
      if (plausible_only || !Fits(one_field_hostility_, field)) return Hostility::kNone;
      if (fitting_fields_++ != target_) return Hostility::kNone;
      for (const std::string& step : path_) {
        poisoned_field_ += (poisoned_field_.empty() ? "" : ".") + step;
      }
      return one_field_hostility_;
    }
    if (plausible_only || (variant_.hostility == Hostility::kNone && !variant_.mixed)) {
      return Hostility::kNone;
    }
    if (!Chance(variant_.share)) return Hostility::kNone;
    Hostility hostility = variant_.mixed ? kEveryHostility[random_() % std::size(kEveryHostility)]
                                         : variant_.hostility;
    // What only makes a request bigger goes where a caller may write: the server ignores
    // output-only fields, and inflating them too would only run into the 4 MB limit.
    if ((hostility == Hostility::kHugeString || hostility == Hostility::kRepeatedOverLimit) &&
        IsOutputOnly(field)) {
      return Hostility::kNone;
    }
    return hostility;
  }

  void FillField(Message& message, const FieldDescriptor& field, int depth, bool plausible_only) {
    path_.push_back(field.name());
    FillNamedField(message, field, depth, plausible_only);
    path_.pop_back();
  }

  void FillNamedField(Message& message, const FieldDescriptor& field, int depth,
                      bool plausible_only) {
    Apply(message, field, Draw(field, plausible_only), depth, plausible_only);
  }

  void Apply(Message& message, const FieldDescriptor& field, Hostility hostility, int depth,
             bool plausible_only) {
    if (!field.is_repeated()) {
      PutValue(message, field, hostility, depth, plausible_only);
      return;
    }
    if (hostility == Hostility::kRepeatedOverLimit) {
      // One list far over its limit per path, of plausible elements: not lists of lists.
      uint32_t limit = field.options().GetExtension(v1::max_items);
      int count = limit == 0 ? 1001 : static_cast<int>(std::min<uint32_t>(3 * limit + 1, 30001));
      for (int i = 0; i < count; ++i) PutValue(message, field, Hostility::kNone, depth, true);
      return;
    }
    PutValue(message, field, hostility, depth, plausible_only);
  }

  void PutValue(Message& message, const FieldDescriptor& field, Hostility hostility, int depth,
                bool plausible_only) {
    const Reflection& reflection = *message.GetReflection();
    const bool add = field.is_repeated();
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string value = HostileString(PlausibleString(field), hostility);
        add ? reflection.AddString(&message, &field, value)
            : reflection.SetString(&message, &field, value);
        break;
      }
      case FieldDescriptor::CPPTYPE_INT32: {
        auto value = static_cast<int32_t>(Integer(field, hostility, INT32_MIN, INT32_MAX));
        add ? reflection.AddInt32(&message, &field, value)
            : reflection.SetInt32(&message, &field, value);
        break;
      }
      case FieldDescriptor::CPPTYPE_INT64: {
        int64_t value = Integer(field, hostility, std::numeric_limits<int64_t>::min(),
                                std::numeric_limits<int64_t>::max());
        add ? reflection.AddInt64(&message, &field, value)
            : reflection.SetInt64(&message, &field, value);
        break;
      }
      case FieldDescriptor::CPPTYPE_UINT32: {
        auto value = static_cast<uint32_t>(Unsigned(hostility, UINT32_MAX));
        add ? reflection.AddUInt32(&message, &field, value)
            : reflection.SetUInt32(&message, &field, value);
        break;
      }
      case FieldDescriptor::CPPTYPE_UINT64: {
        uint64_t value = Unsigned(hostility, UINT64_MAX);
        add ? reflection.AddUInt64(&message, &field, value)
            : reflection.SetUInt64(&message, &field, value);
        break;
      }
      case FieldDescriptor::CPPTYPE_DOUBLE: {
        double value = Real(hostility);
        add ? reflection.AddDouble(&message, &field, value)
            : reflection.SetDouble(&message, &field, value);
        break;
      }
      case FieldDescriptor::CPPTYPE_FLOAT: {
        auto value = static_cast<float>(Real(hostility));
        add ? reflection.AddFloat(&message, &field, value)
            : reflection.SetFloat(&message, &field, value);
        break;
      }
      case FieldDescriptor::CPPTYPE_BOOL: {
        bool value = Chance(0.5);
        add ? reflection.AddBool(&message, &field, value)
            : reflection.SetBool(&message, &field, value);
        break;
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        int value = EnumNumber(field, hostility);
        add ? reflection.AddEnumValue(&message, &field, value)
            : reflection.SetEnumValue(&message, &field, value);
        break;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        Message* child = add ? reflection.AddMessage(&message, &field)
                             : reflection.MutableMessage(&message, &field);
        FillMessage(*child, field, hostility, depth + 1, plausible_only);
        break;
      }
    }
  }

  // Timestamps, durations and money get values of their own; other messages are walked.
  void FillMessage(Message& message, const FieldDescriptor& field, Hostility hostility, int depth,
                   bool plausible_only) {
    const std::string& type = message.GetDescriptor()->full_name();
    if (type == "google.protobuf.Timestamp") {
      auto [seconds, nanos] = TimestampValue(field, hostility);
      SetSecondsAndNanos(message, seconds, nanos);
    } else if (type == "google.protobuf.Duration") {
      auto [seconds, nanos] = DurationValue(field, hostility);
      SetSecondsAndNanos(message, seconds, nanos);
    } else if (type == "google.type.Money") {
      FillMoney(message, hostility);
    } else {
      Fill(message, depth, plausible_only);
    }
  }

  static void SetSecondsAndNanos(Message& message, int64_t seconds, int32_t nanos) {
    const Descriptor& type = *message.GetDescriptor();
    const Reflection& reflection = *message.GetReflection();
    reflection.SetInt64(&message, type.FindFieldByName("seconds"), seconds);
    reflection.SetInt32(&message, type.FindFieldByName("nanos"), nanos);
  }

  std::pair<int64_t, int32_t> TimestampValue(const FieldDescriptor& field, Hostility hostility) {
    switch (hostility) {
      case Hostility::kYearOne:
        return {kYearOneSeconds, 0};
      case Hostility::kYear9999:
        return {kYear9999Seconds, 999999999};
      case Hostility::kNegativeSeconds:
        return Pick<std::pair<int64_t, int32_t>>(
            {{-1, 0}, {-365 * 24 * kSecondsPerHour, 0}, {-1, 999999999}});
      case Hostility::kNegative:
        return {-1, -1};
      case Hostility::kZero:
        return {0, 0};
      case Hostility::kExtreme:
        return Pick<std::pair<int64_t, int32_t>>({{std::numeric_limits<int64_t>::max(), 0},
                                                  {std::numeric_limits<int64_t>::min(), 0},
                                                  {kYear9999Seconds + 1, 0},
                                                  {0, std::numeric_limits<int32_t>::max()}});
      default:
        break;
    }
    // A day next week, in the order the vocabulary expects.
    static const std::map<std::string, int64_t> kHourOfDay = {
        {"not_before", 6},           {"no_later_than", 8},  {"load_in_time", 10},
        {"show_start_time", 19},     {"show_end_time", 23}, {"strike_time", 24},
        {"back_in_service_time", 48}};
    auto hour = kHourOfDay.find(field.name());
    return {known_.day0_seconds + (hour == kHourOfDay.end() ? 12 : hour->second) * kSecondsPerHour,
            0};
  }

  std::pair<int64_t, int32_t> DurationValue(const FieldDescriptor& field, Hostility hostility) {
    switch (hostility) {
      case Hostility::kNegative:
      case Hostility::kNegativeSeconds:
        return Pick<std::pair<int64_t, int32_t>>({{-kSecondsPerHour, 0}, {-1, -999999999}});
      case Hostility::kZero:
        return {0, 0};
      case Hostility::kExtreme:
        // One nanosecond (a bucket size that makes a range into 10^14 buckets), the type's
        // limits, one second past the largest valid duration, and mismatched signs.
        return Pick<std::pair<int64_t, int32_t>>({{0, 1},
                                                  {std::numeric_limits<int64_t>::max(), 0},
                                                  {kMaxDurationSeconds + 1, 0},
                                                  {1, -1}});
      case Hostility::kYear9999:
        return {kMaxDurationSeconds, 0};
      default:
        break;
    }
    const std::string& name = field.name();
    if (name == "start_offset" || name == "shift_duration") return {8 * kSecondsPerHour, 0};
    if (name == "contracted_weekly_duration") return {40 * kSecondsPerHour, 0};
    return {kSecondsPerHour, 0};
  }

  void FillMoney(Message& money, Hostility hostility) {
    const Descriptor& type = *money.GetDescriptor();
    const Reflection& reflection = *money.GetReflection();
    std::string currency = HostileString("EUR", hostility);
    int64_t units = 100;
    int32_t nanos = 0;
    switch (hostility) {
      case Hostility::kMoneyMismatchedSigns:
        std::tie(units, nanos) =
            Pick<std::pair<int64_t, int32_t>>({{5, -500000000}, {-5, 500000000}});
        break;
      case Hostility::kMoneyHugeUnits:
        std::tie(units, nanos) =
            Pick<std::pair<int64_t, int32_t>>({{std::numeric_limits<int64_t>::max(), 999999999},
                                               {std::numeric_limits<int64_t>::min(), -999999999}});
        break;
      case Hostility::kNegative:
        units = -100;
        break;
      case Hostility::kZero:
        units = 0;
        break;
      case Hostility::kExtreme:
        std::tie(units, nanos) = Pick<std::pair<int64_t, int32_t>>(
            {{0, 1000000000}, {std::numeric_limits<int64_t>::max(), 0}});
        break;
      default:
        break;
    }
    reflection.SetString(&money, type.FindFieldByName("currency_code"), currency);
    reflection.SetInt64(&money, type.FindFieldByName("units"), units);
    reflection.SetInt32(&money, type.FindFieldByName("nanos"), nanos);
  }

  int64_t Integer(const FieldDescriptor& field, Hostility hostility, int64_t type_min,
                  int64_t type_max) {
    const auto& options = field.options();
    const bool has_min = options.HasExtension(v1::min_value);
    const bool has_max = options.HasExtension(v1::max_value);
    const bool page_size = field.name() == "page_size";
    // expected_revision 0, like an empty etag, skips the staleness check: a request is not
    // refused as stale before its content is looked at.
    int64_t plausible = page_size ? 10 : field.name() == "expected_revision" ? 0 : 1;
    if (auto known = known_.numbers_by_field.find(field.name());
        known != known_.numbers_by_field.end()) {
      plausible = known->second;
    }
    if (has_min) plausible = std::max<int64_t>(plausible, options.GetExtension(v1::min_value));
    if (has_max) plausible = std::min<int64_t>(plausible, options.GetExtension(v1::max_value));
    switch (hostility) {
      case Hostility::kNegative:
        return Pick<int64_t>({-1, std::max<int64_t>(type_min, -1000000)});
      case Hostility::kZero:
        return 0;
      case Hostility::kExtreme: {
        int64_t past_max =
            has_max ? std::min(type_max, options.GetExtension(v1::max_value) + 1) : type_max;
        return Pick<int64_t>({type_max, type_min, past_max});
      }
      case Hostility::kPageSizeMinusOne:
        return page_size ? -1 : plausible;
      case Hostility::kPageSizeBillion:
        return page_size ? 1000000000 : plausible;
      default:
        return plausible;
    }
  }

  uint64_t Unsigned(Hostility hostility, uint64_t type_max) {
    switch (hostility) {
      case Hostility::kNegative:
      case Hostility::kExtreme:
        return type_max;
      case Hostility::kZero:
        return 0;
      default:
        return 1;
    }
  }

  double Real(Hostility hostility) {
    switch (hostility) {
      case Hostility::kNegative:
        return Pick<double>({-0.5, -1e300});
      case Hostility::kZero:
        return Pick<double>({0.0, -0.0});
      case Hostility::kExtreme:
        return Pick<double>({std::nan(""), std::numeric_limits<double>::infinity(),
                             -std::numeric_limits<double>::infinity(), 1e308, 4.9e-324, 2.0});
      default:
        return 0.5;
    }
  }

  int EnumNumber(const FieldDescriptor& field, Hostility hostility) {
    const google::protobuf::EnumDescriptor& type = *field.enum_type();
    switch (hostility) {
      case Hostility::kEnumOutsideEnum:
        for (int number : {Pick<int>({999, -1, INT32_MAX, INT32_MIN, 1000000}), 987654}) {
          if (type.FindValueByNumber(number) == nullptr) return number;
        }
        return 987654;
      case Hostility::kZero:
        return 0;
      case Hostility::kNegative:
        return -1;
      case Hostility::kExtreme:
        return Pick<int>({INT32_MAX, INT32_MIN});
      default:
        break;
    }
    // Values a caller must send for the request to get anywhere: sales creates quotes, and a
    // subscription with a role is an inbox.
    static const std::map<std::string, std::string> kByName = {
        {"stage", "ORDER_STAGE_QUOTED"}, {"channel", "SUBSCRIPTION_CHANNEL_INBOX"}};
    if (auto name = kByName.find(field.name()); name != kByName.end()) {
      if (const auto* value = type.FindValueByName(name->second)) return value->number();
    }
    if (type.value_count() <= 1) return 0;
    // Not the zero value: UNSPECIFIED is rarely what a plausible caller sends.
    return type.value(1 + static_cast<int>(random_() % (type.value_count() - 1)))->number();
  }

  const KnownRecords& known_;
  const RequestVariant& variant_;
  std::mt19937 random_;
  int64_t& request_count_;
  std::map<const OneofDescriptor*, int> oneof_members_;
  Hostility one_field_hostility_ = Hostility::kNone;
  int fitting_fields_ = 0;
  int target_ = -1;
  std::vector<std::string> path_;  // of the field being filled
  std::string poisoned_field_;
};

std::string HostilityName(Hostility hostility) {
  switch (hostility) {
    case Hostility::kNone:
      return "mixed";
    case Hostility::kHugeString:
      return "100kB";
    case Hostility::kControlCharacters:
      return "control-characters";
    case Hostility::kNulInString:
      return "nul";
    case Hostility::kNonAscii:
      return "non-ascii";
    case Hostility::kInvalidUtf8:
      return "invalid-utf8";
    case Hostility::kNegative:
      return "negative";
    case Hostility::kZero:
      return "zero";
    case Hostility::kExtreme:
      return "extreme";
    case Hostility::kMoneyMismatchedSigns:
      return "money-mismatched-signs";
    case Hostility::kMoneyHugeUnits:
      return "money-huge-units";
    case Hostility::kYearOne:
      return "year-1";
    case Hostility::kYear9999:
      return "year-9999";
    case Hostility::kNegativeSeconds:
      return "negative-seconds";
    case Hostility::kEnumOutsideEnum:
      return "enum-outside-enum";
    case Hostility::kRepeatedOverLimit:
      return "over-limit";
    case Hostility::kPageSizeMinusOne:
      return "page-size-minus-1";
    case Hostility::kPageSizeBillion:
      return "page-size-1e9";
  }
  return "?";
}

std::unique_ptr<Message> NewMessage(const Descriptor& type) {
  return std::unique_ptr<Message>(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(&type)->New());
}

}  // namespace

std::vector<RequestVariant> HostileVariants() {
  using H = Hostility;
  using S = RequestShape;
  std::vector<RequestVariant> variants = {
      {"empty", S::kEmpty},
      {"plausible", S::kGenerated},
      {"strings-100kB", S::kGenerated, H::kHugeString},
      {"strings-100kB-some", S::kGenerated, H::kHugeString, 0.3},
      {"strings-control-characters", S::kGenerated, H::kControlCharacters},
      {"strings-nul", S::kGenerated, H::kNulInString},
      {"strings-nul-some", S::kGenerated, H::kNulInString, 0.3},
      {"strings-non-ascii", S::kGenerated, H::kNonAscii},
      {"strings-invalid-utf8", S::kGenerated, H::kInvalidUtf8},
      {"strings-invalid-utf8-some", S::kGenerated, H::kInvalidUtf8, 0.3},
      {"numbers-negative", S::kGenerated, H::kNegative},
      {"numbers-zero", S::kGenerated, H::kZero},
      {"numbers-extreme", S::kGenerated, H::kExtreme},
      {"numbers-extreme-some", S::kGenerated, H::kExtreme, 0.3},
      {"money-mismatched-signs", S::kGenerated, H::kMoneyMismatchedSigns},
      {"money-huge-units", S::kGenerated, H::kMoneyHugeUnits},
      {"timestamps-year-1", S::kGenerated, H::kYearOne},
      {"timestamps-year-9999", S::kGenerated, H::kYear9999},
      {"timestamps-negative-seconds", S::kGenerated, H::kNegativeSeconds},
      {"enums-outside-enum", S::kGenerated, H::kEnumOutsideEnum},
      {"repeated-over-limit", S::kGenerated, H::kRepeatedOverLimit},
      {"page-size-minus-1", S::kGenerated, H::kPageSizeMinusOne},
      {"page-size-1e9", S::kGenerated, H::kPageSizeBillion},
      {"request-id-control-characters", S::kRequestIdOnly, H::kControlCharacters},
      {"request-id-non-ascii", S::kRequestIdOnly, H::kNonAscii},
      {"request-id-100kB", S::kRequestIdOnly, H::kHugeString},
      {"request-id-nul", S::kRequestIdOnly, H::kNulInString},
      {"request-id-invalid-utf8", S::kRequestIdOnly, H::kInvalidUtf8},
      {.name = "random-bytes-16", .shape = S::kRandomBytes, .size = 16},
      {.name = "random-bytes-300", .shape = S::kRandomBytes, .size = 300},
      {.name = "random-bytes-5000", .shape = S::kRandomBytes, .size = 5000},
      {"truncated", S::kTruncated},
      {"unknown-fields", S::kUnknownFields},
      {"mixed-1", S::kGenerated, H::kNone, 0.5, true},
      {"mixed-2", S::kGenerated, H::kNone, 0.5, true},
      {"mixed-3", S::kGenerated, H::kNone, 0.5, true},
  };
  // One poisoned field per request, each variant (by its seed) a different field.
  const std::vector<std::pair<Hostility, int>> one_field = {{H::kNulInString, 5},
                                                            {H::kControlCharacters, 3},
                                                            {H::kNonAscii, 3},
                                                            {H::kHugeString, 3},
                                                            {H::kNegative, 3},
                                                            {H::kZero, 2},
                                                            {H::kExtreme, 5},
                                                            {H::kMoneyMismatchedSigns, 1},
                                                            {H::kMoneyHugeUnits, 1},
                                                            {H::kYearOne, 2},
                                                            {H::kYear9999, 2},
                                                            {H::kNegativeSeconds, 2},
                                                            {H::kEnumOutsideEnum, 3},
                                                            {H::kRepeatedOverLimit, 2},
                                                            {H::kNone, 6}};
  for (const auto& [hostility, count] : one_field) {
    for (int i = 1; i <= count; ++i) {
      RequestVariant variant;
      variant.hostility = hostility;
      variant.mixed = hostility == H::kNone;
      variant.one_field = true;
      variant.name = absl::StrFormat("one-field-%s-%d", HostilityName(hostility), i);
      variants.push_back(variant);
    }
  }
  // A valid request with each of its fields poisoned in turn (up to 12 per hostility), and a
  // few with one field poisoned by a hostility of the seed's choosing.
  for (Hostility hostility : kEveryHostility) {
    if (hostility == H::kInvalidUtf8 || hostility == H::kPageSizeMinusOne ||
        hostility == H::kPageSizeBillion) {
      continue;  // unparsable, or no exemplar has a page size
    }
    for (int i = 0; i < 12; ++i) {
      RequestVariant variant;
      variant.hostility = hostility;
      variant.one_field = true;
      variant.from_exemplar = true;
      variant.field_index = i;
      variant.name = absl::StrFormat("exemplar-%s-%d", HostilityName(hostility), i + 1);
      variants.push_back(variant);
    }
  }
  for (int i = 1; i <= 6; ++i) {
    RequestVariant variant;
    variant.mixed = true;
    variant.one_field = true;
    variant.from_exemplar = true;
    variant.name = absl::StrFormat("exemplar-mixed-%d", i);
    variants.push_back(variant);
  }
  return variants;
}

std::optional<GeneratedRequest> HostileRequestGenerator::Generate(const Descriptor& type,
                                                                  const RequestVariant& variant,
                                                                  uint32_t seed,
                                                                  const KnownRecords& known) {
  // Protobuf logs an error for every invalid UTF-8 string it serializes; here that is the point.
  google::protobuf::LogSilencer quiet;
  RequestFiller filler(known, variant, seed, request_count_);
  std::unique_ptr<Message> request = NewMessage(type);
  if (variant.from_exemplar) {
    auto exemplar = known.exemplars.find(type.full_name());
    if (exemplar == known.exemplars.end() || !request->ParseFromString(exemplar->second)) {
      return std::nullopt;
    }
    // The same walk over the same exemplar meets the same fields in the same order.
    int64_t unused_count = 0;
    RequestFiller counter(known, variant, seed, unused_count);
    std::unique_ptr<Message> copy(request->New());
    copy->CopyFrom(*request);
    counter.Mutate(*copy, 0);
    if (counter.fitting_fields() == 0 || variant.field_index >= counter.fitting_fields()) {
      return std::nullopt;
    }
    filler.set_target(variant.field_index >= 0
                          ? variant.field_index
                          : static_cast<int>(std::mt19937(seed)() % counter.fitting_fields()));
    filler.Mutate(*request, 0);
    return GeneratedRequest{request->SerializeAsString(), filler.poisoned_field()};
  }
  switch (variant.shape) {
    case RequestShape::kEmpty:
      return GeneratedRequest{};
    case RequestShape::kRandomBytes:
      return GeneratedRequest{filler.RandomBytes(variant.size), ""};
    case RequestShape::kGenerated:
      if (variant.one_field) {
        // The same seed meets the same fields in the same order, up to the target.
        int64_t unused_count = 0;
        RequestFiller counter(known, variant, seed, unused_count);
        counter.Fill(*NewMessage(type), 0, false);
        if (counter.fitting_fields() == 0) return std::nullopt;
        filler.set_target(static_cast<int>(std::mt19937(seed)() % counter.fitting_fields()));
      }
      filler.Fill(*request, 0, false);
      break;
    case RequestShape::kRequestIdOnly: {
      const FieldDescriptor* field = type.FindFieldByName("request_id");
      if (field == nullptr || field->type() != FieldDescriptor::TYPE_STRING) return std::nullopt;
      filler.Fill(*request, 0, true);
      request->GetReflection()->SetString(
          request.get(), field,
          filler.HostileString(filler.PlausibleString(*field), variant.hostility));
      break;
    }
    case RequestShape::kTruncated: {
      filler.Fill(*request, 0, true);
      std::string whole = request->SerializeAsString();
      // Field 1, length-delimited, claiming five bytes of which two follow.
      if (whole.size() < 4)
        return GeneratedRequest{std::string("\x0a\x05"
                                            "ab",
                                            4),
                                ""};
      return GeneratedRequest{whole.substr(0, whole.size() / 2 + 1), ""};
    }
    case RequestShape::kUnknownFields: {
      filler.Fill(*request, 0, true);
      google::protobuf::UnknownFieldSet* unknown =
          request->GetReflection()->MutableUnknownFields(request.get());
      unknown->AddVarint(536870911, std::numeric_limits<uint64_t>::max());
      unknown->AddLengthDelimited(536870910, filler.RandomBytes(64));
      unknown->AddFixed32(99999, 0xdeadbeef);
      break;
    }
  }
  return GeneratedRequest{request->SerializeAsString(), filler.poisoned_field()};
}

bool ParsesAs(const Descriptor& type, const std::string& bytes) {
  google::protobuf::LogSilencer quiet;
  return NewMessage(type)->ParseFromString(bytes);
}

std::string Printable(std::string_view text, size_t limit) {
  std::string printable;
  for (unsigned char c : text) {
    if (printable.size() >= limit) {
      return printable + absl::StrFormat("...(%d bytes)", text.size());
    }
    if (c == '\\') {
      printable += "\\\\";
    } else if (c < 0x20 || c >= 0x7f) {
      printable += absl::StrFormat("\\x%02x", c);
    } else {
      printable += static_cast<char>(c);
    }
  }
  return printable;
}

}  // namespace salesops::testing
