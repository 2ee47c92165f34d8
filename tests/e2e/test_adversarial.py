"""Adversarial tests against the real binary, over raw sockets where the
attack lives below HTTP libraries: request smuggling through
Transfer-Encoding / Content-Length framing, slowloris and idle-connection
floods, one workspace's heavy requests against another's latency, control
characters in lead text, and lead text that looks like RFC 2047 encoded words.

Latencies are printed (run with `-s` to see them), never asserted.
"""

import json
import re
import resource
import socket
import statistics
import threading
import time

import pytest
import requests

from conftest import assert_error, bulk, start, step, wait_until


# --------------------------------------------------------------------------
# Framing: one answer, then the connection is closed
# --------------------------------------------------------------------------

def read_until_closed(sock, timeout=5.0):
    """Everything the server sends until it closes; fails on a hang."""
    sock.settimeout(timeout)
    chunks = []
    deadline = time.monotonic() + timeout
    while True:
        try:
            b = sock.recv(65536)
        except socket.timeout:
            pytest.fail("server kept the connection open after %r" % b"".join(chunks)[:300])
        except ConnectionResetError:
            break
        if not b:
            break
        chunks.append(b)
        assert time.monotonic() < deadline, "server kept talking"
    return b"".join(chunks)


def status_lines(raw):
    """Every status line in `raw` (a body need not end in CRLF, so a second
    response may start mid-line)."""
    return re.findall(rb"HTTP/1\.[01] \d{3}[^\r\n]*", raw)


def smuggle(server, head_fields, body, version=b"HTTP/1.1"):
    """POST /v1/campaigns with `head_fields` and `body` on a fresh connection;
    returns every status line the server sent before closing."""
    head = b"POST /v1/campaigns " + version + b"\r\nHost: x\r\n"
    head += b"Authorization: Bearer " + server.key.encode() + b"\r\n"
    head += b"Content-Type: application/json\r\n"
    for field in head_fields:
        head += field + b"\r\n"
    s = socket.create_connection((server.host, server.port), timeout=5)
    try:
        s.sendall(head + b"\r\n" + body)
        return status_lines(read_until_closed(s))
    finally:
        s.close()


def inner_request(server):
    """A complete request that must never run when hidden in a body."""
    return (b"GET /v1/api-keys HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
            server.key.encode() + b"\r\n\r\n")


@pytest.mark.parametrize("fields, expected", [
    ([b"Transfer-Encoding: gzip"], 400),
    ([b"Transfer-Encoding: identity"], 400),
    ([b"Transfer-Encoding: xchunked"], 400),
    ([b"Transfer-Encoding: chunked, gzip"], 400),
    ([b"Transfer-Encoding: chunked, chunked"], 400),
    ([b"Transfer-Encoding: chunked", b"Transfer-Encoding: gzip"], 400),
    ([b"Transfer-Encoding:"], 400),
    ([b"Transfer-Encoding:; gzip, chunked"], 400),  # found by the framing fuzzer
    ([b"Transfer-Encoding: \"chunked\""], 400),
    ([b"Transfer-Encoding: gzip, chunked"], 501),
    ([b"Transfer-Encoding: gzip", b"Transfer-Encoding: chunked"], 501),
    ([b"Transfer-Encoding: gzip", b"Content-Length: 80"], 400),
    ([b"Content-Length: 80", b"Transfer-Encoding: chunked"], 400),
    ([b"Transfer-Encoding: chunked", b"Content-Length: 80"], 400),
    ([b"Content-Length: 3", b"Content-Length: 80"], 400),
    ([b"Content-Length: +80"], 400),
    ([b"Content-Length: 8 0"], 400),
    ([b"Transfer-Encoding : chunked"], 400),
    ([b"Transfer-Encoding:\x0bchunked"], 400),
])
def test_smuggling_variants_get_one_error_and_a_close(server, fields, expected):
    inner = inner_request(server)
    lines = smuggle(server, fields, inner + inner)
    assert len(lines) == 1, lines
    assert lines[0].split(b" ")[1] == str(expected).encode(), lines


