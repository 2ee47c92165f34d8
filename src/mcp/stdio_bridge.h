// `leadterra mcp`: the MCP tools over stdio for local agent hosts. Reads
// newline-delimited JSON-RPC messages from `in`, forwards each to a running
// server's POST /mcp with the API key, and writes each answer as one line to
// `out`; notifications get no line. Nothing but protocol goes to `out`:
// problems (server unreachable, key refused) are explained on `err`, and a
// request that could not be forwarded is still answered on `out` with a
// JSON-RPC error carrying its id, so the host never waits forever.
// RunStdioBridge first checks that the server answers and accepts the key;
// it returns 1 (after saying why on `err`) when it does not, else 0 at the
// end of `in`.
#pragma once

#include <iosfwd>
#include <string>

namespace leadterra::mcp {

struct StdioBridgeOptions {
  std::string url;      // base URL of a running server, e.g. http://127.0.0.1:8080
  std::string api_key;  // sk_live_…
  long timeout_seconds = 300;
};

int RunStdioBridge(const StdioBridgeOptions& options, std::istream& in, std::ostream& out,
                   std::ostream& err);

}  // namespace leadterra::mcp
