// Rendering a campaign's steps for one lead. Templates are compiled once per
// campaign (CompiledSequence) and rendered for any number of leads.
// A step with an empty subject is sent as "Re: <previous step's subject>" in
// the same thread. Immutable after construction; thread-safe.
#pragma once

#include <boost/json/array.hpp>
#include <string>
#include <vector>

#include "domain/campaign.h"
#include "domain/template.h"

namespace leadterra::api {

struct RenderedStep {
  std::string subject;    // header-safe: no CR/LF or control characters
  std::string body_html;  // lead values HTML-escaped
  std::vector<std::string> missing_fields;
};

class CompiledSequence {
 public:
  explicit CompiledSequence(const std::vector<domain::Step>& steps);
  size_t size() const { return steps_.size(); }
  RenderedStep Render(size_t index, const domain::FieldLookup& lookup) const;
  struct TokenUse {
    std::string name;
    std::vector<int> step_numbers;  // 1-based, ascending
    bool always_has_fallback = true;
  };
  // Every token name used anywhere, in order of first use.
  std::vector<TokenUse> TokenUses() const;

 private:
  struct Compiled {
    domain::Template subject;
    domain::Template body;
  };
  std::vector<Compiled> steps_;
};

// Warnings for tokens that are neither standard fields nor custom fields any
// lead of the workspace has: [{"code":"unknown_token","message","param"}].
boost::json::array UnknownTokenWarnings(const std::vector<domain::Step>& steps,
                                        const std::vector<std::string>& known_custom_keys);

}  // namespace leadterra::api
