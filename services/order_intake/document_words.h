#pragma once

// What order-intake's documents share (document_content.cc: quotes, confirmations, pull sheets,
// delivery notes; invoice_document.cc: invoices and credit notes), so that every document writes
// an amount, a time, the letterhead and the footer the same way. Internal to those two files.
#include <absl/time/time.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/type/money.pb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "salesops/v1/documents.pb.h"
#include "salesops/v1/vocabulary.pb.h"

namespace salesops::order_intake::document_words {

// Every word a document prints that is not the order's own, in one language.
struct Words {
  const char* quote;
  const char* confirmation;
  const char* quote_number;
  const char* order_number;
  const char* revision;
  const char* date;
  const char* valid_until;
  const char* your_reference;
  const char* event;
  const char* delivery;
  const char* no_later_than;  // "no later than {time}"
  const char* between;        // "between {from} and {to}"
  const char* item;
  const char* quantity;
  const char* unit_price;
  const char* amount;
  const char* crew;
  const char* transport;
  const char* pinned;
  const char* discount;
  const char* net;
  const char* tax;  // "VAT {rate} % on {net}"
  const char* total;
  const char* options;
  const char* instead_of;
  const char* converted;
  const char* attention;
  const char* tax_id;
  const char* terms;
  const char* confirmation_text;  // "{order}", "{revision}", "{commitment}", "{venue}"
  const char* page;
  const char* service;
  const char* production;
  const char* fee;
  const char* time_format;
};

// The words of the warehouse's documents (pull sheet, delivery note).
struct WarehouseWords {
  const char* pull_sheet;
  const char* delivery_note;
  const char* code;
  const char* description;
  const char* to_pull;
  const char* tick;
  const char* delivered;
  const char* to_return;
  const char* used_up;
  const char* consumable;
  const char* from_supplier;  // "{quantity} from {supplier}"
  const char* part_need;      // "{part}: {quantity}, {from} to {to}"
  const char* notes;
  const char* loading;
  const char* access;
  const char* strike;
  const char* pulled_by;
  const char* checked_by;
  const char* driver;
  const char* received_by;
};

// An amount the service computed and stored (a quote's, an invoice's): it fits in micros.
int64_t MicrosOf(const google::type::Money& money);

// Formats numbers and times the way the document's reader writes them.
class Writer {
 public:
  Writer(v1::DocumentLanguage language, absl::TimeZone zone);

  const Words& words() const { return words_; }
  const WarehouseWords& warehouse() const { return warehouse_; }

  // "1,234.56 EUR"; "1.234,56 EUR" in German.
  std::string Money(const google::type::Money& money) const;
  // In the company's zone.
  std::string Time(const google::protobuf::Timestamp& timestamp) const;
  // `value` / `per_unit` with as many decimals as it needs: 190000 / 10000 -> "19",
  // 850000 / 1000000 -> "0.85" ("0,85" in German).
  std::string Decimal(int64_t value, int64_t per_unit) const;
  std::string Commitment(const v1::DeliveryWindow& delivery,
                         const google::protobuf::Timestamp& no_later_than) const;
  std::string Category(v1::CustomLineCategory category) const;

 private:
  const Words& words_;
  const WarehouseWords& warehouse_;
  bool german_;
  absl::TimeZone zone_;
};

// The letterhead's sender: name, address, tax id, email, phone.
std::vector<std::string> SenderOf(const v1::CompanyProfile& profile, const Words& words);

// The zone the profile's documents show times and days in.
absl::TimeZone CompanyZone(const v1::CompanyProfile& profile);

// The small print at the foot of every page: bank details, then the profile's footer text.
std::string FooterOf(const v1::CompanyProfile& profile);

}  // namespace salesops::order_intake::document_words
