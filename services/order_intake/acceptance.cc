// OrderIntakeService: online acceptance (issue 18 item 2). Sales sends a quote as a signed,
// expiring, single-use link (quote_links.h); the client opens it on order-intake's small HTTP
// endpoint, reads the quote and accepts it with a typed name. What they accepted (revision and
// the PDF's hash, name, time, address, browser) is recorded first; then the confirmation saga
// runs at once, so ops is asked before anything is promised: confirmed, the client sees the
// commitment; not supportable, the client sees "received" and sales gets QUOTE_ACCEPTED with
// what stands in the way.
#include <absl/strings/ascii.h>
#include <absl/strings/match.h>
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/strip.h>

#include <fstream>
#include <sstream>

#include "services/common/grpc_errors.h"
#include "services/common/log.h"
#include "services/common/page_token.h"
#include "services/common/validation.h"
#include "services/order_intake/acceptance_pages.h"
#include "services/order_intake/lifecycle.h"
#include "services/order_intake/order_intake_service.h"
#include "services/order_intake/order_rules.h"
#include "services/order_intake/quote_links.h"

namespace salesops::order_intake {

using common::CheckRequest;
using common::ToGrpcStatus;

namespace {

constexpr char kQuoteLinkListing[] = "quote-links";
constexpr absl::Duration kShortestLink = absl::Seconds(1);
constexpr absl::Duration kLongestLink = absl::Hours(24 * 90);
constexpr size_t kMaxNameBytes = 200;
// An HMAC key shorter than its hash's output weakens it.
constexpr size_t kMinKeyBytes = 32;

absl::Time TimeOf(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixMicros(common::ToMicros(timestamp));
}

// The typed name as recorded: trimmed, one line, printable, at most 200 bytes.
std::optional<std::string> AcceptedName(const std::map<std::string, std::string>& form) {
  auto found = form.find("name");
  if (found == form.end()) return std::nullopt;
  const std::string name(absl::StripAsciiWhitespace(found->second));
  if (name.empty() || name.size() > kMaxNameBytes) return std::nullopt;
  if (!common::IsPlainText(name)) return std::nullopt;
  return name;
}

// Order ids are the service's own, but a file name in a header takes no chances.
std::string FileNamePart(std::string_view text) {
  std::string part;
  for (char c : text) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') part += c;
  }
  return part.substr(0, 60);
}

common::HttpResponse Page(int status, std::string body) {
  common::HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

}  // namespace

absl::Status OrderIntakeServiceImpl::StartAcceptanceEndpoint() {
  if (options_.acceptance_address.empty()) return absl::OkStatus();
  if (acceptance_key_.empty()) {
    return absl::FailedPreconditionError(
        "--acceptance-address needs --acceptance-key-file: the key quote links are signed with");
  }
  SALESOPS_ASSIGN_OR_RETURN(
      acceptance_server_,
      common::HttpServer::Start(options_.acceptance_address, [this](const common::HttpRequest& r) {
        return ServeAcceptance(r);
      }));
  if (acceptance_base_url_.empty()) {
    const std::string host =
        options_.acceptance_address.substr(0, options_.acceptance_address.rfind(':'));
    acceptance_base_url_ = absl::StrCat("http://", host == "0.0.0.0" ? "127.0.0.1" : host, ":",
                                        acceptance_server_->port());
  }
  common::LogInfo("acceptance_endpoint_started",
                  {{"port", std::to_string(acceptance_server_->port())}});
  return absl::OkStatus();
}

absl::Status OrderIntakeServiceImpl::LoadAcceptanceKey() {
  if (options_.acceptance_key_file.empty()) return absl::OkStatus();
  std::ifstream file(options_.acceptance_key_file, std::ios::binary);
  std::stringstream contents;
  contents << file.rdbuf();
  if (!file) {
    return absl::FailedPreconditionError("cannot read --acceptance-key-file");
  }
  std::string key(absl::StripTrailingAsciiWhitespace(contents.str()));
  if (key.size() < kMinKeyBytes) {
    return absl::FailedPreconditionError(absl::StrCat("--acceptance-key-file holds ", key.size(),
                                                      " bytes; a key needs at least ", kMinKeyBytes,
                                                      " (e.g. openssl rand -hex 32)"));
  }
  acceptance_key_ = std::move(key);
  return absl::OkStatus();
}

grpc::Status OrderIntakeServiceImpl::SendQuote(grpc::ServerContext* context,
                                               const v1::SendQuoteRequest* request,
                                               v1::SendQuoteResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const absl::Time now = absl::FromChrono(clock_.Now());
    std::optional<absl::Duration> valid_for;
    if (request->has_valid_for()) {
      valid_for = absl::Seconds(request->valid_for().seconds());
      if (*valid_for < kShortestLink || *valid_for > kLongestLink) {
        return common::InvalidArgumentError({{"valid_for", "must be 1 second to 90 days"}});
      }
    }
    if (acceptance_key_.empty() || acceptance_base_url_.empty()) {
      return common::BusinessRefusal(
          v1::INVALID_REQUEST,
          "online acceptance is not configured on this order-intake (--acceptance-address, "
          "--acceptance-key-file)");
    }
    const v1::Actor caller = runtime_.CallerOf(*context);
    const IdempotentCall call("SendQuote", caller, *request, response);
    // The link's URL carries its signature, which is kept nowhere (the idempotency record
    // included): every answer, a replayed one too, signs it again from the key.
    auto with_url = [&](v1::QuoteLink link) {
      link.set_url(
          absl::StrCat(acceptance_base_url_, "/q/",
                       SignQuoteLink(acceptance_key_, link.link_id(), TimeOf(link.expire_time()),
                                     link.order_id(), link.order_revision())));
      return link;
    };
    SALESOPS_ASSIGN_OR_RETURN(bool replayed, store_.ReplayAnswer(call));
    if (replayed) {
      *response->mutable_link() = with_url(response->link());
      return absl::OkStatus();
    }
    SALESOPS_ASSIGN_OR_RETURN(v1::Order order, store_.Get(request->order_id()));
    if (!IsOpenQuote(order.stage())) {
      return common::BusinessRefusal(
          v1::INVALID_STAGE_TRANSITION,
          absl::StrCat("order ", order.order_id(), " is ", StageName(order.stage()),
                       "; only an open quote can be sent for acceptance"));
    }
    absl::Time expire = now + absl::Hours(24 * options_.quote_validity_days);
    if (order.has_quote_expire_time()) expire = TimeOf(order.quote_expire_time());
    if (valid_for) expire = now + *valid_for;
    if (expire <= now) {
      return common::BusinessRefusal(
          v1::INVALID_STAGE_TRANSITION,
          absl::StrCat("the quote of order ", order.order_id(),
                       " has expired; amend it with a new expiry first"));
    }
    SALESOPS_ASSIGN_OR_RETURN(v1::Document pdf, OrderDocument(order, v1::DOCUMENT_KIND_QUOTE,
                                                              request->language(), caller));
    v1::QuoteLink link;
    link.set_link_id(NewLinkId());
    link.set_order_id(order.order_id());
    link.set_order_revision(order.revision());
    link.set_language(pdf.language());
    link.set_document_sha256(pdf.sha256());
    // Whole seconds: the token carries the expiry as Unix seconds.
    *link.mutable_expire_time() =
        common::TimestampFromMicros(absl::ToUnixSeconds(expire) * 1'000'000);
    link.set_state(v1::QUOTE_LINK_STATE_OPEN);
    *link.mutable_sent_by() = caller;
    *link.mutable_send_time() = clock_.NowTimestamp();
    link.set_recipient_email(request->recipient_email());
    SALESOPS_RETURN_IF_ERROR(documents_.KeepQuoteLink(
        call, link, [&](const v1::QuoteLink& kept) { *response->mutable_link() = kept; }));
    *response->mutable_link() = with_url(response->link());
    return absl::OkStatus();
  }());
}

