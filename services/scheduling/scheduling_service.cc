#include "services/scheduling/scheduling_service.h"

#include <absl/strings/ascii.h>
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <absl/time/civil_time.h>
#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <limits>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "services/common/command_line.h"
#include "services/common/config.h"
#include "services/common/failpoint.h"
#include "services/common/grpc_errors.h"
#include "services/common/log.h"
#include "services/common/page_token.h"
#include "services/common/skill_codes.h"
#include "services/common/time_util.h"
#include "services/common/validation.h"
#include "services/scheduling/calendar_feed.h"
#include "services/scheduling/capacity.h"
#include "services/scheduling/crew_self_service.h"
#include "services/scheduling/crew_skills.h"
#include "services/scheduling/job_plan.h"
#include "services/scheduling/labour_cost.h"
#include "services/scheduling/postgres_scheduling_store.h"
#include "services/scheduling/scheduling_metrics.h"

namespace salesops::scheduling {

using common::CheckRequest;
using common::ToGrpcStatus;

// A plan whose places were taken meanwhile is made again from a fresh view, up to this often.
// Every round has a winner (the first to write), so N plans racing for the same people and day
// need at most N rounds; the pause before each retry, random and growing, spreads them out.
constexpr int kMaxPlanAttempts = 40;

common::ServiceDefinition Definition() {
  return common::DefinitionWithOptions<SchedulingOptions>(
      {"scheduling", common::WithSharedMigrations(Migrations()), RolePolicy()}, AddOptions,
      MakeServices);
}

void AddOptions(CLI::App& app, SchedulingOptions& options) {
  common::AddSetting(app, "freeze-hours", options.freeze_hours,
                     "Re-optimisation never moves work that starts within this many hours")
      ->check(CLI::Range(0, 24 * 60));
  common::AddSetting(app, "reoptimize-interval-seconds", options.reoptimize_interval_seconds,
                     "How often the schedule is re-optimised in the background (0: only when "
                     "RunAssignment asks)")
      ->check(CLI::Range(0, 7 * 24 * 3600));
  common::AddSetting(app, "reoptimize-after-changes", options.reoptimize_after_changes,
                     "Re-optimise sooner once this many plans, cancellations and changes happened")
      ->check(CLI::Range(1, 1000000));
  common::AddSetting(app, "reoptimize-horizon-days", options.reoptimize_horizon_days,
                     "Re-optimisation covers open work due within this many days")
      ->check(CLI::Range(1, 400));
  common::AddSetting(app, "offer-interval-seconds", options.offer_interval_seconds,
                     "The offer worker expires unanswered offers to freelancers and asks the next "
                     "this often (0: never); a decline asks the next at once")
      ->check(CLI::Range(0, 3600));
  common::AddSetting(app, "calendar-address", options.calendar_address,
                     "Where crew calendar apps fetch their schedule feeds (host:port; empty: "
                     "off). Put it behind the company's HTTPS proxy");
  common::AddSetting(app, "calendar-base-url", options.calendar_base_url,
                     "The URL calendar apps reach the feed endpoint at, as feed URLs show it "
                     "(https://calendar.example.com; empty: http://<calendar-address>)");
  common::AddSetting(app, "calendar-key-file", options.calendar_key_file,
                     "File holding the secret feed URLs are signed with (at least 32 bytes, e.g. "
                     "openssl rand -hex 32); the same on every replica");
}

std::vector<std::unique_ptr<grpc::Service>> MakeServices(common::ServiceRuntime& runtime,
                                                         SchedulingOptions options) {
  std::vector<std::unique_ptr<grpc::Service>> services;
  services.push_back(std::make_unique<SchedulingServiceImpl>(
      runtime, std::make_unique<PostgresSchedulingStore>(runtime.database()), options));
  return services;
}

SchedulingServiceImpl::SchedulingServiceImpl(common::ServiceRuntime& runtime,
                                             std::unique_ptr<SchedulingStore> store,
                                             SchedulingOptions options)
    : runtime_(runtime),
      store_(std::move(store)),
      options_(options),
      tasks_at_risk_(TasksAtRiskGauge([this] { return store_->CountTasksAtRisk(); })) {
  // A misconfigured calendar endpoint stops the start: the feed URLs it hands out would not work.
  if (absl::Status started = StartCalendarEndpoint(); !started.ok()) {
    common::LogError("calendar_endpoint_failed", {{"error", std::string(started.message())}});
    std::exit(2);
  }
  runtime.OnShutdown([this] { StopCalendarEndpoint(); });
  runtime.AddCollectable(tasks_at_risk_);
  // Once the schema has crew_members.person_id, so that CREW tokens find every member.
  runtime.OnMigrated([this] { BackfillCrewPersonIds(); });
  if (options_.reoptimize_interval_seconds > 0) {
    background_ = std::thread([this] { ReoptimizeInBackground(); });
    runtime.OnShutdown([this] { StopBackground(); });
  }
  if (options_.offer_interval_seconds > 0) {
    offers_ = std::thread([this] { OffersInBackground(); });
    runtime.OnShutdown([this] { StopOffers(); });
  }
}

SchedulingServiceImpl::~SchedulingServiceImpl() {
  StopCalendarEndpoint();
  StopOffers();
  StopBackground();
}

void SchedulingServiceImpl::StopBackground() {
  {
    std::lock_guard<std::mutex> lock(background_mutex_);
    stopping_ = true;
  }
  background_wake_.notify_all();
  if (background_.joinable()) background_.join();
}

void SchedulingServiceImpl::NoteChange() {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(background_mutex_);
    wake = ++changes_since_run_ >= options_.reoptimize_after_changes;
  }
  if (wake) background_wake_.notify_all();
}

namespace {

// The AIP-155 key of a mutation: the store keeps its answer under it.
template <typename Request>
RequestKey KeyOf(const char* rpc, const Request& request) {
  return {std::string("scheduling.") + rpc, request.request_id(), &request};
}

// Answers with what an identical earlier request was answered.
template <typename Response>
absl::Status AnswerAgain(const std::string& earlier, Response* response) {
  if (!response->ParseFromString(earlier)) {
    return absl::InternalError("an answer kept for a request_id does not parse");
  }
  return absl::OkStatus();
}

// A listing handler: validate, decode the page token, list, encode the next one.
template <typename Request, typename Entry, typename List, typename Add>
absl::Status ListPage(const Request& request, const std::string& listing, List list, Add add,
                      std::string* next_page_token) {
  SALESOPS_RETURN_IF_ERROR(CheckRequest(request));
  SALESOPS_ASSIGN_OR_RETURN(std::string after,
                            common::DecodePageToken(listing, request.page_token()));
  SALESOPS_ASSIGN_OR_RETURN(Page<Entry> page,
                            list(request, common::EffectivePageSize(request.page_size()), after));
  for (Entry& entry : page.entries) add(std::move(entry));
  *next_page_token = common::EncodePageToken(listing, page.next_after);
  return absl::OkStatus();
}

bool IsCalendarDay(const google::type::Date& day) {
  if (day.year() < 1 || day.year() > 9999 || day.month() < 1 || day.month() > 12) return false;
  absl::CivilDay civil(day.year(), day.month(), day.day());
  return day.day() >= 1 && civil.day() == day.day() && civil.month() == day.month();
}

// The member as stored: held skills (from the superseded enum list when only that is given),
// each code once, at least one, with real days; rates and fees not negative; output-only fields
// cleared. The catalog check is the store's, under the skills' locks.
absl::StatusOr<v1::CrewMember> MemberToStore(v1::CrewMember member) {
  NormalizeSkills(member, absl::Now());
  std::vector<common::FieldViolation> violations;
  if (member.held_skills().empty()) {
    violations.push_back(
        {"crew_member.held_skills", "is required: at least one skill of the catalog (ListSkills)"});
  }
  std::map<std::string, int> first_with_code;
  for (int i = 0; i < member.held_skills_size(); ++i) {
    v1::HeldSkill& held = *member.mutable_held_skills(i);
    const std::string field = "crew_member.held_skills[" + std::to_string(i) + "]";
    held.clear_certificate_expired();
    if (auto [first, added] = first_with_code.emplace(held.skill_code(), i); !added) {
      violations.push_back({field + ".skill_code", "repeats held_skills[" +
                                                       std::to_string(first->second) +
                                                       "]; hold each skill once, at one level"});
    }
    if (held.has_certificate_expiry_day() && !IsCalendarDay(held.certificate_expiry_day())) {
      violations.push_back({field + ".certificate_expiry_day", "is not a calendar day"});
    }
  }
  for (common::FieldViolation& violation : RateViolations(member, "crew_member.")) {
    violations.push_back(std::move(violation));
  }
  if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));
  member.clear_skills();
  return member;
}

// A member as answered: both skill fields, and which certificates have run out. An employee's
// cost rate is pay: only ADMIN and the member themself read it (freelancers' fees are quoted on
// their offers, so ops see those).
v1::CrewMember AnsweredMember(v1::CrewMember member, const v1::Actor& caller) {
  NormalizeSkills(member, absl::Now());
  const bool own = caller.role() == v1::ROLE_CREW && !member.person_id().empty() &&
                   member.person_id() == caller.id();
  if (caller.role() != v1::ROLE_ADMIN && !own) member.clear_hourly_cost();
  return member;
}

// Only ADMIN sets a cost rate; OPS edit everything else about a member.
absl::Status CheckCostRateSetter(const v1::CrewMember& member, const v1::Actor& caller) {
  if (caller.role() == v1::ROLE_ADMIN || !member.has_hourly_cost()) return absl::OkStatus();
  return common::ReasonedError(absl::StatusCode::kPermissionDenied, v1::ROLE_NOT_ALLOWED,
                               "crew_member.hourly_cost is pay: only ADMIN sets it; leave it "
                               "out and the stored one stays");
}

}  // namespace

