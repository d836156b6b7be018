#pragma once

#include <google/protobuf/descriptor.h>

#include <string>
#include <vector>

namespace salesops::testing {

// Checks the messages, enums and services defined in `file` against the shared vocabulary
// (DESIGN.md §1-2, issue 2 item 3): no priority/VIP/rush/urgent/favorite names, time as
// Timestamp/Duration, money as google.type.Money, idempotent mutations, paged List RPCs and
// catalog codes declared through the (salesops.v1.code) option so the shared validator can
// find them. Returns one human-readable problem per violation, each starting with the
// offending `Message.field`, `Enum.VALUE` or `Service.Method` (names relative to the file's
// package); an empty result means the file follows the vocabulary. Files of google.*
// packages are never checked: their types are not ours to rename.
std::vector<std::string> CheckVocabularyRules(const google::protobuf::FileDescriptor& file);

}  // namespace salesops::testing
