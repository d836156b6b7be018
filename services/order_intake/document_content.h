#pragma once

#include <absl/status/statusor.h>

#include "salesops/v1/documents.pb.h"
#include "salesops/v1/inventory.pb.h"
#include "salesops/v1/order_intake.pb.h"
#include "services/documents/pdf_document.h"

namespace salesops::order_intake {

// What a document of `kind` says about one revision of `order`, in `language` (never
// UNSPECIFIED here), headed by `profile`: the quote's lines with how each was priced, phases,
// options, tax per rate, terms and validity; an order confirmation's commitment in the shared
// language; the pull sheet's codes with barcodes, and the delivery note's units out and to come
// back, both from `sheet` (the order's pull sheet, required for them). Pure: the same inputs give
// the same document, dated by the revision's update time. FAILED_PRECONDITION
// (INVALID_STAGE_TRANSITION) for anything but a quote of a revision that was never confirmed.
absl::StatusOr<documents::Document> DocumentOf(const v1::Order& order,
                                               const v1::CompanyProfile& profile,
                                               v1::DocumentKind kind, v1::DocumentLanguage language,
                                               const v1::PullSheet* sheet = nullptr);

}  // namespace salesops::order_intake
