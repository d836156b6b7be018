#include "services/common/validation.h"

#include <absl/strings/str_cat.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include <optional>

#include "google/api/field_behavior.pb.h"
#include "google/type/money.pb.h"
#include "salesops/v1/vocabulary.pb.h"

namespace salesops::common {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// "product", "inventory", "skill": how a code kind reads in a field violation.
const char* CodeKindWord(v1::CodeKind kind) {
  switch (kind) {
    case v1::CODE_KIND_PRODUCT:
      return "product";
    case v1::CODE_KIND_INVENTORY:
      return "inventory";
    case v1::CODE_KIND_SKILL:
      return "skill";
    default:
      return "catalog";
  }
}

// Event business lives in 2000-01-01 .. 2199-12-31; bounding every time (and every duration to
// the same 200 years) keeps all arithmetic on them far from any overflow.
constexpr int64_t kMinTimestampSeconds = 946684800;   // 2000-01-01T00:00:00Z
constexpr int64_t kMaxTimestampSeconds = 7258118399;  // 2199-12-31T23:59:59Z
static_assert(kMaxDurationSeconds == kMaxTimestampSeconds - kMinTimestampSeconds + 1);

// The length of the UTF-8 character that starts at `text[at]` (1 to 4 bytes), or 0 when the
// bytes there are not one: a stray continuation byte, an overlong form, a surrogate, a code
// point above U+10FFFF or a sequence cut short.
size_t Utf8CharacterLength(std::string_view text, size_t at) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char second_min = 0x80, second_max = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead == 0xe0) second_min = 0xa0;
    if (lead == 0xed) second_max = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead == 0xf0) second_min = 0x90;
    if (lead == 0xf4) second_max = 0x8f;
  } else {
    return 0;
  }
  if (at + length > text.size() || byte(at + 1) < second_min || byte(at + 1) > second_max) {
    return 0;
  }
  for (size_t i = at + 2; i < at + length; ++i) {
    if ((byte(i) & 0xc0) != 0x80) return 0;
  }
  return length;
}

// The length of the control character at `text[at]` (C0 and DEL: 1 byte; C1, U+0080..U+009F:
// 2 bytes), or 0 when there is none. Newlines, carriage returns and tabs are text, not control,
// in multi-line fields.
size_t ControlCharacterLength(std::string_view text, size_t at, bool multi_line) {
  const unsigned char c = static_cast<unsigned char>(text[at]);
  if (multi_line && (c == '\n' || c == '\r' || c == '\t')) return 0;
  if (c < 0x20 || c == 0x7f) return 1;
  if (c == 0xc2 && at + 1 < text.size() && static_cast<unsigned char>(text[at + 1]) >= 0x80 &&
      static_cast<unsigned char>(text[at + 1]) <= 0x9f) {
    return 2;
  }
  return 0;
}

// The byte offset of the first control character in `text`: C0 (NUL included), DEL, or C1
// (U+0080..U+009F). Newlines, carriage returns and tabs pass in multi-line text. A NUL would
// otherwise cut an id short on its way to PostgreSQL and make it name another record.
std::optional<size_t> FirstControlCharacter(std::string_view text, bool multi_line) {
  for (size_t at = 0; at < text.size(); ++at) {
    if (ControlCharacterLength(text, at, multi_line) > 0) return at;
  }
  return std::nullopt;
}

// `text` passing the text rules: bytes that are not UTF-8 become U+FFFD, control characters
// spaces, and the result is cut to `max_bytes` at a character boundary.
std::string FitText(std::string_view text, bool multi_line, size_t max_bytes) {
  std::string fitted;
  fitted.reserve(text.size());
  for (size_t at = 0; at < text.size();) {
    const size_t length = Utf8CharacterLength(text, at);
    if (length == 0) {
      fitted += "\uFFFD";
      ++at;
      continue;
    }
    if (ControlCharacterLength(text, at, multi_line) > 0) {
      fitted += ' ';
    } else {
      fitted.append(text.substr(at, length));
    }
    at += length;
  }
  return TruncateText(fitted, max_bytes);
}

bool IsValidTime(const google::protobuf::Timestamp& timestamp) {
  return timestamp.seconds() >= kMinTimestampSeconds &&
         timestamp.seconds() <= kMaxTimestampSeconds && timestamp.nanos() >= 0 &&
         timestamp.nanos() <= 999999999;
}

