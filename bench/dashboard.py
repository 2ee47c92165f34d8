#!/usr/bin/env python3
"""Dashboard benchmark, measured in Chromium: prints figures, asserts nothing.

One SQLite server gets 1,000 campaigns, one campaign with 1,000 enrolled
leads and one with 1,000,000 (through the real bulk API, 10,000 a request).
Then bench/dashboard.mjs (playwright-core driving Debian's chromium) prints:
- bytes transferred for a first load of the campaigns page with an empty
  cache (goal: under 150 KB), split into the bundle and the API answers;
- time until the campaigns list shows its rows, with 1,000 campaigns;
- time until a campaign page shows its first leads, 1,000 vs 1,000,000
  enrolled, and their ratio (goal: at most 1.5).
Times are medians of --runs page loads after one warm-up, navigation start to
the rows in the DOM, the browser on the same machine.

Usage: bench/dashboard.py [--large 1000000] [--runs 7] [--bin build/leadterra]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from ingest import Client, lead, start_server  # noqa: E402


def enroll(client, campaign, count):
    for start in range(0, count, 10000):
        rows = [lead(i) for i in range(start, min(count, start + 10000))]
        client.call("POST", f"/v1/campaigns/{campaign}/leads/bulk", {"leads": rows})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--large", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build", "leadterra"))
    args = ap.parse_args()
    if not os.path.isdir(os.path.join(HERE, "node_modules", "playwright-core")):
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent"], cwd=HERE,
                       check=True)
    with tempfile.TemporaryDirectory() as work:
        proc, port, key = start_server(args.bin, work, "sqlite:" + os.path.join(work, "d.db"))
        try:
            client = Client(port, key)
            steps = [{"subject": "Hi {{firstName}}", "bodyHtml": "<p>Hello {{company}}</p>"}]
            t0 = time.perf_counter()
            for i in range(1000):
                client.call("POST", "/v1/campaigns", {"name": f"Campaign {i:04d}",
                                                      "sequenceSteps": steps})
            small = client.call("POST", "/v1/campaigns", {"name": "Small", "sequenceSteps": steps})
            large = client.call("POST", "/v1/campaigns", {"name": "Large", "sequenceSteps": steps})
            enroll(client, small["data"]["id"], 1000)
            enroll(client, large["data"]["id"], args.large)
            print(f"loaded 1,002 campaigns and {1000 + args.large:,} enrollments in "
                  f"{time.perf_counter() - t0:.0f} s", flush=True)
            out = subprocess.run(
                ["node", os.path.join(HERE, "dashboard.mjs"), f"http://127.0.0.1:{port}", key,
                 small["data"]["id"], large["data"]["id"], str(args.runs)],
                capture_output=True, text=True)
            if out.returncode != 0:
                sys.exit("dashboard.mjs failed:\n" + out.stderr[-6000:])
            r = json.loads(out.stdout.strip().splitlines()[-1])
        finally:
            proc.terminate()
            proc.wait()
    print(f"first load (empty cache): {r['firstLoadBytes'] / 1024:.1f} KB in "
          f"{r['firstLoadRequests']} requests (bundle {r['firstLoadAssetBytes'] / 1024:.1f} KB, "
          f"API {r['firstLoadApiBytes'] / 1024:.1f} KB)   goal < 150 KB")
    print(f"campaigns list, 1,000 campaigns: {r['campaignsListMs']:.0f} ms until rows show")
    ratio = r["campaignPageLargeMs"] / r["campaignPageSmallMs"]
    print(f"campaign page until first leads: 1,000 enrolled {r['campaignPageSmallMs']:.0f} ms, "
          f"{args.large:,} enrolled {r['campaignPageLargeMs']:.0f} ms, ratio {ratio:.2f}   "
          f"goal <= 1.5")


if __name__ == "__main__":
    main()