grpc::Status SchedulingServiceImpl::CreateCrewMember(grpc::ServerContext* context,
                                                     const v1::CreateCrewMemberRequest* request,
                                                     v1::CreateCrewMemberResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    const v1::Actor caller = runtime_.CallerOf(*context);
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_RETURN_IF_ERROR(CheckCostRateSetter(request->crew_member(), caller));
    SALESOPS_ASSIGN_OR_RETURN(v1::CrewMember member, MemberToStore(request->crew_member()));
    SALESOPS_ASSIGN_OR_RETURN(
        *response, store_->CreateCrewMember(KeyOf("CreateCrewMember", *request), member));
    *response->mutable_crew_member() = AnsweredMember(response->crew_member(), caller);
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::UpdateCrewMember(grpc::ServerContext* context,
                                                     const v1::UpdateCrewMemberRequest* request,
                                                     v1::UpdateCrewMemberResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    const v1::Actor caller = runtime_.CallerOf(*context);
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    if (request->crew_member().crew_member_id().empty()) {
      return common::InvalidArgumentError({{"crew_member.crew_member_id", "is required"}});
    }
    SALESOPS_RETURN_IF_ERROR(CheckCostRateSetter(request->crew_member(), caller));
    SALESOPS_ASSIGN_OR_RETURN(v1::CrewMember member, MemberToStore(request->crew_member()));
    SALESOPS_ASSIGN_OR_RETURN(
        *response, store_->UpdateCrewMember(KeyOf("UpdateCrewMember", *request), member,
                                            request->etag(), caller.role() != v1::ROLE_ADMIN));
    *response->mutable_crew_member() = AnsweredMember(response->crew_member(), caller);
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::GetCrewMember(grpc::ServerContext* context,
                                                  const v1::GetCrewMemberRequest* request,
                                                  v1::GetCrewMemberResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    // CREW may leave the id out for their own; everyone else must name one.
    v1::GetCrewMemberRequest scoped = *request;
    if (scoped.crew_member_id().empty()) {
      SALESOPS_ASSIGN_OR_RETURN(*scoped.mutable_crew_member_id(), CrewMemberInScope(*context, ""));
    }
    SALESOPS_RETURN_IF_ERROR(CheckRequest(scoped));
    if (scoped.crew_member_id().empty()) {
      return common::InvalidArgumentError({{"crew_member_id", "is required"}});
    }
    SALESOPS_ASSIGN_OR_RETURN(const std::string id,
                              CrewMemberInScope(*context, scoped.crew_member_id()));
    SALESOPS_ASSIGN_OR_RETURN(v1::CrewMember member, store_->GetCrewMember(id));
    *response->mutable_crew_member() =
        AnsweredMember(std::move(member), runtime_.CallerOf(*context));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::ListCrewMembers(grpc::ServerContext* context,
                                                    const v1::ListCrewMembersRequest* request,
                                                    v1::ListCrewMembersResponse* response) {
  const v1::Actor caller = runtime_.CallerOf(*context);
  return ToGrpcStatus(ListPage<v1::ListCrewMembersRequest, v1::CrewMember>(
      *request, "crew",
      [&](const auto& filter, int limit, const std::string& after) {
        return store_->ListCrewMembers(filter, limit, after);
      },
      [&](v1::CrewMember entry) {
        *response->add_crew_members() = AnsweredMember(std::move(entry), caller);
      },
      response->mutable_next_page_token()));
}

namespace {

// A skill definition as stored, or what is wrong with it.
absl::Status CheckSkillDefinition(const v1::SkillDefinition& skill) {
  std::vector<common::FieldViolation> violations;
  std::set<std::string> names;
  for (int i = 0; i < skill.level_names_size(); ++i) {
    const std::string& name = skill.level_names(i);
    const std::string field = "skill.level_names[" + std::to_string(i) + "]";
    if (absl::StripAsciiWhitespace(name).empty()) {
      violations.push_back({field, "is empty; name each level (\"operator\", \"lead\")"});
    } else if (!names.insert(name).second) {
      violations.push_back({field, "repeats another level's name"});
    }
  }
  if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));
  return absl::OkStatus();
}

v1::SkillDefinition SkillToStore(v1::SkillDefinition skill) {
  skill.clear_etag();
  skill.clear_create_time();
  skill.clear_update_time();
  return skill;
}

}  // namespace

grpc::Status SchedulingServiceImpl::CreateSkill(grpc::ServerContext*,
                                                const v1::CreateSkillRequest* request,
                                                v1::CreateSkillResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_RETURN_IF_ERROR(CheckSkillDefinition(request->skill()));
    SALESOPS_ASSIGN_OR_RETURN(*response, store_->CreateSkill(KeyOf("CreateSkill", *request),
                                                             SkillToStore(request->skill())));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::UpdateSkill(grpc::ServerContext*,
                                                const v1::UpdateSkillRequest* request,
                                                v1::UpdateSkillResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_RETURN_IF_ERROR(CheckSkillDefinition(request->skill()));
    SALESOPS_ASSIGN_OR_RETURN(*response,
                              store_->UpdateSkill(KeyOf("UpdateSkill", *request),
                                                  SkillToStore(request->skill()), request->etag()));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::GetSkill(grpc::ServerContext*,
                                             const v1::GetSkillRequest* request,
                                             v1::GetSkillResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_skill(), store_->GetSkill(request->skill_code()));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::ListSkills(grpc::ServerContext*,
                                               const v1::ListSkillsRequest* request,
                                               v1::ListSkillsResponse* response) {
  return ToGrpcStatus(ListPage<v1::ListSkillsRequest, v1::SkillDefinition>(
      *request, "skills",
      [&](const auto&, int limit, const std::string& after) {
        return store_->ListSkills(limit, after);
      },
      [&](v1::SkillDefinition entry) { *response->add_skills() = std::move(entry); },
      response->mutable_next_page_token()));
}

absl::Status SchedulingServiceImpl::CheckSkillsKnown(const std::vector<SkillRef>& refs) {
  std::vector<std::string> codes;
  for (const SkillRef& ref : refs) codes.push_back(ref.code);
  SALESOPS_ASSIGN_OR_RETURN(auto catalog, store_->SkillsNamed(codes));
  return CheckAgainstCatalog(refs, catalog);
}

grpc::Status SchedulingServiceImpl::CreateVehicle(grpc::ServerContext*,
                                                  const v1::CreateVehicleRequest* request,
                                                  v1::CreateVehicleResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(
        *response, store_->CreateVehicle(KeyOf("CreateVehicle", *request), request->vehicle()));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::UpdateVehicle(grpc::ServerContext*,
                                                  const v1::UpdateVehicleRequest* request,
                                                  v1::UpdateVehicleResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    if (request->vehicle().vehicle_id().empty()) {
      return common::InvalidArgumentError({{"vehicle.vehicle_id", "is required"}});
    }
    SALESOPS_ASSIGN_OR_RETURN(
        *response, store_->UpdateVehicle(KeyOf("UpdateVehicle", *request), request->vehicle(),
                                         request->etag()));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::GetVehicle(grpc::ServerContext*,
                                               const v1::GetVehicleRequest* request,
                                               v1::GetVehicleResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_vehicle(),
                              store_->GetVehicle(request->vehicle_id()));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::ListVehicles(grpc::ServerContext*,
                                                 const v1::ListVehiclesRequest* request,
                                                 v1::ListVehiclesResponse* response) {
  return ToGrpcStatus(ListPage<v1::ListVehiclesRequest, v1::Vehicle>(
      *request, "vehicles",
      [&](const auto& filter, int limit, const std::string& after) {
        return store_->ListVehicles(filter, limit, after);
      },
      [&](v1::Vehicle entry) { *response->add_vehicles() = std::move(entry); },
      response->mutable_next_page_token()));
}

// Crew self-service (README "Crew self-service"): whose data a CREW call may touch, and the
// rules ADMIN sets for what crew do themselves.
namespace {

bool IsCrew(const v1::Actor& caller) { return caller.role() == v1::ROLE_CREW; }

// A CREW caller's request ids are theirs alone: two crew members who send the same id with the
// same "my own" body are two requests, never one answered with the other's data.
template <typename Request>
RequestKey KeyOfCaller(const char* rpc, const Request& request, const v1::Actor& caller) {
  RequestKey key = KeyOf(rpc, request);
  if (IsCrew(caller) && !key.request_id.empty()) {
    key.request_id = caller.id() + "\n" + key.request_id;
  }
  return key;
}

// For CREW, the store's NOT_FOUND of an id is the same refusal as someone else's id.
absl::Status RefusedAlikeForCrew(const v1::Actor& caller, absl::Status status) {
  if (IsCrew(caller) && status.code() == absl::StatusCode::kNotFound) return NotTheCallersOwn();
  return status;
}

int64_t NowSecond() { return common::NowTimestamp().seconds(); }

}  // namespace

absl::StatusOr<std::string> SchedulingServiceImpl::CrewMemberInScope(grpc::ServerContext& context,
                                                                     const std::string& requested) {
  const v1::Actor caller = runtime_.CallerOf(context);
  if (!IsCrew(caller)) return requested;
  // The token's person, looked up afresh on each call: a member deactivated (or given another
  // person id) loses access at once, without a restart.
  SALESOPS_ASSIGN_OR_RETURN(std::optional<v1::CrewMember> own,
                            store_->CrewMemberOfPerson(caller.id()));
  if (!own || !own->active()) {
    return common::ReasonedError(absl::StatusCode::kPermissionDenied, v1::ROLE_NOT_ALLOWED,
                                 "this crew token's person is no active crew member "
                                 "(CrewMember.person_id); ask OPS");
  }
  if (!requested.empty() && requested != own->crew_member_id()) return NotTheCallersOwn();
  return own->crew_member_id();
}

grpc::Status SchedulingServiceImpl::GetCrewRules(grpc::ServerContext*,
                                                 const v1::GetCrewRulesRequest* request,
                                                 v1::GetCrewRulesResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_rules(), store_->GetCrewRules());
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::UpdateCrewRules(grpc::ServerContext*,
                                                    const v1::UpdateCrewRulesRequest* request,
                                                    v1::UpdateCrewRulesResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_RETURN_IF_ERROR(CheckCrewRules(request->rules(), "rules."));
    SALESOPS_ASSIGN_OR_RETURN(
        *response, store_->UpdateCrewRules(KeyOf("UpdateCrewRules", *request), request->rules(),
                                           request->etag()));
    return absl::OkStatus();
  }());
}

void SchedulingServiceImpl::BackfillCrewPersonIds() {
  absl::StatusOr<std::vector<std::string>> left_without = store_->BackfillCrewPersonIds();
  if (!left_without.ok()) {
    // Those members' crew tokens are refused until the next start fills the column in.
    common::LogWarn("crew_person_ids_not_filled",
                    {{"error", std::string(left_without.status().message())}});
    return;
  }
  for (const std::string& crew_member_id : *left_without) {
    common::LogWarn("crew_person_id_shared",
                    {{"crew_member_id", crew_member_id},
                     {"effect",
                      "another crew member has its person_id; its crew token acts as "
                      "that one until an UpdateCrewMember gives it its own"}});
  }
}

grpc::Status SchedulingServiceImpl::AddUnavailability(grpc::ServerContext* context,
                                                      const v1::AddUnavailabilityRequest* request,
                                                      v1::AddUnavailabilityResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    v1::Unavailability unavailability = request->unavailability();
    // A crew member's own time off: a vehicle is never theirs, and no id means their own.
    if (IsCrew(caller)) {
      if (unavailability.has_vehicle_id()) return NotTheCallersOwn();
      SALESOPS_ASSIGN_OR_RETURN(*unavailability.mutable_crew_member_id(),
                                CrewMemberInScope(*context, unavailability.crew_member_id()));
    }
    std::vector<common::FieldViolation> violations;
    if (unavailability.subject_case() == v1::Unavailability::SUBJECT_NOT_SET) {
      violations.push_back({"unavailability.crew_member_id",
                            "name the crew member (or vehicle_id) who is unavailable"});
    }
    if (!unavailability.window().has_not_before()) {
      violations.push_back({"unavailability.window.not_before", "is required: when does it start"});
    }
    if (!unavailability.window().has_no_later_than()) {
      violations.push_back({"unavailability.window.no_later_than", "is required: when is it over"});
    }
    if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));
    const RequestKey key = KeyOfCaller("AddUnavailability", *request, caller);
    if (IsCrew(caller)) {
      // A retry is answered as the first call was, whatever the time now says of the notice.
      SALESOPS_ASSIGN_OR_RETURN(std::optional<std::string> earlier, store_->EarlierAnswer(key));
      if (earlier) return AnswerAgain(*earlier, response);
      SALESOPS_ASSIGN_OR_RETURN(const v1::CrewRules rules, store_->GetCrewRules());
      SALESOPS_RETURN_IF_ERROR(CheckSelfSetTimeOff(unavailability, rules, NowSecond()));
    }
    SALESOPS_ASSIGN_OR_RETURN(Answered<v1::AddUnavailabilityResponse> added,
                              store_->AddUnavailability(key, unavailability, caller.id()));
    *response = std::move(added.response);
    if (added.replayed) return absl::OkStatus();  // its work moved when it was first asked
    // Time off moves the work it overlaps (and only that), and says which tasks moved. Were
    // this to fail after the time off is saved, the background run repairs it.
    const Span off{unavailability.window().not_before().seconds() / 60,
                   unavailability.window().no_later_than().seconds() / 60};
    SALESOPS_ASSIGN_OR_RETURN(v1::RunAssignmentResponse run, Repair(off, kMaxPlanAttempts));
    for (const v1::Task& task : run.changed_tasks())
      response->add_affected_task_ids(task.task_id());
    if (response->affected_task_ids_size() > 0) {
      SALESOPS_RETURN_IF_ERROR(store_->ReviseAnswer(key, *response));
    }
    NoteChange();
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::ListUnavailability(grpc::ServerContext* context,
                                                       const v1::ListUnavailabilityRequest* request,
                                                       v1::ListUnavailabilityResponse* response) {
  // CREW: their own periods only (no id: their own), never a vehicle's.
  v1::ListUnavailabilityRequest scoped = *request;
  if (IsCrew(runtime_.CallerOf(*context))) {
    if (absl::Status checked = CheckRequest(*request); !checked.ok()) return ToGrpcStatus(checked);
    if (!request->vehicle_id().empty()) return ToGrpcStatus(NotTheCallersOwn());
    absl::StatusOr<std::string> own = CrewMemberInScope(*context, request->crew_member_id());
    if (!own.ok()) return ToGrpcStatus(own.status());
    scoped.set_crew_member_id(*own);
  }
  return ToGrpcStatus(ListPage<v1::ListUnavailabilityRequest, v1::Unavailability>(
      scoped, "unavailability",
      [&](const auto& filter, int limit, const std::string& after) {
        return store_->ListUnavailability(filter, limit, after);
      },
      [&](v1::Unavailability entry) { *response->add_unavailability() = std::move(entry); },
      response->mutable_next_page_token()));
}

grpc::Status SchedulingServiceImpl::DeleteUnavailability(
    grpc::ServerContext* context, const v1::DeleteUnavailabilityRequest* request,
    v1::DeleteUnavailabilityResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    std::function<absl::Status(const v1::Unavailability&)> may_delete =
        [](const v1::Unavailability&) { return absl::OkStatus(); };
    if (IsCrew(caller)) {
      // Their own time off, within the crew rules; checked on the period as stored.
      SALESOPS_ASSIGN_OR_RETURN(const std::string own, CrewMemberInScope(*context, ""));
      SALESOPS_ASSIGN_OR_RETURN(const v1::CrewRules rules, store_->GetCrewRules());
      may_delete = [own, rules, now = NowSecond()](const v1::Unavailability& period) {
        if (period.crew_member_id() != own) return NotTheCallersOwn();
        return CheckSelfRemovedTimeOff(period, rules, now);
      };
    }
    absl::StatusOr<v1::DeleteUnavailabilityResponse> deleted =
        store_->DeleteUnavailability(KeyOfCaller("DeleteUnavailability", *request, caller),
                                     request->unavailability_id(), may_delete);
    if (!deleted.ok()) return RefusedAlikeForCrew(caller, deleted.status());
    *response = *std::move(deleted);
    // Freed time is used by the next re-optimisation; nobody has to move now.
    NoteChange();
    return absl::OkStatus();
  }());
}

