#pragma once

// Malformed requests for any request message, built by reflection over its descriptor: the
// generator behind the hostile-input sweep (issue 14, point 7).
#include <google/protobuf/descriptor.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace salesops::testing {

// One kind of bad value, given to every field of a type it fits.
enum class Hostility {
  kNone,
  kHugeString,         // 100 kB
  kControlCharacters,  // \x01, ESC sequences, CR LF, DEL
  kNulInString,        // "<value>\0zzz", "<value>\0", "\0<value>"
  kNonAscii,           // valid UTF-8: accents, CJK, emoji, right-to-left override
  kInvalidUtf8,        // bad bytes at the start, middle or end
  kNegative,
  kZero,
  kExtreme,  // type limits, one past a declared max_value, NaN and infinities, 1 ns
  kMoneyMismatchedSigns,
  kMoneyHugeUnits,
  kYearOne,
  kYear9999,
  kNegativeSeconds,
  kEnumOutsideEnum,
  kRepeatedOverLimit,  // three times a field's max_items
  kPageSizeMinusOne,
  kPageSizeBillion,
};

// How the bytes of one malformed request are made.
enum class RequestShape {
  kEmpty,          // zero bytes: every field at its default
  kGenerated,      // every field filled, each plausible or hostile (see RequestVariant)
  kRequestIdOnly,  // plausible, except a hostile top-level request_id
  kRandomBytes,    // random bytes as the raw message
  kTruncated,      // a plausible request cut short
  kUnknownFields,  // a plausible request plus fields the message does not declare
};

struct RequestVariant {
  std::string name;
  RequestShape shape = RequestShape::kGenerated;
  Hostility hostility = Hostility::kNone;
  // The chance that a field takes the hostile value. The other fields get plausible values
  // (real ids, valid codes, a window next week), so a request can pass validation in one
  // place and carry its poison to deeper code.
  double share = 1.0;
  // Each hostile field draws its own kind of hostility (with one_field: the request does).
  bool mixed = false;
  // Exactly one field the hostility fits gets it, picked by the seed; the rest are plausible.
  // Most requests with every field poisoned stop at the first check; these do not.
  bool one_field = false;
  // one_field: start from a valid request of the type (KnownRecords::exemplars) and poison
  // one of its fields, so that the poison reaches code only a valid request reaches.
  bool from_exemplar = false;
  // one_field: poison the field_index-th field the hostility fits (in declaration order,
  // depth first), not one picked by the seed; the variant does not apply when there are fewer.
  int field_index = -1;
  // kRandomBytes: how many.
  size_t size = 0;
};

// Every variant the sweep sends each unary RPC: about 80, and with an exemplar of the request
// up to 12 more per kind of hostility, one per field it fits.
std::vector<RequestVariant> HostileVariants();

// Records that exist in the running services, so that generated ids sometimes name a real
// record instead of always missing.
struct KnownRecords {
  // By field name: "order_id" -> an order's id, "crew_member_id" -> a crew member's, ...
  std::map<std::string, std::string> ids_by_field;
  // By field name: "order_revision" -> that order's revision.
  std::map<std::string, int64_t> numbers_by_field;
  // By request type (full name): a serialized request the service accepted.
  std::map<std::string, std::string> exemplars;
  std::string product_code;
  std::string inventory_code;
  std::string skill_code = "AUDIO";  // one of the catalog's seven built-in skills
  // Midnight UTC a week ahead: plausible timestamps fall on that day, in the order the
  // vocabulary expects (delivery window, then load-in, show and strike).
  int64_t day0_seconds = 0;
};

struct GeneratedRequest {
  std::string bytes;
  // one_field variants: the path of the poisoned field, e.g. "order.venue.travel_time".
  std::string poisoned_field;
};

// Serialized malformed requests, reproducible from (variant, seed).
class HostileRequestGenerator {
 public:
  // The request to send, or nullopt when the variant does not apply to `type` (a request_id
  // variant for a request without one, a one_field variant for a request with no field the
  // hostility fits, an exemplar variant for a type without an exemplar).
  std::optional<GeneratedRequest> Generate(const google::protobuf::Descriptor& type,
                                           const RequestVariant& variant, uint32_t seed,
                                           const KnownRecords& known);

 private:
  int64_t request_count_ = 0;  // keeps plausible request_ids and event_ids unique
};

// Whether `bytes` parse as a `type`, exactly as the server's generated code parses them.
bool ParsesAs(const google::protobuf::Descriptor& type, const std::string& bytes);

// `text` with control, NUL and non-ASCII bytes escaped, cut to `limit` characters: for
// failure messages and log excerpts.
std::string Printable(std::string_view text, size_t limit = 200);

}  // namespace salesops::testing