bool IsNegativeDuration(const Message& message) {
  if (message.GetDescriptor() != google::protobuf::Duration::descriptor()) return false;
  const auto& duration = static_cast<const google::protobuf::Duration&>(message);
  return duration.seconds() < 0 || duration.nanos() < 0;
}

// Durations are lengths (prep time, travel, a shift), never negative, except for the changes
// and margins the vocabulary names so: `*_delta` (crew time added or removed) and `slack`.
bool MayBeNegative(const FieldDescriptor& field) {
  const std::string& name = field.name();
  return name == "slack" || (name.size() > 6 && name.compare(name.size() - 6, 6, "_delta") == 0);
}

bool HasBehavior(const FieldDescriptor& field, google::api::FieldBehavior behavior) {
  const auto& options = field.options();
  for (int i = 0; i < options.ExtensionSize(google::api::field_behavior); ++i) {
    if (options.GetExtension(google::api::field_behavior, i) == behavior) return true;
  }
  return false;
}

class RequestValidator {
 public:
  std::vector<FieldViolation> Run(const Message& request) {
    ValidateMessage(request, "");
    return std::move(violations_);
  }

 private:
  void Add(const std::string& field, std::string description) {
    violations_.push_back({field, std::move(description)});
  }

  void ValidateMessage(const Message& message, const std::string& path) {
    ValidateVocabularyType(message, path);
    const Descriptor* descriptor = message.GetDescriptor();
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const FieldDescriptor* field = descriptor->field(i);
      if (HasBehavior(*field, google::api::OUTPUT_ONLY)) continue;
      std::string field_path =
          path.empty() ? field->name() : absl::StrCat(path, ".", field->name());
      if (field->is_repeated()) {
        ValidateRepeated(message, *field, field_path);
      } else {
        ValidateSingular(message, *field, field_path);
      }
    }
  }

  void ValidateRepeated(const Message& message, const FieldDescriptor& field,
                        const std::string& path) {
    const Reflection* reflection = message.GetReflection();
    int size = reflection->FieldSize(message, &field);
    if (size == 0 && HasBehavior(field, google::api::REQUIRED)) {
      Add(path, "is required");
    }
    uint32_t max_items = field.options().GetExtension(v1::max_items);
    if (max_items > 0 && static_cast<uint32_t>(size) > max_items) {
      Add(path, absl::StrCat("has ", size, " items; at most ", max_items, " are allowed"));
      return;  // no point reporting each element of an oversized list
    }
    if (field.is_map()) return;
    for (int i = 0; i < size; ++i) {
      std::string element_path = absl::StrCat(path, "[", i, "]");
      switch (field.cpp_type()) {
        case FieldDescriptor::CPPTYPE_MESSAGE:
          ValidateMessage(reflection->GetRepeatedMessage(message, &field, i), element_path);
          break;
        case FieldDescriptor::CPPTYPE_STRING:
          ValidateString(field, reflection->GetRepeatedString(message, &field, i), element_path,
                         /*required=*/true);
          break;
        case FieldDescriptor::CPPTYPE_INT32:
          ValidateInteger(field, reflection->GetRepeatedInt32(message, &field, i), element_path);
          break;
        case FieldDescriptor::CPPTYPE_INT64:
          ValidateInteger(field, reflection->GetRepeatedInt64(message, &field, i), element_path);
          break;
        case FieldDescriptor::CPPTYPE_ENUM:
          ValidateEnum(field, reflection->GetRepeatedEnumValue(message, &field, i), element_path,
                       /*required=*/true);
          break;
        default:
          break;
      }
    }
  }

  void ValidateSingular(const Message& message, const FieldDescriptor& field,
                        const std::string& path) {
    const Reflection* reflection = message.GetReflection();
    bool required = HasBehavior(field, google::api::REQUIRED);
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (reflection->HasField(message, &field)) {
          const Message& value = reflection->GetMessage(message, &field);
          const size_t reported = violations_.size();
          ValidateMessage(value, path);
          if (violations_.size() == reported && IsNegativeDuration(value) &&
              !MayBeNegative(field)) {
            Add(path, "must not be negative");
          }
        } else if (required) {
          Add(path, "is required");
        }
        break;
      case FieldDescriptor::CPPTYPE_STRING:
        ValidateString(field, reflection->GetString(message, &field), path, required);
        break;
      case FieldDescriptor::CPPTYPE_INT32:
        ValidateInteger(field, reflection->GetInt32(message, &field), path);
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        ValidateInteger(field, reflection->GetInt64(message, &field), path);
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        ValidateInteger(field, reflection->GetUInt32(message, &field), path);
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        ValidateEnum(field, reflection->GetEnumValue(message, &field), path, required);
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE: {
        double value = reflection->GetDouble(message, &field);
        if (field.name() == "win_probability" && !(value >= 0.0 && value <= 1.0)) {
          Add(path, "must be between 0 and 1");
        }
        break;
      }
      default:
        break;
    }
  }

  void ValidateString(const FieldDescriptor& field, const std::string& value,
                      const std::string& path, bool required) {
    if (value.empty()) {
      if (required) Add(path, "is required");
      return;
    }
    uint32_t max_length = field.options().GetExtension(v1::max_length);
    if (max_length > 0 && value.size() > max_length) {
      Add(path,
          absl::StrCat("is ", value.size(), " bytes long; at most ", max_length, " are allowed"));
    }
    // Bytes (a logo) are not text: only their length is checked here.
    if (field.type() == FieldDescriptor::TYPE_BYTES) return;
    if (std::optional<size_t> at =
            FirstControlCharacter(value, field.options().GetExtension(v1::multi_line))) {
      Add(path, absl::StrCat("holds a control character at byte ", *at,
                             field.options().GetExtension(v1::multi_line)
                                 ? " (only newlines and tabs are allowed in this text)"
                                 : " (this field is one line of text)"));
      return;
    }
    if (field.name() == "request_id" && !IsSafeRequestId(value)) {
      Add(path, "may hold only letters, digits and . _ : - (at most 100 characters)");
    }
    v1::CodeKind kind = field.options().GetExtension(v1::code);
    if (kind != v1::CODE_KIND_UNSPECIFIED && !IsValidCatalogCode(value)) {
      Add(path, absl::StrCat("'", TruncateText(value, 60), "' is not a valid ", CodeKindWord(kind),
                             " code (upper-case letters, digits and '-', 2 to 40 characters, "
                             "not starting with '-')"));
    }
  }

  void ValidateInteger(const FieldDescriptor& field, int64_t value, const std::string& path) {
    const auto& options = field.options();
    if (options.HasExtension(v1::min_value) && value < options.GetExtension(v1::min_value)) {
      Add(path,
          absl::StrCat("is ", value, "; must be at least ", options.GetExtension(v1::min_value)));
    }
    if (options.HasExtension(v1::max_value) && value > options.GetExtension(v1::max_value)) {
      Add(path,
          absl::StrCat("is ", value, "; must be at most ", options.GetExtension(v1::max_value)));
    }
    if (field.name() == "page_size" && (value < 0 || value > kMaxPageSize)) {
      Add(path, absl::StrCat("is ", value, "; must be between 0 and ", kMaxPageSize));
    }
  }

  void ValidateEnum(const FieldDescriptor& field, int value, const std::string& path,
                    bool required) {
    if (field.enum_type()->FindValueByNumber(value) == nullptr) {
      Add(path, absl::StrCat("has unknown value ", value));
    } else if (required && value == 0) {
      Add(path, "is required");
    }
  }

  // Rules that come with a vocabulary type, wherever it is used.
  void ValidateVocabularyType(const Message& message, const std::string& path) {
    const std::string& type = message.GetDescriptor()->full_name();
    if (type == "google.protobuf.Timestamp") {
      if (!IsValidTime(static_cast<const google::protobuf::Timestamp&>(message))) {
        Add(path, "must be a time between 2000-01-01 and 2199-12-31 (UTC)");
      }
    } else if (type == "google.protobuf.Duration") {
      const auto& duration = static_cast<const google::protobuf::Duration&>(message);
      // No std::abs: it is undefined for INT64_MIN and INT32_MIN, which a caller can send.
      if (duration.seconds() < -kMaxDurationSeconds || duration.seconds() > kMaxDurationSeconds ||
          duration.nanos() < -999999999 || duration.nanos() > 999999999 ||
          (duration.seconds() > 0 && duration.nanos() < 0) ||
          (duration.seconds() < 0 && duration.nanos() > 0)) {
        Add(path, "is not a valid duration");
      }
    } else if (type == "google.type.Money") {
      ValidateMoney(static_cast<const google::type::Money&>(message), path);
    } else if (type == "salesops.v1.Window") {
      const auto& window = static_cast<const v1::Window&>(message);
      if (window.has_not_before() && window.has_no_later_than() &&
          (window.not_before().seconds() > window.no_later_than().seconds() ||
           (window.not_before().seconds() == window.no_later_than().seconds() &&
            window.not_before().nanos() >= window.no_later_than().nanos()))) {
        Add(path + ".not_before", "must be before no_later_than");
      } else if (window.has_not_before() && window.has_no_later_than() &&
                 IsValidTime(window.not_before()) && IsValidTime(window.no_later_than()) &&
                 window.no_later_than().seconds() - window.not_before().seconds() >
                     kMaxWindowSpanSeconds) {
        Add(path, absl::StrCat("spans more than ", kMaxWindowSpanDays,
                               " days; ask for a shorter window"));
      }
    } else if (type == "salesops.v1.DeliveryWindow") {
      const auto& delivery = static_cast<const v1::DeliveryWindow&>(message);
      if (delivery.pinned() && delivery.pinned_reason().empty()) {
        Add(path + ".pinned_reason",
            "is required for a pinned (exact-time) delivery: say why 'no later than' will not do");
      }
    }
  }

  void ValidateMoney(const google::type::Money& money, const std::string& path) {
    const std::string& currency = money.currency_code();
    bool currency_ok = currency.size() == 3;
    for (char c : currency) currency_ok = currency_ok && c >= 'A' && c <= 'Z';
    if (!currency_ok) {
      Add(path + ".currency_code", "must be a three-letter ISO 4217 code such as EUR");
    }
    if (money.nanos() <= -1000000000 || money.nanos() >= 1000000000) {
      Add(path + ".nanos", "must be between -999999999 and 999999999");
    } else if ((money.units() > 0 && money.nanos() < 0) ||
               (money.units() < 0 && money.nanos() > 0)) {
      Add(path + ".nanos", "must have the same sign as units");
    }
  }

  std::vector<FieldViolation> violations_;
};

}  // namespace