namespace {

constexpr Minutes kDayMinutes = 24 * 60;

Minutes NowMinute() { return common::NowTimestamp().seconds() / 60; }

Minutes MinuteOf(const google::protobuf::Timestamp& timestamp) { return timestamp.seconds() / 60; }

// "Tue 2030-05-07 08:00 UTC" for explanations people read.
std::string FormatMinute(Minutes minute) {
  std::time_t seconds = minute * 60;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  std::strftime(text, sizeof(text), "%a %Y-%m-%d %H:%M UTC", &utc);
  return text;
}

// The fields of one phase, wherever they sit: the request's own (the main phase, `prefix` "")
// or a JobPhase's (`prefix` "phases[2].").
struct PhaseFields {
  std::string prefix;
  std::string phase_id;
  const v1::EventSchedule& schedule;
  const v1::DeliveryWindow& delivery_window;
  const v1::Venue& venue;
  const google::protobuf::RepeatedPtrField<v1::CrewNeed>& crew_needs;
  const google::protobuf::Duration& prep_duration;
};

// One phase as the job planner sees it; what is missing or wrong goes to `violations`.
// The crew needs as planning reads them; a need without a skill, or naming two, goes to
// `violations` (the catalog check is CheckSkillsKnown's).
std::vector<SkillNeed> NeedsOf(const google::protobuf::RepeatedPtrField<v1::CrewNeed>& needs,
                               const std::string& prefix,
                               std::vector<common::FieldViolation>& violations) {
  std::vector<SkillNeed> read;
  for (int i = 0; i < needs.size(); ++i) {
    const v1::CrewNeed& need = needs[i];
    const std::string field = prefix + "crew_needs[" + std::to_string(i) + "]";
    if (need.duration().seconds() < 0) {
      violations.push_back({field + ".duration", "cannot be negative"});
    }
    if (common::SkillFieldsDisagree(need)) {
      violations.push_back({field + ".skill", "names another skill than skill_code; set one"});
    } else if (common::SkillCodeOf(need).empty()) {
      violations.push_back({field + ".skill_code", "is required: the skill the crew needs"});
    }
    read.push_back({common::SkillCodeOf(need), need.duration().seconds() / 60, need.headcount(),
                    need.min_level()});
  }
  return read;
}

// Every skill a request's crew needs name (its own and its phases'), for CheckSkillsKnown.
template <typename Request>
std::vector<SkillRef> SkillRefsOf(const Request& request) {
  std::vector<SkillRef> refs;
  auto add = [&](const std::string& prefix, const auto& needs) {
    for (int i = 0; i < needs.size(); ++i) {
      refs.push_back({prefix + "crew_needs[" + std::to_string(i) + "]",
                      common::SkillCodeOf(needs[i]), needs[i].min_level()});
    }
  };
  add("", request.crew_needs());
  for (int i = 0; i < request.phases_size(); ++i) {
    add("phases[" + std::to_string(i) + "].", request.phases(i).crew_needs());
  }
  return refs;
}

JobInput PhaseInputOf(const v1::PlanJobRequest& request, const PhaseFields& phase, Minutes now,
                      std::vector<common::FieldViolation>& violations) {
  const std::string& prefix = phase.prefix;
  const v1::EventSchedule& schedule = phase.schedule;
  if (!schedule.has_show_start_time()) {
    violations.push_back({prefix + "event_schedule.show_start_time", "is required to plan setup"});
  }
  if (!schedule.has_show_end_time()) {
    violations.push_back(
        {prefix + "event_schedule.show_end_time", "is required to plan the strike"});
  }
  if (schedule.has_show_start_time() && schedule.has_show_end_time() &&
      schedule.show_end_time().seconds() <= schedule.show_start_time().seconds()) {
    violations.push_back(
        {prefix + "event_schedule.show_end_time", "must be after show_start_time"});
  }
  std::vector<SkillNeed> needs = NeedsOf(phase.crew_needs, prefix, violations);
  if (phase.prep_duration.seconds() < 0) {
    violations.push_back({prefix + "prep_duration", "cannot be negative"});
  }
  if (MinuteOf(phase.delivery_window.window().no_later_than()) < now - kDayMinutes) {
    violations.push_back({prefix + "delivery_window.window.no_later_than",
                          "is in the past; plan deliveries that can still happen"});
  }

  JobInput job;
  job.order_id = request.order_id();
  job.order_revision = request.order_revision();
  job.phase_id = phase.phase_id;
  job.crew_needs = std::move(needs);
  job.prep_duration = phase.prep_duration.seconds() / 60;
  const v1::Window& window = phase.delivery_window.window();
  job.delivery_no_later_than = MinuteOf(window.no_later_than());
  job.delivery_not_before = window.has_not_before() ? MinuteOf(window.not_before())
                                                    : job.delivery_no_later_than - 12 * 60;
  job.pinned = phase.delivery_window.pinned();
  job.show_start = MinuteOf(schedule.show_start_time());
  job.show_end = MinuteOf(schedule.show_end_time());
  job.strike_no_later_than = schedule.has_strike_time() ? MinuteOf(schedule.strike_time()) : 0;
  job.travel = phase.venue.travel_time().seconds() / 60;
  job.now = now;
  return job;
}

// How many parts of one CheckCapacity (the main one and phases) that do not fit are searched
// for a later window that does: up to 14 solves each.
constexpr int kMaxLaterFitSearches = 4;

// A job's phases spread over at most this much time (deliveries from the main one's), so one
// plan never reads and locks the schedule of years.
constexpr Minutes kLongestJob = 366 * kDayMinutes;

// The order as the job planner sees it, one JobInput per phase, the main phase first; or every
// field that is missing or wrong.
absl::StatusOr<std::vector<JobInput>> JobInputsOf(const v1::PlanJobRequest& request) {
  std::vector<common::FieldViolation> violations;
  const Minutes now = NowMinute();
  std::vector<JobInput> phases;
  phases.push_back(PhaseInputOf(request,
                                {"", "", request.event_schedule(), request.delivery_window(),
                                 request.venue(), request.crew_needs(), request.prep_duration()},
                                now, violations));
  std::map<std::string, int> first_with_id;
  for (int i = 0; i < request.phases_size(); ++i) {
    const v1::JobPhase& phase = request.phases(i);
    const std::string prefix = "phases[" + std::to_string(i) + "].";
    if (!IsValidPhaseId(phase.phase_id())) {
      violations.push_back(
          {prefix + "phase_id",
           "must match [a-z0-9][a-z0-9-]{0,39}, e.g. \"rehearsal\" or \"stop-2\""});
    } else if (auto [first, added] = first_with_id.emplace(phase.phase_id(), i); !added) {
      violations.push_back({prefix + "phase_id", "repeats phases[" + std::to_string(first->second) +
                                                     "].phase_id; each phase needs its own id"});
    }
    phases.push_back(
        PhaseInputOf(request,
                     {prefix, phase.phase_id(), phase.event_schedule(), phase.delivery_window(),
                      phase.venue(), phase.crew_needs(), phase.prep_duration()},
                     now, violations));
    if (std::abs(phases.back().delivery_no_later_than - phases.front().delivery_no_later_than) >
        kLongestJob) {
      violations.push_back({prefix + "delivery_window.window.no_later_than",
                            "is more than a year from the main delivery; plan that as an order "
                            "of its own"});
    }
  }
  if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));
  return phases;
}

}  // namespace

