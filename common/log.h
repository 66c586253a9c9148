// One-line logging for the daemon: "<UTC time> <level> <message>" to stderr, one event per line,
// with the peer and prefix in the message (the design's rule). The codec never logs.
//
// The level is process-wide (set once from the settings file, or by SIGHUP); everything else is
// a free function, so a log call costs one comparison when its level is off.
#pragma once

#include <fmt/format.h>

#include <optional>
#include <string_view>

namespace pinto {

enum class LogLevel : int { Debug = 0, Info = 1, Warning = 2, Error = 3 };

void set_log_level(LogLevel level);
LogLevel log_level();
/// "debug", "info", "warning" (or "warn"), "error", case-insensitive; Calico's logSeverityScreen
/// values ("Debug", "Info", "Warning", "Error", "Fatal") are accepted too.
std::optional<LogLevel> parse_log_level(std::string_view text);

void write_log_line(LogLevel level, std::string_view message);

template <class... Args>
void log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) {
  if (level < log_level()) return;
  write_log_line(level, fmt::format(format, std::forward<Args>(args)...));
}
template <class... Args>
void log_debug(fmt::format_string<Args...> format, Args&&... args) {
  log(LogLevel::Debug, format, std::forward<Args>(args)...);
}
template <class... Args>
void log_info(fmt::format_string<Args...> format, Args&&... args) {
  log(LogLevel::Info, format, std::forward<Args>(args)...);
}
template <class... Args>
void log_warning(fmt::format_string<Args...> format, Args&&... args) {
  log(LogLevel::Warning, format, std::forward<Args>(args)...);
}
template <class... Args>
void log_error(fmt::format_string<Args...> format, Args&&... args) {
  log(LogLevel::Error, format, std::forward<Args>(args)...);
}

}  // namespace pinto
