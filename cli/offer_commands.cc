// offers and crew-rules: work scheduling offers to freelancers when in-house crew cannot cover
// it (README "Offers to freelancers"), answered by the freelancer with their own crew token or by
// ops for them; and the rules crew self-service and offers work within (ADMIN sets them).
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <optional>

#include "cli/command_tree.h"
#include "cli/input_parsing.h"
#include "cli/output.h"
#include "cli/scheduling_stub.h"

namespace salesops::cli {
namespace {

using v1::SchedulingService;

// How much of an offer's reason and a decline's reason a table shows; --json has them whole.
constexpr size_t kWidestOfferReason = 60;
constexpr size_t kWidestDeclineReason = 40;

struct OfferListOptions {
  std::string crew_member, task, order;
  std::vector<std::string> states;
};

ExitCode ListOffers(Session& session, const OfferListOptions& options) {
  v1::ListOffersRequest request;
  request.set_crew_member_id(options.crew_member);
  request.set_task_id(options.task);
  request.set_order_id(options.order);
  for (const std::string& word : options.states) {
    for (const std::string& each : SplitWords(word)) {
      absl::StatusOr<v1::OfferState> state = ParseEnum<v1::OfferState>(each);
      if (!state.ok()) {
        return ReportBadInput("--state: " + std::string(state.status().message()) +
                              " (sent, accepted, declined, expired or withdrawn)");
      }
      request.add_states(*state);
    }
  }
  session.SetFieldFlags({{"crew_member_id", "--crew-member"},
                         {"task_id", "--task"},
                         {"order_id", "--order"},
                         {"states", "--state"}});
  v1::ListOffersResponse response;
  if (ExitCode code =
          session.CallAllPages(&SchedulingService::Stub::ListOffers, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    Table table({"offer", "task", "who", "state", "when", "fee", "reply by", "rank", "why them",
                 "declined because"});
    for (const v1::CrewOffer& offer : response.offers()) {
      table.AddRow({offer.offer_id(), offer.task_id(), offer.crew_member_id(),
                    EnumWord(offer.state()), FormatSpan(offer.start_time(), offer.finish_time()),
                    offer.has_fee() ? FormatMoney(offer.fee()) : "-",
                    FormatTime(offer.reply_by_time()), std::to_string(offer.rank()),
                    FirstLineCut(offer.reason(), kWidestOfferReason),
                    offer.decline_reason().empty()
                        ? "-"
                        : FirstLineCut(offer.decline_reason(), kWidestDeclineReason)});
    }
    table.Print();
    // How each fee was reached is too long for a column: one line per offer under the table.
    bool heading = false;
    for (const v1::CrewOffer& offer : response.offers()) {
      if (offer.fee_explanation().empty()) continue;
      if (!heading) std::cout << "\nFees:\n";
      heading = true;
      std::cout << "  " << offer.offer_id() << "  " << offer.fee_explanation() << "\n";
    }
  });
}

// One offer whole: the list's cells uncut, and how its fee was reached.
ExitCode ShowOffer(Session& session, const std::string& offer_id) {
  v1::GetOfferRequest request;
  request.set_offer_id(offer_id);
  session.SetFieldFlags({{"offer_id", "OFFER"}});
  v1::GetOfferResponse response;
  if (ExitCode code = session.Call(&SchedulingService::Stub::GetOffer, request, &response);
      code != kExitOk) {
    return code;
  }
  const v1::CrewOffer& offer = response.offer();
  if (session.json()) {
    PrintJson(nlohmann::json{{"offer", ToJson(offer)}});
    return kExitOk;
  }
  Details details;
  details.Add("Offer", offer.offer_id());
  details.Add("Task", offer.task_id() + " (order " + offer.order_id() + ")");
  details.Add("Who", offer.crew_member_id());
  details.Add("State", EnumWord(offer.state()));
  details.Add("When", FormatSpan(offer.start_time(), offer.finish_time()));
  details.Add("Fee", offer.has_fee() ? FormatMoney(offer.fee()) : "-");
  if (!offer.fee_explanation().empty()) details.Add("How", offer.fee_explanation());
  details.Add("Reply by", FormatTime(offer.reply_by_time()));
  details.Add("Rank", std::to_string(offer.rank()));
  details.Add("Why them", offer.reason().empty() ? "-" : offer.reason());
  if (!offer.decline_reason().empty()) details.Add("Declined because", offer.decline_reason());
  details.Print();
  return kExitOk;
}

struct OfferAnswerOptions {
  std::string offer_id, reason, request_id;
};

// "OFFER-7 (RIG-1/SETUP-RIGGER, 2030-05-01 08:00 → 12:00, 300.00 EUR)".
std::string OfferSummary(const v1::CrewOffer& offer) {
  std::string text = absl::StrCat(offer.offer_id(), " (", offer.task_id(), ", ",
                                  FormatSpan(offer.start_time(), offer.finish_time()));
  if (offer.has_fee()) absl::StrAppend(&text, ", ", FormatMoney(offer.fee()));
  return text + ")";
}

ExitCode AcceptOffer(Session& session, const OfferAnswerOptions& options) {
  v1::AcceptOfferRequest request;
  request.set_request_id(options.request_id);
  request.set_offer_id(options.offer_id);
  session.SetFieldFlags({{"offer_id", "OFFER_ID"}, {"request_id", "--request-id"}});
  v1::AcceptOfferResponse response;
  if (ExitCode code = session.Call(&SchedulingService::Stub::AcceptOffer, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    std::cout << "accepted " << OfferSummary(response.offer()) << " for "
              << response.offer().crew_member_id() << "\n";
    const v1::Task& task = response.task();
    if (task.task_id().empty()) return;
    if (task.at_risk()) {
      std::cout << "task " << task.task_id() << " is not covered yet: "
                << (task.at_risk_explanation().empty() ? EnumWord(task.at_risk_reason())
                                                       : task.at_risk_explanation())
                << "\n";
    } else {
      std::cout << "task " << task.task_id() << " is covered\n";
    }
  });
}

ExitCode DeclineOffer(Session& session, const OfferAnswerOptions& options) {
  v1::DeclineOfferRequest request;
  request.set_request_id(options.request_id);
  request.set_offer_id(options.offer_id);
  request.set_reason(options.reason);
  session.SetFieldFlags(
      {{"offer_id", "OFFER_ID"}, {"reason", "--reason"}, {"request_id", "--request-id"}});
  v1::DeclineOfferResponse response;
  if (ExitCode code = session.Call(&SchedulingService::Stub::DeclineOffer, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    std::cout << "declined " << OfferSummary(response.offer()) << " for "
              << response.offer().crew_member_id() << "; the next candidate is asked\n";
  });
}

// Each rule as people read it, with what an unset one means.
void PrintCrewRules(const v1::CrewRules& rules) {
  Details details;
  details.Add("Time-off notice", rules.has_time_off_notice()
                                     ? FormatDuration(rules.time_off_notice())
                                     : "none (time off may start at once)");
  details.Add("Longest time off", rules.has_longest_self_set_time_off()
                                      ? FormatDuration(rules.longest_self_set_time_off())
                                      : "31d (the default)");
  details.Add("Late return", rules.allow_late_return()
                                 ? "allowed (own time off may be taken back inside the notice)"
                                 : "not allowed (ask ops)");
  details.Add("Offer reply within", rules.has_offer_reply_within()
                                        ? FormatDuration(rules.offer_reply_within())
                                        : "24h (the default)");
  details.Add("Freelance day", rules.has_freelance_day_duration()
                                   ? FormatDuration(rules.freelance_day_duration())
                                   : "10h (the default)");
  google::protobuf::Duration night_start, night_end;
  night_start.set_seconds(22 * 3600);
  night_end.set_seconds(6 * 3600);
  if (rules.has_night_start_offset()) night_start = rules.night_start_offset();
  if (rules.has_night_end_offset()) night_end = rules.night_end_offset();
  if (night_start.seconds() == night_end.seconds()) {
    details.Add("Night", "none (it starts where it ends)");
  } else {
    const bool default_night = !rules.has_night_start_offset() && !rules.has_night_end_offset();
    details.Add("Night", FormatDailyPeriod(night_start, night_end) +
                             (default_night ? " (the default)" : "") + ", in each member's zone");
  }
  details.Add("Per diem", rules.has_per_diem()
                              ? FormatMoney(rules.per_diem()) + " a person and day at a venue"
                              : "none");
  details.Add("Per diem from",
              rules.has_per_diem_from_travel()
                  ? FormatDuration(rules.per_diem_from_travel()) + " of travel (one way) or more"
                  : "every venue (the default)");
  details.Add("Etag", rules.etag().empty() ? "-" : rules.etag());
  details.Add("Updated", FormatTime(rules.update_time()));
  details.Print();
}

ExitCode ShowCrewRules(Session& session) {
  v1::GetCrewRulesResponse response;
  if (ExitCode code = session.Call(&SchedulingService::Stub::GetCrewRules,
                                   v1::GetCrewRulesRequest(), &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] { PrintCrewRules(response.rules()); });
}

struct CrewRulesOptions {
  std::string time_off_notice, longest_time_off, offer_reply_within, etag, request_id;
  std::string freelance_day, night, per_diem, per_diem_from;
  bool allow_late_return = false, no_late_return = false;
};

// A duration flag: "none" clears the rule (back to its default), anything else is a duration.
absl::Status SetRuleDuration(const std::string& flag, const std::string& text,
                             google::protobuf::Duration* rule, bool* present) {
  *present = false;
  if (text.empty()) return absl::OkStatus();
  if (text == "none") return absl::OkStatus();
  absl::StatusOr<google::protobuf::Duration> duration = ParseDuration(text);
  if (!duration.ok()) {
    return absl::InvalidArgumentError(flag + ": " + std::string(duration.status().message()) +
                                      " (or none)");
  }
  *rule = *duration;
  *present = true;
  return absl::OkStatus();
}

// The rules the flags give, applied to `rules`; a bad value is INVALID_ARGUMENT naming its flag.
absl::Status ApplyCrewRuleEdits(const CrewRulesOptions& options, v1::CrewRules& rules) {
  struct DurationRule {
    const char* flag;
    const std::string& text;
    google::protobuf::Duration* (v1::CrewRules::*mutable_rule)();
    void (v1::CrewRules::*clear_rule)();
  };
  for (const DurationRule& rule : {DurationRule{"--time-off-notice", options.time_off_notice,
                                                &v1::CrewRules::mutable_time_off_notice,
                                                &v1::CrewRules::clear_time_off_notice},
                                   DurationRule{"--longest-time-off", options.longest_time_off,
                                                &v1::CrewRules::mutable_longest_self_set_time_off,
                                                &v1::CrewRules::clear_longest_self_set_time_off},
                                   DurationRule{"--offer-reply-within", options.offer_reply_within,
                                                &v1::CrewRules::mutable_offer_reply_within,
                                                &v1::CrewRules::clear_offer_reply_within},
                                   DurationRule{"--freelance-day", options.freelance_day,
                                                &v1::CrewRules::mutable_freelance_day_duration,
                                                &v1::CrewRules::clear_freelance_day_duration},
                                   DurationRule{"--per-diem-from", options.per_diem_from,
                                                &v1::CrewRules::mutable_per_diem_from_travel,
                                                &v1::CrewRules::clear_per_diem_from_travel}}) {
    if (rule.text.empty()) continue;
    google::protobuf::Duration duration;
    bool present = false;
    if (absl::Status set = SetRuleDuration(rule.flag, rule.text, &duration, &present); !set.ok()) {
      return set;
    }
    if (present) {
      *(rules.*rule.mutable_rule)() = duration;
    } else {
      (rules.*rule.clear_rule)();
    }
  }
  if (options.night == "none") {
    rules.clear_night_start_offset();
    rules.clear_night_end_offset();
  } else if (!options.night.empty()) {
    absl::StatusOr<DailyPeriod> night = ParseDailyPeriod(options.night);
    if (!night.ok()) {
      return absl::InvalidArgumentError("--night: " + std::string(night.status().message()) +
                                        " (or none)");
    }
    *rules.mutable_night_start_offset() = night->start_offset;
    *rules.mutable_night_end_offset() = night->end_offset;
  }
  if (options.per_diem == "none") {
    rules.clear_per_diem();
  } else if (!options.per_diem.empty()) {
    absl::StatusOr<google::type::Money> per_diem = ParseMoney(options.per_diem, "EUR");
    if (!per_diem.ok()) {
      return absl::InvalidArgumentError("--per-diem: " + std::string(per_diem.status().message()) +
                                        " (or none)");
    }
    *rules.mutable_per_diem() = *per_diem;
  }
  if (options.allow_late_return) rules.set_allow_late_return(true);
  if (options.no_late_return) rules.set_allow_late_return(false);
  return absl::OkStatus();
}

// Changes only the rules given, under the etag read (or --etag); a bad value is reported before
// anything is asked.
ExitCode SetCrewRules(Session& session, const CrewRulesOptions& options) {
  v1::CrewRules probe;
  if (absl::Status checked = ApplyCrewRuleEdits(options, probe); !checked.ok()) {
    return ReportBadInput(std::string(checked.message()));
  }
  v1::GetCrewRulesResponse existing;
  if (ExitCode code = session.Call(&SchedulingService::Stub::GetCrewRules,
                                   v1::GetCrewRulesRequest(), &existing);
      code != kExitOk) {
    return code;
  }
  v1::UpdateCrewRulesRequest request;
  request.set_request_id(options.request_id);
  request.set_etag(options.etag.empty() ? existing.rules().etag() : options.etag);
  v1::CrewRules& rules = *request.mutable_rules();
  rules = existing.rules();
  rules.clear_etag();
  rules.clear_update_time();
  if (absl::Status applied = ApplyCrewRuleEdits(options, rules); !applied.ok()) {
    return ReportBadInput(std::string(applied.message()));
  }
  session.SetFieldFlags({{"time_off_notice", "--time-off-notice"},
                         {"longest_self_set_time_off", "--longest-time-off"},
                         {"offer_reply_within", "--offer-reply-within"},
                         {"freelance_day_duration", "--freelance-day"},
                         {"night_start_offset", "--night"},
                         {"night_end_offset", "--night"},
                         {"per_diem", "--per-diem"},
                         {"per_diem.currency_code", "--per-diem"},
                         {"per_diem.units", "--per-diem"},
                         {"per_diem.nanos", "--per-diem"},
                         {"per_diem_from_travel", "--per-diem-from"},
                         {"allow_late_return", "--allow-late-return"},
                         {"etag", "--etag"},
                         {"request_id", "--request-id"}});
  v1::UpdateCrewRulesResponse response;
  if (ExitCode code = session.Call(&SchedulingService::Stub::UpdateCrewRules, request, &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    std::cout << "updated the crew rules\n";
    PrintCrewRules(response.rules());
  });
}

void AddOfferAnswerFlags(CLI::App* command, OfferAnswerOptions& options) {
  command->add_option("offer_id", options.offer_id, "Offer id (offers list)")->required();
  command->add_option("--request-id", options.request_id,
                      "Idempotency key: the same key again is answered, not done, twice");
}

}  // namespace

void AddOfferCommands(CommandTree& tree) {
  CLI::App* offers = tree.AddGroup(
      tree.root(), "offers",
      "Work offered to freelancers when in-house crew cannot cover it: list, accept, decline "
      "(a crew token answers its own; OPS for them)");
  {
    auto options = MakeOptions<OfferListOptions>();
    CLI::App* list = offers->add_subcommand(
        "list", "Offers, newest first: who was asked for what, when, for how much, and why them");
    list->add_option("--crew-member", options->crew_member,
                     "Only offers to this crew member (a crew token sees only its own)");
    list->add_option("--task", options->task, "Only offers for this task");
    list->add_option("--order", options->order, "Only offers for this order's tasks");
    list->add_option("--state", options->states,
                     "Only offers in this state: sent, accepted, declined, expired or withdrawn "
                     "(repeatable)");
    tree.OnRun(list, [options](Session& session) { return ListOffers(session, *options); });
  }
  {
    auto offer_id = std::make_shared<std::string>();
    CLI::App* show = offers->add_subcommand(
        "show", "One offer whole: why them, the fee and how it was reached (crew: own)");
    show->add_option("offer_id", *offer_id, "Offer id (offers list)")->required();
    tree.OnRun(show, [offer_id](Session& session) { return ShowOffer(session, *offer_id); });
  }
  {
    auto options = MakeOptions<OfferAnswerOptions>();
    CLI::App* accept = offers->add_subcommand(
        "accept", "Take the work: the place is theirs at the offered times (crew: own; OPS)");
    AddOfferAnswerFlags(accept, *options);
    tree.OnRun(accept, [options](Session& session) { return AcceptOffer(session, *options); });
  }
  {
    auto options = MakeOptions<OfferAnswerOptions>();
    CLI::App* decline = offers->add_subcommand(
        "decline", "Say no: the next candidate is asked at once (crew: own; OPS)");
    AddOfferAnswerFlags(decline, *options);
    decline->add_option("--reason", options->reason, "Why not, in a few words")->required();
    tree.OnRun(decline, [options](Session& session) { return DeclineOffer(session, *options); });
  }

  CLI::App* rules = tree.AddGroup(
      tree.root(), "crew-rules",
      "What crew may do for themselves, and how long freelancers have to answer an offer");
  {
    CLI::App* show = rules->add_subcommand("show", "The crew rules");
    tree.OnRun(show, [](Session& session) { return ShowCrewRules(session); });
  }
  {
    auto options = MakeOptions<CrewRulesOptions>();
    CLI::App* set =
        rules->add_subcommand("set", "Change the given rules (ADMIN), under the etag read");
    set->add_option("--time-off-notice", options->time_off_notice,
                    "Time off crew set themselves starts at least this far ahead, e.g. 7d "
                    "(none: at once)");
    set->add_option("--longest-time-off", options->longest_time_off,
                    "The longest time off crew set themselves in one go, e.g. 14d (none: 31d)");
    CLI::Option* allow = set->add_flag("--allow-late-return", options->allow_late_return,
                                       "Crew may take their own time off back inside the notice");
    set->add_flag("--no-late-return", options->no_late_return,
                  "Crew ask ops to take time off back inside the notice")
        ->excludes(allow);
    set->add_option("--offer-reply-within", options->offer_reply_within,
                    "How long a freelancer has to answer an offer, e.g. 24h (none: 24h)");
    set->add_option("--freelance-day", options->freelance_day,
                    "What a freelancer's day fee covers in one day, e.g. 10h; beyond it by the "
                    "hour with their beyond-shift percent (none: 10h)");
    set->add_option("--night", options->night,
                    "The night, for night-work percents, in each member's zone, e.g. "
                    "22:00-06:00 (equal ends: no night; none: 22:00-06:00)");
    set->add_option("--per-diem", options->per_diem,
                    "Paid to each person for each day at a venue far enough away, e.g. "
                    "'28 EUR' (none: no per diem)");
    set->add_option("--per-diem-from", options->per_diem_from,
                    "The one-way travel from which a venue pays per diems, e.g. 1h30m (none: "
                    "every venue)");
    set->add_option("--etag", options->etag, "Refuse (exit 3) unless still at this etag");
    set->add_option("--request-id", options->request_id,
                    "Idempotency key: the same key again is answered, not done, twice");
    tree.OnRun(set, [options](Session& session) { return SetCrewRules(session, *options); });
  }
}

}  // namespace salesops::cli
