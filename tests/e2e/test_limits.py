"""Idempotency keys, rate limiting, body-size limits."""

import json
import socket
import uuid

import pytest

from conftest import assert_error, raw_exchange, step


def count(server, key="default"):
    return len(server.get("/v1/campaigns", key=key, params={"limit": 1000}).json()["data"])


# --------------------------------------------------------------------------
# Idempotency-Key
# --------------------------------------------------------------------------

def test_idempotent_create_replays(server):
    ik = "ik-" + uuid.uuid4().hex
    body = {"name": "Once", "sequenceSteps": [step("A")]}
    before = count(server)
    r1 = server.post("/v1/campaigns", body, headers={"Idempotency-Key": ik})
    assert r1.status_code == 201, r1.text
    assert r1.headers.get("Idempotent-Replayed", "false").lower() != "true"
    r2 = server.post("/v1/campaigns", body, headers={"Idempotency-Key": ik})
    assert r2.status_code == 201, r2.text
    assert r2.json() == r1.json()
    assert r2.headers.get("Idempotent-Replayed") == "true"
    assert r2.headers.get("X-Request-Id")
    r3 = server.post("/v1/campaigns", body, headers={"Idempotency-Key": ik})
    assert r3.status_code == 201 and r3.json() == r1.json()
    assert count(server) == before + 1
    cid = r1.json()["data"]["id"]
    assert server.get("/v1/campaigns/" + cid).status_code == 200


def test_idempotent_same_body_different_key_creates_two(server):
    body = {"name": "Twice"}
    before = count(server)
    a = server.post("/v1/campaigns", body, headers={"Idempotency-Key": "a-" + uuid.uuid4().hex})
    b = server.post("/v1/campaigns", body, headers={"Idempotency-Key": "b-" + uuid.uuid4().hex})
    assert a.status_code == b.status_code == 201
    assert a.json()["data"]["id"] != b.json()["data"]["id"]
    assert count(server) == before + 2


def test_idempotency_conflict(server):
    ik = "ik-" + uuid.uuid4().hex
    r1 = server.post("/v1/campaigns", {"name": "First"}, headers={"Idempotency-Key": ik})
    assert r1.status_code == 201
    before = count(server)
    r2 = server.post("/v1/campaigns", {"name": "Second"}, headers={"Idempotency-Key": ik})
    assert_error(r2, 409, "idempotency_conflict", check_param=False)
    assert count(server) == before
    # The original is still replayable.
    r3 = server.post("/v1/campaigns", {"name": "First"}, headers={"Idempotency-Key": ik})
    assert r3.status_code == 201 and r3.json() == r1.json()


def test_idempotency_scoped_to_workspace(server, other_ws):
    _, other = other_ws
    ik = "shared-" + uuid.uuid4().hex
    body = {"name": "Scoped"}
    mine = server.post("/v1/campaigns", body, headers={"Idempotency-Key": ik})
    assert mine.status_code == 201
    theirs = server.post("/v1/campaigns", body, key=other, headers={"Idempotency-Key": ik})
    assert theirs.status_code == 201, theirs.text
    # Never replay another workspace's response.
    assert theirs.json()["data"]["id"] != mine.json()["data"]["id"]
    assert theirs.headers.get("Idempotent-Replayed", "false").lower() != "true"
    assert server.get("/v1/campaigns/" + theirs.json()["data"]["id"], key=other).status_code == 200


def test_idempotent_start(server):
    cid = server.create_campaign("IdemStart", [step()])["id"]
    ik = "st-" + uuid.uuid4().hex
    r1 = server.post("/v1/campaigns/%s/start" % cid, headers={"Idempotency-Key": ik})
    assert r1.status_code == 200, r1.text
    r2 = server.post("/v1/campaigns/%s/start" % cid, headers={"Idempotency-Key": ik})
    assert r2.status_code == 200
    assert r2.json() == r1.json()
    assert r2.headers.get("Idempotent-Replayed") == "true"


def test_idempotent_api_key_create(server):
    ik = "key-" + uuid.uuid4().hex
    r1 = server.post("/v1/api-keys", {"name": "idem"}, headers={"Idempotency-Key": ik})
    assert r1.status_code == 201
    r2 = server.post("/v1/api-keys", {"name": "idem"}, headers={"Idempotency-Key": ik})
    assert r2.status_code == 201
    assert r2.json()["data"]["id"] == r1.json()["data"]["id"]
    assert r2.headers.get("Idempotent-Replayed") == "true"
    names = [k for k in server.get("/v1/api-keys").json()["data"] if k["name"] == "idem"]
    assert len(names) == 1
    r3 = server.post("/v1/api-keys", {"name": "other"}, headers={"Idempotency-Key": ik})
    assert_error(r3, 409, "idempotency_conflict", check_param=False)


# --------------------------------------------------------------------------
# Rate limiting
# --------------------------------------------------------------------------

