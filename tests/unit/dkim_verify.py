#!/usr/bin/python3
"""Independent DKIM check for the unit tests, using Debian's python3-dkim.

Usage: dkim_verify.py MESSAGE_FILE PUBLIC_KEY_BASE64

Verifies the first DKIM-Signature of the message in MESSAGE_FILE (raw bytes,
CRLF line endings) against a TXT record "v=DKIM1; k=rsa; p=PUBLIC_KEY_BASE64"
served for any DNS name (no network access). Exit status 0 when the signature
is valid, 1 when it is not, 2 on usage or environment errors; the reason is
printed either way.
"""

import sys


def main(argv):
    if len(argv) != 3:
        print("usage: dkim_verify.py MESSAGE_FILE PUBLIC_KEY_BASE64", file=sys.stderr)
        return 2
    try:
        import dkim
    except ImportError as e:
        print("python3-dkim is not available: %s" % e, file=sys.stderr)
        return 2

    with open(argv[1], "rb") as f:
        message = f.read()
    record = b"v=DKIM1; k=rsa; p=" + argv[2].strip().encode("ascii")

    def dnsfunc(name, timeout=5):
        return record

    verifier = dkim.DKIM(message)
    try:
        ok = verifier.verify(dnsfunc=dnsfunc)
    except dkim.DKIMException as e:
        print("invalid: %s" % e)
        return 1
    if ok:
        print("valid")
        return 0
    reason = "signature verification failed"
    if getattr(verifier, "signature_fields", None):
        fields = verifier.signature_fields
        if fields.get(b"bh") is not None:
            reason += " (signature bh=%s)" % fields[b"bh"].decode("ascii", "replace")
    print("invalid: %s" % reason)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