namespace {

// How far past a job's own window the planner looks for work in the way (a task pushed later
// than that widens the view), and how far the view may grow.
constexpr Minutes kPlanningMargin = kDayMinutes;
constexpr Minutes kWidestView = 800 * kDayMinutes;

// The background run is a nicety: when the schedule keeps changing under it, it gives way to
// the confirmations changing it and tries at its next turn.
constexpr int kBackgroundAttempts = 3;
// Changes wake it sooner, but never more often than this: under a burst of confirmations it
// must not take the CPU they need.
constexpr auto kMinTimeBetweenRuns = std::chrono::seconds(60);

void PauseBeforeRetry(int attempt) {
  thread_local std::mt19937 random(std::random_device{}());
  const int ceiling_ms = 1 << std::min(attempt, 6);  // 2, 4, ... 64 ms
  std::this_thread::sleep_for(
      std::chrono::microseconds(std::uniform_int_distribution<int>(0, ceiling_ms * 1000)(random)));
}

// The span a job's tasks may occupy, with the margin.
Span CoveredBy(const std::vector<Task>& tasks) {
  Minutes from = std::numeric_limits<Minutes>::max(), to = std::numeric_limits<Minutes>::min();
  for (const Task& task : tasks) {
    from = std::min(from, task.not_before);
    to = std::max(to, task.no_later_than);
  }
  return {from - kDayMinutes, to + kPlanningMargin};
}

// The latest minute the result uses: beyond the view, it may have met work it never saw.
Minutes LatestFinish(const AssignmentResult& result) {
  Minutes latest = std::numeric_limits<Minutes>::min();
  for (const Assignment& out : result.assignments) latest = std::max(latest, out.finish);
  return latest;
}

// What a handler answers when its caller is no longer there to hear it.
absl::Status CallerGone(const grpc::ServerContext& context) {
  if (context.deadline() <= std::chrono::system_clock::now()) {
    return absl::DeadlineExceededError("the caller's deadline passed before the plan was saved");
  }
  return absl::CancelledError("the caller cancelled before the plan was saved");
}

absl::Status PlanKeptChanging(const std::string& what) {
  return common::ReasonedError(absl::StatusCode::kAborted, v1::INTERNAL_ERROR,
                               what + ": the schedule kept changing under it; retry");
}

v1::AssignmentRun RunOf(Span horizon, const AssignmentResult& result, size_t task_count,
                        std::chrono::steady_clock::duration took, bool dry_run) {
  v1::AssignmentRun run;
  *run.mutable_horizon()->mutable_not_before() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(horizon.start * 60);
  *run.mutable_horizon()->mutable_no_later_than() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(horizon.end * 60);
  run.set_task_count(static_cast<int>(task_count));
  for (const Assignment& out : result.assignments) {
    if (!out.crew_ids.empty()) run.set_assigned_task_count(run.assigned_task_count() + 1);
    if (out.late) run.set_late_task_count(run.late_task_count() + 1);
  }
  Minutes lateness = 0, overtime = 0;
  for (const Assignment& out : result.assignments) {
    lateness += out.lateness;
    overtime += out.overtime;
  }
  run.mutable_lateness_sum()->set_seconds(lateness * 60);
  run.mutable_overtime_sum()->set_seconds(overtime * 60);
  run.mutable_solve_duration()->set_nanos(static_cast<int32_t>(std::min<int64_t>(
      999999999, std::chrono::duration_cast<std::chrono::nanoseconds>(took).count())));
  Minutes busiest = 0, least = -1;
  for (const auto& [id, minutes] : result.workload) {
    busiest = std::max(busiest, minutes);
    least = least < 0 ? minutes : std::min(least, minutes);
  }
  run.set_workload_spread(least > 0 ? static_cast<double>(busiest) / least : 0.0);
  run.set_dry_run(dry_run);
  return run;
}

// Tasks that must move and those that follow them in their job: a successor cannot stay
// ahead of a predecessor that moved later.
std::vector<bool> WithSuccessors(const std::vector<Task>& tasks, std::vector<bool> moving) {
  for (bool grew = true; grew;) {
    grew = false;
    for (size_t i = 0; i < tasks.size(); ++i) {
      if (moving[i] || tasks[i].started) continue;
      for (int p : tasks[i].predecessors) {
        if (moving[p]) {
          moving[i] = grew = true;
          break;
        }
      }
    }
  }
  return moving;
}

// Holds a task where it is now (placed or not) for a solve.
void Hold(Task& task, const Assignment& current) {
  if (!task.started)
    task.started = Task::Fixed{current.start, current.crew_ids, current.vehicle_id};
}

}  // namespace

absl::StatusOr<v1::RunAssignmentResponse> SchedulingServiceImpl::Repair(Span covered,
                                                                        int attempts) {
  const Minutes now = NowMinute();
  covered = {std::max(covered.start, now) - kDayMinutes,
             std::min(covered.end, now + 400 * kDayMinutes) + kDayMinutes};
  if (covered.end <= covered.start) return v1::RunAssignmentResponse();
  for (int attempt = 0; attempt < attempts; ++attempt) {
    auto started = std::chrono::steady_clock::now();
    SALESOPS_ASSIGN_OR_RETURN(SchedulingStore::OpenWork work, store_->LoadOpenWork(covered));
    std::vector<bool> moving = WithSuccessors(work.tasks, work.placement_invalid);
    if (std::find(moving.begin(), moving.end(), true) == moving.end()) {
      return v1::RunAssignmentResponse();
    }
    std::vector<Task> working = work.tasks;
    for (size_t i = 0; i < working.size(); ++i) {
      if (!moving[i])
        Hold(working[i], work.current[i]);
      else
        working[i].not_before = std::max(working[i].not_before, now);
    }
    AssignmentResult result =
        AssignTasks(working, work.view.crew, work.view.vehicles, FormatMinute);
    SchedulingStore::Moves moves;
    moves.reason = "moved: its person or vehicle is no longer available then";
    for (size_t i = 0; i < working.size(); ++i) {
      if (!moving[i]) {
        result.assignments[i] = work.current[i];
      } else {
        moves.moved.push_back(static_cast<int>(i));
      }
    }
    SALESOPS_ASSIGN_OR_RETURN(
        std::optional<v1::RunAssignmentResponse> saved,
        store_->SaveMoves(RequestKey{}, work, result, moves,
                          RunOf(covered, result, work.tasks.size(),
                                std::chrono::steady_clock::now() - started, false)));
    if (saved) return *saved;
    PauseBeforeRetry(attempt + 1);
  }
  return PlanKeptChanging("moving work off the time off");
}

