"""A/B variant helpers shared by the end-to-end tests: the assignment rule
computed independently of the server (SPEC §11, domain/ab_test.h), and a
check of what the SMTP peer received against it."""

import hashlib
import re

VARIANT_RE = re.compile(r"variant-([A-Z])\b")


def assigned_index(campaign_id, lead_id, step_number, weights):
    """The variant index the server must give: u = first 8 bytes of
    SHA-256("<campaign>/<lead>/<step>") / 2^64 against cumulative weights."""
    digest = hashlib.sha256(("%s/%s/%d" % (campaign_id, lead_id, step_number)).encode()).hexdigest()
    u = int(digest[:16], 16) / 2.0 ** 64
    total = float(sum(weights))
    upper = 0
    for i, w in enumerate(weights):
        upper += w
        if u * total < upper:
            return i
    return len(weights) - 1


def variant_label(message):
    """The variant-X mark in a received message's text."""
    for part in message["msg"].walk():
        if part.get_content_maintype() == "text":
            found = VARIANT_RE.findall(part.get_content())
            if found:
                return found[0]
    return None


def check_received_variants(messages, lead_ids, campaign_id, step_re, labels, weights,
                            subjects, first_name):
    """Every received step-1 message carries the variant the rule gives its
    lead, and every step-2 message threads under that variant's subject.

    messages: the peer's snapshot; lead_ids: email -> lead id; step_re: the
    step mark; labels/weights/subjects: step 1's variants in order
    (subjects with "%s" for the first name); first_name: email -> name.
    Returns {label: count of step-1 messages}."""
    counts = {label: 0 for label in labels}
    for m in messages:
        email = m["to"][0].lower()
        text = "".join(p.get_content() for p in m["msg"].walk()
                       if p.get_content_maintype() == "text")
        step = int(step_re.search(text).group(1))
        want = assigned_index(campaign_id, lead_ids[email], 1, weights)
        subject = str(m["msg"]["Subject"])
        if step == 1:
            got = variant_label(m)
            assert got == labels[want], (email, got, labels[want])
            assert subject == subjects[want] % first_name[email], (email, subject)
            counts[got] += 1
        else:
            assert subject == "Re: " + subjects[want] % first_name[email], (email, subject)
    return counts


def check_crash_variants(srv, campaign_id, messages, step_re, leads, domain):
    """The kill -9 tests' check: no lead's variant changed across crashes
    (each message is the one the rule gives), step 2 threads under it, and
    the 70:30 split is within 5.5 standard deviations."""
    lead_ids = {l["email"].lower(): l["id"]
                for l in srv.list_all("/v1/campaigns/%s/leads" % campaign_id, limit=1000)}
    names = {"lead%04d@%s" % (i, domain): "L%d" % i for i in range(leads)}
    counts = check_received_variants(messages, lead_ids, campaign_id, step_re, ["A", "B"],
                                     [50, 30], ["Hello %s", "Quick question, %s"], names)
    n = counts["A"] + counts["B"]
    sd = (n * 0.375 * 0.625) ** 0.5
    assert abs(counts["B"] - n * 0.375) <= 5.5 * sd, counts
    return counts