std::string OneLine(std::string_view text, size_t max_bytes) {
  return FitText(text, /*multi_line=*/false, max_bytes);
}

void FitTextToRules(google::protobuf::Message& message) {
  const Descriptor* descriptor = message.GetDescriptor();
  const Reflection* reflection = message.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (field->is_map()) continue;
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int k = 0; k < reflection->FieldSize(message, field); ++k) {
          FitTextToRules(*reflection->MutableRepeatedMessage(&message, field, k));
        }
      } else if (reflection->HasField(message, field)) {
        FitTextToRules(*reflection->MutableMessage(&message, field));
      }
      continue;
    }
    if (field->type() != FieldDescriptor::TYPE_STRING) continue;
    const bool multi_line = field->options().GetExtension(v1::multi_line);
    const uint32_t max_length = field->options().GetExtension(v1::max_length);
    const size_t max_bytes = max_length > 0 ? max_length : std::string::npos;
    if (field->is_repeated()) {
      for (int k = 0; k < reflection->FieldSize(message, field); ++k) {
        std::string value = reflection->GetRepeatedString(message, field, k);
        std::string fitted = FitText(value, multi_line, max_bytes);
        if (fitted != value) reflection->SetRepeatedString(&message, field, k, std::move(fitted));
      }
    } else {
      std::string value = reflection->GetString(message, field);
      std::string fitted = FitText(value, multi_line, max_bytes);
      if (fitted != value) reflection->SetString(&message, field, std::move(fitted));
    }
  }
}

