#include "domain/sequence.h"

#include <algorithm>

namespace leadterra::domain {

CompiledSequence::CompiledSequence(const std::vector<Step>& steps) {
  steps_.reserve(steps.size());
  for (const Step& step : steps) {
    steps_.push_back({Template::Parse(step.subject), Template::Parse(step.body_html)});
  }
}

RenderedStep CompiledSequence::Render(size_t index, const FieldLookup& lookup) const {
  RenderedStep out;
  // Walk back to the step whose subject this one inherits.
  size_t source = index;
  while (source > 0 && steps_[source].subject.tokens().empty() &&
         steps_[source].subject.Render(lookup, TextMode::kHeader).empty()) {
    --source;
  }
  std::string subject = SanitizeHeaderText(
      steps_[source].subject.Render(lookup, TextMode::kHeader, &out.missing_fields));
  if (source != index && subject.rfind("Re: ", 0) != 0) subject = "Re: " + subject;
  out.subject = std::move(subject);
  steps_[index].body.Render(lookup, TextMode::kHtml, &out.body_html, &out.missing_fields);
  return out;
}

std::vector<CompiledSequence::TokenUse> CompiledSequence::TokenUses() const {
  std::vector<TokenUse> uses;
  auto add = [&](const Template::Token& token, int step_number) {
    auto it = std::find_if(uses.begin(), uses.end(),
                           [&](const TokenUse& u) { return u.name == token.name; });
    if (it == uses.end()) {
      uses.push_back({token.name, {}, true});
      it = uses.end() - 1;
    }
    if (it->step_numbers.empty() || it->step_numbers.back() != step_number) {
      it->step_numbers.push_back(step_number);
    }
    it->always_has_fallback = it->always_has_fallback && token.fallback.has_value();
  };
  for (size_t i = 0; i < steps_.size(); ++i) {
    for (const auto& t : steps_[i].subject.tokens()) add(t, static_cast<int>(i + 1));
    for (const auto& t : steps_[i].body.tokens()) add(t, static_cast<int>(i + 1));
  }
  return uses;
}

}  // namespace leadterra::domain