def test_rate_limited(make_server):
    srv = make_server("--rate-limit", "5", "--rate-burst", "5")
    statuses = []
    limited = None
    for _ in range(20):
        r = srv.get("/v1/campaigns")
        statuses.append(r.status_code)
        if r.status_code == 429 and limited is None:
            limited = r
    assert set(statuses) <= {200, 429}, statuses
    # The bucket starts full: the first `burst` requests pass.
    assert statuses[:5] == [200] * 5, statuses
    assert limited is not None, statuses
    assert_error(limited, 429, "rate_limited", check_param=False)
    ra = limited.headers.get("Retry-After")
    assert ra is not None and ra.isdigit() and int(ra) >= 1, ra

    # Per key: a fresh key has its own full bucket (created through the CLI so
    # the create call itself is not throttled).
    res = srv.cli("key", "create", "--workspace", srv.workspace_id)
    assert res.returncode == 0, res
    other = res.lines[1].strip()
    r = srv.get("/v1/campaigns", key=other)
    assert r.status_code == 200, r.text
    # Unauthenticated health checks are not throttled by a key's bucket.
    assert srv.get("/healthz", key=None).status_code == 200


def test_rate_limit_applies_to_writes(make_server):
    srv = make_server("--rate-limit", "2", "--rate-burst", "3")
    codes = [srv.post("/v1/campaigns", {"name": "w%d" % i}).status_code for i in range(15)]
    assert codes[:3] == [201] * 3, codes
    assert 429 in codes, codes
    assert set(codes) <= {201, 429}
    created = codes.count(201)
    # Throttled creates did not happen.
    import time
    deadline = time.monotonic() + 10
    while True:
        r = srv.get("/v1/campaigns", params={"limit": 1000})
        if r.status_code == 200:
            break
        assert time.monotonic() < deadline
        time.sleep(0.5)
    assert len(r.json()["data"]) == created


def test_rate_limit_zero_is_unlimited(make_server):
    srv = make_server("--rate-limit", "0", "--rate-burst", "1")
    codes = {srv.get("/v1/campaigns").status_code for _ in range(40)}
    assert codes == {200}


# --------------------------------------------------------------------------
# Body size
# --------------------------------------------------------------------------

def test_body_too_large(make_server):
    srv = make_server("--max-body-bytes", "1024")
    small = json.dumps({"name": "s", "sequenceSteps": [step("a", "x" * 400)]}).encode()
    assert len(small) < 1024
    r = srv.request("POST", "/v1/campaigns", data=small, headers={"Content-Type": "application/json"})
    assert r.status_code == 201, r.text

    big = json.dumps({"name": "b", "sequenceSteps": [step("a", "x" * 2000)]}).encode()
    r = srv.request("POST", "/v1/campaigns", data=big, headers={"Content-Type": "application/json"})
    assert_error(r, 413, "payload_too_large", check_param=False)

    cid = srv.create_campaign("p")["id"]
    r = srv.request("PATCH", "/v1/campaigns/" + cid, data=big,
                    headers={"Content-Type": "application/json"})
    assert_error(r, 413, "payload_too_large", check_param=False)

    # Chunked bodies are counted too (raw socket: the whole request is sent
    # before reading, so an early 413 cannot break the client's pipe).
    def chunked(payload):
        out = b""
        for i in range(0, len(payload), 300):
            part = payload[i:i + 300]
            out += b"%x\r\n" % len(part) + part + b"\r\n"
        return out + b"0\r\n\r\n"

    head = ("POST /v1/campaigns HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
            "Connection: close\r\n\r\n" % srv.key).encode()
    resp = raw_exchange(srv.host, srv.port, head + chunked(b" " * 3000 + b'{"name":"chunked"}'))
    assert resp.startswith(b"HTTP/1.1 413 "), resp[:300]
    assert b'"payload_too_large"' in resp, resp
    resp = raw_exchange(srv.host, srv.port, head + chunked(b'{"name":"small chunked"}'))
    assert resp.startswith(b"HTTP/1.1 201 "), resp[:300]

    # Nothing over-size was stored.
    names = [c["name"] for c in srv.get("/v1/campaigns").json()["data"]]
    assert names == ["s", "p", "small chunked"]
    assert srv.get("/healthz", key=None).status_code == 200


def test_body_exactly_at_limit(make_server):
    srv = make_server("--max-body-bytes", "1024")
    body = b'{"name":"edge"' + b" " * (1024 - len(b'{"name":"edge"}')) + b"}"
    assert len(body) == 1024
    r = srv.request("POST", "/v1/campaigns", data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 201, r.text
    body = body[:-1] + b" }"
    r = srv.request("POST", "/v1/campaigns", data=body, headers={"Content-Type": "application/json"})
    assert_error(r, 413, "payload_too_large", check_param=False)


def test_declared_huge_content_length_rejected_without_body(make_server):
    srv = make_server("--max-body-bytes", "4096")
    req = ("POST /v1/campaigns HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
           "Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n" % srv.key).encode()
    s = socket.create_connection((srv.host, srv.port), timeout=10)
    try:
        s.sendall(req + b'{"name":')
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    status_line = data.split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1.1 413"), data[:300]
    assert srv.get("/healthz", key=None).status_code == 200


def test_default_limit_allows_large_bodies(server):
    # Default limit is 32 MiB: a ~2 MiB body (8 steps of 256 KiB) is fine.
    html = "<p>" + "y" * (256 * 1024 - 7) + "</p>"
    body = {"name": "big", "sequenceSteps": [step("s%d" % i, html) for i in range(8)]}
    r = server.post("/v1/campaigns", body)
    assert r.status_code == 201, r.text[:300]
    got = server.get("/v1/campaigns/" + r.json()["data"]["id"]).json()["data"]
    assert [s["bodyHtml"] for s in got["sequenceSteps"]] == [html] * 8
