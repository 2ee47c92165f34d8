"""Black-box harness: starts the real `leadterra` binary and talks HTTP to it.

The binary is taken from $LEADTERRA_BIN (default: build/leadterra next to the
source tree). Every server gets its own temporary SQLite file and a random
port (`--listen 127.0.0.1:0`); the URL is parsed from the first stdout line.
When LEADTERRA_TEST_DATABASE_URL names a PostgreSQL server (the test command
runs the suite a second time under tests/peers/postgres_peer.py), each of
those files becomes a schema of that server instead: the same tests, the
other backend.
Stopping a server sends SIGTERM and asserts a clean exit (status 0).
"""

import hashlib
import json
import os
import queue
import re
import signal
import socket
import subprocess
import threading
import time
import uuid

import pytest
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_BIN = os.path.normpath(os.path.join(HERE, "..", "..", "build", "leadterra"))
SOURCE_BIN = os.environ.get("LEADTERRA_BIN", DEFAULT_BIN)


def _snapshot_binary(src):
    """Run a private copy of the binary so a rebuild during the run cannot
    swap (or half-write) the executable under the tests."""
    import shutil
    import tempfile
    import atexit
    dst_dir = tempfile.mkdtemp(prefix="leadterra-e2e-bin-")
    atexit.register(shutil.rmtree, dst_dir, True)
    dst = os.path.join(dst_dir, "leadterra")
    last_err = None
    for _ in range(60):
        try:
            shutil.copy2(src, dst)
            probe = subprocess.run([dst, "--help"], capture_output=True, timeout=10)
            if probe.returncode == 0:
                return dst
            last_err = probe.stderr
        except (OSError, subprocess.SubprocessError) as e:
            last_err = e
        time.sleep(1)
    raise RuntimeError("cannot snapshot %s: %r" % (src, last_err))


BIN = _snapshot_binary(SOURCE_BIN)

START_TIMEOUT = 15.0  # guard against hangs only; never asserted as latency
STOP_TIMEOUT = 15.0

LISTEN_RE = re.compile(r"^Leadterra listening on (http://[0-9.]+:\d+)\s*$")
WORKSPACE_RE = re.compile(r'^Created workspace (ws_[0-9a-z]{26}) \("Default"\)\s*$')
KEY_RE = re.compile(r"^API key \(shown once\): (sk_live_[0-9A-Za-z]{32,})\s*$")

# Lowercase ULID (Crockford base32: no i, l, o, u).
ULID = r"[0-9a-hjkmnp-tv-z]{26}"
CAMP_ID_RE = re.compile(r"^camp_" + ULID + r"$")
WS_ID_RE = re.compile(r"^ws_" + ULID + r"$")
KEY_ID_RE = re.compile(r"^key_" + ULID + r"$")
SECRET_RE = re.compile(r"^sk_live_[0-9A-Za-z]{32}$")
TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

# The product documentation pages, beside the checkout (../shared/seeds).
SEEDS_DIR = os.environ.get("LEADTERRA_SEEDS_DIR",
                           os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "seeds")))


PG_URL = os.environ.get("LEADTERRA_TEST_DATABASE_URL", "")
# Nodes sharing a PostgreSQL database share this master key (no key file).
PG_MASTER_KEY = "4c" * 32


def pg_schema_for(db_path):
    return "e2e_" + hashlib.sha1(db_path.encode()).hexdigest()[:24]


def database_for(db_path):
    """The --database URL for a server's data: the SQLite file at db_path, or
    on a PostgreSQL run a schema named after that path (created if new), so
    servers given the same db_path share their data on either backend."""
    if not PG_URL:
        return "sqlite:" + db_path
    schema = pg_schema_for(db_path)
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", PG_URL, "-c",
                    "SET client_min_messages = warning; CREATE SCHEMA IF NOT EXISTS " + schema],
                   check=True, stdout=subprocess.DEVNULL)
    return PG_URL + "?options=-csearch_path%3D" + schema


