"""DKIM through the real binary: register a key (generated, or the caller's
PEM), get the DNS record to publish, and every message from a mailbox at that
domain arrives signed — checked by Debian's python3-dkim (an independent
verifier) against the published record, including the List-Unsubscribe
headers. Bad input, other workspaces, rotation and deletion."""

import email
import subprocess

import dkim
import pytest

from conftest import assert_error, bulk, start, step, wait_until


def create_key(srv, key="default", **body):
    r = srv.post("/v1/dkim-keys", body, key=key)
    assert r.status_code == 201, r.text
    return r.json()["data"]


def verify(raw, records):
    """python3-dkim's verdict, with DNS answered from `records` only."""
    def dnsfunc(name, timeout=5):
        name = name.decode() if isinstance(name, bytes) else name
        value = records.get(name.rstrip("."))
        return value.encode() if value else None
    try:
        return dkim.DKIM(raw).verify(dnsfunc=dnsfunc)
    except dkim.DKIMException:
        return False


def signature_tags(raw):
    value = email.message_from_bytes(raw)["DKIM-Signature"]
    text = "".join(value.split())
    return dict(t.split("=", 1) for t in text.split(";") if "=" in t)


@pytest.mark.parametrize("body,param", [
    ({}, "domain"),
    ({"domain": "no spaces.com"}, "domain"),
    ({"domain": "localhost"}, "domain"),
    ({"domain": "a@b.com"}, "domain"),
    ({"domain": "example.com", "selector": "bad selector"}, "selector"),
    ({"domain": "example.com", "selector": "-x"}, "selector"),
    ({"domain": "example.com", "privateKey": "not a key"}, "privateKey"),
    ({"domain": "example.com", "privateKey": "-----BEGIN PRIVATE KEY-----\nAAAA\n"
      "-----END PRIVATE KEY-----\n"}, "privateKey"),
    ({"domain": "example.com", "privateKey": 42}, "privateKey"),
    ({"domain": "example.com", "extra": 1}, "extra"),
    ({"domain": "example.com", "active": "yes"}, "active"),
])
def test_validation_writes_nothing(server, ws, body, param):
    assert_error(server.post("/v1/dkim-keys", body, key=ws), 400, "invalid_request", param)
    assert server.list_all("/v1/dkim-keys", key=ws) == []


def test_generated_key_record_and_isolation(server, ws, other_ws):
    k = create_key(server, key=ws, domain="Mail.Northwind.Example")
    assert k["id"].startswith("dkim_") and k["domain"] == "mail.northwind.example"
    assert k["selector"] == "leadterra"
    assert k["dnsRecord"] == {"type": "TXT", "name": "leadterra._domainkey.mail.northwind.example",
                              "value": "v=DKIM1; k=rsa; p=" + k["publicKey"]}
    assert "privateKey" not in k and k["active"] is True
    # 2048-bit RSA: the DER SubjectPublicKeyInfo is 294 bytes.
    import base64
    assert len(base64.b64decode(k["publicKey"])) == 294
    assert server.get("/v1/dkim-keys/" + k["id"], key=ws).json()["data"] == k
    assert [x["id"] for x in server.list_all("/v1/dkim-keys", key=ws)] == [k["id"]]
    # Same selector twice for one domain is a conflict; another selector is fine.
    assert_error(server.post("/v1/dkim-keys", {"domain": "mail.northwind.example"}, key=ws),
                 409, "invalid_state", check_param=False)
    _, other_key = other_ws
    assert_error(server.get("/v1/dkim-keys/" + k["id"], key=other_key), 404, "not_found")
    assert_error(server.delete("/v1/dkim-keys/" + k["id"], key=other_key), 404, "not_found")
    assert server.list_all("/v1/dkim-keys", key=other_key) == []
    r = server.delete("/v1/dkim-keys/" + k["id"], key=ws)
    assert r.status_code == 200 and r.json()["data"] == {"id": k["id"], "deleted": True}
    assert_error(server.get("/v1/dkim-keys/" + k["id"], key=ws), 404, "not_found")


def send_one(srv, peer, email, subject="Hi {{firstName}}"):
    camp = srv.create_campaign("DKIM " + email, [step(subject, "<p>Hello {{firstName}}</p>")])
    bulk(srv, camp["id"], [{"email": email, "firstName": "Zoë"}])
    before = len(peer.snapshot())
    start(srv, camp["id"])
    wait_until(lambda: len(peer.snapshot()) > before, lambda: "no message")
    return peer.snapshot()[-1]["raw"]


def test_messages_are_signed_and_verify(make_server, peer, tmp_path):
    srv = make_server("--rate-limit", "0", "--public-url", "https://mail.northwind.example")
    assert srv.post("/v1/mailboxes", peer.mailbox_body("sam@sender.test")).status_code == 201
    k = create_key(srv, domain="sender.test", selector="s2026")
    records = {k["dnsRecord"]["name"]: k["dnsRecord"]["value"]}

    raw = send_one(srv, peer, "zoe@lead.test", subject="Quick question, {{firstName}} ✓")
    assert raw.startswith(b"DKIM-Signature:"), raw[:200]
    assert verify(raw, records), "python3-dkim rejected the signature"
    tags = signature_tags(raw)
    assert tags["a"] == "rsa-sha256" and tags["c"] == "relaxed/relaxed"
    assert tags["d"] == "sender.test" and tags["s"] == "s2026"
    signed = {h.strip().lower() for h in tags["h"].split(":")}
    assert {"from", "to", "subject", "date", "message-id", "list-unsubscribe",
            "list-unsubscribe-post"} <= signed, signed
    # Any change breaks it: the verifier is not just saying yes.
    assert not verify(raw + b"P.S. added on the way\r\n", records)
    assert not verify(raw.replace(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click",
                                  b"List-Unsubscribe-Post: List-Unsubscribe=Two-Click"), records)
    other = dict(records)
    other[k["dnsRecord"]["name"]] = "v=DKIM1; k=rsa; p=" + create_key(
        srv, domain="elsewhere.test")["publicKey"]
    assert not verify(raw, other)

    # Rotation: a key uploaded as PEM (made with openssl) under a new selector,
    # created inactive, does not sign until activated; then, as the newest
    # active key of the domain, it does.
    pem_path = tmp_path / "key.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(pem_path), "2048"], check=True,
                   capture_output=True)
    k2 = create_key(srv, domain="sender.test", selector="s2027", privateKey=pem_path.read_text(),
                    active=False)
    assert k2["active"] is False
    raw = send_one(srv, peer, "cat@lead.test")
    assert signature_tags(raw)["s"] == "s2026" and verify(raw, records)
    assert_error(srv.patch("/v1/dkim-keys/" + k2["id"], {}), 400, "invalid_request", "active")
    assert_error(srv.patch("/v1/dkim-keys/dkim_01hx7e4q6c9d2e5f8g1h4j7k0m", {"active": True}),
                 404, "not_found")
    r = srv.patch("/v1/dkim-keys/" + k2["id"], {"active": True})
    assert r.status_code == 200 and r.json()["data"]["active"] is True, r.text
    records[k2["dnsRecord"]["name"]] = k2["dnsRecord"]["value"]
    raw = send_one(srv, peer, "amy@lead.test")
    assert signature_tags(raw)["s"] == "s2027" and verify(raw, records)

    # With no key left for the domain, mail goes out unsigned.
    for key in (k, k2):
        assert srv.delete("/v1/dkim-keys/" + key["id"]).status_code == 200
    raw = send_one(srv, peer, "bob@lead.test")
    assert b"DKIM-Signature" not in raw.split(b"\r\n\r\n", 1)[0]
