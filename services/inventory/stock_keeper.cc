#include "services/inventory/stock_keeper.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <optional>
#include <set>

#include "services/common/errors.h"
#include "services/common/page_token.h"
#include "services/common/time_util.h"
#include "services/common/validation.h"

namespace salesops::inventory {
namespace {

Instant InstantOf(const google::protobuf::Timestamp& timestamp) {
  return Instant(std::chrono::microseconds(common::ToMicros(timestamp)));
}

std::vector<CodeDemand> DemandOf(
    const google::protobuf::RepeatedPtrField<v1::InventoryLine>& lines) {
  std::map<std::string, int> summed;  // a code listed twice is wanted twice
  std::vector<std::string> order;
  for (const v1::InventoryLine& line : lines) {
    if (summed.count(line.inventory_code()) == 0) order.push_back(line.inventory_code());
    summed[line.inventory_code()] += line.quantity();
  }
  std::vector<CodeDemand> demand;
  for (const std::string& code : order) demand.push_back({code, summed[code]});
  return demand;
}

std::vector<std::string> CodesOf(const std::vector<CodeDemand>& demand) {
  std::vector<std::string> codes;
  for (const CodeDemand& line : demand) codes.push_back(line.inventory_code);
  return codes;
}

// Every code of every part, once, in the order first named.
std::vector<std::string> CodesOf(const std::vector<PartDemand>& parts) {
  if (parts.size() == 1) return CodesOf(parts.front().lines);
  std::vector<std::string> codes;
  std::set<std::string> seen;
  for (const PartDemand& part : parts) {
    for (const CodeDemand& line : part.lines) {
      if (seen.insert(line.inventory_code).second) codes.push_back(line.inventory_code);
    }
  }
  return codes;
}

v1::StockShortage ToProto(const Shortage& shortage) {
  v1::StockShortage proto;
  proto.set_inventory_code(shortage.inventory_code);
  proto.set_requested(shortage.requested);
  proto.set_available(shortage.available);
  proto.set_shortfall(shortage.shortfall());
  return proto;
}

v1::PartShortage ToPartProto(const Shortage& shortage) {
  v1::PartShortage proto;
  proto.set_phase_id(shortage.phase_id);
  *proto.mutable_window() = WindowOf(shortage.window);
  *proto.mutable_shortage() = ToProto(shortage);
  return proto;
}

// `[a-z0-9][a-z0-9-]{0,39}`: safe in messages, metadata and logs as it is.
bool IsValidPhaseId(const std::string& phase_id) {
  if (phase_id.empty() || phase_id.size() > 40 || phase_id.front() == '-') return false;
  return std::all_of(phase_id.begin(), phase_id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// `window` as an interval, or a violation naming `field` when it lacks its start.
std::optional<Interval> WholeWindow(const v1::Window& window, const std::string& field,
                                    std::vector<common::FieldViolation>& violations) {
  if (!window.has_not_before()) {
    violations.push_back(
        {field + ".not_before", "is required here: stock is checked over the whole window"});
    return std::nullopt;
  }
  return Interval{InstantOf(window.not_before()), InstantOf(window.no_later_than())};
}

// A request's parts (CheckAvailability, PlaceHold, Reserve): its own lines over its window
// first, as the main part (phase_id ""), then its `parts` in their order. Phase ids must be
// well formed and unique, every window needs both ends, and all parts together span at most
// the longest window a request may give (the work grows with the span).
template <typename Request>
absl::StatusOr<std::vector<PartDemand>> PartsOf(const Request& request) {
  std::vector<common::FieldViolation> violations;
  std::vector<PartDemand> parts;
  if (std::optional<Interval> window = WholeWindow(request.window(), "window", violations)) {
    parts.push_back({"", *window, DemandOf(request.lines())});
  }
  std::set<std::string> phase_ids;
  for (int i = 0; i < request.parts_size(); ++i) {
    const v1::ReservationPart& part = request.parts(i);
    const std::string field = "parts[" + std::to_string(i) + "]";
    if (!IsValidPhaseId(part.phase_id())) {
      violations.push_back({field + ".phase_id",
                            "must match [a-z0-9][a-z0-9-]{0,39}, e.g. 'rehearsal' or 'stop-2'"});
    } else if (!phase_ids.insert(part.phase_id()).second) {
      violations.push_back({field + ".phase_id",
                            "names phase '" + part.phase_id() + "' a second time; each part once"});
    }
    if (std::optional<Interval> window =
            WholeWindow(part.window(), field + ".window", violations)) {
      parts.push_back({part.phase_id(), *window, DemandOf(part.lines())});
    }
  }
  if (violations.empty() && parts.size() > 1) {
    const Interval span = SpanOf(parts);
    if (span.end - span.start > std::chrono::seconds(common::kMaxWindowSpanSeconds)) {
      violations.push_back({"parts", "span more than " +
                                         std::to_string(common::kMaxWindowSpanDays) +
                                         " days together with window; split the order"});
    }
  }
  if (!violations.empty()) return common::InvalidArgumentError(std::move(violations));
  return parts;
}

// Unknown codes named where the request gave them: lines[i] or parts[k].lines[i].
template <typename Request>
absl::Status UnknownCodes(const std::vector<std::string>& unknown, const Request& request) {
  std::vector<common::FieldViolation> violations;
  auto name = [&](const google::protobuf::RepeatedPtrField<v1::InventoryLine>& lines,
                  const std::string& field) {
    for (int i = 0; i < lines.size(); ++i) {
      if (std::find(unknown.begin(), unknown.end(), lines[i].inventory_code()) != unknown.end()) {
        violations.push_back({field + "[" + std::to_string(i) + "].inventory_code",
                              "unknown inventory code '" + lines[i].inventory_code() + "'"});
      }
    }
  };
  name(request.lines(), "lines");
  for (int k = 0; k < request.parts_size(); ++k) {
    name(request.parts(k).lines(), "parts[" + std::to_string(k) + "].lines");
  }
  return common::UnknownReferenceError(std::move(violations), v1::UNKNOWN_INVENTORY_CODE);
}

// "2 x LED-PANEL-500 short (want 6, 4 free)", and "... in part 'show'" for a further part, for
// messages people read.
std::string Describe(const std::vector<Shortage>& shortages) {
  std::string text;
  for (const Shortage& shortage : shortages) {
    if (!text.empty()) text += "; ";
    text += std::to_string(shortage.shortfall()) + " x " + shortage.inventory_code + " short" +
            (shortage.phase_id.empty() ? "" : " in part '" + shortage.phase_id + "'") + " (want " +
            std::to_string(shortage.requested) + ", " + std::to_string(shortage.available) +
            " free)";
  }
  return text;
}

// The bucket length of a calendar or forecast, refused when it is not
// positive or cuts `range` into more than kMaxBuckets pieces.
absl::StatusOr<std::chrono::microseconds> BucketSize(const Interval& range,
                                                     const google::protobuf::Duration& size) {
  auto bucket = std::chrono::microseconds(common::DurationToMicros(size));
  if (bucket.count() <= 0) {
    return common::InvalidArgumentError({{"bucket_size", "must be positive"}});
  }
  int64_t buckets = ((range.end - range.start) + bucket - std::chrono::microseconds(1)) / bucket;
  if (buckets > StockKeeper::kMaxBuckets) {
    return common::InvalidArgumentError(
        {{"bucket_size", "gives " + std::to_string(buckets) + " buckets; at most " +
                             std::to_string(StockKeeper::kMaxBuckets) + " per call"}});
  }
  return bucket;
}

}  // namespace

absl::StatusOr<Interval> IntervalOf(const v1::Window& window, const std::string& field) {
  if (!window.has_not_before()) {
    return common::InvalidArgumentError(
        {{field + ".not_before", "is required here: stock is checked over the whole window"}});
  }
  return Interval{InstantOf(window.not_before()), InstantOf(window.no_later_than())};
}

v1::Window WindowOf(const Interval& interval) {
  v1::Window window;
  *window.mutable_not_before() =
      common::TimestampFromMicros(interval.start.time_since_epoch().count());
  *window.mutable_no_later_than() =
      common::TimestampFromMicros(interval.end.time_since_epoch().count());
  return window;
}

absl::StatusOr<v1::ResolveProductsResponse> StockKeeper::Resolve(
    const v1::ResolveProductsRequest& request) {
  std::vector<std::string> codes;
  for (const v1::ProductLine& line : request.lines()) codes.push_back(line.product_code());
  SALESOPS_ASSIGN_OR_RETURN(Catalog catalog, store_.FindProducts(codes));
  return ResolveProductLines(request.lines(), catalog);
}

namespace {

Instant Now() {
  return Instant(std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now().time_since_epoch()));
}

// Transfers that would cover the home's shortfall of `line`, from the warehouses with the most
// units free from the latest departure (`road.start`) to the window's end.
void SuggestTransfers(const CodeDemand& line, const CodeStock& stock, const Interval& road,
                      const WarehouseUsage& home, v1::CheckAvailabilityResponse& response) {
  std::vector<WarehouseUsage> others = UsageByWarehouse(stock, road);
  others.erase(others.begin());
  std::stable_sort(
      others.begin(), others.end(),
      [](const WarehouseUsage& a, const WarehouseUsage& b) { return a.free > b.free; });
  int needed = line.requested - home.free;
  for (const WarehouseUsage& other : others) {
    if (needed <= 0 || other.free <= 0) break;
    v1::TransferSuggestion* suggestion = response.add_suggested_transfers();
    suggestion->set_inventory_code(line.inventory_code);
    suggestion->set_from_warehouse_id(other.warehouse_id);
    suggestion->set_to_warehouse_id(home.warehouse_id);
    suggestion->set_quantity(std::min(needed, other.free));
    *suggestion->mutable_depart_by_time() = common::TimestampFromMicros(
        std::chrono::duration_cast<std::chrono::microseconds>(road.start.time_since_epoch())
            .count());
    needed -= suggestion->quantity();
  }
}

}  // namespace

absl::StatusOr<v1::CheckAvailabilityResponse> StockKeeper::CheckAvailability(
    const v1::CheckAvailabilityRequest& request) {
  SALESOPS_ASSIGN_OR_RETURN(std::vector<PartDemand> parts, PartsOf(request));
  const Interval window = parts.front().window;
  const std::vector<CodeDemand>& demand = parts.front().lines;
  // From a transfer's latest departure on: the other warehouses' stock then is what a transfer
  // could bring in time.
  const Instant depart_by = window.start - kSuggestedTransit;
  Interval range = SpanOf(parts);
  range.start = std::min(range.start, depart_by);
  StockQuery query{
      CodesOf(parts), range, !request.ignore_holds(), true, request.exclude_order_id(), true};
  SALESOPS_ASSIGN_OR_RETURN(LoadedStock stock, store_.LoadStock(query));
  if (!stock.unknown_codes.empty()) return UnknownCodes(stock.unknown_codes, request);
  query.range = SpanOf(parts);
  query.with_warehouses = false;

  v1::CheckAvailabilityResponse response;
  for (const CodeDemand& line : demand) {
    const CodeStock& code_stock = stock.picture.at(line.inventory_code);
    WindowUsage usage = UsageOverWindow(code_stock.owned, code_stock.changes, window);
    v1::CodeAvailability* availability = response.add_availability();
    availability->set_inventory_code(line.inventory_code);
    availability->set_description(stock.descriptions[line.inventory_code]);
    availability->set_requested(line.requested);
    availability->set_owned(usage.owned);
    availability->set_sub_rented_in(usage.sub_rented_in);
    availability->set_peak_in_use(usage.peak_in_use);
    availability->set_out_of_service(usage.peak_out_of_service);
    availability->set_free(usage.free);
    availability->set_sub_rental_needed(std::max(0, line.requested - usage.free));
    std::vector<StockChange> road;
    for (const StockChange& change : code_stock.changes) {
      if (change.in_transit)
        road.push_back({StockChange::Kind::kReserved, change.during, change.quantity});
    }
    availability->set_in_transit(UsageOverWindow(0, road, window).peak_reserved);
    const std::vector<WarehouseUsage> warehouses = UsageByWarehouse(code_stock, window);
    for (const WarehouseUsage& warehouse : warehouses) {
      v1::WarehouseAvailability* added = availability->add_warehouses();
      added->set_warehouse_id(warehouse.warehouse_id);
      added->set_stock(warehouse.stock);
      added->set_free(warehouse.free);
    }
    if (warehouses.size() > 1 && warehouses.front().free < line.requested && depart_by >= Now()) {
      SuggestTransfers(line, code_stock, {depart_by, window.end}, warehouses.front(), response);
    }
  }
  std::vector<Shortage> shortages = FindPartShortages(parts, stock.picture);
  for (const Shortage& shortage : shortages) {
    *response.add_shortages() = ToProto(shortage);
    *response.add_part_shortages() = ToPartProto(shortage);
  }
  response.set_all_available(shortages.empty());
  if (shortages.empty()) {
    *response.mutable_earliest_feasible_window() = WindowOf(window);
    return response;
  }
  // The earliest feasible window moves the main part only: when only further parts are short,
  // moving it helps nothing, and no window is proposed.
  if (!shortages.front().phase_id.empty()) return response;
  // Only a short answer pays for the wider look ahead.
  query.codes = CodesOf(demand);
  query.range = {window.start, window.end + kFeasibleSearchHorizon};
  SALESOPS_ASSIGN_OR_RETURN(LoadedStock ahead, store_.LoadStock(query));
  if (std::optional<Instant> start =
          EarliestFeasibleStart(demand, ahead.picture, window, kFeasibleSearchHorizon)) {
    *response.mutable_earliest_feasible_window() =
        WindowOf({*start, *start + (window.end - window.start)});
  }
  return response;
}

absl::StatusOr<v1::GetAvailabilityCalendarResponse> StockKeeper::Calendar(
    const v1::GetAvailabilityCalendarRequest& request) {
  SALESOPS_ASSIGN_OR_RETURN(Interval range, IntervalOf(request.range(), "range"));
  SALESOPS_ASSIGN_OR_RETURN(auto bucket, BucketSize(range, request.bucket_size()));
  StockQuery query{{request.inventory_code()}, range, !request.ignore_holds(), true, ""};
  SALESOPS_ASSIGN_OR_RETURN(LoadedStock stock, store_.LoadStock(query));
  if (!stock.unknown_codes.empty()) {
    return common::UnknownReferenceError(
        {{"inventory_code", "unknown inventory code '" + request.inventory_code() + "'"}},
        v1::UNKNOWN_INVENTORY_CODE);
  }
  const CodeStock& code_stock = stock.picture.at(request.inventory_code());
  v1::GetAvailabilityCalendarResponse response;
  response.set_inventory_code(request.inventory_code());
  response.set_quantity_owned(code_stock.owned);
  for (Instant start = range.start; start < range.end; start += bucket) {
    Interval slot{start, std::min(start + bucket, range.end)};
    WindowUsage usage = UsageOverWindow(code_stock.owned, code_stock.changes, slot);
    v1::AvailabilityBucket* added = response.add_buckets();
    *added->mutable_window() = WindowOf(slot);
    added->set_free(usage.free);
    added->set_reserved(usage.peak_reserved);
    added->set_held(usage.peak_held);
    added->set_sub_rented_in(usage.sub_rented_in);
    added->set_out_of_service(usage.peak_out_of_service);
  }
  return response;
}

absl::StatusOr<v1::PlaceHoldResponse> StockKeeper::PlaceHold(const v1::PlaceHoldRequest& request,
                                                             const v1::Actor& actor) {
  SALESOPS_ASSIGN_OR_RETURN(std::vector<PartDemand> parts, PartsOf(request));
  if (common::NowTimestamp() >= request.expire_time()) {
    return common::InvalidArgumentError(
        {{"expire_time", "is in the past; a hold must expire in the future"}});
  }
  ReservationDraft draft{
      request.order_id(), request.order_revision(),         v1::RESERVATION_KIND_HOLD,
      std::move(parts),   InstantOf(request.expire_time()), request.win_probability(),
      actor.id()};
  const common::IdempotentRequest idempotent = IdempotentRequestOf("PlaceHold", request);
  v1::PlaceHoldResponse response;
  // A quote may be short: the hold is placed anyway and the shortages reported.
  SALESOPS_RETURN_IF_ERROR(store_.PlaceReservation(
      draft,
      [&](const StockPicture& stock) {
        return absl::StatusOr<std::vector<Shortage>>(FindPartShortages(draft.parts, stock));
      },
      {response,
       [&](const ReservationOutcome& outcome) {
         *response.mutable_reservation() = outcome.reservation;
         for (const Shortage& shortage : outcome.shortages) {
           *response.add_shortages() = ToProto(shortage);
           *response.add_part_shortages() = ToPartProto(shortage);
         }
       },
       &idempotent}));
  return response;
}

absl::StatusOr<v1::ReserveResponse> StockKeeper::Reserve(const v1::ReserveRequest& request,
                                                         const v1::Actor& actor) {
  SALESOPS_ASSIGN_OR_RETURN(std::vector<PartDemand> parts, PartsOf(request));
  ReservationDraft draft{request.order_id(),
                         request.order_revision(),
                         v1::RESERVATION_KIND_FIRM,
                         std::move(parts),
                         std::nullopt,
                         1.0,
                         actor.id(),
                         request.request_id(),
                         {request.notes().begin(), request.notes().end()}};
  const common::IdempotentRequest idempotent = IdempotentRequestOf("Reserve", request);
  v1::ReserveResponse response;
  SALESOPS_RETURN_IF_ERROR(store_.PlaceReservation(
      draft,
      [&](const StockPicture& stock) -> absl::StatusOr<std::vector<Shortage>> {
        std::vector<Shortage> shortages = FindPartShortages(draft.parts, stock);
        if (shortages.empty()) return shortages;
        v1::Feasibility feasibility;
        v1::ReservationShortages by_part;
        std::map<std::string, int> shortfall_by_code;  // summed over the parts
        for (const Shortage& shortage : shortages) {
          *feasibility.add_stock_shortages() = ToProto(shortage);
          *by_part.add_shortages() = ToPartProto(shortage);
          shortfall_by_code[shortage.inventory_code] += shortage.shortfall();
        }
        std::map<std::string, std::string> metadata;
        for (const auto& [code, shortfall] : shortfall_by_code) {
          metadata[code] = std::to_string(shortfall);
        }
        feasibility.set_explanation(Describe(shortages));
        return common::WithDetail(
            common::WithDetail(
                common::BusinessRefusal(
                    v1::INSUFFICIENT_STOCK,
                    "cannot reserve order " + request.order_id() + ": " + Describe(shortages),
                    metadata),
                feasibility),
            by_part);
      },
      {response,
       [&](const ReservationOutcome& outcome) {
         *response.mutable_reservation() = outcome.reservation;
         response.set_replaced_reservation_id(outcome.replaced_reservation_id);
       },
       &idempotent}));
  return response;
}

absl::StatusOr<v1::ForecastDemandResponse> StockKeeper::ForecastDemand(
    const v1::ForecastDemandRequest& request, const std::string& after) {
  SALESOPS_ASSIGN_OR_RETURN(Interval range, IntervalOf(request.range(), "range"));
  SALESOPS_ASSIGN_OR_RETURN(auto bucket, BucketSize(range, request.bucket_size()));
  // The codes to forecast: one page of the item listing, filtered alike.
  v1::ListItemsRequest items_filter;
  items_filter.set_category(request.category());
  *items_filter.mutable_inventory_codes() = request.inventory_codes();
  int page_size = common::EffectivePageSize(request.page_size());
  SALESOPS_ASSIGN_OR_RETURN(Page<v1::Item> items, store_.ListItems(items_filter, page_size, after));
  StockQuery query{{}, range, /*include_holds=*/true, /*include_firm=*/true, ""};
  for (const v1::Item& item : items.entries) query.codes.push_back(item.inventory_code());
  SALESOPS_ASSIGN_OR_RETURN(LoadedStock stock, store_.LoadStock(query));

  v1::ForecastDemandResponse response;
  for (const v1::Item& item : items.entries) {
    const CodeStock& code_stock = stock.picture[item.inventory_code()];
    v1::CodeForecast forecast;
    forecast.set_inventory_code(item.inventory_code());
    forecast.set_description(item.description());
    forecast.set_quantity_owned(item.quantity_owned());
    bool any_shortfall = false;
    for (Instant start = range.start; start < range.end; start += bucket) {
      Interval slot{start, std::min(start + bucket, range.end)};
      DemandForecast demand = ForecastOverWindow(code_stock.owned, code_stock.changes, slot);
      v1::DemandBucket* added = forecast.add_buckets();
      *added->mutable_window() = WindowOf(slot);
      added->set_firm_demand(demand.firm_demand);
      added->set_weighted_hold_demand(demand.weighted_hold_demand);
      added->set_stock(demand.stock);
      added->set_projected_shortfall(demand.projected_shortfall);
      any_shortfall = any_shortfall || demand.projected_shortfall > 0;
    }
    if (!request.shortages_only() || any_shortfall) *response.add_forecasts() = std::move(forecast);
  }
  response.set_next_page_token(common::EncodePageToken("forecast", items.next_after));
  return response;
}

absl::StatusOr<v1::ReleaseResponse> StockKeeper::Release(const v1::ReleaseRequest& request,
                                                         const v1::Actor& actor) {
  const common::IdempotentRequest idempotent = IdempotentRequestOf("Release", request);
  v1::ReleaseResponse response;
  SALESOPS_RETURN_IF_ERROR(store_.Release(request.order_id(), request.order_revision(),
                                          request.reason(), actor.id(), request.undo_request_id(),
                                          {response,
                                           [&](const std::vector<v1::Reservation>& released) {
                                             for (const v1::Reservation& reservation : released)
                                               *response.add_released() = reservation;
                                           },
                                           &idempotent}));
  return response;
}

}  // namespace salesops::inventory
