#pragma once

#include <absl/status/statusor.h>

#include <optional>
#include <string>

#include "salesops/v1/documents.pb.h"
#include "services/order_intake/directory_store.h"
#include "services/order_intake/order_store.h"

namespace salesops::order_intake {

// What documents need kept (issue 18): the company profile, and every document rendered, with
// its hash, so that it is never rendered differently a second time.
class DocumentStore {
 public:
  virtual ~DocumentStore() = default;

  // nullopt until ADMIN sets one.
  virtual absl::StatusOr<std::optional<v1::CompanyProfile>> GetCompanyProfile() = 0;
  // Replaces the profile as an AIP-155 call; a non-empty `etag` must be the stored one's
  // (ABORTED, STALE_REVISION). The store sets the etag.
  virtual absl::Status SetCompanyProfile(const IdempotentCall& call, v1::CompanyProfile profile,
                                         const std::string& etag,
                                         const RecordAnswer<v1::CompanyProfile>& answer) = 0;

  // The document kept for (order, kind, revision, language), if any.
  virtual absl::StatusOr<std::optional<v1::Document>> FindDocument(
      const std::string& order_id, v1::DocumentKind kind, int64_t order_revision,
      v1::DocumentLanguage language) = 0;
  // Keeps `document` unless one is already kept for its key (two first requests at once), and
  // answers with the one kept: the first stays.
  virtual absl::StatusOr<v1::Document> KeepDocument(const v1::Document& document) = 0;
};

}  // namespace salesops::order_intake
