"""A real IMAP server for tests (Dovecot on loopback, random port), and
builders for the inbound mail a sending mailbox really receives.

DovecotPeer runs Debian's dovecot-imapd as root with a private config in a
temporary directory (the layout of the team's Dovecot test recipe, kept
beside the checkout in shared/recipes/dovecot-test.conf): plain-text
passwords from a passwd-file, maildirs owned by uid/gid 65534, one IMAP
listener on 127.0.0.1. Messages are put into a user's INBOX with IMAP APPEND
(imaplib), exactly as any IMAP client would; flags are read back with
EXAMINE (read-only), which never changes them.

The message builders return bytes with CRLF line endings, laid out like the
real thing: a Gmail-style reply (multipart/alternative, quoted-printable, the
original quoted below), out-of-office answers as Gmail, Exchange, cPanel and
vacation(1) send them, Postfix bounce(8) non-delivery and delay reports and
Gmail's mailer-daemon report (RFC 3464 multipart/report).
"""

import base64
import datetime
import email.header
import email.utils
import imaplib
import os
import quopri
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid

DOVECOT_CANDIDATES = ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot")
NOBODY = 65534

_CONF = """\
base_dir = @DIR@/run
state_dir = @DIR@/run
log_path = @DIR@/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:@DIR@/mail/%u
default_login_user = dovenull
default_internal_user = dovecot
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u @DIR@/users
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=@DIR@/mail/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    port = @PORT@
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def find_dovecot():
    found = shutil.which("dovecot")
    if found:
        return found
    for c in DOVECOT_CANDIDATES:
        if os.path.exists(c):
            return c
    return None


def _pid_alive(pid):
    """True while pid exists and is not a zombie (a zombie is as good as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    except (OSError, IndexError):
        return False


class DovecotPeer:
    """One private Dovecot instance. start() returns self; stop() is idempotent
    and removes the temporary directory."""

    def __init__(self, binary=None):
        self.binary = binary or find_dovecot()
        self.dir = None
        self.port = None
        self.pid = None
        self.users = {}

    # -- lifecycle ---------------------------------------------------------
    def start(self, timeout=20.0):
        if not self.binary:
            raise RuntimeError("dovecot not found (Debian package dovecot-imapd)")
        self.dir = tempfile.mkdtemp(prefix="leadterra-dovecot-")
        os.chmod(self.dir, 0o755)
        try:
            mail = os.path.join(self.dir, "mail")
            os.mkdir(mail)
            os.chown(mail, NOBODY, NOBODY)
            self._write_users()
            last = None
            for _ in range(3):  # the free port may be taken in between: retry
                self.port = free_port()
                conf = os.path.join(self.dir, "dovecot.conf")
                with open(conf, "w") as f:
                    f.write(_CONF.replace("@DIR@", self.dir).replace("@PORT@", str(self.port)))
                # The daemon inherits stdout/stderr: give it a file, not a pipe
                # (a pipe would stay open for as long as Dovecot runs).
                out_path = os.path.join(self.dir, "start.out")
                with open(out_path, "w+") as out:
                    proc = subprocess.run([self.binary, "-c", conf], stdout=out,
                                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                          timeout=timeout)
                    out.seek(0)
                    output = out.read()
                if proc.returncode == 0:
                    self._wait_ready(timeout)
                    return self
                last = "rc=%d output=%r log=%r" % (proc.returncode, output, self.log()[-2000:])
                self._kill_master()
            raise RuntimeError("dovecot did not start: %s" % last)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
                    greeting = s.recv(200)
                    if greeting.startswith(b"* OK"):
                        self.pid = self._read_pid()
                        return
                    last = greeting
            except OSError as e:
                last = e
            time.sleep(0.05)
        raise RuntimeError("dovecot never answered on port %s: %r; log=%r"
                           % (self.port, last, self.log()[-2000:]))

    def _read_pid(self):
        try:
            with open(os.path.join(self.dir, "run", "master.pid")) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def _kill_master(self, timeout=10.0):
        pid = self._read_pid() if self.dir else None
        pid = pid or self.pid
        if not pid:
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while _pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _pid_alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + 5
            while _pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.05)
        self.pid = None

    def stop(self):
        if self.dir is None:
            return
        try:
            self._kill_master()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def log(self):
        try:
            with open(os.path.join(self.dir, "dovecot.log"), "rb") as f:
                return f.read().decode("utf-8", "replace")
        except (OSError, TypeError):
            return ""

    # -- users -------------------------------------------------------------
    def _write_users(self):
        path = os.path.join(self.dir, "users")
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            for user, pw in self.users.items():
                f.write("%s:{PLAIN}%s\n" % (user, pw))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)  # passwd-file is re-read when it changes

    def add_user(self, user, password):
        assert ":" not in user and "\n" not in user and ":" not in password, (user, password)
        self.users[user] = password
        self._write_users()
        # Dovecot notices a changed passwd-file by its mtime (1 s resolution on
        # some filesystems): log in once so the user is known before returning.
        deadline = time.monotonic() + 10
        while True:
            try:
                c = self._connect(user)
                c.logout()
                return user
            except imaplib.IMAP4.error:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.2)
                os.utime(os.path.join(self.dir, "users"))

    def new_user(self, tag="u"):
        """A fresh user with a random password: (username, password)."""
        user = "%s-%s@imap.test" % (tag, uuid.uuid4().hex[:8])
        pw = "pw-%s" % uuid.uuid4().hex[:12]
        self.add_user(user, pw)
        return user, pw

    def mailbox_imap(self, user, password=None, poll=1):
        """The mailbox `imap` object for the Leadterra API."""
        return {"host": "127.0.0.1", "port": self.port, "username": user,
                "password": self.users[user] if password is None else password,
                "security": "none", "pollIntervalSeconds": poll}

    # -- IMAP access ---------------------------------------------------------
    def _connect(self, user):
        c = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        try:
            c.login(user, self.users[user])
        except BaseException:
            try:
                c.shutdown()
            except OSError:
                pass
            raise
        return c

    def deliver(self, user, raw, flags=None, when=None, folder="INBOX"):
        """APPEND raw bytes to the user's folder; returns the new UID.

        flags: e.g. "\\Seen"; when: INTERNALDATE (unix time), default now."""
        c = self._connect(user)
        try:
            flag_arg = "(%s)" % flags if flags else None
            date_arg = imaplib.Time2Internaldate(when) if when is not None else None
            typ, data = c.append(folder, flag_arg, date_arg, raw)
            assert typ == "OK", (typ, data)
            text = b" ".join(d for d in data if isinstance(d, bytes)).decode("ascii", "replace")
            m = re.search(r"APPENDUID \d+ (\d+)", text)
            if m:
                return int(m.group(1))
            c.select(folder, readonly=True)
            typ, data = c.uid("SEARCH", None, "ALL")
            return max(int(x) for x in data[0].split())
        finally:
            c.logout()

    def uids(self, user, folder="INBOX", criteria="ALL"):
        c = self._connect(user)
        try:
            typ, data = c.select(folder, readonly=True)
            assert typ == "OK", (typ, data)
            typ, data = c.uid("SEARCH", None, criteria)
            assert typ == "OK", (typ, data)
            return [int(x) for x in data[0].split()]
        finally:
            c.logout()

    def count(self, user, folder="INBOX"):
        return len(self.uids(user, folder))

    def unseen_count(self, user, folder="INBOX"):
        return len(self.uids(user, folder, "UNSEEN"))

    def flags(self, user, uid, folder="INBOX"):
        """The set of flags of one message, read with EXAMINE (changes nothing)."""
        c = self._connect(user)
        try:
            typ, data = c.select(folder, readonly=True)
            assert typ == "OK", (typ, data)
            typ, data = c.uid("FETCH", str(uid), "(FLAGS)")
            assert typ == "OK", (typ, data)
            for item in data:
                line = item[0] if isinstance(item, tuple) else item
                if not isinstance(line, bytes):
                    continue
                m = re.search(rb"FLAGS \(([^)]*)\)", line)
                if m:
                    return set(m.group(1).decode().split())
            raise AssertionError("no FLAGS for UID %s: %r" % (uid, data))
        finally:
            c.logout()


