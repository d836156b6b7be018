#pragma once

#include <google/protobuf/descriptor.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/message.h>
#include <google/protobuf/repeated_field.h>
#include <google/protobuf/timestamp.pb.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "google/type/money.pb.h"
#include "salesops/v1/vocabulary.pb.h"

namespace salesops::cli {

// A table for people: upper-case headers, columns padded to their widest cell
// (counted in characters, not bytes), two spaces apart, nothing trailing.
class Table {
 public:
  explicit Table(std::vector<std::string> headers);
  void AddRow(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }
  void Print(std::ostream& out = std::cout) const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// `label: value` lines with the labels aligned, for one record (`show`).
class Details {
 public:
  void Add(std::string label, std::string value);
  void Print(std::ostream& out = std::cout) const;

 private:
  std::vector<std::pair<std::string, std::string>> lines_;
};

// The protobuf JSON mapping (lowerCamelCase names, RFC 3339 times, enum names),
// with every field present so scripts can rely on the keys.
void PrintJson(const google::protobuf::Message& message, std::ostream& out = std::cout);
void PrintJson(const nlohmann::json& value, std::ostream& out = std::cout);
nlohmann::json ToJson(const google::protobuf::Message& message);

// Times in tables are local (TZ applies), minutes only: "2030-05-01 08:00".
// An unset timestamp reads "-".
std::string FormatTime(const google::protobuf::Timestamp& time);
std::string FormatWindow(const v1::Window& window);
// "2030-05-01 13:00 → 22:00" (one day), "2030-05-01 13:00 → 2030-05-02 01:00" (two).
std::string FormatSpan(const google::protobuf::Timestamp& from,
                       const google::protobuf::Timestamp& to);
// "4h30m", "2d3h", "0m".
std::string FormatDuration(const google::protobuf::Duration& duration);
// Person-time in hours, as crew is planned and paid: "72h", "7h30m", "-2h".
std::string FormatHours(const google::protobuf::Duration& duration);
std::string FormatMoney(const google::type::Money& money);
// An enum value in the words people use: SKILL_VIDEO -> "video",
// TASK_KIND_LOAD_OUT -> "load-out".
std::string EnumWord(const google::protobuf::EnumDescriptor* type, int value);
template <typename Enum>
std::string EnumWord(Enum value) {
  return EnumWord(google::protobuf::GetEnumDescriptor<Enum>(), static_cast<int>(value));
}
// The skill a message names (a crew need, a task, a shortfall, a crew cost line, ...), in the
// spelling the flags take: its skill code, with "/N" when it asks for level N above the first
// ("GRANDMA3/2"); the superseded enum's word ("video") when an older server sent no code.
template <typename Message>
std::string SkillText(const Message& message) {
  std::string text = message.skill_code();
  if (text.empty()) {
    if (message.skill() == v1::SKILL_UNSPECIFIED) return "-";
    text = EnumWord(message.skill());
  }
  if constexpr (requires { message.min_level(); }) {
    if (message.min_level() > 1) text += "/" + std::to_string(message.min_level());
  }
  return text;
}
// "LED-PANEL-500=24 LED-PROC-4K=1": the same spelling the flags and CSV take.
std::string FormatLines(const google::protobuf::RepeatedPtrField<v1::InventoryLine>& lines);
std::string FormatCrewNeeds(const google::protobuf::RepeatedPtrField<v1::CrewNeed>& needs);
std::string YesNo(bool value);
// The first line of a free text, cut after `characters` characters (on a UTF-8 boundary, "…"
// added), so that one long note does not widen a whole table.
std::string FirstLineCut(const std::string& text, size_t characters);

// What ops cannot support, per code and skill, and the earliest delivery that would fit:
// the words of a refused confirmation and of a shortage on a quote.
// `with_explanation` adds the services' own account (long: who is free when).
void PrintFeasibility(const v1::Feasibility& feasibility, std::ostream& out = std::cout,
                      bool with_explanation = true);

}  // namespace salesops::cli
