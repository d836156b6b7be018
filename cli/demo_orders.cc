#include "cli/demo_orders.h"

#include <absl/strings/match.h>
#include <absl/strings/str_cat.h>
#include <curl/curl.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <thread>

#include "cli/demo_pricing.h"
#include "cli/input_parsing.h"
#include "cli/inventory_stub.h"
#include "cli/order_intake_stub.h"
#include "cli/order_spec.h"
#include "cli/order_stages.h"
#include "cli/output.h"
#include "cli/scheduling_stub.h"
#include "cli/yaml_file.h"

namespace salesops::cli {
namespace {

using v1::InventoryService;
using v1::OrderIntakeService;
using v1::SchedulingService;

bool IsOpenQuoteStage(v1::OrderStage stage) {
  return stage == v1::ORDER_STAGE_INQUIRY || stage == v1::ORDER_STAGE_QUOTED;
}

size_t DiscardBody(char*, size_t size, size_t count, void*) { return size * count; }

// POSTs a form (application/x-www-form-urlencoded) as a browser would; the HTTP status.
absl::StatusOr<int> PostForm(const std::string& url,
                             const std::vector<std::pair<std::string, std::string>>& fields) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return absl::InternalError("libcurl did not start");
  std::string body;
  for (const auto& [name, value] : fields) {
    char* escaped = curl_easy_escape(curl, value.c_str(), static_cast<int>(value.size()));
    absl::StrAppend(&body, body.empty() ? "" : "&", name, "=", escaped);
    curl_free(escaped);
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "salesopsctl demo load (the client's browser)");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &DiscardBody);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  const CURLcode result = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  if (result != CURLE_OK) return absl::UnavailableError(curl_easy_strerror(result));
  return static_cast<int>(status);
}

// What the file says beyond the order itself.
struct DemoOrder {
  std::string key;
  v1::OrderStage goes_to = v1::ORDER_STAGE_QUOTED;
  OrderSpec spec;
  std::string question, answer, cancel_reason;
  bool blocking = false;
  std::string change_reason;
  OrderSpec change;
  // Money (issue 18): the order's deposit percentage (its invoice plan), whether the deposit is
  // invoiced and paid, the quote sent as a link (and accepted online by someone), and a final
  // invoice dated `final_invoice_days_ago` days back with a payment term (left unpaid).
  int deposit_percent = 0;
  bool deposit_paid = false;
  bool send_quote = false;
  std::string accepted_online_by;
  int final_invoice_days_ago = -1;
  int payment_term_days = 14;
};

absl::StatusOr<std::vector<DemoOrder>> ReadDemoOrders(const std::string& path) {
  absl::StatusOr<YAML::Node> read = ReadYamlFile(path);
  if (!read.ok()) return read.status();
  YAML::Node root = *read;
  if (!root.IsSequence()) return absl::InvalidArgumentError(path + ": expected a list of orders");
  std::vector<DemoOrder> orders;
  for (size_t i = 0; i < root.size(); ++i) {
    YAML::Node entry = YAML::Clone(root[i]);
    if (!entry.IsMap() || !entry["key"]) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": order ", i + 1, " has no key"));
    }
    DemoOrder order;
    const std::string where = absl::StrCat(path, ": ", entry["key"].as<std::string>());
    try {
      order.key = entry["key"].as<std::string>();
      if (entry["goes-to"]) {
        absl::StatusOr<v1::OrderStage> stage =
            ParseEnum<v1::OrderStage>(entry["goes-to"].as<std::string>());
        if (!stage.ok())
          return absl::InvalidArgumentError(where +
                                            ": goes-to: " + std::string(stage.status().message()));
        order.goes_to = *stage;
      }
      order.question = entry["question"].as<std::string>("");
      order.answer = entry["answer"].as<std::string>("");
      order.blocking = entry["blocking"].as<bool>(false);
      order.cancel_reason = entry["cancel-reason"].as<std::string>("");
      order.deposit_percent = entry["deposit"].as<int>(0);
      order.deposit_paid = entry["deposit-paid"].as<bool>(false);
      order.send_quote = entry["send-quote"].as<bool>(false);
      order.accepted_online_by = entry["accepted-online-by"].as<std::string>("");
      order.final_invoice_days_ago = entry["final-invoice-days-ago"].as<int>(-1);
      order.payment_term_days = entry["payment-term-days"].as<int>(14);
      if (YAML::Node change = entry["change-after-prep"]) {
        order.change_reason = change["reason"].as<std::string>("");
        YAML::Node fields = YAML::Clone(change);
        fields.remove("reason");
        absl::StatusOr<OrderSpec> spec = OrderSpecFromYaml(fields, where + ": change-after-prep");
        if (!spec.ok()) return spec.status();
        order.change = *spec;
      }
    } catch (const YAML::Exception& error) {
      return absl::InvalidArgumentError(where + ": " + error.what());
    }
    for (const char* key : {"key", "goes-to", "question", "answer", "blocking", "cancel-reason",
                            "change-after-prep", "deposit", "deposit-paid", "send-quote",
                            "accepted-online-by", "final-invoice-days-ago", "payment-term-days"}) {
      entry.remove(key);
    }
    absl::StatusOr<OrderSpec> spec = OrderSpecFromYaml(entry, where);
    if (!spec.ok()) return spec.status();
    order.spec = *spec;
    orders.push_back(std::move(order));
  }
  return orders;
}

