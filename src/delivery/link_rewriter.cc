#include "delivery/link_rewriter.h"

#include <gumbo.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "domain/tracking.h"

namespace leadterra::delivery {
namespace {

// A byte range of the original HTML to replace.
struct Splice {
  size_t begin = 0, end = 0;
  std::string text;
};

std::string AttributeValue(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '"') {
      out += "&quot;";
    } else {
      out.push_back(c);
    }
  }
  return out + "\"";
}

void CollectLinks(const GumboNode* node, std::string_view html, std::string_view public_url,
                  const std::function<std::string(int, const std::string&)>& rewrite,
                  std::vector<Splice>& splices) {
  if (node->type == GUMBO_NODE_DOCUMENT) {
    const GumboVector& children = node->v.document.children;
    for (unsigned i = 0; i < children.length; ++i) {
      CollectLinks(static_cast<const GumboNode*>(children.data[i]), html, public_url, rewrite,
                   splices);
    }
    return;
  }
  if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE) return;
  const GumboElement& element = node->v.element;
  if (element.tag == GUMBO_TAG_A) {
    const GumboAttribute* href = gumbo_get_attribute(&element.attributes, "href");
    // Only attributes written in the input (not ones the parser made up)
    // have their original text inside it.
    if (href && href->original_value.data && href->original_value.length > 0 &&
        href->original_value.data >= html.data() &&
        href->original_value.data + href->original_value.length <= html.data() + html.size()) {
      // As written (entities decoded): a URL with whitespace around it is
      // not tracked, so rewriting never changes what a link says.
      const std::string url(href->value);
      if (domain::IsTrackableUrl(url, public_url)) {
        const size_t begin = static_cast<size_t>(href->original_value.data - html.data());
        splices.push_back({begin, begin + href->original_value.length,
                           AttributeValue(rewrite(static_cast<int>(splices.size()), url))});
      }
    }
  }
  for (unsigned i = 0; i < element.children.length; ++i) {
    CollectLinks(static_cast<const GumboNode*>(element.children.data[i]), html, public_url, rewrite,
                 splices);
  }
}

}  // namespace

std::string RewriteLinks(std::string_view html, std::string_view public_url,
                         const std::function<std::string(int, const std::string&)>& rewrite) {
  GumboOptions options = kGumboDefaultOptions;
  GumboOutput* output = gumbo_parse_with_options(&options, html.data(), html.size());
  std::vector<Splice> splices;
  CollectLinks(output->document, html, public_url, rewrite, splices);
  gumbo_destroy_output(&options, output);
  // Document order is source order for attributes written in the input, but
  // sort anyway: splices must not overlap or go backwards.
  std::sort(splices.begin(), splices.end(),
            [](const Splice& a, const Splice& b) { return a.begin < b.begin; });
  std::string out;
  size_t at = 0;
  for (const Splice& s : splices) {
    if (s.begin < at) continue;
    out.append(html.substr(at, s.begin - at));
    out += s.text;
    at = s.end;
  }
  out.append(html.substr(at));
  return out;
}

std::string AddOpenPixel(std::string_view html, std::string_view pixel_url) {
  const std::string pixel = "<img src=" + AttributeValue(pixel_url) +
                            " width=\"1\" height=\"1\" alt=\"\" style=\"display:block;border:0\">";
  std::string lower(html);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const size_t body_end = lower.rfind("</body");
  std::string out(html);
  if (body_end == std::string::npos) return out + pixel;
  out.insert(body_end, pixel);
  return out;
}

}  // namespace leadterra::delivery
