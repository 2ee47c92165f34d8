#include "api/personalization.h"

#include <algorithm>
#include <boost/json/object.hpp>

#include "api/json_input.h"
#include "domain/lead.h"

namespace leadterra::api {

CompiledSequence::CompiledSequence(const std::vector<domain::Step>& steps) {
  steps_.reserve(steps.size());
  for (const domain::Step& step : steps) {
    steps_.push_back(
        {domain::Template::Parse(step.subject), domain::Template::Parse(step.body_html)});
  }
}

RenderedStep CompiledSequence::Render(size_t index, const domain::FieldLookup& lookup) const {
  RenderedStep out;
  // Walk back to the step whose subject this one inherits.
  size_t source = index;
  while (source > 0 && steps_[source].subject.tokens().empty() &&
         steps_[source].subject.Render(lookup, domain::TextMode::kHeader).empty()) {
    --source;
  }
  std::string subject = domain::SanitizeHeaderText(
      steps_[source].subject.Render(lookup, domain::TextMode::kHeader, &out.missing_fields));
  if (source != index && subject.rfind("Re: ", 0) != 0) subject = "Re: " + subject;
  out.subject = std::move(subject);
  steps_[index].body.Render(lookup, domain::TextMode::kHtml, &out.body_html, &out.missing_fields);
  return out;
}

std::vector<CompiledSequence::TokenUse> CompiledSequence::TokenUses() const {
  std::vector<TokenUse> uses;
  auto add = [&](const domain::Template::Token& token, int step_number) {
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

boost::json::array UnknownTokenWarnings(const std::vector<domain::Step>& steps,
                                        const std::vector<std::string>& known_custom_keys) {
  boost::json::array warnings;
  auto check = [&](const std::string& text, const std::string& param) {
    const domain::Template parsed = domain::Template::Parse(text);
    for (const auto& token : parsed.tokens()) {
      if (domain::IsStandardField(token.name) ||
          std::binary_search(known_custom_keys.begin(), known_custom_keys.end(), token.name)) {
        continue;
      }
      warnings.push_back(boost::json::object{
          {"code", "unknown_token"},
          {"message", "{{" + token.name +
                          "}} is not a standard field and no lead in this workspace has a "
                          "custom field of that name yet; it renders " +
                          (token.fallback ? "its fallback" : "as an empty string")},
          {"param", param},
      });
    }
  };
  for (size_t i = 0; i < steps.size(); ++i) {
    const std::string base = IndexPath("sequenceSteps", i);
    check(steps[i].subject, base + ".subject");
    check(steps[i].body_html, base + ".bodyHtml");
  }
  return warnings;
}

}  // namespace leadterra::api