# ==========================================================================
# Message builders
# ==========================================================================

def _crlf(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b"\r\n")


def _date(ts=None):
    dt = datetime.datetime.fromtimestamp(time.time() if ts is None else ts,
                                         datetime.timezone.utc)
    return email.utils.format_datetime(dt)  # "Tue, 14 Jan 2025 10:00:02 +0000"


def _msgid(domain):
    return "<%s@%s>" % (uuid.uuid4().hex.upper(), domain)


def _gmail_msgid():
    return "<CA%s%s@mail.gmail.com>" % (
        base64.b64encode(os.urandom(30)).decode().replace("/", "-").replace("+", "_")[:40],
        "=%s" % uuid.uuid4().hex[:6])


def _boundary(prefix="000000000000"):
    return prefix + uuid.uuid4().hex[:16]


def _addr(addr, name=None):
    if not name:
        return addr
    return email.utils.formataddr((name, addr), charset="utf-8")


def _domain(addr):
    return email.utils.parseaddr(addr)[1].rsplit("@", 1)[-1] or "example.test"


def _subject(text):
    try:
        text.encode("ascii")
        return text
    except UnicodeEncodeError:
        return email.header.Header(text, "utf-8").encode()


def _qp(text):
    """UTF-8 quoted-printable body with CRLF hard line breaks."""
    text = text.replace("\r\n", "\n")
    return quopri.encodestring(text.encode("utf-8")).decode("ascii")