def test_transfer_encoding_in_http10_is_refused(server):
    body = b"5\r\nhello\r\n0\r\n\r\n"
    lines = smuggle(server, [b"Transfer-Encoding: chunked"], body + inner_request(server),
                    version=b"HTTP/1.0")
    assert len(lines) == 1 and lines[0].split(b" ")[1] == b"400", lines


def test_broken_chunk_framing_is_refused_and_closed(server):
    for body in [b"zz\r\nhello\r\n0\r\n\r\n",                   # not hex
                 b"5\r\nhelloXX0\r\n\r\n",                      # missing CRLF after data
                 b"ffffffffffffffffff\r\n",                     # size overflow
                 b"5\nhello\n0\n\n"]:                            # bare LF
        lines = smuggle(server, [b"Transfer-Encoding: chunked"], body + inner_request(server))
        assert len(lines) == 1, (body[:20], lines)
        assert lines[0].split(b" ")[1] in (b"400", b"413"), (body[:20], lines)


def test_a_valid_chunked_request_still_works_and_keeps_the_connection(server):
    payload = json.dumps({"name": "Chunked"}).encode()
    body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(payload), payload)
    req = (b"POST /v1/campaigns HTTP/1.1\r\nHost: x\r\nAuthorization: bearer " +
           server.key.encode() + b"\r\nContent-Type: application/json\r\n"
           b"Transfer-Encoding: chunked\r\n\r\n" + body)
    s = socket.create_connection((server.host, server.port), timeout=5)
    try:
        s.sendall(req + inner_request(server).replace(b"HTTP/1.1\r\n",
                                                      b"HTTP/1.1\r\nConnection: close\r\n", 1))
        lines = status_lines(read_until_closed(s))
    finally:
        s.close()
    # Two real requests, two answers: the first created, the pipelined second listed.
    assert [l.split(b" ")[1] for l in lines] == [b"201", b"200"], lines


def test_lowercase_bearer_scheme_is_accepted(server):
    r = requests.get(server.url("/v1/campaigns"), headers={"Authorization": "bearer " + server.key})
    assert r.status_code == 200, r.text
    r = requests.get(server.url("/v1/campaigns"), headers={"Authorization": "BEARER  " + server.key})
    assert r.status_code == 200, r.text


# --------------------------------------------------------------------------
# Floods: slowloris and idle connections
# --------------------------------------------------------------------------

def timed_gets(srv, path, n, key="default"):
    """n GETs on one keep-alive session; returns (statuses, latencies in ms)."""
    session = requests.Session()
    key = srv.key if key == "default" else key
    statuses, latencies = [], []
    for _ in range(n):
        t0 = time.perf_counter()
        r = session.get(srv.url(path), headers={"Authorization": "Bearer " + key}, timeout=30)
        latencies.append((time.perf_counter() - t0) * 1000)
        statuses.append(r.status_code)
    session.close()
    return statuses, latencies


def p99(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]


def describe(latencies):
    return "n=%d median=%.1f ms p99=%.1f ms max=%.1f ms" % (
        len(latencies), statistics.median(latencies), p99(latencies), max(latencies))


