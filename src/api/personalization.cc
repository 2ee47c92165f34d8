#include "api/personalization.h"

#include <algorithm>
#include <boost/json/object.hpp>

#include "api/json_input.h"
#include "domain/lead.h"
#include "domain/template.h"

namespace leadterra::api {

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
    for (size_t j = 0; j < steps[i].variants.size(); ++j) {
      const std::string path = IndexPath(base + ".variants", j);
      check(steps[i].variants[j].subject, path + ".subject");
      check(steps[i].variants[j].body_html, path + ".bodyHtml");
    }
  }
  return warnings;
}

}  // namespace leadterra::api
