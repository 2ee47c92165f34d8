// The public unsubscribe pages: GET /u/:token shows a small confirmation
// page with one button (link scanners prefetch GETs, so a GET never
// unsubscribes); POST /u/:token unsubscribes — the RFC 8058 one-click POST
// from mail clients ("List-Unsubscribe=One-Click") and the page's button
// alike. Unknown tokens get a 404 page. HTML, lead data escaped.
#pragma once

#include "api/unsubscribe_api.h"
#include "http/http_types.h"

namespace leadterra::http {

HttpResponse UnsubscribeGet(api::UnsubscribeApi& api, const HttpRequest& request);
HttpResponse UnsubscribePost(api::UnsubscribeApi& api, const HttpRequest& request);

}  // namespace leadterra::http
