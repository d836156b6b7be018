// demo load: a whole demo company from a folder of plain files, through the
// same imports a person would run by hand (catalog import, crew import,
// vehicles import). Idempotent: a second load changes nothing, and a changed
// file updates just what changed.
#include <absl/strings/str_cat.h>
#include <absl/strings/str_join.h>
#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>

#include "cli/bulk_import.h"
#include "cli/command_tree.h"
#include "cli/company_profile_import.h"
#include "cli/demo_crew_rules.h"
#include "cli/demo_offers.h"
#include "cli/demo_orders.h"
#include "cli/demo_pricing.h"
#include "cli/demo_timesheets.h"
#include "cli/demo_warehouse.h"
#include "cli/output.h"

namespace salesops::cli {
namespace {

// One kind of data the manifest can name, in load order: what a file refers
// to is loaded before it (items before the products whose kits name them, the skill catalog
// before the products' crew needs and the crew who hold its skills; the crew rules, which say
// what a freelance day, the night and a per diem are, before the orders whose crew they cost).
// The warehouse floor follows the crew and vehicles (a transfer's van run needs a
// driver) and precedes the orders, so they are confirmed against the stock as it
// stands, an overdue unit already out of it. Orders go after them: they name products,
// and confirming them needs the crew. The answers to offers to freelancers go last: the offers
// are made for the confirmed orders' work. Last week's timesheets need only the crew.
struct DemoSection {
  std::string key;
  std::function<ExitCode(const ImportContext&, const std::string&, ImportCounts*)> load;
  // A section left out is left out with every section that needs it.
  std::string needs;
};

const std::vector<DemoSection>& Sections() {
  static const auto* sections = new std::vector<DemoSection>{
      {"company-profile", ImportCompanyProfile},
      {"skills", ImportSkills},
      {"items", ImportItems},
      {"products", ImportProducts},
      {"crew", ImportCrew},
      {"crew-rules", ImportDemoCrewRules},
      {"vehicles", ImportVehicles},
      {"organisations", ImportDemoOrganisations},
      {"venues", ImportDemoVenues},
      {"pricing", ImportPricing},
      {"warehouse", ImportWarehouse},
      {"orders", ImportOrders},
      {"offers", ImportOfferAnswers, "orders"},
      {"timesheets", ImportDemoTimesheets, "crew"},
  };
  return *sections;
}

// "company-profile, items, ...": for messages naming what a manifest may hold.
std::string SectionNames() {
  std::vector<std::string> keys;
  for (const DemoSection& section : Sections()) keys.push_back(section.key);
  return absl::StrJoin(keys, ", ");
}

struct Manifest {
  std::string company;
  std::string currency = "EUR";
  std::vector<std::pair<std::string, std::string>> warehouses;  // id, name
  std::map<std::string, std::string> files;                     // section -> path
};

absl::StatusOr<Manifest> ReadManifest(const std::filesystem::path& directory) {
  std::filesystem::path path = directory / "demo.yaml";
  Manifest manifest;
  YAML::Node root;
  try {
    root = YAML::LoadFile(path.string());
  } catch (const YAML::Exception& error) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read ", path.string(), ": ", error.what()));
  }
  for (const auto& entry : root) {
    std::string key = entry.first.as<std::string>();
    try {
      if (key == "company") {
        manifest.company = entry.second.as<std::string>();
      } else if (key == "currency") {
        manifest.currency = entry.second.as<std::string>();
      } else if (key == "warehouses") {
        for (const auto& warehouse : entry.second) {
          manifest.warehouses.emplace_back(warehouse["id"].as<std::string>(),
                                           warehouse["name"].as<std::string>(""));
        }
      } else if (std::any_of(Sections().begin(), Sections().end(),
                             [&](const DemoSection& section) { return section.key == key; })) {
        manifest.files[key] = (directory / entry.second.as<std::string>()).string();
      } else {
        return absl::InvalidArgumentError(absl::StrCat(path.string(), ": unknown section '", key,
                                                       "' (known: company, currency, warehouses, ",
                                                       SectionNames(), ")"));
      }
    } catch (const YAML::Exception& error) {
      return absl::InvalidArgumentError(
          absl::StrCat(path.string(), ": '", key, "' is malformed: ", error.what()));
    }
  }
  return manifest;
}

ExitCode LoadDemo(Session& session, const std::string& directory,
                  const std::vector<std::string>& skipped) {
  for (const std::string& key : skipped) {
    if (std::none_of(Sections().begin(), Sections().end(),
                     [&](const DemoSection& section) { return section.key == key; })) {
      return ReportBadInput("--skip: no section '" + key + "' (" + SectionNames() + ")");
    }
  }
  absl::StatusOr<Manifest> manifest = ReadManifest(directory);
  if (!manifest.ok()) return ReportBadInput(std::string(manifest.status().message()));
  ImportContext context;
  context.session = &session;
  context.default_currency = manifest->currency;
  for (const auto& [id, name] : manifest->warehouses) context.warehouses.insert(id);

  nlohmann::json loaded = nlohmann::json::object();
  Table table({"data", "file", "created", "updated", "unchanged"});
  for (const DemoSection& section : Sections()) {
    auto file = manifest->files.find(section.key);
    auto is_skipped = [&](const std::string& key) {
      return !key.empty() && std::find(skipped.begin(), skipped.end(), key) != skipped.end();
    };
    if (file == manifest->files.end() || is_skipped(section.key) || is_skipped(section.needs)) {
      continue;
    }
    ImportCounts counts;
    if (ExitCode code = section.load(context, file->second, &counts); code != kExitOk) {
      std::cerr << "demo load stopped at " << section.key << "; what loaded before stays, and "
                << "loading again resumes\n";
      return code;
    }
    loaded[section.key] = counts.ToJson();
    table.AddRow({section.key, std::filesystem::path(file->second).filename().string(),
                  std::to_string(counts.created), std::to_string(counts.updated),
                  std::to_string(counts.unchanged)});
  }
  if (session.json()) {
    nlohmann::json warehouses = nlohmann::json::array();
    for (const auto& [id, name] : manifest->warehouses) {
      warehouses.push_back({{"id", id}, {"name", name}});
    }
    PrintJson(nlohmann::json{
        {"company", manifest->company}, {"warehouses", warehouses}, {"loaded", loaded}});
    return kExitOk;
  }
  std::cout << "Demo company: " << manifest->company << "\n";
  for (const auto& [id, name] : manifest->warehouses) {
    std::cout << "  warehouse " << id << ": " << name << "\n";
  }
  std::cout << "\n";
  table.Print();
  return kExitOk;
}

}  // namespace

void AddDemoCommands(CommandTree& tree) {
  CLI::App* demo = tree.AddGroup(tree.root(), "demo", "The demo company");
  auto directory = std::make_shared<std::string>("demo");
  auto skipped = std::make_shared<std::vector<std::string>>();
  CLI::App* load = demo->add_subcommand(
      "load",
      "Load a demo company (skills, catalog, crew with their costs, crew rules, vehicles, "
      "warehouse floor, orders in every stage, offers to freelancers answered, last week's "
      "timesheets) from a folder "
      "with a demo.yaml manifest (ADMIN); idempotent");
  load->add_option("directory", *directory, "Folder holding demo.yaml and its files")
      ->capture_default_str()
      ->check(CLI::ExistingDirectory);
  load->add_option("--skip", *skipped,
                   "Leave out a section (repeatable): --skip orders loads just the catalog, "
                   "crew and vehicles (and leaves out the offers, which need the orders)")
      ->allow_extra_args(false);  // `--skip orders demo/`: the folder is not a section
  tree.OnRun(load, [directory, skipped](Session& session) {
    return LoadDemo(session, *directory, *skipped);
  });
}

}  // namespace salesops::cli