def database_env(database, env=None):
    """`env` plus what a server on `database` needs: on PostgreSQL the master
    key, and short leases, so that the work of a server a test kills -9 is
    taken over within seconds (SQLite ends a dead process's leases on open)."""
    env = dict(env or {})
    if database.startswith("postgres"):
        env.setdefault("LEADTERRA_MASTER_KEY", PG_MASTER_KEY)
        env.setdefault("LEADTERRA_LEASE_SECONDS", "5")
    return env


def _env_without_leadterra(extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADTERRA_")}
    if extra:
        env.update(extra)
    return env


class CliResult:
    def __init__(self, proc):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.lines = [l for l in proc.stdout.splitlines() if l.strip()]

    def __repr__(self):
        return "CliResult(rc=%r, stdout=%r, stderr=%r)" % (self.returncode, self.stdout, self.stderr)


def run_cli(args, env=None, cwd=None, timeout=30):
    proc = subprocess.run(
        [BIN] + list(args),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_env_without_leadterra(env),
        cwd=cwd,
    )
    return CliResult(proc)


class Server:
    """One running `leadterra serve` process."""

    def __init__(self, workdir, args=(), env=None, db_path=None, listen="127.0.0.1:0",
                 expect_bootstrap=True, use_flags=True):
        self.workdir = str(workdir)
        os.makedirs(self.workdir, exist_ok=True)
        self.db_path = db_path or os.path.join(self.workdir, "leadterra.db")
        self.database = database_for(self.db_path)
        env = database_env(self.database, env)
        self.stderr_path = os.path.join(self.workdir, "stderr-%s.log" % uuid.uuid4().hex[:8])
        cmd = [BIN, "serve"]
        if use_flags:
            cmd += ["--listen", listen, "--database", self.database]
        cmd += list(args)
        self._stderr = open(self.stderr_path, "wb")
        self.proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            stdin=subprocess.DEVNULL,
            env=_env_without_leadterra(env),
            cwd=self.workdir,
        )
        self.stdout_lines = []
        self._q = queue.Queue()
        self._reader = threading.Thread(target=self._read_stdout, daemon=True)
        self._reader.start()
        self.base_url = None
        self.workspace_id = None
        self.key = None
        self.stopped = False
        self.returncode = None
        self.session = requests.Session()

        self.base_url = self._wait_line(LISTEN_RE).group(1)
        if expect_bootstrap:
            self.workspace_id = self._wait_line(WORKSPACE_RE).group(1)
            self.key = self._wait_line(KEY_RE).group(1)
        self._wait_healthy()
        host, port = self.base_url[len("http://"):].rsplit(":", 1)
        self.host, self.port = host, int(port)

    # -- process plumbing -------------------------------------------------
    def _read_stdout(self):
        for raw in iter(self.proc.stdout.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.stdout_lines.append(line)
            self._q.put(line)
        self._q.put(None)

    def _wait_line(self, pattern):
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("timed out waiting for %r; stdout=%r stderr=%r"
                                     % (pattern.pattern, self.stdout_lines, self.stderr_text()))
            try:
                line = self._q.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                self.proc.wait(timeout=5)
                raise AssertionError("server exited (rc=%r) before printing %r; stdout=%r stderr=%r"
                                     % (self.proc.returncode, pattern.pattern,
                                        self.stdout_lines, self.stderr_text()))
            m = pattern.match(line)
            if m:
                return m

    def _wait_healthy(self):
        deadline = time.monotonic() + START_TIMEOUT
        last = None
        while time.monotonic() < deadline:
            try:
                r = requests.get(self.base_url + "/healthz", timeout=2)
                if r.status_code == 200:
                    return
                last = r.status_code
            except requests.RequestException as e:  # not yet accepting
                last = e
            time.sleep(0.05)
        raise AssertionError("server never became healthy: %r" % (last,))

    def stderr_text(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def alive(self):
        return self.proc.poll() is None

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self, timeout=STOP_TIMEOUT):
        try:
            self.returncode = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("server did not exit within %ss after signal; stderr=%s"
                                 % (timeout, self.stderr_text()[-2000:]))
        self.stopped = True
        self.session.close()
        self._stderr.close()
        return self.returncode

    def stop(self, sig=signal.SIGTERM):
        """Stop gracefully and return the exit status."""
        if self.stopped:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.wait()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.stopped = True
        self._stderr.close()

    # -- HTTP helpers -----------------------------------------------------
    def url(self, path):
        return self.base_url + path

    def request(self, method, path, key="default", json_body=None, data=None, headers=None,
                params=None, timeout=10):
        """Send a request. key="default" uses the bootstrap key; None sends no auth."""
        h = {}
        if key == "default":
            key = self.key
        if key is not None:
            h["Authorization"] = "Bearer " + key
        if json_body is not None:
            data = json.dumps(json_body).encode("utf-8")
            h["Content-Type"] = "application/json"
        if headers:
            h.update(headers)
        return self.session.request(method, self.url(path), data=data, headers=h,
                                    params=params, timeout=timeout)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, json_body=body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, json_body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def create_campaign(self, name="Campaign", steps=None, key="default", **extra):
        body = {"name": name}
        if steps is not None:
            body["sequenceSteps"] = steps
        body.update(extra)
        r = self.post("/v1/campaigns", body, key=key)
        assert r.status_code == 201, (r.status_code, r.text)
        return r.json()["data"]

    def list_all(self, path, key="default", limit=100, **params):
        """Every item of a list endpoint, following nextCursor to the end."""
        out, cursor = [], None
        while True:
            q = dict(params, limit=limit)
            if cursor:
                q["cursor"] = cursor
            r = self.get(path, key=key, params=q)
            assert r.status_code == 200, r.text
            body = r.json()
            out += body["data"]
            cursor = body["nextCursor"]
            if cursor is None:
                return out

    def add_mailbox(self, key="default", email="parked@sender.test"):
        """An active mailbox whose SMTP server refuses connections (port 1).

        Enough for a campaign to start in tests that are not about sending;
        anything it tries to send is retried, never delivered."""
        r = self.post("/v1/mailboxes", {"email": email, "smtp": {
            "host": "127.0.0.1", "port": 1, "security": "none"}}, key=key)
        assert r.status_code == 201, r.text
        return r.json()["data"]

    # -- CLI against the same database -------------------------------------
    def cli(self, *args, env=None):
        return run_cli(list(args) + ["--database", self.database],
                       env=database_env(self.database, env), cwd=self.workdir)

    def new_workspace(self, name="Other"):
        """Create a workspace through the CLI; returns (workspace_id, secret)."""
        res = self.cli("workspace", "create", name)
        assert res.returncode == 0, res
        assert len(res.lines) == 2, res
        ws, secret = res.lines[0].strip(), res.lines[1].strip()
        assert WS_ID_RE.match(ws), res
        assert SECRET_RE.match(secret), res
        return ws, secret


def step(subject="Subject", body="<p>Body</p>", **extra):
    s = {"subject": subject, "bodyHtml": body}
    s.update(extra)
    return s


def assert_error(resp, status, code, param=None, check_param=True):
    """Exact status + error code; param exact (None means "absent or null")."""
    assert resp.status_code == status, (resp.status_code, resp.text)
    assert resp.headers.get("X-Request-Id"), dict(resp.headers)
    assert resp.headers.get("Content-Type", "").startswith("application/json"), dict(resp.headers)
    body = resp.json()
    assert set(body.keys()) == {"error"}, body
    err = body["error"]
    assert err["code"] == code, body
    assert isinstance(err.get("message"), str) and err["message"], body
    if check_param:
        if param is None:
            assert err.get("param") is None, body
        else:
            assert err.get("param") == param, body
    return err


def raw_exchange(host, port, payload, timeout=5.0, read_all=True):
    """Send raw bytes on a fresh TCP connection and return whatever comes back."""
    s = socket.create_connection((host, port), timeout=timeout)
    try:
        if payload:
            s.sendall(payload)
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        chunks = []
        while True:
            try:
                b = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not b:
                break
            chunks.append(b)
            if not read_all:
                break
        return b"".join(chunks)
    finally:
        s.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server per test module, on a fresh database.

    Rate limiting is off here (the suite fires bursts of requests); it is
    exercised on dedicated servers in test_limits.py.
    """
    srv = Server(tmp_path_factory.mktemp("srv"), args=["--rate-limit", "0"])
    srv.add_mailbox()
    yield srv
    rc = srv.stop()
    assert rc == 0, "server exit status %r; stderr tail:\n%s" % (rc, srv.stderr_text()[-3000:])


@pytest.fixture(autouse=True)
def _module_server_survives(request):
    """Pin a crash of the shared module server on the test that caused it."""
    yield
    srv = request.node.funcargs.get("server") if hasattr(request.node, "funcargs") else None
    if isinstance(srv, Server) and not srv.stopped and not srv.alive():
        pytest.fail("module server died during this test (exit status %r); stderr tail:\n%s"
                    % (srv.proc.returncode, srv.stderr_text()[-3000:]), pytrace=False)


@pytest.fixture
def make_server(tmp_path):
    """Factory for servers with special flags; each is stopped with SIGTERM (exit 0)."""
    started = []

    def _make(*args, **kw):
        sub = kw.pop("subdir", "s%d" % len(started))
        srv = Server(tmp_path / sub, args=args, **kw)
        started.append(srv)
        return srv

    yield _make
    failures = []
    for srv in started:
        if srv.stopped:
            continue
        rc = srv.stop()
        if rc != 0:
            failures.append((rc, srv.stderr_text()[-2000:]))
    assert not failures, failures


@pytest.fixture
def ws(server):
    """A fresh workspace on the module server (its key), so what it holds is known."""
    _, secret = server.new_workspace("Fresh %s" % uuid.uuid4().hex[:6])
    return secret


@pytest.fixture
def other_ws(server):
    """A second workspace on the module server: (workspace_id, secret)."""
    return server.new_workspace("Other %s" % uuid.uuid4().hex[:6])


def load_seed_bodies():
    """Extract the JSON request bodies from the curl examples in the seed docs."""
    bodies = []
    if not os.path.isdir(SEEDS_DIR):
        return None
    for name in sorted(os.listdir(SEEDS_DIR)):
        with open(os.path.join(SEEDS_DIR, name), encoding="utf-8") as f:
            text = f.read()
        for m in re.finditer(r"(?:--data|-d) '(\{.*?\})'", text, re.S):
            bodies.append((name, json.loads(m.group(1))))
    return bodies


WAIT_DEADLINE = 30.0  # guard against hangs only; never asserted as latency


def wait_until(pred, describe, timeout=WAIT_DEADLINE, interval=0.05):
    """Poll pred() until truthy; fail with describe() after the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = pred()
        if value:
            return value
        if time.monotonic() >= deadline:
            pytest.fail("condition not met within %.0fs: %s" % (timeout, describe()),
                        pytrace=False)
        time.sleep(interval)


@pytest.fixture(scope="module")
def dovecot():
    """One real Dovecot (imap_peer.py) per module; every test makes its own
    IMAP users."""
    from imap_peer import DovecotPeer, find_dovecot
    binary = find_dovecot()
    if binary is None:
        pytest.fail("dovecot is not installed (Debian package dovecot-imapd)", pytrace=False)
    d = DovecotPeer(binary).start()
    yield d
    d.stop()


@pytest.fixture
def peer():
    """A real SMTP server (aiosmtpd) on loopback; see smtp_peer.py."""
    from smtp_peer import SmtpPeer
    p = SmtpPeer().start()
    yield p
    p.stop()


def bulk(srv, campaign_id, leads):
    """Enrolls `leads` and asserts every row was accepted."""
    r = srv.post("/v1/campaigns/%s/leads/bulk" % campaign_id, {"leads": leads})
    assert r.status_code == 200, r.text
    d = r.json()["data"]
    assert d["errors"] == [], d
    return d


def start(srv, campaign_id):
    r = srv.post("/v1/campaigns/%s/start" % campaign_id)
    assert r.status_code == 200, r.text
    assert r.json()["data"]["status"] == "running", r.text


@pytest.fixture
def receivers():
    """Factory for webhook receivers (webhook_receiver.py); all are stopped
    (hanging requests released) at teardown, before servers from make_server."""
    from webhook_receiver import WebhookReceiver
    made = []

    def _make(**kw):
        r = WebhookReceiver(**kw).start()
        made.append(r)
        return r

    yield _make
    for r in made:
        r.stop()
