#include "cli/bulk_import.h"

#include <absl/strings/ascii.h>
#include <absl/strings/numbers.h>
#include <absl/strings/str_cat.h>
#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "cli/csv_reader.h"
#include "cli/directory_fields.h"
#include "cli/input_parsing.h"
#include "cli/inventory_stub.h"
#include "cli/scheduling_stub.h"
#include "services/common/skill_codes.h"

namespace salesops::cli {
namespace {

// How one kind of record is read from a row, fetched and written.
template <typename Entity>
struct ImportSpec {
  std::vector<std::string> required_columns;
  std::vector<std::string> known_columns;
  Endpoint endpoint;
  std::function<absl::StatusOr<Entity>(const CsvRecord&)> parse;
  std::function<std::string(const Entity&)> id;
  std::function<grpc::Status(Session&, const std::string& id, Entity* existing)> get;
  // `existing` is null when the record is new.
  std::function<grpc::Status(Session&, const Entity& desired, const Entity* existing)> write;
  // Optional: takes over from the record held what the row leaves to it, before comparing.
  std::function<void(const Entity& existing, Entity* desired)> keep;
  // Optional: a record as both sides are compared, without what the service fills in itself
  // beyond the etag and times (a superseded field it answers alongside the new one).
  std::function<void(Entity*)> comparable;
};

// The fields the services fill in themselves never make two records differ.
template <typename Entity>
bool SameContent(Entity desired, Entity existing,
                 const std::function<void(Entity*)>& comparable = nullptr) {
  for (Entity* entity : {&desired, &existing}) {
    const google::protobuf::Descriptor* descriptor = entity->GetDescriptor();
    for (const char* name : {"etag", "create_time", "update_time"}) {
      if (const auto* field = descriptor->FindFieldByName(name)) {
        entity->GetReflection()->ClearField(entity, field);
      }
    }
    if (comparable) comparable(entity);
  }
  return google::protobuf::util::MessageDifferencer::Equals(desired, existing);
}

template <typename Entity>
ExitCode RunImport(const ImportContext& context, const std::string& path,
                   const ImportSpec<Entity>& spec, ImportCounts* counts) {
  absl::StatusOr<std::vector<CsvRecord>> records =
      ReadCsvFile(path, spec.required_columns, spec.known_columns);
  if (!records.ok()) return ReportBadInput(std::string(records.status().message()));
  Session& session = *context.session;
  for (const CsvRecord& row : *records) {
    std::string where = absl::StrCat(path, " row ", row.row);
    absl::StatusOr<Entity> desired = spec.parse(row);
    if (!desired.ok())
      return ReportBadInput(where + ": " + std::string(desired.status().message()));
    Entity existing;
    grpc::Status status = spec.get(session, spec.id(*desired), &existing);
    bool exists = status.ok();
    if (!exists && status.error_code() != grpc::StatusCode::NOT_FOUND) {
      std::cerr << where << " (" << spec.id(*desired) << "):\n";
      return session.ReportError(status, spec.endpoint);
    }
    if (exists && spec.keep) spec.keep(existing, &*desired);
    if (exists && SameContent(*desired, existing, spec.comparable)) {
      ++counts->unchanged;
      continue;
    }
    status = spec.write(session, *desired, exists ? &existing : nullptr);
    if (!status.ok()) {
      std::cerr << where << " (" << spec.id(*desired) << "):\n";
      return session.ReportError(status, spec.endpoint);
    }
    ++(exists ? counts->updated : counts->created);
  }
  return kExitOk;
}

absl::Status CheckWarehouse(const ImportContext& context, const std::string& warehouse) {
  if (warehouse.empty() || context.warehouses.empty() || context.warehouses.count(warehouse)) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError("unknown warehouse '" + warehouse + "'");
}

absl::StatusOr<int> ParseCount(const CsvRecord& row, const std::string& column) {
  int value = 0;
  std::string text = row.Get(column);
  if (text.empty()) return 0;
  if (!absl::SimpleAtoi(text, &value)) {
    return absl::InvalidArgumentError(column + " must be a whole number, not '" + text + "'");
  }
  return value;
}

}  // namespace

// Session::Invoke takes a member pointer; these adapt each Get to "fetch the
// entity by id" so RunImport can treat every kind alike.
namespace {

grpc::Status GetItem(Session& session, const std::string& code, v1::Item* item) {
  v1::GetItemRequest request;
  request.set_inventory_code(code);
  v1::GetItemResponse response;
  grpc::Status status = session.Invoke(&v1::InventoryService::Stub::GetItem, request, &response);
  *item = response.item();
  return status;
}

grpc::Status GetProduct(Session& session, const std::string& code, v1::Product* product) {
  v1::GetProductRequest request;
  request.set_product_code(code);
  v1::GetProductResponse response;
  grpc::Status status = session.Invoke(&v1::InventoryService::Stub::GetProduct, request, &response);
  *product = response.product();
  return status;
}

grpc::Status GetCrewMember(Session& session, const std::string& id, v1::CrewMember* member) {
  v1::GetCrewMemberRequest request;
  request.set_crew_member_id(id);
  v1::GetCrewMemberResponse response;
  grpc::Status status =
      session.Invoke(&v1::SchedulingService::Stub::GetCrewMember, request, &response);
  *member = response.crew_member();
  return status;
}

grpc::Status GetSkill(Session& session, const std::string& code, v1::SkillDefinition* skill) {
  v1::GetSkillRequest request;
  request.set_skill_code(code);
  v1::GetSkillResponse response;
  grpc::Status status = session.Invoke(&v1::SchedulingService::Stub::GetSkill, request, &response);
  *skill = response.skill();
  return status;
}

grpc::Status GetVehicle(Session& session, const std::string& id, v1::Vehicle* vehicle) {
  v1::GetVehicleRequest request;
  request.set_vehicle_id(id);
  v1::GetVehicleResponse response;
  grpc::Status status =
      session.Invoke(&v1::SchedulingService::Stub::GetVehicle, request, &response);
  *vehicle = response.vehicle();
  return status;
}

}  // namespace

nlohmann::json ImportCounts::ToJson() const {
  return {{"created", created}, {"updated", updated}, {"unchanged", unchanged}};
}

std::string ImportCounts::ToText() const {
  return absl::StrCat(created, " created, ", updated, " updated, ", unchanged, " unchanged");
}

ExitCode ImportItems(const ImportContext& context, const std::string& path, ImportCounts* counts) {
  ImportSpec<v1::Item> spec;
  spec.required_columns = {"inventory_code", "description"};
  spec.known_columns = {"inventory_code", "description", "category",
                        "quantity_owned", "tracking",    "warehouse_id"};
  spec.endpoint = Endpoint::kInventory;
  spec.parse = [&context](const CsvRecord& row) -> absl::StatusOr<v1::Item> {
    v1::Item item;
    item.set_inventory_code(row.Get("inventory_code"));
    item.set_description(row.Get("description"));
    item.set_category(row.Get("category"));
    absl::StatusOr<int> quantity = ParseCount(row, "quantity_owned");
    if (!quantity.ok()) return quantity.status();
    item.set_quantity_owned(*quantity);
    if (!row.Get("tracking").empty()) {
      absl::StatusOr<v1::TrackingMode> tracking = ParseEnum<v1::TrackingMode>(row.Get("tracking"));
      if (!tracking.ok()) return tracking.status();
      item.set_tracking(*tracking);
    }
    item.set_warehouse_id(row.Get("warehouse_id"));
    if (absl::Status known = CheckWarehouse(context, item.warehouse_id()); !known.ok()) {
      return known;
    }
    return item;
  };
  spec.id = [](const v1::Item& item) { return item.inventory_code(); };
  spec.get = GetItem;
  spec.write = [](Session& session, const v1::Item& item, const v1::Item* existing) {
    v1::UpsertItemRequest request;
    *request.mutable_item() = item;
    if (existing != nullptr) request.set_etag(existing->etag());
    v1::UpsertItemResponse response;
    return session.Invoke(&v1::InventoryService::Stub::UpsertItem, request, &response);
  };
  return RunImport(context, path, spec, counts);
}

ExitCode ImportProducts(const ImportContext& context, const std::string& path,
                        ImportCounts* counts) {
  ImportSpec<v1::Product> spec;
  spec.required_columns = {"product_code", "name"};
  spec.known_columns = {"product_code", "name",       "description", "day_rate",
                        "components",   "crew_needs", "prep_time",   "sale_price"};
  spec.endpoint = Endpoint::kInventory;
  spec.parse = [&context](const CsvRecord& row) -> absl::StatusOr<v1::Product> {
    v1::Product product;
    product.set_product_code(row.Get("product_code"));
    product.set_name(row.Get("name"));
    product.set_description(row.Get("description"));
    if (!row.Get("day_rate").empty()) {
      absl::StatusOr<google::type::Money> rate =
          ParseMoney(row.Get("day_rate"), context.default_currency);
      if (!rate.ok()) return rate.status();
      *product.mutable_day_rate() = *rate;
    }
    if (!row.Get("sale_price").empty()) {
      absl::StatusOr<google::type::Money> price =
          ParseMoney(row.Get("sale_price"), context.default_currency);
      if (!price.ok()) return price.status();
      *product.mutable_sale_price() = *price;
    }
    for (const std::string& word : SplitWords(row.Get("components"))) {
      absl::StatusOr<v1::InventoryLine> line = ParseInventoryLine(word);
      if (!line.ok()) return line.status();
      *product.add_components() = *line;
    }
    // Inventory keeps a kit sorted by code; sorted here too, an unchanged row compares equal.
    std::sort(product.mutable_components()->begin(), product.mutable_components()->end(),
              [](const v1::InventoryLine& a, const v1::InventoryLine& b) {
                return a.inventory_code() < b.inventory_code();
              });
    for (const std::string& word : SplitWords(row.Get("crew_needs"))) {
      absl::StatusOr<v1::CrewNeed> need = ParseCrewNeed(word);
      if (!need.ok()) return need.status();
      *product.add_crew_needs() = *need;
    }
    // Inventory answers every product with a prep time, 0 when none: so does a row without one,
    // or it would never compare unchanged.
    *product.mutable_prep_time() = google::protobuf::Duration();
    if (!row.Get("prep_time").empty()) {
      absl::StatusOr<google::protobuf::Duration> prep = ParseDuration(row.Get("prep_time"));
      if (!prep.ok()) return prep.status();
      *product.mutable_prep_time() = *prep;
    }
    return product;
  };
  spec.id = [](const v1::Product& product) { return product.product_code(); };
  spec.get = GetProduct;
  // Inventory answers a crew need's skill in both fields (the code and, for the seven built-in
  // skills, the superseded enum); a row names it by code only.
  spec.comparable = [](v1::Product* product) {
    for (v1::CrewNeed& need : *product->mutable_crew_needs()) {
      need.set_skill_code(common::SkillCodeOf(need));
      need.clear_skill();
      if (need.min_level() <= 1) need.clear_min_level();
    }
  };
  spec.write = [](Session& session, const v1::Product& product, const v1::Product* existing) {
    v1::UpsertProductRequest request;
    *request.mutable_product() = product;
    if (existing != nullptr) request.set_etag(existing->etag());
    v1::UpsertProductResponse response;
    return session.Invoke(&v1::InventoryService::Stub::UpsertProduct, request, &response);
  };
  return RunImport(context, path, spec, counts);
}

ExitCode ImportCrew(const ImportContext& context, const std::string& path, ImportCounts* counts) {
  ImportSpec<v1::CrewMember> spec;
  // Per member, the skills whose certificate day the row counts from today (+90d): counted on
  // the first import, and kept after, so that importing the same file again changes nothing.
  auto counted_days = std::make_shared<std::map<std::string, std::set<std::string>>>();
  spec.required_columns = {"crew_member_id", "display_name", "skills"};
  // The columns of what a member costs and does beyond their skills, each optional: a file
  // without one leaves that field as the member has it (set with `crew update`), so files
  // written before a column existed still import without undoing what was set since.
  auto absent_columns = std::make_shared<std::set<std::string>>();
  spec.known_columns = {"crew_member_id",
                        "display_name",
                        "skills",
                        "home_warehouse_id",
                        "weekly_shifts",
                        "contracted_weekly",
                        "zone_id",
                        "person_id",
                        "employment",
                        "day_fee",
                        "hour_fee",
                        "crew_chief",
                        "hourly_cost",
                        "beyond_shift_percent",
                        "night_work_percent"};
  spec.endpoint = Endpoint::kScheduling;
  spec.parse = [&context, counted_days,
                absent_columns](const CsvRecord& row) -> absl::StatusOr<v1::CrewMember> {
    v1::CrewMember member;
    member.set_crew_member_id(row.Get("crew_member_id"));
    member.set_display_name(row.Get("display_name"));
    member.set_person_id(row.Get("person_id"));
    std::set<std::string>& counted = (*counted_days)[member.crew_member_id()];
    counted.clear();
    for (const std::string& word : SplitWords(row.Get("skills"))) {
      bool counted_day = false;
      absl::StatusOr<v1::HeldSkill> held = ParseHeldSkill(word, absl::Now(), &counted_day);
      if (!held.ok()) {
        return absl::InvalidArgumentError("skills: " + std::string(held.status().message()));
      }
      if (counted_day) counted.insert(held->skill_code());
      *member.add_held_skills() = *held;
    }
    member.set_home_warehouse_id(row.Get("home_warehouse_id"));
    if (absl::Status known = CheckWarehouse(context, member.home_warehouse_id()); !known.ok()) {
      return known;
    }
    absl::StatusOr<std::vector<v1::WorkShift>> shifts = ParseShifts(row.Get("weekly_shifts"));
    if (!shifts.ok()) return shifts.status();
    for (const v1::WorkShift& shift : *shifts) *member.add_weekly_shifts() = shift;
    if (!row.Get("contracted_weekly").empty()) {
      absl::StatusOr<google::protobuf::Duration> hours =
          ParseDuration(row.Get("contracted_weekly"));
      if (!hours.ok()) return hours.status();
      *member.mutable_contracted_weekly_duration() = *hours;
    }
    member.set_zone_id(row.Get("zone_id"));
    member.set_active(true);
    for (const char* column : {"employment", "day_fee", "hour_fee", "crew_chief", "hourly_cost",
                               "beyond_shift_percent", "night_work_percent"}) {
      if (!row.fields.count(column)) absent_columns->insert(column);
    }
    const std::string employment = absl::AsciiStrToLower(row.Get("employment"));
    if (employment == "freelancer") {
      member.set_employment(v1::EMPLOYMENT_FREELANCER);
    } else if (employment == "employee" || employment.empty()) {
      member.set_employment(v1::EMPLOYMENT_EMPLOYEE);
    } else {
      return absl::InvalidArgumentError("employment: '" + row.Get("employment") +
                                        "' is not employee or freelancer");
    }
    for (const auto& [column, target] :
         {std::pair{"day_fee", &v1::CrewMember::mutable_day_fee},
          std::pair{"hour_fee", &v1::CrewMember::mutable_hour_fee},
          std::pair{"hourly_cost", &v1::CrewMember::mutable_hourly_cost}}) {
      if (row.Get(column).empty()) continue;
      absl::StatusOr<google::type::Money> amount =
          ParseMoney(row.Get(column), context.default_currency);
      if (!amount.ok()) {
        return absl::InvalidArgumentError(std::string(column) + ": " +
                                          std::string(amount.status().message()));
      }
      *(member.*target)() = *amount;
    }
    for (const auto& [column, setter] :
         {std::pair{"beyond_shift_percent", &v1::CrewMember::set_beyond_shift_percent},
          std::pair{"night_work_percent", &v1::CrewMember::set_night_work_percent}}) {
      if (row.Get(column).empty()) continue;
      absl::StatusOr<int32_t> percent = ParseWholePercent(row.Get(column));
      if (!percent.ok()) {
        return absl::InvalidArgumentError(std::string(column) + ": " +
                                          std::string(percent.status().message()));
      }
      (member.*setter)(*percent);
    }
    const std::string chief = absl::AsciiStrToLower(row.Get("crew_chief"));
    if (chief == "yes" || chief == "true") {
      member.set_crew_chief(true);
    } else if (!chief.empty() && chief != "no" && chief != "false") {
      return absl::InvalidArgumentError("crew_chief: '" + row.Get("crew_chief") +
                                        "' is not yes or no");
    }
    return member;
  };
  spec.id = [](const v1::CrewMember& member) { return member.crew_member_id(); };
  spec.get = GetCrewMember;
  spec.keep = [counted_days, absent_columns](const v1::CrewMember& existing,
                                             v1::CrewMember* desired) {
    if (absent_columns->count("employment")) desired->set_employment(existing.employment());
    if (absent_columns->count("day_fee")) {
      desired->clear_day_fee();
      if (existing.has_day_fee()) *desired->mutable_day_fee() = existing.day_fee();
    }
    if (absent_columns->count("hour_fee")) {
      desired->clear_hour_fee();
      if (existing.has_hour_fee()) *desired->mutable_hour_fee() = existing.hour_fee();
    }
    if (absent_columns->count("crew_chief")) desired->set_crew_chief(existing.crew_chief());
    if (absent_columns->count("hourly_cost")) {
      desired->clear_hourly_cost();
      if (existing.has_hourly_cost()) *desired->mutable_hourly_cost() = existing.hourly_cost();
    }
    if (absent_columns->count("beyond_shift_percent")) {
      desired->set_beyond_shift_percent(existing.beyond_shift_percent());
    }
    if (absent_columns->count("night_work_percent")) {
      desired->set_night_work_percent(existing.night_work_percent());
    }
    const std::set<std::string>& counted = (*counted_days)[desired->crew_member_id()];
    for (v1::HeldSkill& held : *desired->mutable_held_skills()) {
      if (!counted.count(held.skill_code())) continue;
      for (const v1::HeldSkill& before : existing.held_skills()) {
        if (before.skill_code() == held.skill_code() && before.has_certificate_expiry_day()) {
          *held.mutable_certificate_expiry_day() = before.certificate_expiry_day();
        }
      }
    }
  };
  // Scheduling answers the superseded enum list beside the held skills, level 1 for "no level"
  // and whether a certificate has run out; held skills compare by code, in any order.
  spec.comparable = [](v1::CrewMember* member) {
    member->clear_skills();
    if (member->employment() == v1::EMPLOYMENT_UNSPECIFIED) {
      member->set_employment(v1::EMPLOYMENT_EMPLOYEE);
    }
    for (v1::HeldSkill& held : *member->mutable_held_skills()) {
      held.clear_certificate_expired();
      held.set_level(std::max(held.level(), 1));
    }
    std::sort(member->mutable_held_skills()->begin(), member->mutable_held_skills()->end(),
              [](const v1::HeldSkill& a, const v1::HeldSkill& b) {
                return a.skill_code() < b.skill_code();
              });
  };
  spec.write = [](Session& session, const v1::CrewMember& member, const v1::CrewMember* existing) {
    if (existing == nullptr) {
      v1::CreateCrewMemberRequest request;
      *request.mutable_crew_member() = member;
      v1::CreateCrewMemberResponse response;
      return session.Invoke(&v1::SchedulingService::Stub::CreateCrewMember, request, &response);
    }
    v1::UpdateCrewMemberRequest request;
    *request.mutable_crew_member() = member;
    request.set_etag(existing->etag());
    v1::UpdateCrewMemberResponse response;
    return session.Invoke(&v1::SchedulingService::Stub::UpdateCrewMember, request, &response);
  };
  return RunImport(context, path, spec, counts);
}

ExitCode ImportSkills(const ImportContext& context, const std::string& path, ImportCounts* counts) {
  ImportSpec<v1::SkillDefinition> spec;
  spec.required_columns = {"skill_code", "name"};
  spec.known_columns = {"skill_code", "name", "levels", "certificate_required", "description"};
  spec.endpoint = Endpoint::kScheduling;
  spec.parse = [](const CsvRecord& row) -> absl::StatusOr<v1::SkillDefinition> {
    v1::SkillDefinition skill;
    skill.set_skill_code(SkillCodeFromText(row.Get("skill_code")));
    skill.set_name(row.Get("name"));
    // Level names may hold spaces and commas ("level 1", "lead, sign-off"): ';' separates them.
    for (const std::string& level : SplitWords(row.Get("levels"), ";")) {
      skill.add_level_names(level);
    }
    const std::string certificate = absl::AsciiStrToLower(row.Get("certificate_required"));
    if (certificate == "yes" || certificate == "true") {
      skill.set_certificate_required(true);
    } else if (!certificate.empty() && certificate != "no" && certificate != "false") {
      return absl::InvalidArgumentError("certificate_required: '" +
                                        row.Get("certificate_required") + "' is not yes or no");
    }
    skill.set_description(row.Get("description"));
    return skill;
  };
  spec.id = [](const v1::SkillDefinition& skill) { return skill.skill_code(); };
  spec.get = GetSkill;
  // Each write's request_id comes from what it writes and what it replaces, so a load that is
  // run again (or retried after a lost answer) is answered, not written twice.
  spec.write = [](Session& session, const v1::SkillDefinition& skill,
                  const v1::SkillDefinition* existing) {
    const std::string request_id =
        ImportRequestId("skill", {{"body", skill.SerializeAsString()}}, skill.skill_code(),
                        existing != nullptr ? existing->etag() : "");
    if (existing == nullptr) {
      v1::CreateSkillRequest request;
      request.set_request_id(request_id);
      *request.mutable_skill() = skill;
      v1::CreateSkillResponse response;
      return session.Invoke(&v1::SchedulingService::Stub::CreateSkill, request, &response);
    }
    v1::UpdateSkillRequest request;
    request.set_request_id(request_id);
    *request.mutable_skill() = skill;
    request.set_etag(existing->etag());
    v1::UpdateSkillResponse response;
    return session.Invoke(&v1::SchedulingService::Stub::UpdateSkill, request, &response);
  };
  return RunImport(context, path, spec, counts);
}

ExitCode ImportVehicles(const ImportContext& context, const std::string& path,
                        ImportCounts* counts) {
  ImportSpec<v1::Vehicle> spec;
  spec.required_columns = {"vehicle_id", "display_name", "vehicle_class"};
  spec.known_columns = {"vehicle_id", "display_name", "vehicle_class", "registration",
                        "home_warehouse_id"};
  spec.endpoint = Endpoint::kScheduling;
  spec.parse = [&context](const CsvRecord& row) -> absl::StatusOr<v1::Vehicle> {
    v1::Vehicle vehicle;
    vehicle.set_vehicle_id(row.Get("vehicle_id"));
    vehicle.set_display_name(row.Get("display_name"));
    absl::StatusOr<v1::VehicleClass> vehicle_class =
        ParseEnum<v1::VehicleClass>(row.Get("vehicle_class"));
    if (!vehicle_class.ok()) return vehicle_class.status();
    vehicle.set_vehicle_class(*vehicle_class);
    vehicle.set_registration(row.Get("registration"));
    vehicle.set_home_warehouse_id(row.Get("home_warehouse_id"));
    if (absl::Status known = CheckWarehouse(context, vehicle.home_warehouse_id()); !known.ok()) {
      return known;
    }
    vehicle.set_active(true);
    return vehicle;
  };
  spec.id = [](const v1::Vehicle& vehicle) { return vehicle.vehicle_id(); };
  spec.get = GetVehicle;
  spec.write = [](Session& session, const v1::Vehicle& vehicle, const v1::Vehicle* existing) {
    if (existing == nullptr) {
      v1::CreateVehicleRequest request;
      *request.mutable_vehicle() = vehicle;
      v1::CreateVehicleResponse response;
      return session.Invoke(&v1::SchedulingService::Stub::CreateVehicle, request, &response);
    }
    v1::UpdateVehicleRequest request;
    *request.mutable_vehicle() = vehicle;
    request.set_etag(existing->etag());
    v1::UpdateVehicleResponse response;
    return session.Invoke(&v1::SchedulingService::Stub::UpdateVehicle, request, &response);
  };
  return RunImport(context, path, spec, counts);
}

}  // namespace salesops::cli
