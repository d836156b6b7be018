// skills: the company's skill catalog (scheduling's), which crew hold and products' crew needs
// name by code. Everyone reads it; adding and changing a skill takes an ADMIN token.
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <absl/time/time.h>

#include <CLI/CLI.hpp>
#include <algorithm>

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

// "1 operator, 2 programmer": the numbers --skill CODE/LEVEL and --crew CODE/LEVEL:... take.
std::string LevelsText(const v1::SkillDefinition& skill) {
  std::vector<std::string> levels;
  for (int i = 0; i < skill.level_names_size(); ++i) {
    levels.push_back(absl::StrCat(i + 1, " ", skill.level_names(i)));
  }
  return levels.empty() ? "-" : absl::StrJoin(levels, ", ");
}

// "2 (programmer)" when the definition names the level.
std::string LevelText(const v1::SkillDefinition& skill, int level) {
  level = std::max(level, 1);
  if (level > skill.level_names_size()) return std::to_string(level);
  return absl::StrCat(level, " (", skill.level_names(level - 1), ")");
}

ExitCode ListSkills(Session& session) {
  v1::ListSkillsResponse response;
  if (ExitCode code = session.CallAllPages(&SchedulingService::Stub::ListSkills,
                                           v1::ListSkillsRequest(), &response);
      code != kExitOk) {
    return code;
  }
  return PrintAnswer(session, response, [&] {
    Table table({"code", "name", "levels", "certificate"});
    for (const v1::SkillDefinition& skill : response.skills()) {
      table.AddRow({skill.skill_code(), skill.name(), LevelsText(skill),
                    skill.certificate_required() ? "required" : "-"});
    }
    table.Print();
  });
}

// The active crew holding the skill, for `show`; left out for a role that may not list crew.
ExitCode PrintHolders(Session& session, const v1::SkillDefinition& skill) {
  v1::ListCrewMembersRequest request;
  request.set_skill_code(skill.skill_code());
  request.set_page_size(1000);
  v1::ListCrewMembersResponse holders;
  do {
    v1::ListCrewMembersResponse page;
    grpc::Status status = session.Invoke(&SchedulingService::Stub::ListCrewMembers, request, &page);
    if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED) return kExitOk;
    if (!status.ok()) return session.ReportError(status, Endpoint::kScheduling);
    holders.MergeFrom(page);
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  std::cout << "\nHeld by:\n";
  if (holders.crew_members().empty()) {
    std::cout << "  nobody yet (crew update ID --skill " << skill.skill_code() << "...)\n";
    return kExitOk;
  }
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::LocalTimeZone());
  Table table({"crew", "name", "level", "certificate expires", "state"});
  for (const v1::CrewMember& member : holders.crew_members()) {
    for (const v1::HeldSkill& held : member.held_skills()) {
      if (held.skill_code() != skill.skill_code()) continue;
      table.AddRow(
          {member.crew_member_id(), member.display_name(), LevelText(skill, held.level()),
           held.has_certificate_expiry_day() ? FormatDay(held.certificate_expiry_day()) : "-",
           CertificateState(held, today)});
    }
  }
  table.Print();
  return kExitOk;
}