def _ids(value):
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    return list(value)


def headers_of(raw):
    """The header block (str, LF-joined) of a raw message, without the blank line."""
    raw = _crlf(raw)
    head = raw.split(b"\r\n\r\n", 1)[0]
    return head.decode("utf-8", "replace").replace("\r\n", "\n")


def _join(headers, body):
    lines = []
    for name, value in headers:
        if value is None:
            continue
        lines.append("%s: %s" % (name, value))
    return _crlf("\n".join(lines) + "\n\n" + body)


def reply(from_addr, to_addr, subject, in_reply_to, references=None,
          body="Thanks Sam \u2014 happy to chat next week. Tuesday at 10 works for me.",
          from_name=None, to_name="Sam Sender", quoted=None, message_id=None, date=None,
          extra_headers=()):
    """A reply as Gmail writes it: multipart/alternative, UTF-8 quoted-printable,
    the original quoted under an attribution line.

    in_reply_to: "<id>" or None (header omitted). references: list/str of ids;
    default: [in_reply_to] when in_reply_to is given, else no header."""
    if references is None:
        references = [in_reply_to] if in_reply_to else []
    refs = _ids(references)
    message_id = message_id or _gmail_msgid()
    date = date or _date()
    quoted = quoted if quoted is not None else (
        "Hi,\n\nI noticed your team is hiring SDRs and wanted to share how we help with "
        "outbound.\nWorth a quick call?\n\nSam")
    attribution = "On %s, %s wrote:" % (date.rsplit(" ", 1)[0], _addr(to_addr, to_name))
    quoted_text = "\n".join("> " + l if l else ">" for l in quoted.split("\n"))
    text = "%s\n\n%s\n%s\n" % (body, attribution, quoted_text)
    html_body = "".join("<div>%s</div>" % (l or "<br>") for l in body.split("\n"))
    html = ('<div dir="ltr">%s</div><br><div class="gmail_quote"><div dir="ltr" '
            'class="gmail_attr">%s<br></div><blockquote class="gmail_quote" style="margin:0px '
            '0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">%s'
            '</blockquote></div>\n' % (
                html_body, attribution.replace("<", "&lt;").replace(">", "&gt;"),
                quoted.replace("\n", "<br>")))
    b = _boundary()
    parts = ("--%s\nContent-Type: text/plain; charset=\"UTF-8\"\n"
             "Content-Transfer-Encoding: quoted-printable\n\n%s\n"
             "--%s\nContent-Type: text/html; charset=\"UTF-8\"\n"
             "Content-Transfer-Encoding: quoted-printable\n\n%s\n--%s--\n"
             % (b, _qp(text), b, _qp(html), b))
    headers = [
        ("Received", "from mail-sor-f41.google.com (mail-sor-f41.google.com [209.85.220.41])\n"
                     "        by mx.%s with ESMTPS id a1si123456qkb.42.2025.01.14\n"
                     "        for <%s>; %s" % (_domain(to_addr), to_addr, date)),
        ("MIME-Version", "1.0"),
        ("References", " ".join(refs) if refs else None),
        ("In-Reply-To", in_reply_to),
        ("From", _addr(from_addr, from_name)),
        ("Date", date),
        ("Message-ID", message_id),
        ("Subject", _subject(subject)),
        ("To", _addr(to_addr, to_name)),
    ]
    headers += list(extra_headers)
    headers.append(("Content-Type", 'multipart/alternative; boundary="%s"' % b))
    return _join(headers, parts)