grpc::Status OrderIntakeServiceImpl::ListQuoteLinks(grpc::ServerContext*,
                                                    const v1::ListQuoteLinksRequest* request,
                                                    v1::ListQuoteLinksResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(v1::Order order, store_.Get(request->order_id()));
    int64_t before = 0;
    if (!request->page_token().empty()) {
      SALESOPS_ASSIGN_OR_RETURN(std::string after,
                                common::DecodePageToken(kQuoteLinkListing, request->page_token()));
      if (!absl::SimpleAtoi(after, &before) || before <= 0) {
        return common::InvalidArgumentError(
            {{"page_token", "is not a token this listing gave out"}});
      }
    }
    const int page_size = request->page_size() > 0 ? request->page_size() : 100;
    SALESOPS_ASSIGN_OR_RETURN(auto page,
                              documents_.ListQuoteLinks(order.order_id(), before, page_size));
    const absl::Time now = absl::FromChrono(clock_.Now());
    for (v1::QuoteLink& link : page.first) {
      // Superseded and expired are what time and later revisions made of an open link.
      if (link.state() == v1::QUOTE_LINK_STATE_OPEN) {
        if (link.order_revision() != order.revision() || !IsOpenQuote(order.stage())) {
          link.set_state(v1::QUOTE_LINK_STATE_SUPERSEDED);
        } else if (TimeOf(link.expire_time()) < now) {
          link.set_state(v1::QUOTE_LINK_STATE_EXPIRED);
        }
      }
      *response->add_links() = std::move(link);
    }
    if (page.second != 0) {
      response->set_next_page_token(
          common::EncodePageToken(kQuoteLinkListing, absl::StrCat(page.second)));
    }
    return absl::OkStatus();
  }());
}

