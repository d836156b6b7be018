#include "cli/demo_offers.h"

#include <absl/strings/str_cat.h>
#include <absl/time/clock.h>
#include <yaml-cpp/yaml.h>

#include <set>
#include <thread>

#include "cli/input_parsing.h"
#include "cli/order_intake_stub.h"
#include "cli/output.h"
#include "cli/scheduling_stub.h"
#include "cli/yaml_file.h"

namespace salesops::cli {
namespace {

// One answer the demo gives: to the offer of the `task` (its kind) needing `skill` on the order
// demo-<order_key>, made to `crew_member`.
struct DemoOfferAnswer {
  std::string order_key, skill, crew_member, reason;
  v1::TaskKind task = v1::TASK_KIND_UNSPECIFIED;
  bool accept = false;
};

struct DemoOffersFile {
  absl::Duration wait = absl::Seconds(45);
  std::vector<DemoOfferAnswer> answers;
};

absl::StatusOr<DemoOffersFile> ReadDemoOffersFile(const std::string& path) {
  DemoOffersFile file;
  absl::StatusOr<YAML::Node> read = ReadYamlFile(path);
  if (!read.ok()) return read.status();
  YAML::Node root = *read;
  try {
    if (root["wait"]) {
      absl::StatusOr<google::protobuf::Duration> wait =
          ParseDuration(root["wait"].as<std::string>());
      if (!wait.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(path, ": wait: ", wait.status().message()));
      }
      file.wait = absl::Seconds(wait->seconds());
    }
    const YAML::Node answers = root["answers"];
    for (size_t i = 0; i < answers.size(); ++i) {
      const YAML::Node entry = answers[i];
      const std::string where = absl::StrCat(path, ": answers[", i, "]");
      DemoOfferAnswer answer;
      answer.order_key = entry["order"].as<std::string>("");
      answer.skill = SkillCodeFromText(entry["skill"].as<std::string>(""));
      answer.crew_member = entry["crew-member"].as<std::string>("");
      const std::string verdict = entry["answer"].as<std::string>("");
      answer.reason = entry["reason"].as<std::string>("");
      if (answer.order_key.empty() || answer.skill.empty() || answer.crew_member.empty()) {
        return absl::InvalidArgumentError(where + ": needs order, task, skill and crew-member");
      }
      absl::StatusOr<v1::TaskKind> task =
          ParseEnum<v1::TaskKind>(entry["task"].as<std::string>(""));
      if (!task.ok() || *task == v1::TASK_KIND_UNSPECIFIED) {
        return absl::InvalidArgumentError(where + ": task is the task's kind (setup, strike, ...)");
      }
      answer.task = *task;
      if (verdict != "accept" && verdict != "decline") {
        return absl::InvalidArgumentError(where + ": answer is accept or decline, not '" + verdict +
                                          "'");
      }
      answer.accept = verdict == "accept";
      file.answers.push_back(answer);
    }
  } catch (const YAML::Exception& error) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is malformed: ", error.what()));
  }
  return file;
}

// The order id of every demo order, by its key (customer reference demo-<key>).
ExitCode DemoOrderIds(Session& session, std::map<std::string, std::string>* ids) {
  v1::ListOrdersResponse listed;
  if (ExitCode code = session.CallAllPages(&v1::OrderIntakeService::Stub::ListOrders,
                                           v1::ListOrdersRequest(), &listed);
      code != kExitOk) {
    return code;
  }
  for (const v1::Order& order : listed.orders()) {
    if (order.customer_reference().starts_with("demo-")) {
      (*ids)[order.customer_reference().substr(5)] = order.order_id();
    }
  }
  return kExitOk;
}

// Waits, up to `deadline`, for scheduling's offer worker to offer `answer`'s work to its crew
// member, and answers it unless it was answered before.
ExitCode AnswerDemoOffer(Session& session, const std::string& order_id,
                         const DemoOfferAnswer& answer, absl::Time deadline, ImportCounts* counts) {
  while (true) {
    v1::ListOffersRequest request;
    request.set_order_id(order_id);
    request.set_crew_member_id(answer.crew_member);
    v1::ListOffersResponse response;
    if (ExitCode code =
            session.CallAllPages(&v1::SchedulingService::Stub::ListOffers, request, &response);
        code != kExitOk) {
      return code;
    }
    for (const v1::CrewOffer& offer : response.offers()) {
      if (offer.skill_code() != answer.skill || offer.task_kind() != answer.task) continue;
      if (offer.state() != v1::OFFER_STATE_SENT) {
        // Answered by an earlier load (or it expired, or was withdrawn): left as it is.
        ++counts->unchanged;
        return kExitOk;
      }
      const std::string request_id =
          absl::StrCat("demo-offer-", offer.offer_id(), "-", answer.accept ? "accept" : "decline");
      if (answer.accept) {
        v1::AcceptOfferRequest accept;
        accept.set_request_id(request_id);
        accept.set_offer_id(offer.offer_id());
        v1::AcceptOfferResponse accepted;
        if (ExitCode code =
                session.Call(&v1::SchedulingService::Stub::AcceptOffer, accept, &accepted);
            code != kExitOk) {
          return code;
        }
      } else {
        v1::DeclineOfferRequest decline;
        decline.set_request_id(request_id);
        decline.set_offer_id(offer.offer_id());
        decline.set_reason(answer.reason);
        v1::DeclineOfferResponse declined;
        if (ExitCode code =
                session.Call(&v1::SchedulingService::Stub::DeclineOffer, decline, &declined);
            code != kExitOk) {
          return code;
        }
      }
      ++counts->created;
      return kExitOk;
    }
    if (absl::Now() >= deadline) {
      std::cerr << "error: no offer of the " << EnumWord(answer.task) << " (" << answer.skill
                << ") on order " << order_id << " (demo-" << answer.order_key << ") to "
                << answer.crew_member
                << " came in time; scheduling's offer worker asks every "
                   "--offer-interval-seconds (10 by default; 0 turns it off)\n";
      return kExitUnavailable;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

}  // namespace

ExitCode ImportOfferAnswers(const ImportContext& context, const std::string& path,
                            ImportCounts* counts) {
  absl::StatusOr<DemoOffersFile> file = ReadDemoOffersFile(path);
  if (!file.ok()) return ReportBadInput(std::string(file.status().message()));
  Session& session = *context.session;
  std::map<std::string, std::string> order_ids;
  if (ExitCode code = DemoOrderIds(session, &order_ids); code != kExitOk) return code;
  // One bound for the whole file: the offers of one order come in one round of the worker.
  const absl::Time deadline = absl::Now() + file->wait;
  for (const DemoOfferAnswer& answer : file->answers) {
    auto order = order_ids.find(answer.order_key);
    if (order == order_ids.end()) {
      return ReportBadInput(path + ": no demo order '" + answer.order_key +
                            "' (load the orders section first)");
    }
    if (ExitCode code = AnswerDemoOffer(session, order->second, answer, deadline, counts);
        code != kExitOk) {
      return code;
    }
  }
  return kExitOk;
}

}  // namespace salesops::cli