OOO_VARIANTS = ("auto_submitted", "x_autoreply", "precedence", "automatic_reply",
                "abwesenheitsnotiz")


def out_of_office(from_addr, to_addr, subject, in_reply_to=None, variant="auto_submitted",
                  from_name=None, message_id=None, date=None):
    """An out-of-office answer to a message with `subject`. Each variant carries
    exactly one of the usual signals:

    auto_submitted     Gmail vacation responder: Auto-Submitted: auto-replied,
                       subject "Re: <subject>"
    x_autoreply        cPanel/Exim autoresponder: X-Autoreply: yes, subject "Re: ..."
    precedence         vacation(1): Precedence: auto_reply, subject "Re: ..."
    automatic_reply    Exchange/Outlook: subject "Automatic reply: <subject>", no
                       auto-submitted headers
    abwesenheitsnotiz  German Outlook: subject "Abwesenheitsnotiz: <subject>"
    """
    assert variant in OOO_VARIANTS, variant
    date = date or _date()
    dom = _domain(from_addr)
    message_id = message_id or _msgid(dom)
    text = ("Thank you for your message.\n\nI am out of the office until Monday 20 January "
            "with limited access to email. For urgent matters please contact "
            "office@%s.\n\nBest regards\n" % dom)
    extra = []
    subj = "Re: " + subject
    if variant == "auto_submitted":
        extra = [("Auto-Submitted", "auto-replied")]
    elif variant == "x_autoreply":
        extra = [("X-Autoreply", "yes")]
    elif variant == "precedence":
        extra = [("Precedence", "auto_reply")]
    elif variant == "automatic_reply":
        subj = "Automatic reply: " + subject
        extra = [("Thread-Topic", _subject(subject)),
                 ("Thread-Index", "AQHbZk" + uuid.uuid4().hex[:20]),
                 ("X-MS-Has-Attach", ""),
                 ("X-Auto-Response-Suppress", "All"),
                 ("X-MS-Exchange-Inbox-Rules-Loop", from_addr)]
    elif variant == "abwesenheitsnotiz":
        subj = "Abwesenheitsnotiz: " + subject
        text = ("Vielen Dank f\u00fcr Ihre Nachricht.\n\nIch bin bis einschlie\u00dflich "
                "20. Januar nicht im B\u00fcro.\n\nMit freundlichen Gr\u00fc\u00dfen\n")
        extra = [("Thread-Topic", _subject(subject)),
                 ("X-Auto-Response-Suppress", "All")]
    headers = [
        ("Received", "from mx.%s (mx.%s [203.0.113.7])\n        by mx.%s; %s"
                     % (dom, dom, _domain(to_addr), date)),
        ("From", _addr(from_addr, from_name)),
        ("To", _addr(to_addr, "Sam Sender")),
        ("Subject", _subject(subj)),
        ("Date", date),
        ("Message-ID", message_id),
        ("In-Reply-To", in_reply_to),
        ("References", in_reply_to),
    ] + extra + [
        ("MIME-Version", "1.0"),
        ("Content-Type", 'text/plain; charset="utf-8"'),
        ("Content-Transfer-Encoding", "quoted-printable"),
    ]
    return _join(headers, _qp(text))


