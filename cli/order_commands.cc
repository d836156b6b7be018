// What sales does with an order, and what ops answer on it: quote, feasibility, confirm,
// amend, cancel, close, order show|list|history, ask, answer, note, ack-change, and the
// pipeline forecast. Every change carries the etag the command read (or the one given), so
// two people editing one order never overwrite each other silently.
#include <absl/strings/str_cat.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_join.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <thread>

#include "cli/command_tree.h"
#include "cli/demo_pricing.h"
#include "cli/input_parsing.h"
#include "cli/order_intake_stub.h"
#include "cli/order_spec.h"
#include "cli/order_stages.h"
#include "cli/output.h"

namespace salesops::cli {
namespace {

using v1::OrderIntakeService;

std::string ActorName(const v1::Actor& actor) {
  if (!actor.display_name().empty()) return actor.display_name();
  return actor.id().empty() ? "-" : actor.id();
}

std::string Stage(v1::OrderStage stage) { return EnumWord(stage); }

// A delivery window, or the pinned exception with (`with_reason`) its reason.
std::string DeliveryText(const v1::DeliveryWindow& delivery, bool with_reason = true) {
  if (!delivery.pinned()) return FormatWindow(delivery.window());
  return "exactly " + FormatTime(delivery.window().no_later_than()) +
         (with_reason ? " (pinned: " + delivery.pinned_reason() + ")" : " (pinned)");
}

std::string CommitmentText(const v1::Commitment& commitment) {
  if (!commitment.has_no_later_than()) return "-";
  return "deliver no later than " + FormatTime(commitment.no_later_than()) +
         (commitment.meets_request() ? " (meets the request)" : " (LATER than requested)");
}

std::string EventText(const v1::EventSchedule& schedule) {
  std::vector<std::string> parts;
  if (schedule.has_load_in_time())
    parts.push_back("load-in " + FormatTime(schedule.load_in_time()));
  if (schedule.has_show_start_time()) {
    parts.push_back("show " + FormatSpan(schedule.show_start_time(), schedule.show_end_time()));
  }
  if (schedule.has_strike_time()) parts.push_back("strike " + FormatTime(schedule.strike_time()));
  return parts.empty() ? "-" : absl::StrJoin(parts, ", ");
}

std::string ImpactText(const v1::ChangeImpact& impact) {
  if (!impact.summary().empty()) return impact.summary();
  std::vector<std::string> parts;
  if (!impact.pull_more().empty()) parts.push_back("pull more " + FormatLines(impact.pull_more()));
  if (!impact.put_back().empty()) parts.push_back("put back " + FormatLines(impact.put_back()));
  if (impact.crew_time_delta().seconds() != 0) {
    parts.push_back("crew time " + FormatHours(impact.crew_time_delta()));
  }
  return parts.empty() ? "no change for ops" : absl::StrJoin(parts, "; ");
}

bool IsZero(const google::type::Money& money) { return money.units() == 0 && money.nanos() == 0; }

// "19 %", "8.875 %".
std::string TaxRateText(int64_t rate_millionths) {
  std::string digits = absl::StrCat(rate_millionths / 10'000);
  if (int64_t fraction = rate_millionths % 10'000; fraction != 0) {
    std::string decimals = absl::StrFormat("%04d", fraction);
    decimals.erase(decimals.find_last_not_of('0') + 1);
    absl::StrAppend(&digits, ".", decimals);
  }
  return digits + " %";
}

void PrintQuote(const v1::Quote& quote) {
  Table lines({"product", "name", "qty", "day rate", "total"});
  for (const v1::QuoteLine& line : quote.lines()) {
    lines.AddRow({line.phase_id().empty() ? line.line().product_code()
                                          : line.line().product_code() + " @" + line.phase_id(),
                  line.product_name(), std::to_string(line.line().quantity()),
                  FormatMoney(line.day_rate()), FormatMoney(line.line_total())});
  }
  for (const v1::CrewCostLine& crew : quote.crew_lines()) {
    lines.AddRow({crew.phase_id().empty() ? "crew" : "crew @" + crew.phase_id(), SkillText(crew),
                  FormatHours(crew.person_time()), FormatMoney(crew.hourly_cost()) + "/h",
                  FormatMoney(crew.line_total())});
  }
  for (const v1::CustomQuoteLine& custom : quote.custom_lines()) {
    lines.AddRow({EnumWord(custom.line().category()), custom.line().description(),
                  std::to_string(std::max(1, custom.line().quantity())), "",
                  FormatMoney(custom.line_total())});
  }
  if (!IsZero(quote.transport())) {
    lines.AddRow({"transport", "to the venue and back", "", "", FormatMoney(quote.transport())});
  }
  if (!IsZero(quote.pinned_surcharge())) {
    lines.AddRow({"pinned", "exact delivery time", "", "", FormatMoney(quote.pinned_surcharge())});
  }
  if (!IsZero(quote.discount_total())) {
    lines.AddRow({"discounts", "", "", "", "-" + FormatMoney(quote.discount_total())});
  }
  if (quote.has_net_total() && (!IsZero(quote.tax_total()) || quote.tax_lines_size() > 1)) {
    lines.AddRow({"net", "", "", "", FormatMoney(quote.net_total())});
    for (const v1::TaxLine& tax : quote.tax_lines()) {
      std::vector<std::string> classes;
      for (int tax_class : tax.tax_classes()) {
        classes.push_back(EnumWord(static_cast<v1::TaxClass>(tax_class)));
      }
      lines.AddRow({"tax " + TaxRateText(tax.tax_millionths()),
                    absl::StrJoin(classes, ", ") + " on " + FormatMoney(tax.net()), "", "",
                    FormatMoney(tax.tax())});
    }
  }
  lines.AddRow({"total", FormatDuration(quote.billable_duration()) + " billable", "", "",
                FormatMoney(quote.total())});
  lines.Print();
  bool explained = false;
  auto explain = [&](const std::string& what, const std::string& explanation) {
    if (explanation.empty()) return;
    if (!explained) std::cout << "\nHow each line was priced:\n";
    explained = true;
    std::cout << "  " << what << ": " << explanation << "\n";
  };
  for (const v1::QuoteLine& line : quote.lines()) {
    explain(line.line().product_code(), line.explanation());
  }
  for (const v1::CrewCostLine& crew : quote.crew_lines()) {
    explain("crew " + SkillText(crew), crew.explanation());
  }
  if (!quote.transport_explanation().empty()) explain("transport", quote.transport_explanation());
  if (!quote.optional_lines().empty()) {
    std::cout << "\nOffered beside the order (not in the total):\n";
    Table offered({"product", "name", "qty", "price", "how"});
    for (const v1::QuoteLine& line : quote.optional_lines()) {
      offered.AddRow({line.line().product_code(), line.product_name(),
                      std::to_string(line.line().quantity()), FormatMoney(line.line_total()),
                      line.explanation()});
    }
    offered.Print();
  }
  for (const v1::QuoteExchangeRate& rate : quote.exchange_rates()) {
    std::cout << "Converted at 1 " << rate.from_currency() << " = "
              << absl::StrFormat("%.6g", rate.factor_millionths() / 1e6) << " "
              << rate.to_currency() << "\n";
  }
  if (!quote.tax_note().empty()) std::cout << quote.tax_note() << "\n";
}

void PrintOrder(const v1::Order& order) {
  Details details;
  details.Add("Order", absl::StrCat(order.order_id(), "  (rev ", order.revision(), ", etag ",
                                    order.etag(), ")"));
  details.Add("Stage", Stage(order.stage()) +
                           (order.stage_reason().empty() ? "" : " — " + order.stage_reason()));
  std::string customer = order.customer().name();
  if (!order.customer().contact_name().empty()) {
    customer += " (" + order.customer().contact_name() +
                (order.customer().email().empty() ? "" : ", " + order.customer().email()) + ")";
  }
  details.Add("Customer", customer);
  details.Add("Venue",
              order.venue().name() +
                  (order.venue().has_travel_time()
                       ? ", " + FormatDuration(order.venue().travel_time()) + " from the warehouse"
                       : ""));
  details.Add("Delivery asked", DeliveryText(order.delivery_window()));
  details.Add("Ops committed", CommitmentText(order.commitment()));
  details.Add("Event", EventText(order.event_schedule()));
  for (const v1::OrderPhase& phase : order.phases()) {
    details.Add("Phase " + phase.phase_id(),
                absl::StrCat(phase.name().empty() ? "" : phase.name() + ": ", phase.venue().name(),
                             ", ", DeliveryText(phase.delivery_window()), "; ",
                             EventText(phase.event_schedule())));
  }
  details.Add("Salesperson", order.salesperson_id().empty() ? "-" : order.salesperson_id());
  if (order.discount_approval().state() != v1::DISCOUNT_APPROVAL_STATE_UNSPECIFIED) {
    const v1::DiscountApproval& approval = order.discount_approval();
    details.Add("Discount approval", approval.state() == v1::DISCOUNT_APPROVAL_STATE_APPROVED
                                         ? "approved by " + ActorName(approval.approved_by())
                                         : "waiting for an ADMIN (salesopsctl approve-discount " +
                                               order.order_id() +
                                               "): " + absl::StrJoin(approval.reasons(), "; "));
  }
  if (order.stage() == v1::ORDER_STAGE_QUOTED || order.stage() == v1::ORDER_STAGE_INQUIRY) {
    details.Add("Win probability",
                absl::StrFormat("%.0f%%", order.pipeline().win_probability() * 100));
    details.Add("Quote expires", FormatTime(order.quote_expire_time()));
  }
  if (order.open_blocking_question_count() > 0) {
    details.Add("Blocked", absl::StrCat(order.open_blocking_question_count(),
                                        " open blocking question(s) from ops"));
  }
  details.Print();
  std::cout << "\n";
  PrintQuote(order.quote());
  if (!order.notes().empty()) {
    std::cout << "\n";
    Table notes({"note", "kind", "by", "text"});
    for (const v1::Note& note : order.notes()) {
      notes.AddRow({note.note_id(), EnumWord(note.kind()), ActorName(note.author()), note.text()});
    }
    notes.Print();
  }
  if (!order.questions().empty()) {
    std::cout << "\n";
    Table questions({"question", "state", "blocking", "product", "asked by", "last message"});
    for (const v1::Question& question : order.questions()) {
      questions.AddRow({question.question_id(), EnumWord(question.state()),
                        YesNo(question.blocking()),
                        question.product_code().empty() ? "-" : question.product_code(),
                        ActorName(question.asked_by()),
                        question.messages().empty() ? "-" : question.messages().rbegin()->text()});
    }
    questions.Print();
  }
  if (!order.unacknowledged_changes().empty()) {
    std::cout << "\nChanges ops have not acknowledged yet:\n";
    Table changes({"rev", "when", "by", "impact"});
    for (const v1::ChangeRecord& change : order.unacknowledged_changes()) {
      changes.AddRow({std::to_string(change.revision()), FormatTime(change.change_time()),
                      ActorName(change.author()), ImpactText(change.impact())});
    }
    changes.Print();
  }
  if (order.has_ops_status() && (order.ops_status().has_prep() || order.ops_status().has_job() ||
                                 order.ops_status().degraded())) {
    const v1::OpsStatus& ops = order.ops_status();
    std::cout << "\n";
    Details status;
    if (ops.degraded()) status.Add("Ops view", "incomplete: " + ops.degraded_reason());
    if (ops.has_prep()) {
      status.Add("Prep", absl::StrCat(EnumWord(ops.prep().state()), ", ", ops.prep().units_pulled(),
                                      " of ", ops.prep().units_to_pull(), " units pulled"));
    }
    if (ops.has_job()) {
      status.Add("Job", absl::StrCat(EnumWord(ops.job().state()), ", ", ops.job().tasks_size(),
                                     " tasks, ", ops.job().at_risk_task_count(), " at risk"));
    }
    for (const v1::AtRiskItem& risk : ops.at_risk()) {
      status.Add("At risk", risk.task_id() + ": " + risk.explanation());
    }
    status.Print();
  }
}

// Reads the order, for commands that change it with the etag just read.
ExitCode FetchOrder(Session& session, const std::string& order_id, v1::Order* order) {
  v1::GetOrderRequest request;
  request.set_order_id(order_id);
  request.set_view(v1::ORDER_VIEW_BASIC);
  v1::GetOrderResponse response;
  ExitCode code = session.Call(&OrderIntakeService::Stub::GetOrder, request, &response);
  if (code == kExitOk) *order = response.order();
  return code;
}

// --- quote, feasibility ---------------------------------------------------------------------

struct QuoteOptions {
  std::string file, request_id;
  OrderSpec spec;
  bool id_only = false;
};

absl::StatusOr<v1::Order> OrderFromOptions(const std::string& file, const OrderSpec& flags) {
  OrderSpec spec = flags;
  if (!file.empty()) {
    absl::StatusOr<OrderSpec> from_file = ReadOrderSpecFile(file);
    if (!from_file.ok()) return from_file.status();
    spec = MergeOrderSpecs(*from_file, flags);
  }
  v1::Order order;
  if (absl::Status status = ApplyOrderSpec(spec, &order); !status.ok()) return status;
  if (order.pipeline().stage() == v1::ORDER_STAGE_UNSPECIFIED) {
    order.mutable_pipeline()->set_stage(v1::ORDER_STAGE_QUOTED);
  }
  return order;
}

void PrintAvailableToPromise(const v1::Feasibility& feasibility) {
  if (feasibility.feasible()) {
    std::cout << "Available to promise: yes, ops can support it as asked.\n";
    return;
  }
  std::cout << "Available to promise: NO. Confirming it would be refused:\n";
  PrintFeasibility(feasibility);
}

ExitCode Quote(Session& session, const QuoteOptions& options) {
  absl::StatusOr<v1::Order> order = OrderFromOptions(options.file, options.spec);
  if (!order.ok()) return ReportBadInput(std::string(order.status().message()));
  if (absl::Status named = ResolveDirectoryNames(session, &*order); !named.ok()) {
    return ReportBadInput(std::string(named.message()));
  }
  v1::CreateOrderRequest request;
  request.set_request_id(options.request_id);
  *request.mutable_order() = *order;
  v1::CreateOrderResponse response;
  session.SetFieldFlags(OrderFieldFlags());
  if (ExitCode code = session.Call(&OrderIntakeService::Stub::CreateOrder, request, &response);
      code != kExitOk) {
    return code;
  }
  if (options.id_only) {
    std::cout << response.order().order_id() << "\n";
    return kExitOk;
  }
  return PrintAnswer(session, response, [&] {
    PrintOrder(response.order());
    std::cout << "\n";
    PrintAvailableToPromise(response.feasibility());
    std::cout << "\nNext: salesopsctl confirm " << response.order().order_id() << "\n";
  });
}

struct FeasibilityOptions {
  std::string order_id, file;
  OrderSpec spec;
};

ExitCode CheckFeasibility(Session& session, const FeasibilityOptions& options) {
  v1::CheckFeasibilityRequest request;
  if (!options.order_id.empty()) {
    request.set_order_id(options.order_id);
  } else {
    absl::StatusOr<v1::Order> draft = OrderFromOptions(options.file, options.spec);
    if (!draft.ok()) return ReportBadInput(std::string(draft.status().message()));
    if (absl::Status named = ResolveDirectoryNames(session, &*draft); !named.ok()) {
      return ReportBadInput(std::string(named.message()));
    }
    *request.mutable_draft() = *draft;
    session.SetFieldFlags(OrderFieldFlags());
  }
  v1::CheckFeasibilityResponse response;
  if (ExitCode code = session.Call(&OrderIntakeService::Stub::CheckFeasibility, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    PrintAvailableToPromise(response.feasibility());
    std::cout << "Ops would commit: " << CommitmentText(response.commitment()) << "\n\n";
    PrintQuote(response.quote());
  });
}

// --- confirm, amend, cancel, close ----------------------------------------------------------

// What every change names: the order, and optionally the etag or revision it was read at
// (without one, the command reads the order first and uses what it read).
struct ChangeOptions {
  std::string order_id, etag, request_id;
  int64_t revision = 0;
};

void AddChangeFlags(CLI::App* command, ChangeOptions& options) {
  command->add_option("order", options.order_id, "Order id")->required();
  command->add_option("--etag", options.etag,
                      "Refuse (exit 3) if the order changed since this etag was read");
  command->add_option("--revision", options.revision,
                      "Refuse (exit 3) unless the order is at this revision");
  command->add_option("--request-id", options.request_id,
                      "Idempotency key: the same id again replays the first answer");
}

// The order and the version the change was read at, the same on every changing request.
template <typename Request>
void SetChangeFields(const ChangeOptions& options, Request* request) {
  request->set_order_id(options.order_id);
  request->set_etag(options.etag);
  request->set_expected_revision(options.revision);
  request->set_request_id(options.request_id);
}

struct ConfirmOptions {
  ChangeOptions change;
  bool accept_later = false;
};

ExitCode Confirm(Session& session, const ConfirmOptions& options) {
  v1::ConfirmOrderRequest request;
  SetChangeFields(options.change, &request);
  request.set_accept_later_commitment(options.accept_later);
  v1::ConfirmOrderResponse response;
  if (ExitCode code = session.Call(&OrderIntakeService::Stub::ConfirmOrder, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    const v1::Order& order = response.order();
    std::cout << "Order " << order.order_id() << " is " << Stage(order.stage()) << ": "
              << CommitmentText(order.commitment()) << ".\n";
    if (!order.commitment().explanation().empty()) {
      std::cout << order.commitment().explanation() << "\n";
    }
    std::cout << "Stock reserved; the job is planned. Ops: salesopsctl pullsheet "
              << order.order_id() << "\n";
  });
}

struct AmendOptions {
  ChangeOptions change;
  std::string file, reason;
  OrderSpec spec;
  bool dry_run = false, accept_later = false;
};

ExitCode Amend(Session& session, const AmendOptions& options) {
  v1::Order current;
  if (ExitCode code = FetchOrder(session, options.change.order_id, &current); code != kExitOk) {
    return code;
  }
  OrderSpec spec = options.spec;
  if (!options.file.empty()) {
    absl::StatusOr<OrderSpec> from_file = ReadOrderSpecFile(options.file);
    if (!from_file.ok()) return ReportBadInput(std::string(from_file.status().message()));
    spec = MergeOrderSpecs(*from_file, options.spec);
  }
  v1::Order amended = current;
  // The stage as read is not part of the change: ops' events move it (maybe between this read
  // and the amendment), and sales changes it only by saying so (--stage inquiry).
  amended.mutable_pipeline()->clear_stage();
  if (absl::Status status = ApplyOrderSpec(spec, &amended); !status.ok()) {
    return ReportBadInput(std::string(status.message()));
  }
  if (absl::Status named = ResolveDirectoryNames(session, &amended); !named.ok()) {
    return ReportBadInput(std::string(named.message()));
  }
  v1::AmendOrderRequest request;
  request.set_order_id(current.order_id());
  // Without --etag, the etag just read: a change made in between is refused, not overwritten.
  request.set_etag(options.change.etag.empty() ? current.etag() : options.change.etag);
  request.set_expected_revision(options.change.revision);
  request.set_request_id(options.change.request_id);
  request.set_reason(options.reason);
  request.set_dry_run(options.dry_run);
  request.set_accept_later_commitment(options.accept_later);
  *request.mutable_order() = amended;
  v1::AmendOrderResponse response;
  session.SetFieldFlags(OrderFieldFlags());
  if (ExitCode code = session.Call(&OrderIntakeService::Stub::AmendOrder, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    const v1::Order& order = response.order();
    std::cout << (options.dry_run ? "Dry run, nothing changed. " : "") << "Order "
              << order.order_id() << " rev " << order.revision() << " (" << Stage(order.stage())
              << ")\n";
    Details impact;
    impact.Add("Impact", ImpactText(response.impact()));
    impact.Add("Pull more", FormatLines(response.impact().pull_more()));
    impact.Add("Put back", FormatLines(response.impact().put_back()));
    impact.Add("Crew time", FormatHours(response.impact().crew_time_delta()));
    impact.Add("Commitment", response.impact().has_commitment()
                                 ? CommitmentText(response.impact().commitment())
                                 : CommitmentText(order.commitment()));
    impact.Add("New total", FormatMoney(order.quote().total()));
    impact.Print();
    if (response.has_feasibility() && !response.feasibility().feasible()) {
      std::cout << "\n";
      PrintAvailableToPromise(response.feasibility());
    }
    if (!order.unacknowledged_changes().empty()) {
      std::cout << "\nOps are told; the change waits for their acknowledgement (salesopsctl "
                   "ack-change "
                << order.order_id() << " " << order.revision() << ").\n";
    }
  });
}

struct CancelOptions {
  ChangeOptions change;
  std::string reason;
  bool lost = false;
};

ExitCode Cancel(Session& session, const CancelOptions& options) {
  v1::CancelOrderRequest request;
  SetChangeFields(options.change, &request);
  request.set_reason(options.reason);
  request.set_mark_lost(options.lost);
  v1::CancelOrderResponse response;
  if (ExitCode code = session.Call(&OrderIntakeService::Stub::CancelOrder, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    std::cout << "Order " << response.order().order_id() << " is "
              << Stage(response.order().stage()) << ": its stock and crew are released.\n";
  });
}

struct CloseOptions {
  ChangeOptions change;
  std::string note;
};

ExitCode Close(Session& session, const CloseOptions& options) {
  v1::CloseOrderRequest request;
  SetChangeFields(options.change, &request);
  request.set_note(options.note);
  v1::CloseOrderResponse response;
  if (ExitCode code = session.Call(&OrderIntakeService::Stub::CloseOrder, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    std::cout << "Order " << response.order().order_id() << " is "
              << Stage(response.order().stage()) << ".\n";
  });
}

ExitCode ApproveDiscount(Session& session, const CloseOptions& options) {
  v1::ApproveDiscountRequest request;
  SetChangeFields(options.change, &request);
  request.set_note(options.note);
  v1::ApproveDiscountResponse response;
  if (ExitCode code = session.Call(&OrderIntakeService::Stub::ApproveDiscount, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    std::cout << "The discounts on order " << response.order().order_id() << " (rev "
              << response.order().revision() << ") are approved: it can be confirmed.\n";
  });
}

// --- order show | list | history -----------------------------------------------------------

ExitCode Show(Session& session, const std::string& order_id) {
  v1::GetOrderRequest request;
  request.set_order_id(order_id);
  request.set_view(v1::ORDER_VIEW_FULL);
  v1::GetOrderResponse response;
  if (ExitCode code = session.Call(&OrderIntakeService::Stub::GetOrder, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    PrintOrder(response.order());
    // For an open quote, the question sales asks next: could it be confirmed now?
    const v1::OrderStage stage = response.order().stage();
    if (stage != v1::ORDER_STAGE_QUOTED && stage != v1::ORDER_STAGE_INQUIRY) return;
    v1::CheckFeasibilityRequest check;
    check.set_order_id(order_id);
    v1::CheckFeasibilityResponse feasibility;
    std::cout << "\n";
    if (session.Invoke(&OrderIntakeService::Stub::CheckFeasibility, check, &feasibility).ok()) {
      PrintAvailableToPromise(feasibility.feasibility());
    } else {
      std::cout << "Available to promise: unknown right now (inventory or scheduling did not "
                   "answer).\n";
    }
  });
}

struct WaitOptions {
  std::string order_id, stage, timeout = "60s";
};

// Like `kubectl wait`: until the order is at the stage or past it. Ops' milestones arrive as
// events, a moment after the warehouse or the crew record them.
ExitCode Wait(Session& session, const WaitOptions& options) {
  absl::StatusOr<v1::OrderStage> target = ParseEnum<v1::OrderStage>(options.stage);
  if (!target.ok()) return ReportBadInput("--stage: " + std::string(target.status().message()));
  absl::StatusOr<google::protobuf::Duration> timeout = ParseDuration(options.timeout);
  if (!timeout.ok()) return ReportBadInput("--timeout: " + std::string(timeout.status().message()));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout->seconds());
  v1::Order order;
  while (true) {
    if (ExitCode code = FetchOrder(session, options.order_id, &order); code != kExitOk) {
      return code;
    }
    const bool reached = order.stage() == *target || StageReached(order.stage(), *target);
    if (reached || StageRank(order.stage()) < 0 || std::chrono::steady_clock::now() > deadline) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (order.stage() == *target || StageReached(order.stage(), *target)) {
    return PrintAnswer(session, order, [&] {
      std::cout << "Order " << order.order_id() << " is " << Stage(order.stage()) << ".\n";
    });
  }
  std::cerr << "error: order " << order.order_id() << " is " << Stage(order.stage())
            << (StageRank(order.stage()) < 0 ? " and will never be " : ", not yet ")
            << Stage(*target) << (StageRank(order.stage()) < 0 ? "" : " after " + options.timeout)
            << "\n";
  return StageRank(order.stage()) < 0 ? kExitRefused : kExitUnavailable;
}

struct ListOptions {
  std::vector<std::string> stages;
  std::string salesperson, customer, from, to;
  bool unacknowledged = false, blocking = false;
};

ExitCode List(Session& session, const ListOptions& options) {
  v1::ListOrdersRequest request;
  for (const std::string& word : options.stages) {
    for (const std::string& stage_word : SplitWords(word)) {
      absl::StatusOr<v1::OrderStage> stage = ParseEnum<v1::OrderStage>(stage_word);
      if (!stage.ok()) return ReportBadInput("--stage: " + std::string(stage.status().message()));
      request.add_stages(*stage);
    }
  }
  request.set_salesperson_id(options.salesperson);
  request.set_customer_name(options.customer);
  // Only the ends given are set: a field touched but left empty would read as 1970.
  using TimeField = google::protobuf::Timestamp* (v1::Window::*)();
  for (const auto& [text, flag, field] :
       {std::tuple{options.from, "--from", TimeField(&v1::Window::mutable_not_before)},
        std::tuple{options.to, "--to", TimeField(&v1::Window::mutable_no_later_than)}}) {
    if (text.empty()) continue;
    absl::StatusOr<google::protobuf::Timestamp> time = ParseTime(text);
    if (!time.ok())
      return ReportBadInput(std::string(flag) + ": " + std::string(time.status().message()));
    *(request.mutable_delivery_range()->*field)() = *time;
  }
  request.set_unacknowledged_changes_only(options.unacknowledged);
  request.set_open_blocking_questions_only(options.blocking);
  request.set_view(v1::ORDER_VIEW_BASIC);
  v1::ListOrdersResponse response;
  if (ExitCode code =
          session.CallAllPages(&OrderIntakeService::Stub::ListOrders, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    Table table({"order", "stage", "customer", "deliver", "committed", "total", "salesperson",
                 "attention"});
    for (const v1::Order& order : response.orders()) {
      std::vector<std::string> attention;
      if (order.open_blocking_question_count() > 0) attention.push_back("blocking question");
      if (!order.unacknowledged_changes().empty()) attention.push_back("change not acknowledged");
      if (order.commitment().has_no_later_than() && !order.commitment().meets_request()) {
        attention.push_back("late commitment");
      }
      table.AddRow({order.order_id(), Stage(order.stage()), order.customer().name(),
                    DeliveryText(order.delivery_window(), /*with_reason=*/false),
                    order.commitment().has_no_later_than()
                        ? FormatTime(order.commitment().no_later_than())
                        : "-",
                    FormatMoney(order.quote().total()),
                    order.salesperson_id().empty() ? "-" : order.salesperson_id(),
                    attention.empty() ? "-" : absl::StrJoin(attention, ", ")});
    }
    if (table.empty()) {
      std::cout << "No orders match.\n";
    } else {
      table.Print();
    }
  });
}

ExitCode History(Session& session, const std::string& order_id) {
  v1::GetOrderHistoryRequest request;
  request.set_order_id(order_id);
  v1::GetOrderHistoryResponse response;
  if (ExitCode code =
          session.CallAllPages(&OrderIntakeService::Stub::GetOrderHistory, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    Table table({"rev", "when", "what", "who", "stage", "summary"});
    for (const v1::HistoryEntry& entry : response.entries()) {
      std::string summary = entry.summary().empty() ? entry.reason() : entry.summary();
      if (entry.has_impact() && !entry.impact().summary().empty() &&
          summary.find(entry.impact().summary()) == std::string::npos) {
        summary += " — " + entry.impact().summary();
      }
      table.AddRow({std::to_string(entry.revision()), FormatTime(entry.create_time()),
                    EnumWord(entry.kind()), ActorName(entry.actor()), Stage(entry.stage()),
                    summary});
    }
    table.Print();
  });
}

// --- ask, answer, note, ack-change ----------------------------------------------------------

struct AskOptions {
  std::string order_id, text, product, follow_up, request_id;
  bool blocking = false;
};

void PrintQuestion(const v1::Question& question) {
  std::cout << "Question " << question.question_id() << " (" << EnumWord(question.state())
            << (question.blocking() ? ", blocks confirmation" : "") << ")\n";
  for (const v1::ClarificationMessage& message : question.messages()) {
    std::cout << "  " << FormatTime(message.create_time()) << "  " << ActorName(message.author())
              << " (" << EnumWord(message.kind()) << "): " << message.text() << "\n";
  }
}

ExitCode Ask(Session& session, const AskOptions& options) {
  v1::AskQuestionRequest request;
  request.set_order_id(options.order_id);
  request.set_text(options.text);
  request.set_blocking(options.blocking);
  request.set_product_code(options.product);
  request.set_question_id(options.follow_up);
  request.set_request_id(options.request_id);
  v1::AskQuestionResponse response;
  if (ExitCode code = session.Call(&OrderIntakeService::Stub::AskQuestion, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] { PrintQuestion(response.question()); });
}

struct AnswerOptions {
  std::string order_id, question_id, text, request_id;
};

ExitCode AnswerQuestion(Session& session, const AnswerOptions& options) {
  v1::AnswerQuestionRequest request;
  request.set_order_id(options.order_id);
  request.set_question_id(options.question_id);
  request.set_text(options.text);
  request.set_request_id(options.request_id);
  v1::AnswerQuestionResponse response;
  if (ExitCode code = session.Call(&OrderIntakeService::Stub::AnswerQuestion, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] { PrintQuestion(response.question()); });
}

struct NoteOptions {
  std::string order_id, text, request_id;
};

ExitCode AddNote(Session& session, const NoteOptions& options) {
  OrderSpec spec;
  spec.notes.push_back(options.text);
  v1::Order with_note;
  (void)ApplyOrderSpec(spec, &with_note);  // notes only: cannot fail
  v1::AddNoteRequest request;
  request.set_order_id(options.order_id);
  request.set_request_id(options.request_id);
  *request.mutable_note() = with_note.notes(0);
  v1::AddNoteResponse response;
  if (ExitCode code = session.Call(&OrderIntakeService::Stub::AddNote, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    std::cout << "Note " << response.note().note_id() << " (" << EnumWord(response.note().kind())
              << ") on order " << options.order_id << ", now rev " << response.revision() << "\n";
  });
}

struct AckChangeOptions {
  std::string order_id, note;
  int64_t revision = 0;
};

// One revision, or every change ops have not acknowledged yet.
ExitCode AcknowledgeChanges(Session& session, const AckChangeOptions& options) {
  std::vector<int64_t> revisions;
  if (options.revision > 0) {
    revisions.push_back(options.revision);
  } else {
    v1::Order order;
    if (ExitCode code = FetchOrder(session, options.order_id, &order); code != kExitOk) {
      return code;
    }
    for (const v1::ChangeRecord& change : order.unacknowledged_changes()) {
      revisions.push_back(change.revision());
    }
  }
  nlohmann::json acknowledged = nlohmann::json::array();
  Table table({"rev", "changed by", "impact", "acknowledged by"});
  for (int64_t revision : revisions) {
    v1::AcknowledgeChangeRequest request;
    request.set_order_id(options.order_id);
    request.set_revision(revision);
    request.set_note(options.note);
    v1::AcknowledgeChangeResponse response;
    if (ExitCode code =
            session.Call(&OrderIntakeService::Stub::AcknowledgeChange, request, &response);
        code != kExitOk) {
      return code;
    }
    acknowledged.push_back(ToJson(response.change()));
    table.AddRow({std::to_string(revision), ActorName(response.change().author()),
                  ImpactText(response.change().impact()),
                  ActorName(response.change().acknowledged_by())});
  }
  if (session.json()) {
    PrintJson(nlohmann::json{{"acknowledged", acknowledged}});
  } else if (revisions.empty()) {
    std::cout << "Order " << options.order_id << " has no change waiting for ops.\n";
  } else {
    table.Print();
  }
  return kExitOk;
}

// --- pipeline -------------------------------------------------------------------------------

struct PipelineOptions {
  std::string from = "today", to = "+8w", bucket = "7d", salesperson;
  bool demand = false, labour = false;
};

ExitCode Pipeline(Session& session, const PipelineOptions& options) {
  v1::GetPipelineForecastRequest request;
  absl::StatusOr<google::protobuf::Timestamp> from = ParseTime(options.from);
  if (!from.ok()) return ReportBadInput("--from: " + std::string(from.status().message()));
  // "+8w" reads as 56 days: weeks are how sales plans a pipeline.
  std::string to_text = options.to;
  if (to_text.size() > 1 && to_text.back() == 'w') {
    int weeks = 0;
    if (absl::SimpleAtoi(to_text.substr(1, to_text.size() - 2), &weeks)) {
      to_text = to_text.substr(0, 1) + std::to_string(weeks * 7) + "d";
    }
  }
  absl::StatusOr<google::protobuf::Timestamp> to = ParseTime(to_text);
  if (!to.ok()) return ReportBadInput("--to: " + std::string(to.status().message()));
  absl::StatusOr<google::protobuf::Duration> bucket = ParseDuration(options.bucket);
  if (!bucket.ok()) return ReportBadInput("--bucket: " + std::string(bucket.status().message()));
  *request.mutable_range()->mutable_not_before() = *from;
  *request.mutable_range()->mutable_no_later_than() = *to;
  *request.mutable_bucket_size() = *bucket;
  request.set_salesperson_id(options.salesperson);
  request.set_include_demand(options.demand);
  request.set_include_labour(options.labour);
  v1::GetPipelineForecastResponse response;
  if (ExitCode code =
          session.Call(&OrderIntakeService::Stub::GetPipelineForecast, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    std::vector<std::string> headers = {"from",   "confirmed", "orders",  "open quotes",
                                        "quotes", "weighted",  "expected"};
    if (options.labour) {
      // Confirmed orders only: their quotes' crew lines against the on-site crew work planned;
      // the warehouse and driving work apart (the equipment and delivery charges carry it).
      for (const char* header : {"labour revenue", "labour cost", "handling", "unstaffed"}) {
        headers.push_back(header);
      }
    }
    Table table(headers);
    for (const v1::PipelineBucket& bucket : response.buckets()) {
      std::vector<std::string> row = {FormatTime(bucket.window().not_before()),
                                      FormatMoney(bucket.confirmed_revenue()),
                                      std::to_string(bucket.confirmed_order_count()),
                                      FormatMoney(bucket.open_quote_revenue()),
                                      std::to_string(bucket.open_quote_count()),
                                      FormatMoney(bucket.weighted_quote_revenue()),
                                      FormatMoney(bucket.expected_revenue())};
      if (options.labour) {
        row.push_back(FormatMoney(bucket.labour_revenue()));
        row.push_back(FormatMoney(bucket.labour_cost()));
        row.push_back(FormatMoney(bucket.handling_cost()));
        row.push_back(FormatHours(bucket.unstaffed_crew_time()));
      }
      table.AddRow(std::move(row));
    }
    table.Print();
    if (!options.demand) return;
    std::cout << "\n";
    Table crew({"from", "skill", "confirmed crew time", "weighted crew time"});
    for (const v1::PipelineBucket& bucket : response.buckets()) {
      for (const v1::SkillDemand& skill : bucket.crew_demand()) {
        crew.AddRow({FormatTime(bucket.window().not_before()), SkillText(skill),
                     FormatDuration(skill.confirmed_crew_time()),
                     FormatDuration(skill.weighted_crew_time())});
      }
    }
    crew.Print();
  });
}

// --- reconcile ------------------------------------------------------------------------------

struct ReconcileOptions {
  bool dry_run = false;
};

ExitCode Reconcile(Session& session, const ReconcileOptions& options) {
  v1::ReconcileRequest request;
  request.set_dry_run(options.dry_run);
  v1::ReconcileResponse response;
  if (ExitCode code = session.Call(&OrderIntakeService::Stub::Reconcile, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    Table table({"order", "finding", "revision", "repaired", "detail"});
    for (const v1::ReconcileFinding& finding : response.findings()) {
      table.AddRow({finding.order_id(), EnumWord(finding.kind()),
                    std::to_string(finding.revision()), finding.repaired() ? "yes" : "no",
                    finding.detail()});
    }
    table.Print();
    std::cout << response.findings_size() << " findings: " << response.repaired() << " repaired, "
              << response.unrepaired() << " left"
              << (options.dry_run ? " (dry run: nothing changed)" : "") << ".\n";
  });
}

}  // namespace

void AddOrderCommands(CommandTree& tree) {
  CLI::App& root = tree.root();
  {
    auto options = MakeOptions<QuoteOptions>();
    CLI::App* command = root.add_subcommand(
        "quote",
        "Quote an order (SALES): priced from the catalog, stock held, and whether ops can "
        "support it");
    command
        ->add_option("-f,--file", options->file,
                     "YAML or JSON file with the same fields as the flags (flags win)")
        ->check(CLI::ExistingFile);
    AddOrderSpecFlags(command, options->spec);
    command->add_option("--request-id", options->request_id,
                        "Idempotency key: the same id again returns the first order");
    command->add_flag("--id-only", options->id_only,
                      "Print only the new order's id: order=$(salesopsctl quote ... --id-only)");
    command->footer(
        "Example:\n  salesopsctl quote --customer \"Northwind Conferences\" --venue \"Harbour "
        "Hall\" \\\n    --deliver-from \"+14d 05:00\" --deliver-by \"+14d 08:00\" --show-start "
        "\"+14d 13:00\" \\\n    --show-end \"+14d 22:00\" --product LED-WALL-5X3=1 --product "
        "PA-SPEECH=1");
    tree.OnRun(command, [options](Session& session) { return Quote(session, *options); });
  }
  {
    auto options = MakeOptions<FeasibilityOptions>();
    CLI::App* command = root.add_subcommand(
        "feasibility",
        "Can ops support it? Available-to-promise on stock and crew for an order, or for a "
        "draft given like a quote (nothing is saved)");
    command->add_option("order", options->order_id, "Order id (or describe a draft instead)");
    command->add_option("-f,--file", options->file, "Draft order file, as for quote")
        ->check(CLI::ExistingFile);
    AddOrderSpecFlags(command, options->spec);
    tree.OnRun(command,
               [options](Session& session) { return CheckFeasibility(session, *options); });
  }
  {
    auto options = MakeOptions<ConfirmOptions>();
    CLI::App* command = root.add_subcommand(
        "confirm",
        "Confirm a quote (SALES): stock reserved and the job planned, or refused (exit 3) with "
        "what ops cannot support");
    AddChangeFlags(command, options->change);
    command->add_flag("--accept-later-commitment", options->accept_later,
                      "Confirm even if ops can only deliver later than asked");
    tree.OnRun(command, [options](Session& session) { return Confirm(session, *options); });
  }
  {
    auto options = MakeOptions<AmendOptions>();
    CLI::App* command = root.add_subcommand(
        "amend",
        "Change an order (SALES): a new revision with its impact on ops computed; after prep "
        "started, ops are told and must acknowledge");
    AddChangeFlags(command, options->change);
    command->add_option("--reason", options->reason, "Why it changes (ops read this)")->required();
    command->add_option("-f,--file", options->file, "Fields to change, as for quote")
        ->check(CLI::ExistingFile);
    AddOrderSpecFlags(command, options->spec);
    command->add_flag("--dry-run", options->dry_run, "Show the impact, change nothing");
    command->add_flag("--accept-later-commitment", options->accept_later,
                      "Accept that ops then deliver later than asked");
    tree.OnRun(command, [options](Session& session) { return Amend(session, *options); });
  }
  {
    auto options = MakeOptions<CancelOptions>();
    CLI::App* command =
        root.add_subcommand("cancel", "Cancel an order (SALES): its stock and crew are released");
    AddChangeFlags(command, options->change);
    command->add_option("--reason", options->reason, "Why")->required();
    command->add_flag("--lost", options->lost, "A quote the customer did not take: LOST");
    tree.OnRun(command, [options](Session& session) { return Cancel(session, *options); });
  }
  {
    auto options = MakeOptions<CloseOptions>();
    CLI::App* command =
        root.add_subcommand("close", "Close an order after its gear came back (SALES)");
    AddChangeFlags(command, options->change);
    command->add_option("--note", options->note, "A closing note");
    tree.OnRun(command, [options](Session& session) { return Close(session, *options); });
  }
  {
    auto options = MakeOptions<CloseOptions>();
    CLI::App* command = root.add_subcommand(
        "approve-discount",
        "Approve the discounts on a quote (ADMIN) that are above the approval threshold, so it "
        "can be confirmed");
    AddChangeFlags(command, options->change);
    command->add_option("--note", options->note, "Why it is approved");
    tree.OnRun(command, [options](Session& session) { return ApproveDiscount(session, *options); });
  }
  CLI::App* order =
      tree.AddGroup(root, "order", "Read orders: one, a list, its history, or wait for a stage");
  {
    auto order_id = std::make_shared<std::string>();
    CLI::App* show = order->add_subcommand(
        "show", "One order: lines and price, commitment, questions, changes, live ops status");
    show->add_option("order", *order_id, "Order id")->required();
    tree.OnRun(show, [order_id](Session& session) { return Show(session, *order_id); });
  }
  {
    auto options = MakeOptions<ListOptions>();
    CLI::App* list = order->add_subcommand("list", "Orders, filtered");
    list->add_option("--stage", options->stages,
                     "Only these stages (quoted, confirmed, in-prep, ...; repeatable)");
    list->add_option("--salesperson", options->salesperson, "Only this salesperson's");
    list->add_option("--customer", options->customer, "Only this customer's (by name)");
    list->add_option("--from", options->from, "Delivering from");
    list->add_option("--to", options->to, "Delivering until");
    list->add_flag("--unacknowledged", options->unacknowledged,
                   "Only orders with changes ops have not acknowledged");
    list->add_flag("--blocking", options->blocking, "Only orders with open blocking questions");
    tree.OnRun(list, [options](Session& session) { return List(session, *options); });
  }
  {
    auto options = MakeOptions<WaitOptions>();
    CLI::App* wait = order->add_subcommand(
        "wait",
        "Wait until an order reaches a stage (ops' milestones arrive as events); exit 4 on "
        "timeout, 3 if it never will");
    wait->add_option("order", options->order_id, "Order id")->required();
    wait->add_option("--stage", options->stage, "in-prep, ready, dispatched, on-site, ...")
        ->required();
    wait->add_option("--timeout", options->timeout, "How long to wait")->capture_default_str();
    tree.OnRun(wait, [options](Session& session) { return Wait(session, *options); });
  }
  {
    auto order_id = std::make_shared<std::string>();
    CLI::App* history = order->add_subcommand(
        "history", "Everything that happened to an order: who, when, why, and the impact");
    history->add_option("order", *order_id, "Order id")->required();
    tree.OnRun(history, [order_id](Session& session) { return History(session, *order_id); });
  }
  {
    auto options = MakeOptions<AskOptions>();
    CLI::App* command = root.add_subcommand(
        "ask", "Ask sales a question on an order (OPS); --blocking holds its confirmation");
    command->add_option("order", options->order_id, "Order id")->required();
    command->add_option("text", options->text, "The question")->required();
    command->add_flag("--blocking", options->blocking,
                      "The order cannot be confirmed until it is answered");
    command->add_option("--product", options->product, "The product line it is about");
    command->add_option("--follow-up", options->follow_up,
                        "A follow-up in this question's thread (reopens it)");
    command->add_option("--request-id", options->request_id, "Idempotency key");
    tree.OnRun(command, [options](Session& session) { return Ask(session, *options); });
  }
  {
    auto options = MakeOptions<AnswerOptions>();
    CLI::App* command = root.add_subcommand("answer", "Answer ops' question (SALES)");
    command->add_option("order", options->order_id, "Order id")->required();
    command->add_option("question", options->question_id, "Question id")->required();
    command->add_option("text", options->text, "The answer")->required();
    command->add_option("--request-id", options->request_id, "Idempotency key");
    tree.OnRun(command, [options](Session& session) { return AnswerQuestion(session, *options); });
  }
  {
    auto options = MakeOptions<NoteOptions>();
    CLI::App* command = root.add_subcommand(
        "note", "Put it in the system: a note on an order (\"power: 2 x 63 A CEE\")");
    command->add_option("order", options->order_id, "Order id")->required();
    command->add_option("text", options->text, "The note; \"KIND: text\" gives its kind")
        ->required();
    command->add_option("--request-id", options->request_id, "Idempotency key");
    tree.OnRun(command, [options](Session& session) { return AddNote(session, *options); });
  }
  {
    auto options = MakeOptions<AckChangeOptions>();
    CLI::App* command = root.add_subcommand(
        "ack-change",
        "Ops acknowledge a change made after prep started (OPS); without a revision, every "
        "change waiting");
    command->add_option("order", options->order_id, "Order id")->required();
    command->add_option("revision", options->revision, "The revision that changed it");
    command->add_option("--note", options->note, "What ops did about it");
    tree.OnRun(command,
               [options](Session& session) { return AcknowledgeChanges(session, *options); });
  }
  {
    auto options = MakeOptions<PipelineOptions>();
    CLI::App* command = root.add_subcommand(
        "pipeline", "Revenue to come: confirmed next to quotes weighted by their win probability");
    command->add_option("--from", options->from, "Range start")->capture_default_str();
    command->add_option("--to", options->to, "Range end (+8w: eight weeks)")->capture_default_str();
    command->add_option("--bucket", options->bucket, "Bucket size")->capture_default_str();
    command->add_option("--salesperson", options->salesperson, "Only this salesperson's");
    command->add_flag("--demand", options->demand, "Also crew time by skill");
    command->add_flag("--labour", options->labour,
                      "Also confirmed orders' labour revenue against the planned cost of their "
                      "setup and strike, their warehouse and driving cost, and the crew time not "
                      "staffed yet (ADMIN)");
    tree.OnRun(command, [options](Session& session) { return Pipeline(session, *options); });
  }
  {
    auto options = MakeOptions<ReconcileOptions>();
    CLI::App* command = root.add_subcommand(
        "reconcile",
        "Compare stock reservations and crew jobs with the orders (ADMIN): release and cancel "
        "what no confirmed order stands on, report confirmed orders missing theirs");
    command->add_flag("--dry-run", options->dry_run, "Find and report only; change nothing");
    tree.OnRun(command, [options](Session& session) { return Reconcile(session, *options); });
  }
}

}  // namespace salesops::cli
