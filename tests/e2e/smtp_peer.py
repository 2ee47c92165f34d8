"""A real SMTP server for tests (aiosmtpd on loopback, random port).

Per recipient it accepts, defers (451) or rejects (550): addresses whose local
part starts with "defer" get 451 at RCPT, "reject" gets 550 at RCPT, and
"dataerr" gets 554 after DATA. Every accepted message is recorded with its
envelope and parsed with Python's email package. AUTH PLAIN/LOGIN is offered
without TLS and accepts USER/PASSWORD below.
"""

import collections
import email
import email.policy
import socket
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "sender@leadterra.test"
PASSWORD = "s3cret-pw"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def count_steps(messages, step_re):
    """For messages from SmtpPeer.snapshot(): how many copies each
    (recipient, step) received and how many each sender sent; the step is the
    first group of step_re in the HTML body."""
    received, per_sender = collections.Counter(), collections.Counter()
    for m in messages:
        html = m["msg"].get_body(preferencelist=("html",)).get_content()
        step = int(step_re.search(html).group(1))
        per_sender[m["from"].lower()] += 1
        for rcpt in m["to"]:
            received[(rcpt.lower(), step)] += 1
    return received, per_sender


def assert_each_step_once(received, expected, stats):
    """No (recipient, step) arrived twice, and each one of `expected` that
    never arrived is counted `unknown` in the campaign's stats (it was on the
    wire when its sender died, and is never resent). Returns those missing."""
    duplicates = {k: v for k, v in received.items() if v > 1}
    assert not duplicates, "sent twice: %r" % sorted(duplicates)[:10]
    missing = expected - set(received)
    assert len(missing) <= stats["unknown"], (len(missing), stats)
    return missing


class _Handler:
    def __init__(self, peer):
        self.peer = peer

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0].lower()
        with self.peer.lock:
            self.peer.attempts.append(address)
        if local.startswith("defer") or address.lower() in self.peer.defer:
            return "451 4.7.1 Try again later"
        if local.startswith("reject"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(r.split("@")[0].lower().startswith("dataerr") for r in envelope.rcpt_tos):
            return "554 5.7.1 Message rejected as spam"
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        with self.peer.lock:
            self.peer.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                                       "raw": raw, "msg": msg, "at": time.monotonic()})
        return "250 2.0.0 Message accepted"


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USER \
        and auth_data.password.decode() == PASSWORD
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535


class SmtpPeer:
    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []
        self.attempts = []
        self.defer = set()
        self.port = free_port()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port,
                                     authenticator=_authenticator, auth_require_tls=False,
                                     decode_data=False)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    def snapshot(self):
        with self.lock:
            return list(self.messages)

    def mailbox_body(self, email_address="sales@sender.test", daily_limit=1000, **extra):
        body = {"email": email_address, "fromName": "Sam Sender",
                "smtp": {"host": "127.0.0.1", "port": self.port, "username": USER,
                         "password": PASSWORD, "security": "none"},
                "dailyLimit": daily_limit}
        body.update(extra)
        return body
