"""Campaign lists: envelope, order, status filter, pagination, query params."""

import pytest

from conftest import assert_error, step


@pytest.fixture
def ws(server):
    """A fresh workspace (secret) so list contents are fully known."""
    _, secret = server.new_workspace("Lists")
    server.add_mailbox(key=secret)  # campaigns here get started
    return secret


def walk(server, key, limit, **params):
    pages = []
    cursor = None
    for _ in range(1000):
        q = dict(params, limit=limit)
        if cursor is not None:
            q["cursor"] = cursor
        r = server.get("/v1/campaigns", key=key, params=q)
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body.keys()) == {"data", "nextCursor"}, body
        assert len(body["data"]) <= limit
        pages.append(body["data"])
        cursor = body["nextCursor"]
        if cursor is None:
            return pages
        assert isinstance(cursor, str) and cursor
    raise AssertionError("pagination never terminated")


def test_empty_list(server, ws):
    r = server.get("/v1/campaigns", key=ws)
    assert r.status_code == 200
    assert r.json() == {"data": [], "nextCursor": None}


def test_list_returns_full_objects_in_creation_order(server, ws):
    made = [server.create_campaign("c%d" % i, [step("s%d" % i)], key=ws) for i in range(5)]
    r = server.get("/v1/campaigns", key=ws)
    assert r.status_code == 200
    body = r.json()
    assert body["nextCursor"] is None
    assert body["data"] == made


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 7, 8, 1000])
def test_pagination_walks_every_item_once(server, ws, limit):
    made = [server.create_campaign("p%02d" % i, key=ws)["id"] for i in range(7)]
    pages = walk(server, ws, limit)
    seen = [c["id"] for page in pages for c in page]
    assert seen == made, (limit, seen, made)
    # Every page but the last is full; a full last page may be followed by an empty one.
    for page in pages[:-1]:
        assert len(page) == limit
    if limit >= 7:
        assert len(pages) in (1, 2)
    else:
        assert len(pages) in (-(-7 // limit), -(-7 // limit) + 1)


def test_default_limit_is_50(server, ws):
    made = [server.create_campaign("d%02d" % i, key=ws)["id"] for i in range(51)]
    body = server.get("/v1/campaigns", key=ws).json()
    assert [c["id"] for c in body["data"]] == made[:50]
    assert body["nextCursor"]
    rest = server.get("/v1/campaigns", key=ws, params={"cursor": body["nextCursor"]}).json()
    assert [c["id"] for c in rest["data"]] == made[50:]
    assert rest["nextCursor"] is None


def test_cursor_stable_under_deletes_and_inserts(server, ws):
    made = [server.create_campaign("s%d" % i, key=ws)["id"] for i in range(6)]
    first = server.get("/v1/campaigns", key=ws, params={"limit": 2}).json()
    assert [c["id"] for c in first["data"]] == made[:2]
    # Delete an already-seen item and the very next unseen one: nothing may be skipped.
    assert server.delete("/v1/campaigns/" + made[0], key=ws).status_code == 200
    assert server.delete("/v1/campaigns/" + made[2], key=ws).status_code == 200
    new = server.create_campaign("late", key=ws)["id"]
    rest = []
    cursor = first["nextCursor"]
    while cursor:
        body = server.get("/v1/campaigns", key=ws, params={"limit": 2, "cursor": cursor}).json()
        rest += [c["id"] for c in body["data"]]
        cursor = body["nextCursor"]
    assert rest == [made[3], made[4], made[5], new]


def test_status_filter(server, ws):
    d = server.create_campaign("draft", [step()], key=ws)["id"]
    r1 = server.create_campaign("run1", [step()], key=ws)["id"]
    p = server.create_campaign("paused", [step()], key=ws)["id"]
    r2 = server.create_campaign("run2", [step()], key=ws)["id"]
    for cid in (r1, p, r2):
        assert server.post("/v1/campaigns/%s/start" % cid, key=ws).status_code == 200
    assert server.post("/v1/campaigns/%s/pause" % p, key=ws).status_code == 200

    def ids(status):
        body = server.get("/v1/campaigns", key=ws, params={"status": status}).json()
        assert all(c["status"] == status for c in body["data"]), body
        return [c["id"] for c in body["data"]]

    assert ids("draft") == [d]
    assert ids("running") == [r1, r2]
    assert ids("paused") == [p]
    # Filter + pagination.
    pages = walk(server, ws, 1, status="running")
    assert [c["id"] for page in pages for c in page] == [r1, r2]
    # Resuming moves it between filters.
    server.post("/v1/campaigns/%s/start" % p, key=ws)
    assert ids("paused") == []
    assert ids("running") == [r1, p, r2]


@pytest.mark.parametrize("value", ["0", "1001", "-1", "abc", "1.5", "", "1e2", "0x10", " 5",
                                   "99999999999999999999999", "+5"])
def test_bad_limit(server, value):
    r = server.get("/v1/campaigns", params={"limit": value})
    assert_error(r, 400, "invalid_request", "limit")


@pytest.mark.parametrize("value", ["1", "1000", "50"])
def test_good_limit(server, value):
    assert server.get("/v1/campaigns", params={"limit": value}).status_code == 200


@pytest.mark.parametrize("value", ["garbage", "", "!!!", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                                   "camp_01m84zh0g22206c0z2qp7xq4gm", "' OR 1=1 --",
                                   "eyJ4IjoxfQ", "%ff%fe", "a" * 5000])
def test_bad_cursor(server, value):
    r = server.get("/v1/campaigns", params={"cursor": value})
    assert_error(r, 400, "invalid_request", "cursor")


def test_tampered_cursor(server, ws):
    for i in range(3):
        server.create_campaign("t%d" % i, key=ws)
    cur = server.get("/v1/campaigns", key=ws, params={"limit": 1}).json()["nextCursor"]
    assert cur
    # Flip one character in the middle of the opaque cursor.
    mid = len(cur) // 2
    flipped = cur[:mid] + ("A" if cur[mid] != "A" else "B") + cur[mid + 1:]
    r = server.get("/v1/campaigns", key=ws, params={"cursor": flipped})
    if r.status_code != 200:
        assert_error(r, 400, "invalid_request", "cursor")
    r = server.get("/v1/campaigns", key=ws, params={"cursor": cur[:-3]})
    if r.status_code != 200:
        assert_error(r, 400, "invalid_request", "cursor")


@pytest.mark.parametrize("value", ["bogus", "", "DRAFT", "Running", "deleted", "completed",
                                   "draft,running"])
def test_bad_status(server, value):
    r = server.get("/v1/campaigns", params={"status": value})
    assert_error(r, 400, "invalid_request", "status")


@pytest.mark.parametrize("name", ["foo", "offset", "page", "Limit", "sort"])
def test_unknown_query_param(server, name):
    r = server.get("/v1/campaigns", params={name: "1"})
    assert_error(r, 400, "invalid_request", name)


def test_api_keys_list_rejects_bad_params(server):
    assert_error(server.get("/v1/api-keys", params={"limit": "0"}), 400, "invalid_request", "limit")
    assert_error(server.get("/v1/api-keys", params={"cursor": "zzz"}), 400, "invalid_request",
                 "cursor")
    assert_error(server.get("/v1/api-keys", params={"nope": "1"}), 400, "invalid_request", "nope")


def test_api_keys_pagination(server):
    _, secret = server.new_workspace("KeyPages")
    made = [server.post("/v1/api-keys", {"name": "k%d" % i}, key=secret).json()["data"]["id"]
            for i in range(5)]
    seen = []
    cursor = None
    while True:
        params = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        body = server.get("/v1/api-keys", key=secret, params=params).json()
        assert len(body["data"]) <= 2
        seen += [k["id"] for k in body["data"]]
        cursor = body["nextCursor"]
        if not cursor:
            break
    assert len(seen) == 6 and len(set(seen)) == 6
    assert seen[1:] == made
