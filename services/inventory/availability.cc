#include "services/inventory/availability.h"

#include <algorithm>
#include <limits>
#include <set>

namespace salesops::inventory {
namespace {

// One step of the sweep: at `at`, the net use of the kind changes by `delta`.
struct Step {
  Instant at;
  int delta;
  StockChange::Kind kind;
};

}  // namespace

WindowUsage UsageOverWindow(int owned, const std::vector<StockChange>& changes,
                            const Interval& window) {
  std::vector<Step> steps;
  steps.reserve(changes.size() * 2);
  for (const StockChange& change : changes) {
    if (!change.during.Overlaps(window) || change.quantity <= 0) continue;
    Instant start = std::max(change.during.start, window.start);
    Instant end = std::min(change.during.end, window.end);
    steps.push_back({start, change.quantity, change.kind});
    steps.push_back({end, -change.quantity, change.kind});
  }
  // Ends before starts at the same instant: intervals are half-open.
  std::sort(steps.begin(), steps.end(), [](const Step& a, const Step& b) {
    return a.at != b.at ? a.at < b.at : a.delta < b.delta;
  });

  WindowUsage usage;
  usage.owned = owned;
  int reserved = 0, held = 0, out_of_service = 0, sub_rented = 0, drawn = 0;
  // In use + out of service - rented in, at the worst instant; negative when
  // rented-in units exceed what is used, which is what makes them usable.
  int worst_net = std::numeric_limits<int>::min();
  int least_sub_rented = -1;
  auto observe = [&] {
    usage.peak_reserved = std::max(usage.peak_reserved, reserved);
    usage.peak_held = std::max(usage.peak_held, held);
    usage.peak_in_use = std::max(usage.peak_in_use, reserved + held);
    usage.peak_out_of_service = std::max(usage.peak_out_of_service, out_of_service);
    worst_net = std::max(worst_net, reserved + held + out_of_service - sub_rented - drawn);
  };
  // The window's first instant counts even when nothing starts there.
  size_t i = 0;
  Instant at = window.start;
  while (true) {
    while (i < steps.size() && steps[i].at == at) {
      int& level = steps[i].kind == StockChange::Kind::kReserved       ? reserved
                   : steps[i].kind == StockChange::Kind::kHeld         ? held
                   : steps[i].kind == StockChange::Kind::kOutOfService ? out_of_service
                   : steps[i].kind == StockChange::Kind::kDrawn        ? drawn
                                                                       : sub_rented;
      level += steps[i].delta;
      ++i;
    }
    if (at >= window.end) break;
    observe();
    least_sub_rented = least_sub_rented < 0 ? sub_rented : std::min(least_sub_rented, sub_rented);
    if (i >= steps.size()) break;
    at = steps[i].at;
  }
  usage.sub_rented_in = std::max(least_sub_rented, 0);
  usage.free = std::max(0, owned - worst_net);
  usage.short_by = std::max(0, worst_net - owned);
  return usage;
}

std::vector<WarehouseUsage> UsageByWarehouse(const CodeStock& stock, const Interval& window) {
  const WarehouseSplit& split = stock.warehouses;
  std::set<std::string> others;
  for (const auto& [warehouse, quantity] : split.base) others.insert(warehouse);
  for (const TransferMove& move : split.moves) others.insert({move.from, move.to});
  others.erase(split.home);
  std::vector<std::string> order{split.home};
  order.insert(order.end(), others.begin(), others.end());
  // A move is for good: from its departure on at the origin, from its arrival at the destination.
  const Instant forever = std::max(window.end, window.start) + std::chrono::microseconds(1);
  std::vector<WarehouseUsage> usages;
  for (const std::string& warehouse : order) {
    std::vector<StockChange> moves;
    for (const TransferMove& move : split.moves) {
      if (move.from == warehouse && move.road.start < forever) {
        moves.push_back(
            {StockChange::Kind::kOutOfService, {move.road.start, forever}, move.quantity});
      }
      if (move.to == warehouse && move.road.end < forever) {
        moves.push_back({StockChange::Kind::kSubRentedIn, {move.road.end, forever}, move.quantity});
      }
    }
    auto base = split.base.find(warehouse);
    const int owned = base == split.base.end() ? 0 : base->second;
    WarehouseUsage usage{warehouse, UsageOverWindow(owned, moves, window).free, 0, 0};
    if (warehouse == split.home) {
      for (const StockChange& change : stock.changes) {
        if (!change.in_transit) moves.push_back(change);
      }
    }
    const WindowUsage with_demand = UsageOverWindow(owned, moves, window);
    usage.free = with_demand.free;
    usage.short_by = with_demand.short_by;
    usages.push_back(std::move(usage));
  }
  return usages;
}

std::vector<Shortage> FindShortages(const std::vector<CodeDemand>& demand,
                                    const StockPicture& stock, const Interval& window) {
  std::vector<Shortage> shortages;
  for (const CodeDemand& line : demand) {
    auto found = stock.find(line.inventory_code);
    int available = found == stock.end()
                        ? 0
                        : UsageOverWindow(found->second.owned, found->second.changes, window).free;
    if (available < line.requested) {
      shortages.push_back({line.inventory_code, line.requested, available, "", window});
    }
  }
  return shortages;
}

std::vector<Shortage> FindPartShortages(const std::vector<PartDemand>& parts,
                                        const StockPicture& stock) {
  std::vector<Shortage> shortages;
  for (size_t p = 0; p < parts.size(); ++p) {
    const PartDemand& part = parts[p];
    for (const CodeDemand& line : part.lines) {
      auto found = stock.find(line.inventory_code);
      const CodeStock none;
      const CodeStock& code_stock = found == stock.end() ? none : found->second;
      // The other parts' demand of this code counts as in use where it overlaps this part.
      // Copied only when there is some: one part (the common case) reads the stock as it is.
      std::optional<std::vector<StockChange>> with_siblings;
      for (size_t q = 0; q < parts.size(); ++q) {
        if (q == p || !(code_stock.consumable || parts[q].window.Overlaps(part.window))) continue;
        for (const CodeDemand& sibling : parts[q].lines) {
          if (sibling.inventory_code != line.inventory_code) continue;
          if (!with_siblings) with_siblings = code_stock.changes;
          with_siblings->push_back({StockChange::Kind::kReserved,
                                    code_stock.consumable ? part.window : parts[q].window,
                                    sibling.requested});
        }
      }
      const int available =
          found == stock.end()
              ? 0
              : UsageOverWindow(code_stock.owned,
                                with_siblings ? *with_siblings : code_stock.changes, part.window)
                    .free;
      if (available < line.requested) {
        shortages.push_back(
            {line.inventory_code, line.requested, available, part.phase_id, part.window});
      }
    }
  }
  return shortages;
}

Interval SpanOf(const std::vector<PartDemand>& parts) {
  Interval span = parts.empty() ? Interval{} : parts.front().window;
  for (const PartDemand& part : parts) {
    span.start = std::min(span.start, part.window.start);
    span.end = std::max(span.end, part.window.end);
  }
  return span;
}

std::optional<Instant> EarliestFeasibleStart(const std::vector<CodeDemand>& demand,
                                             const StockPicture& stock, const Interval& window,
                                             std::chrono::microseconds horizon) {
  const auto length = window.end - window.start;
  const Instant last_start = window.start + horizon;
  // Free quantity only ever rises when something ends (or rented-in stock
  // starts), so those instants, and the requested start, are the candidates.
  std::set<Instant> candidates = {window.start};
  for (const auto& [code, code_stock] : stock) {
    for (const StockChange& change : code_stock.changes) {
      Instant frees_up =
          change.kind == StockChange::Kind::kSubRentedIn || change.kind == StockChange::Kind::kDrawn
              ? change.during.start
              : change.during.end;
      if (frees_up > window.start && frees_up <= last_start) candidates.insert(frees_up);
    }
  }
  for (Instant start : candidates) {
    if (FindShortages(demand, stock, {start, start + length}).empty()) return start;
  }
  return std::nullopt;
}

DemandForecast ForecastOverWindow(int owned, const std::vector<StockChange>& changes,
                                  const Interval& window) {
  struct WeightedStep {
    Instant at;
    double firm, held, stock;
  };
  std::vector<WeightedStep> steps;
  for (const StockChange& change : changes) {
    if (!change.during.Overlaps(window) || change.quantity <= 0) continue;
    double firm = 0, held = 0, stock = 0;
    switch (change.kind) {
      case StockChange::Kind::kReserved:
        firm = change.quantity;
        break;
      case StockChange::Kind::kHeld:
        held = change.quantity * change.weight;
        break;
      case StockChange::Kind::kOutOfService:
        stock = -change.quantity;
        break;
      case StockChange::Kind::kSubRentedIn:
      case StockChange::Kind::kDrawn:
        stock = change.quantity;
        break;
    }
    steps.push_back({std::max(change.during.start, window.start), firm, held, stock});
    steps.push_back({std::min(change.during.end, window.end), -firm, -held, -stock});
  }
  std::sort(steps.begin(), steps.end(),
            [](const WeightedStep& a, const WeightedStep& b) { return a.at < b.at; });
  DemandForecast forecast;
  double firm = 0, held = 0, stock = owned, lowest_stock = owned, worst = 0;
  double peak_firm = 0, peak_held = 0;
  size_t i = 0;
  Instant at = window.start;
  while (true) {
    while (i < steps.size() && steps[i].at == at) {
      firm += steps[i].firm;
      held += steps[i].held;
      stock += steps[i].stock;
      ++i;
    }
    if (at >= window.end) break;
    peak_firm = std::max(peak_firm, firm);
    peak_held = std::max(peak_held, held);
    lowest_stock = std::min(lowest_stock, stock);
    worst = std::max(worst, firm + held - stock);
    if (i >= steps.size()) break;
    at = steps[i].at;
  }
  forecast.firm_demand = static_cast<int>(peak_firm + 0.5);
  forecast.weighted_hold_demand = peak_held;
  forecast.stock = static_cast<int>(lowest_stock + 0.5);
  forecast.projected_shortfall = worst;
  return forecast;
}

}  // namespace salesops::inventory
