#include "domain/sequence.h"

#include <algorithm>

namespace leadterra::domain {

CompiledSequence::CompiledSequence(const std::vector<Step>& steps) {
  steps_.reserve(steps.size());
  for (const Step& step : steps) {
    std::vector<Compiled> contents;
    if (step.variants.empty()) {
      contents.push_back({"", Template::Parse(step.subject), Template::Parse(step.body_html)});
    }
    for (const Variant& v : step.variants) {
      contents.push_back({v.id, Template::Parse(v.subject), Template::Parse(v.body_html)});
    }
    steps_.push_back(std::move(contents));
  }
}

const CompiledSequence::Compiled& CompiledSequence::Chosen(
    size_t index, const std::vector<std::string>& variant_ids) const {
  const std::vector<Compiled>& contents = steps_[index];
  if (index < variant_ids.size()) {
    for (const Compiled& c : contents) {
      if (c.variant_id == variant_ids[index]) return c;
    }
  }
  return contents.front();
}

RenderedStep CompiledSequence::Render(size_t index, const std::vector<std::string>& variant_ids,
                                      const FieldLookup& lookup) const {
  RenderedStep out;
  // Walk back to the step whose subject this one inherits.
  size_t source = index;
  while (source > 0 && Chosen(source, variant_ids).subject.tokens().empty() &&
         Chosen(source, variant_ids).subject.Render(lookup, TextMode::kHeader).empty()) {
    --source;
  }
  std::string subject = SanitizeHeaderText(
      Chosen(source, variant_ids).subject.Render(lookup, TextMode::kHeader, &out.missing_fields));
  if (source != index && subject.rfind("Re: ", 0) != 0) subject = "Re: " + subject;
  out.subject = std::move(subject);
  Chosen(index, variant_ids)
      .body.Render(lookup, TextMode::kHtml, &out.body_html, &out.missing_fields);
  return out;
}

std::vector<CompiledSequence::TokenUse> CompiledSequence::TokenUses() const {
  std::vector<TokenUse> uses;
  auto add = [&](const Template::Token& token, int step_number, const std::string& variant_id) {
    auto it = std::find_if(uses.begin(), uses.end(),
                           [&](const TokenUse& u) { return u.name == token.name; });
    if (it == uses.end()) {
      uses.push_back({token.name, {}, {}, true});
      it = uses.end() - 1;
    }
    if (it->step_numbers.empty() || it->step_numbers.back() != step_number) {
      it->step_numbers.push_back(step_number);
    }
    if (!variant_id.empty() &&
        (it->variants.empty() || it->variants.back().step_number != step_number ||
         it->variants.back().variant_id != variant_id)) {
      it->variants.push_back({step_number, variant_id});
    }
    it->always_has_fallback = it->always_has_fallback && token.fallback.has_value();
  };
  for (size_t i = 0; i < steps_.size(); ++i) {
    for (const Compiled& c : steps_[i]) {
      for (const auto& t : c.subject.tokens()) add(t, static_cast<int>(i + 1), c.variant_id);
      for (const auto& t : c.body.tokens()) add(t, static_cast<int>(i + 1), c.variant_id);
    }
  }
  return uses;
}

}  // namespace leadterra::domain
