// Personalization checks that answer in JSON: warnings for tokens no lead
// can fill. Rendering itself lives in domain/sequence.h.
#pragma once

#include <boost/json/array.hpp>
#include <string>
#include <vector>

#include "domain/campaign.h"

namespace leadterra::api {

// Warnings for tokens that are neither standard fields nor custom fields any
// lead of the workspace has: [{"code":"unknown_token","message","param"}].
boost::json::array UnknownTokenWarnings(const std::vector<domain::Step>& steps,
                                        const std::vector<std::string>& known_custom_keys);

}  // namespace leadterra::api
