#pragma once

#include "services/common/db_pool.h"
#include "services/order_intake/document_store.h"

namespace salesops::order_intake {

class PostgresDocumentStore final : public DocumentStore {
 public:
  explicit PostgresDocumentStore(common::ConnectionPool& pool) : pool_(pool) {}

  absl::StatusOr<std::optional<v1::CompanyProfile>> GetCompanyProfile() override;
  absl::Status SetCompanyProfile(const IdempotentCall& call, v1::CompanyProfile profile,
                                 const std::string& etag,
                                 const RecordAnswer<v1::CompanyProfile>& answer) override;
  absl::StatusOr<std::optional<v1::Document>> FindDocument(const v1::Document& key) override;
  absl::StatusOr<v1::Document> KeepDocument(const v1::Document& document) override;
  absl::Status KeepQuoteLink(const IdempotentCall& call, const v1::QuoteLink& link,
                             const RecordAnswer<v1::QuoteLink>& answer) override;
  absl::StatusOr<std::optional<v1::QuoteLink>> FindQuoteLink(const std::string& link_id) override;
  absl::StatusOr<std::pair<std::vector<v1::QuoteLink>, int64_t>> ListQuoteLinks(
      const std::string& order_id, int64_t before_seq, int page_size) override;
  absl::StatusOr<bool> RecordAcceptance(const std::string& link_id,
                                        const v1::QuoteAcceptance& acceptance) override;
  absl::Status SetAcceptanceOutcome(const std::string& link_id,
                                    const v1::QuoteAcceptance& acceptance,
                                    const v1::Event& event) override;
  absl::StatusOr<std::vector<v1::QuoteLink>> PendingAcceptances(absl::Time before) override;

 private:
  common::ConnectionPool& pool_;
};

}  // namespace salesops::order_intake
