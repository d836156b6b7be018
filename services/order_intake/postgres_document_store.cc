#include "services/order_intake/postgres_document_store.h"

#include <absl/strings/str_cat.h>

#include "services/common/outbox.h"
#include "services/common/time_util.h"
#include "services/order_intake/directory_rules.h"
#include "services/order_intake/postgres_records.h"

namespace salesops::order_intake {
namespace {

constexpr char kDocumentColumns[] =
    "order_id, kind, order_revision, language, sha256, pdf, created_by, "
    "ts_to_us(create_time), invoice_number";
constexpr char kDocumentKey[] =
    "order_id = $1 AND kind = $2 AND order_revision = $3 AND language = $4 AND "
    "invoice_number = $5";
constexpr char kSourceService[] = "order-intake";
constexpr int kMaxLinksPerOrder = 200;

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
  document.set_invoice_number(row[8].as<std::string>());
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
    const v1::Document& key) {
  std::optional<v1::Document> document;
  SALESOPS_RETURN_IF_ERROR(pool_.Read("find_document", [&](pqxx::transaction_base& tx) {
    document.reset();
    pqxx::result rows = tx.exec_params(
        absl::StrCat("SELECT ", kDocumentColumns, " FROM documents WHERE ", kDocumentKey),
        key.order_id(), static_cast<int>(key.kind()), key.order_revision(),
        static_cast<int>(key.language()), key.invoice_number());
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
        "created_by, invoice_number) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "ON CONFLICT DO NOTHING",
        document.order_id(), static_cast<int>(document.kind()), document.order_revision(),
        static_cast<int>(document.language()), document.sha256(), Bytes(document.pdf()),
        document.created_by().id(), document.invoice_number());
    kept = DocumentFromRow(tx.exec_params1(
        absl::StrCat("SELECT ", kDocumentColumns, " FROM documents WHERE ", kDocumentKey),
        document.order_id(), static_cast<int>(document.kind()), document.order_revision(),
        static_cast<int>(document.language()), document.invoice_number()));
    return absl::OkStatus();
  }));
  return kept;
}

