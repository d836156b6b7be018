#include "services/scheduling/offer_rules.h"

#include <absl/strings/str_cat.h>
#include <absl/time/time.h>

#include <algorithm>
#include <cstdint>
#include <tuple>

#include "services/common/money.h"
#include "services/scheduling/labour_cost.h"

namespace salesops::scheduling {
namespace {

constexpr Minutes kAnswerTime = kHour;  // an offer leaves at least this before the work
constexpr Minutes kDefaultReplyWithin = kDay;

bool Overlaps(const std::vector<Span>& spans, Span span) {
  return std::any_of(spans.begin(), spans.end(), [&](const Span& busy) {
    return busy.start < span.end && span.start < busy.end;
  });
}

// The held skill that qualifies for the work, if any: the code, at the level, valid to the end.
const HeldSkill* Qualifying(const Freelancer& freelancer, const OfferedWork& work) {
  for (const HeldSkill& held : freelancer.skills) {
    if (held.code == work.skill && held.level >= std::max(work.min_level, 1) &&
        held.valid_until >= work.slot.end) {
      return &held;
    }
  }
  return nullptr;
}

std::string Hours(Minutes minutes) {
  return minutes % 60 == 0 ? absl::StrCat(minutes / 60, " h")
                           : absl::StrCat(minutes / 60, " h ", minutes % 60, " min");
}

}  // namespace

std::string OfferClock(Minutes minute) {
  return absl::FormatTime("%a %d %b %H:%M", absl::FromUnixSeconds(minute * 60),
                          absl::UTCTimeZone());
}

std::string FeeWords(const google::type::Money& fee) {
  absl::StatusOr<int64_t> micros = common::MoneyToMicros(fee, "the fee");
  if (!micros.ok()) return absl::StrCat(fee.units(), " ", fee.currency_code());
  return AmountWords(*micros, fee.currency_code());
}

std::vector<RankedCandidate> RankCandidates(const OfferedWork& work,
                                            const std::vector<Freelancer>& freelancers,
                                            const std::set<std::string>& asked_before) {
  std::vector<RankedCandidate> ranked;
  for (int i = 0; i < static_cast<int>(freelancers.size()); ++i) {
    const Freelancer& freelancer = freelancers[i];
    if (asked_before.count(freelancer.crew_member_id) > 0) continue;
    const HeldSkill* held = Qualifying(freelancer, work);
    if (held == nullptr || Overlaps(freelancer.busy, work.slot)) continue;
    std::string reason = absl::StrCat("holds ", held->code, " level ", held->level);
    if (held->valid_until < kForever) {
      absl::StrAppend(&reason, " (certificate to ", OfferClock(held->valid_until), ")");
    }
    absl::StrAppend(&reason, "; free ", OfferClock(work.slot.start), " to ",
                    OfferClock(work.slot.end), "; ", Hours(freelancer.booked),
                    " accepted that week");
    ranked.push_back({i, std::move(reason)});
  }
  std::sort(ranked.begin(), ranked.end(), [&](const RankedCandidate& a, const RankedCandidate& b) {
    const Freelancer& x = freelancers[a.freelancer];
    const Freelancer& y = freelancers[b.freelancer];
    return std::tie(x.booked, x.crew_member_id) < std::tie(y.booked, y.crew_member_id);
  });
  return ranked;
}

std::optional<Span> OfferSlot(Minutes not_before, Minutes predecessors_done, Minutes now,
                              Minutes duration, Minutes deadline) {
  const Minutes start = std::max({not_before, predecessors_done, now + kAnswerTime});
  if (start + duration > deadline) return std::nullopt;
  return Span{start, start + duration};
}

std::optional<Minutes> ReplyBy(Minutes now, Minutes within, Minutes work_start) {
  const Minutes by =
      std::min(now + (within > 0 ? within : kDefaultReplyWithin), work_start - kAnswerTime);
  if (by <= now) return std::nullopt;
  return by;
}

}  // namespace salesops::scheduling
