#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace salesops::inventory {

// Time inside the domain: microseconds since the Unix epoch, PostgreSQL's own
// resolution, so nothing is rounded between the database and the arithmetic.
using Instant = std::chrono::sys_time<std::chrono::microseconds>;

// Half-open [start, end): a booking that ends at 12:00 and one that starts at
// 12:00 do not overlap, which is how back-to-back rentals work.
struct Interval {
  Instant start;
  Instant end;
  bool Overlaps(const Interval& other) const { return start < other.end && other.start < end; }
  bool operator==(const Interval&) const = default;
};

// Something that changes how many units of one code are usable during an interval.
struct StockChange {
  // kDrawn: units of a consumable that the order being decided already checked out. They left
  // stock (quantity owned went down) but are in that order's hands, so they count toward its
  // own demand, as units rented in would, without being rented in.
  enum class Kind { kReserved, kHeld, kOutOfService, kSubRentedIn, kDrawn };
  Kind kind;
  Interval during;
  int quantity;
  // Holds: the quote's win probability, for forecasts. 1 for everything else.
  double weight = 1.0;
  // Out of service because the units are on the road between warehouses (a transfer): counted
  // in the code's total, and per warehouse as the move it is instead.
  bool in_transit = false;
};

// One code over one window. Peaks, not sums: two one-day bookings on
// different days of a three-day window use the units once.
struct WindowUsage {
  int owned = 0;
  int peak_reserved = 0;  // firm reservations, highest concurrent quantity
  int peak_held = 0;      // unexpired holds
  int peak_in_use = 0;    // reserved + held at the busiest instant
  int peak_out_of_service = 0;
  int sub_rented_in = 0;  // units rented in for the whole window (the least at any instant)
  int free = 0;           // owned + rented in - in use - out of service, at the worst instant
  int short_by = 0;       // how far the worst instant is past what is owned (overbooked), or 0
};

// Computes a code's usage over `window` from the changes that overlap it.
// free = owned - max over t of (in_use(t) + out_of_service(t) - sub_rented_in(t)),
// never below zero.
WindowUsage UsageOverWindow(int owned, const std::vector<StockChange>& changes,
                            const Interval& window);

// What one code needs and what it has.
struct CodeDemand {
  std::string inventory_code;
  int requested = 0;
};

struct Shortage {
  std::string inventory_code;
  int requested = 0;
  int available = 0;
  // The part that is short ("" for a reservation's main part) and the window it was checked
  // over.
  std::string phase_id;
  Interval window{};
  int shortfall() const { return requested - available; }
};

// One part of a reservation (an order's phase, issue 17): its lines over its own window. A
// reservation's main part has phase_id "".
struct PartDemand {
  std::string phase_id;
  Interval window;
  std::vector<CodeDemand> lines;
};

// Units of a code moving between warehouses: gone from `from` at road.start, at `to` from
// road.end on.
struct TransferMove {
  std::string from;
  std::string to;
  Interval road;
  int quantity = 0;
};

// Where a code's units live: its home (which carries every reservation, hold, out-of-service
// period and sub-rental of the code: the order is pulled there), what each other warehouse
// keeps, and the transfers that moved or will move units.
struct WarehouseSplit {
  std::string home;
  std::map<std::string, int> base;  // before any transfer; the home's is what is left
  std::vector<TransferMove> moves;
};

// One warehouse's share of a code over a window.
struct WarehouseUsage {
  std::string warehouse_id;
  int stock = 0;     // units there at the leanest instant
  int free = 0;      // units free there over the whole window
  int short_by = 0;  // how far its worst instant is past what it has (a move it cannot make)
};

// Stock of one code as loaded for a decision: quantity owned plus every change
// overlapping the range of interest.
struct CodeStock {
  int owned = 0;
  std::vector<StockChange> changes;
  // Used up when checked out (gaffer tape, batteries): units never come back, so every order's
  // undrawn units count against every window, whatever their own; its reservations and holds
  // are loaded over the whole range of interest.
  bool consumable = false;
  // Loaded when asked for (StockQuery::with_warehouses).
  WarehouseSplit warehouses;
};
using StockPicture = std::map<std::string, CodeStock>;

// The code per warehouse over `window`, the home first, then by id: each warehouse's own stock
// with the transfers in and out of it, and at the home the code's demand too (not its road
// time, which the moves account for).
std::vector<WarehouseUsage> UsageByWarehouse(const CodeStock& stock, const Interval& window);

// The codes whose free quantity over `window` is below the request, in request order.
std::vector<Shortage> FindShortages(const std::vector<CodeDemand>& demand,
                                    const StockPicture& stock, const Interval& window);

// The shortages of every part, each over its own window, in part then line order. A part
// competes with the other parts' lines of the same code only where their windows overlap:
// there the sum must fit, and parts that do not overlap may use the same units, unless the
// code is consumable (what one part uses up is gone for the next).
std::vector<Shortage> FindPartShortages(const std::vector<PartDemand>& parts,
                                        const StockPicture& stock);

// The smallest interval that holds every part's window.
Interval SpanOf(const std::vector<PartDemand>& parts);

// The earliest start, not before `window.start` and at most `horizon` later,
// such that a window of the same length fits every code. Candidates are the
// requested start and every instant some stock frees up; nullopt when none fits.
std::optional<Instant> EarliestFeasibleStart(const std::vector<CodeDemand>& demand,
                                             const StockPicture& stock, const Interval& window,
                                             std::chrono::microseconds horizon);

// Demand against stock for one code in one bucket of a forecast.
struct DemandForecast {
  int firm_demand = 0;              // peak firm reservations
  double weighted_hold_demand = 0;  // peak of holds weighted by win probability
  int stock = 0;                    // owned + rented in - out of service, at its lowest
  double projected_shortfall = 0;   // worst instant of firm + weighted holds - stock, >= 0
};
DemandForecast ForecastOverWindow(int owned, const std::vector<StockChange>& changes,
                                  const Interval& window);

}  // namespace salesops::inventory
