#pragma once

#include "services/common/db_pool.h"
#include "services/order_intake/directory_store.h"

namespace salesops::order_intake {

// The directory in order-intake's PostgreSQL database (migrations/0103_directory.sql and
// 0106_directory_merges.sql): each record's proto as a bytea body, with the columns listings
// filter on, and every revision in a table of its own.
class PostgresDirectoryStore final : public DirectoryStore {
 public:
  explicit PostgresDirectoryStore(common::ConnectionPool& pool) : pool_(pool) {}

  absl::Status CreateOrganisation(const IdempotentCall& call, v1::Organisation organisation,
                                  const RecordAnswer<v1::Organisation>& answer) override;
  absl::StatusOr<v1::Organisation> GetOrganisation(const std::string& organisation_id) override;
  absl::StatusOr<common::Page<v1::Organisation>> ListOrganisations(
      const std::string& search, bool include_merged, int limit, const std::string& after) override;
  absl::Status UpdateOrganisation(const IdempotentCall& call, const std::string& organisation_id,
                                  const RecordChange<v1::Organisation>& change,
                                  const RecordAnswer<v1::Organisation>& answer) override;

  absl::Status CreateVenue(const IdempotentCall& call, v1::DirectoryVenue venue,
                           const RecordAnswer<v1::DirectoryVenue>& answer) override;
  absl::StatusOr<v1::DirectoryVenue> GetVenue(const std::string& venue_id) override;
  absl::StatusOr<common::Page<v1::DirectoryVenue>> ListVenues(const std::string& search,
                                                              bool include_merged, int limit,
                                                              const std::string& after) override;
  absl::Status UpdateVenue(const IdempotentCall& call, const std::string& venue_id,
                           const RecordChange<v1::DirectoryVenue>& change,
                           const RecordAnswer<v1::DirectoryVenue>& answer) override;

  absl::Status MergeOrganisations(const IdempotentCall& call, const std::string& survivor_id,
                                  const std::string& duplicate_id,
                                  const RecordMerge<v1::Organisation>& merge,
                                  const MergeAnswer<v1::Organisation>& answer) override;
  absl::Status MergeVenues(const IdempotentCall& call, const std::string& survivor_id,
                           const std::string& duplicate_id,
                           const RecordMerge<v1::DirectoryVenue>& merge,
                           const MergeAnswer<v1::DirectoryVenue>& answer) override;

 private:
  common::ConnectionPool& pool_;
};

}  // namespace salesops::order_intake
