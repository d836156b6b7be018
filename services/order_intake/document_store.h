#pragma once

#include <absl/status/statusor.h>
#include <absl/time/time.h>

#include <optional>
#include <string>

#include "salesops/v1/documents.pb.h"
#include "salesops/v1/events.pb.h"
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

  // The document kept for the key's (order, kind, revision, language, invoice number), if any.
  virtual absl::StatusOr<std::optional<v1::Document>> FindDocument(const v1::Document& key) = 0;
  // Keeps `document` unless one is already kept for its key (two first requests at once), and
  // answers with the one kept: the first stays.
  virtual absl::StatusOr<v1::Document> KeepDocument(const v1::Document& document) = 0;

  // Quote links (online acceptance). The link as sent, as the AIP-155 call `call`.
  virtual absl::Status KeepQuoteLink(const IdempotentCall& call, const v1::QuoteLink& link,
                                     const RecordAnswer<v1::QuoteLink>& answer) = 0;
  virtual absl::StatusOr<std::optional<v1::QuoteLink>> FindQuoteLink(
      const std::string& link_id) = 0;
  // An order's links, newest first, sent before `before_seq` (0: from the newest); the page and
  // the sequence number to continue before (0 after the last page).
  virtual absl::StatusOr<std::pair<std::vector<v1::QuoteLink>, int64_t>> ListQuoteLinks(
      const std::string& order_id, int64_t before_seq, int page_size) = 0;
  // Records the client's acceptance on an open link; false, with nothing written, when the link
  // was accepted already (single use: a replay, or two tabs at once).
  virtual absl::StatusOr<bool> RecordAcceptance(const std::string& link_id,
                                                const v1::QuoteAcceptance& acceptance) = 0;
  // What the confirmation made of it, and the event telling sales, in one transaction.
  virtual absl::Status SetAcceptanceOutcome(const std::string& link_id,
                                            const v1::QuoteAcceptance& acceptance,
                                            const v1::Event& event) = 0;
  // Accepted links whose outcome is still PENDING (their process died mid-confirmation),
  // accepted before `before`.
  virtual absl::StatusOr<std::vector<v1::QuoteLink>> PendingAcceptances(absl::Time before) = 0;
};

}  // namespace salesops::order_intake
