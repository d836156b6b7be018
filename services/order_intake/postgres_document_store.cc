#include "services/order_intake/postgres_document_store.h"

#include <absl/strings/str_cat.h>

#include "services/common/time_util.h"
#include "services/order_intake/directory_rules.h"
#include "services/order_intake/postgres_records.h"

namespace salesops::order_intake {
namespace {

constexpr char kDocumentColumns[] =
    "order_id, kind, order_revision, language, sha256, pdf, created_by, "
    "ts_to_us(create_time)";

v1::Document DocumentFromRow(const pqxx::row& row) {
  v1::Document document;
  document.set_order_id(row[0].as<std::string>());
  document.set_kind(static_cast<v1::DocumentKind>(row[1].as<int>()));
  document.set_order_revision(row[2].as<int64_t>());
  document.set_language(static_cast<v1::DocumentLanguage>(row[3].as<int>()));
  document.set_sha256(row[4].as<std::string>());
  pqxx::binarystring pdf(row[5]);
  document.set_pdf(pdf.str());
  document.mutable_created_by()->set_id(row[6].as<std::string>());
  *document.mutable_create_time() = common::TimestampFromMicros(row[7].as<int64_t>());
  return document;
}

}  // namespace

absl::StatusOr<std::optional<v1::CompanyProfile>> PostgresDocumentStore::GetCompanyProfile() {
  std::optional<v1::CompanyProfile> profile;
  SALESOPS_RETURN_IF_ERROR(pool_.Read("get_company_profile", [&](pqxx::transaction_base& tx) {
    profile.reset();
    pqxx::result rows = tx.exec("SELECT body FROM company_profile");
    if (!rows.empty()) profile = ParseRecord<v1::CompanyProfile>(rows[0][0]);
    return absl::OkStatus();
  }));
  return profile;
}

absl::Status PostgresDocumentStore::SetCompanyProfile(
    const IdempotentCall& call, v1::CompanyProfile profile, const std::string& etag,
    const RecordAnswer<v1::CompanyProfile>& answer) {
  return IdempotentWrite(pool_, "set_company_profile", call, [&](pqxx::work& tx) {
    // The table's lock, so that two first writes do not both see "none".
    tx.exec("LOCK TABLE company_profile IN SHARE ROW EXCLUSIVE MODE");
    pqxx::result current = tx.exec("SELECT revision FROM company_profile");
    const int64_t revision = current.empty() ? 0 : current[0][0].as<int64_t>();
    if (!etag.empty()) {
      SALESOPS_RETURN_IF_ERROR(CheckRecordEtag("company", "profile", EtagOf(revision), etag));
    }
    profile.set_etag(EtagOf(revision + 1));
    tx.exec_params(
        "INSERT INTO company_profile (singleton, revision, body) VALUES (true, $1, $2) "
        "ON CONFLICT (singleton) DO UPDATE SET revision = EXCLUDED.revision, "
        "body = EXCLUDED.body, updated_at = now()",
        revision + 1, Bytes(profile.SerializeAsString()));
    answer(profile);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<v1::Document>> PostgresDocumentStore::FindDocument(
    const std::string& order_id, v1::DocumentKind kind, int64_t order_revision,
    v1::DocumentLanguage language) {
  std::optional<v1::Document> document;
  SALESOPS_RETURN_IF_ERROR(pool_.Read("find_document", [&](pqxx::transaction_base& tx) {
    document.reset();
    pqxx::result rows = tx.exec_params(
        absl::StrCat("SELECT ", kDocumentColumns,
                     " FROM documents WHERE order_id = $1 AND kind = $2 AND order_revision = $3 "
                     "AND language = $4"),
        order_id, static_cast<int>(kind), order_revision, static_cast<int>(language));
    if (!rows.empty()) document = DocumentFromRow(rows[0]);
    return absl::OkStatus();
  }));
  return document;
}

absl::StatusOr<v1::Document> PostgresDocumentStore::KeepDocument(const v1::Document& document) {
  v1::Document kept;
  SALESOPS_RETURN_IF_ERROR(pool_.InTransaction("keep_document", [&](pqxx::work& tx) {
    tx.exec_params(
        "INSERT INTO documents (order_id, kind, order_revision, language, sha256, pdf, "
        "created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        document.order_id(), static_cast<int>(document.kind()), document.order_revision(),
        static_cast<int>(document.language()), document.sha256(), Bytes(document.pdf()),
        document.created_by().id());
    kept = DocumentFromRow(tx.exec_params1(
        absl::StrCat("SELECT ", kDocumentColumns,
                     " FROM documents WHERE order_id = $1 AND kind = $2 AND order_revision = $3 "
                     "AND language = $4"),
        document.order_id(), static_cast<int>(document.kind()), document.order_revision(),
        static_cast<int>(document.language())));
    return absl::OkStatus();
  }));
  return kept;
}

}  // namespace salesops::order_intake