# -- delivery status notifications (RFC 3464) --------------------------------

def _postfix_queue_id():
    return uuid.uuid4().hex[:10].upper()



def _postfix_report_headers(reporting_mta, qid, date, subject, mailbox_addr, boundary):
    """The top-level headers of a report written by Postfix's bounce(8)."""
    return [
        ("Return-Path", "<>"),
        ("Received", "by %s (Postfix)\n\tid %s; %s" % (reporting_mta, qid, date)),
        ("Date", date),
        ("From", "MAILER-DAEMON@%s (Mail Delivery System)" % reporting_mta),
        ("Subject", subject),
        ("To", mailbox_addr),
        ("Auto-Submitted", "auto-replied"),
        ("MIME-Version", "1.0"),
        ("Content-Type",
         'multipart/report; report-type=delivery-status;\n\tboundary="%s"' % boundary),
        ("Content-Transfer-Encoding", "8bit"),
        ("Message-Id", "<%s.%s@%s>" % (time.strftime("%Y%m%d%H%M%S", time.gmtime()), qid,
                                       reporting_mta)),
    ]

def postfix_dsn(mailbox_addr, recipient, original_headers, status="5.1.1", action="failed",
                diagnostic=None, final_recipient=None, original_recipient=None,
                reporting_mta="smtp.sender.test", remote_mta=None, date=None):
    """Postfix bounce(8) "Undelivered Mail Returned to Sender": multipart/report
    with the notification, the message/delivery-status and the returned
    headers as text/rfc822-headers."""
    date = date or _date()
    final_recipient = final_recipient or recipient
    original_recipient = original_recipient or recipient
    rdom = _domain(final_recipient)
    remote_mta = remote_mta or "mx.%s" % rdom
    if diagnostic is None:
        diagnostic = ("550 5.1.1 <%s>: Recipient address rejected: User unknown in "
                      "virtual mailbox table" % final_recipient)
    qid = _postfix_queue_id()
    b = "%s.%d/%s" % (qid, int(time.time()), reporting_mta)
    # Postfix folds the diagnostic like any long header line.
    diag_line = _fold("Diagnostic-Code: smtp; " + diagnostic)
    explain_diag = _fold("<%s>: host %s[203.0.113.25] said: %s (in reply to RCPT TO command)"
                         % (final_recipient, remote_mta, diagnostic), indent="    ")
    body = (
        "This is a MIME-encapsulated message.\n\n"
        "--%(b)s\n"
        "Content-Description: Notification\n"
        "Content-Type: text/plain; charset=us-ascii\n\n"
        "This is the mail system at host %(rmta)s.\n\n"
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients. It's attached below.\n\n"
        "For further assistance, please send mail to postmaster.\n\n"
        "If you do so, please include this problem report. You can\n"
        "delete your own text from the attached returned message.\n\n"
        "                   The mail system\n\n"
        "%(explain)s\n\n"
        "--%(b)s\n"
        "Content-Description: Delivery report\n"
        "Content-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; %(rmta)s\n"
        "X-Postfix-Queue-ID: %(qid)s\n"
        "X-Postfix-Sender: rfc822; %(sender)s\n"
        "Arrival-Date: %(date)s\n\n"
        "Final-Recipient: rfc822; %(final)s\n"
        "Original-Recipient: rfc822;%(orig)s\n"
        "Action: %(action)s\n"
        "Status: %(status)s\n"
        "Remote-MTA: dns; %(remote)s\n"
        "%(diag)s\n\n"
        "--%(b)s\n"
        "Content-Description: Undelivered Message Headers\n"
        "Content-Type: text/rfc822-headers\n"
        "Content-Transfer-Encoding: 7bit\n\n"
        "%(orig_headers)s\n\n"
        "--%(b)s--\n"
    ) % {"b": b, "rmta": reporting_mta, "explain": explain_diag, "qid": qid,
         "sender": mailbox_addr, "date": date, "final": final_recipient,
         "orig": original_recipient, "action": action, "status": status,
         "remote": remote_mta, "diag": diag_line,
         "orig_headers": _returned_headers(original_headers, reporting_mta, date,
                                           mailbox_addr, original_recipient)}
    return _join(_postfix_report_headers(reporting_mta, qid, date, "Undelivered Mail Returned to Sender", mailbox_addr, b),
                 body)


