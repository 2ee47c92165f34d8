// Open and click tracking in a message's HTML (SPEC §13), done with gumbo (a
// real HTML5 parser) and splices into the original text: only the href
// values of rewritten links change, so the rest of the markup comes out
// byte for byte as it went in. Pure and thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace leadterra::delivery {

// Every <a href> whose URL (entities decoded) is trackable
// (domain::IsTrackableUrl: http(s) with a host, not our unsubscribe link;
// never mailto:, "#…" or relative links) gets the href `rewrite(index,
// url)` returns, index counting the rewritten links from 0 in document
// order. The new value is written double-quoted with '&' and '"' escaped.
std::string RewriteLinks(
    std::string_view html, std::string_view public_url,
    const std::function<std::string(int index, const std::string& url)>& rewrite);

// The HTML with a 1x1 image of `pixel_url` before its </body> (at the end
// when it has none).
std::string AddOpenPixel(std::string_view html, std::string_view pixel_url);

}  // namespace leadterra::delivery
