#include "mcp/tool_catalog.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <set>

namespace leadterra::mcp {
namespace {

namespace json = boost::json;

// What the agent sees: the use case, when to reach for it, what comes back.
struct ToolSpec {
  const char* name;
  const char* operation_id;
  const char* description;
  // Argument names for path parameters, in path order ({id} -> campaignId).
  std::vector<std::string> path_arguments;
};

const std::vector<ToolSpec>& Specs() {
  static const std::vector<ToolSpec> kSpecs = {
      {"list_campaigns",
       "listCampaigns",
       "List the workspace's campaigns (oldest first), optionally only those in one status "
       "(draft, running, paused). Use it to find a campaign's id. Returns a page of campaign "
       "objects and nextCursor; pass nextCursor back as cursor for the next page.",
       {}},
      {"get_campaign",
       "getCampaign",
       "Read one campaign: name, status, its sequence steps (subject, bodyHtml, delayDays), "
       "stop-on-reply and bounce-protection options, and why it paused, if it did.",
       {"campaignId"}},
      {"create_campaign",
       "createCampaign",
       "Create a campaign in draft: a name and optionally its sequence steps (each a subject "
       "and an HTML body with {{firstName}}-style tokens, and delayDays after the previous "
       "step; a later step with an empty subject replies in the same thread). Returns the "
       "campaign with its id. Nothing is sent until start_campaign.",
       {}},
      {"update_campaign",
       "updateCampaign",
       "Change a campaign: rename it at any time; replace all of its sequenceSteps, or change "
       "stopOnReply or bounceProtection, only while it is draft or paused (a running campaign "
       "answers invalid_state: pause it first). A step's A/B winner (winnerVariantId, with the "
       "steps sent back as get_campaign returns them), abTest and tracking (opens/clicks, off "
       "by default: they hurt deliverability) may change at any time. "
       "Returns the updated campaign.",
       {"campaignId"}},
      {"start_campaign",
       "startCampaign",
       "Start (or resume) sending a campaign. It needs at least one step and one active "
       "mailbox. Starting a running campaign is a no-op. Run lint_campaign first to catch "
       "leads that would get an empty greeting. Returns the campaign.",
       {"campaignId"}},
      {"pause_campaign",
       "pauseCampaign",
       "Pause a running campaign: no new messages go out until start_campaign; messages "
       "already handed to SMTP finish. Returns the campaign.",
       {"campaignId"}},
      {"enroll_leads",
       "bulkUpsertLeads",
       "Add up to 10,000 leads to a campaign in one call (email required; firstName, "
       "lastName, company, jobTitle, timezone, customFields optional). Leads are shared by "
       "the workspace and matched by email; a lead already in the campaign keeps its place. "
       "Returns counts (created, updated, enrolled, alreadyEnrolled) and per-row errors with "
       "the row index, a code and the field at fault; the other rows are still applied.",
       {"campaignId"}},
      {"list_campaign_leads",
       "listCampaignLeads",
       "List the leads of a campaign with their status (queued, active, completed, replied, "
       "bounced, unsubscribed, removed, stopped, suppressed), current step and next send "
       "time, optionally filtered by status. Paged with cursor/nextCursor.",
       {"campaignId"}},
      {"get_lead_thread",
       "listLeadMessages",
       "Read one lead's thread in a campaign: every step sent (with its delivery outcome) "
       "and every reply, auto-reply or bounce report read back from the mailbox, oldest "
       "first. Use it to read what a lead answered.",
       {"campaignId", "leadId"}},
      {"get_campaign_stats",
       "getCampaignStats",
       "Read a campaign's numbers: enrolled leads, and messages delivered, queued, bounced, "
       "leads replied and unsubscribed, and the reply rate (replied / delivered). Cheap at "
       "any size: poll it to watch a campaign.",
       {"campaignId"}},
      {"get_campaign_analytics",
       "getCampaignAnalytics",
       "Read a campaign's activity over time: messages sent, delivered, bounced, leads "
       "replied and unsubscribed (and opened/clicked when tracking is on) per hour or per day "
       "of the workspace time zone (interval=hour|day, from/to in ISO 8601 UTC, default the "
       "last 30 days, at most 1,000 buckets), and per step with its reply rate.",
       {"campaignId"}},
      {"preview_step",
       "previewCampaignStep",
       "Render one step for a stored lead (leadId) or an ad-hoc one (lead), as it would be "
       "sent: subject, bodyHtml, bodyText, and the personalization fields the lead lacks; on "
       "an A/B step, variantId picks the variant. Use it to check copy before starting.",
       {"campaignId"}},
      {"lint_campaign",
       "lintCampaign",
       "Check a campaign's personalization before starting: tokens no lead can fill, and for "
       "each field the steps use, how many enrolled leads lack it (with sample lead ids). "
       "Fix the copy (a fallback such as {{firstName|there}}) or the leads.",
       {"campaignId"}},
      {"list_mailboxes",
       "listMailboxes",
       "List the sending mailboxes: address, from name, status, daily limit, sent today and "
       "the last error. A campaign needs an active mailbox to start.",
       {}},
      {"create_mailbox",
       "createMailbox",
       "Add a sending mailbox: the address, SMTP server settings (host, port, username, "
       "password, security starttls|tls|none), optionally IMAP settings for reading replies "
       "and a daily limit. The password is stored encrypted and never returned. Run "
       "verify_mailbox next.",
       {}},
      {"verify_mailbox",
       "verifyMailbox",
       "Connect to a mailbox's SMTP (and IMAP) server and log in for real; returns what each "
       "server answered, so a wrong password or host shows up before sending.",
       {"mailboxId"}},
      {"list_suppressions",
       "listSuppressions",
       "List the workspace's suppression list: addresses and whole domains that are never "
       "mailed, with the reason and where each came from (manual, unsubscribe link, "
       "unsubscribe email, bounce).",
       {}},
      {"add_suppression",
       "addSuppressions",
       "Put addresses and/or whole domains on the suppression list (for example when a "
       "prospect asks not to be contacted). They are refused at enrollment and never sent "
       "another message. Returns how many were added.",
       {}},
      {"search_leads",
       "searchLeads",
       "Find leads across all campaigns by the start of their email address, name (\"first "
       "last\" or last name) or company, case-insensitive; without q, list every lead. Returns "
       "lead objects (use get_lead for their campaigns) and nextCursor.",
       {}},
      {"get_lead",
       "getLead",
       "Read one lead: its fields and every campaign it is enrolled in, with its status there "
       "(queued, active, completed, replied, bounced, unsubscribed, removed, ...) and step.",
       {"leadId"}},
      {"list_inbox",
       "listInbox",
       "List replies from leads across every campaign and mailbox, newest first: who wrote, "
       "which campaign and step, subject, a snippet, label and read state. Filter by "
       "campaignId, label (interested, not_interested, meeting_booked, out_of_office, "
       "wrong_person, unsubscribe, none) or unread=true. Use get_inbox_item for the whole text.",
       {}},
      {"get_inbox_item",
       "getInboxItem",
       "Read one reply from the inbox with its whole text, to decide how to label or answer "
       "it.",
       {"inboxId"}},
      {"label_reply",
       "updateInboxItem",
       "Label a reply in the inbox (interested, not_interested, meeting_booked, out_of_office, "
       "wrong_person, unsubscribe, or null to clear) and/or mark it read. A label change sends "
       "the lead.labeled webhook event.",
       {"inboxId"}},
      {"answer_reply",
       "replyToInboxItem",
       "Send an answer to a lead's reply, from the same mailbox, threaded under it (Re: "
       "subject, the reply quoted below). Give bodyHtml. The answer is sent at once and only "
       "once per call; the result says delivered, bounced or failed. Refused (invalid_state) "
       "for suppressed addresses. It does not change the lead's sequence.",
       {"inboxId"}},
  };
  return kSpecs;
}

// Follows a local "#/components/…" reference.
const json::value* Resolve(const json::object& doc, std::string_view ref) {
  constexpr std::string_view kPrefix = "#/";
  if (ref.substr(0, kPrefix.size()) != kPrefix) return nullptr;
  const json::value* node = &doc.at("components");
  std::string_view rest = ref.substr(kPrefix.size());
  if (rest.substr(0, 11) != "components/") return nullptr;
  rest.remove_prefix(11);
  while (!rest.empty()) {
    const size_t slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    if (!node->is_object()) return nullptr;
    const json::value* next = node->as_object().if_contains(part);
    if (!next) return nullptr;
    node = next;
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  }
  return node;
}

// Copies `schema`, rewriting "#/components/schemas/X" references to
// "#/$defs/X" and collecting X (transitively) into `defs`.
json::value Localize(const json::object& doc, const json::value& schema, json::object& defs) {
  if (schema.is_array()) {
    json::array out;
    for (const auto& item : schema.as_array()) out.push_back(Localize(doc, item, defs));
    return out;
  }
  if (!schema.is_object()) return schema;
  json::object out;
  for (const auto& [key, value] : schema.as_object()) {
    if (key == "$ref" && value.is_string()) {
      std::string_view ref = value.as_string();
      constexpr std::string_view kSchemas = "#/components/schemas/";
      if (ref.substr(0, kSchemas.size()) == kSchemas) {
        const std::string name(ref.substr(kSchemas.size()));
        out["$ref"] = "#/$defs/" + name;
        if (!defs.contains(name)) {
          defs[name] = json::object();  // placeholder: cycles terminate
          if (const json::value* target = Resolve(doc, ref)) {
            defs[name] = Localize(doc, *target, defs);
          }
        }
        continue;
      }
    }
    out[key] = Localize(doc, value, defs);
  }
  return out;
}

// A parameter object, following a $ref to components/parameters.
const json::object* ParameterOf(const json::object& doc, const json::value& p) {
  if (!p.is_object()) return nullptr;
  if (const json::value* ref = p.as_object().if_contains("$ref")) {
    if (!ref->is_string()) return nullptr;
    const json::value* target = Resolve(doc, ref->as_string());
    return target && target->is_object() ? &target->as_object() : nullptr;
  }
  return &p.as_object();
}

// The description of a parameter with its schema's, for the agent.
json::object ArgumentSchema(const json::object& doc, const json::object& parameter,
                            json::object& defs) {
  json::object schema;
  if (const json::value* s = parameter.if_contains("schema")) {
    json::value local = Localize(doc, *s, defs);
    if (local.is_object()) schema = std::move(local.as_object());
  }
  if (const json::value* d = parameter.if_contains("description")) schema["description"] = *d;
  return schema;
}

Result<ToolDefinition> BuildTool(const json::object& doc, const ToolSpec& spec) {
  const json::object& paths = doc.at("paths").as_object();
  for (const auto& [path, item] : paths) {
    if (!item.is_object()) continue;
    for (const auto& [method, op] : item.as_object()) {
      if (!op.is_object()) continue;
      const json::value* id = op.as_object().if_contains("operationId");
      if (!id || !id->is_string() || id->as_string() != spec.operation_id) continue;

      ToolDefinition tool;
      tool.name = spec.name;
      tool.description = spec.description;
      tool.operation_id = spec.operation_id;
      tool.path = std::string(path);
      for (char c : std::string(method)) tool.method += static_cast<char>(std::toupper(c));
      json::object properties;
      json::array required;
      json::object defs;

      std::vector<const json::value*> parameters;
      for (const json::object* holder : {&item.as_object(), &op.as_object()}) {
        if (const json::value* list = holder->if_contains("parameters")) {
          for (const auto& p : list->as_array()) parameters.push_back(&p);
        }
      }
      size_t path_index = 0;
      for (const json::value* raw : parameters) {
        const json::object* p = ParameterOf(doc, *raw);
        if (!p) return Internal(spec.name + std::string(": unresolvable parameter"));
        const std::string name(p->at("name").as_string());
        const std::string in(p->at("in").as_string());
        if (in == "path") {
          if (path_index >= spec.path_arguments.size()) {
            return Internal(spec.name + std::string(": no argument name for path parameter ") +
                            name);
          }
          const std::string& argument = spec.path_arguments[path_index++];
          tool.path_params.emplace_back(name, argument);
          properties[argument] = ArgumentSchema(doc, *p, defs);
          required.push_back(json::string(argument));
        } else if (in == "query") {
          tool.query_params.push_back(name);
          properties[name] = ArgumentSchema(doc, *p, defs);
          if (const json::value* r = p->if_contains("required");
              r && r->is_bool() && r->as_bool()) {
            required.push_back(json::string(name));
          }
        } else if (in == "header" && name == "Idempotency-Key") {
          tool.takes_idempotency_key = true;
          properties["idempotencyKey"] = ArgumentSchema(doc, *p, defs);
        }
      }
      if (path_index != spec.path_arguments.size()) {
        return Internal(spec.name + std::string(": more argument names than path parameters"));
      }

      json::object schema{{"type", "object"}};
      const json::value* body = nullptr;
      if (const json::value* rb = op.as_object().if_contains("requestBody")) {
        body = &rb->at("content").at("application/json").at("schema");
      }
      if (body) {
        tool.has_body = true;
        const json::value* target = body;
        if (const json::value* ref = body->as_object().if_contains("$ref")) {
          target = Resolve(doc, ref->as_string());
          if (!target) return Internal(spec.name + std::string(": unresolvable body schema"));
        }
        json::value local = Localize(doc, *target, defs);
        json::object& body_schema = local.as_object();
        if (const json::value* props = body_schema.if_contains("properties")) {
          for (const auto& [key, value] : props->as_object()) {
            if (properties.contains(key)) {
              return Internal(spec.name + std::string(": body field collides with a parameter: ") +
                              std::string(key));
            }
            properties[key] = value;
          }
        }
        if (const json::value* r = body_schema.if_contains("required")) {
          for (const auto& name : r->as_array()) required.push_back(name);
        }
        for (const char* keyword : {"oneOf", "anyOf"}) {
          if (const json::value* v = body_schema.if_contains(keyword)) schema[keyword] = *v;
        }
      }
      schema["properties"] = std::move(properties);
      if (!required.empty()) schema["required"] = std::move(required);
      schema["additionalProperties"] = false;
      if (!defs.empty()) schema["$defs"] = std::move(defs);
      tool.input_schema = std::move(schema);
      return tool;
    }
  }
  return Internal(std::string("no OpenAPI operation ") + spec.operation_id + " for tool " +
                  spec.name);
}

// A query or path value as text: strings as they are, other scalars as JSON.
Result<std::string> ScalarText(const json::value& v, const std::string& name) {
  if (v.is_string()) return std::string(v.as_string());
  if (v.is_int64() || v.is_uint64() || v.is_double() || v.is_bool()) return json::serialize(v);
  return InvalidArgument(name + " must be a string or a number", name);
}

std::string Encode(std::string_view text) {
  return boost::urls::encode(text, boost::urls::unreserved_chars);
}

}  // namespace

Result<ToolCatalog> ToolCatalog::Build(std::string_view openapi_json) {
  boost::system::error_code ec;
  json::value doc = json::parse(openapi_json, ec);
  if (ec || !doc.is_object()) return Internal("the OpenAPI document is not JSON");
  ToolCatalog catalog;
  try {
    for (const ToolSpec& spec : Specs()) {
      LT_ASSIGN_OR_RETURN(ToolDefinition tool, BuildTool(doc.as_object(), spec));
      catalog.tools_.push_back(std::move(tool));
    }
  } catch (const std::exception& e) {  // .at() on a malformed document
    return Internal(std::string("malformed OpenAPI document: ") + e.what());
  }
  return catalog;
}

const ToolDefinition* ToolCatalog::Find(std::string_view name) const {
  for (const auto& tool : tools_) {
    if (tool.name == name) return &tool;
  }
  return nullptr;
}

Result<MappedCall> ToolCatalog::Map(const ToolDefinition& tool, const json::value& arguments) {
  if (!arguments.is_null() && !arguments.is_object()) {
    return InvalidArgument("arguments must be an object", "arguments");
  }
  json::object args = arguments.is_object() ? arguments.as_object() : json::object();
  MappedCall call;
  call.method = tool.method;
  std::string path = tool.path;
  for (const auto& [name, argument] : tool.path_params) {
    const json::value* v = args.if_contains(argument);
    if (!v || v->is_null()) return InvalidArgument(argument + " is required", argument);
    LT_ASSIGN_OR_RETURN(std::string text, ScalarText(*v, argument));
    if (text.empty()) return InvalidArgument(argument + " must not be empty", argument);
    const std::string placeholder = "{" + name + "}";
    path.replace(path.find(placeholder), placeholder.size(), Encode(text));
    args.erase(argument);
  }
  std::string query;
  for (const std::string& name : tool.query_params) {
    const json::value* v = args.if_contains(name);
    if (!v) continue;
    if (!v->is_null()) {
      LT_ASSIGN_OR_RETURN(std::string text, ScalarText(*v, name));
      query += (query.empty() ? "?" : "&") + Encode(name) + "=" + Encode(text);
    }
    args.erase(name);
  }
  if (tool.takes_idempotency_key) {
    if (const json::value* v = args.if_contains("idempotencyKey")) {
      if (!v->is_string()) {
        return InvalidArgument("idempotencyKey must be a string", "idempotencyKey");
      }
      call.idempotency_key = std::string(v->as_string());
      args.erase("idempotencyKey");
    }
  }
  if (tool.has_body) {
    call.body = json::serialize(args);
  } else if (!args.empty()) {
    const std::string unknown(args.begin()->key());
    return InvalidArgument("unknown argument '" + unknown + "' for " + tool.name, unknown);
  }
  call.target = path + query;
  return call;
}

}  // namespace leadterra::mcp
