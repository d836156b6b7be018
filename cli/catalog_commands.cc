// catalog: what sales sells (products) and what ops pulls (items), in one
// place. Everyone may read it; changing it takes an ADMIN token.
#include <absl/strings/str_join.h>

#include <CLI/CLI.hpp>

#include "cli/bulk_import.h"
#include "cli/command_tree.h"
#include "cli/input_parsing.h"
#include "cli/inventory_stub.h"
#include "cli/output.h"

namespace salesops::cli {
namespace {

using v1::InventoryService;

struct ItemListOptions {
  std::string category, warehouse, search, tracking;
};

ExitCode ListItems(Session& session, const ItemListOptions& options) {
  v1::ListItemsRequest request;
  request.set_category(options.category);
  request.set_warehouse_id(options.warehouse);
  request.set_search_text(options.search);
  if (!options.tracking.empty()) {
    absl::StatusOr<v1::TrackingMode> tracking = ParseEnum<v1::TrackingMode>(options.tracking);
    if (!tracking.ok())
      return ReportBadInput("--tracking: " + std::string(tracking.status().message()));
    request.set_tracking(*tracking);
  }
  v1::ListItemsResponse response;
  if (ExitCode code = session.CallAllPages(&InventoryService::Stub::ListItems, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  Table table({"code", "description", "category", "owned", "tracking", "warehouse"});
  for (const v1::Item& item : response.items()) {
    table.AddRow({item.inventory_code(), item.description(), item.category(),
                  std::to_string(item.quantity_owned()), EnumWord(item.tracking()),
                  item.warehouse_id()});
  }
  table.Print();
  return kExitOk;
}

ExitCode ShowItem(Session& session, const std::string& code) {
  v1::GetItemRequest request;
  request.set_inventory_code(code);
  v1::GetItemResponse response;
  if (ExitCode exit = session.Call(&InventoryService::Stub::GetItem, request, &response);
      exit != kExitOk) {
    return exit;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  const v1::Item& item = response.item();
  Details details;
  details.Add("Code", item.inventory_code());
  details.Add("Description", item.description());
  details.Add("Category", item.category());
  details.Add("Owned", std::to_string(item.quantity_owned()));
  details.Add("Out of service", std::to_string(response.out_of_service_quantity()));
  details.Add("Tracking", EnumWord(item.tracking()));
  details.Add("Warehouse", item.warehouse_id());
  details.Add("In products", response.used_by_product_codes().empty()
                                 ? "-"
                                 : absl::StrJoin(response.used_by_product_codes(), " "));
  details.Add("Etag", item.etag());
  details.Add("Updated", FormatTime(item.update_time()));
  details.Print();
  return kExitOk;
}

struct ItemUpsertOptions {
  std::string code, description, category, tracking, warehouse, etag;
  std::optional<int> quantity;
};

// Reads the item first and changes only what was given, so `--quantity 42`
// alone does not wipe the description; the etag read makes a concurrent edit
// fail (exit 3) instead of being overwritten.
ExitCode UpsertItem(Session& session, const ItemUpsertOptions& options) {
  v1::UpsertItemRequest request;
  v1::GetItemRequest get;
  get.set_inventory_code(options.code);
  v1::GetItemResponse existing;
  grpc::Status status = session.Invoke(&InventoryService::Stub::GetItem, get, &existing);
  if (status.ok()) {
    *request.mutable_item() = existing.item();
    request.mutable_item()->clear_update_time();
    request.set_etag(existing.item().etag());
  } else if (status.error_code() != grpc::StatusCode::NOT_FOUND) {
    return session.ReportError(status, Endpoint::kInventory);
  }
  v1::Item& item = *request.mutable_item();
  item.clear_etag();
  item.set_inventory_code(options.code);
  if (!options.description.empty()) item.set_description(options.description);
  if (!options.category.empty()) item.set_category(options.category);
  if (options.quantity) item.set_quantity_owned(*options.quantity);
  if (!options.warehouse.empty()) item.set_warehouse_id(options.warehouse);
  if (!options.tracking.empty()) {
    absl::StatusOr<v1::TrackingMode> tracking = ParseEnum<v1::TrackingMode>(options.tracking);
    if (!tracking.ok())
      return ReportBadInput("--tracking: " + std::string(tracking.status().message()));
    item.set_tracking(*tracking);
  }
  if (!options.etag.empty()) request.set_etag(options.etag);
  v1::UpsertItemResponse response;
  if (ExitCode code = session.Call(&InventoryService::Stub::UpsertItem, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
  } else {
    std::cout << (response.created() ? "created " : "updated ") << response.item().inventory_code()
              << " (etag " << response.item().etag() << ")\n";
  }
  return kExitOk;
}

ExitCode DeleteItem(Session& session, const std::string& code, const std::string& etag) {
  v1::DeleteItemRequest request;
  request.set_inventory_code(code);
  request.set_etag(etag);
  v1::DeleteItemResponse response;
  if (ExitCode exit = session.Call(&InventoryService::Stub::DeleteItem, request, &response);
      exit != kExitOk) {
    return exit;
  }
  if (session.json()) {
    PrintJson(response);
  } else {
    std::cout << "deleted " << response.inventory_code() << "\n";
  }
  return kExitOk;
}

struct ProductListOptions {
  std::string search, component, skill;
};

ExitCode ListProducts(Session& session, const ProductListOptions& options) {
  v1::ListProductsRequest request;
  request.set_search_text(options.search);
  request.set_component_inventory_code(options.component);
  request.set_skill_code(SkillCodeFromText(options.skill));
  session.SetFieldFlags({{"skill_code", "--skill"}});
  v1::ListProductsResponse response;
  if (ExitCode code =
          session.CallAllPages(&InventoryService::Stub::ListProducts, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  Table table({"code", "name", "day rate", "sale price", "kit lines", "crew", "prep"});
  for (const v1::Product& product : response.products()) {
    table.AddRow({product.product_code(), product.name(), FormatMoney(product.day_rate()),
                  FormatMoney(product.sale_price()), std::to_string(product.components_size()),
                  FormatCrewNeeds(product.crew_needs()), FormatDuration(product.prep_time())});
  }
  table.Print();
  return kExitOk;
}

ExitCode ShowProduct(Session& session, const std::string& code) {
  v1::GetProductRequest request;
  request.set_product_code(code);
  v1::GetProductResponse response;
  if (ExitCode exit = session.Call(&InventoryService::Stub::GetProduct, request, &response);
      exit != kExitOk) {
    return exit;
  }
  if (session.json()) {
    PrintJson(response);
    return kExitOk;
  }
  const v1::Product& product = response.product();
  Details details;
  details.Add("Code", product.product_code());
  details.Add("Name", product.name());
  details.Add("Description", product.description());
  details.Add("Day rate", FormatMoney(product.day_rate()));
  if (product.has_sale_price()) {
    details.Add("Sale price", FormatMoney(product.sale_price()) + " each (sold, not returned)");
  }
  details.Add("Crew", FormatCrewNeeds(product.crew_needs()));
  details.Add("Prep time", FormatDuration(product.prep_time()));
  details.Add("Etag", product.etag());
  details.Print();
  std::cout << "\nKit (what ops pulls for one unit):\n";
  Table kit({"inventory code", "quantity"});
  for (const v1::InventoryLine& line : product.components()) {
    kit.AddRow({line.inventory_code(), std::to_string(line.quantity())});
  }
  kit.Print();
  return kExitOk;
}

struct ProductUpsertOptions {
  std::string code, name, description, day_rate, sale_price, prep_time, etag, currency = "EUR";
  std::vector<std::string> components, crew;
};

ExitCode UpsertProduct(Session& session, const ProductUpsertOptions& options) {
  v1::UpsertProductRequest request;
  v1::GetProductRequest get;
  get.set_product_code(options.code);
  v1::GetProductResponse existing;
  grpc::Status status = session.Invoke(&InventoryService::Stub::GetProduct, get, &existing);
  if (status.ok()) {
    *request.mutable_product() = existing.product();
    request.mutable_product()->clear_update_time();
    request.set_etag(existing.product().etag());
  } else if (status.error_code() != grpc::StatusCode::NOT_FOUND) {
    return session.ReportError(status, Endpoint::kInventory);
  }
  v1::Product& product = *request.mutable_product();
  product.clear_etag();
  product.set_product_code(options.code);
  if (!options.name.empty()) product.set_name(options.name);
  if (!options.description.empty()) product.set_description(options.description);
  if (!options.day_rate.empty()) {
    absl::StatusOr<google::type::Money> rate = ParseMoney(options.day_rate, options.currency);
    if (!rate.ok()) return ReportBadInput("--day-rate: " + std::string(rate.status().message()));
    *product.mutable_day_rate() = *rate;
    product.clear_sale_price();
  }
  if (!options.sale_price.empty()) {
    absl::StatusOr<google::type::Money> price = ParseMoney(options.sale_price, options.currency);
    if (!price.ok()) {
      return ReportBadInput("--sale-price: " + std::string(price.status().message()));
    }
    *product.mutable_sale_price() = *price;
    product.clear_day_rate();
  }
  if (!options.components.empty()) {
    product.clear_components();
    for (const std::string& word : options.components) {
      absl::StatusOr<v1::InventoryLine> line = ParseInventoryLine(word);
      if (!line.ok()) return ReportBadInput("--component: " + std::string(line.status().message()));
      *product.add_components() = *line;
    }
  }
  if (!options.crew.empty()) {
    product.clear_crew_needs();
    for (const std::string& word : options.crew) {
      absl::StatusOr<v1::CrewNeed> need = ParseCrewNeed(word);
      if (!need.ok()) return ReportBadInput("--crew: " + std::string(need.status().message()));
      *product.add_crew_needs() = *need;
    }
  }
  if (!options.prep_time.empty()) {
    absl::StatusOr<google::protobuf::Duration> prep = ParseDuration(options.prep_time);
    if (!prep.ok()) return ReportBadInput("--prep-time: " + std::string(prep.status().message()));
    *product.mutable_prep_time() = *prep;
  }
  if (!options.etag.empty()) request.set_etag(options.etag);
  session.SetFieldFlags({{"crew_needs.skill_code", "--crew"}, {"crew_needs.min_level", "--crew"}});
  v1::UpsertProductResponse response;
  if (ExitCode code = session.Call(&InventoryService::Stub::UpsertProduct, request, &response);
      code != kExitOk) {
    return code;
  }
  if (session.json()) {
    PrintJson(response);
  } else {
    std::cout << (response.created() ? "created " : "updated ") << response.product().product_code()
              << " (etag " << response.product().etag() << ")\n";
  }
  return kExitOk;
}

ExitCode DeleteProduct(Session& session, const std::string& code, const std::string& etag) {
  v1::DeleteProductRequest request;
  request.set_product_code(code);
  request.set_etag(etag);
  v1::DeleteProductResponse response;
  if (ExitCode exit = session.Call(&InventoryService::Stub::DeleteProduct, request, &response);
      exit != kExitOk) {
    return exit;
  }
  if (session.json()) {
    PrintJson(response);
  } else {
    std::cout << "deleted " << response.product_code() << "\n";
  }
  return kExitOk;
}

struct ImportOptions {
  std::string items, products, currency = "EUR";
};

ExitCode Import(Session& session, const ImportOptions& options) {
  if (options.items.empty() && options.products.empty()) {
    return ReportBadInput("give --items FILE, --products FILE or both");
  }
  ImportContext context;
  context.session = &session;
  context.default_currency = options.currency;
  ImportCounts items, products;
  // Items first: a product's kit may only name items that exist.
  if (!options.items.empty()) {
    if (ExitCode code = ImportItems(context, options.items, &items); code != kExitOk) return code;
  }
  if (!options.products.empty()) {
    if (ExitCode code = ImportProducts(context, options.products, &products); code != kExitOk) {
      return code;
    }
  }
  if (session.json()) {
    PrintJson(nlohmann::json{{"items", items.ToJson()}, {"products", products.ToJson()}});
  } else {
    if (!options.items.empty()) std::cout << "items:    " << items.ToText() << "\n";
    if (!options.products.empty()) std::cout << "products: " << products.ToText() << "\n";
  }
  return kExitOk;
}

}  // namespace

void AddCatalogCommands(CommandTree& tree) {
  CLI::App* catalog =
      tree.AddGroup(tree.root(), "catalog",
                    "The shared catalog: products sales sells, items ops pulls, and CSV import");

  CLI::App* items = tree.AddGroup(*catalog, "items", "Stock items (inventory codes)");
  {
    auto options = MakeOptions<ItemListOptions>();
    CLI::App* list = items->add_subcommand("list", "List items, filtered");
    list->add_option("--category", options->category, "Only this category (audio, video, ...)");
    list->add_option("--warehouse", options->warehouse, "Only items kept in this warehouse");
    list->add_option("--search", options->search, "Words in the code or description");
    list->add_option("--tracking", options->tracking, "serialized or bulk");
    tree.OnRun(list, [options](Session& session) { return ListItems(session, *options); });
  }
  {
    auto code = std::make_shared<std::string>();
    CLI::App* show =
        items->add_subcommand("show", "One item: stock, out of service, products using it");
    show->add_option("code", *code, "Inventory code")->required();
    tree.OnRun(show, [code](Session& session) { return ShowItem(session, *code); });
  }
  {
    auto options = MakeOptions<ItemUpsertOptions>();
    CLI::App* upsert = items->add_subcommand(
        "upsert", "Create an item, or change the given fields of an existing one (ADMIN)");
    upsert->add_option("code", options->code, "Inventory code, e.g. LED-PANEL-500")->required();
    upsert->add_option("--description", options->description,
                       "Sales-facing description (required for a new item)");
    upsert->add_option("--category", options->category, "audio, video, lighting, staging, ...");
    upsert->add_option("--quantity", options->quantity, "Units owned")
        ->check(CLI::NonNegativeNumber);
    upsert->add_option("--tracking", options->tracking, "serialized or bulk");
    upsert->add_option("--warehouse", options->warehouse, "Warehouse that keeps it");
    upsert->add_option("--etag", options->etag,
                       "Refuse (exit 3) unless the item is still at this etag");
    tree.OnRun(upsert, [options](Session& session) { return UpsertItem(session, *options); });
  }
  {
    auto code = std::make_shared<std::string>();
    auto etag = std::make_shared<std::string>();
    CLI::App* remove = items->add_subcommand(
        "delete", "Delete an item no product uses (ADMIN); refused with ITEM_IN_USE otherwise");
    remove->add_option("code", *code, "Inventory code")->required();
    remove->add_option("--etag", *etag, "Refuse (exit 3) unless the item is still at this etag");
    tree.OnRun(remove,
               [code, etag](Session& session) { return DeleteItem(session, *code, *etag); });
  }

  CLI::App* products = tree.AddGroup(*catalog, "products", "Products (what sales sells)");
  {
    auto options = MakeOptions<ProductListOptions>();
    CLI::App* list = products->add_subcommand("list", "List products, filtered");
    list->add_option("--search", options->search, "Words in the code, name or description");
    list->add_option("--component", options->component, "Only products whose kit has this item");
    list->add_option("--skill", options->skill,
                     "Only products needing crew with this skill code (GRANDMA3, video)");
    tree.OnRun(list, [options](Session& session) { return ListProducts(session, *options); });
  }
  {
    auto code = std::make_shared<std::string>();
    CLI::App* show = products->add_subcommand("show", "One product with its kit and crew needs");
    show->add_option("code", *code, "Product code")->required();
    tree.OnRun(show, [code](Session& session) { return ShowProduct(session, *code); });
  }
  {
    auto options = MakeOptions<ProductUpsertOptions>();
    CLI::App* upsert = products->add_subcommand(
        "upsert", "Create a product, or change the given fields of an existing one (ADMIN)");
    upsert->add_option("code", options->code, "Product code, e.g. LED-WALL-3X2")->required();
    upsert->add_option("--name", options->name, "Sales-facing name (required for a new product)");
    upsert->add_option("--description", options->description, "What the client gets");
    upsert->add_option("--day-rate", options->day_rate,
                       "e.g. 1250.00 EUR (or 1250 and --currency)");
    upsert->add_option("--sale-price", options->sale_price,
                       "A sale item: the price of one unit, charged once (its kit must be "
                       "CONSUMABLE items); replaces a day rate");
    upsert
        ->add_option("--currency", options->currency,
                     "Currency of a bare --day-rate or --sale-price")
        ->capture_default_str();
    upsert->add_option("--component", options->components,
                       "Kit line CODE=N, repeatable; replaces the whole kit");
    upsert->add_option("--crew", options->crew,
                       "Crew need SKILL[/LEVEL]:NxDURATION (video:2x8h, GRANDMA3/2:1x8h: level 2 "
                       "or above), repeatable; replaces all");
    upsert->add_option("--prep-time", options->prep_time, "Warehouse prep per unit, e.g. 45m");
    upsert->add_option("--etag", options->etag,
                       "Refuse (exit 3) unless the product is still at this etag");
    tree.OnRun(upsert, [options](Session& session) { return UpsertProduct(session, *options); });
  }
  {
    auto code = std::make_shared<std::string>();
    auto etag = std::make_shared<std::string>();
    CLI::App* remove = products->add_subcommand("delete", "Delete a product (ADMIN)");
    remove->add_option("code", *code, "Product code")->required();
    remove->add_option("--etag", *etag, "Refuse (exit 3) unless the product is still at this etag");
    tree.OnRun(remove,
               [code, etag](Session& session) { return DeleteProduct(session, *code, *etag); });
  }
  {
    auto options = MakeOptions<ImportOptions>();
    CLI::App* import = catalog->add_subcommand(
        "import",
        "Load items and products from CSV (ADMIN). Idempotent: unchanged rows are skipped, "
        "changed ones updated.\n  items.csv:    inventory_code,description,category,"
        "quantity_owned,tracking,warehouse_id\n  products.csv: product_code,name,description,"
        "day_rate,components,crew_needs,prep_time,sale_price\n  (components: 'CODE=N CODE=N'; "
        "crew_needs: 'video:2x8h audio:1x4h GRANDMA3/2:1x8h')");
    import->add_option("--items", options->items, "Items CSV file")->check(CLI::ExistingFile);
    import->add_option("--products", options->products, "Products CSV file")
        ->check(CLI::ExistingFile);
    import->add_option("--currency", options->currency, "Currency of day rates that name none")
        ->capture_default_str();
    tree.OnRun(import, [options](Session& session) { return Import(session, *options); });
  }
}

}  // namespace salesops::cli