def postfix_delay_dsn(mailbox_addr, recipient, original_headers, status="4.4.1",
                      reporting_mta="smtp.sender.test", date=None):
    """Postfix "Delayed Mail (still being retried)": Action: delayed, a 4.x.x
    status and Will-Retry-Until; a warning only."""
    date = date or _date()
    rdom = _domain(recipient)
    qid = _postfix_queue_id()
    b = "%s.%d/%s" % (qid, int(time.time()), reporting_mta)
    retry_until = _date(time.time() + 5 * 86400).replace("+0000", "+0000 (UTC)")
    body = (
        "This is a MIME-encapsulated message.\n\n"
        "--%(b)s\n"
        "Content-Description: Notification\n"
        "Content-Type: text/plain; charset=us-ascii\n\n"
        "This is the mail system at host %(rmta)s.\n\n"
        "####################################################################\n"
        "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n"
        "####################################################################\n\n"
        "Your message could not be delivered for more than 4 hour(s).\n"
        "It will be retried until it is 5 day(s) old.\n\n"
        "For further assistance, please send mail to postmaster.\n\n"
        "If you do so, please include this problem report. You can\n"
        "delete your own text from the attached returned message.\n\n"
        "                   The mail system\n\n"
        "<%(rcpt)s>: connect to mx.%(rdom)s[203.0.113.25]:25: Connection timed out\n\n"
        "--%(b)s\n"
        "Content-Description: Delivery report\n"
        "Content-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; %(rmta)s\n"
        "X-Postfix-Queue-ID: %(qid)s\n"
        "X-Postfix-Sender: rfc822; %(sender)s\n"
        "Arrival-Date: %(date)s\n\n"
        "Final-Recipient: rfc822; %(rcpt)s\n"
        "Original-Recipient: rfc822;%(rcpt)s\n"
        "Action: delayed\n"
        "Status: %(status)s\n"
        "Diagnostic-Code: X-Postfix; connect to mx.%(rdom)s[203.0.113.25]:25: Connection\n"
        "    timed out\n"
        "Will-Retry-Until: %(until)s\n\n"
        "--%(b)s\n"
        "Content-Description: Undelivered Message Headers\n"
        "Content-Type: text/rfc822-headers\n\n"
        "%(orig_headers)s\n\n"
        "--%(b)s--\n"
    ) % {"b": b, "rmta": reporting_mta, "rcpt": recipient, "rdom": rdom, "qid": qid,
         "sender": mailbox_addr, "date": date, "status": status, "until": retry_until,
         "orig_headers": _returned_headers(original_headers, reporting_mta, date,
                                           mailbox_addr, recipient)}
    return _join(_postfix_report_headers(reporting_mta, qid, date, "Delayed Mail (still being retried)", mailbox_addr, b),
                 body)


_PNG_1X1 = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
            "60e6kgAAAABJRU5ErkJggg==")


