#pragma once

// The pages a client sees when they open a quote link (online acceptance): pure functions from
// the order and the company profile to one self-contained HTML page (inline CSS, no script, no
// external resource: it passes the acceptance server's Content-Security-Policy and reads on a
// phone). Amounts, times and the delivery promise are worded as the quote's PDF words them
// (document_words.h), so the page and the document the client accepts say the same thing.
// Every string that comes from an order, a profile or a client is HTML-escaped. Language
// UNSPECIFIED is English.
#include <absl/time/time.h>

#include <string>
#include <string_view>

#include "salesops/v1/documents.pb.h"
#include "salesops/v1/order_intake.pb.h"

namespace salesops::order_intake {

// The quote of `order`'s revision: the company (and its logo), order id and revision, customer,
// event, delivery window, lines with quantity and net amount, tax per rate, total, how long the
// link is valid (`expire_time`), the company's terms, a link to `pdf_url` and a form POSTing to
// `accept_url` with a required field "name" (at most 200 characters).
std::string QuotePage(const v1::Order& order, const v1::CompanyProfile& profile,
                      v1::DocumentLanguage language, std::string_view pdf_url,
                      std::string_view accept_url, absl::Time expire_time);

// After the acceptance confirmed the order: thanks, and the delivery promise as the order
// confirmation states it.
std::string ConfirmedPage(const v1::Order& order, const v1::CompanyProfile& profile,
                          v1::DocumentLanguage language, std::string_view accepted_by_name);

// After an acceptance ops could not support yet: received, to be confirmed shortly. Never why:
// the reason is sales' to act on, not the client's to read.
std::string ReceivedPage(const v1::Order& order, const v1::CompanyProfile& profile,
                         v1::DocumentLanguage language, std::string_view accepted_by_name);

enum class LinkRefusal { kInvalid, kExpired, kAlreadyUsed, kSuperseded };

// A link that cannot be used, with what to do instead: contact the company. It names no order:
// an invalid link proves nothing about which order it claims.
std::string RefusedPage(LinkRefusal refusal, const v1::CompanyProfile& profile,
                        v1::DocumentLanguage language);

}  // namespace salesops::order_intake
