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
  absl::StatusOr<std::optional<v1::Document>> FindDocument(const std::string& order_id,
                                                           v1::DocumentKind kind,
                                                           int64_t order_revision,
                                                           v1::DocumentLanguage language) override;
  absl::StatusOr<v1::Document> KeepDocument(const v1::Document& document) override;

 private:
  common::ConnectionPool& pool_;
};

}  // namespace salesops::order_intake
