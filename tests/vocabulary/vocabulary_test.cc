// The vocabulary test (issue 2 item 3): every salesops proto follows the shared vocabulary
// of DESIGN.md §1-2, and the checker provably catches each kind of violation.

#include <google/protobuf/descriptor.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/type/money.pb.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "salesops/v1/directory.pb.h"
#include "salesops/v1/events.pb.h"
#include "salesops/v1/inventory.grpc.pb.h"
#include "salesops/v1/notification.grpc.pb.h"
#include "salesops/v1/order_intake.grpc.pb.h"
#include "salesops/v1/pricing.pb.h"
#include "salesops/v1/scheduling.grpc.pb.h"
#include "salesops/v1/vocabulary.pb.h"
#include "services/inventory/inventory_definition.h"
#include "services/notification/notification_definition.h"
#include "services/order_intake/order_intake_definition.h"
#include "services/scheduling/scheduling_definition.h"
#include "testdata/bad_examples.grpc.pb.h"
#include "testdata/bad_examples.pb.h"
#include "vocabulary_rules.h"

namespace salesops::testing {
namespace {

using google::protobuf::DescriptorPool;
using google::protobuf::FileDescriptor;

// Each file is named through a message it defines (gRPC service classes have no
// descriptor()), which also makes the linker keep that file in the generated pool.
std::vector<const FileDescriptor*> SalesopsProtoFiles() {
  return {
      v1::Window::descriptor()->file(),                   // vocabulary.proto
      v1::Event::descriptor()->file(),                    // events.proto
      v1::UpsertItemRequest::descriptor()->file(),        // inventory.proto
      v1::CreateCrewMemberRequest::descriptor()->file(),  // scheduling.proto
      v1::PublishRequest::descriptor()->file(),           // notification.proto
      v1::CreateOrderRequest::descriptor()->file(),       // order_intake.proto
      v1::Organisation::descriptor()->file(),             // directory.proto
      v1::PriceList::descriptor()->file(),                // pricing.proto
      v1::CompanyProfile::descriptor()->file(),           // documents.proto
      v1::Invoice::descriptor()->file(),                  // invoicing.proto
  };
}

std::string Indented(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += "  " + line + "\n";
  return text;
}

TEST(VocabularyTest, AllSalesopsProtosFollowTheVocabulary) {
  for (const FileDescriptor* file : SalesopsProtoFiles()) {
    ASSERT_EQ(file->package(), "salesops.v1") << file->name();
    const std::vector<std::string> problems = CheckVocabularyRules(*file);
    EXPECT_TRUE(problems.empty()) << file->name() << " breaks the vocabulary in " << problems.size()
                                  << " place(s):\n"
                                  << Indented(problems);
  }
}

// A new proto under protos/salesops/v1/ must be added to SalesopsProtoFiles(), or it would
// escape the check above.
TEST(VocabularyTest, EveryProtoInTheSourceTreeIsChecked) {
  std::set<std::string> checked;
  for (const FileDescriptor* file : SalesopsProtoFiles()) checked.insert(file->name());
  EXPECT_EQ(checked.size(), 10u)
      << "vocabulary, events, the four services, the directory, pricing, documents and invoicing";

  std::set<std::string> in_source_tree;
  for (const auto& entry : std::filesystem::directory_iterator(SALESOPS_V1_PROTO_DIR)) {
    if (entry.path().extension() == ".proto") {
      in_source_tree.insert("salesops/v1/" + entry.path().filename().string());
    }
  }
  EXPECT_EQ(checked, in_source_tree)
      << "add every proto in " << SALESOPS_V1_PROTO_DIR << " to SalesopsProtoFiles()";
}

TEST(VocabularyTest, GeneratedServicesExistWithTheExpectedNames) {
  EXPECT_STREQ(v1::InventoryService::service_full_name(), "salesops.v1.InventoryService");
  EXPECT_STREQ(v1::SchedulingService::service_full_name(), "salesops.v1.SchedulingService");
  EXPECT_STREQ(v1::NotificationService::service_full_name(), "salesops.v1.NotificationService");
  EXPECT_STREQ(v1::EventSink::service_full_name(), "salesops.v1.EventSink");
  EXPECT_STREQ(v1::OrderIntakeService::service_full_name(), "salesops.v1.OrderIntakeService");

  // The names the role tables use without including the generated gRPC code.
  EXPECT_STREQ(inventory::kServiceFullName, v1::InventoryService::service_full_name());
  EXPECT_STREQ(scheduling::kServiceFullName, v1::SchedulingService::service_full_name());
  EXPECT_STREQ(notification::kServiceFullName, v1::NotificationService::service_full_name());
  EXPECT_STREQ(order_intake::kServiceFullName, v1::OrderIntakeService::service_full_name());
  EXPECT_STREQ(order_intake::kEventSinkFullName, v1::EventSink::service_full_name());

  std::set<std::string> declared;
  for (const FileDescriptor* file : SalesopsProtoFiles()) {
    for (int i = 0; i < file->service_count(); ++i) declared.insert(file->service(i)->name());
  }
  for (const char* service_name :
       {v1::InventoryService::service_full_name(), v1::SchedulingService::service_full_name(),
        v1::NotificationService::service_full_name(), v1::EventSink::service_full_name(),
        v1::OrderIntakeService::service_full_name()}) {
    EXPECT_NE(DescriptorPool::generated_pool()->FindServiceByName(service_name), nullptr)
        << service_name;
  }
  EXPECT_EQ(declared,
            (std::set<std::string>{"InventoryService", "SchedulingService", "NotificationService",
                                   "EventSink", "OrderIntakeService"}));
}

TEST(VocabularyTest, GoogleTypesAreNeverChecked) {
  // google.type.Money has a `currency_code` string without (salesops.v1.code): not ours.
  EXPECT_TRUE(CheckVocabularyRules(*google::type::Money::descriptor()->file()).empty());
  EXPECT_TRUE(CheckVocabularyRules(*google::protobuf::Timestamp::descriptor()->file()).empty());
}

// One violation the checker must report: the problem names `where` and mentions `detail`.
struct ExpectedProblem {
  std::string where;
  std::string detail;
};

bool IsReported(const std::vector<std::string>& problems, const ExpectedProblem& expected) {
  return std::any_of(problems.begin(), problems.end(), [&](const std::string& problem) {
    return problem.starts_with(expected.where + ": ") &&
           problem.find(expected.detail) != std::string::npos;
  });
}

TEST(VocabularyTest, CheckerCatchesEachKindOfViolation) {
  const std::vector<ExpectedProblem> expected_problems = {
      // a. Favoritism, in any name.
      {"BadThing.priority", "\"priority\""},
      {"BadThing.vip_customer", "\"vip\""},
      {"BadThing.is_rush_job", "\"rush\""},
      {"BadThing.urgent", "\"urgent\""},
      {"BadThing.favorite_crew_id", "\"favorite\""},
      {"BadThing.favourite_truck_id", "\"favourite\""},
      {"VipLounge", "message name contains \"vip\""},
      {"DeliverySpeed.DELIVERY_SPEED_RUSH", "enum value name contains \"rush\""},
      {"FavoriteCustomerTier", "enum name contains \"favorite\""},
      {"FavoriteCustomerTier.FAVORITE_CUSTOMER_TIER_UNSPECIFIED", "\"favorite\""},
      // b. Time in numbers and strings.
      {"BadTimes.deliver_time", "int64"},
      {"BadTimes.start_date", "string"},
      {"BadTimes.setup_minutes", "int32"},
      {"BadTimes.travel_hours", "double"},
      {"BadTimes.timeout_ms", "\"_ms\""},
      {"BadTimes.rental_days", "\"_days\""},
      {"BadTimes.ttl_secs", "\"_secs\""},
      {"BadTimes.expiry_by_code", "int64"},
      {"BadTimes.delivered_at", "(\"at\")"},
      {"BadTimes.expire_time", "google.type.Date"},
      // c. Money in numbers and strings.
      {"BadMoney.day_rate", "google.type.Money"},
      {"BadMoney.price_cents", "google.type.Money"},
      {"BadMoney.total", "google.type.Money"},
      {"BadMoney.line_costs", "google.type.Money"},
      {"BadMoney.travel_cost", "google.type.Money"},
      // d. Mutations without an idempotency key.
      {"ThingService.CreateThing", "request_id"},
      {"ThingService.UpdateThing", "no_such_field"},
      {"ThingService.CheckOutThing", "request_id"},
      // e. List without paging.
      {"ThingService.ListThings", "page_token"},
      {"ThingService.ListThings", "next_page_token"},
      // f. Catalog codes the shared validator could not find.
      {"BadCodes.product_code", "without (salesops.v1.code)"},
      {"BadCodes.inventory_codes", "without (salesops.v1.code)"},
      {"BadCodes.code", "CODE_KIND_UNSPECIFIED"},
      {"BadCodes.product_codes", "int32"},
      {"BadCodes.serial", "carries (salesops.v1.code) but is int64"},
      {"BadCodes.skill_code", "without (salesops.v1.code)"},
  };

  const std::vector<std::string> problems =
      CheckVocabularyRules(*vocabtest::BadThing::descriptor()->file());

  for (const ExpectedProblem& expected : expected_problems) {
    EXPECT_TRUE(IsReported(problems, expected))
        << "not reported: " << expected.where << " (" << expected.detail << ")\nreported:\n"
        << Indented(problems);
  }
  // Nothing beyond the deliberate violations: the clean messages, the clean service, the
  // present page_size and the request/response messages stay silent.
  EXPECT_EQ(problems.size(), expected_problems.size()) << "reported:\n" << Indented(problems);
}

TEST(VocabularyTest, CleanDefinitionsYieldNoProblems) {
  // Silence about the clean service proves nothing unless the checker could see it.
  ASSERT_NE(DescriptorPool::generated_pool()->FindServiceByName(
                vocabtest::CleanThingService::service_full_name()),
            nullptr);
  const std::vector<std::string> problems =
      CheckVocabularyRules(*vocabtest::BadThing::descriptor()->file());
  for (const std::string& problem : problems) {
    for (const std::string clean_name : {"CleanThing", "CleanWindow", "CleanThingService"}) {
      EXPECT_FALSE(problem.starts_with(clean_name + ".") || problem.starts_with(clean_name + ":"))
          << problem;
    }
    // ListThingsRequest does have its page_size; only the missing tokens are wrong.
    EXPECT_EQ(problem.find("page_size"), std::string::npos) << problem;
  }
}

}  // namespace
}  // namespace salesops::testing
