// The skill catalog's migration (issue 20) on data written before it: crew members and tasks
// that held the seven enum skills keep them, as catalog codes, and the service reads them so.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "salesops/v1/scheduling.grpc.pb.h"
#include "services/common/migrations.h"
#include "services/scheduling/scheduling_definition.h"
#include "tests/support/service_fixture.h"

namespace salesops::testing {
namespace {

using Stub = v1::SchedulingService::Stub;
constexpr int kSkillCatalogMigration = 106;

TEST(SkillMigrationTest, EnumSkillsBecomeCatalogCodesWithoutLosingData) {
  auto database = std::make_shared<TestDatabase>();
  {
    // The schema as it was before the catalog, and data written then.
    pqxx::connection connection(database->connection_string());
    std::vector<common::Migration> before;
    for (const common::Migration& migration :
         common::WithSharedMigrations(scheduling::Migrations())) {
      if (migration.version < kSkillCatalogMigration) before.push_back(migration);
    }
    ASSERT_TRUE(common::ApplyMigrations(connection, before).ok());
    pqxx::work tx(connection);
    v1::CrewMember ana;
    ana.set_crew_member_id("ana");
    ana.set_display_name("Ana");
    ana.add_skills(v1::SKILL_LIGHTING);
    ana.add_skills(v1::SKILL_RIGGING);
    ana.set_active(true);
    tx.exec_params(
        "INSERT INTO crew_members (crew_member_id, display_name, skills, body) "
        "VALUES ('ana', 'Ana', '{3,4}', $1)",
        pqxx::binarystring(ana.SerializeAsString()));
    v1::CrewMember ben = ana;
    ben.set_crew_member_id("ben");
    ben.set_display_name("Ben");
    ben.clear_skills();
    ben.add_skills(v1::SKILL_VIDEO);
    tx.exec_params(
        "INSERT INTO crew_members (crew_member_id, display_name, skills, body) "
        "VALUES ('ben', 'Ben', '{2}', $1)",
        pqxx::binarystring(ben.SerializeAsString()));
    const int64_t day = (std::time(nullptr) / 86400 + 3) * 1440;  // minutes, 3 days ahead
    tx.exec_params(
        "INSERT INTO jobs (order_id, order_revision, state, plan_request, requested_by) "
        "VALUES ('OLD-1', 1, 2, ''::bytea, to_timestamp($1::bigint * 60))",
        day + 8 * 60);
    tx.exec_params(
        "INSERT INTO tasks (task_id, order_id, position, kind, state, not_before, no_later_than, "
        "duration, skill, headcount, planned_start, planned_finish, crew_ids) VALUES "
        "('OLD-1/SETUP-VIDEO', 'OLD-1', 0, 4, 2, $1::bigint, $2::bigint, 120, 2, 1, $1::bigint, "
        "$1::bigint + 120, '{ben}')",
        day + 8 * 60, day + 19 * 60);
    tx.commit();
  }

  // The service migrates on start.
  ServiceFixture<v1::SchedulingService> scheduling{"scheduling", database};
  ASSERT_TRUE(scheduling.started()) << scheduling.log();
  {
    pqxx::connection connection(database->connection_string());
    pqxx::work tx(connection);
    pqxx::result held = tx.exec(
        "SELECT crew_member_id || ':' || skill_code || ':' || level FROM crew_skills "
        "ORDER BY 1");
    std::vector<std::string> rows;
    for (const auto& row : held) rows.push_back(row[0].as<std::string>());
    EXPECT_EQ(rows, (std::vector<std::string>{"ana:LIGHTING:1", "ana:RIGGING:1", "ben:VIDEO:1"}));
    EXPECT_EQ(tx.exec1("SELECT skill_code FROM tasks WHERE task_id = 'OLD-1/SETUP-VIDEO'")[0]
                  .as<std::string>(),
              "VIDEO");
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM skills")[0].as<int>(), 7);
  }

  v1::GetCrewMemberRequest get;
  get.set_crew_member_id("ana");
  v1::GetCrewMemberResponse got;
  ASSERT_TRUE(scheduling.Call(&Stub::GetCrewMember, get, &got).ok());
  ASSERT_EQ(got.crew_member().held_skills_size(), 2);
  EXPECT_EQ(got.crew_member().held_skills(0).skill_code(), "LIGHTING");
  EXPECT_EQ(got.crew_member().held_skills(0).level(), 1);
  EXPECT_EQ(got.crew_member().held_skills(1).skill_code(), "RIGGING");
  ASSERT_EQ(got.crew_member().skills_size(), 2);  // the superseded field, for older callers
  EXPECT_EQ(got.crew_member().skills(1), v1::SKILL_RIGGING);

  v1::ListCrewMembersRequest list;
  list.set_skill_code("VIDEO");
  v1::ListCrewMembersResponse listed;
  ASSERT_TRUE(scheduling.Call(&Stub::ListCrewMembers, list, &listed).ok());
  ASSERT_EQ(listed.crew_members_size(), 1);
  EXPECT_EQ(listed.crew_members(0).crew_member_id(), "ben");
  list.clear_skill_code();
  list.set_skill(v1::SKILL_RIGGING);  // the old filter still works
  ASSERT_TRUE(scheduling.Call(&Stub::ListCrewMembers, list, &listed).ok());
  ASSERT_EQ(listed.crew_members_size(), 1);
  EXPECT_EQ(listed.crew_members(0).crew_member_id(), "ana");

  v1::GetJobStatusRequest status;
  status.set_order_id("OLD-1");
  v1::GetJobStatusResponse job;
  ASSERT_TRUE(scheduling.Call(&Stub::GetJobStatus, status, &job).ok());
  ASSERT_EQ(job.job().tasks_size(), 1);
  EXPECT_EQ(job.job().tasks(0).skill_code(), "VIDEO");
  EXPECT_EQ(job.job().tasks(0).skill(), v1::SKILL_VIDEO);
}

}  // namespace
}  // namespace salesops::testing
