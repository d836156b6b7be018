// libFuzzer target for the request validator (services/common/validation.h), which every
// handler runs on bytes straight off the wire before anything else looks at them.
//
// Input: the first byte picks the message type (modulo the number of types, in the order of
// CallerMessageTypes), the rest is that message in protobuf's binary encoding. Inputs that do
// not parse are skipped: gRPC refuses them before a handler runs.
//
// Besides crashes and sanitizer reports, two promises of the validator are checked:
// - CheckRequest is OK exactly when ValidateRequest finds no violation;
// - a request it accepts holds only well-formed timestamps and durations. Protobuf's JSON
//   printer, which notification's delivery worker uses on every event, refuses the others, so
//   it serves as the independent judge (after clearing OUTPUT_ONLY fields, which the validator
//   skips by design because the server overwrites them).
#include <absl/status/status.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "google/api/field_behavior.pb.h"
#include "salesops/v1/events.pb.h"
#include "salesops/v1/inventory.pb.h"
#include "salesops/v1/notification.pb.h"
#include "salesops/v1/order_intake.pb.h"
#include "salesops/v1/scheduling.pb.h"
#include "services/common/validation.h"

namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::FileDescriptor;
using google::protobuf::Message;

// Every message a caller can send: the input type of each method of the salesops.v1 services,
// and every message of events.proto (events reach notification through Publish and Deliver).
// Sorted by name, so a seed's first byte keeps naming its type until a type is added before it.
std::vector<const Descriptor*> CallerMessageTypes() {
  // Naming one message of each file keeps its generated code in the binary (the linker drops
  // unreferenced archive members), and with it the file's descriptors.
  const FileDescriptor* files[] = {
      salesops::v1::GetItemRequest::descriptor()->file(),
      salesops::v1::GetCrewMemberRequest::descriptor()->file(),
      salesops::v1::PublishRequest::descriptor()->file(),
      salesops::v1::GetOrderRequest::descriptor()->file(),
      salesops::v1::Event::descriptor()->file(),
  };
  std::set<const Descriptor*> types;
  for (const FileDescriptor* file : files) {
    for (int s = 0; s < file->service_count(); ++s) {
      for (int m = 0; m < file->service(s)->method_count(); ++m) {
        types.insert(file->service(s)->method(m)->input_type());
      }
    }
    if (file->service_count() == 0) {
      for (int i = 0; i < file->message_type_count(); ++i) types.insert(file->message_type(i));
    }
  }
  std::vector<const Descriptor*> sorted(types.begin(), types.end());
  std::sort(sorted.begin(), sorted.end(), [](const Descriptor* a, const Descriptor* b) {
    return a->full_name() < b->full_name();
  });
  return sorted;
}

bool IsOutputOnly(const FieldDescriptor& field) {
  const auto& options = field.options();
  for (int i = 0; i < options.ExtensionSize(google::api::field_behavior); ++i) {
    if (options.GetExtension(google::api::field_behavior, i) == google::api::OUTPUT_ONLY) {
      return true;
    }
  }
  return false;
}

void ClearOutputOnlyFields(Message* message) {
  const google::protobuf::Reflection* reflection = message->GetReflection();
  std::vector<const FieldDescriptor*> set_fields;
  reflection->ListFields(*message, &set_fields);
  for (const FieldDescriptor* field : set_fields) {
    if (IsOutputOnly(*field)) {
      reflection->ClearField(message, field);
    } else if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !field->is_map()) {
      if (field->is_repeated()) {
        for (int i = 0; i < reflection->FieldSize(*message, field); ++i) {
          ClearOutputOnlyFields(reflection->MutableRepeatedMessage(message, field, i));
        }
      } else {
        ClearOutputOnlyFields(reflection->MutableMessage(message, field));
      }
    }
  }
}

[[noreturn]] void BrokenPromise(const Message& request, const std::string& what) {
  std::fprintf(stderr, "%s: %s\n%s\n", request.GetDescriptor()->full_name().c_str(), what.c_str(),
               request.DebugString().c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  // Protobuf logs every string field with invalid UTF-8 it refuses to parse; millions of such
  // lines would bury libFuzzer's own report.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<const Descriptor*>* const kTypes =
      new std::vector<const Descriptor*>(CallerMessageTypes());
  if (size == 0) return 0;
  const Descriptor* type = (*kTypes)[data[0] % kTypes->size()];
  std::unique_ptr<Message> request(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
  if (!request->ParseFromArray(data + 1, static_cast<int>(size - 1))) return 0;

  std::vector<salesops::common::FieldViolation> violations =
      salesops::common::ValidateRequest(*request);
  absl::Status status = salesops::common::CheckRequest(*request);
  if (status.ok() != violations.empty()) {
    BrokenPromise(*request, "CheckRequest and ValidateRequest disagree: " + status.ToString());
  }
  if (violations.empty()) {
    ClearOutputOnlyFields(request.get());
    std::string json;
    auto printed = google::protobuf::util::MessageToJsonString(*request, &json);
    if (!printed.ok()) {
      BrokenPromise(*request, "accepted, but it is not well-formed: " + printed.ToString());
    }
  }
  return 0;
}
