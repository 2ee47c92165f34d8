// Fuzzes the parser for mail read back over IMAP (replies, auto-replies,
// delivery status notifications): bytes from anyone on the internet. Whatever
// parses is classified. Any crash, sanitizer report or exception is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "delivery/inbound_parser.h"
#include "domain/inbound.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  auto facts = leadterra::delivery::ParseInbound(raw);
  if (!facts.ok()) return 0;
  if (facts->snippet.size() > 4 * leadterra::domain::kSnippetMaxChars) __builtin_trap();
  // The whole text: bounded, with plain line ends.
  const std::string& text = facts->text;
  if (text.size() > leadterra::domain::kTextMaxBytes) __builtin_trap();
  if (text.find('\r') != std::string::npos) __builtin_trap();
  (void)leadterra::domain::Classify(*facts);
  if (const auto* r = leadterra::domain::DecisiveRecipient(*facts)) {
    (void)leadterra::domain::DiagnosticSmtpCode(r->diagnostic);
  }
  return 0;
}
