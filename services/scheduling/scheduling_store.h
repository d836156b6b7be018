#pragma once

#include <absl/status/statusor.h>

#include <string>
#include <vector>

#include "salesops/v1/scheduling.pb.h"

namespace salesops::scheduling {

template <typename T>
struct Page {
  std::vector<T> entries;
  std::string next_after;
};

// Everything scheduling keeps. One PostgreSQL implementation; all SQL lives there.
class SchedulingStore {
 public:
  virtual ~SchedulingStore() = default;

  // Crew and vehicles. Create refuses a taken id (ALREADY_EXISTS) and fills an
  // empty one; update needs the current etag when one is given (STALE_REVISION).
  virtual absl::StatusOr<v1::CrewMember> CreateCrewMember(v1::CrewMember member) = 0;
  virtual absl::StatusOr<v1::CrewMember> UpdateCrewMember(const v1::CrewMember& member,
                                                          const std::string& etag) = 0;
  virtual absl::StatusOr<v1::CrewMember> GetCrewMember(const std::string& id) = 0;
  virtual absl::StatusOr<Page<v1::CrewMember>> ListCrewMembers(
      const v1::ListCrewMembersRequest& filter, int limit, const std::string& after) = 0;
  virtual absl::StatusOr<v1::Vehicle> CreateVehicle(v1::Vehicle vehicle) = 0;
  virtual absl::StatusOr<v1::Vehicle> UpdateVehicle(const v1::Vehicle& vehicle,
                                                    const std::string& etag) = 0;
  virtual absl::StatusOr<v1::Vehicle> GetVehicle(const std::string& id) = 0;
  virtual absl::StatusOr<Page<v1::Vehicle>> ListVehicles(const v1::ListVehiclesRequest& filter,
                                                         int limit, const std::string& after) = 0;

  // Time off and repairs.
  virtual absl::StatusOr<v1::Unavailability> AddUnavailability(
      const v1::Unavailability& unavailability, const std::string& actor_id) = 0;
  virtual absl::StatusOr<Page<v1::Unavailability>> ListUnavailability(
      const v1::ListUnavailabilityRequest& filter, int limit, const std::string& after) = 0;
  virtual absl::Status DeleteUnavailability(const std::string& id) = 0;
};

}  // namespace salesops::scheduling
