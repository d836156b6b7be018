#include "vocabulary_rules.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "salesops/v1/vocabulary.pb.h"

namespace salesops::testing {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
using google::protobuf::MethodDescriptor;
using google::protobuf::ServiceDescriptor;

constexpr std::string_view kVocabularyPackage = "salesops.v1";

// "No favorites; let urgency be self-evident" (DESIGN.md §1): these words must not appear
// in any name, whatever the casing or the words around them.
constexpr std::array<std::string_view, 6> kFavoritismWords = {"priority", "vip",      "rush",
                                                              "urgent",   "favorite", "favourite"};

// A name token from this set means the field holds a point in time or a span of time.
const std::set<std::string, std::less<>> kTimeTokens = {
    "time",    "times",    "date",      "dates",  "deadline", "deadlines", "hours",    "minutes",
    "seconds", "duration", "durations", "start",  "end",      "before",    "after",    "until",
    "since",   "expire",   "expires",   "expiry", "lateness", "slack",     "overtime", "travel"};

// "at" marks a point in time only as the last word (`created_at`, `deliver_at`);
// elsewhere it is ordinary English (`at_risk_reason`).
constexpr std::string_view kTrailingTimeToken = "at";

// A scalar named with one of these unit suffixes is a time hiding in a number or a string.
constexpr std::array<std::string_view, 6> kTimeUnitSuffixes = {"_ms",      "_sec",   "_secs",
                                                               "_minutes", "_hours", "_days"};

const std::set<std::string, std::less<>> kMoneyTokens = {
    "price",     "prices", "cost", "costs",    "rate",  "amount", "revenue",
    "surcharge", "fee",    "fees", "subtotal", "money", "total"};

const std::set<std::string, std::less<>> kCodeTokens = {"code", "codes"};

// Catalog codes whose fields must be strings, wherever they are nested in a name
// (`component_inventory_code`, `used_by_product_codes`).
constexpr std::array<std::string_view, 6> kCatalogCodeNames = {
    "product_code", "product_codes", "inventory_code", "inventory_codes", "skill_code",
    "skill_codes"};

// Methods with these leading words only read (AIP-131/132 and the salesops read verbs).
constexpr std::array<std::string_view, 6> kReadOnlyMethodWords = {"Get",     "List",     "Check",
                                                                  "Resolve", "Forecast", "Watch"};
// ...except these, which move stock in and out of the warehouse.
constexpr std::array<std::string_view, 2> kMutatingCheckWords = {"CheckOut", "CheckIn"};

std::string ToLower(std::string_view text) {
  std::string lowered(text);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lowered;
}

std::vector<std::string> NameTokens(std::string_view field_name) {
  std::vector<std::string> tokens;
  std::string current;
  for (char c : ToLower(field_name)) {
    if (c == '_') {
      if (!current.empty()) tokens.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) tokens.push_back(std::move(current));
  return tokens;
}

std::optional<std::string> FirstTokenIn(const std::vector<std::string>& tokens,
                                        const std::set<std::string, std::less<>>& vocabulary) {
  for (const std::string& token : tokens) {
    if (vocabulary.contains(token)) return token;
  }
  return std::nullopt;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// True when `name` is exactly `suffix` or ends with `_` + `suffix`.
bool EndsWithWholeWords(std::string_view name, std::string_view suffix) {
  if (name == suffix) return true;
  return name.size() > suffix.size() && EndsWith(name, suffix) &&
         name[name.size() - suffix.size() - 1] == '_';
}

// True when the CamelCase method name begins with the whole word(s) `word`: "CheckIn"
// starts "CheckIn" and "CheckInUnits" but not "CheckInventory".
bool StartsWithCamelWord(std::string_view method_name, std::string_view word) {
  if (!method_name.starts_with(word)) return false;
  return method_name.size() == word.size() ||
         std::isupper(static_cast<unsigned char>(method_name[word.size()]));
}

bool IsMutating(std::string_view method_name) {
  for (std::string_view word : kMutatingCheckWords) {
    if (StartsWithCamelWord(method_name, word)) return true;
  }
  for (std::string_view word : kReadOnlyMethodWords) {
    if (StartsWithCamelWord(method_name, word)) return false;
  }
  return true;
}

// For a map field the value decides what the field holds; for any other field, itself.
const FieldDescriptor& HeldValue(const FieldDescriptor& field) {
  if (field.is_map()) return *field.message_type()->map_value();
  return field;
}

std::string TypeName(const FieldDescriptor& field) {
  if (field.message_type() != nullptr) return field.message_type()->full_name();
  if (field.enum_type() != nullptr) return field.enum_type()->full_name();
  return field.type_name();
}

bool IsNumberOrString(const FieldDescriptor& field) {
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64:
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
    case FieldDescriptor::CPPTYPE_STRING:
      return true;
    default:
      return false;
  }
}

bool IsSingular(const FieldDescriptor& field, FieldDescriptor::Type type) {
  return field.type() == type && !field.is_repeated();
}

bool HasSingularField(const Descriptor& message, const std::string& name,
                      FieldDescriptor::Type type) {
  const FieldDescriptor* field = message.FindFieldByName(name);
  return field != nullptr && IsSingular(*field, type);
}

class FileChecker {
 public:
  explicit FileChecker(const FileDescriptor& file) : file_(file) {}

  std::vector<std::string> Run() {
    for (int i = 0; i < file_.message_type_count(); ++i) CheckMessage(*file_.message_type(i));
    for (int i = 0; i < file_.enum_type_count(); ++i) CheckEnum(*file_.enum_type(i));
    for (int i = 0; i < file_.service_count(); ++i) CheckService(*file_.service(i));
    return std::move(problems_);
  }

 private:
  // Names in problems are relative to the file's package: "Product.day_rate".
  std::string Relative(const std::string& full_name) const {
    const std::string& package = file_.package();
    if (!package.empty() && full_name.starts_with(package + ".")) {
      return full_name.substr(package.size() + 1);
    }
    return full_name;
  }

  void Report(const std::string& where, const std::string& what) {
    problems_.push_back(where + ": " + what);
  }

  // Composite time types (Window, DeliveryWindow, EventSchedule, ...) live in the vocabulary;
  // the file under check may define its own.
  bool IsSalesopsMessage(const Descriptor& message) const {
    const std::string& package = message.file()->package();
    return package == kVocabularyPackage || package == file_.package();
  }

  void CheckNoFavoritism(const std::string& where, std::string_view kind, std::string_view name) {
    const std::string lowered = ToLower(name);
    for (std::string_view word : kFavoritismWords) {
      if (lowered.find(word) != std::string::npos) {
        Report(where, std::string(kind) + " name contains \"" + std::string(word) +
                          "\"; there is no priority, VIP or rush anywhere in the API: the "
                          "scheduler orders work by deadlines and slack only (DESIGN.md §1)");
      }
    }
  }

  void CheckMessage(const Descriptor& message) {
    // Map entries are synthesized by protoc; their map field is checked instead.
    if (message.options().map_entry()) return;
    const std::string where = Relative(message.full_name());
    CheckNoFavoritism(where, "message", message.name());
    for (int i = 0; i < message.field_count(); ++i) CheckField(*message.field(i));
    for (int i = 0; i < message.oneof_decl_count(); ++i) {
      CheckNoFavoritism(where + "." + message.oneof_decl(i)->name(), "oneof",
                        message.oneof_decl(i)->name());
    }
    for (int i = 0; i < message.nested_type_count(); ++i) CheckMessage(*message.nested_type(i));
    for (int i = 0; i < message.enum_type_count(); ++i) CheckEnum(*message.enum_type(i));
  }

  void CheckEnum(const EnumDescriptor& enum_type) {
    const std::string where = Relative(enum_type.full_name());
    CheckNoFavoritism(where, "enum", enum_type.name());
    for (int i = 0; i < enum_type.value_count(); ++i) {
      const std::string& value_name = enum_type.value(i)->name();
      CheckNoFavoritism(where + "." + value_name, "enum value", value_name);
    }
  }

  // Text for people that explains an amount or a time ("fee_explanation"), by its last word.
  static bool IsWordsField(const std::vector<std::string>& tokens) {
    return !tokens.empty() && tokens.back() == "explanation";
  }

  void CheckField(const FieldDescriptor& field) {
    const std::string where = Relative(field.full_name());
    const std::vector<std::string> tokens = NameTokens(field.name());
    CheckNoFavoritism(where, "field", field.name());
    CheckTimeField(where, field, tokens);
    CheckMoneyField(where, field, tokens);
    CheckCodeField(where, field, tokens);
  }

  void CheckTimeField(const std::string& where, const FieldDescriptor& field,
                      const std::vector<std::string>& tokens) {
    // The last word says what the field holds: a travel_cost is money (the money rule checks
    // it), an offer's fee_explanation is words about money.
    if (IsWordsField(tokens) || (!tokens.empty() && kMoneyTokens.contains(tokens.back()))) return;
    const FieldDescriptor& value = HeldValue(field);
    std::optional<std::string> token = FirstTokenIn(tokens, kTimeTokens);
    if (!token && !tokens.empty() && tokens.back() == kTrailingTimeToken) token = tokens.back();
    if (token) {
      const Descriptor* message = value.message_type();
      // A calendar day (an invoice's due day, a certificate's expiry day) is a google.type.Date
      // named "..._day": a day, not a point in time.
      const bool is_calendar_day = message != nullptr &&
                                   message->full_name() == "google.type.Date" &&
                                   !tokens.empty() && tokens.back() == "day";
      const bool is_time_type =
          message != nullptr &&
          (message->full_name() == "google.protobuf.Timestamp" ||
           message->full_name() == "google.protobuf.Duration" || IsSalesopsMessage(*message) ||
           is_calendar_day);
      if (!is_time_type) {
        Report(where, "the name says time (\"" + *token + "\") but the type is " + TypeName(value) +
                          "; use google.protobuf.Timestamp, google.protobuf.Duration, a "
                          "vocabulary window, or a google.type.Date named ..._day (DESIGN.md §2)");
      }
      return;  // One time problem per field is enough to point at it.
    }
    if (!IsNumberOrString(value)) return;
    const std::string lowered = ToLower(field.name());
    for (std::string_view suffix : kTimeUnitSuffixes) {
      if (EndsWith(lowered, suffix)) {
        Report(where, "a time in a " + TypeName(value) + " with unit suffix \"" +
                          std::string(suffix) +
                          "\"; use google.protobuf.Timestamp or google.protobuf.Duration "
                          "(DESIGN.md §2)");
        return;
      }
    }
  }

  void CheckMoneyField(const std::string& where, const FieldDescriptor& field,
                       const std::vector<std::string>& tokens) {
    const std::optional<std::string> token = FirstTokenIn(tokens, kMoneyTokens);
    if (!token || IsWordsField(tokens)) return;
    const FieldDescriptor& value = HeldValue(field);
    if (value.message_type() != nullptr &&
        value.message_type()->full_name() == "google.type.Money") {
      return;
    }
    Report(where, "the name says money (\"" + *token + "\") but the type is " + TypeName(value) +
                      "; use google.type.Money (DESIGN.md §2)");
  }

  // The shared validator finds catalog codes by the (salesops.v1.code) option, so a code
  // field without it would go unchecked (issue 2 item 3).
  void CheckCodeField(const std::string& where, const FieldDescriptor& field,
                      const std::vector<std::string>& tokens) {
    const bool has_code_option = field.options().HasExtension(salesops::v1::code);
    const bool is_string = field.type() == FieldDescriptor::TYPE_STRING;
    if (has_code_option && !is_string) {
      Report(where, "carries (salesops.v1.code) but is " + TypeName(field) +
                        "; catalog codes are strings");
      return;
    }
    const std::string lowered = ToLower(field.name());
    for (std::string_view catalog_name : kCatalogCodeNames) {
      if (!is_string && EndsWithWholeWords(lowered, catalog_name)) {
        Report(where, "holds a catalog code but is " + TypeName(field) +
                          "; declare it as a string with (salesops.v1.code)");
        return;
      }
    }
    if (!is_string || !FirstTokenIn(tokens, kCodeTokens)) return;
    if (!has_code_option) {
      Report(where,
             "a code field without (salesops.v1.code); the shared validator cannot find it "
             "(set CODE_KIND_PRODUCT, CODE_KIND_INVENTORY or CODE_KIND_SKILL)");
    } else if (field.options().GetExtension(salesops::v1::code) ==
               salesops::v1::CODE_KIND_UNSPECIFIED) {
      Report(where, "(salesops.v1.code) is CODE_KIND_UNSPECIFIED; name the kind of code");
    }
  }

  void CheckService(const ServiceDescriptor& service) {
    const std::string service_name = Relative(service.full_name());
    CheckNoFavoritism(service_name, "service", service.name());
    for (int i = 0; i < service.method_count(); ++i) {
      const MethodDescriptor& method = *service.method(i);
      const std::string where = service_name + "." + method.name();
      CheckNoFavoritism(where, "method", method.name());
      CheckIdempotency(where, method);
      CheckPagination(where, method);
    }
  }

  // Returns why `path` (e.g. "event.event_id") does not name a singular string field
  // reachable through singular messages from `message`, or nullopt when it does.
  static std::optional<std::string> WhyPathDoesNotResolve(const Descriptor& message,
                                                          const std::string& path) {
    const Descriptor* current = &message;
    std::string::size_type begin = 0;
    while (true) {
      const std::string::size_type dot = path.find('.', begin);
      const std::string segment = path.substr(begin, dot - begin);
      const FieldDescriptor* field = current->FindFieldByName(segment);
      if (field == nullptr) return current->full_name() + " has no field \"" + segment + "\"";
      if (dot == std::string::npos) {
        if (IsSingular(*field, FieldDescriptor::TYPE_STRING)) return std::nullopt;
        return field->full_name() + " is not a singular string";
      }
      // Through a repeated message the key is each element's (a batch of events,
      // each with its own id).
      if (field->message_type() == nullptr || field->is_map()) {
        return field->full_name() + " is not a message";
      }
      current = field->message_type();
      begin = dot + 1;
    }
  }

  // AIP-155: a retried mutation must be recognisable as the same request.
  void CheckIdempotency(const std::string& where, const MethodDescriptor& method) {
    const Descriptor& input = *method.input_type();
    const bool declares_key = method.options().HasExtension(salesops::v1::idempotency_key);
    if (declares_key) {
      const std::string& path = method.options().GetExtension(salesops::v1::idempotency_key);
      if (const std::optional<std::string> why = WhyPathDoesNotResolve(input, path)) {
        Report(where, "(salesops.v1.idempotency_key) \"" + path +
                          "\" does not resolve to a string field: " + *why);
      }
      return;
    }
    if (!IsMutating(method.name())) return;
    if (!HasSingularField(input, "request_id", FieldDescriptor::TYPE_STRING)) {
      Report(where, "mutating RPC whose request " + Relative(input.full_name()) +
                        " has no string request_id and no (salesops.v1.idempotency_key) "
                        "(AIP-155)");
    }
  }

  // AIP-158: every List pages.
  void CheckPagination(const std::string& where, const MethodDescriptor& method) {
    if (!StartsWithCamelWord(method.name(), "List")) return;
    const Descriptor& input = *method.input_type();
    const Descriptor& output = *method.output_type();
    if (!HasSingularField(input, "page_size", FieldDescriptor::TYPE_INT32)) {
      Report(where, "List RPC whose request " + Relative(input.full_name()) +
                        " has no int32 page_size (AIP-158)");
    }
    if (!HasSingularField(input, "page_token", FieldDescriptor::TYPE_STRING)) {
      Report(where, "List RPC whose request " + Relative(input.full_name()) +
                        " has no string page_token (AIP-158)");
    }
    if (!HasSingularField(output, "next_page_token", FieldDescriptor::TYPE_STRING)) {
      Report(where, "List RPC whose response " + Relative(output.full_name()) +
                        " has no string next_page_token (AIP-158)");
    }
  }

  const FileDescriptor& file_;
  std::vector<std::string> problems_;
};

}  // namespace

std::vector<std::string> CheckVocabularyRules(const FileDescriptor& file) {
  if (file.package() == "google" || file.package().starts_with("google.")) return {};
  return FileChecker(file).Run();
}

}  // namespace salesops::testing
