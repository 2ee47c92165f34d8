"""A real HTTP endpoint for webhook tests (http.server on loopback, random port).

The receiver records every request it gets (path, headers, raw body bytes,
parsed JSON, time of arrival, the status it answered) and answers according
to a mode that a test may switch at any moment:

  "ok"          answer `ok_status` (204 by default, or 200 with a small body)
  "fail"        answer 503
  "hang"        answer nothing until released (by leaving "hang" mode or by
                stop()), then 503; so a hung request never counts as delivered
  "fail_first"  answer 503 to the next N requests, then behave as "ok"

`delay` (seconds) is slept before every non-hanging answer, to make the
endpoint slow-ish; stop() cuts it short.

verify() checks a `Leadterra-Signature` header on its own, with Python's
hmac/hashlib, so the tests do not trust the server's idea of the scheme.
"""

import hashlib
import hmac
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from requests.structures import CaseInsensitiveDict

MODES = ("ok", "fail", "hang", "fail_first")


class Received:
    """One request as the receiver saw it."""

    def __init__(self, index, method, path, headers, body):
        self.index = index
        self.method = method
        self.path = path
        self.headers = headers            # CaseInsensitiveDict
        self.body = body                  # raw bytes, exactly as received
        try:
            self.json = json.loads(body.decode("utf-8")) if body else None
        except (UnicodeDecodeError, ValueError):
            self.json = None
        self.received_at = time.time()
        self.received_mono = time.monotonic()
        self.mode = None                  # mode that decided the answer
        self.status = None                # status we (tried to) answer
        self.answered = False             # True once the whole answer was written
        self.hanging = False              # currently held in "hang" mode
        self.error = None                 # write error, if the client had gone

    @property
    def event_id(self):
        return self.headers.get("Leadterra-Event-Id")

    @property
    def event_type(self):
        return self.json.get("type") if isinstance(self.json, dict) else None

    @property
    def ok(self):
        """Answered 2xx and the answer reached the socket."""
        return self.answered and self.status is not None and 200 <= self.status < 300

    def __repr__(self):
        return "Received(#%d %s %s event=%s type=%s status=%r answered=%r mode=%s)" % (
            self.index, self.method, self.path, self.event_id, self.event_type, self.status,
            self.answered, self.mode)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False   # stop() must not wait for idle keep-alive connections
    allow_reuse_address = True


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60  # an idle keep-alive connection is dropped after this long

    def setup(self):
        super().setup()
        self.server.receiver._track(self.connection, True)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.receiver._track(self.connection, False)

    def log_message(self, fmt, *args):  # keep pytest output clean
        pass

    def _read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks = []
            while True:
                line = self.rfile.readline(65537)
                if not line:
                    break
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    # trailers until the empty line
                    while True:
                        t = self.rfile.readline(65537)
                        if not t or t in (b"\r\n", b"\n"):
                            break
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)  # CRLF after the chunk
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def _handle(self):
        body = self._read_body()
        headers = CaseInsensitiveDict()
        for k, v in self.headers.items():
            headers[k] = v
        self.server.receiver._serve(self, self.command, self.path, headers, body)

    do_POST = _handle
    do_PUT = _handle
    do_GET = _handle
    do_DELETE = _handle
    do_PATCH = _handle

    def answer(self, status):
        if status == 204:
            payload = b""
        elif 200 <= status < 300:
            payload = b'{"ok":true}'
        else:
            payload = b'{"error":"unavailable"}'
        self.send_response(status)
        if status != 204:
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload:
            self.wfile.write(payload)
        self.wfile.flush()


