"""Agents: the MCP endpoint and `leadterra mcp` driven by the official MCP
TypeScript SDK (tests/node/mcp_flow.mjs), the generated TypeScript client
and its example, and the OpenAPI document linted by Redocly, all against the
real binary and a real SMTP server (aiosmtpd)."""

import json
import os
import shutil
import subprocess

import pytest
import requests

from conftest import BIN, load_seed_bodies

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
NODE_DIR = os.path.join(ROOT, "tests", "node")
CLIENT_DIR = os.path.join(ROOT, "clients", "typescript")

pytestmark = pytest.mark.skipif(
    not shutil.which("node") or not os.path.isdir(os.path.join(NODE_DIR, "node_modules")),
    reason="needs node and `npm ci` in tests/node (scripts/setup.sh does both)")


def seed_campaign():
    """The product documentation's example campaign (the richer of the two)."""
    bodies = [b for _, b in (load_seed_bodies() or []) if "sequenceSteps" in b]
    if not bodies:
        return {"name": "VP Sales — AI Workflow Q1", "sequenceSteps": [
            {"subject": "Quick question, {{firstName}}", "bodyHtml": "<p>Hi {{firstName}}</p>"}]}
    return max(bodies, key=lambda b: len(b["sequenceSteps"]))


def run_flow(transport, srv, peer, foreign_campaign_id, leads=100):
    arg = {"transport": transport, "url": srv.base_url, "key": srv.key, "bin": BIN,
           "campaign": seed_campaign(), "smtpPort": peer.port, "leads": leads,
           "foreignCampaignId": foreign_campaign_id}
    proc = subprocess.run(["node", os.path.join(NODE_DIR, "mcp_flow.mjs"), json.dumps(arg)],
                          capture_output=True, text=True, timeout=180, cwd=NODE_DIR)
    assert proc.returncode == 0, (proc.stdout[-3000:], proc.stderr[-3000:])
    lines = proc.stdout.splitlines()
    result = json.loads([l for l in lines if l.startswith("RESULT ")][-1][len("RESULT "):])
    transcript = [json.loads(l[len("transcript "):]) for l in lines if l.startswith("transcript ")]
    return result, transcript


@pytest.mark.parametrize("transport", ["http", "stdio"])
def test_an_agent_runs_the_whole_flow_through_mcp(make_server, peer, transport):
    srv = make_server("--rate-limit", "0", "--day-seconds", "1")
    _, other_key = srv.new_workspace("Someone else")
    foreign = srv.create_campaign("Not yours", key=other_key)["id"]
    result, transcript = run_flow(transport, srv, peer, foreign)
    for name in ["list_campaigns", "get_campaign", "create_campaign", "update_campaign",
                 "start_campaign", "pause_campaign", "enroll_leads", "list_campaign_leads",
                 "get_campaign_stats", "get_campaign_analytics", "preview_step", "lint_campaign", "list_mailboxes",
                 "list_suppressions", "add_suppression"]:
        assert name in result["tools"], result["tools"]
    assert result["enrolled"] == 100
    assert result["startedStatus"] == "running"
    assert result["delivered"] >= 100, result
    assert result["badInput"]["isError"] is True
    assert result["badInput"]["error"]["code"] == "invalid_request"
    assert result["badInput"]["error"]["param"] == "name", result["badInput"]
    assert result["foreign"] == {"isError": True, "error": result["foreign"]["error"]}
    assert result["foreign"]["error"]["code"] == "not_found"
    assert result["badStep"]["error"]["param"] == "sequenceSteps[0].bodyHtml", result["badStep"]
    # What the agent did is what the API shows, in the agent's workspace only.
    stats = srv.get("/v1/campaigns/%s/stats" % result["campaignId"]).json()["data"]
    assert stats["metrics"]["delivered"] >= 100
    assert srv.get("/v1/campaigns/%s" % result["campaignId"], key=other_key).status_code == 404
    delivered = {rcpt for m in peer.snapshot() for rcpt in m["to"]}
    assert {"mcp-lead-%d@leads.test" % i for i in range(100)} <= delivered
    assert any(t.get("call") == "enroll_leads" for t in transcript)


def mcp_stdio(args, lines, env):
    return subprocess.run([BIN, "mcp"] + args, input="".join(l + "\n" for l in lines),
                          capture_output=True, text=True, timeout=60, env=env)