absl::StatusOr<v1::RunAssignmentResponse> SchedulingServiceImpl::Reoptimize(Span horizon,
                                                                            bool dry_run,
                                                                            int attempts,
                                                                            const RequestKey& key) {
  const Minutes now = NowMinute();
  const Minutes freeze_until = now + options_.freeze_hours * 60;
  for (int attempt = 0; attempt < attempts; ++attempt) {
    auto started = std::chrono::steady_clock::now();
    // Work due in the horizon moves; what it could run into is loaded with a margin.
    SALESOPS_ASSIGN_OR_RETURN(
        SchedulingStore::OpenWork work,
        store_->LoadOpenWork({horizon.start - kDayMinutes, horizon.end + kPlanningMargin}));
    std::vector<Task> working = work.tasks;
    for (size_t i = 0; i < working.size(); ++i) {
      Task& task = working[i];
      const Assignment& current = work.current[i];
      const bool placed = !current.crew_ids.empty();
      // Frozen: about to happen (crew are not shuffled at the last minute), beyond the horizon,
      // or in a place only a repair may change.
      if ((placed && current.start < freeze_until) || task.no_later_than > horizon.end ||
          task.no_later_than < horizon.start || work.placement_invalid[i]) {
        Hold(task, current);
        continue;
      }
      task.not_before = std::max(task.not_before, placed ? freeze_until : now);
    }
    Reoptimization outcome =
        scheduling::Reoptimize(working, work.current, work.delivery_commitments, work.view.crew,
                               work.view.vehicles, FormatMinute);
    v1::AssignmentRun run = RunOf(horizon, outcome.result, work.tasks.size(),
                                  std::chrono::steady_clock::now() - started, dry_run);
    if (dry_run || !outcome.improved) {
      v1::RunAssignmentResponse response;
      run.set_changed_assignment_count(static_cast<int>(outcome.moved.size()));
      *run.mutable_run_time() = common::NowTimestamp();
      *response.mutable_run() = std::move(run);
      return response;
    }
    SchedulingStore::Moves moves{outcome.moved, "re-optimised (" + outcome.reason + ")"};
    SALESOPS_ASSIGN_OR_RETURN(std::optional<v1::RunAssignmentResponse> saved,
                              store_->SaveMoves(key, work, outcome.result, moves, run));
    if (saved) return *saved;
    PauseBeforeRetry(attempt + 1);
  }
  return PlanKeptChanging("re-optimisation");
}

void SchedulingServiceImpl::ReoptimizeInBackground() {
  std::unique_lock<std::mutex> lock(background_mutex_);
  while (!stopping_) {
    background_wake_.wait_for(
        lock, std::chrono::seconds(options_.reoptimize_interval_seconds),
        [this] { return stopping_ || changes_since_run_ >= options_.reoptimize_after_changes; });
    if (stopping_) break;
    // Woken early by changes: still at least kMinTimeBetweenRuns after the last run.
    background_wake_.wait_for(
        lock,
        std::min<std::chrono::seconds>(kMinTimeBetweenRuns,
                                       std::chrono::seconds(options_.reoptimize_interval_seconds)),
        [this] { return stopping_; });
    if (stopping_) break;
    changes_since_run_ = 0;
    lock.unlock();
    const auto began = std::chrono::steady_clock::now();
    const Minutes now = NowMinute();
    // First what must move (time off, people made inactive), then what could be better.
    absl::StatusOr<v1::RunAssignmentResponse> repaired =
        Repair({now, now + options_.reoptimize_horizon_days * kDayMinutes}, kBackgroundAttempts);
    absl::StatusOr<v1::RunAssignmentResponse> run =
        repaired.ok() ? Reoptimize({now, now + options_.reoptimize_horizon_days * kDayMinutes},
                                   false, kBackgroundAttempts, RequestKey{})
                      : repaired;
    if (!run.ok()) {
      common::LogWarn("reoptimization_failed", {{"error", std::string(run.status().message())}});
    } else {
      // One line per run, so ops see it ran, what it weighed and what it cost.
      common::LogInfo(
          "reoptimized",
          {{"tasks", std::to_string(run->run().task_count())},
           {"repaired", std::to_string(repaired->run().changed_assignment_count())},
           {"moved", std::to_string(run->run().changed_assignment_count())},
           {"late_tasks", std::to_string(run->run().late_task_count())},
           {"took_ms", std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::steady_clock::now() - began)
                                          .count())}});
    }
    lock.lock();
  }
}

absl::StatusOr<SchedulingServiceImpl::Placement> SchedulingServiceImpl::PlaceAndSave(
    const grpc::ServerContext& context, const RequestKey& key, SchedulingStore::JobPlan plan,
    const std::string& actor_id, const PlanRules& rules) {
  const std::string& job_id = plan.request.order_id();
  Span covered = CoveredBy(plan.tasks);
  for (int attempt = 0; attempt < kMaxPlanAttempts;) {
    SALESOPS_ASSIGN_OR_RETURN(SchedulingStore::PlanningView view,
                              store_->LoadPlanningView(covered, job_id));
    SALESOPS_ASSIGN_OR_RETURN(std::optional<v1::Job> settled, rules.settled(view));
    if (settled) return Placement{std::move(settled), {}};
    std::vector<Task> tasks = plan.tasks;
    for (Task& task : tasks) {
      auto kept = view.job_started_tasks.find(task.id);
      if (kept == view.job_started_tasks.end()) continue;
      task.started =
          Task::Fixed{kept->second.start, kept->second.crew_ids, kept->second.vehicle_id};
    }
    AssignmentResult placed =
        PlaceAround(tasks, view.placed, view.crew, view.vehicles, FormatMinute);
    if (LatestFinish(placed) > covered.end && covered.end - covered.start < kWidestView) {
      covered.end += std::max(covered.end - covered.start, kPlanningMargin);
      continue;  // pushed past what was read: read further
    }
    ++attempt;
    SALESOPS_ASSIGN_OR_RETURN(std::vector<PlannedCommitment> commitments,
                              rules.commitments(tasks, placed));
    plan.tasks = tasks;
    common::Failpoint("plan_job_before_save");
    // A caller that has gone (deadline passed, or cancelled) will not use this plan, and
    // a saga has likely compensated it. Not saving it only saves work: a caller can go
    // right after this check, and what keeps its plan from becoming a stray job is the
    // undone-request fence inside SavePlacedJob, not this.
    if (context.IsCancelled()) return CallerGone(context);
    SALESOPS_ASSIGN_OR_RETURN(std::optional<SchedulingStore::SavedPlan> saved,
                              store_->SavePlacedJob(key, plan, placed, commitments, actor_id));
    if (!saved) {  // someone took one of these places meanwhile
      PauseBeforeRetry(attempt);
      continue;
    }
    if (!saved->already_planned) NoteChange();
    return Placement{std::nullopt, *std::move(saved)};
  }
  return PlanKeptChanging("planning job " + job_id);
}

grpc::Status SchedulingServiceImpl::PlanJob(grpc::ServerContext* context,
                                            const v1::PlanJobRequest* request,
                                            v1::PlanJobResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(std::vector<JobInput> phases, JobInputsOf(*request));
    SALESOPS_RETURN_IF_ERROR(CheckSkillsKnown(SkillRefsOf(*request)));
    // A saga that already compensated this step, or a retry of one answered, gets its answer
    // before any planning.
    SALESOPS_RETURN_IF_ERROR(store_->CheckPlanNotUndone(request->request_id()));
    const RequestKey key = KeyOf("PlanJob", *request);
    SALESOPS_ASSIGN_OR_RETURN(std::optional<std::string> earlier, store_->EarlierAnswer(key));
    if (earlier) return AnswerAgain(*earlier, response);
    SchedulingStore::JobPlan plan;
    plan.request = *request;
    plan.tasks = PlanPhasedJobTasks(phases);
    plan.requested_by = phases.front().delivery_no_later_than;
    for (size_t i = 1; i < phases.size(); ++i) {
      plan.phases_requested_by.push_back(phases[i].delivery_no_later_than);
    }
    PlanRules rules;
    rules.settled =
        [&](const SchedulingStore::PlanningView& view) -> absl::StatusOr<std::optional<v1::Job>> {
      // A transfer's job under this id is refused when saving (ALREADY_EXISTS).
      if (view.job_exists && !view.job_transfer && !view.job_cancelled &&
          view.job_revision == request->order_revision()) {
        // Planned already: the same job, nothing new.
        SALESOPS_ASSIGN_OR_RETURN(v1::Job job, store_->GetJob(request->order_id()));
        return std::optional<v1::Job>(std::move(job));
      }
      if (view.job_exists && view.job_revision > request->order_revision()) {
        return common::ReasonedError(absl::StatusCode::kAborted, v1::STALE_REVISION,
                                     "job " + request->order_id() +
                                         " is already planned at revision " +
                                         std::to_string(view.job_revision));
      }
      return std::optional<v1::Job>();
    };
    rules.commitments =
        [&](const std::vector<Task>& tasks,
            const AssignmentResult& placed) -> absl::StatusOr<std::vector<PlannedCommitment>> {
      std::vector<PlannedCommitment> commitments = CommitmentsFor(phases, tasks, placed);
      for (const PlannedCommitment& commitment : commitments) {
        if (!request->refuse_if_late() || commitment.meets_request) continue;
        // The confirm saga asked for a plan that meets every phase's request, or none at all:
        // nothing is written, and a job already planned keeps its plan.
        std::map<std::string, std::string> details{
            {"earliest_feasible_delivery_time",
             google::protobuf::util::TimeUtil::ToString(
                 google::protobuf::util::TimeUtil::SecondsToTimestamp(commitment.no_later_than *
                                                                      60))}};
        if (commitment.phase_id.empty()) {
          return common::BusinessRefusal(v1::DEADLINE_INFEASIBLE, commitment.explanation, details);
        }
        details["phase_id"] = commitment.phase_id;
        return common::BusinessRefusal(
            v1::DEADLINE_INFEASIBLE, "phase " + commitment.phase_id + ": " + commitment.explanation,
            details);
      }
      return commitments;
    };
    SALESOPS_ASSIGN_OR_RETURN(
        Placement placement,
        PlaceAndSave(*context, key, std::move(plan), runtime_.CallerOf(*context).id(), rules));
    if (placement.settled) {
      *response->mutable_job() = *std::move(placement.settled);
      SALESOPS_ASSIGN_OR_RETURN(std::string standing, store_->RememberAnswer(key, *response));
      return AnswerAgain(standing, response);
    }
    *response = std::move(placement.saved.response);
    return absl::OkStatus();
  }());
}

