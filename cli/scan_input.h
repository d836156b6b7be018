#pragma once

// What the scan stations share (issue 19): `scan out|in` and `stocktake count` read standard
// input a line at a time, as a USB or Bluetooth scanner types it (a code and Enter), and send
// each line as one call that must count once however often it is sent.
#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <absl/strings/string_view.h>
#include <grpcpp/support/status.h>

#include <istream>
#include <string>
#include <vector>

#include "cli/session.h"

namespace salesops::cli {

// What a label carries and a scanner types back: printable ASCII without spaces, at most this
// long (the services' bound on a barcode).
constexpr size_t kLongestBarcode = 60;

// OK for a barcode; otherwise the refusal, in the words a person at the station reads.
absl::Status CheckBarcode(absl::string_view barcode);

// One scan as typed: `BARCODE`, or `N BARCODE` for N of a code's label (a number, a space, the
// label), then any further words (scan in's damage note), left to the caller to judge.
struct TypedScan {
  int quantity = 0;  // 0: one, as the services count it
  std::string barcode;
  std::vector<std::string> rest;
};

// Refuses a quantity outside 1 to `largest_quantity` and a line with no words. The barcode is
// not checked here (CheckBarcode), so each station says first what it finds most wrong.
absl::StatusOr<TypedScan> SplitTypedScan(absl::string_view text, int largest_quantity);

// The next line from the scanner or the keyboard, trimmed (a scanner set to end a code with
// CR LF leaves a CR). False at the end of input (Ctrl-D) or on a line `done` or `q`. A blank
// line comes back empty: what Enter alone means is the station's to say.
bool ReadScanLine(std::istream& in, std::string& line);

// A fresh request_id for one scan ("scan-…", "count-…"), so that resending it after a lost
// answer is answered again rather than counted twice.
std::string NewScanRequestId(absl::string_view prefix);

// On stderr, so the bell rings even when stdout goes to a file, and a script reading stdout
// never sees it.
void RingBell();

// A scan whose answer was lost (the connection dropped, the deadline passed) is sent once more
// with the same request_id: the service answers a repeat as it answered the first, so the scan
// never counts twice. The last try's status is the station's to judge.
template <typename Stub, typename Request, typename Response>
grpc::Status InvokeOnceMore(Session& session,
                            grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                         Response*),
                            const Request& request, Response* response) {
  grpc::Status status = session.Invoke(method, request, response);
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
      status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    response->Clear();
    status = session.Invoke(method, request, response);
  }
  return status;
}

}  // namespace salesops::cli
