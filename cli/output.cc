#include "cli/output.h"

#include <absl/strings/ascii.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_join.h>
#include <absl/strings/str_replace.h>
#include <absl/time/time.h>
#include <google/protobuf/util/json_util.h>

namespace salesops::cli {
namespace {

size_t DisplayWidth(const std::string& text) {
  size_t width = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++width;  // count UTF-8 lead bytes only
  }
  return width;
}

}  // namespace

Table::Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

void Table::Print(std::ostream& out) const {
  std::vector<size_t> widths(headers_.size());
  for (size_t i = 0; i < headers_.size(); ++i) widths[i] = DisplayWidth(headers_[i]);
  for (const auto& row : rows_) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  }
  auto print_row = [&](const std::vector<std::string>& cells, bool upper) {
    std::string line;
    for (size_t i = 0; i < cells.size(); ++i) {
      std::string cell = upper ? absl::AsciiStrToUpper(cells[i]) : cells[i];
      line += cell;
      if (i + 1 < cells.size()) line += std::string(widths[i] - DisplayWidth(cell) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  };
  print_row(headers_, true);
  for (const auto& row : rows_) print_row(row, false);
}

void Details::Add(std::string label, std::string value) {
  lines_.emplace_back(std::move(label), std::move(value));
}

void Details::Print(std::ostream& out) const {
  size_t width = 0;
  for (const auto& [label, value] : lines_) width = std::max(width, DisplayWidth(label));
  for (const auto& [label, value] : lines_) {
    out << label << ":" << std::string(width - DisplayWidth(label) + 1, ' ') << value << "\n";
  }
}

nlohmann::json ToJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  return nlohmann::json::parse(json);
}

void PrintJson(const google::protobuf::Message& message, std::ostream& out) {
  PrintJson(ToJson(message), out);
}

void PrintJson(const nlohmann::json& value, std::ostream& out) { out << value.dump(2) << "\n"; }

std::string FormatTime(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixSeconds(time.seconds()),
                          absl::LocalTimeZone());
}

std::string FormatSpan(const google::protobuf::Timestamp& from,
                       const google::protobuf::Timestamp& to) {
  std::string start = FormatTime(from), end = FormatTime(to);
  // The day once when both ends are on it.
  if (start.size() == end.size() && start.size() > 11 && start.compare(0, 11, end, 0, 11) == 0) {
    end = end.substr(11);
  }
  return start + " → " + end;
}

std::string FormatWindow(const v1::Window& window) {
  if (!window.has_not_before()) return "by " + FormatTime(window.no_later_than());
  return FormatSpan(window.not_before(), window.no_later_than());
}

std::string FormatDuration(const google::protobuf::Duration& duration) {
  int64_t minutes = duration.seconds() / 60;
  std::string sign = minutes < 0 ? "-" : "";
  minutes = std::abs(minutes);
  int64_t days = minutes / (24 * 60), hours = minutes / 60 % 24, rest = minutes % 60;
  std::string text = sign;
  if (days > 0) text += std::to_string(days) + "d";
  if (hours > 0) text += std::to_string(hours) + "h";
  if (rest > 0 || (days == 0 && hours == 0)) text += std::to_string(rest) + "m";
  return text;
}

std::string FormatHours(const google::protobuf::Duration& duration) {
  int64_t minutes = std::abs(duration.seconds()) / 60;
  std::string text = duration.seconds() < 0 ? "-" : "";
  text += std::to_string(minutes / 60) + "h";
  if (minutes % 60 != 0) text += std::to_string(minutes % 60) + "m";
  return text;
}

std::string FormatMoney(const google::type::Money& money) {
  if (money.currency_code().empty() && money.units() == 0 && money.nanos() == 0) return "-";
  // Units and cents apart: units × 100 wraps for amounts the API allows (e.g. a day rate of
  // 9e18), and so does std::abs of the most negative units.
  const bool negative = money.units() < 0 || money.nanos() < 0;
  const uint64_t units =
      negative ? 0 - static_cast<uint64_t>(money.units()) : static_cast<uint64_t>(money.units());
  return absl::StrFormat("%s%d.%02d %s", negative ? "-" : "", units,
                         std::abs(money.nanos()) / 10000000, money.currency_code());
}

std::string EnumWord(const google::protobuf::EnumDescriptor* type, int value) {
  const google::protobuf::EnumValueDescriptor* found = type->FindValueByNumber(value);
  if (found == nullptr) return std::to_string(value);
  // Every salesops enum starts with <PREFIX>_UNSPECIFIED = 0; the prefix is noise.
  std::string prefix = type->value(0)->name();
  prefix = prefix.substr(0, prefix.size() - std::string("UNSPECIFIED").size());
  std::string name = found->name();
  if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
  return absl::StrReplaceAll(absl::AsciiStrToLower(name), {{"_", "-"}});
}

std::string FormatLines(const google::protobuf::RepeatedPtrField<v1::InventoryLine>& lines) {
  std::vector<std::string> parts;
  for (const v1::InventoryLine& line : lines) {
    parts.push_back(line.inventory_code() + "=" + std::to_string(line.quantity()));
  }
  return parts.empty() ? "-" : absl::StrJoin(parts, " ");
}

std::string FormatCrewNeeds(const google::protobuf::RepeatedPtrField<v1::CrewNeed>& needs) {
  std::vector<std::string> parts;
  for (const v1::CrewNeed& need : needs) {
    parts.push_back(SkillText(need) + ":" + std::to_string(need.headcount()) + "x" +
                    FormatDuration(need.duration()));
  }
  return parts.empty() ? "-" : absl::StrJoin(parts, " ");
}

std::string YesNo(bool value) { return value ? "yes" : "no"; }

std::string FirstLineCut(const std::string& text, size_t characters) {
  std::string line = text.substr(0, text.find('\n'));
  size_t seen = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    if ((static_cast<unsigned char>(line[i]) & 0xC0) == 0x80) continue;  // UTF-8 continuation
    if (++seen > characters) return line.substr(0, i) + "…";
  }
  return line;
}

void PrintFeasibility(const v1::Feasibility& feasibility, std::ostream& out,
                      bool with_explanation) {
  if (feasibility.feasible()) {
    out << "Ops can support it: every code and skill is available.\n";
    return;
  }
  if (!feasibility.stock_shortages().empty()) {
    Table table({"short code", "requested", "available", "short by"});
    for (const v1::StockShortage& shortage : feasibility.stock_shortages()) {
      table.AddRow({shortage.inventory_code(), std::to_string(shortage.requested()),
                    std::to_string(shortage.available()), std::to_string(shortage.shortfall())});
    }
    table.Print(out);
  }
  if (!feasibility.crew_shortfalls().empty()) {
    Table table({"short skill", "required", "available", "short by"});
    for (const v1::CrewShortfall& shortfall : feasibility.crew_shortfalls()) {
      table.AddRow({SkillText(shortfall), FormatHours(shortfall.required()),
                    FormatHours(shortfall.available()), FormatHours(shortfall.shortfall())});
    }
    table.Print(out);
  }
  if (feasibility.vehicle_shortfall() > 0) {
    out << "Short of vehicles: " << feasibility.vehicle_shortfall() << "\n";
  }
  if (feasibility.has_earliest_feasible_delivery_time()) {
    out << "Earliest delivery ops could support: "
        << FormatTime(feasibility.earliest_feasible_delivery_time()) << "\n";
  }
  if (with_explanation && !feasibility.explanation().empty()) {
    out << feasibility.explanation() << "\n";
  }
}

}  // namespace salesops::cli
