#include "services/inventory/inventory_service.h"

#include <set>
#include <string>
#include <vector>

#include "services/common/grpc_errors.h"
#include "services/common/page_token.h"
#include "services/common/skill_codes.h"
#include "services/common/time_util.h"
#include "services/common/validation.h"
#include "services/inventory/postgres_inventory_store.h"

namespace salesops::inventory {

using common::CheckRequest;
using common::ToGrpcStatus;

namespace {

// A movement names each code once: two lines for one code would count it twice. `code_of`
// reads a line's code.
template <typename Lines, typename CodeOf>
void CheckCodesOnce(const Lines& lines, CodeOf code_of,
                    std::vector<common::FieldViolation>& violations) {
  std::set<std::string> seen;
  for (int i = 0; i < lines.size(); ++i) {
    if (!seen.insert(code_of(lines[i])).second) {
      violations.push_back(
          {"lines[" + std::to_string(i) + "].inventory_code",
           "names '" + code_of(lines[i]) + "' a second time; give each code once with its total"});
    }
  }
}

// A sale item is sold once at its sale price; a rental product is charged per day. One product
// is one or the other, so a quote never has to guess which price is meant.
absl::Status CheckSaleItem(const v1::Product& product) {
  if (!product.has_sale_price()) return absl::OkStatus();
  std::vector<common::FieldViolation> violations;
  if (product.has_day_rate()) {
    violations.push_back({"product.sale_price",
                          "a sale item is sold once at its sale_price and has no day_rate; set "
                          "one of them"});
  }
  if (product.sale_price().units() < 0 || product.sale_price().nanos() < 0) {
    violations.push_back({"product.sale_price", "must not be negative"});
  }
  if (product.sale_price().currency_code().empty()) {
    violations.push_back({"product.sale_price.currency_code", "is required"});
  }
  return violations.empty() ? absl::OkStatus() : common::InvalidArgumentError(violations);
}

// Each crew need names its skill once: a code of scheduling's skill catalog (the catalog itself
// is checked when the work is planned or its capacity asked, where it lives).
absl::Status CheckCrewNeeds(const v1::Product& product) {
  std::vector<common::FieldViolation> violations;
  for (int i = 0; i < product.crew_needs_size(); ++i) {
    const v1::CrewNeed& need = product.crew_needs(i);
    const std::string field = "product.crew_needs[" + std::to_string(i) + "]";
    if (common::SkillFieldsDisagree(need)) {
      violations.push_back({field + ".skill", "names another skill than skill_code; set one"});
    } else if (common::SkillCodeOf(need).empty()) {
      violations.push_back({field + ".skill_code", "is required: the skill the crew needs"});
    }
  }
  return violations.empty() ? absl::OkStatus() : common::InvalidArgumentError(violations);
}

}  // namespace

common::ServiceDefinition Definition() {
  return {"inventory", common::WithSharedMigrations(Migrations()), RolePolicy(), MakeServices};
}

std::vector<std::unique_ptr<grpc::Service>> MakeServices(common::ServiceRuntime& runtime) {
  std::vector<std::unique_ptr<grpc::Service>> services;
  services.push_back(std::make_unique<InventoryServiceImpl>(
      runtime, std::make_unique<PostgresInventoryStore>(runtime.database())));
  return services;
}

InventoryServiceImpl::InventoryServiceImpl(common::ServiceRuntime& runtime,
                                           std::unique_ptr<InventoryStore> store)
    : runtime_(runtime),
      store_(std::move(store)),
      keeper_(*store_),
      metrics_(runtime.metrics()),
      holds_active_(InventoryMetrics::HoldsActiveGauge([this]() -> int64_t {
        absl::StatusOr<int64_t> count = store_->CountActiveHolds();
        return count.ok() ? *count : -1;
      })) {
  runtime.AddCollectable(holds_active_);
}

grpc::Status InventoryServiceImpl::UpsertItem(grpc::ServerContext* context,
                                              const v1::UpsertItemRequest* request,
                                              v1::UpsertItemResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const common::IdempotentRequest idempotent = IdempotentRequestOf("UpsertItem", *request);
    return store_->UpsertItem(request->item(), request->etag(), runtime_.CallerOf(*context).id(),
                              {*response,
                               [&](const std::pair<v1::Item, bool>& stored) {
                                 *response->mutable_item() = stored.first;
                                 response->set_created(stored.second);
                               },
                               &idempotent});
  }());
}

grpc::Status InventoryServiceImpl::GetItem(grpc::ServerContext*, const v1::GetItemRequest* request,
                                           v1::GetItemResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(*response, store_->GetItem(request->inventory_code()));
    return absl::OkStatus();
  }());
}

