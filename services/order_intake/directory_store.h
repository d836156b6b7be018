#pragma once

#include <absl/status/statusor.h>

#include <functional>
#include <string>

#include "salesops/v1/directory.pb.h"
#include "services/common/sql_text.h"
#include "services/order_intake/order_store.h"

namespace salesops::order_intake {

// A change to a directory record, run on the current record under its row lock; an error
// writes nothing.
template <typename Record>
using RecordChange = std::function<absl::Status(Record&)>;
// Completes a call's answer (call.response) from the record as written.
template <typename Record>
using RecordAnswer = std::function<void(const Record&)>;
// A merge of `duplicate` into `survivor`, run on both current records under their row locks;
// it changes either or both, and an error writes nothing.
template <typename Record>
using RecordMerge = std::function<absl::Status(Record& survivor, Record& duplicate)>;
// Completes a merge's answer from both records as written.
template <typename Record>
using MergeAnswer = std::function<void(const Record& survivor, const Record& duplicate)>;

// The directory's records (issue 17 item 1): organisations with their contacts, and venues.
// Every write stores a new revision (revision 1 on create) and keeps the earlier ones; the
// store assigns ids (organisations, venues, and contacts that have none), revisions and etags.
// Writes are AIP-155 calls: the answer is remembered in the write's transaction, and a retry
// of `call` finds call.response filled with the first answer and writes nothing.
class DirectoryStore {
 public:
  virtual ~DirectoryStore() = default;

  virtual absl::Status CreateOrganisation(const IdempotentCall& call, v1::Organisation organisation,
                                          const RecordAnswer<v1::Organisation>& answer) = 0;
  virtual absl::StatusOr<v1::Organisation> GetOrganisation(const std::string& organisation_id) = 0;
  // Oldest first; `search` (may be empty) matches name, external id, tax id and contacts'
  // names and emails, case-insensitively. Records merged into another only with
  // `include_merged`. `after` is the page key ("" for the first page).
  virtual absl::StatusOr<common::Page<v1::Organisation>> ListOrganisations(
      const std::string& search, bool include_merged, int limit, const std::string& after) = 0;
  virtual absl::Status UpdateOrganisation(const IdempotentCall& call,
                                          const std::string& organisation_id,
                                          const RecordChange<v1::Organisation>& change,
                                          const RecordAnswer<v1::Organisation>& answer) = 0;

  virtual absl::Status CreateVenue(const IdempotentCall& call, v1::DirectoryVenue venue,
                                   const RecordAnswer<v1::DirectoryVenue>& answer) = 0;
  virtual absl::StatusOr<v1::DirectoryVenue> GetVenue(const std::string& venue_id) = 0;
  // Oldest first; `search` matches the name and the address; as ListOrganisations.
  virtual absl::StatusOr<common::Page<v1::DirectoryVenue>> ListVenues(const std::string& search,
                                                                      bool include_merged,
                                                                      int limit,
                                                                      const std::string& after) = 0;
  virtual absl::Status UpdateVenue(const IdempotentCall& call, const std::string& venue_id,
                                   const RecordChange<v1::DirectoryVenue>& change,
                                   const RecordAnswer<v1::DirectoryVenue>& answer) = 0;

  // Both records locked (in id order, so two merges of the same pair cannot deadlock), changed
  // by `merge` and written as new revisions in one transaction; the record's merged_into_id is
  // what listings filter on. NOT_FOUND when either does not exist.
  virtual absl::Status MergeOrganisations(const IdempotentCall& call,
                                          const std::string& survivor_id,
                                          const std::string& duplicate_id,
                                          const RecordMerge<v1::Organisation>& merge,
                                          const MergeAnswer<v1::Organisation>& answer) = 0;
  virtual absl::Status MergeVenues(const IdempotentCall& call, const std::string& survivor_id,
                                   const std::string& duplicate_id,
                                   const RecordMerge<v1::DirectoryVenue>& merge,
                                   const MergeAnswer<v1::DirectoryVenue>& answer) = 0;
};

}  // namespace salesops::order_intake
