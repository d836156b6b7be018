#include "services/order_intake/postgres_pricing_store.h"

#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>

#include <optional>
#include <vector>

#include "services/common/errors.h"
#include "services/order_intake/postgres_order_store.h"
#include "services/order_intake/postgres_records.h"
#include "services/order_intake/pricing_conversion.h"

namespace salesops::order_intake {
namespace {

// Where one kind of record lives. The names are constants of this file, never caller text.
struct Table {
  const char* kind;       // "price list", in messages
  const char* name;       // pricelists; also the kind in pricing_changes
  const char* id_column;  // pricelist_id
  const char* sequence;   // pricelist_numbers
  const char* id_prefix;  // "pl-"
};

constexpr Table kProductRates{"product rate", "product_rates", "product_code", "", ""};
constexpr Table kPriceLists{"price list", "pricelists", "pricelist_id", "pricelist_numbers", "pl-"};
constexpr Table kTaxRates{"tax rate", "taxrates", "taxrate_id", "taxrate_numbers", "tax-"};
constexpr Table kExchangeRates{"exchange rate", "exchangerates", "exchangerate_id",
                               "exchangerate_numbers", "fx-"};

absl::Status NotFound(const Table& table, const std::string& id) {
  return RecordNotFound(table.kind, id);
}

void RecordChangeOf(pqxx::work& tx, const Table& table, const std::string& id, const char* action,
                    const IdempotentCall& call, const google::protobuf::Message& record) {
  tx.exec_params(
      "INSERT INTO pricing_changes (kind, record_id, action, actor_id, body) "
      "VALUES ($1, $2, $3, $4, $5)",
      table.name, id, action, call.caller_id, Bytes(record.SerializeAsString()));
}

// The next id of `table`'s sequence, with its number (the listing's page key).
std::pair<std::string, int64_t> NextId(pqxx::work& tx, const Table& table) {
  const int64_t number =
      tx.exec1(absl::StrCat("SELECT nextval('", table.sequence, "')"))[0].as<int64_t>();
  return {absl::StrCat(table.id_prefix, number), number};
}

template <typename Record>
std::optional<Record> LockedRecord(pqxx::work& tx, const Table& table, const std::string& id) {
  pqxx::result rows = tx.exec_params(
      absl::StrCat("SELECT body FROM ", table.name, " WHERE ", table.id_column, " = $1 FOR UPDATE"),
      id);
  if (rows.empty()) return std::nullopt;
  return ParseRecord<Record>(rows[0][0]);
}

// Removes the record `id` of `table` after `check` accepted it as it is.
template <typename Record>
absl::Status Remove(common::ConnectionPool& pool, const Table& table, const IdempotentCall& call,
                    const std::string& id, const RecordCheck<Record>& check) {
  return IdempotentWrite(pool, absl::StrCat("delete_", table.name), call, [&](pqxx::work& tx) {
    std::optional<Record> record = LockedRecord<Record>(tx, table, id);
    if (!record) return NotFound(table, id);
    if (check) SALESOPS_RETURN_IF_ERROR(check(*record));
    tx.exec_params(absl::StrCat("DELETE FROM ", table.name, " WHERE ", table.id_column, " = $1"),
                   id);
    RecordChangeOf(tx, table, id, "removed", call, *record);
    return absl::OkStatus();
  });
}

// One page of `table` in creation order (its number is the page key).
template <typename Record>
absl::StatusOr<common::Page<Record>> ListByNumber(common::ConnectionPool& pool, const Table& table,
                                                  int limit, const std::string& after) {
  SALESOPS_ASSIGN_OR_RETURN(const int64_t after_number, PageNumberAfter(after));
  common::Page<Record> page;
  std::vector<int64_t> numbers;
  absl::Status status = pool.Read(absl::StrCat("list_", table.name), [&](auto& tx) {
    page = {};
    numbers.clear();
    pqxx::result rows = tx.exec_params(absl::StrCat("SELECT body, number FROM ", table.name,
                                                    " WHERE number > $1 ORDER BY number LIMIT $2"),
                                       after_number, limit + 1);
    for (const pqxx::row& row : rows) numbers.push_back(row[1].as<int64_t>());
    common::FillPage(
        page, rows, limit, [](const pqxx::row& row) { return ParseRecord<Record>(row[0]); },
        [&](const Record&) { return std::to_string(numbers[page.entries.size() - 1]); });
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

absl::Status NameTaken(const std::string& name) {
  return common::ReasonedError(
      absl::StatusCode::kAlreadyExists, v1::ALREADY_EXISTS,
      absl::StrCat("a price list named '", name, "' exists already; price list names are unique"));
}

// Writes the price list's row (new or replacing) and its change; ALREADY_EXISTS when another
// list has the name.
absl::Status WritePriceList(pqxx::work& tx, const IdempotentCall& call, const v1::PriceList& list,
                            std::optional<int64_t> new_number) {
  pqxx::result taken =
      tx.exec_params("SELECT 1 FROM pricelists WHERE name = $1 AND pricelist_id <> $2", list.name(),
                     list.pricelist_id());
  if (!taken.empty()) return NameTaken(list.name());
  const std::string body = list.SerializeAsString();
  try {
    // A savepoint, so that a list created with the same name meanwhile is a refusal, not a
    // broken transaction.
    pqxx::subtransaction write(tx, "write_pricelist");
    if (new_number) {
      write.exec_params(
          "INSERT INTO pricelists (pricelist_id, number, name, revision, body) "
          "VALUES ($1, $2, $3, $4, $5)",
          list.pricelist_id(), *new_number, list.name(), list.revision(), Bytes(body));
    } else {
      write.exec_params(
          "UPDATE pricelists SET name = $2, revision = $3, body = $4, updated_at = now() "
          "WHERE pricelist_id = $1",
          list.pricelist_id(), list.name(), list.revision(), Bytes(body));
    }
    write.commit();
  } catch (const pqxx::unique_violation&) {
    return NameTaken(list.name());
  }
  RecordChangeOf(tx, kPriceLists, list.pricelist_id(), "written", call, list);
  return absl::OkStatus();
}

template <typename Record>
std::vector<Record> Bodies(const pqxx::result& rows) {
  std::vector<Record> records;
  for (const pqxx::row& row : rows) records.push_back(ParseRecord<Record>(row[0]));
  return records;
}

}  // namespace

absl::StatusOr<PricingConfig> PostgresPricingStore::LoadPricingConfig() {
  constexpr char kCountChanges[] = "SELECT count(*) FROM pricing_changes";
  int64_t changes = -1;
  SALESOPS_RETURN_IF_ERROR(pool_.Read("count_pricing_changes", [&](pqxx::transaction_base& tx) {
    changes = tx.exec1(kCountChanges)[0].as<int64_t>();
    return absl::OkStatus();
  }));
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (cached_.has_value() && cached_changes_ == changes) return *cached_;
  }
  PricingRecords records;
  int64_t snapshot_changes = -1;
  absl::Status status = pool_.InTransaction("load_pricing_config", [&](pqxx::work& tx) {
    // One snapshot for all four tables: a quote never sees half of an ADMIN's changes.
    tx.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    snapshot_changes = tx.exec1(kCountChanges)[0].as<int64_t>();
    records.product_rates =
        Bodies<v1::ProductRate>(tx.exec("SELECT body FROM product_rates ORDER BY product_code"));
    records.price_lists =
        Bodies<v1::PriceList>(tx.exec("SELECT body FROM pricelists ORDER BY number"));
    records.tax_rates = Bodies<v1::TaxRate>(tx.exec("SELECT body FROM taxrates ORDER BY number"));
    records.exchange_rates =
        Bodies<v1::ExchangeRate>(tx.exec("SELECT body FROM exchangerates ORDER BY number"));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  SALESOPS_ASSIGN_OR_RETURN(PricingConfig config, PricingConfigFromProtos(records));
  std::lock_guard<std::mutex> lock(cache_mutex_);
  cached_ = config;
  cached_changes_ = snapshot_changes;
  return config;
}

absl::Status PostgresPricingStore::SetProductRate(
    const IdempotentCall& call, v1::ProductRate rate,
    const std::function<absl::Status(const v1::ProductRate* replaced)>& check,
    const RecordAnswer<v1::ProductRate>& answer) {
  return IdempotentWrite(pool_, "set_product_rate", call, [&](pqxx::work& tx) {
    // The row lock of the product's rate, or (none yet) the advisory lock of its code, so
    // that two first writes do not both see "none".
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtext('product_rates'), hashtext($1))",
                   rate.product_code());
    std::optional<v1::ProductRate> replaced =
        LockedRecord<v1::ProductRate>(tx, kProductRates, rate.product_code());
    SALESOPS_RETURN_IF_ERROR(check(replaced ? &*replaced : nullptr));
    v1::ProductRate stored = std::move(rate);
    stored.set_revision(replaced ? replaced->revision() + 1 : 1);
    stored.set_etag(EtagOf(stored.revision()));
    tx.exec_params(
        "INSERT INTO product_rates (product_code, revision, body) VALUES ($1, $2, $3) "
        "ON CONFLICT (product_code) DO UPDATE SET revision = EXCLUDED.revision, "
        "body = EXCLUDED.body, updated_at = now()",
        stored.product_code(), stored.revision(), Bytes(stored.SerializeAsString()));
    RecordChangeOf(tx, kProductRates, stored.product_code(), "written", call, stored);
    answer(stored);
    return absl::OkStatus();
  });
}

absl::StatusOr<common::Page<v1::ProductRate>> PostgresPricingStore::ListProductRates(
    int limit, const std::string& after) {
  common::Page<v1::ProductRate> page;
  absl::Status status = pool_.Read("list_product_rates", [&](auto& tx) {
    page = {};
    pqxx::result rows = tx.exec_params(
        "SELECT body FROM product_rates WHERE product_code > $1 ORDER BY product_code LIMIT $2",
        after, limit + 1);
    common::FillPage(
        page, rows, limit,
        [](const pqxx::row& row) { return ParseRecord<v1::ProductRate>(row[0]); },
        [](const v1::ProductRate& rate) { return rate.product_code(); });
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return page;
}

absl::Status PostgresPricingStore::DeleteProductRate(const IdempotentCall& call,
                                                     const std::string& product_code,
                                                     const RecordCheck<v1::ProductRate>& check) {
  return Remove(pool_, kProductRates, call, product_code, check);
}

absl::Status PostgresPricingStore::CreatePriceList(const IdempotentCall& call, v1::PriceList list,
                                                   const RecordAnswer<v1::PriceList>& answer) {
  return IdempotentWrite(pool_, "create_pricelist", call, [&](pqxx::work& tx) {
    v1::PriceList stored = list;
    const auto [id, number] = NextId(tx, kPriceLists);
    stored.set_pricelist_id(id);
    stored.set_revision(1);
    stored.set_etag(EtagOf(1));
    SALESOPS_RETURN_IF_ERROR(WritePriceList(tx, call, stored, number));
    answer(stored);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::PriceList> PostgresPricingStore::GetPriceList(const std::string& pricelist_id) {
  std::optional<v1::PriceList> list;
  absl::Status status = pool_.Read("get_pricelist", [&](auto& tx) {
    list.reset();
    pqxx::result rows =
        tx.exec_params("SELECT body FROM pricelists WHERE pricelist_id = $1", pricelist_id);
    if (!rows.empty()) list = ParseRecord<v1::PriceList>(rows[0][0]);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!list) return NotFound(kPriceLists, pricelist_id);
  return *list;
}

absl::StatusOr<common::Page<v1::PriceList>> PostgresPricingStore::ListPriceLists(
    int limit, const std::string& after) {
  return ListByNumber<v1::PriceList>(pool_, kPriceLists, limit, after);
}

absl::Status PostgresPricingStore::UpdatePriceList(const IdempotentCall& call,
                                                   const std::string& pricelist_id,
                                                   const RecordChange<v1::PriceList>& change,
                                                   const RecordAnswer<v1::PriceList>& answer) {
  return IdempotentWrite(pool_, "update_pricelist", call, [&](pqxx::work& tx) {
    std::optional<v1::PriceList> list = LockedRecord<v1::PriceList>(tx, kPriceLists, pricelist_id);
    if (!list) return NotFound(kPriceLists, pricelist_id);
    SALESOPS_RETURN_IF_ERROR(change(*list));
    list->set_pricelist_id(pricelist_id);
    list->set_revision(list->revision() + 1);
    list->set_etag(EtagOf(list->revision()));
    SALESOPS_RETURN_IF_ERROR(WritePriceList(tx, call, *list, std::nullopt));
    answer(*list);
    return absl::OkStatus();
  });
}

absl::Status PostgresPricingStore::DeletePriceList(const IdempotentCall& call,
                                                   const std::string& pricelist_id,
                                                   const RecordCheck<v1::PriceList>& check) {
  return Remove(pool_, kPriceLists, call, pricelist_id, check);
}

absl::Status PostgresPricingStore::CreateTaxRate(const IdempotentCall& call, v1::TaxRate rate,
                                                 const SiblingsCheck<v1::TaxRate>& check,
                                                 const RecordAnswer<v1::TaxRate>& answer) {
  return IdempotentWrite(pool_, "create_taxrate", call, [&](pqxx::work& tx) {
    // Creates of tax rates take turns (reads go on), so that two overlapping rates cannot both
    // pass the check.
    tx.exec("LOCK TABLE taxrates IN SHARE ROW EXCLUSIVE MODE");
    SALESOPS_RETURN_IF_ERROR(check(Bodies<v1::TaxRate>(tx.exec_params(
        "SELECT body FROM taxrates WHERE tax_class = $1 AND jurisdiction = $2 ORDER BY number",
        static_cast<int>(rate.tax_class()), rate.jurisdiction()))));
    v1::TaxRate stored = std::move(rate);
    const auto [id, number] = NextId(tx, kTaxRates);
    stored.set_taxrate_id(id);
    tx.exec_params(
        "INSERT INTO taxrates (taxrate_id, number, tax_class, jurisdiction, body) "
        "VALUES ($1, $2, $3, $4, $5)",
        id, number, static_cast<int>(stored.tax_class()), stored.jurisdiction(),
        Bytes(stored.SerializeAsString()));
    RecordChangeOf(tx, kTaxRates, id, "written", call, stored);
    answer(stored);
    return absl::OkStatus();
  });
}

absl::StatusOr<common::Page<v1::TaxRate>> PostgresPricingStore::ListTaxRates(
    int limit, const std::string& after) {
  return ListByNumber<v1::TaxRate>(pool_, kTaxRates, limit, after);
}

absl::Status PostgresPricingStore::DeleteTaxRate(const IdempotentCall& call,
                                                 const std::string& taxrate_id) {
  return Remove<v1::TaxRate>(pool_, kTaxRates, call, taxrate_id, nullptr);
}

absl::Status PostgresPricingStore::CreateExchangeRate(
    const IdempotentCall& call, v1::ExchangeRate rate, const SiblingsCheck<v1::ExchangeRate>& check,
    const RecordAnswer<v1::ExchangeRate>& answer) {
  return IdempotentWrite(pool_, "create_exchangerate", call, [&](pqxx::work& tx) {
    tx.exec("LOCK TABLE exchangerates IN SHARE ROW EXCLUSIVE MODE");
    SALESOPS_RETURN_IF_ERROR(check(Bodies<v1::ExchangeRate>(tx.exec_params(
        "SELECT body FROM exchangerates WHERE from_currency = $1 AND to_currency = $2 "
        "ORDER BY number",
        rate.from_currency(), rate.to_currency()))));
    v1::ExchangeRate stored = std::move(rate);
    const auto [id, number] = NextId(tx, kExchangeRates);
    stored.set_exchangerate_id(id);
    tx.exec_params(
        "INSERT INTO exchangerates (exchangerate_id, number, from_currency, to_currency, body) "
        "VALUES ($1, $2, $3, $4, $5)",
        id, number, stored.from_currency(), stored.to_currency(),
        Bytes(stored.SerializeAsString()));
    RecordChangeOf(tx, kExchangeRates, id, "written", call, stored);
    answer(stored);
    return absl::OkStatus();
  });
}

absl::StatusOr<common::Page<v1::ExchangeRate>> PostgresPricingStore::ListExchangeRates(
    int limit, const std::string& after) {
  return ListByNumber<v1::ExchangeRate>(pool_, kExchangeRates, limit, after);
}

absl::Status PostgresPricingStore::DeleteExchangeRate(const IdempotentCall& call,
                                                      const std::string& exchangerate_id) {
  return Remove<v1::ExchangeRate>(pool_, kExchangeRates, call, exchangerate_id, nullptr);
}

}  // namespace salesops::order_intake
