#include "services/order_intake/notes.h"

#include <absl/strings/str_cat.h>

#include "services/common/errors.h"

namespace salesops::order_intake {

absl::StatusOr<v1::Note> AppendNote(v1::Order& order, v1::Note note, const v1::Actor& author,
                                    const google::protobuf::Timestamp& at) {
  if (order.notes_size() >= kMaxNotesPerOrder) {
    return common::BusinessRefusal(
        v1::LIMIT_REACHED,
        absl::StrCat("order ", order.order_id(), " holds ", order.notes_size(),
                     " notes, the most one order may"),
        {{"limit", absl::StrCat(kMaxNotesPerOrder)}});
  }
  note.set_note_id(absl::StrCat("N", order.notes_size() + 1));
  *note.mutable_author() = author;
  *note.mutable_create_time() = at;
  *order.add_notes() = note;
  return note;
}

}  // namespace salesops::order_intake
