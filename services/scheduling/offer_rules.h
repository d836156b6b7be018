#pragma once

// Offers to freelancers (issue 20), the rules apart from the database: when the work is offered,
// who is asked first and why, what they are paid, and until when they may answer. In-house crew
// are placed by the solver (assignment.h); freelancers are never placed there: they are offered
// the work in-house crew cannot cover, one at a time per place, in the solver's own order.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "google/type/money.pb.h"
#include "services/scheduling/assignment.h"

namespace salesops::scheduling {

struct Freelancer {
  std::string crew_member_id;
  std::string display_name;
  std::vector<HeldSkill> skills;
  // Time off, work they accepted and offers still waiting for their answer.
  std::vector<Span> busy;
  // Minutes of work they accepted in the week around the work offered: the solver's "least
  // loaded" among them.
  Minutes booked = 0;
};

// The work offered: a task's skill and level, at fixed times for every place.
struct OfferedWork {
  std::string skill;
  int min_level = 0;
  Span slot;
};

struct RankedCandidate {
  int freelancer = 0;  // index into the freelancers given
  std::string reason;  // why them, in words
};

// How offers write a time ("Tue 01 Dec 08:00", UTC) and a fee ("240.00 EUR"). What a fee comes
// to is FreelanceFeeOf's (labour_cost.h): one fee for the offer and the labour cost alike.
std::string OfferClock(Minutes minute);
std::string FeeWords(const google::type::Money& fee);

// The freelancers who can take the work: holding its skill at its level with a certificate that
// lasts until the work is done, free for all of it, and not asked for this task before; in the
// solver's order (all are free at the start, so the least loaded first, then by id), each with
// the reason.
std::vector<RankedCandidate> RankCandidates(const OfferedWork& work,
                                            const std::vector<Freelancer>& freelancers,
                                            const std::set<std::string>& asked_before);

// When the work is offered: from the earliest the task may start (its window, the work before it,
// and an hour from now, so there is time to answer) for its duration. nullopt when that misses the
// deadline: freelancers cannot save the task then, and ops must move the date.
std::optional<Span> OfferSlot(Minutes not_before, Minutes predecessors_done, Minutes now,
                              Minutes duration, Minutes deadline);

// Until when they may answer: `within` (24 hours when 0) from now, but an hour before the work
// at the latest. nullopt when that leaves no time at all.
std::optional<Minutes> ReplyBy(Minutes now, Minutes within, Minutes work_start);

}  // namespace salesops::scheduling
