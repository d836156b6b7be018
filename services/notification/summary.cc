#include "services/notification/summary.h"

#include <absl/strings/ascii.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <absl/strings/str_replace.h>

#include <cstdint>
#include <cstdlib>

#include "services/common/validation.h"

namespace salesops::notification {
namespace {

constexpr size_t kMaxSummaryLength = 1000;

absl::Time ToAbslTime(const google::protobuf::Timestamp& time) {
  return absl::FromUnixSeconds(time.seconds()) + absl::Nanoseconds(time.nanos());
}

// "ORDER_STAGE_IN_PREP" → "in prep".
std::string Words(const std::string& enum_name, const std::string& prefix) {
  std::string words = enum_name.substr(prefix.size());
  absl::AsciiStrToLower(&words);
  absl::StrReplaceAll({{"_", " "}}, &words);
  return words;
}

std::string Lines(const google::protobuf::RepeatedPtrField<v1::InventoryLine>& lines,
                  const std::string& sign) {
  std::vector<std::string> parts;
  for (const v1::InventoryLine& line : lines) {
    parts.push_back(absl::StrCat(sign, line.quantity(), " ", line.inventory_code()));
  }
  return absl::StrJoin(parts, ", ");
}

std::string Shortages(const google::protobuf::RepeatedPtrField<v1::StockShortage>& shortages) {
  std::vector<std::string> parts;
  for (const v1::StockShortage& shortage : shortages) {
    parts.push_back(absl::StrCat(shortage.inventory_code(), " short by ", shortage.shortfall()));
  }
  return absl::StrJoin(parts, ", ");
}

std::string CrewTime(const google::protobuf::Duration& delta) {
  const int64_t minutes = delta.seconds() / 60;
  if (minutes == 0) return "";
  const int64_t magnitude = std::llabs(minutes);
  std::string amount = magnitude % 60 == 0
                           ? absl::StrCat(magnitude / 60, " h")
                           : absl::StrCat(magnitude / 60, " h ", magnitude % 60, " min");
  return absl::StrCat(minutes > 0 ? "+" : "-", amount, " crew time");
}

// "240.00 EUR": to the cent, rounded half away from zero.
std::string MoneyText(const google::type::Money& money) {
  const bool negative = money.units() < 0 || money.nanos() < 0;
  uint64_t units = money.units() < 0 ? 0 - static_cast<uint64_t>(money.units())
                                     : static_cast<uint64_t>(money.units());
  int64_t cents = (std::llabs(money.nanos()) + 5'000'000) / 10'000'000;
  if (cents == 100) {
    ++units;
    cents = 0;
  }
  return absl::StrCat(negative ? "-" : "", units, ".", cents < 10 ? "0" : "", cents, " ",
                      money.currency_code());
}

// One line per step of an offer to a freelancer, naming the work the way crew say it:
// "Offer to ana: SETUP RIGGER on order 1040, Tue 08:00–12:00, 240.00 EUR, reply by Mon 18:00".
std::string CrewOfferLine(const v1::Event& event, const absl::TimeZone& zone, absl::Time now) {
  const v1::CrewOffer& offer = event.crew_offer();
  const std::string who =
      offer.crew_member_id().empty() ? "the freelancer" : offer.crew_member_id();
  std::vector<std::string> work;
  // Publish refuses unknown enum values; the guards keep this pure function total all the same.
  if (offer.task_kind() != v1::TASK_KIND_UNSPECIFIED && v1::TaskKind_IsValid(offer.task_kind())) {
    work.push_back(v1::TaskKind_Name(offer.task_kind()).substr(sizeof("TASK_KIND_") - 1));
  }
  if (!offer.skill_code().empty()) work.push_back(offer.skill_code());
  const std::string& order_id = offer.order_id().empty() ? event.order_id() : offer.order_id();
  if (!order_id.empty()) work.push_back(absl::StrCat("on order ", order_id));
  std::string what = work.empty() ? "work" : absl::StrJoin(work, " ");
  if (offer.has_start_time()) {
    absl::StrAppend(&what, ", ", DescribeTime(offer.start_time(), zone, now));
    if (offer.has_finish_time()) {
      // The finish reads against the start: its time of day on the same day, its weekday within
      // the week after it ("Tue 08:00–Wed 02:30").
      const absl::Time start = ToAbslTime(offer.start_time());
      const absl::Time finish = ToAbslTime(offer.finish_time());
      const bool same_day = absl::ToCivilDay(start, zone) == absl::ToCivilDay(finish, zone);
      const bool same_week = finish >= start && finish < start + absl::Hours(6 * 24);
      absl::StrAppend(&what, "–",
                      same_day    ? absl::FormatTime("%H:%M", finish, zone)
                      : same_week ? absl::FormatTime("%a %H:%M", finish, zone)
                                  : DescribeTime(offer.finish_time(), zone, now));
    }
  }
  const std::string fee = offer.has_fee() ? absl::StrCat(", ", MoneyText(offer.fee())) : "";
  const std::string reply_by =
      offer.has_reply_by_time() ? DescribeTime(offer.reply_by_time(), zone, now) : "";
  switch (event.type()) {
    case v1::EVENT_TYPE_CREW_OFFER_SENT:
      return absl::StrCat("Offer to ", who, ": ", what, fee,
                          reply_by.empty() ? "" : absl::StrCat(", reply by ", reply_by));
    case v1::EVENT_TYPE_CREW_OFFER_ACCEPTED:
      return absl::StrCat(who, " accepted ", what, fee);
    case v1::EVENT_TYPE_CREW_OFFER_DECLINED:
      return absl::StrCat(who, " declined ", what, offer.decline_reason().empty() ? "" : ": ",
                          offer.decline_reason());
    case v1::EVENT_TYPE_CREW_OFFER_WITHDRAWN:
      return absl::StrCat("Offer to ", who, " withdrawn: ", what, " is no longer needed from them");
    case v1::EVENT_TYPE_CREW_OFFER_EXPIRED:
      return absl::StrCat("Offer to ", who, " expired: ", what,
                          reply_by.empty() ? "" : absl::StrCat(" (no reply by ", reply_by, ")"));
    default:
      return absl::StrCat(
          "Offer to ", who, " ",
          offer.state() != v1::OFFER_STATE_UNSPECIFIED && v1::OfferState_IsValid(offer.state())
              ? Words(v1::OfferState_Name(offer.state()), "OFFER_STATE_")
              : "changed",
          ": ", what);
  }
}

std::string Subject(const v1::Event& event) {
  if (event.order_id().empty()) return "";
  std::string subject = absl::StrCat("Order ", event.order_id());
  if (event.order_revision() > 0) absl::StrAppend(&subject, " rev ", event.order_revision());
  return subject;
}

std::string Details(const v1::Event& event, const absl::TimeZone& zone, absl::Time now) {
  auto when = [&](const google::protobuf::Timestamp& time) {
    return DescribeTime(time, zone, now);
  };
  std::vector<std::string> parts;
  auto add = [&](std::string part) {
    if (!part.empty()) parts.push_back(std::move(part));
  };
  switch (event.payload_case()) {
    case v1::Event::kOrderChanged: {
      const v1::OrderChangedPayload& order = event.order_changed();
      if (event.type() == v1::EVENT_TYPE_ORDER_AMENDED) {
        add("changed");
        if (order.prep_underway()) add("prep already underway");
        add(Lines(order.impact().pull_more(), "+") +
            (order.impact().pull_more_size() > 0 ? " to pull" : ""));
        add(Lines(order.impact().put_back(), "") +
            (order.impact().put_back_size() > 0 ? " to put back" : ""));
        add(CrewTime(order.impact().crew_time_delta()));
        if (order.impact().has_commitment() && order.impact().commitment().has_no_later_than()) {
          add(absl::StrCat(
              order.impact().commitment_holds() ? "" : "new commitment: ", "deliver no later than ",
              when(order.impact().commitment().no_later_than())));
        }
      } else {
        add(Words(v1::EventType_Name(event.type()), "EVENT_TYPE_ORDER_"));
        if (order.stage() != v1::ORDER_STAGE_UNSPECIFIED) {
          add(absl::StrCat("now ", Words(v1::OrderStage_Name(order.stage()), "ORDER_STAGE_")));
        }
        if (!order.customer_name().empty()) add(absl::StrCat("for ", order.customer_name()));
        if (order.commitment().has_no_later_than()) {
          add(absl::StrCat("deliver no later than ", when(order.commitment().no_later_than())));
        } else if (order.delivery_window().window().has_no_later_than()) {
          add(absl::StrCat(
              order.delivery_window().pinned() ? "deliver exactly at " : "deliver no later than ",
              when(order.delivery_window().window().no_later_than())));
        }
      }
      if (!order.reason().empty()) add(absl::StrCat("reason: ", order.reason()));
      break;
    }
    case v1::Event::kQuestion: {
      const v1::QuestionPayload& question = event.question();
      std::string what = event.type() == v1::EVENT_TYPE_QUESTION_ANSWERED
                             ? absl::StrCat("answered \"", question.question_text(),
                                            "\": ", question.answer_text())
                             : absl::StrCat(question.blocking() ? "blocking question" : "question",
                                            question.product_code().empty()
                                                ? ""
                                                : absl::StrCat(" on ", question.product_code()),
                                            ": ", question.question_text());
      add(what);
      break;
    }
    case v1::Event::kChangeAcknowledged:
      add(absl::StrCat("ops acknowledged the change of rev ",
                       event.change_acknowledged().acknowledged_revision()));
      break;
    case v1::Event::kNote:
      add(absl::StrCat("note: ", event.note().note().text()));
      break;
    case v1::Event::kStock: {
      const v1::StockPayload& stock = event.stock();
      add(Words(v1::EventType_Name(event.type()), "EVENT_TYPE_"));
      add(Shortages(stock.shortages()));
      if (stock.shortages_size() == 0) add(Lines(stock.lines(), ""));
      if (!stock.reason().empty()) add(absl::StrCat("reason: ", stock.reason()));
      break;
    }
    case v1::Event::kPrep:
      add(Words(v1::EventType_Name(event.type()), "EVENT_TYPE_"));
      add(absl::StrCat(event.prep().progress().units_pulled(), " of ",
                       event.prep().progress().units_to_pull(), " units pulled"));
      break;
    case v1::Event::kMovement:
      add(Words(v1::EventType_Name(event.type()), "EVENT_TYPE_"));
      add(Lines(event.movement().lines(), ""));
      if (event.movement().damaged_size() > 0) {
        add(Lines(event.movement().damaged(), "") + " damaged");
      }
      if (event.movement().missing_size() > 0) {
        add(Lines(event.movement().missing(), "") + " missing");
      }
      break;
    case v1::Event::kJob:
      add(Words(v1::EventType_Name(event.type()), "EVENT_TYPE_"));
      if (event.job().task_count() > 0) add(absl::StrCat(event.job().task_count(), " tasks"));
      if (event.job().at_risk_task_count() > 0) {
        add(absl::StrCat(event.job().at_risk_task_count(), " at risk"));
      }
      if (event.job().commitment().has_no_later_than()) {
        add(absl::StrCat("deliver no later than ", when(event.job().commitment().no_later_than())));
      }
      break;
    case v1::Event::kTask: {
      const v1::TaskPayload& task = event.task();
      std::string kind = Words(v1::TaskKind_Name(task.kind()), "TASK_KIND_");
      add(absl::StrCat(kind, " task ",
                       Words(v1::EventType_Name(event.type()), "EVENT_TYPE_TASK_")));
      if (event.type() == v1::EVENT_TYPE_TASK_STATE_CHANGED) {
        parts.back() =
            absl::StrCat(kind, " task ", Words(v1::TaskState_Name(task.state()), "TASK_STATE_"));
      }
      if (task.crew_member_names_size() > 0) add(absl::StrJoin(task.crew_member_names(), ", "));
      if (task.window().has_no_later_than()) {
        add(absl::StrCat("done no later than ", when(task.window().no_later_than())));
      }
      if (!task.reason().empty()) add(task.reason());
      break;
    }
    case v1::Event::kCommitment:
      add("commitment changed");
      if (event.commitment().commitment().has_no_later_than()) {
        add(absl::StrCat("deliver no later than ",
                         when(event.commitment().commitment().no_later_than())));
      }
      if (!event.commitment().reason().empty()) add(event.commitment().reason());
      break;
    case v1::Event::kCrewOffer:
      break;  // CrewOfferLine writes the whole line
    case v1::Event::PAYLOAD_NOT_SET:
      add(Words(v1::EventType_Name(event.type()), "EVENT_TYPE_"));
      break;
  }
  return absl::StrJoin(parts, ", ");
}

}  // namespace

std::string DescribeTime(const google::protobuf::Timestamp& time, const absl::TimeZone& time_zone,
                         absl::Time now) {
  const absl::Time instant = ToAbslTime(time);
  const bool this_week = instant >= now - absl::Hours(24) && instant < now + absl::Hours(6 * 24);
  return absl::FormatTime(this_week ? "%a %H:%M" : "%a %d %b %H:%M", instant, time_zone);
}

std::string SummarizeEvent(const v1::Event& event, const absl::TimeZone& time_zone,
                           absl::Time now) {
  std::string summary = event.summary();
  if (summary.empty() && event.has_crew_offer()) {
    // The line names the order itself, after the person it is about.
    summary = CrewOfferLine(event, time_zone, now);
  } else if (summary.empty()) {
    std::string subject = Subject(event);
    std::string details = Details(event, time_zone, now);
    summary = subject.empty() ? details : absl::StrCat(subject, ": ", details);
    if (!summary.empty()) summary[0] = absl::ascii_toupper(static_cast<unsigned char>(summary[0]));
  }
  // A reason or a note quoted in the line may span lines of its own.
  return common::OneLine(summary, kMaxSummaryLength);
}

}  // namespace salesops::notification
