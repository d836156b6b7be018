#include "services/order_intake/order_intake_definition.h"

namespace salesops::order_intake {

// Who may call what. Deny by default: an RPC missing here is refused for
// every role, so a new RPC cannot ship open by accident.
common::RolePolicy RolePolicy() {
  common::RolePolicy policy(kServiceFullName);
  policy.Allow("CreateOrder", {v1::ROLE_SALES, v1::ROLE_ADMIN})
      .Allow("GetOrder", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("ListOrders", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("GetOrderHistory", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("CheckFeasibility", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("ConfirmOrder", {v1::ROLE_SALES, v1::ROLE_ADMIN})
      .Allow("ApproveDiscount", {v1::ROLE_ADMIN})
      .Allow("AmendOrder", {v1::ROLE_SALES, v1::ROLE_ADMIN})
      .Allow("CancelOrder", {v1::ROLE_SALES, v1::ROLE_ADMIN})
      .Allow("CloseOrder", {v1::ROLE_SALES, v1::ROLE_ADMIN})
      .Allow("AskQuestion", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("AnswerQuestion", {v1::ROLE_SALES, v1::ROLE_ADMIN})
      .Allow("AcknowledgeChange", {v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("AddNote", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("Reconcile", {v1::ROLE_ADMIN})
      // The directory: sales own organisations and venues; ops keep venue notes current.
      .Allow("CreateOrganisation", {v1::ROLE_SALES, v1::ROLE_ADMIN})
      .Allow("GetOrganisation", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("ListOrganisations", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("UpdateOrganisation", {v1::ROLE_SALES, v1::ROLE_ADMIN})
      .Allow("CreateVenue", {v1::ROLE_SALES, v1::ROLE_ADMIN})
      .Allow("GetVenue", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("ListVenues", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("UpdateVenue", {v1::ROLE_SALES, v1::ROLE_ADMIN})
      .Allow("UpdateVenueNotes", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN})
      .Allow("MergeOrganisations", {v1::ROLE_SALES, v1::ROLE_ADMIN})
      .Allow("MergeVenues", {v1::ROLE_SALES, v1::ROLE_ADMIN})
      // The pricing configuration: ADMIN keeps it; everyone reads what quotes are priced with.
      .Allow("SetProductRate", {v1::ROLE_ADMIN})
      .Allow("ListProductRates", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("DeleteProductRate", {v1::ROLE_ADMIN})
      .Allow("CreatePriceList", {v1::ROLE_ADMIN})
      .Allow("GetPriceList", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("ListPriceLists", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("UpdatePriceList", {v1::ROLE_ADMIN})
      .Allow("DeletePriceList", {v1::ROLE_ADMIN})
      .Allow("CreateTaxRate", {v1::ROLE_ADMIN})
      .Allow("ListTaxRates", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("DeleteTaxRate", {v1::ROLE_ADMIN})
      .Allow("CreateExchangeRate", {v1::ROLE_ADMIN})
      .Allow("ListExchangeRates", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("DeleteExchangeRate", {v1::ROLE_ADMIN})
      // Documents: ADMIN keeps the company profile; whoever reads orders reads their documents.
      .Allow("SetCompanyProfile", {v1::ROLE_ADMIN})
      .Allow("GetCompanyProfile", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("GetDocument", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      // Online acceptance: sales sends quotes; ops sees what clients did with them.
      .Allow("SendQuote", {v1::ROLE_SALES, v1::ROLE_ADMIN})
      .Allow("ListQuoteLinks", {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      // Money: sales and ADMIN invoice and book payments; ops never sees it. The journal, the
      // whole company's books, is ADMIN's.
      .Allow("SetInvoicePlan", {v1::ROLE_SALES, v1::ROLE_ADMIN})
      .Allow("GetInvoicePlan", {v1::ROLE_SALES, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("IssueInvoice", {v1::ROLE_SALES, v1::ROLE_ADMIN})
      .Allow("IssueCreditNote", {v1::ROLE_SALES, v1::ROLE_ADMIN})
      .Allow("GetInvoice", {v1::ROLE_SALES, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("ListInvoices", {v1::ROLE_SALES, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("RecordPayment", {v1::ROLE_SALES, v1::ROLE_ADMIN})
      .Allow("GetAccountBalance", {v1::ROLE_SALES, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("GetInvoiceXml", {v1::ROLE_SALES, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("GetJournal", {v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      .Allow("GetPipelineForecast",
             {v1::ROLE_SALES, v1::ROLE_OPS, v1::ROLE_ADMIN, v1::ROLE_SERVICE})
      // What people cost against what the quote charges for them is ADMIN's alone (issue 20);
      // the forecast's include_labour is refused to the others in its handler.
      .Allow("GetLabourMargin", {v1::ROLE_ADMIN});
  // Ops milestones arrive from notification as EventSink deliveries.
  common::RolePolicy sink(kEventSinkFullName);
  sink.Allow("Deliver", {v1::ROLE_SERVICE});
  policy.Merge(sink);
  return policy;
}

}  // namespace salesops::order_intake