// One demo order taken to its stage, one call at a time; every failure is reported by the
// session (what, why, which field) and ends the load.
class OrderDriver {
 public:
  OrderDriver(Session& session, const DemoOrder& demo) : session_(session), demo_(demo) {}

  ExitCode Run(ImportCounts* counts) {
    // The order is found again by its reference, demo-<key>: its times are counted from the
    // day of the load, so the same file asks something different tomorrow.
    const std::string reference = "demo-" + demo_.key;
    v1::ListOrdersRequest list;
    list.set_customer_name(demo_.spec.customer);
    v1::ListOrdersResponse listed;
    if (ExitCode code = session_.CallAllPages(&OrderIntakeService::Stub::ListOrders, list, &listed);
        code != kExitOk) {
      return code;
    }
    const bool is_new = std::none_of(
        listed.orders().begin(), listed.orders().end(),
        [&](const v1::Order& order) { return order.customer_reference() == reference; });
    if (is_new) {
      v1::CreateOrderRequest create;
      create.set_request_id(reference + "-" +
                            absl::FormatTime("%Y%m%d", absl::Now(), absl::LocalTimeZone()));
      absl::Status applied = ApplyOrderSpec(demo_.spec, create.mutable_order());
      if (!applied.ok()) return ReportBadInput(demo_.key + ": " + std::string(applied.message()));
      // The demo's orders name the directory's records by name; the service takes their ids.
      if (absl::Status named = ResolveDirectoryNames(session_, create.mutable_order());
          !named.ok()) {
        return ReportBadInput(demo_.key + ": " + std::string(named.message()));
      }
      create.mutable_order()->set_customer_reference(reference);
      if (create.order().pipeline().stage() == v1::ORDER_STAGE_UNSPECIFIED) {
        create.mutable_order()->mutable_pipeline()->set_stage(v1::ORDER_STAGE_QUOTED);
      }
      v1::CreateOrderResponse created;
      if (ExitCode code = Step("quote", &OrderIntakeService::Stub::CreateOrder, create, &created);
          code != kExitOk) {
        return code;
      }
      order_ = created.order();
    } else {
      for (const v1::Order& order : listed.orders()) {
        if (order.customer_reference() == reference) order_ = order;
      }
    }
    // Read it whole, where it is now.
    if (ExitCode code = Refresh(); code != kExitOk) return code;
    if (ExitCode code = Drive(); code != kExitOk) return code;
    if (is_new) {
      ++counts->created;
    } else if (steps_taken_ > 0) {
      ++counts->updated;
    } else {
      ++counts->unchanged;
    }
    return kExitOk;
  }

 private:
  template <typename Stub, typename Request, typename Response>
  ExitCode Step(const std::string& what,
                grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                const Request& request, Response* response) {
    ExitCode code = session_.Call(method, request, response);
    if (code != kExitOk) std::cerr << "  while: " << demo_.key << ", " << what << "\n";
    return code;
  }

  ExitCode Refresh() {
    v1::GetOrderRequest request;
    request.set_order_id(order_.order_id());
    request.set_view(v1::ORDER_VIEW_BASIC);
    v1::GetOrderResponse response;
    ExitCode code = Step("read", &OrderIntakeService::Stub::GetOrder, request, &response);
    if (code == kExitOk) order_ = response.order();
    return code;
  }