grpc::Status InventoryServiceImpl::ListItems(grpc::ServerContext*,
                                             const v1::ListItemsRequest* request,
                                             v1::ListItemsResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(std::string after,
                              common::DecodePageToken("items", request->page_token()));
    SALESOPS_ASSIGN_OR_RETURN(
        Page<v1::Item> page,
        store_->ListItems(*request, common::EffectivePageSize(request->page_size()), after));
    for (v1::Item& item : page.entries) *response->add_items() = std::move(item);
    response->set_next_page_token(common::EncodePageToken("items", page.next_after));
    return absl::OkStatus();
  }());
}

grpc::Status InventoryServiceImpl::DeleteItem(grpc::ServerContext*,
                                              const v1::DeleteItemRequest* request,
                                              v1::DeleteItemResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const common::IdempotentRequest idempotent = IdempotentRequestOf("DeleteItem", *request);
    return store_->DeleteItem(
        request->inventory_code(), request->etag(),
        {*response, [&](const std::string& code) { response->set_inventory_code(code); },
         &idempotent});
  }());
}

grpc::Status InventoryServiceImpl::UpsertProduct(grpc::ServerContext*,
                                                 const v1::UpsertProductRequest* request,
                                                 v1::UpsertProductResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_RETURN_IF_ERROR(CheckSaleItem(request->product()));
    SALESOPS_RETURN_IF_ERROR(CheckCrewNeeds(request->product()));
    const common::IdempotentRequest idempotent = IdempotentRequestOf("UpsertProduct", *request);
    return store_->UpsertProduct(request->product(), request->etag(),
                                 {*response,
                                  [&](const std::pair<v1::Product, bool>& stored) {
                                    *response->mutable_product() = stored.first;
                                    response->set_created(stored.second);
                                  },
                                  &idempotent});
  }());
}

grpc::Status InventoryServiceImpl::GetProduct(grpc::ServerContext*,
                                              const v1::GetProductRequest* request,
                                              v1::GetProductResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(*response->mutable_product(),
                              store_->GetProduct(request->product_code()));
    return absl::OkStatus();
  }());
}

grpc::Status InventoryServiceImpl::ListProducts(grpc::ServerContext*,
                                                const v1::ListProductsRequest* request,
                                                v1::ListProductsResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(std::string after,
                              common::DecodePageToken("products", request->page_token()));
    SALESOPS_ASSIGN_OR_RETURN(
        Page<v1::Product> page,
        store_->ListProducts(*request, common::EffectivePageSize(request->page_size()), after));
    for (v1::Product& product : page.entries) *response->add_products() = std::move(product);
    response->set_next_page_token(common::EncodePageToken("products", page.next_after));
    return absl::OkStatus();
  }());
}

grpc::Status InventoryServiceImpl::DeleteProduct(grpc::ServerContext*,
                                                 const v1::DeleteProductRequest* request,
                                                 v1::DeleteProductResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    const common::IdempotentRequest idempotent = IdempotentRequestOf("DeleteProduct", *request);
    return store_->DeleteProduct(
        request->product_code(), request->etag(),
        {*response, [&](const std::string& code) { response->set_product_code(code); },
         &idempotent});
  }());
}

grpc::Status InventoryServiceImpl::ResolveProducts(grpc::ServerContext*,
                                                   const v1::ResolveProductsRequest* request,
                                                   v1::ResolveProductsResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(*response, keeper_.Resolve(*request));
    return absl::OkStatus();
  }());
}

grpc::Status InventoryServiceImpl::CheckAvailability(grpc::ServerContext*,
                                                     const v1::CheckAvailabilityRequest* request,
                                                     v1::CheckAvailabilityResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    auto started = std::chrono::steady_clock::now();
    SALESOPS_ASSIGN_OR_RETURN(*response, keeper_.CheckAvailability(*request));
    metrics_.AvailabilityChecked(std::chrono::steady_clock::now() - started);
    metrics_.ShortagesDetected("availability_check", response->shortages_size());
    return absl::OkStatus();
  }());
}

grpc::Status InventoryServiceImpl::GetAvailabilityCalendar(
    grpc::ServerContext*, const v1::GetAvailabilityCalendarRequest* request,
    v1::GetAvailabilityCalendarResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(*response, keeper_.Calendar(*request));
    return absl::OkStatus();
  }());
}

grpc::Status InventoryServiceImpl::PlaceHold(grpc::ServerContext* context,
                                             const v1::PlaceHoldRequest* request,
                                             v1::PlaceHoldResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    absl::StatusOr<v1::PlaceHoldResponse> held =
        keeper_.PlaceHold(*request, runtime_.CallerOf(*context));
    metrics_.Reservation("hold", held.status());
    if (!held.ok()) return held.status();
    *response = std::move(*held);
    metrics_.ShortagesDetected("hold", response->shortages_size());
    return absl::OkStatus();
  }());
}