absl::Status PostgresDocumentStore::KeepQuoteLink(const IdempotentCall& call,
                                                  const v1::QuoteLink& link,
                                                  const RecordAnswer<v1::QuoteLink>& answer) {
  return IdempotentWrite(pool_, "keep_quote_link", call, [&](pqxx::work& tx) -> absl::Status {
    // Links are kept for the record; an order sent a thousand times is a runaway script.
    const int64_t sent =
        tx.exec_params1("SELECT count(*) FROM quote_links WHERE order_id = $1", link.order_id())[0]
            .as<int64_t>();
    if (sent >= kMaxLinksPerOrder) {
      return common::BusinessRefusal(
          v1::LIMIT_REACHED,
          absl::StrCat("order ", link.order_id(), " was sent ", sent, " times already"));
    }
    v1::QuoteLink stored = link;
    stored.clear_url();  // the signature is never kept
    tx.exec_params(
        "INSERT INTO quote_links (link_id, order_id, order_revision, expire_time, body) "
        "VALUES ($1, $2, $3, us_to_ts($4), $5)",
        link.link_id(), link.order_id(), link.order_revision(),
        common::ToMicros(link.expire_time()), Bytes(stored.SerializeAsString()));
    answer(stored);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<v1::QuoteLink>> PostgresDocumentStore::FindQuoteLink(
    const std::string& link_id) {
  std::optional<v1::QuoteLink> link;
  SALESOPS_RETURN_IF_ERROR(pool_.Read("find_quote_link", [&](pqxx::transaction_base& tx) {
    link.reset();
    pqxx::result rows = tx.exec_params("SELECT body FROM quote_links WHERE link_id = $1", link_id);
    if (!rows.empty()) link = ParseRecord<v1::QuoteLink>(rows[0][0]);
    return absl::OkStatus();
  }));
  return link;
}

absl::StatusOr<std::pair<std::vector<v1::QuoteLink>, int64_t>>
PostgresDocumentStore::ListQuoteLinks(const std::string& order_id, int64_t before_seq,
                                      int page_size) {
  std::pair<std::vector<v1::QuoteLink>, int64_t> page;
  SALESOPS_RETURN_IF_ERROR(pool_.Read("list_quote_links", [&](pqxx::transaction_base& tx) {
    pqxx::result rows = tx.exec_params(
        "SELECT body, sent_seq FROM quote_links WHERE order_id = $1 AND ($2 = 0 OR sent_seq < $2) "
        "ORDER BY sent_seq DESC LIMIT $3",
        order_id, before_seq, page_size + 1);
    page.first.clear();
    page.second = 0;
    for (const pqxx::row& row : rows) {
      if (static_cast<int>(page.first.size()) == page_size) {
        break;
      }
      page.first.push_back(ParseRecord<v1::QuoteLink>(row[0]));
      page.second = row[1].as<int64_t>();
    }
    if (static_cast<int>(rows.size()) <= page_size) page.second = 0;
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<bool> PostgresDocumentStore::RecordAcceptance(
    const std::string& link_id, const v1::QuoteAcceptance& acceptance) {
  bool recorded = false;
  SALESOPS_RETURN_IF_ERROR(pool_.InTransaction("record_acceptance", [&](pqxx::work& tx) {
    recorded = false;
    pqxx::result rows = tx.exec_params(
        "SELECT body FROM quote_links WHERE link_id = $1 AND NOT accepted FOR UPDATE", link_id);
    if (rows.empty()) return absl::OkStatus();
    v1::QuoteLink link = ParseRecord<v1::QuoteLink>(rows[0][0]);
    link.set_state(v1::QUOTE_LINK_STATE_ACCEPTED);
    *link.mutable_acceptance() = acceptance;
    tx.exec_params(
        "UPDATE quote_links SET accepted = true, outcome_pending = true, body = $2 "
        "WHERE link_id = $1",
        link_id, Bytes(link.SerializeAsString()));
    recorded = true;
    return absl::OkStatus();
  }));
  return recorded;
}

absl::Status PostgresDocumentStore::SetAcceptanceOutcome(const std::string& link_id,
                                                         const v1::QuoteAcceptance& acceptance,
                                                         const v1::Event& event) {
  return pool_.InTransaction("set_acceptance_outcome", [&](pqxx::work& tx) {
    pqxx::result rows =
        tx.exec_params("SELECT body FROM quote_links WHERE link_id = $1 FOR UPDATE", link_id);
    if (rows.empty()) return RecordNotFound("quote link", link_id);
    v1::QuoteLink link = ParseRecord<v1::QuoteLink>(rows[0][0]);
    // Told once: recovery and the request that accepted may both get here.
    if (link.acceptance().outcome() != v1::ACCEPTANCE_OUTCOME_PENDING) return absl::OkStatus();
    *link.mutable_acceptance() = acceptance;
    tx.exec_params("UPDATE quote_links SET outcome_pending = false, body = $2 WHERE link_id = $1",
                   link_id, Bytes(link.SerializeAsString()));
    common::AppendToOutbox(tx, event, kSourceService);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<v1::QuoteLink>> PostgresDocumentStore::PendingAcceptances(
    absl::Time before) {
  std::vector<v1::QuoteLink> links;
  SALESOPS_RETURN_IF_ERROR(pool_.Read("pending_acceptances", [&](pqxx::transaction_base& tx) {
    links.clear();
    pqxx::result rows =
        tx.exec("SELECT body FROM quote_links WHERE outcome_pending ORDER BY sent_seq LIMIT 100");
    for (const pqxx::row& row : rows) {
      v1::QuoteLink link = ParseRecord<v1::QuoteLink>(row[0]);
      if (link.acceptance().outcome() == v1::ACCEPTANCE_OUTCOME_PENDING &&
          absl::FromUnixMicros(common::ToMicros(link.acceptance().accept_time())) < before) {
        links.push_back(std::move(link));
      }
    }
    return absl::OkStatus();
  }));
  return links;
}

}  // namespace salesops::order_intake
