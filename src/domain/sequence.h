// A campaign's steps compiled for rendering: templates are parsed once and
// rendered for any number of leads. A step with an empty subject is sent as
// "Re: <previous step's subject>" in the same thread — with variants, the
// subject of the variant the lead got at that step. Immutable after
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
  // `variant_ids[i]` is the variant the lead got (or gets) at step i; a
  // missing or unknown id means the step's first variant.
  RenderedStep Render(size_t index, const std::vector<std::string>& variant_ids,
                      const FieldLookup& lookup) const;
  RenderedStep Render(size_t index, const FieldLookup& lookup) const {
    return Render(index, {}, lookup);
  }
  struct VariantUse {
    int step_number = 0;
    std::string variant_id;
  };
  struct TokenUse {
    std::string name;
    std::vector<int> step_numbers;     // 1-based, ascending
    std::vector<VariantUse> variants;  // where the use is in a variant
    bool always_has_fallback = true;
  };
  // Every token name used anywhere, in order of first use.
  std::vector<TokenUse> TokenUses() const;

 private:
  struct Compiled {
    std::string variant_id;  // "" for a step without variants
    Template subject;
    Template body;
  };
  const Compiled& Chosen(size_t index, const std::vector<std::string>& variant_ids) const;
  std::vector<std::vector<Compiled>> steps_;  // per step: its variants, or its one content
};

}  // namespace leadterra::domain