grpc::Status InventoryServiceImpl::Reserve(grpc::ServerContext* context,
                                           const v1::ReserveRequest* request,
                                           v1::ReserveResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    absl::StatusOr<v1::ReserveResponse> reserved =
        keeper_.Reserve(*request, runtime_.CallerOf(*context));
    metrics_.Reservation("firm", reserved.status());
    if (!reserved.ok()) {
      if (common::ParseGrpcError(ToGrpcStatus(reserved.status())).reason == "INSUFFICIENT_STOCK") {
        metrics_.ShortagesDetected("reserve", 1);
      }
      return reserved.status();
    }
    *response = std::move(*reserved);
    return absl::OkStatus();
  }());
}

grpc::Status InventoryServiceImpl::Release(grpc::ServerContext* context,
                                           const v1::ReleaseRequest* request,
                                           v1::ReleaseResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(*response, keeper_.Release(*request, runtime_.CallerOf(*context)));
    return absl::OkStatus();
  }());
}

grpc::Status InventoryServiceImpl::ListReservations(grpc::ServerContext*,
                                                    const v1::ListReservationsRequest* request,
                                                    v1::ListReservationsResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(std::string after,
                              common::DecodePageToken("reservations", request->page_token()));
    SALESOPS_ASSIGN_OR_RETURN(
        Page<v1::Reservation> page,
        store_->ListReservations(*request, common::EffectivePageSize(request->page_size()), after));
    for (auto& reservation : page.entries) *response->add_reservations() = std::move(reservation);
    response->set_next_page_token(common::EncodePageToken("reservations", page.next_after));
    return absl::OkStatus();
  }());
}

grpc::Status InventoryServiceImpl::GetPullSheet(grpc::ServerContext*,
                                                const v1::GetPullSheetRequest* request,
                                                v1::GetPullSheetResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(OrderSheet sheet, store_->LoadSheet(request->order_id()));
    if (!request->warehouse_id().empty()) {
      // One warehouse's sheet, and its own progress.
      std::erase_if(sheet.lines, [&](const SheetLine& line) {
        return line.warehouse_id != request->warehouse_id();
      });
    }
    *response->mutable_pull_sheet() = ToPullSheet(sheet);
    return absl::OkStatus();
  }());
}

grpc::Status InventoryServiceImpl::RecordPrep(grpc::ServerContext* context,
                                              const v1::RecordPrepRequest* request,
                                              v1::RecordPrepResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    std::vector<PrepCountRecord> counts;
    for (const v1::PrepCount& count : request->counts()) {
      counts.push_back({count.inventory_code(),
                        count.pulled_quantity(),
                        {count.serial_numbers().begin(), count.serial_numbers().end()}});
    }
    const common::IdempotentRequest idempotent = IdempotentRequestOf("RecordPrep", *request);
    return store_->RecordPrep(
        request->order_id(), request->order_revision(), counts, runtime_.CallerOf(*context).id(),
        [&](const OrderSheet& current) { return CheckPrepCounts(current, request->counts()); },
        {*response,
         [&](const OrderSheet& sheet) { *response->mutable_pull_sheet() = ToPullSheet(sheet); },
         &idempotent});
  }());
}

grpc::Status InventoryServiceImpl::CheckOut(grpc::ServerContext* context,
                                            const v1::CheckOutRequest* request,
                                            v1::CheckOutResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    std::vector<common::FieldViolation> violations = common::ValidateRequest(*request);
    CheckCodesOnce(
        request->lines(), [](const v1::InventoryLine& line) { return line.inventory_code(); },
        violations);
    if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));
    MovementDraft draft{request->order_id(),
                        v1::MOVEMENT_KIND_CHECK_OUT,
                        {},
                        request->vehicle_id(),
                        runtime_.CallerOf(*context).id()};
    for (const v1::InventoryLine& line : request->lines()) {
      draft.lines.push_back({line.inventory_code(), line.quantity(), 0, "", {}});
    }
    const common::IdempotentRequest idempotent = IdempotentRequestOf("CheckOut", *request);
    return store_->RecordMovement(
        draft, [&](const OrderSheet& sheet) { return CheckCheckOut(sheet, request->lines()); },
        {*response,
         [&](const MovementOutcome& outcome) {
           *response->mutable_movement() = outcome.movement;
           for (const SheetLine& line : outcome.sheet_after.lines) {
             if (line.to_pull > line.checked_out) {
               v1::InventoryLine* outstanding = response->add_outstanding();
               outstanding->set_inventory_code(line.inventory_code);
               outstanding->set_quantity(line.to_pull - line.checked_out);
             }
           }
         },
         &idempotent});
  }());
}

