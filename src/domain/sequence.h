// A campaign's steps compiled for rendering: templates are parsed once and
// rendered for any number of leads. A step with an empty subject is sent as
// "Re: <previous step's subject>" in the same thread. Immutable after
// construction; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "domain/campaign.h"
#include "domain/template.h"

namespace leadterra::domain {

struct RenderedStep {
  std::string subject;    // header-safe: no CR/LF or control characters
  std::string body_html;  // lead values HTML-escaped
  std::vector<std::string> missing_fields;
};

class CompiledSequence {
 public:
  explicit CompiledSequence(const std::vector<Step>& steps);
  size_t size() const { return steps_.size(); }
  RenderedStep Render(size_t index, const FieldLookup& lookup) const;
  struct TokenUse {
    std::string name;
    std::vector<int> step_numbers;  // 1-based, ascending
    bool always_has_fallback = true;
  };
  // Every token name used anywhere, in order of first use.
  std::vector<TokenUse> TokenUses() const;

 private:
  struct Compiled {
    Template subject;
    Template body;
  };
  std::vector<Compiled> steps_;
};

}  // namespace leadterra::domain