absl::StatusOr<OrderIntakeServiceImpl::OpenedLink> OrderIntakeServiceImpl::OpenLink(
    std::string_view token) {
  OpenedLink opened;
  opened.refusal = LinkRefusal::kInvalid;
  const std::optional<QuoteLinkToken> parsed = ParseQuoteLink(token);
  if (!parsed) return opened;
  SALESOPS_ASSIGN_OR_RETURN(std::optional<v1::QuoteLink> link,
                            documents_.FindQuoteLink(parsed->link_id));
  if (!link || !QuoteLinkSignatureMatches(acceptance_key_, token, link->order_id(),
                                          link->order_revision())) {
    return opened;
  }
  SALESOPS_ASSIGN_OR_RETURN(std::optional<v1::CompanyProfile> profile,
                            documents_.GetCompanyProfile());
  if (!profile) return opened;
  opened.profile = *std::move(profile);
  opened.link = *std::move(link);
  SALESOPS_ASSIGN_OR_RETURN(opened.order, store_.Get(opened.link.order_id()));
  if (opened.link.state() == v1::QUOTE_LINK_STATE_ACCEPTED) {
    opened.refusal = LinkRefusal::kAlreadyUsed;
  } else if (absl::FromChrono(clock_.Now()) > parsed->expire_time) {
    opened.refusal = LinkRefusal::kExpired;
  } else if (opened.order.revision() != opened.link.order_revision() ||
             !IsOpenQuote(opened.order.stage())) {
    opened.refusal = LinkRefusal::kSuperseded;
  } else {
    opened.refusal.reset();
  }
  return opened;
}

common::HttpResponse OrderIntakeServiceImpl::ServeAcceptance(const common::HttpRequest& request) {
  absl::string_view path = request.path;
  if (!absl::ConsumePrefix(&path, "/q/")) {
    return Page(404, RefusedPage(LinkRefusal::kInvalid, {}, v1::DOCUMENT_LANGUAGE_ENGLISH));
  }
  absl::string_view token = path;
  absl::string_view action;
  if (const size_t slash = path.find('/'); slash != absl::string_view::npos) {
    token = path.substr(0, slash);
    action = path.substr(slash + 1);
  }
  absl::StatusOr<OpenedLink> opened = OpenLink(std::string_view(token.data(), token.size()));
  if (!opened.ok()) {
    // The database or inventory is away: the client tries again in a moment.
    return Page(503, "<!doctype html><title>Unavailable</title><p>Please try again in a minute.");
  }
  const v1::DocumentLanguage language = opened->link.language();
  auto refused = [&](LinkRefusal refusal) {
    return Page(refusal == LinkRefusal::kInvalid ? 404 : 410,
                RefusedPage(refusal, opened->profile, language));
  };
  const bool accepted = opened->refusal == LinkRefusal::kAlreadyUsed;

  if (action == "pdf" && request.method != "POST") {
    // The quote as it was sent, also after it was accepted.
    if (opened->refusal && !accepted) return refused(*opened->refusal);
    v1::Document key;
    key.set_order_id(opened->link.order_id());
    key.set_kind(v1::DOCUMENT_KIND_QUOTE);
    key.set_order_revision(opened->link.order_revision());
    key.set_language(language);
    absl::StatusOr<std::optional<v1::Document>> pdf = documents_.FindDocument(key);
    if (!pdf.ok()) return Page(503, "<!doctype html><title>Unavailable</title>");
    if (!*pdf) return refused(LinkRefusal::kInvalid);
    common::HttpResponse response;
    response.content_type = "application/pdf";
    response.body = (*pdf)->pdf();
    response.headers.emplace_back(
        "Content-Disposition",
        absl::StrCat("inline; filename=\"quote-", FileNamePart(key.order_id()), "-r",
                     key.order_revision(), ".pdf\""));
    return response;
  }
  if (action == "accept" && request.method == "POST") {
    if (opened->refusal) return refused(*opened->refusal);
    absl::StatusOr<std::map<std::string, std::string>> form = common::ParseForm(request.body);
    const std::optional<std::string> name =
        form.ok() ? AcceptedName(*form) : std::optional<std::string>();
    if (!name) {
      return Page(
          400,
          QuotePage(opened->order, opened->profile, language, absl::StrCat("/q/", token, "/pdf"),
                    absl::StrCat("/q/", token, "/accept"), TimeOf(opened->link.expire_time())));
    }
    v1::QuoteAcceptance acceptance;
    acceptance.set_accepted_by_name(*name);
    *acceptance.mutable_accept_time() = clock_.NowTimestamp();
    acceptance.set_client_address(common::TruncateText(request.remote_address, 100));
    acceptance.set_user_agent(common::TruncateText(request.user_agent, 500));
    acceptance.set_order_revision(opened->link.order_revision());
    acceptance.set_document_sha256(opened->link.document_sha256());
    acceptance.set_outcome(v1::ACCEPTANCE_OUTCOME_PENDING);
    absl::StatusOr<bool> recorded = documents_.RecordAcceptance(opened->link.link_id(), acceptance);
    if (!recorded.ok()) return Page(503, "<!doctype html><title>Unavailable</title>");
    if (!*recorded) return refused(LinkRefusal::kAlreadyUsed);
    opened->link.set_state(v1::QUOTE_LINK_STATE_ACCEPTED);
    *opened->link.mutable_acceptance() = acceptance;
    const v1::Order order = FinishAcceptance(opened->link);
    return Page(200, order.stage() == v1::ORDER_STAGE_CONFIRMED &&
                             order.revision() == opened->link.order_revision()
                         ? ConfirmedPage(order, opened->profile, language, *name)
                         : ReceivedPage(order, opened->profile, language, *name));
  }
  if (!action.empty()) return refused(LinkRefusal::kInvalid);
  if (accepted) {
    // A reload after accepting shows what came of it, not the form again.
    const v1::QuoteAcceptance& acceptance = opened->link.acceptance();
    return Page(200, acceptance.outcome() == v1::ACCEPTANCE_OUTCOME_CONFIRMED
                         ? ConfirmedPage(opened->order, opened->profile, language,
                                         acceptance.accepted_by_name())
                         : ReceivedPage(opened->order, opened->profile, language,
                                        acceptance.accepted_by_name()));
  }
  if (opened->refusal) return refused(*opened->refusal);
  return Page(
      200, QuotePage(opened->order, opened->profile, language, absl::StrCat("/q/", token, "/pdf"),
                     absl::StrCat("/q/", token, "/accept"), TimeOf(opened->link.expire_time())));
}