ExitCode ShowSkill(Session& session, const std::string& code) {
  v1::GetSkillRequest request;
  request.set_skill_code(SkillCodeFromText(code));
  v1::GetSkillResponse response;
  if (ExitCode exit = session.Call(&SchedulingService::Stub::GetSkill, request, &response);
      exit != kExitOk) {
    return exit;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  const v1::SkillDefinition& skill = response.skill();
  Details details;
  details.Add("Code", skill.skill_code());
  details.Add("Name", skill.name());
  details.Add("Levels", LevelsText(skill));
  details.Add("Certificate", skill.certificate_required()
                                 ? "required: crew hold it with an expiry day"
                                 : "not needed");
  details.Add("Description", skill.description().empty() ? "-" : skill.description());
  details.Add("Etag", skill.etag());
  details.Add("Updated", FormatTime(skill.update_time()));
  details.Print();
  return PrintHolders(session, skill);
}

struct SkillEditOptions {
  std::string code, name, description, etag, request_id;
  std::vector<std::string> levels;
  bool certificate = false;
  bool no_certificate = false;
};

void ApplySkillEdits(const SkillEditOptions& options, v1::SkillDefinition& skill) {
  skill.set_skill_code(SkillCodeFromText(options.code));
  if (!options.name.empty()) skill.set_name(options.name);
  if (!options.levels.empty()) {
    skill.clear_level_names();
    for (const std::string& level : options.levels) skill.add_level_names(level);
  }
  if (options.certificate) skill.set_certificate_required(true);
  if (options.no_certificate) skill.set_certificate_required(false);
  if (!options.description.empty()) skill.set_description(options.description);
}

void PrintSkillSaved(Session& session, const v1::SkillDefinition& skill, const char* verb,
                     const google::protobuf::Message& response) {
  if (session.json()) {
    PrintJson(response);
  } else {
    std::cout << verb << " " << skill.skill_code() << " (" << skill.name() << ", etag "
              << skill.etag() << ")\n";
  }
}

void SetSkillFieldFlags(Session& session) {
  session.SetFieldFlags(
      {{"name", "--name"}, {"level_names", "--level"}, {"description", "--description"}});
}

ExitCode AddSkill(Session& session, const SkillEditOptions& options) {
  v1::CreateSkillRequest request;
  request.set_request_id(options.request_id);
  ApplySkillEdits(options, *request.mutable_skill());
  SetSkillFieldFlags(session);
  v1::CreateSkillResponse response;
  if (ExitCode code = session.Call(&SchedulingService::Stub::CreateSkill, request, &response);
      code != kExitOk) {
    return code;
  }
  PrintSkillSaved(session, response.skill(), "added", response);
  return kExitOk;
}

// Changes only what was given; the etag read (or --etag) guards against a concurrent edit
// (exit 3).
ExitCode UpdateSkill(Session& session, const SkillEditOptions& options) {
  v1::GetSkillRequest get;
  get.set_skill_code(SkillCodeFromText(options.code));
  v1::GetSkillResponse existing;
  if (ExitCode code = session.Call(&SchedulingService::Stub::GetSkill, get, &existing);
      code != kExitOk) {
    return code;
  }
  v1::UpdateSkillRequest request;
  request.set_request_id(options.request_id);
  *request.mutable_skill() = existing.skill();
  request.set_etag(options.etag.empty() ? existing.skill().etag() : options.etag);
  ApplySkillEdits(options, *request.mutable_skill());
  SetSkillFieldFlags(session);
  v1::UpdateSkillResponse response;
  if (ExitCode code = session.Call(&SchedulingService::Stub::UpdateSkill, request, &response);
      code != kExitOk) {
    return code;
  }
  PrintSkillSaved(session, response.skill(), "updated", response);
  return kExitOk;
}

ExitCode ImportSkillFile(Session& session, const std::string& path) {
  ImportContext context;
  context.session = &session;
  ImportCounts counts;
  if (ExitCode code = ImportSkills(context, path, &counts); code != kExitOk) return code;
  if (session.json()) {
    PrintJson(nlohmann::json{{"skills", counts.ToJson()}});
  } else {
    std::cout << "skills: " << counts.ToText() << "\n";
  }
  return kExitOk;
}

void AddSkillEditFlags(CLI::App* command, SkillEditOptions& options, bool create) {
  command->add_option("code", options.code, "Skill code, e.g. GRANDMA3, RIGGER, FORKLIFT")
      ->required();
  command->add_option(
      "--name", options.name,
      create ? "What people call it (required), e.g. 'grandMA3 operator'" : "What people call it");
  command->add_option("--level", options.levels,
                      "A level's name, lowest first; repeatable (--level operator --level "
                      "programmer: CODE/2 is programmer)" +
                          std::string(create ? "; none: one level" : "; replaces all"));
  CLI::Option* certificate = command->add_flag(
      "--certificate", options.certificate,
      "Holding it needs a certificate with an expiry day (crew --skill CODE@YYYY-MM-DD)");
  if (!create) {
    command->add_flag("--no-certificate", options.no_certificate, "No certificate needed any more")
        ->excludes(certificate);
  }
  command->add_option("--description", options.description, "What holding it means");
  if (!create) {
    command->add_option("--etag", options.etag, "Refuse (exit 3) unless still at this etag");
  }
  command->add_option("--request-id", options.request_id,
                      "Idempotency key: the same key again is answered, not done, twice");
}

}  // namespace

void AddSkillCommands(CommandTree& tree) {
  CLI::App* skills = tree.AddGroup(
      tree.root(), "skills",
      "The skill catalog: the codes crew hold (with levels and certificates) and crew needs name");
  {
    CLI::App* list = skills->add_subcommand("list", "List the skills, by code");
    tree.OnRun(list, [](Session& session) { return ListSkills(session); });
  }
  {
    auto code = std::make_shared<std::string>();
    CLI::App* show = skills->add_subcommand(
        "show", "One skill: its levels, whether it needs a certificate, and who holds it");
    show->add_option("code", *code, "Skill code")->required();
    tree.OnRun(show, [code](Session& session) { return ShowSkill(session, *code); });
  }
  {
    auto options = MakeOptions<SkillEditOptions>();
    CLI::App* add = skills->add_subcommand("add", "Add a skill to the catalog (ADMIN)");
    AddSkillEditFlags(add, *options, true);
    tree.OnRun(add, [options](Session& session) { return AddSkill(session, *options); });
  }
  {
    auto options = MakeOptions<SkillEditOptions>();
    CLI::App* update = skills->add_subcommand(
        "update",
        "Change the given fields of a skill (ADMIN); levels may be added, not removed, while "
        "someone holds or needs them");
    AddSkillEditFlags(update, *options, false);
    tree.OnRun(update, [options](Session& session) { return UpdateSkill(session, *options); });
  }
  {
    auto path = std::make_shared<std::string>();
    CLI::App* import = skills->add_subcommand(
        "import",
        "Load skills from CSV (ADMIN); idempotent.\n  columns: skill_code,name,levels,"
        "certificate_required,description\n  (levels: 'operator;programmer', lowest first; "
        "certificate_required: yes or no)");
    import->add_option("file", *path, "Skills CSV file")->required()->check(CLI::ExistingFile);
    tree.OnRun(import, [path](Session& session) { return ImportSkillFile(session, *path); });
  }
}

}  // namespace salesops::cli