def gmail_dsn(mailbox_addr, recipient, original_raw, original_message_id=None, date=None):
    """Gmail's "Delivery Status Notification (Failure)" from mailer-daemon:
    multipart/report whose first part is a multipart/related human notice,
    then message/delivery-status, then the whole original as message/rfc822.
    Like Gmail's, it carries In-Reply-To/References to the original."""
    date = date or _date()
    original_raw = _crlf(original_raw).decode("utf-8", "replace").replace("\r\n", "\n")
    if original_message_id is None:
        m = re.search(r"(?im)^Message-ID:\s*(<[^>]+>)", headers_of(original_raw))
        original_message_id = m.group(1) if m else None
    outer, related, alt = _boundary(), _boundary(), _boundary()
    notice = ("\n** Address not found **\n\n"
              "Your message wasn't delivered to %s because the address couldn't be found, or "
              "is unable to receive mail.\n\n"
              "Learn more here: https://support.google.com/mail/?p=NoSuchUser\n\n"
              "The response was:\n\n"
              "The email account that you tried to reach does not exist. Please try "
              "double-checking the recipient's email address for typos or unnecessary "
              "spaces. For more information, go to "
              "https://support.google.com/mail/?p=NoSuchUser\n" % recipient)
    html = ('<html>\n<head>\n<style>\n* {\nfont-family:Roboto, "Helvetica Neue", Helvetica, '
            'Arial, sans-serif;\n}\n</style>\n</head>\n<body>\n<table cellpadding="0" '
            'cellspacing="0" class="email-wrapper" style="padding-top:32px;background-color:'
            '#ffffff;"><tbody>\n<tr><td><img src="cid:icon.png" height="48" width="48">'
            '</td><td>Address not found</td></tr>\n<tr><td>Your message wasn\'t delivered to '
            '<a style="color:#212121;text-decoration:none"><b>%s</b></a> because the address '
            'couldn\'t be found, or is unable to receive mail.</td></tr>\n</tbody></table>\n'
            '</body>\n</html>\n' % recipient)
    diag = ("smtp; 550-5.1.1 The email account that you tried to reach does not exist. "
            "Please try\n 550-5.1.1 double-checking the recipient's email address for "
            "typos or\n 550-5.1.1 unnecessary spaces. For more information, go to\n "
            "550 5.1.1  https://support.google.com/mail/?p=NoSuchUser "
            "41be03b00d2f7-5c9a1b2c3d4si123456a.100 - gsmtp")
    body = (
        "--%(outer)s\n"
        'Content-Type: multipart/related; boundary="%(related)s"\n\n'
        "--%(related)s\n"
        'Content-Type: multipart/alternative; boundary="%(alt)s"\n\n'
        "--%(alt)s\n"
        'Content-Type: text/plain; charset="UTF-8"\n\n'
        "%(notice)s\n"
        "--%(alt)s\n"
        'Content-Type: text/html; charset="UTF-8"\n\n'
        "%(html)s\n"
        "--%(alt)s--\n"
        "--%(related)s\n"
        'Content-Type: image/png; name="icon.png"\n'
        'Content-Disposition: attachment; filename="icon.png"\n'
        "Content-Transfer-Encoding: base64\n"
        "Content-ID: <icon.png>\n\n"
        "%(png)s\n"
        "--%(related)s--\n"
        "--%(outer)s\n"
        "Content-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; googlemail.com\n"
        "Received-From-MTA: dns; %(sender)s\n"
        "Arrival-Date: %(date)s\n"
        "X-Original-Message-ID: %(omid)s\n\n"
        "Final-Recipient: rfc822; %(rcpt)s\n"
        "Action: failed\n"
        "Status: 5.1.1\n"
        "Remote-MTA: dns; gmail-smtp-in.l.google.com. (142.250.27.27, the server for the "
        "domain %(rdom)s.)\n"
        "Diagnostic-Code: %(diag)s\n"
        "Last-Attempt-Date: %(date)s\n\n"
        "--%(outer)s\n"
        "Content-Type: message/rfc822\n\n"
        "%(original)s\n"
        "--%(outer)s--\n"
    ) % {"outer": outer, "related": related, "alt": alt, "notice": notice, "html": html,
         "png": _PNG_1X1, "sender": mailbox_addr, "date": date,
         "omid": original_message_id or "", "rcpt": recipient, "rdom": _domain(recipient),
         "diag": diag, "original": original_raw.rstrip("\n")}
    headers = [
        ("Delivered-To", mailbox_addr),
        ("Received", "by 2002:a05:6a10:9e8a:b0:5b1:2c3d:4e5f with SMTP id "
                     "w10csp123456pxb;\n        %s" % date),
        ("Return-Path", "<>"),
        ("X-Failed-Recipients", recipient),
        ("MIME-Version", "1.0"),
        ("From", "Mail Delivery Subsystem <mailer-daemon@googlemail.com>"),
        ("To", mailbox_addr),
        ("Auto-Submitted", "auto-replied"),
        ("Message-ID", "<%s.050a0220.%s.%s.GMR@mx.google.com>" % (
            uuid.uuid4().hex[:8], uuid.uuid4().hex[:4], uuid.uuid4().hex[:4])),
        ("Date", date),
        ("Subject", "Delivery Status Notification (Failure)"),
        ("References", original_message_id),
        ("In-Reply-To", original_message_id),
        ("X-Gm-Message-State", "AOJu0Yx" + uuid.uuid4().hex),
        ("Content-Type", 'multipart/report; boundary="%s"; report-type=delivery-status'
                         % outer),
    ]
    return _join(headers, body)


