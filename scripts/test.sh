#!/usr/bin/env bash
# Installs what is missing, builds everything (warnings as errors) plus the
# libFuzzer targets (clang, ASan/UBSan), and runs every test through CTest:
# unit tests, black-box tests against the real binary, and bounded fuzzing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
  -DLEADTERRA_FUZZ=ON -DLEADTERRA_TESTS=OFF \
  -DCMAKE_CXX_FLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link" >/dev/null
ninja -C build-fuzz campaign_parser_fuzzer template_fuzzer webhook_parser_fuzzer inbound_parser_fuzzer settings_parser_fuzzer tracking_fuzzer lead_parser_fuzzer \
  http_request_fuzzer

scripts/build.sh -DLEADTERRA_WERROR=ON -DLEADTERRA_FUZZ_DIR="$PWD/build-fuzz"
cd build
ctest --output-on-failure -j2
