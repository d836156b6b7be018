#pragma once

#include "salesops/v1/documents.pb.h"
#include "salesops/v1/invoicing.pb.h"
#include "services/documents/pdf_document.h"

namespace salesops::order_intake {

// The PDF content of an invoice or credit note as issued, in `language` (ENGLISH or GERMAN; never
// UNSPECIFIED here), headed by `profile`: what §14 (4) UStG and art. 226 of the VAT directive ask
// of an invoice (number, date, seller and buyer with their VAT ids, the supply and when it was
// delivered, net per tax rate, rate and tax, the reverse-charge note) and what a finance team
// looks for (due date, what was paid, what is still due, how to pay). A credit note names the
// invoice it corrects and why, and has no due date. Pure: the same inputs give the same document,
// dated by the invoice's issue_day.
//
// Line descriptions, the commitment text, the tax note and a credit note's reason are printed as
// issued, whatever the language.
documents::Document InvoiceDocumentOf(const v1::Invoice& invoice, const v1::CompanyProfile& profile,
                                      v1::DocumentLanguage language);

}  // namespace salesops::order_intake
