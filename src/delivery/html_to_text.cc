#include "delivery/html_to_text.h"

#include <gumbo.h>

#include <cstring>

namespace leadterra::delivery {
namespace {

class TextWriter {
 public:
  void Text(std::string_view text) {
    for (char c : text) {
      if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f') {
        pending_space_ = true;
        continue;
      }
      if (pending_breaks_ > 0 && !out_.empty()) {
        out_.append(static_cast<size_t>(pending_breaks_), '\n');
      } else if (pending_space_ && !out_.empty() && out_.back() != '\n') {
        out_.push_back(' ');
      }
      pending_breaks_ = 0;
      pending_space_ = false;
      out_.push_back(c);
    }
  }
  // Ends the current line (br) or block (p, div, …).
  void Break(int lines) {
    if (lines > pending_breaks_) pending_breaks_ = lines;
    pending_space_ = false;
  }
  std::string Finish() { return std::move(out_); }

 private:
  std::string out_;
  int pending_breaks_ = 0;
  bool pending_space_ = false;
};

bool IsBlock(GumboTag tag) {
  switch (tag) {
    case GUMBO_TAG_P:
    case GUMBO_TAG_DIV:
    case GUMBO_TAG_H1:
    case GUMBO_TAG_H2:
    case GUMBO_TAG_H3:
    case GUMBO_TAG_H4:
    case GUMBO_TAG_H5:
    case GUMBO_TAG_H6:
    case GUMBO_TAG_UL:
    case GUMBO_TAG_OL:
    case GUMBO_TAG_TABLE:
    case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_PRE:
    case GUMBO_TAG_HR:
      return true;
    default:
      return false;
  }
}

std::string CollectText(const GumboNode* node) {
  if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_WHITESPACE) {
    return node->v.text.text;
  }
  if (node->type != GUMBO_NODE_ELEMENT) return {};
  std::string out;
  const GumboVector& children = node->v.element.children;
  for (unsigned i = 0; i < children.length; ++i) {
    out += CollectText(static_cast<const GumboNode*>(children.data[i]));
  }
  return out;
}

void Walk(const GumboNode* node, TextWriter& w) {
  if (node->type == GUMBO_NODE_TEXT || node->type == GUMBO_NODE_CDATA ||
      node->type == GUMBO_NODE_WHITESPACE) {
    w.Text(node->v.text.text);
    return;
  }
  if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_DOCUMENT) return;
  const GumboVector* children =
      node->type == GUMBO_NODE_DOCUMENT ? &node->v.document.children : &node->v.element.children;
  GumboTag tag = node->type == GUMBO_NODE_ELEMENT ? node->v.element.tag : GUMBO_TAG_UNKNOWN;
  switch (tag) {
    case GUMBO_TAG_SCRIPT:
    case GUMBO_TAG_STYLE:
    case GUMBO_TAG_HEAD:
    case GUMBO_TAG_TEMPLATE:
      return;
    case GUMBO_TAG_BR:
      w.Break(1);
      return;
    case GUMBO_TAG_LI:
      w.Break(1);
      w.Text("- ");
      break;
    case GUMBO_TAG_TR:
      w.Break(1);
      break;
    case GUMBO_TAG_TD:
    case GUMBO_TAG_TH:
      w.Text(" ");
      break;
    default:
      if (IsBlock(tag)) w.Break(2);
  }
  for (unsigned i = 0; i < children->length; ++i) {
    Walk(static_cast<const GumboNode*>(children->data[i]), w);
  }
  if (tag == GUMBO_TAG_A) {
    const GumboAttribute* href = gumbo_get_attribute(&node->v.element.attributes, "href");
    if (href && std::strncmp(href->value, "mailto:", 7) != 0) {
      std::string text = CollectText(node);
      if (text.find(href->value) == std::string::npos) {
        w.Text(" (");
        w.Text(href->value);
        w.Text(")");
      }
    }
  }
  if (IsBlock(tag)) w.Break(2);
}

}  // namespace

std::string HtmlToText(std::string_view html) {
  GumboOptions options = kGumboDefaultOptions;
  GumboOutput* output = gumbo_parse_with_options(&options, html.data(), html.size());
  TextWriter writer;
  Walk(output->document, writer);
  gumbo_destroy_output(&options, output);
  return writer.Finish();
}

}  // namespace leadterra::delivery
