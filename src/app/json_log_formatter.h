// The `--log-format json` line format for spdlog: one JSON object a line with
// `time` (ISO 8601 UTC, milliseconds), `level`, `message`, and the event's
// fields. Log messages in this code base are either `key=value` lists (the
// request log: request_id, method, path, status, duration_ms, workspace) or
// "component: text"; the first become fields (numbers as numbers, the
// message "request" for requests, else "event"), the second a `component`
// field and the text as the message. Thread-safe as spdlog formatters are.
#pragma once

#include <spdlog/formatter.h>

#include <memory>

namespace leadterra::app {

class JsonLogFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override;
};

}  // namespace leadterra::app