def descriptor_budget(wanted):
    """Raise this process's descriptor limit as far as allowed; how many
    sockets the flood may open."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return max(100, min(wanted, soft - 300))


def test_slowloris_and_idle_floods_leave_normal_requests_served(make_server):
    srv = make_server("--rate-limit", "0")
    idle, slow = [], []
    n_idle = descriptor_budget(4000) - 200
    try:
        for _ in range(n_idle):
            idle.append(socket.create_connection((srv.host, srv.port), timeout=5))
        for i in range(200):
            s = socket.create_connection((srv.host, srv.port), timeout=5)
            s.sendall(b"POST /v1/campaigns HTTP/1.1\r\nHost: x\r\nX-Slow-%d: " % i)
            slow.append(s)
        stop = threading.Event()

        def drip():  # one more header byte per connection every 0.5 s
            while not stop.wait(0.5):
                for s in slow:
                    try:
                        s.send(b"a")
                    except OSError:
                        pass
        dripper = threading.Thread(target=drip, daemon=True)
        dripper.start()
        statuses, latencies = timed_gets(srv, "/v1/campaigns", 100)
        stop.set()
        dripper.join()
        print("\nunder %d idle + 200 slowloris connections: GET /v1/campaigns %s"
              % (n_idle, describe(latencies)))
        assert statuses == [200] * 100, statuses
    finally:
        for s in idle + slow:
            s.close()
    assert srv.alive()


# --------------------------------------------------------------------------
# Noisy neighbour: heavy requests in one workspace, another timed
# --------------------------------------------------------------------------

def big_upload(n=10000, pad=2900):
    """A bulk body of about n * (pad + 100) bytes (30 MB by default)."""
    filler = "x" * pad
    leads = [{"email": "lead%05d@noisy.test" % i, "firstName": "L%d" % i,
              "customFields": {"notes": filler}} for i in range(n)]
    return json.dumps({"leads": leads}).encode()


def test_heavy_requests_of_one_workspace_do_not_stall_another(make_server):
    srv = make_server("--rate-limit", "0", "--max-body-bytes", str(64 << 20))
    _, quiet_key = srv.new_workspace("Quiet")
    noisy_camp = srv.create_campaign("Noisy")["id"]
    srv.create_campaign("Quiet one", key=quiet_key)
    upload = big_upload()
    noisy_results = []
    lock = threading.Lock()

    def noisy(method, path, body):
        headers = {"Authorization": "Bearer " + srv.key, "Content-Type": "application/json"}
        r = requests.request(method, srv.url(path), data=body, headers=headers, timeout=300)
        with lock:
            noisy_results.append(r)

    jobs = [threading.Thread(target=noisy, args=(
        "POST", "/v1/dkim-keys",
        json.dumps({"domain": "noisy%d.test" % i, "selector": "s%d" % i}).encode()))
        for i in range(12)]
    jobs += [threading.Thread(target=noisy, args=(
        "POST", "/v1/campaigns/%s/leads/bulk" % noisy_camp, upload)) for _ in range(3)]
    baseline_statuses, baseline = timed_gets(srv, "/v1/campaigns", 50, key=quiet_key)
    for j in jobs:
        j.start()
    # Open loop: one request every 10 ms, each timed from when it was due, so
    # a stalled server shows as the waiting it causes (no coordinated omission).
    statuses, latencies = [], []
    session = requests.Session()
    due = time.perf_counter()
    while any(j.is_alive() for j in jobs):
        due += 0.010
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        r = session.get(srv.url("/v1/campaigns"),
                        headers={"Authorization": "Bearer " + quiet_key}, timeout=30)
        latencies.append((time.perf_counter() - due) * 1000)
        statuses.append(r.status_code)
    for j in jobs:
        j.join()
    session.close()
    print("\nquiet workspace alone: GET /v1/campaigns " + describe(baseline))
    print("quiet workspace while another runs 12 DKIM key generations and 3 x %d MB uploads: "
          "GET /v1/campaigns every 10 ms, timed from when due: %s"
          % (len(upload) >> 20, describe(latencies)))
    codes = sorted(r.status_code for r in noisy_results)
    print("noisy workspace answers: %s" % codes)
    assert baseline_statuses == [200] * 50
    assert latencies and statuses == [200] * len(statuses), statuses
    # The noisy workspace gets its work done or is told to come back later.
    for r in noisy_results:
        if r.status_code == 503:
            assert_error(r, 503, "overloaded")
            assert int(r.headers["Retry-After"]) >= 1
        else:
            assert r.status_code in (200, 201), (r.status_code, r.text[:300])
    assert any(r.status_code == 201 for r in noisy_results)


def test_a_full_work_queue_answers_503_with_retry_after(make_server):
    srv = make_server("--rate-limit", "0", "--work-threads", "1", "--work-queue", "4")
    results = []
    lock = threading.Lock()

    def create(i):
        r = srv.request("POST", "/v1/dkim-keys",
                        json_body={"domain": "full%d.test" % i, "selector": "s"}, timeout=120)
        with lock:
            results.append(r)
    threads = [threading.Thread(target=create, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    overloaded = [r for r in results if r.status_code == 503]
    # One workspace may hold a quarter of the queue (1 here): the rest is refused at once.
    assert overloaded, [r.status_code for r in results]
    for r in overloaded:
        assert_error(r, 503, "overloaded")
        assert r.headers["Retry-After"] == "1"
    assert all(r.status_code in (201, 503) for r in results), [r.text for r in results]
    # Light requests are never queued behind heavy ones.
    assert srv.get("/v1/campaigns").status_code == 200


# --------------------------------------------------------------------------
# Lead text stays text
# --------------------------------------------------------------------------

HOSTILE = [
    ("firstName", "Ann\u0000ette"),
    ("lastName", "\u001b[31mRed"),
    ("company", "Bell\u0007Corp"),
    ("jobTitle", "VP\u0085Sales"),
    ("firstName", "Ann\u2028Bcc: x@evil.test"),
    ("company", "Para\u2029graph"),
    ("lastName", "Del\u007f"),
]


def test_control_characters_in_lead_fields_are_refused_per_row(server):
    camp = server.create_campaign("Controls")["id"]
    rows = [{"email": "ok0@leads.test", "firstName": "Tab\there"}]
    for i, (field, value) in enumerate(HOSTILE):
        rows.append({"email": "bad%d@leads.test" % i, field: value})
    rows.append({"email": "bad-custom@leads.test", "customFields": {"note": "a\u0000b"}})
    r = server.post("/v1/campaigns/%s/leads/bulk" % camp, {"leads": rows})
    assert r.status_code == 200, r.text
    d = r.json()["data"]
    assert d["enrolled"] == 1, d
    errors = {e["index"]: e for e in d["errors"]}
    assert sorted(errors) == list(range(1, len(rows))), d["errors"]
    for i, (field, _) in enumerate(HOSTILE, start=1):
        assert errors[i]["code"] == "invalid_characters", errors[i]
        assert errors[i]["param"] == "leads[%d].%s" % (i, field), errors[i]
        assert errors[i]["email"] == "bad%d@leads.test" % (i - 1)
    last = len(rows) - 1
    assert errors[last]["param"] == "leads[%d].customFields.note" % last, errors[last]
    listed = server.list_all("/v1/campaigns/%s/leads" % camp)
    assert [l["email"] for l in listed] == ["ok0@leads.test"]
    assert listed[0]["firstName"] == "Tab\there"


def test_lead_text_that_looks_like_encoded_words_displays_literally(make_server, peer):
    srv = make_server("--rate-limit", "0", "--day-seconds", "1")
    r = srv.post("/v1/mailboxes", peer.mailbox_body())
    assert r.status_code == 201, r.text
    camp = srv.create_campaign("Encoded words", [
        step("Quick question, {{firstName}}", "<p>Hi {{firstName}}</p>")])["id"]
    first = "=?utf-8?b?QmNjOiBldmls?="
    bulk(srv, camp, [{"email": "ew@leads.test", "firstName": first, "lastName": "Lee"}])
    start(srv, camp)
    wait_until(lambda: len(peer.snapshot()) == 1, lambda: "peer=%d" % len(peer.snapshot()))
    m = peer.snapshot()[0]
    raw = m["raw"].decode("ascii")
    msg = m["msg"]  # parsed by Python's email package (policy=default)
    assert str(msg["Subject"]) == "Quick question, " + first, (msg["Subject"], raw[:800])
    assert msg["To"].addresses[0].display_name == first + " Lee", (str(msg["To"]), raw[:800])
    assert msg["To"].addresses[0].addr_spec == "ew@leads.test"
    assert "Bcc: evil" not in str(msg["Subject"]) and "Bcc" not in str(msg["To"])
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "Hi " + first in html, html