namespace {

// A transfer's van run as the store keeps it (SchedulingStore::JobPlan), or every field that
// is missing or wrong beyond what the proto's own rules say.
absl::StatusOr<SchedulingStore::JobPlan> TransferPlanOf(const v1::PlanTransferRequest& request) {
  std::vector<common::FieldViolation> violations;
  const Minutes now = NowMinute();
  const v1::Window& window = request.window();
  if (request.from_warehouse_id() == request.to_warehouse_id()) {
    violations.push_back({"to_warehouse_id", "is the warehouse the stock leaves from"});
  }
  if (!window.has_not_before()) {
    violations.push_back(
        {"window.not_before", "is required: the van cannot leave before the stock is ready"});
  }
  const google::protobuf::Duration& transit = request.transit();
  if (transit.seconds() == 0 && transit.nanos() == 0) {
    violations.push_back({"transit", "must be longer than zero"});
  } else if (window.has_not_before() && transit > window.no_later_than() - window.not_before()) {
    violations.push_back(
        {"transit", "is longer than the window: the van could not arrive in time"});
  }
  if (MinuteOf(window.no_later_than()) < now - kDayMinutes) {
    violations.push_back(
        {"window.no_later_than", "is in the past; plan transfers that can still happen"});
  }
  if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));

  TransferInput input;
  input.transfer_id = request.transfer_id();
  input.depart_not_before = MinuteOf(window.not_before());
  input.arrive_no_later_than = MinuteOf(window.no_later_than());
  // A started minute of driving is a minute the driver and the van are taken.
  input.transit = (transit.seconds() + (transit.nanos() > 0 ? 1 : 0) + 59) / 60;
  input.now = now;

  SchedulingStore::JobPlan plan;
  v1::PlanJobRequest& stored = plan.request;
  // What the job reads back from a PlanJobRequest: the window as its delivery window (the
  // arrival is what is committed), no venue and no show. The request_id lets a CancelJob with
  // undo_request_id fence this plan like a PlanJob's.
  stored.set_request_id(request.request_id());
  stored.set_order_id(request.transfer_id());
  stored.set_order_revision(1);
  *stored.mutable_inventory_lines() = request.inventory_lines();
  *stored.mutable_delivery_window()->mutable_window() = window;
  stored.set_warehouse_id(request.from_warehouse_id());
  plan.tasks = {PlanTransferTask(input)};
  plan.requested_by = input.arrive_no_later_than;
  plan.transfer = request;
  plan.transfer->clear_request_id();
  return plan;
}

}  // namespace

grpc::Status SchedulingServiceImpl::PlanTransfer(grpc::ServerContext* context,
                                                 const v1::PlanTransferRequest* request,
                                                 v1::PlanTransferResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(SchedulingStore::JobPlan plan, TransferPlanOf(*request));
    SALESOPS_RETURN_IF_ERROR(store_->CheckPlanNotUndone(request->request_id()));
    const RequestKey key = KeyOf("PlanTransfer", *request);
    SALESOPS_ASSIGN_OR_RETURN(std::optional<std::string> earlier, store_->EarlierAnswer(key));
    if (earlier) return AnswerAgain(*earlier, response);
    const v1::PlanTransferRequest asked = *plan.transfer;
    PlanRules rules;
    rules.settled =
        [&](const SchedulingStore::PlanningView& view) -> absl::StatusOr<std::optional<v1::Job>> {
      // The same transfer again (a retry under a new request_id, say): its job as it is. Any
      // other job under this id is refused when saving (ALREADY_EXISTS).
      if (!view.job_transfer ||
          !google::protobuf::util::MessageDifferencer::Equals(*view.job_transfer, asked)) {
        return std::optional<v1::Job>();
      }
      SALESOPS_ASSIGN_OR_RETURN(v1::Job job, store_->GetJob(request->transfer_id()));
      return std::optional<v1::Job>(std::move(job));
    };
    const Minutes arrive_by = plan.requested_by;
    rules.commitments =
        [&](const std::vector<Task>&,
            const AssignmentResult& placed) -> absl::StatusOr<std::vector<PlannedCommitment>> {
      // The arrival is committed as a delivery is: a late run says when it arrives, and why.
      return std::vector<PlannedCommitment>{
          CommitmentForDelivery(arrive_by, placed.assignments.front())};
    };
    SALESOPS_ASSIGN_OR_RETURN(
        Placement placement,
        PlaceAndSave(*context, key, std::move(plan), runtime_.CallerOf(*context).id(), rules));
    if (placement.settled) {
      *response->mutable_job() = *std::move(placement.settled);
      SALESOPS_ASSIGN_OR_RETURN(std::string standing, store_->RememberAnswer(key, *response));
      return AnswerAgain(standing, response);
    }
    *response->mutable_job() = std::move(*placement.saved.response.mutable_job());
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::CancelJob(grpc::ServerContext* context,
                                              const v1::CancelJobRequest* request,
                                              v1::CancelJobResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(*response,
                              store_->CancelJob(KeyOf("CancelJob", *request),
                                                {request->order_id(), request->order_revision(),
                                                 request->reason(), request->undo_request_id()},
                                                runtime_.CallerOf(*context).id()));
    // The freed time goes to others at the next re-optimisation, not in the caller's time.
    NoteChange();
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::RunAssignment(grpc::ServerContext*,
                                                  const v1::RunAssignmentRequest* request,
                                                  v1::RunAssignmentResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const Minutes now = NowMinute();
    Span horizon{now, now + options_.reoptimize_horizon_days * kDayMinutes};
    if (request->has_horizon()) {
      if (!request->horizon().has_not_before()) {
        return common::InvalidArgumentError({{"horizon.not_before", "is required with a horizon"}});
      }
      horizon = {MinuteOf(request->horizon().not_before()),
                 MinuteOf(request->horizon().no_later_than())};
    }
    const RequestKey key = KeyOf("RunAssignment", *request);
    SALESOPS_ASSIGN_OR_RETURN(std::optional<std::string> earlier, store_->EarlierAnswer(key));
    if (earlier) return AnswerAgain(*earlier, response);
    // Repairs need no key: run again, they find nothing left to move.
    if (!request->dry_run()) SALESOPS_RETURN_IF_ERROR(Repair(horizon, kMaxPlanAttempts).status());
    SALESOPS_ASSIGN_OR_RETURN(v1::RunAssignmentResponse run,
                              Reoptimize(horizon, request->dry_run(), kMaxPlanAttempts, key));
    // Moves written kept their answer with them; a run that wrote nothing keeps it here.
    SALESOPS_ASSIGN_OR_RETURN(std::string standing, store_->RememberAnswer(key, run));
    return AnswerAgain(standing, response);
  }());
}

grpc::Status SchedulingServiceImpl::GetJobStatus(grpc::ServerContext*,
                                                 const v1::GetJobStatusRequest* request,
                                                 v1::GetJobStatusResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_job(), store_->GetJob(request->order_id()));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::ListJobs(grpc::ServerContext*,
                                             const v1::ListJobsRequest* request,
                                             v1::ListJobsResponse* response) {
  return ToGrpcStatus(ListPage<v1::ListJobsRequest, v1::Job>(
      *request, "jobs",
      [&](const auto& filter, int limit, const std::string& after) {
        return store_->ListJobs(filter, limit, after);
      },
      [&](v1::Job entry) { *response->add_jobs() = std::move(entry); },
      response->mutable_next_page_token()));
}

grpc::Status SchedulingServiceImpl::UpdateTaskState(grpc::ServerContext* context,
                                                    const v1::UpdateTaskStateRequest* request,
                                                    v1::UpdateTaskStateResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::TaskState state = request->state();
    if (state != v1::TASK_STATE_STARTED && state != v1::TASK_STATE_DONE &&
        state != v1::TASK_STATE_BLOCKED) {
      return common::InvalidArgumentError(
          {{"state", "report STARTED, DONE or BLOCKED; planning sets the other states"}});
    }
    if (state == v1::TASK_STATE_BLOCKED && request->note().empty()) {
      return common::InvalidArgumentError({{"note", "say what blocks the task"}});
    }
    const v1::Actor caller = runtime_.CallerOf(*context);
    std::function<absl::Status(const v1::Task&)> may_update = [](const v1::Task&) {
      return absl::OkStatus();
    };
    if (IsCrew(caller)) {
      // Only a task they are assigned to, as it stands when locked.
      SALESOPS_ASSIGN_OR_RETURN(const std::string own, CrewMemberInScope(*context, ""));
      may_update = [own](const v1::Task& task) {
        return IsAssignedTo(task, own) ? absl::OkStatus() : NotTheCallersOwn();
      };
    }
    absl::StatusOr<v1::UpdateTaskStateResponse> updated = store_->UpdateTaskState(
        KeyOfCaller("UpdateTaskState", *request, caller), *request, caller.id(), may_update);
    if (!updated.ok()) return RefusedAlikeForCrew(caller, updated.status());
    *response = *std::move(updated);
    // Done work frees time for the next re-optimisation; started work is frozen where it is.
    NoteChange();
    return absl::OkStatus();
  }());
}

namespace {

CapacityAsk AskOf(const google::protobuf::RepeatedPtrField<v1::CrewNeed>& needs,
                  const v1::Window& window, int vehicle_count, const std::string& prefix,
                  std::vector<common::FieldViolation>& violations) {
  CapacityAsk ask;
  ask.needs = NeedsOf(needs, prefix, violations);
  ask.vehicle_count = vehicle_count;
  ask.window = {MinuteOf(window.not_before()), MinuteOf(window.no_later_than())};
  return ask;
}

// One part's answer (CheckCapacityResponse for the main part, PhaseCapacity for a phase): the
// crew time per skill, what is short, and why in words (empty when it fits).
template <typename Answer>
std::string AnswerPart(const CapacityProbe& probe, Answer* answer) {
  answer->set_fits(probe.fits);
  std::string explanation;
  for (size_t i = 0; i < probe.probes.size(); ++i) {
    const Task& task = probe.probe_tasks[i];
    const Assignment& placed = probe.probes[i];
    if (task.needs_vehicle) {
      if (placed.late) answer->set_vehicle_shortfall(answer->vehicle_shortfall() + 1);
      continue;
    }
    v1::SkillCapacity* capacity = answer->add_skills();
    common::SetSkill(capacity, task.skill);
    capacity->set_min_level(task.min_level);
    Minutes required = task.duration * task.headcount;
    Minutes short_by = placed.late ? std::min(required, placed.lateness * task.headcount) : 0;
    capacity->mutable_required()->set_seconds(required * 60);
    capacity->mutable_available()->set_seconds((required - short_by) * 60);
    if (placed.late) {
      v1::CrewShortfall* shortfall = answer->add_shortfalls();
      common::SetSkill(shortfall, task.skill);
      shortfall->set_min_level(task.min_level);
      *shortfall->mutable_required() = capacity->required();
      *shortfall->mutable_available() = capacity->available();
      shortfall->mutable_shortfall()->set_seconds(short_by * 60);
      explanation += (explanation.empty() ? "" : "; ") + placed.explanation;
    }
  }
  return explanation;
}

v1::Window WindowAt(Span span) {
  v1::Window window;
  *window.mutable_not_before() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(span.start * 60);
  *window.mutable_no_later_than() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(span.end * 60);
  return window;
}

}  // namespace