  // Ops' milestones reach order-intake as events (outbox, relay, notification, EventSink):
  // the loader waits for them as a person would, up to a bound.
  ExitCode WaitFor(v1::OrderStage stage) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (true) {
      if (ExitCode code = Refresh(); code != kExitOk) return code;
      if (StageReached(order_.stage(), stage)) return kExitOk;
      if (std::chrono::steady_clock::now() > deadline) {
        std::cerr << "error: " << demo_.key << ": order " << order_.order_id() << " is still "
                  << EnumWord(order_.stage()) << ", not " << EnumWord(stage)
                  << " after 60 s; is notification relaying events to order-intake?\n";
        return kExitUnavailable;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }

  bool Wants(v1::OrderStage stage) const {
    return StageRank(demo_.goes_to) >= 0 && StageReached(demo_.goes_to, stage);
  }

  ExitCode Drive() {
    if (ExitCode code = AskAndAnswer(); code != kExitOk) return code;
    if (ExitCode code = PlanInvoices(); code != kExitOk) return code;
    if (ExitCode code = SendAndAccept(); code != kExitOk) return code;
    if (ExitCode code = DriveStages(); code != kExitOk) return code;
    return Invoice();
  }

  ExitCode DriveStages() {
    const v1::OrderStage stage = order_.stage();
    if (stage == v1::ORDER_STAGE_CANCELLED || stage == v1::ORDER_STAGE_LOST ||
        stage == v1::ORDER_STAGE_CLOSED) {
      return kExitOk;  // where a previous load left it, for good
    }
    if (demo_.goes_to == v1::ORDER_STAGE_LOST) return Cancel(/*lost=*/true);
    const bool confirm =
        Wants(v1::ORDER_STAGE_CONFIRMED) || demo_.goes_to == v1::ORDER_STAGE_CANCELLED;
    if (confirm && !StageReached(stage, v1::ORDER_STAGE_CONFIRMED)) {
      v1::ConfirmOrderRequest request;
      request.set_order_id(order_.order_id());
      request.set_etag(order_.etag());
      // The demo loads on any day; where the crew's shifts make a delivery late, the demo
      // order shows the later commitment rather than failing the load.
      request.set_accept_later_commitment(true);
      v1::ConfirmOrderResponse response;
      if (ExitCode code =
              Step("confirm", &OrderIntakeService::Stub::ConfirmOrder, request, &response);
          code != kExitOk) {
        return code;
      }
      order_ = response.order();
      ++steps_taken_;
    }
    if (demo_.goes_to == v1::ORDER_STAGE_CANCELLED) return Cancel(/*lost=*/false);
    if (Wants(v1::ORDER_STAGE_IN_PREP)) {
      if (ExitCode code = Prep(Wants(v1::ORDER_STAGE_READY)); code != kExitOk) return code;
      if (ExitCode code = WaitFor(Wants(v1::ORDER_STAGE_READY) ? v1::ORDER_STAGE_READY
                                                               : v1::ORDER_STAGE_IN_PREP);
          code != kExitOk) {
        return code;
      }
      if (ExitCode code = ChangeAfterPrep(); code != kExitOk) return code;
    }
    if (Wants(v1::ORDER_STAGE_DISPATCHED) &&
        !StageReached(order_.stage(), v1::ORDER_STAGE_DISPATCHED)) {
      v1::CheckOutRequest request;  // no lines: everything pulled
      request.set_order_id(order_.order_id());
      v1::CheckOutResponse response;
      if (ExitCode code = Step("checkout", &InventoryService::Stub::CheckOut, request, &response);
          code != kExitOk) {
        return code;
      }
      ++steps_taken_;
      if (ExitCode code = WaitFor(v1::ORDER_STAGE_DISPATCHED); code != kExitOk) return code;
    }
    if (Wants(v1::ORDER_STAGE_ON_SITE) && !StageReached(order_.stage(), v1::ORDER_STAGE_ON_SITE)) {
      if (ExitCode code = DeliveryDone(); code != kExitOk) return code;
      if (ExitCode code = WaitFor(v1::ORDER_STAGE_ON_SITE); code != kExitOk) return code;
    }
    if (Wants(v1::ORDER_STAGE_RETURNED) &&
        !StageReached(order_.stage(), v1::ORDER_STAGE_RETURNED)) {
      if (ExitCode code = CheckIn(); code != kExitOk) return code;
      if (ExitCode code = WaitFor(v1::ORDER_STAGE_RETURNED); code != kExitOk) return code;
    }
    if (demo_.goes_to == v1::ORDER_STAGE_CLOSED) {
      v1::CloseOrderRequest request;
      request.set_order_id(order_.order_id());
      request.set_note("Everything back in good order; invoiced");
      v1::CloseOrderResponse response;
      if (ExitCode code = Step("close", &OrderIntakeService::Stub::CloseOrder, request, &response);
          code != kExitOk) {
        return code;
      }
      order_ = response.order();
      ++steps_taken_;
    }
    return kExitOk;
  }

  ExitCode PlanInvoices() {
    if (demo_.deposit_percent == 0 && demo_.final_invoice_days_ago < 0) return kExitOk;
    v1::SetInvoicePlanRequest request;
    request.set_request_id("demo-" + demo_.key + "-plan");
    request.mutable_plan()->set_order_id(order_.order_id());
    request.mutable_plan()->set_deposit_percent(demo_.deposit_percent);
    request.mutable_plan()->mutable_payment_term()->set_seconds(int64_t{demo_.payment_term_days} *
                                                                86400);
    v1::SetInvoicePlanResponse response;
    return Step("invoice plan", &OrderIntakeService::Stub::SetInvoicePlan, request, &response);
  }

  // The quote sent as a link, and accepted in the client's place as their browser would: the
  // form posted to the link, which runs the confirmation.
  ExitCode SendAndAccept() {
    if (!demo_.send_quote && demo_.accepted_online_by.empty()) return kExitOk;
    if (!IsOpenQuoteStage(order_.stage())) return kExitOk;
    v1::ListQuoteLinksRequest list;
    list.set_order_id(order_.order_id());
    v1::ListQuoteLinksResponse links;
    if (ExitCode code =
            Step("quote links", &OrderIntakeService::Stub::ListQuoteLinks, list, &links);
        code != kExitOk) {
      return code;
    }
    if (demo_.accepted_online_by.empty() && !links.links().empty()) return kExitOk;
    v1::SendQuoteRequest send;
    send.set_order_id(order_.order_id());
    send.set_recipient_email("events@" + demo_.key + ".example");
    v1::SendQuoteResponse sent;
    if (ExitCode code = Step("send quote", &OrderIntakeService::Stub::SendQuote, send, &sent);
        code != kExitOk) {
      return code;
    }
    ++steps_taken_;
    if (demo_.accepted_online_by.empty()) return kExitOk;
    absl::StatusOr<int> status =
        PostForm(sent.link().url() + "/accept", {{"name", demo_.accepted_online_by}});
    if (!status.ok() || *status != 200) {
      std::cerr << "error: " << demo_.key << ": accepting the quote online failed ("
                << (status.ok() ? absl::StrCat("HTTP ", *status) : status.status().ToString())
                << ")\n";
      return kExitUnavailable;
    }
    return Refresh();
  }

  // The deposit invoiced and paid; the final invoice dated back and left unpaid (overdue).
  ExitCode Invoice() {
    const std::string prefix = "demo-" + demo_.key;
    if (demo_.deposit_paid && StageReached(order_.stage(), v1::ORDER_STAGE_CONFIRMED) &&
        order_.stage() != v1::ORDER_STAGE_CANCELLED && order_.stage() != v1::ORDER_STAGE_LOST) {
      v1::IssueInvoiceRequest issue;
      issue.set_request_id(prefix + "-deposit");
      issue.set_order_id(order_.order_id());
      issue.set_kind(v1::INVOICE_KIND_DEPOSIT);
      v1::IssueInvoiceResponse issued;
      if (ExitCode code = IssueOnce("deposit", issue, &issued); code != kExitOk) return code;
      if (issued.invoice().payment_status() == v1::PAYMENT_STATUS_UNPAID) {
        v1::RecordPaymentRequest pay;
        pay.set_request_id(prefix + "-deposit-paid");
        pay.mutable_payment()->set_invoice_number(issued.invoice().invoice_number());
        pay.mutable_payment()->set_kind(v1::PAYMENT_KIND_RECEIVED);
        *pay.mutable_payment()->mutable_amount() = issued.invoice().total();
        pay.mutable_payment()->set_method("bank transfer");
        pay.mutable_payment()->set_reference(issued.invoice().invoice_number());
        v1::RecordPaymentResponse paid;
        if (ExitCode code =
                Step("deposit paid", &OrderIntakeService::Stub::RecordPayment, pay, &paid);
            code != kExitOk) {
          return code;
        }
      }
    }
    if (demo_.final_invoice_days_ago >= 0 &&
        StageReached(order_.stage(), v1::ORDER_STAGE_RETURNED)) {
      v1::IssueInvoiceRequest issue;
      issue.set_request_id(prefix + "-final");
      issue.set_order_id(order_.order_id());
      issue.set_kind(v1::INVOICE_KIND_FINAL);
      const absl::CivilDay day =
          absl::ToCivilDay(absl::Now(), absl::LocalTimeZone()) - demo_.final_invoice_days_ago;
      issue.mutable_invoice_day()->set_year(static_cast<int32_t>(day.year()));
      issue.mutable_invoice_day()->set_month(day.month());
      issue.mutable_invoice_day()->set_day(day.day());
      v1::IssueInvoiceResponse issued;
      if (ExitCode code = IssueOnce("final invoice", issue, &issued); code != kExitOk) return code;
    }
    return kExitOk;
  }

  // Issues the invoice, or reads the one an earlier load issued (its slot is filled).
  ExitCode IssueOnce(const std::string& what, const v1::IssueInvoiceRequest& request,
                     v1::IssueInvoiceResponse* response) {
    v1::ListInvoicesRequest list;
    list.set_order_id(order_.order_id());
    v1::ListInvoicesResponse listed;
    if (ExitCode code = Step("invoices", &OrderIntakeService::Stub::ListInvoices, list, &listed);
        code != kExitOk) {
      return code;
    }
    for (const v1::Invoice& invoice : listed.invoices()) {
      if (invoice.kind() == request.kind()) {
        *response->mutable_invoice() = invoice;
        return kExitOk;
      }
    }
    ++steps_taken_;
    return Step(what, &OrderIntakeService::Stub::IssueInvoice, request, response);
  }

  ExitCode AskAndAnswer() {
    if (demo_.question.empty()) return kExitOk;
    const v1::Question* asked = nullptr;
    for (const v1::Question& question : order_.questions()) {
      if (!question.messages().empty() && question.messages(0).text() == demo_.question) {
        asked = &question;
      }
    }
    v1::Question question;
    if (asked == nullptr) {
      v1::AskQuestionRequest request;
      request.set_order_id(order_.order_id());
      request.set_text(demo_.question);
      request.set_blocking(demo_.blocking);
      v1::AskQuestionResponse response;
      if (ExitCode code = Step("ask", &OrderIntakeService::Stub::AskQuestion, request, &response);
          code != kExitOk) {
        return code;
      }
      question = response.question();
      ++steps_taken_;
    } else {
      question = *asked;
    }
    if (!demo_.answer.empty() && question.state() == v1::QUESTION_STATE_OPEN) {
      v1::AnswerQuestionRequest request;
      request.set_order_id(order_.order_id());
      request.set_question_id(question.question_id());
      request.set_text(demo_.answer);
      v1::AnswerQuestionResponse response;
      if (ExitCode code =
              Step("answer", &OrderIntakeService::Stub::AnswerQuestion, request, &response);
          code != kExitOk) {
        return code;
      }
      ++steps_taken_;
    }
    return Refresh();
  }

  ExitCode Cancel(bool lost) {
    v1::CancelOrderRequest request;
    request.set_order_id(order_.order_id());
    request.set_reason(demo_.cancel_reason.empty() ? "Demo" : demo_.cancel_reason);
    request.set_mark_lost(lost);
    v1::CancelOrderResponse response;
    if (ExitCode code = Step("cancel", &OrderIntakeService::Stub::CancelOrder, request, &response);
        code != kExitOk) {
      return code;
    }
    order_ = response.order();
    ++steps_taken_;
    return kExitOk;
  }

  ExitCode ReadPullSheet(v1::PullSheet* sheet) {
    v1::GetPullSheetRequest request;
    request.set_order_id(order_.order_id());
    v1::GetPullSheetResponse response;
    ExitCode code = Step("pull sheet", &InventoryService::Stub::GetPullSheet, request, &response);
    if (code == kExitOk) *sheet = response.pull_sheet();
    return code;
  }

  // Pulls the first line (prep started) or everything (prep complete).
  ExitCode Prep(bool complete) {
    v1::PullSheet sheet;
    if (ExitCode code = ReadPullSheet(&sheet); code != kExitOk) return code;
    if (!complete && sheet.progress().units_pulled() > 0) return kExitOk;  // started already
    v1::RecordPrepRequest request;
    request.set_order_id(order_.order_id());
    for (const v1::PullSheetGroup& group : sheet.groups()) {
      for (const v1::PullSheetLine& line : group.lines()) {
        if (line.quantity_pulled() >= line.quantity_to_pull()) continue;
        if (!complete && request.counts_size() == 1) break;
        v1::PrepCount* count = request.add_counts();
        count->set_inventory_code(line.inventory_code());
        count->set_pulled_quantity(line.quantity_to_pull());
      }
    }
    if (request.counts().empty()) return kExitOk;
    v1::RecordPrepResponse response;
    ExitCode code = Step("prep", &InventoryService::Stub::RecordPrep, request, &response);
    if (code == kExitOk) ++steps_taken_;
    return code;
  }

  ExitCode ChangeAfterPrep() {
    if (demo_.change_reason.empty()) return kExitOk;
    for (const v1::ChangeRecord& change : order_.unacknowledged_changes()) {
      if (change.reason() == demo_.change_reason) return kExitOk;  // made by an earlier load
    }
    for (const v1::ChangeRecord& change : order_.acknowledged_changes()) {
      if (change.reason() == demo_.change_reason) return kExitOk;
    }
    v1::AmendOrderRequest request;
    request.set_order_id(order_.order_id());
    request.set_etag(order_.etag());
    request.set_reason(demo_.change_reason);
    request.set_accept_later_commitment(true);
    *request.mutable_order() = order_;
    // The stage is ops' to move (an event may move it while this runs): not part of the change.
    request.mutable_order()->mutable_pipeline()->clear_stage();
    absl::Status applied = ApplyOrderSpec(demo_.change, request.mutable_order());
    if (!applied.ok()) return ReportBadInput(demo_.key + ": " + std::string(applied.message()));
    v1::AmendOrderResponse response;
    if (ExitCode code =
            Step("change after prep", &OrderIntakeService::Stub::AmendOrder, request, &response);
        code != kExitOk) {
      return code;
    }
    order_ = response.order();
    ++steps_taken_;
    return kExitOk;
  }

  ExitCode DeliveryDone() {
    v1::GetJobStatusRequest request;
    request.set_order_id(order_.order_id());
    v1::GetJobStatusResponse response;
    if (ExitCode code =
            Step("job status", &SchedulingService::Stub::GetJobStatus, request, &response);
        code != kExitOk) {
      return code;
    }
    for (const v1::Task& task : response.job().tasks()) {
      if (task.kind() != v1::TASK_KIND_DELIVER || task.state() == v1::TASK_STATE_DONE) continue;
      v1::UpdateTaskStateRequest done;
      done.set_task_id(task.task_id());
      done.set_state(v1::TASK_STATE_DONE);
      v1::UpdateTaskStateResponse updated;
      if (ExitCode code =
              Step("delivery done", &SchedulingService::Stub::UpdateTaskState, done, &updated);
          code != kExitOk) {
        return code;
      }
      ++steps_taken_;
    }
    return kExitOk;
  }

  ExitCode CheckIn() {
    v1::PullSheet sheet;
    if (ExitCode code = ReadPullSheet(&sheet); code != kExitOk) return code;
    v1::CheckInRequest request;
    request.set_order_id(order_.order_id());
    for (const v1::PullSheetGroup& group : sheet.groups()) {
      for (const v1::PullSheetLine& line : group.lines()) {
        // Used up at the event: nothing of it comes back.
        if (line.tracking() == v1::TRACKING_MODE_CONSUMABLE) continue;
        v1::CheckInLine* back = request.add_lines();
        back->set_inventory_code(line.inventory_code());
        back->set_returned_quantity(line.quantity_pulled());
      }
    }
    v1::CheckInResponse response;
    ExitCode code = Step("checkin", &InventoryService::Stub::CheckIn, request, &response);
    if (code == kExitOk) ++steps_taken_;
    return code;
  }

  Session& session_;
  const DemoOrder& demo_;
  v1::Order order_;
  int steps_taken_ = 0;
};

}  // namespace

ExitCode ImportOrders(const ImportContext& context, const std::string& path, ImportCounts* counts) {
  absl::StatusOr<std::vector<DemoOrder>> orders = ReadDemoOrders(path);
  if (!orders.ok()) return ReportBadInput(std::string(orders.status().message()));
  for (const DemoOrder& demo : *orders) {
    if (ExitCode code = OrderDriver(*context.session, demo).Run(counts); code != kExitOk) {
      return code;
    }
  }
  return kExitOk;
}

}  // namespace salesops::cli
