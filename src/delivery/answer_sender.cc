#include "delivery/answer_sender.h"

#include "delivery/mailbox_transport.h"
#include "delivery/mime_builder.h"
#include "domain/template.h"
#include "util/time_format.h"

namespace leadterra::delivery {

std::string AnswerHtml(const store::AnswerDraft& draft, const std::string& body_html) {
  std::string html = body_html;
  if (draft.quoted_text.empty()) return html;
  html += "<br><div>On ";
  domain::AppendHtmlEscaped(FormatIso8601(draft.quoted_at), &html);
  html += ", ";
  domain::AppendHtmlEscaped(draft.quoted_from, &html);
  html +=
      " wrote:</div><blockquote style=\"margin:0 0 0 .8ex;border-left:1px solid #ccc;"
      "padding-left:1ex\">";
  // Line by line, so the quote keeps its breaks.
  size_t start = 0;
  while (start <= draft.quoted_text.size()) {
    size_t end = draft.quoted_text.find('\n', start);
    if (end == std::string::npos) end = draft.quoted_text.size();
    domain::AppendHtmlEscaped(std::string_view(draft.quoted_text).substr(start, end - start),
                              &html);
    if (end < draft.quoted_text.size()) html += "<br>";
    start = end + 1;
  }
  html += "</blockquote>";
  return html;
}

SmtpReply AnswerSender::Send(const std::string& workspace_id, const store::AnswerDraft& draft,
                             const std::string& body_html, int64_t now_millis) {
  auto server = SmtpServerOf(draft.mailbox, secrets_);
  if (!server.ok()) return SmtpReply{0, server.status().message()};
  OutgoingMessage message;
  message.from_name = draft.mailbox.from_name;
  message.from_email = draft.mailbox.email;
  message.to_name = draft.lead_name;
  message.to_email = draft.lead_email;
  message.subject = draft.subject;
  message.body_html = AnswerHtml(draft, body_html);
  message.message_id = draft.message_id_header;
  message.references = draft.references;
  message.date_millis = now_millis;
  const std::string data =
      SignedMessage(SignerFor(store_, secrets_, workspace_id, draft.mailbox.email),
                    BuildMessage(message), now_millis);
  std::unique_ptr<SmtpSession> session = connector_.Open(*server);
  return session->Send(draft.mailbox.email, draft.lead_email, data);
}

}  // namespace leadterra::delivery
