#pragma once

#include <pqxx/pqxx>
#include <string>

namespace salesops::testing {

// What inventory's benchmarks seed: `items` items ITEM-00001... that never run out, and
// `reservations` firm two-day reservations of one unit spread over 2030, one line each on an
// item picked by a hash of the order, as the API would have written them; then VACUUM ANALYZE.
// Bulk SQL straight into a migrated inventory database: a million rows in about a minute.
inline void SeedItemsAndReservations(pqxx::connection& connection, int items, int reservations) {
  pqxx::nontransaction seed(connection);
  seed.exec(
      "INSERT INTO items (inventory_code, description, quantity_owned) "
      "SELECT 'ITEM-' || lpad(g::text, 5, '0'), 'Benchmark item ' || g, 1000000 "
      "FROM generate_series(1, " +
      std::to_string(items) + ") g");
  seed.exec(
      "INSERT INTO reservations (order_id, order_revision, kind, state, during) "
      "SELECT 'BENCH-' || g, 1, 2, 1, tstzrange(start, start + interval '2 days') "
      "FROM (SELECT g, timestamptz '2030-01-01' + (g % 365) * interval '1 day' "
      "      + (g % 24) * interval '1 hour' AS start "
      "      FROM generate_series(1, " +
      std::to_string(reservations) + ") g) s");
  seed.exec(
      "INSERT INTO reservation_lines (reservation_id, inventory_code, quantity, during, kind, "
      "order_id) SELECT reservation_id, 'ITEM-' || lpad(((hashtext(order_id) & 2147483647) % " +
      std::to_string(items) + " + 1)::text, 5, '0'), 1, during, 2, order_id FROM reservations");
  seed.exec("VACUUM ANALYZE");
}

}  // namespace salesops::testing