grpc::Status SchedulingServiceImpl::CheckCapacity(grpc::ServerContext*,
                                                  const v1::CheckCapacityRequest* request,
                                                  v1::CheckCapacityResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    std::vector<common::FieldViolation> violations;
    if (!request->window().has_not_before()) {
      violations.push_back(
          {"window.not_before", "is required: capacity is checked over the whole window"});
    }
    // The main part first, then each phase in its own window.
    std::vector<CapacityAsk> asks{
        AskOf(request->crew_needs(), request->window(), request->vehicle_count(), "", violations)};
    std::map<std::string, int> first_with_id;
    for (int i = 0; i < request->phases_size(); ++i) {
      const v1::CapacityPhase& phase = request->phases(i);
      const std::string prefix = "phases[" + std::to_string(i) + "].";
      if (!IsValidPhaseId(phase.phase_id())) {
        violations.push_back({prefix + "phase_id", "must match [a-z0-9][a-z0-9-]{0,39}"});
      } else if (auto [first, added] = first_with_id.emplace(phase.phase_id(), i); !added) {
        violations.push_back({prefix + "phase_id",
                              "repeats phases[" + std::to_string(first->second) + "].phase_id"});
      }
      if (!phase.window().has_not_before()) {
        violations.push_back({prefix + "window.not_before",
                              "is required: capacity is checked over the whole window"});
        continue;
      }
      asks.push_back(
          AskOf(phase.crew_needs(), phase.window(), phase.vehicle_count(), prefix, violations));
      if (request->window().has_not_before() &&
          std::abs(asks.back().window.start - asks.front().window.start) > kLongestJob) {
        violations.push_back({prefix + "window.not_before",
                              "is more than a year from the main window; check it on its own"});
      }
    }
    if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));
    SALESOPS_RETURN_IF_ERROR(CheckSkillsKnown(SkillRefsOf(*request)));

    // One snapshot covers every window and the two weeks after each searched for a later fit.
    Span covered{asks.front().window.start, asks.front().window.end};
    for (const CapacityAsk& ask : asks) {
      covered = {std::min(covered.start, ask.window.start), std::max(covered.end, ask.window.end)};
    }
    SALESOPS_ASSIGN_OR_RETURN(
        SchedulingStore::PlanningView view,
        store_->LoadPlanningView({covered.start - kDayMinutes, covered.end + 15 * kDayMinutes},
                                 request->exclude_order_id()));
    auto probe_all = [&](const std::vector<CapacityAsk>& parts) {
      return ProbeCapacityTogether(view.placed, view.crew, view.vehicles, parts, FormatMinute);
    };
    // The earliest window of the same length for part `a`, a day later at a time, within two
    // weeks, the other parts where they were asked. Each try solves around all the placed work
    // in view, so the search is bounded: the first parts that do not fit are moved, and once
    // kMaxLaterFitSearches parts have been, the rest are left unsearched.
    int searches_left = kMaxLaterFitSearches;
    auto earliest_fitting = [&](size_t a) -> std::optional<Span> {
      if (searches_left-- <= 0) return std::nullopt;
      std::vector<CapacityAsk> moved = asks;
      for (Minutes offset = kDayMinutes; offset <= 14 * kDayMinutes; offset += kDayMinutes) {
        moved[a].window = {asks[a].window.start + offset, asks[a].window.end + offset};
        if (probe_all(moved)[a].fits) return moved[a].window;
      }
      return std::nullopt;
    };

    std::vector<CapacityProbe> probes = probe_all(asks);
    std::vector<std::string> why_not;
    std::string main_why = AnswerPart(probes.front(), response);
    if (!probes.front().fits) why_not.push_back(main_why);
    if (probes.front().fits) {
      *response->mutable_earliest_fitting_window() = request->window();
    } else if (std::optional<Span> later = earliest_fitting(0)) {
      *response->mutable_earliest_fitting_window() = WindowAt(*later);
    }
    for (size_t a = 1; a < asks.size(); ++a) {
      v1::PhaseCapacity* phase = response->add_phases();
      phase->set_phase_id(request->phases(static_cast<int>(a) - 1).phase_id());
      std::string why = AnswerPart(probes[a], phase);
      if (probes[a].fits) {
        *phase->mutable_earliest_fitting_window() = WindowAt(asks[a].window);
        phase->set_explanation("fits alongside the planned work");
        continue;
      }
      phase->set_explanation(common::OneLine(why, 2000));
      why_not.push_back("phase " + phase->phase_id() + ": " + why);
      if (std::optional<Span> later = earliest_fitting(a)) {
        *phase->mutable_earliest_fitting_window() = WindowAt(*later);
      }
    }
    response->set_fits(why_not.empty());
    if (why_not.empty()) {
      response->set_explanation("fits alongside the planned work");
      return absl::OkStatus();
    }
    std::string explanation;
    for (const std::string& why : why_not) explanation += (explanation.empty() ? "" : "; ") + why;
    // In-house crew decide `fits`; freelancers are a hint for sales, since they may decline.
    if (const std::vector<std::string> freelancers =
            FreelancersWhoCouldCover(view.placed, view.crew, view.vehicles, asks, FormatMinute);
        !freelancers.empty()) {
      explanation += "; freelancers could cover it: " + absl::StrJoin(freelancers, ", ") +
                     " (offered once the order is confirmed; crew pending until they accept)";
    }
    response->set_explanation(common::OneLine(explanation, 2000));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::GetSchedule(grpc::ServerContext* context,
                                                const v1::GetScheduleRequest* request,
                                                v1::GetScheduleResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    if (!request->range().has_not_before()) {
      return common::InvalidArgumentError({{"range.not_before", "is required"}});
    }
    // CREW: their own schedule (no id: their own), never a vehicle's.
    const bool crew = IsCrew(runtime_.CallerOf(*context));
    if (crew && !request->vehicle_id().empty()) return NotTheCallersOwn();
    SALESOPS_ASSIGN_OR_RETURN(const std::string crew_member_id,
                              CrewMemberInScope(*context, request->crew_member_id()));
    SALESOPS_ASSIGN_OR_RETURN(*response,
                              store_->GetSchedule(crew_member_id, request->vehicle_id(),
                                                  MinuteOf(request->range().not_before()),
                                                  MinuteOf(request->range().no_later_than()),
                                                  common::EffectivePageSize(request->page_size())));
    if (crew) KeepOnlyOwn(*response, crew_member_id);
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::GetPrepPlan(grpc::ServerContext*,
                                                const v1::GetPrepPlanRequest* request,
                                                v1::GetPrepPlanResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    if (!request->range().has_not_before()) {
      return common::InvalidArgumentError({{"range.not_before", "is required"}});
    }
    SALESOPS_ASSIGN_OR_RETURN(std::vector<SchedulingStore::PrepLine> lines,
                              store_->ListPrepLines(MinuteOf(request->range().not_before()),
                                                    MinuteOf(request->range().no_later_than())));
    const Minutes now = NowMinute();
    for (const SchedulingStore::PrepLine& line : lines) {
      PrepFacts facts{
          line.prep_not_before,
          line.prep_no_later_than,
          line.prep_duration,
          line.load_out_by,
          line.late,
          line.prep_state == v1::TASK_STATE_STARTED || line.prep_state == v1::TASK_STATE_DONE,
          line.job_state == v1::JOB_STATE_TENTATIVE,
          line.win_probability,
          line.warehouse_work};
      PrepAdvice advice = AdvisePrep(facts, now, FormatMinute);
      const bool late = advice.late;
      if (request->late_only() && !late) continue;
      v1::PrepRecommendation* recommendation = response->add_plan();
      recommendation->set_job_id(line.order_id);
      recommendation->set_order_id(line.order_id);
      recommendation->set_order_revision(line.order_revision);
      recommendation->set_job_state(line.job_state);
      recommendation->set_win_probability(line.win_probability);
      recommendation->mutable_prep_duration()->set_seconds(line.prep_duration * 60);
      *recommendation->mutable_load_out_time() =
          google::protobuf::util::TimeUtil::SecondsToTimestamp(line.load_out_by * 60);
      *recommendation->mutable_earliest_sensible_start_time() =
          google::protobuf::util::TimeUtil::SecondsToTimestamp(line.prep_not_before * 60);
      *recommendation->mutable_latest_safe_start_time() =
          google::protobuf::util::TimeUtil::SecondsToTimestamp(advice.latest_safe_start * 60);
      recommendation->set_prep_task_state(line.prep_state);
      recommendation->set_prep_late(late);
      recommendation->set_explanation(advice.explanation.substr(0, 1000));
      recommendation->set_phase_id(line.phase_id);
    }
    return absl::OkStatus();
  }());
}

// ---- Calendar feeds (calendar_feed.h; README "Calendar feeds") -------------------------------

namespace {

absl::Status CalendarFeedsOff() {
  return common::BusinessRefusal(
      v1::INVALID_REQUEST,
      "calendar feeds are not configured on this scheduling (--calendar-address, "
      "--calendar-key-file)");
}

// The URL feed links start with: http(s)://host[:port][/path], without a trailing '/'.
std::optional<std::string> CalendarBaseUrl(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  const bool scheme = url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
  if (!scheme || url.size() > 1000 || !common::IsPlainText(url) ||
      url.find_first_of(" ?#") != std::string::npos) {
    return std::nullopt;
  }
  return url;
}

}  // namespace