grpc::Status InventoryServiceImpl::CheckIn(grpc::ServerContext* context,
                                           const v1::CheckInRequest* request,
                                           v1::CheckInResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    std::vector<common::FieldViolation> violations = common::ValidateRequest(*request);
    CheckCodesOnce(
        request->lines(), [](const v1::CheckInLine& line) { return line.inventory_code(); },
        violations);
    const int64_t now_micros = common::ToMicros(common::NowTimestamp());
    for (int i = 0; i < request->lines_size(); ++i) {
      const v1::CheckInLine& line = request->lines(i);
      if (line.has_back_in_service_time() &&
          common::ToMicros(line.back_in_service_time()) <= now_micros) {
        violations.push_back({"lines[" + std::to_string(i) + "].back_in_service_time",
                              "is in the past; a repair ends in the future"});
      }
    }
    if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));
    MovementDraft draft{
        request->order_id(), v1::MOVEMENT_KIND_CHECK_IN, {}, "", runtime_.CallerOf(*context).id()};
    for (const v1::CheckInLine& line : request->lines()) {
      std::optional<Instant> back;
      if (line.has_back_in_service_time()) {
        back = Instant(std::chrono::microseconds(common::ToMicros(line.back_in_service_time())));
      }
      draft.lines.push_back({line.inventory_code(), line.returned_quantity(),
                             line.damaged_quantity(), line.damage_note(), back});
    }
    const common::IdempotentRequest idempotent = IdempotentRequestOf("CheckIn", *request);
    return store_->RecordMovement(
        draft, [&](const OrderSheet& sheet) { return CheckCheckIn(sheet, request->lines()); },
        {*response,
         [&](const MovementOutcome& outcome) {
           *response->mutable_movement() = outcome.movement;
           for (const auto& rental : outcome.to_return_to_supplier) {
             *response->add_to_return_to_supplier() = rental;
           }
           for (const auto& period : outcome.out_of_service) {
             *response->add_out_of_service() = period;
           }
         },
         &idempotent});
  }());
}

grpc::Status InventoryServiceImpl::SetOutOfService(grpc::ServerContext* context,
                                                   const v1::SetOutOfServiceRequest* request,
                                                   v1::SetOutOfServiceResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_RETURN_IF_ERROR(IntervalOf(request->window(), "window").status());
    const common::IdempotentRequest idempotent = IdempotentRequestOf("SetOutOfService", *request);
    SALESOPS_RETURN_IF_ERROR(store_->SetOutOfService(
        *request, runtime_.CallerOf(*context).id(),
        {*response,
         [&](const std::pair<v1::OutOfService, std::vector<v1::OrderShortage>>& result) {
           *response->mutable_out_of_service() = result.first;
           for (const auto& shortage : result.second) *response->add_shortages() = shortage;
         },
         &idempotent}));
    metrics_.ShortagesDetected("out_of_service", response->shortages_size());
    return absl::OkStatus();
  }());
}

grpc::Status InventoryServiceImpl::AddSubRental(grpc::ServerContext* context,
                                                const v1::AddSubRentalRequest* request,
                                                v1::AddSubRentalResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_RETURN_IF_ERROR(
        IntervalOf(request->sub_rental().window(), "sub_rental.window").status());
    const common::IdempotentRequest idempotent = IdempotentRequestOf("AddSubRental", *request);
    return store_->AddSubRental(
        request->sub_rental(), runtime_.CallerOf(*context).id(),
        {*response, [&](const v1::SubRental& stored) { *response->mutable_sub_rental() = stored; },
         &idempotent});
  }());
}

grpc::Status InventoryServiceImpl::ListSubRentals(grpc::ServerContext*,
                                                  const v1::ListSubRentalsRequest* request,
                                                  v1::ListSubRentalsResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(std::string after,
                              common::DecodePageToken("sub_rentals", request->page_token()));
    SALESOPS_ASSIGN_OR_RETURN(
        Page<v1::SubRental> page,
        store_->ListSubRentals(*request, common::EffectivePageSize(request->page_size()), after));
    for (auto& rental : page.entries) *response->add_sub_rentals() = std::move(rental);
    response->set_next_page_token(common::EncodePageToken("sub_rentals", page.next_after));
    return absl::OkStatus();
  }());
}

grpc::Status InventoryServiceImpl::ForecastDemand(grpc::ServerContext*,
                                                  const v1::ForecastDemandRequest* request,
                                                  v1::ForecastDemandResponse* response) {
  return ToGrpcStatus([&]() -> absl::Status {
    SALESOPS_RETURN_IF_ERROR(CheckRequest(*request));
    SALESOPS_ASSIGN_OR_RETURN(std::string after,
                              common::DecodePageToken("forecast", request->page_token()));
    SALESOPS_ASSIGN_OR_RETURN(*response, keeper_.ForecastDemand(*request, after));
    return absl::OkStatus();
  }());
}

}  // namespace salesops::inventory