def test_stdio_bridge_explains_a_dead_server_and_a_wrong_key(server):
    env = {"PATH": os.environ.get("PATH", "")}
    dead = mcp_stdio(["--url", "http://127.0.0.1:1", "--api-key", "sk_live_x"], [], env)
    assert dead.returncode == 1 and dead.stdout == ""
    assert "cannot reach the Leadterra server at http://127.0.0.1:1" in dead.stderr, dead.stderr
    wrong = mcp_stdio(["--url", server.base_url, "--api-key", "sk_live_" + "x" * 32], [], env)
    assert wrong.returncode == 1 and wrong.stdout == ""
    assert "refused the API key" in wrong.stderr, wrong.stderr
    nokey = mcp_stdio(["--url", server.base_url], [], env)
    assert nokey.returncode == 1 and "LEADTERRA_API_KEY" in nokey.stderr
    # With a good key: only protocol on stdout, one line per request.
    ok = mcp_stdio(["--url", server.base_url], [
        json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}),
        json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        "{not json",
        json.dumps({"jsonrpc": "2.0", "id": "t", "method": "tools/call",
                    "params": {"name": "list_campaigns", "arguments": {"limit": 1}}}),
    ], dict(env, LEADTERRA_API_KEY=server.key))
    assert ok.returncode == 0, ok.stderr
    replies = [json.loads(l) for l in ok.stdout.splitlines()]
    assert [r.get("id") for r in replies] == [1, None, "t"], replies
    assert replies[1]["error"]["code"] == -32700
    assert replies[2]["result"]["isError"] is False


def test_mcp_endpoint_refuses_bad_keys_and_garbage(server):
    url = server.url("/mcp")
    r = requests.post(url, data=b'{"jsonrpc":"2.0","id":1,"method":"ping"}',
                      headers={"Content-Type": "application/json"})
    assert r.status_code == 401 and r.json()["error"]["code"] == -32600
    auth = {"Authorization": "Bearer " + server.key, "Content-Type": "application/json"}
    for body, status, code in [(b"\xff\xfe", 400, -32700), (b"[]", 400, -32600),
                               (b'"x"', 200, -32600), (b"{}", 200, -32600)]:
        r = requests.post(url, data=body, headers=auth)
        assert r.status_code == status, (body, r.status_code, r.text)
        assert r.json()["error"]["code"] == code, (body, r.text)
    r = requests.post(url, data=b'{"jsonrpc":"2.0","id":1,"method":"ping"}',
                      headers=dict(auth, **{"MCP-Protocol-Version": "1999-01-01"}))
    assert r.status_code == 400
    assert requests.get(url, headers=auth).status_code == 405


def test_typescript_client_example_runs_against_the_server(make_server, peer):
    if not os.path.isdir(os.path.join(CLIENT_DIR, "node_modules")):
        pytest.skip("needs `npm ci` in clients/typescript")
    build = subprocess.run(["npx", "tsc"], cwd=CLIENT_DIR, capture_output=True, text=True,
                           timeout=180)
    assert build.returncode == 0, build.stdout + build.stderr
    srv = make_server("--rate-limit", "0", "--day-seconds", "1")
    r = srv.post("/v1/mailboxes", peer.mailbox_body())
    assert r.status_code == 201, r.text
    env = dict(os.environ, LEADTERRA_URL=srv.base_url, LEADTERRA_API_KEY=srv.key)
    run = subprocess.run(["node", "dist/example.js", "3"], cwd=CLIENT_DIR, capture_output=True,
                         text=True, timeout=120, env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "enrolled 3 of 3" in run.stdout and "status running" in run.stdout, run.stdout
    assert "delivered 3 " in run.stdout.splitlines()[-1], run.stdout


def test_generated_client_types_are_current(tmp_path):
    if not os.path.isdir(os.path.join(CLIENT_DIR, "node_modules")):
        pytest.skip("needs `npm ci` in clients/typescript")
    out = tmp_path / "schema.d.ts"
    gen = subprocess.run(["npx", "openapi-typescript", os.path.join(ROOT, "src/http/openapi.json"),
                          "--default-non-nullable", "false", "--output", str(out)],
                         cwd=CLIENT_DIR, capture_output=True, text=True, timeout=180)
    assert gen.returncode == 0, gen.stderr
    with open(os.path.join(CLIENT_DIR, "src", "schema.d.ts")) as f:
        assert f.read() == out.read_text(), \
            "clients/typescript/src/schema.d.ts is stale: run `npm run generate` there"


def test_served_openapi_document_lints_clean(server, tmp_path):
    doc = tmp_path / "openapi.json"
    doc.write_bytes(requests.get(server.url("/v1/openapi.json")).content)
    lint = subprocess.run(["npx", "redocly", "lint", str(doc), "--config",
                           os.path.join(ROOT, "redocly.yaml"), "--format", "stylish"],
                          cwd=NODE_DIR, capture_output=True, text=True, timeout=180)
    out = lint.stdout + lint.stderr
    assert lint.returncode == 0, out
    assert " warning " not in out and " error " not in out, out
