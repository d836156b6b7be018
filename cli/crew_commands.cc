// crew and vehicles: who can do the work and what carries the gear, with
// their working hours and the times they are not available.
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <absl/time/time.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <tuple>

#include "cli/bulk_import.h"
#include "cli/command_tree.h"
#include "cli/held_skills.h"
#include "cli/input_parsing.h"
#include "cli/output.h"
#include "cli/pricing_spec.h"
#include "cli/scheduling_stub.h"

namespace salesops::cli {
namespace {

using v1::SchedulingService;

// A violation of a field the edit flags set names the flag.
void SetCrewFieldFlags(Session& session) {
  session.SetFieldFlags({{"display_name", "--name"},
                         {"person_id", "--person-id"},
                         {"held_skills", "--skill"},
                         {"held_skills.skill_code", "--skill"},
                         {"held_skills.level", "--skill"},
                         {"held_skills.certificate_expiry_day", "--skill"},
                         {"home_warehouse_id", "--warehouse"},
                         {"weekly_shifts", "--shifts"},
                         {"zone_id", "--zone"},
                         {"employment", "--freelancer"},
                         {"day_fee", "--day-fee"},
                         {"day_fee.currency_code", "--day-fee"},
                         {"day_fee.units", "--day-fee"},
                         {"day_fee.nanos", "--day-fee"},
                         {"hour_fee", "--hour-fee"},
                         {"hour_fee.currency_code", "--hour-fee"},
                         {"hour_fee.units", "--hour-fee"},
                         {"hour_fee.nanos", "--hour-fee"},
                         {"hourly_cost", "--hourly-cost"},
                         {"hourly_cost.currency_code", "--hourly-cost"},
                         {"hourly_cost.units", "--hourly-cost"},
                         {"hourly_cost.nanos", "--hourly-cost"},
                         {"beyond_shift_percent", "--beyond-shift-percent"},
                         {"night_work_percent", "--night-work-percent"},
                         {"crew_chief", "--crew-chief"}});
}

// "employee", "freelancer" (unset reads as employee, as the service reads it).
std::string EmploymentText(const v1::CrewMember& member) {
  return member.employment() == v1::EMPLOYMENT_FREELANCER ? "freelancer" : "employee";
}

// A freelancer's fees as their offers quote them: "300.00 EUR/day, 45.00 EUR/h"; "-" for none.
std::string FeesText(const v1::CrewMember& member) {
  std::vector<std::string> fees;
  if (member.has_day_fee()) fees.push_back(FormatMoney(member.day_fee()) + "/day");
  if (member.has_hour_fee()) fees.push_back(FormatMoney(member.hour_fee()) + "/h");
  return fees.empty() ? "-" : absl::StrJoin(fees, ", ");
}

// What a member is paid at, as the list shows it: a freelancer's fees, an employee's hourly
// cost ("32.00 EUR/h"); "-" for none, and for a cost rate the caller may not read (only ADMIN
// and the member themself do: it is pay).
std::string PayRateText(const v1::CrewMember& member) {
  if (member.employment() == v1::EMPLOYMENT_FREELANCER) return FeesText(member);
  return member.has_hourly_cost() ? FormatMoney(member.hourly_cost()) + "/h" : "-";
}

// What is added to the pay beyond the rate: "+50 % beyond shifts, +25 % at night" (a
// freelancer's: beyond the day); "none".
std::string SurchargesText(const v1::CrewMember& member) {
  std::vector<std::string> surcharges;
  if (member.beyond_shift_percent() != 0) {
    surcharges.push_back(absl::StrCat(
        "+", member.beyond_shift_percent(), " % ",
        member.employment() == v1::EMPLOYMENT_FREELANCER ? "beyond the day" : "beyond shifts"));
  }
  if (member.night_work_percent() != 0) {
    surcharges.push_back(absl::StrCat("+", member.night_work_percent(), " % at night"));
  }
  return surcharges.empty() ? "none" : absl::StrJoin(surcharges, ", ");
}

struct CrewListOptions {
  std::string skill, warehouse, search;
  bool include_inactive = false;
};

ExitCode ListCrew(Session& session, const CrewListOptions& options) {
  v1::ListCrewMembersRequest request;
  request.set_skill_code(SkillCodeFromText(options.skill));
  session.SetFieldFlags({{"skill_code", "--skill"}});
  request.set_home_warehouse_id(options.warehouse);
  request.set_search_text(options.search);
  request.set_include_inactive(options.include_inactive);
  v1::ListCrewMembersResponse response;
  if (ExitCode code =
          session.CallAllPages(&SchedulingService::Stub::ListCrewMembers, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  // "rate": a freelancer's fees, an employee's cost per hour (never the solver's to read).
  Table table(
      {"id", "name", "skills", "employment", "rate", "warehouse", "weekly hours", "active"});
  for (const v1::CrewMember& member : response.crew_members()) {
    table.AddRow(
        {member.crew_member_id(), member.display_name() + (member.crew_chief() ? " (chief)" : ""),
         HeldSkillsText(member), EmploymentText(member), PayRateText(member),
         member.home_warehouse_id(), FormatShifts(member.weekly_shifts()), YesNo(member.active())});
  }
  table.Print();
  return kExitOk;
}

ExitCode ShowCrew(Session& session, const std::string& id) {
  v1::GetCrewMemberRequest request;
  request.set_crew_member_id(id);
  v1::GetCrewMemberResponse response;
  if (ExitCode code = session.Call(&SchedulingService::Stub::GetCrewMember, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  const v1::CrewMember& member = response.crew_member();
  Details details;
  details.Add("Id", member.crew_member_id());
  details.Add("Name", member.display_name());
  details.Add("Person", member.person_id().empty() ? "-" : member.person_id());
  details.Add("Skills", HeldSkillsText(member));
  details.Add("Employment", EmploymentText(member));
  details.Add("Day fee", member.has_day_fee() ? FormatMoney(member.day_fee()) : "-");
  details.Add("Hour fee", member.has_hour_fee() ? FormatMoney(member.hour_fee()) : "-");
  details.Add("Hourly cost",
              member.has_hourly_cost() ? FormatMoney(member.hourly_cost()) + " an hour paid" : "-");
  details.Add("Surcharges", SurchargesText(member));
  details.Add("Crew chief", YesNo(member.crew_chief()));
  details.Add("Warehouse", member.home_warehouse_id());
  details.Add("Weekly hours", FormatShifts(member.weekly_shifts()));
  details.Add("Contracted", FormatDuration(member.contracted_weekly_duration()) + " a week");
  details.Add("Active", YesNo(member.active()));
  details.Add("Etag", member.etag());
  details.Print();
  if (member.held_skills().empty()) return kExitOk;
  std::cout << "\n";
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::LocalTimeZone());
  Table skills({"skill", "level", "certificate expires", "state"});
  for (const v1::HeldSkill& held : member.held_skills()) {
    skills.AddRow(
        {held.skill_code(), std::to_string(std::max(held.level(), 1)),
         held.has_certificate_expiry_day() ? FormatDay(held.certificate_expiry_day()) : "-",
         CertificateState(held, today)});
  }
  skills.Print();
  return kExitOk;
}

struct CrewEditOptions {
  std::string id, name, person, warehouse, shifts, contracted, zone, etag, day_fee, hour_fee;
  std::string hourly_cost, beyond_shift_percent, night_work_percent;
  std::vector<std::string> skills;
  std::optional<bool> active;
  bool freelancer = false, employee = false, crew_chief = false, no_crew_chief = false;
};

// A fee or cost flag: "none" clears it, anything else is money ("300 EUR"; no currency: EUR).
absl::Status ApplyFee(const std::string& flag, const std::string& text,
                      google::type::Money* (v1::CrewMember::*mutable_fee)(),
                      void (v1::CrewMember::*clear_fee)(), v1::CrewMember& member) {
  if (text.empty()) return absl::OkStatus();
  if (text == "none") {
    (member.*clear_fee)();
    return absl::OkStatus();
  }
  absl::StatusOr<google::type::Money> fee = ParseMoney(text, "EUR");
  if (!fee.ok()) {
    return absl::InvalidArgumentError(flag + ": " + std::string(fee.status().message()) +
                                      " (or none)");
  }
  *(member.*mutable_fee)() = *fee;
  return absl::OkStatus();
}

absl::Status ApplyCrewEdits(const CrewEditOptions& options, v1::CrewMember& member) {
  member.set_crew_member_id(options.id);
  if (!options.name.empty()) member.set_display_name(options.name);
  if (!options.person.empty()) member.set_person_id(options.person);
  if (!options.skills.empty()) {
    // The held skills replace the superseded enum list, which the service reads only without them.
    member.clear_skills();
    member.clear_held_skills();
    for (const std::string& word : options.skills) {
      for (const std::string& each : SplitWords(word)) {
        absl::StatusOr<v1::HeldSkill> held = ParseHeldSkill(each);
        if (!held.ok())
          return absl::InvalidArgumentError("--skill: " + std::string(held.status().message()));
        *member.add_held_skills() = *held;
      }
    }
  }
  if (!options.warehouse.empty()) member.set_home_warehouse_id(options.warehouse);
  if (!options.shifts.empty()) {
    absl::StatusOr<std::vector<v1::WorkShift>> shifts = ParseShifts(options.shifts);
    if (!shifts.ok())
      return absl::InvalidArgumentError("--shifts: " + std::string(shifts.status().message()));
    member.clear_weekly_shifts();
    for (const v1::WorkShift& shift : *shifts) *member.add_weekly_shifts() = shift;
  }
  if (!options.contracted.empty()) {
    absl::StatusOr<google::protobuf::Duration> hours = ParseDuration(options.contracted);
    if (!hours.ok())
      return absl::InvalidArgumentError("--contracted: " + std::string(hours.status().message()));
    *member.mutable_contracted_weekly_duration() = *hours;
  }
  if (!options.zone.empty()) member.set_zone_id(options.zone);
  if (options.active) member.set_active(*options.active);
  if (options.freelancer) member.set_employment(v1::EMPLOYMENT_FREELANCER);
  if (options.employee) member.set_employment(v1::EMPLOYMENT_EMPLOYEE);
  if (absl::Status fee = ApplyFee("--day-fee", options.day_fee, &v1::CrewMember::mutable_day_fee,
                                  &v1::CrewMember::clear_day_fee, member);
      !fee.ok()) {
    return fee;
  }
  if (absl::Status fee = ApplyFee("--hour-fee", options.hour_fee, &v1::CrewMember::mutable_hour_fee,
                                  &v1::CrewMember::clear_hour_fee, member);
      !fee.ok()) {
    return fee;
  }
  if (absl::Status cost =
          ApplyFee("--hourly-cost", options.hourly_cost, &v1::CrewMember::mutable_hourly_cost,
                   &v1::CrewMember::clear_hourly_cost, member);
      !cost.ok()) {
    return cost;
  }
  for (const auto& [flag, text, setter] :
       {std::tuple{"--beyond-shift-percent", &options.beyond_shift_percent,
                   &v1::CrewMember::set_beyond_shift_percent},
        std::tuple{"--night-work-percent", &options.night_work_percent,
                   &v1::CrewMember::set_night_work_percent}}) {
    if (text->empty()) continue;
    absl::StatusOr<int32_t> percent = ParseWholePercent(*text);
    if (!percent.ok()) {
      return absl::InvalidArgumentError(std::string(flag) + ": " +
                                        std::string(percent.status().message()));
    }
    (member.*setter)(*percent);
  }
  if (options.crew_chief) member.set_crew_chief(true);
  if (options.no_crew_chief) member.set_crew_chief(false);
  return absl::OkStatus();
}

void PrintCrewSaved(Session& session, const v1::CrewMember& member, const char* verb,
                    const google::protobuf::Message& response) {
  if (session.json()) {
    PrintJson(response);
  } else {
    std::cout << verb << " " << member.crew_member_id() << " (" << member.display_name()
              << ", etag " << member.etag() << ")\n";
  }
}

ExitCode AddCrew(Session& session, const CrewEditOptions& options) {
  v1::CreateCrewMemberRequest request;
  request.mutable_crew_member()->set_active(true);
  if (absl::Status applied = ApplyCrewEdits(options, *request.mutable_crew_member());
      !applied.ok()) {
    return ReportBadInput(std::string(applied.message()));
  }
  SetCrewFieldFlags(session);
  v1::CreateCrewMemberResponse response;
  if (ExitCode code = session.Call(&SchedulingService::Stub::CreateCrewMember, request, &response);
      code != kExitOk) {
    return code;
  }
  PrintCrewSaved(session, response.crew_member(), "added", response);
  return kExitOk;
}

// Changes only what was given; the etag read (or --etag) guards against a
// concurrent edit (exit 3). A bad flag value is reported before anything is asked.
ExitCode UpdateCrew(Session& session, const CrewEditOptions& options) {
  v1::CrewMember probe;
  if (absl::Status checked = ApplyCrewEdits(options, probe); !checked.ok()) {
    return ReportBadInput(std::string(checked.message()));
  }
  v1::GetCrewMemberRequest get;
  get.set_crew_member_id(options.id);
  v1::GetCrewMemberResponse existing;
  if (ExitCode code = session.Call(&SchedulingService::Stub::GetCrewMember, get, &existing);
      code != kExitOk) {
    return code;
  }
  v1::UpdateCrewMemberRequest request;
  *request.mutable_crew_member() = existing.crew_member();
  request.set_etag(options.etag.empty() ? existing.crew_member().etag() : options.etag);
  if (absl::Status applied = ApplyCrewEdits(options, *request.mutable_crew_member());
      !applied.ok()) {
    return ReportBadInput(std::string(applied.message()));
  }
  SetCrewFieldFlags(session);
  v1::UpdateCrewMemberResponse response;
  if (ExitCode code = session.Call(&SchedulingService::Stub::UpdateCrewMember, request, &response);
      code != kExitOk) {
    return code;
  }
  PrintCrewSaved(session, response.crew_member(), "updated", response);
  return kExitOk;
}

struct CalendarUrlOptions {
  std::string id, request_id;
  bool reset = false;
};

// The secret URL of a member's iCalendar feed (no id: the caller's own, with a crew token);
// --reset makes a new one and the old one stops working at once.
ExitCode CalendarUrl(Session& session, const CalendarUrlOptions& options) {
  session.SetFieldFlags({{"crew_member_id", "ID"}, {"request_id", "--request-id"}});
  std::string url, member;
  if (options.reset) {
    v1::ResetCalendarFeedRequest request;
    request.set_request_id(options.request_id);
    request.set_crew_member_id(options.id);
    v1::ResetCalendarFeedResponse response;
    if (ExitCode code =
            session.Call(&SchedulingService::Stub::ResetCalendarFeed, request, &response);
        code != kExitOk) {
      return code;
    }
    if (session.json()) return PrintAnswer(session, response, [] {});
    url = response.url();
    member = response.crew_member_id();
  } else {
    v1::GetCalendarFeedRequest request;
    request.set_crew_member_id(options.id);
    v1::GetCalendarFeedResponse response;
    if (ExitCode code = session.Call(&SchedulingService::Stub::GetCalendarFeed, request, &response);
        code != kExitOk) {
      return code;
    }
    if (session.json()) return PrintAnswer(session, response, [] {});
    url = response.url();
    member = response.crew_member_id();
  }
  std::cout << (options.reset ? "New calendar feed of " : "Calendar feed of ") << member
            << (options.reset ? " (every earlier URL is dead)" : "")
            << "; subscribe to it in a calendar app, and keep it secret: it reads without a "
               "token\n"
            << url << "\n";
  return kExitOk;
}

struct UnavailabilityOptions {
  std::string crew, vehicle, kind = "time-off", from, to, reason;
};

ExitCode AddUnavailability(Session& session, const UnavailabilityOptions& options) {
  v1::AddUnavailabilityRequest request;
  v1::Unavailability& entry = *request.mutable_unavailability();
  if (!options.crew.empty()) entry.set_crew_member_id(options.crew);
  if (!options.vehicle.empty()) entry.set_vehicle_id(options.vehicle);
  absl::StatusOr<v1::UnavailabilityKind> kind = ParseEnum<v1::UnavailabilityKind>(options.kind);
  if (!kind.ok()) return ReportBadInput("--kind: " + std::string(kind.status().message()));
  entry.set_kind(*kind);
  for (auto [flag, text, target] :
       {std::tuple{"--from", options.from, entry.mutable_window()->mutable_not_before()},
        std::tuple{"--to", options.to, entry.mutable_window()->mutable_no_later_than()}}) {
    absl::StatusOr<google::protobuf::Timestamp> time = ParseTime(text);
    if (!time.ok())
      return ReportBadInput(std::string(flag) + ": " + std::string(time.status().message()));
    *target = *time;
  }
  entry.set_reason(options.reason);
  v1::AddUnavailabilityResponse response;
  if (ExitCode code = session.Call(&SchedulingService::Stub::AddUnavailability, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  std::cout << "added " << response.unavailability().unavailability_id() << " ("
            << EnumWord(response.unavailability().kind()) << ", "
            << FormatWindow(response.unavailability().window()) << ")\n";
  if (response.affected_task_ids_size() > 0) {
    std::cout << response.affected_task_ids_size()
              << " planned tasks were assigned in that time and are re-planned: "
              << absl::StrJoin(response.affected_task_ids(), " ") << "\n";
  }
  return kExitOk;
}

ExitCode ListUnavailability(Session& session, const UnavailabilityOptions& options) {
  v1::ListUnavailabilityRequest request;
  request.set_crew_member_id(options.crew);
  request.set_vehicle_id(options.vehicle);
  if (!options.from.empty() || !options.to.empty()) {
    for (auto [flag, text, target] :
         {std::tuple{"--from", options.from.empty() ? "now" : options.from,
                     request.mutable_overlapping()->mutable_not_before()},
          std::tuple{"--to", options.to.empty() ? "+365d" : options.to,
                     request.mutable_overlapping()->mutable_no_later_than()}}) {
      absl::StatusOr<google::protobuf::Timestamp> time = ParseTime(text);
      if (!time.ok())
        return ReportBadInput(std::string(flag) + ": " + std::string(time.status().message()));
      *target = *time;
    }
  }
  v1::ListUnavailabilityResponse response;
  if (ExitCode code =
          session.CallAllPages(&SchedulingService::Stub::ListUnavailability, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  Table table({"id", "who", "kind", "window", "reason"});
  for (const v1::Unavailability& entry : response.unavailability()) {
    table.AddRow({entry.unavailability_id(),
                  entry.has_crew_member_id() ? entry.crew_member_id() : entry.vehicle_id(),
                  EnumWord(entry.kind()), FormatWindow(entry.window()), entry.reason()});
  }
  table.Print();
  return kExitOk;
}

ExitCode DeleteUnavailability(Session& session, const std::string& id) {
  v1::DeleteUnavailabilityRequest request;
  request.set_unavailability_id(id);
  v1::DeleteUnavailabilityResponse response;
  if (ExitCode code =
          session.Call(&SchedulingService::Stub::DeleteUnavailability, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
  } else {
    std::cout << "deleted " << response.unavailability_id() << "\n";
  }
  return kExitOk;
}

struct VehicleListOptions {
  std::string vehicle_class, warehouse;
  bool include_inactive = false;
};

ExitCode ListVehicles(Session& session, const VehicleListOptions& options) {
  v1::ListVehiclesRequest request;
  if (!options.vehicle_class.empty()) {
    absl::StatusOr<v1::VehicleClass> vehicle_class =
        ParseEnum<v1::VehicleClass>(options.vehicle_class);
    if (!vehicle_class.ok()) {
      return ReportBadInput("--class: " + std::string(vehicle_class.status().message()));
    }
    request.set_vehicle_class(*vehicle_class);
  }
  request.set_home_warehouse_id(options.warehouse);
  request.set_include_inactive(options.include_inactive);
  v1::ListVehiclesResponse response;
  if (ExitCode code =
          session.CallAllPages(&SchedulingService::Stub::ListVehicles, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  Table table({"id", "name", "class", "registration", "warehouse", "active"});
  for (const v1::Vehicle& vehicle : response.vehicles()) {
    table.AddRow({vehicle.vehicle_id(), vehicle.display_name(), EnumWord(vehicle.vehicle_class()),
                  vehicle.registration(), vehicle.home_warehouse_id(), YesNo(vehicle.active())});
  }
  table.Print();
  return kExitOk;
}

struct VehicleEditOptions {
  std::string id, name, vehicle_class, registration, warehouse;
  std::optional<bool> active;
};

absl::Status ApplyVehicleEdits(const VehicleEditOptions& options, v1::Vehicle& vehicle) {
  vehicle.set_vehicle_id(options.id);
  if (!options.name.empty()) vehicle.set_display_name(options.name);
  if (!options.vehicle_class.empty()) {
    absl::StatusOr<v1::VehicleClass> vehicle_class =
        ParseEnum<v1::VehicleClass>(options.vehicle_class);
    if (!vehicle_class.ok())
      return absl::InvalidArgumentError("--class: " +
                                        std::string(vehicle_class.status().message()));
    vehicle.set_vehicle_class(*vehicle_class);
  }
  if (!options.registration.empty()) vehicle.set_registration(options.registration);
  if (!options.warehouse.empty()) vehicle.set_home_warehouse_id(options.warehouse);
  if (options.active) vehicle.set_active(*options.active);
  return absl::OkStatus();
}

ExitCode SaveVehicle(Session& session, const VehicleEditOptions& options, bool create) {
  v1::Vehicle vehicle;
  std::string etag;
  if (create) {
    vehicle.set_active(true);
  } else {
    v1::GetVehicleRequest get;
    get.set_vehicle_id(options.id);
    v1::GetVehicleResponse existing;
    if (ExitCode code = session.Call(&SchedulingService::Stub::GetVehicle, get, &existing);
        code != kExitOk) {
      return code;
    }
    vehicle = existing.vehicle();
    etag = vehicle.etag();
  }
  if (absl::Status applied = ApplyVehicleEdits(options, vehicle); !applied.ok()) {
    return ReportBadInput(std::string(applied.message()));
  }
  v1::Vehicle saved;
  if (create) {
    v1::CreateVehicleRequest request;
    *request.mutable_vehicle() = vehicle;
    v1::CreateVehicleResponse response;
    if (ExitCode code = session.Call(&SchedulingService::Stub::CreateVehicle, request, &response);
        code != kExitOk) {
      return code;
    }
    if (session.json()) PrintJson(response);
    saved = response.vehicle();
  } else {
    v1::UpdateVehicleRequest request;
    *request.mutable_vehicle() = vehicle;
    request.set_etag(etag);
    v1::UpdateVehicleResponse response;
    if (ExitCode code = session.Call(&SchedulingService::Stub::UpdateVehicle, request, &response);
        code != kExitOk) {
      return code;
    }
    if (session.json()) PrintJson(response);
    saved = response.vehicle();
  }
  if (!session.json()) {
    std::cout << (create ? "added " : "updated ") << saved.vehicle_id() << " ("
              << saved.display_name() << ")\n";
  }
  return kExitOk;
}

ExitCode ImportFile(Session& session, const std::string& path, bool crew) {
  ImportContext context;
  context.session = &session;
  ImportCounts counts;
  ExitCode code =
      crew ? ImportCrew(context, path, &counts) : ImportVehicles(context, path, &counts);
  if (code != kExitOk) return code;
  if (session.json()) {
    PrintJson(nlohmann::json{{crew ? "crew" : "vehicles", counts.ToJson()}});
  } else {
    std::cout << (crew ? "crew:     " : "vehicles: ") << counts.ToText() << "\n";
  }
  return kExitOk;
}

void AddCrewEditFlags(CLI::App* command, CrewEditOptions& options, bool create) {
  command->add_option("id", options.id, "Crew member id, e.g. CREW-ALEX")->required();
  command->add_option("--name", options.name, create ? "Display name (required)" : "Display name");
  command->add_option("--person-id", options.person,
                      "The actor id this person signs in as (a CREW token's), e.g. alex.moreau");
  command->add_option("--skill", options.skills,
                      "A held skill CODE[/LEVEL][@EXPIRY-DAY] (video, GRANDMA3/2, "
                      "RIGGER/2@2031-03-31, FORKLIFT@+90d); repeatable, replaces all");
  command->add_option("--warehouse", options.warehouse, "Home warehouse id");
  command->add_option("--shifts", options.shifts,
                      "Weekly working hours, e.g. 'mon-fri 08:00-17:00; sat 09:00-13:00'");
  command->add_option("--contracted", options.contracted, "Contracted time a week, e.g. 38h");
  command->add_option("--zone", options.zone, "Zone id");
  CLI::Option* freelancer = command->add_flag(
      "--freelancer", options.freelancer,
      "A freelancer: never placed by the solver, offered work in-house crew cannot cover");
  command
      ->add_flag(
          "--employee", options.employee,
          std::string("An employee, placed by the solver") + (create ? " (the default)" : ""))
      ->excludes(freelancer);
  command->add_option("--day-fee", options.day_fee,
                      "A freelancer's fee per day worked, e.g. '300 EUR' (no currency: EUR)" +
                          std::string(create ? "" : "; none removes it"));
  command->add_option("--hour-fee", options.hour_fee,
                      "A freelancer's fee per hour, quoted when cheaper for the work, e.g. "
                      "'45 EUR'" +
                          std::string(create ? "" : "; none removes it"));
  command->add_option("--hourly-cost", options.hourly_cost,
                      "ADMIN: an employee's cost per hour paid (wage and on-costs), what "
                      "labour-cost counts their planned hours at, e.g. '32 EUR'" +
                          std::string(create ? "" : "; none removes it"));
  command->add_option("--beyond-shift-percent", options.beyond_shift_percent,
                      "Added to the pay for hours outside an employee's shifts, or beyond a "
                      "freelancer's day: 50 pays them at 150 % (0 to 400)");
  command->add_option("--night-work-percent", options.night_work_percent,
                      "Added to the pay for hours inside the night (crew-rules --night): 25 pays "
                      "them at 125 % (0 to 400)");
  CLI::Option* chief =
      command->add_flag("--crew-chief", options.crew_chief,
                        "A crew chief: confirms the hours of the crew on the tasks they work too");
  if (!create) {
    command->add_flag("--no-crew-chief", options.no_crew_chief, "No longer a crew chief")
        ->excludes(chief);
    command->add_option("--active", options.active, "true or false");
    command->add_option("--etag", options.etag, "Refuse (exit 3) unless still at this etag");
  }
}

void AddVehicleEditFlags(CLI::App* command, VehicleEditOptions& options, bool create) {
  command->add_option("id", options.id, "Vehicle id, e.g. VAN-1")->required();
  command->add_option("--name", options.name, create ? "Display name (required)" : "Display name");
  command->add_option("--class", options.vehicle_class,
                      "van, box-truck, rigid-truck or articulated-truck");
  command->add_option("--registration", options.registration, "Number plate");
  command->add_option("--warehouse", options.warehouse, "Home warehouse id");
  if (!create) command->add_option("--active", options.active, "true or false");
}

}  // namespace

void AddCrewCommands(CommandTree& tree) {
  CLI::App* crew = tree.AddGroup(tree.root(), "crew", "Crew members, skills, hours and time off");
  {
    auto options = MakeOptions<CrewListOptions>();
    CLI::App* list = crew->add_subcommand("list", "List crew members");
    list->add_option("--skill", options->skill,
                     "Only crew holding this skill code (GRANDMA3, video), expired or not");
    list->add_option("--warehouse", options->warehouse, "Only crew based at this warehouse");
    list->add_option("--search", options->search, "Words in the name or id");
    list->add_flag("--include-inactive", options->include_inactive, "Also inactive crew");
    tree.OnRun(list, [options](Session& session) { return ListCrew(session, *options); });
  }
  {
    auto id = std::make_shared<std::string>();
    CLI::App* show = crew->add_subcommand("show", "One crew member");
    show->add_option("id", *id, "Crew member id")->required();
    tree.OnRun(show, [id](Session& session) { return ShowCrew(session, *id); });
  }
  {
    auto options = MakeOptions<CrewEditOptions>();
    CLI::App* add = crew->add_subcommand("add", "Add a crew member (OPS)");
    AddCrewEditFlags(add, *options, true);
    tree.OnRun(add, [options](Session& session) { return AddCrew(session, *options); });
  }
  {
    auto options = MakeOptions<CrewEditOptions>();
    CLI::App* update =
        crew->add_subcommand("update", "Change the given fields of a crew member (OPS)");
    AddCrewEditFlags(update, *options, false);
    tree.OnRun(update, [options](Session& session) { return UpdateCrew(session, *options); });
  }
  {
    auto path = std::make_shared<std::string>();
    CLI::App* import = crew->add_subcommand(
        "import",
        "Load crew from CSV (OPS); idempotent.\n  columns: crew_member_id,display_name,skills,"
        "home_warehouse_id,weekly_shifts,contracted_weekly,zone_id,person_id,employment,day_fee,"
        "hour_fee,crew_chief,hourly_cost,beyond_shift_percent,night_work_percent\n  (skills: "
        "'VIDEO RIGGER/2@2031-03-31 FORKLIFT@+90d'; a day counted from today is counted on the "
        "first import and kept after; employment: employee or freelancer; fees and hourly_cost: "
        "'300 EUR'; crew_chief: yes or no; percents: 50; a file without one of the columns from "
        "employment on leaves that field as it is; hourly_cost is ADMIN's to import)");
    import->add_option("file", *path, "Crew CSV file")->required()->check(CLI::ExistingFile);
    tree.OnRun(import, [path](Session& session) { return ImportFile(session, *path, true); });
  }
  {
    auto options = MakeOptions<CalendarUrlOptions>();
    CLI::App* calendar = crew->add_subcommand(
        "calendar-url",
        "The secret URL of a crew member's iCalendar feed, which calendar apps subscribe to "
        "(OPS; a crew token: its own)");
    calendar->add_option("id", options->id, "Crew member id (none: the caller's own)");
    calendar->add_flag(
        "--reset", options->reset,
        "A new URL: the old one stops working at once (a lost phone, a shared link)");
    calendar->add_option("--request-id", options->request_id,
                         "Idempotency key of a --reset: the same key again is answered, not done, "
                         "twice");
    tree.OnRun(calendar, [options](Session& session) { return CalendarUrl(session, *options); });
  }
  CLI::App* unavailability =
      tree.AddGroup(*crew, "unavailability", "Time off, sick leave, training (crew or vehicles)");
  {
    auto options = MakeOptions<UnavailabilityOptions>();
    CLI::App* add = unavailability->add_subcommand(
        "add", "Mark a crew member or vehicle unavailable; their tasks are re-planned (OPS)");
    add->add_option("--crew", options->crew, "Crew member id");
    add->add_option("--vehicle", options->vehicle, "Vehicle id (repair)");
    add->add_option("--kind", options->kind, "time-off, sick-leave, training, repair or other")
        ->capture_default_str();
    add->add_option("--from", options->from, "Start")->required();
    add->add_option("--to", options->to, "End, exclusive")->required();
    add->add_option("--reason", options->reason, "Why, in a few words");
    tree.OnRun(add, [options](Session& session) { return AddUnavailability(session, *options); });
  }
  {
    auto options = MakeOptions<UnavailabilityOptions>();
    CLI::App* list = unavailability->add_subcommand("list", "List unavailability");
    list->add_option("--crew", options->crew, "Only this crew member");
    list->add_option("--vehicle", options->vehicle, "Only this vehicle");
    list->add_option("--from", options->from, "Overlapping from (default now)");
    list->add_option("--to", options->to, "Overlapping until (default a year ahead)");
    tree.OnRun(list, [options](Session& session) { return ListUnavailability(session, *options); });
  }
  {
    auto id = std::make_shared<std::string>();
    CLI::App* remove = unavailability->add_subcommand("delete", "Remove an unavailability (OPS)");
    remove->add_option("id", *id, "Unavailability id")->required();
    tree.OnRun(remove, [id](Session& session) { return DeleteUnavailability(session, *id); });
  }

  CLI::App* vehicles = tree.AddGroup(tree.root(), "vehicles", "Vans and trucks");
  {
    auto options = MakeOptions<VehicleListOptions>();
    CLI::App* list = vehicles->add_subcommand("list", "List vehicles");
    list->add_option("--class", options->vehicle_class, "Only this class (van, box-truck, ...)");
    list->add_option("--warehouse", options->warehouse, "Only vehicles based here");
    list->add_flag("--include-inactive", options->include_inactive, "Also inactive vehicles");
    tree.OnRun(list, [options](Session& session) { return ListVehicles(session, *options); });
  }
  {
    auto options = MakeOptions<VehicleEditOptions>();
    CLI::App* add = vehicles->add_subcommand("add", "Add a vehicle (OPS)");
    AddVehicleEditFlags(add, *options, true);
    tree.OnRun(add, [options](Session& session) { return SaveVehicle(session, *options, true); });
  }
  {
    auto options = MakeOptions<VehicleEditOptions>();
    CLI::App* update =
        vehicles->add_subcommand("update", "Change the given fields of a vehicle (OPS)");
    AddVehicleEditFlags(update, *options, false);
    tree.OnRun(update,
               [options](Session& session) { return SaveVehicle(session, *options, false); });
  }
  {
    auto path = std::make_shared<std::string>();
    CLI::App* import = vehicles->add_subcommand(
        "import",
        "Load vehicles from CSV (OPS); idempotent.\n  columns: vehicle_id,display_name,"
        "vehicle_class,registration,home_warehouse_id");
    import->add_option("file", *path, "Vehicles CSV file")->required()->check(CLI::ExistingFile);
    tree.OnRun(import, [path](Session& session) { return ImportFile(session, *path, false); });
  }
}

}  // namespace salesops::cli
