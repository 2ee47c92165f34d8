// Fuzzes the tracking token parser and the link rewriter (SPEC §13). The
// first byte picks the target. Tokens: whatever parses must have been
// issued (re-issuing it gives the same token). Rewriter: rewriting every
// link to itself keeps the text of the HTML (what a reader sees, URLs
// included), and the output rewrites the same links again.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "delivery/html_to_text.h"
#include "delivery/link_rewriter.h"
#include "domain/tracking.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    static const leadterra::SecretBox box(std::array<uint8_t, leadterra::SecretBox::kKeySize>{3});
    for (auto kind :
         {leadterra::domain::TrackingKind::kOpen, leadterra::domain::TrackingKind::kClick}) {
      auto target = leadterra::domain::ParseTrackingToken(box, kind, input);
      if (target && leadterra::domain::TrackingToken(box, *target) != input) __builtin_trap();
    }
    return 0;
  }
  std::vector<std::string> first, second;
  const std::string out = leadterra::delivery::RewriteLinks(input, "https://t.example",
                                                            [&](int, const std::string& url) {
                                                              first.push_back(url);
                                                              return url;
                                                            });
  leadterra::delivery::RewriteLinks(out, "https://t.example", [&](int, const std::string& url) {
    second.push_back(url);
    return url;
  });
  if (first != second) __builtin_trap();
  if (leadterra::delivery::HtmlToText(out) != leadterra::delivery::HtmlToText(input)) {
    __builtin_trap();
  }
  return 0;
}
