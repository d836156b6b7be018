#pragma once

#include <string_view>

namespace salesops::common {

// Failpoints: named places in a service where a fault test makes the process fail on purpose,
// to show that what it was doing recovers. Compiled into every build and inert unless the
// environment variable SALESOPS_FAILPOINTS names them when the process starts:
//
//   SALESOPS_FAILPOINTS="after_reserve=exit"          the process exits at once (status 137,
//                                                      no cleanup, like kill -9)
//   SALESOPS_FAILPOINTS="before_save_plan=sleep:8000" the calling thread sleeps 8 s
//   SALESOPS_FAILPOINTS="after_reserve=exit@3"         exits the 3rd time it is reached
//
// Several are separated by commas. A failpoint that is not named costs one lookup in an
// empty table. An entry that cannot be read stops the process at start with a message, so a
// fault test never runs without the fault it asked for. Production deployments never set
// the variable (the chart and compose file do not know it).
void Failpoint(std::string_view name);

// Reads SALESOPS_FAILPOINTS; called once by the service runtime at start (and by Failpoint
// itself, lazily, for code that runs outside a service). Exits with status 2 on a bad entry.
void LoadFailpoints();

}  // namespace salesops::common