def final_recipient_only_dsn(mailbox_addr, recipient, status="5.2.2",
                             diagnostic="552 5.2.2 Mailbox full: quota exceeded",
                             reporting_mta="mail.relay.test", date=None):
    """A non-delivery report that returns nothing of the original (no headers,
    no message): only the Final-Recipient ties it to a lead."""
    date = date or _date()
    b = _boundary("=_report_")
    body = (
        "This is a multi-part message in MIME format.\n\n"
        "--%(b)s\n"
        "Content-Type: text/plain; charset=us-ascii\n\n"
        "Delivery to the following recipient failed permanently:\n\n"
        "    %(rcpt)s\n\n"
        "Technical details of permanent failure:\n"
        "%(diag)s\n\n"
        "--%(b)s\n"
        "Content-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; %(rmta)s\n"
        "Arrival-Date: %(date)s\n\n"
        "Final-Recipient: rfc822; %(rcpt)s\n"
        "Action: failed\n"
        "Status: %(status)s\n"
        "Diagnostic-Code: smtp; %(diag)s\n"
        "Last-Attempt-Date: %(date)s\n\n"
        "--%(b)s--\n"
    ) % {"b": b, "rcpt": recipient, "diag": diagnostic, "rmta": reporting_mta, "date": date,
         "status": status}
    headers = [
        ("Return-Path", "<>"),
        ("Date", date),
        ("From", "Mail Delivery System <MAILER-DAEMON@%s>" % reporting_mta),
        ("To", mailbox_addr),
        ("Subject", "Mail delivery failed: returning message to sender"),
        ("Message-ID", _msgid(reporting_mta)),
        ("Auto-Submitted", "auto-replied"),
        ("MIME-Version", "1.0"),
        ("Content-Type", 'multipart/report; report-type="delivery-status"; boundary="%s"' % b),
    ]
    return _join(headers, body)


def unrelated(from_addr, to_addr, subject="Your invoice #4471 is ready", date=None):
    """Ordinary inbox mail that has nothing to do with any campaign."""
    date = date or _date()
    dom = _domain(from_addr)
    headers = [
        ("From", _addr(from_addr, "Billing")),
        ("To", to_addr),
        ("Subject", subject),
        ("Date", date),
        ("Message-ID", _msgid(dom)),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=us-ascii"),
    ]
    return _join(headers, "Hello,\n\nyour invoice for January is attached to your account.\n")


def _fold(line, width=78, indent="    "):
    """Fold a long header-ish line at spaces, continuation lines indented."""
    words = line.split(" ")
    out, cur = [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            out.append(cur)
            cur = indent + w
        else:
            cur = (cur + " " + w) if cur else w
    out.append(cur)
    return "\n".join(out)


def _returned_headers(original_headers, reporting_mta, date, sender, recipient):
    """The original's headers as the relay saw them: its Received line on top."""
    if isinstance(original_headers, bytes):
        original_headers = headers_of(original_headers)
    original_headers = original_headers.replace("\r\n", "\n").strip("\n")
    if "\n\n" in original_headers:  # a whole message was passed: keep the headers
        original_headers = original_headers.split("\n\n", 1)[0]
    return ("Return-Path: <%s>\nReceived: from leadterra (localhost [127.0.0.1])\n"
            "\tby %s (Postfix) with ESMTPSA id %s\n\tfor <%s>; %s\n%s"
            % (sender, reporting_mta, _postfix_queue_id(), recipient, date,
               original_headers))