v1::Order OrderIntakeServiceImpl::FinishAcceptance(const v1::QuoteLink& link) {
  v1::QuoteAcceptance acceptance = link.acceptance();
  v1::Actor client;
  client.set_id(absl::StrCat("client:", link.link_id()));
  client.set_display_name(acceptance.accepted_by_name());
  v1::ConfirmOrderRequest confirm;
  confirm.set_request_id(absl::StrCat("accept-", link.link_id()));
  confirm.set_order_id(link.order_id());
  confirm.set_expected_revision(link.order_revision());
  v1::ConfirmOrderResponse confirmed;
  const absl::Status status =
      ConfirmAs(client, &confirm, clock_.Now() + std::chrono::milliseconds(options_.saga_budget_ms),
                &confirmed);
  v1::Order order = confirmed.order();
  if (status.ok()) {
    acceptance.set_outcome(v1::ACCEPTANCE_OUTCOME_CONFIRMED);
  } else {
    acceptance.set_outcome(v1::ACCEPTANCE_OUTCOME_RECEIVED);
    acceptance.set_outcome_reason(common::TruncateText(std::string(status.message()), 2000));
    absl::StatusOr<v1::Order> current = store_.Get(link.order_id());
    if (current.ok()) order = *std::move(current);
  }
  v1::Event event;
  event.set_type(v1::EVENT_TYPE_QUOTE_ACCEPTED);
  event.set_order_id(link.order_id());
  event.set_order_revision(link.order_revision());
  *event.mutable_actor() = client;
  *event.mutable_acceptance() = acceptance;
  event.set_summary(status.ok()
                        ? absl::StrCat("Order ", link.order_id(), " rev ", link.order_revision(),
                                       " accepted online by ", acceptance.accepted_by_name(),
                                       " and confirmed")
                        : absl::StrCat("Order ", link.order_id(), " rev ", link.order_revision(),
                                       " accepted online by ", acceptance.accepted_by_name(),
                                       " but NOT confirmed: ", std::string(status.message()),
                                       "; confirm it once ops can support it"));
  const absl::Status told = documents_.SetAcceptanceOutcome(link.link_id(), acceptance, event);
  if (!told.ok()) {
    // Recovery's chore tells sales later (PendingAcceptances).
    common::LogWarn("acceptance_outcome_not_recorded", {{"error", std::string(told.message())}});
  }
  return order;
}

void OrderIntakeServiceImpl::FinishPendingAcceptances() {
  if (acceptance_key_.empty()) return;
  // Older than a saga's budget: the request that accepted it is gone.
  const absl::Time before = absl::FromChrono(clock_.Now()) -
                            absl::Milliseconds(options_.saga_budget_ms) - absl::Minutes(1);
  absl::StatusOr<std::vector<v1::QuoteLink>> pending = documents_.PendingAcceptances(before);
  if (!pending.ok()) return;
  for (const v1::QuoteLink& link : *pending) FinishAcceptance(link);
}

}  // namespace salesops::order_intake