class WebhookReceiver:
    def __init__(self, mode="ok", ok_status=204, delay=0.0, hang_seconds=120.0, path="/hooks"):
        assert mode in MODES, mode
        self.ok_status = ok_status
        self.delay = delay
        self.hang_seconds = hang_seconds
        self.default_path = path
        self._lock = threading.Lock()
        self._mode = mode
        self._fail_left = 0
        self._hang_release = threading.Event()
        self._stopping = threading.Event()
        self._records = []
        self._conns = set()
        self._httpd = None
        self._thread = None
        self.port = None

    # -- lifecycle -----------------------------------------------------------
    def start(self):
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.receiver = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Release hanging handlers, stop accepting, drop open connections."""
        if self._httpd is None:
            return
        self._stopping.set()
        with self._lock:
            self._hang_release.set()
            conns = list(self._conns)
        self._httpd.shutdown()
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._httpd.server_close()
        self._thread.join(timeout=5)
        self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def base_url(self):
        return "http://127.0.0.1:%d" % self.port

    @property
    def url(self):
        return self.base_url + self.default_path

    def url_for(self, path):
        if not path.startswith("/"):
            path = "/" + path
        return self.base_url + path

    # -- behaviour switches ----------------------------------------------------
    @property
    def mode(self):
        with self._lock:
            return self._mode

    def set_mode(self, mode, n=0):
        """Switch behaviour now. Leaving "hang" releases every hanging request
        (they answer 503). "fail_first" takes the number of requests to fail."""
        assert mode in MODES, mode
        with self._lock:
            if self._mode == "hang" and mode != "hang":
                self._hang_release.set()
            if mode == "hang" and self._mode != "hang":
                self._hang_release = threading.Event()  # a fresh generation
            self._mode = mode
            self._fail_left = n if mode == "fail_first" else 0

    def fail_first(self, n):
        self.set_mode("fail_first", n)

    def release(self):
        """Release hanging requests without leaving "hang" mode for new ones."""
        with self._lock:
            self._hang_release.set()
            self._hang_release = threading.Event()

    # -- request handling (called on handler threads) ---------------------------
    def _track(self, conn, add):
        with self._lock:
            if add:
                self._conns.add(conn)
            else:
                self._conns.discard(conn)

    def _decide(self, rec):
        with self._lock:
            mode = self._mode
            rec.mode = mode
            if mode == "ok":
                return self.ok_status, None
            if mode == "fail":
                return 503, None
            if mode == "fail_first":
                if self._fail_left > 0:
                    self._fail_left -= 1
                    return 503, None
                return self.ok_status, None
            rec.hanging = True
            return None, self._hang_release

    def _serve(self, handler, method, path, headers, body):
        with self._lock:
            rec = Received(len(self._records), method, path, headers, body)
            self._records.append(rec)
        status, hang = self._decide(rec)
        if hang is not None:
            hang.wait(self.hang_seconds)
            with self._lock:
                rec.hanging = False
            status = 503
        elif self.delay > 0:
            self._stopping.wait(self.delay)
        rec.status = status
        try:
            handler.answer(status)
            rec.answered = True
        except OSError as e:  # the client gave up (timeout, kill -9): not delivered
            rec.error = repr(e)
            handler.close_connection = True

    # -- inspection -------------------------------------------------------------
    def requests(self, path=None, event_id=None, type=None):
        with self._lock:
            out = list(self._records)
        if path is not None:
            out = [r for r in out if r.path == path]
        if event_id is not None:
            out = [r for r in out if r.event_id == event_id]
        if type is not None:
            out = [r for r in out if r.event_type == type]
        return out

    def successes(self, path=None, type=None, event_id=None):
        """Requests answered 2xx (duplicates included: delivery is at-least-once)."""
        return [r for r in self.requests(path=path, event_id=event_id, type=type) if r.ok]

    def events(self, type=None, path=None):
        """Parsed bodies of successfully answered requests, in arrival order."""
        return [r.json for r in self.successes(path=path, type=type)]

    def event_ids(self, type=None, path=None):
        """Distinct event ids among successfully answered requests."""
        return {e["id"] for e in self.events(type=type, path=path)
                if isinstance(e, dict) and "id" in e}

    def hanging(self, path=None):
        """Requests currently held in "hang" mode."""
        return [r for r in self.requests(path=path) if r.hanging]

    def wait_for(self, predicate, timeout=30.0, describe=None, interval=0.05):
        """Poll predicate() until truthy (returned); AssertionError after timeout.

        The timeout only guards against hangs; it is never a latency claim."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() >= deadline:
                what = describe() if callable(describe) else (describe or "")
                raise AssertionError("receiver: condition not met within %.0fs: %s; requests=%r"
                                     % (timeout, what, self.requests()[-20:]))
            time.sleep(interval)

    # -- signatures ---------------------------------------------------------------
    @staticmethod
    def parse_signature(value):
        """`t=<unix>,v1=<hex>[,v1=...]` -> (t string, [v1 hex...]) or None if malformed."""
        if not isinstance(value, str) or not value:
            return None
        t, v1 = None, []
        for part in value.split(","):
            k, sep, v = part.strip().partition("=")
            if not sep:
                return None
            if k == "t":
                if t is not None:
                    return None
                t = v
            elif k == "v1":
                v1.append(v)
        if t is None or not t.isdigit() or not v1:
            return None
        return t, v1

    @staticmethod
    def sign(secret, t, body):
        return hmac.new(secret.encode("utf-8"), str(t).encode("ascii") + b"." + body,
                        hashlib.sha256).hexdigest()

    @staticmethod
    def verify(secret, headers, body):
        """True iff headers' Leadterra-Signature is a valid HMAC-SHA256 of body
        under `secret` (the whole "whsec_..." string, UTF-8)."""
        value = headers.get("Leadterra-Signature")
        if value is None:  # plain dicts are case-sensitive
            for k, v in headers.items():
                if k.lower() == "leadterra-signature":
                    value = v
        parsed = WebhookReceiver.parse_signature(value)
        if parsed is None:
            return False
        t, candidates = parsed
        want = hmac.new(secret.encode("utf-8"), ("%s." % t).encode("ascii") + body,
                        hashlib.sha256).hexdigest()
        return any(hmac.compare_digest(want, c.strip().lower()) for c in candidates)
