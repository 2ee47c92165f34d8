// The dashboard's built files, generated at build time by web/embed.mjs from
// `node web/build.mjs` (library lt_web_assets, linked only by the app).
#pragma once

#include <span>

#include "http/web_bundle.h"

namespace leadterra::http {

std::span<const EmbeddedWebFile> EmbeddedWebFiles();

}  // namespace leadterra::http