absl::Status SchedulingServiceImpl::StartCalendarEndpoint() {
  if (options_.calendar_address.empty()) return absl::OkStatus();
  if (options_.calendar_key_file.empty()) {
    return absl::FailedPreconditionError(
        "--calendar-address needs --calendar-key-file: the key feed URLs are signed with");
  }
  std::optional<std::string> key = common::ReadSecretFile(options_.calendar_key_file);
  if (!key) return absl::FailedPreconditionError("cannot read --calendar-key-file");
  if (key->size() < kMinCalendarKeyBytes) {
    return absl::FailedPreconditionError(
        absl::StrCat("--calendar-key-file holds ", key->size(), " bytes; a key needs at least ",
                     kMinCalendarKeyBytes, " (e.g. openssl rand -hex 32)"));
  }
  if (!options_.calendar_base_url.empty()) {
    std::optional<std::string> base = CalendarBaseUrl(options_.calendar_base_url);
    if (!base) {
      return absl::FailedPreconditionError(
          "--calendar-base-url must be an http:// or https:// URL without spaces, query or "
          "fragment");
    }
    calendar_base_url_ = *base;
  }
  CalendarEndpointConfig config;
  config.key = *key;
  config.now = [] { return absl::Now(); };
  config.load = [this](const std::string& crew_member_id, absl::Time from, absl::Time to,
                       int limit) {
    return store_->LoadCalendarFeed(crew_member_id, absl::ToUnixSeconds(from) / 60,
                                    absl::ToUnixSeconds(to) / 60, limit);
  };
  SALESOPS_ASSIGN_OR_RETURN(std::unique_ptr<common::HttpServer> server,
                            scheduling::StartCalendarEndpoint(options_.calendar_address, config));
  if (calendar_base_url_.empty()) {
    const std::string host =
        options_.calendar_address.substr(0, options_.calendar_address.rfind(':'));
    calendar_base_url_ =
        absl::StrCat("http://", host == "0.0.0.0" ? "127.0.0.1" : host, ":", server->port());
  }
  common::LogInfo("calendar_endpoint_started", {{"port", std::to_string(server->port())}});
  calendar_key_ = std::move(*key);
  std::lock_guard<std::mutex> lock(calendar_mutex_);
  calendar_server_ = std::move(server);
  return absl::OkStatus();
}

void SchedulingServiceImpl::StopCalendarEndpoint() {
  std::unique_ptr<common::HttpServer> server;
  {
    std::lock_guard<std::mutex> lock(calendar_mutex_);
    server = std::move(calendar_server_);
  }
  // Destroyed outside the lock: it waits for the feeds being served to finish.
  server.reset();
}

absl::StatusOr<std::string> SchedulingServiceImpl::CalendarFeedMember(
    grpc::ServerContext& context, const std::string& requested) {
  SALESOPS_ASSIGN_OR_RETURN(std::string member, CrewMemberInScope(context, requested));
  if (member.empty()) return common::InvalidArgumentError({{"crew_member_id", "is required"}});
  return member;
}

std::string SchedulingServiceImpl::CalendarFeedUrl(const std::string& crew_member_id,
                                                   int64_t generation) const {
  return calendar_base_url_ + CalendarFeedPath(calendar_key_, {crew_member_id, generation});
}

grpc::Status SchedulingServiceImpl::GetCalendarFeed(grpc::ServerContext* context,
                                                    const v1::GetCalendarFeedRequest* request,
                                                    v1::GetCalendarFeedResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(std::string member,
                              CalendarFeedMember(*context, request->crew_member_id()));
    if (calendar_key_.empty()) return CalendarFeedsOff();
    SALESOPS_ASSIGN_OR_RETURN(int64_t generation, store_->CalendarFeedGeneration(member));
    response->set_url(CalendarFeedUrl(member, generation));
    response->set_crew_member_id(member);
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::ResetCalendarFeed(grpc::ServerContext* context,
                                                      const v1::ResetCalendarFeedRequest* request,
                                                      v1::ResetCalendarFeedResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(std::string member,
                              CalendarFeedMember(*context, request->crew_member_id()));
    if (calendar_key_.empty()) return CalendarFeedsOff();
    // Kept under the member it resolved to: two crew members sending "their own" reset with the
    // same request_id are two requests, not one.
    v1::ResetCalendarFeedRequest resolved = *request;
    resolved.set_crew_member_id(member);
    SALESOPS_ASSIGN_OR_RETURN(
        int64_t generation,
        store_->ResetCalendarFeed(KeyOf("ResetCalendarFeed", resolved), member));
    response->set_url(CalendarFeedUrl(member, generation));
    response->set_crew_member_id(member);
    common::LogInfo("calendar_feed_reset",
                    {{"crew_member_id", member}, {"actor_id", runtime_.CallerOf(*context).id()}});
    return absl::OkStatus();
  }());
}

// ---- Offers to freelancers (README "Offers to freelancers") -----------------------------------

namespace {

// Tasks one round of the offer worker takes on at most (the rest wait for the next round).
constexpr int kOfferTasksPerRound = 50;

}  // namespace

void SchedulingServiceImpl::WakeOffers() {
  {
    std::lock_guard<std::mutex> lock(offers_mutex_);
    offers_woken_ = true;
  }
  offers_wake_.notify_all();
}

void SchedulingServiceImpl::StopOffers() {
  {
    std::lock_guard<std::mutex> lock(offers_mutex_);
    offers_stopping_ = true;
  }
  offers_wake_.notify_all();
  if (offers_.joinable()) offers_.join();
}

void SchedulingServiceImpl::OffersInBackground() {
  std::unique_lock<std::mutex> lock(offers_mutex_);
  while (!offers_stopping_) {
    offers_wake_.wait_for(lock, std::chrono::seconds(options_.offer_interval_seconds),
                          [this] { return offers_stopping_ || offers_woken_; });
    if (offers_stopping_) break;
    offers_woken_ = false;
    lock.unlock();
    absl::StatusOr<SchedulingStore::OfferRound> round =
        store_->RunOfferRound(NowMinute(), kOfferTasksPerRound);
    if (!round.ok()) {
      // The database is away or another replica holds the rows: the next round tries again.
      common::LogWarn("offer_round_failed", {{"error", std::string(round.status().message())}});
    } else if (round->expired + round->withdrawn + round->sent > 0) {
      common::LogInfo("offer_round", {{"expired", std::to_string(round->expired)},
                                      {"withdrawn", std::to_string(round->withdrawn)},
                                      {"sent", std::to_string(round->sent)}});
    }
    lock.lock();
  }
}

absl::StatusOr<v1::CrewOffer> SchedulingServiceImpl::OfferInScope(grpc::ServerContext& context,
                                                                  const std::string& offer_id) {
  const v1::Actor caller = runtime_.CallerOf(context);
  absl::StatusOr<v1::CrewOffer> offer = store_->GetOffer(offer_id);
  if (!IsCrew(caller)) return offer;
  SALESOPS_ASSIGN_OR_RETURN(std::string own, CrewMemberInScope(context, ""));
  if (!offer.ok() || offer->crew_member_id() != own) {
    return offer.ok() || offer.status().code() == absl::StatusCode::kNotFound ? NotTheCallersOwn()
                                                                              : offer.status();
  }
  return offer;
}

grpc::Status SchedulingServiceImpl::ListOffers(grpc::ServerContext* context,
                                               const v1::ListOffersRequest* request,
                                               v1::ListOffersResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    v1::ListOffersRequest scoped = *request;
    if (IsCrew(runtime_.CallerOf(*context))) {
      SALESOPS_ASSIGN_OR_RETURN(*scoped.mutable_crew_member_id(),
                                CrewMemberInScope(*context, request->crew_member_id()));
    }
    for (int i = 0; i < scoped.states_size(); ++i) {
      if (scoped.states(i) == v1::OFFER_STATE_UNSPECIFIED) {
        return common::InvalidArgumentError(
            {{"states[" + std::to_string(i) + "]", "name a state (SENT, ACCEPTED, ...)"}});
      }
    }
    return ListPage<v1::ListOffersRequest, v1::CrewOffer>(
        scoped, "offers",
        [&](const auto& filter, int limit, const std::string& after) {
          return store_->ListOffers(filter, limit, after);
        },
        [&](v1::CrewOffer entry) { *response->add_offers() = std::move(entry); },
        response->mutable_next_page_token());
  }());
}

grpc::Status SchedulingServiceImpl::GetOffer(grpc::ServerContext* context,
                                             const v1::GetOfferRequest* request,
                                             v1::GetOfferResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_offer(),
                              OfferInScope(*context, request->offer_id()));
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::AcceptOffer(grpc::ServerContext* context,
                                                const v1::AcceptOfferRequest* request,
                                                v1::AcceptOfferResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    // A crew member answers their own only; for others the store says what it does not find,
    // after the request id's own check.
    if (IsCrew(caller)) {
      SALESOPS_RETURN_IF_ERROR(OfferInScope(*context, request->offer_id()).status());
    }
    SALESOPS_ASSIGN_OR_RETURN(*response,
                              store_->AcceptOffer(KeyOfCaller("AcceptOffer", *request, caller),
                                                  request->offer_id(), caller.id(), NowMinute()));
    NoteChange();
    return absl::OkStatus();
  }());
}

grpc::Status SchedulingServiceImpl::DeclineOffer(grpc::ServerContext* context,
                                                 const v1::DeclineOfferRequest* request,
                                                 v1::DeclineOfferResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const v1::Actor caller = runtime_.CallerOf(*context);
    // A crew member answers their own only; for others the store says what it does not find,
    // after the request id's own check.
    if (IsCrew(caller)) {
      SALESOPS_RETURN_IF_ERROR(OfferInScope(*context, request->offer_id()).status());
    }
    SALESOPS_ASSIGN_OR_RETURN(
        *response,
        store_->DeclineOffer(KeyOfCaller("DeclineOffer", *request, caller), request->offer_id(),
                             request->reason(), caller.id(), NowMinute()));
    WakeOffers();  // the next candidate is asked at once
    return absl::OkStatus();
  }());
}

}  // namespace salesops::scheduling