bool IsSafeRequestId(std::string_view request_id) {
  if (request_id.empty() || request_id.size() > kMaxRequestIdLength) return false;
  for (char c : request_id) {
    bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == ':' || c == '-';
    if (!plain) return false;
  }
  return true;
}

bool IsPlainText(std::string_view text) {
  for (size_t at = 0; at < text.size();) {
    const size_t length = Utf8CharacterLength(text, at);
    if (length == 0 || ControlCharacterLength(text, at, /*multi_line=*/false) > 0) return false;
    at += length;
  }
  return true;
}

bool IsValidCatalogCode(std::string_view code) {
  if (code.size() < 2 || code.size() > 40) return false;
  auto upper_or_digit = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  if (!upper_or_digit(code.front())) return false;
  for (char c : code) {
    if (!upper_or_digit(c) && c != '-') return false;
  }
  return true;
}

std::vector<FieldViolation> ValidateRequest(const google::protobuf::Message& request) {
  return RequestValidator().Run(request);
}

absl::Status CheckRequest(const google::protobuf::Message& request) {
  std::vector<FieldViolation> violations = ValidateRequest(request);
  if (violations.empty()) return absl::OkStatus();
  return InvalidArgumentError(std::move(violations));
}

int EffectivePageSize(int requested) { return requested <= 0 ? kDefaultPageSize : requested; }

}  // namespace salesops::common
