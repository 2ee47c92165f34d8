"""Configuration: flags > environment > config file; bad values refused."""

import os
import subprocess
import threading

import pytest

from conftest import BIN, Server, _env_without_leadterra


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return str(path)


def serve_fails(args, env=None, cwd=None):
    """Run `serve` expecting a prompt refusal; returns (rc, stderr)."""
    proc = subprocess.Popen([BIN, "serve"] + list(args), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=_env_without_leadterra(env),
                            cwd=cwd)
    first = []
    reader = threading.Thread(target=lambda: first.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout=15)  # hang guard only
    if first and first[0].startswith("Leadterra listening"):
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError("server started instead of refusing %r; stdout=%r"
                             % (args, first[0] + out))
    try:
        out, err = proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError("server neither started nor exited for %r" % (args,))
    return proc.returncode, err, (first[0] if first else "") + out


def test_env_listen_and_database(tmp_path):
    db = tmp_path / "env.db"
    srv = Server(tmp_path / "w", use_flags=False,
                 env={"LEADTERRA_LISTEN": "127.0.0.1:0", "LEADTERRA_DATABASE_URL": "sqlite:" + str(db)})
    try:
        assert srv.get("/v1/campaigns").status_code == 200
        assert db.exists()
        assert not (tmp_path / "w" / "leadterra.db").exists()
    finally:
        assert srv.stop() == 0


def test_config_file(tmp_path):
    db = tmp_path / "file.db"
    cfg = write(tmp_path / "lt.toml",
                'listen = "127.0.0.1:0"\ndatabase = "sqlite:%s"\nrate_limit = 2\nrate_burst = 2\n'
                'max_body_bytes = 1024\nday_seconds = 60\nthreads = 2\nlog_level = "info"\n' % db)
    srv = Server(tmp_path / "w", use_flags=False, args=["--config", cfg])
    try:
        assert db.exists()
        # max_body_bytes from the file applies.
        big = b'{"name":"' + b"x" * 1100 + b'"}'
        r = srv.request("POST", "/v1/campaigns", data=big, headers={"Content-Type": "application/json"})
        assert r.status_code == 413, r.text
        # rate limit from the file applies (burst 2).
        codes = [srv.get("/v1/campaigns").status_code for _ in range(10)]
        assert 429 in codes, codes
    finally:
        assert srv.stop() == 0


def test_env_beats_config_file(tmp_path):
    db_file = tmp_path / "from_file.db"
    db_env = tmp_path / "from_env.db"
    cfg = write(tmp_path / "lt.toml", 'listen = "127.0.0.1:0"\ndatabase = "sqlite:%s"\n'
                'max_body_bytes = 100000\n' % db_file)
    srv = Server(tmp_path / "a", use_flags=False, args=["--config", cfg],
                 env={"LEADTERRA_DATABASE_URL": "sqlite:" + str(db_env),
                      "LEADTERRA_MAX_BODY_BYTES": "2048"})
    try:
        assert db_env.exists() and not db_file.exists()
        body = b'{"name":"' + b"x" * 3000 + b'"}'
        r = srv.request("POST", "/v1/campaigns", data=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 413, r.text
    finally:
        assert srv.stop() == 0


def test_database_flag_beats_env_and_file(tmp_path):
    db_file = tmp_path / "from_file.db"
    db_env = tmp_path / "from_env.db"
    db_flag = tmp_path / "from_flag.db"
    cfg = write(tmp_path / "lt.toml", 'listen = "127.0.0.1:0"\ndatabase = "sqlite:%s"\n' % db_file)
    srv = Server(tmp_path / "b", use_flags=False,
                 args=["--config", cfg, "--database", "sqlite:" + str(db_flag)],
                 env={"LEADTERRA_DATABASE_URL": "sqlite:" + str(db_env)})
    try:
        used = [p.name for p in (db_file, db_env, db_flag) if p.exists()]
        assert used == ["from_flag.db"], used
    finally:
        assert srv.stop() == 0


def test_database_flag_beats_env(tmp_path):
    db_env = tmp_path / "from_env.db"
    db_flag = tmp_path / "from_flag.db"
    srv = Server(tmp_path / "c", use_flags=False,
                 args=["--listen", "127.0.0.1:0", "--database", "sqlite:" + str(db_flag)],
                 env={"LEADTERRA_DATABASE_URL": "sqlite:" + str(db_env)})
    try:
        used = [p.name for p in (db_env, db_flag) if p.exists()]
        assert used == ["from_flag.db"], used
    finally:
        assert srv.stop() == 0


def test_numeric_flag_beats_env_and_file(tmp_path):
    cfg = write(tmp_path / "lt.toml", 'listen = "127.0.0.1:0"\nmax_body_bytes = 100000\n')
    srv = Server(tmp_path / "d", use_flags=False,
                 args=["--config", cfg, "--database", "sqlite:" + str(tmp_path / "n.db"),
                       "--max-body-bytes", "2048"],
                 env={"LEADTERRA_MAX_BODY_BYTES": "200000"})
    try:
        body = b'{"name":"' + b"x" * 3000 + b'"}'
        r = srv.request("POST", "/v1/campaigns", data=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 413, r.text
    finally:
        assert srv.stop() == 0


def test_listen_flag_beats_env_and_file(tmp_path):
    cfg = write(tmp_path / "lt.toml", 'listen = "not-an-address"\n')
    srv = Server(tmp_path / "e", args=["--config", cfg], env={"LEADTERRA_LISTEN": "also-bad"})
    try:
        assert srv.get("/healthz", key=None).status_code == 200
    finally:
        assert srv.stop() == 0


def test_env_listen_overridden_by_flag(tmp_path):
    srv = Server(tmp_path / "w", env={"LEADTERRA_LISTEN": "not-an-address"})
    try:
        assert srv.get("/healthz", key=None).status_code == 200
    finally:
        assert srv.stop() == 0


@pytest.mark.parametrize("args", [
    ["--listen", "nonsense"],
    ["--listen", "127.0.0.1:99999"],
    ["--listen", "127.0.0.1:-1"],
    ["--database", "mysql://localhost/x"],
    ["--database", "nonsense"],
    ["--database", "sqlite:"],
    ["--rate-limit", "abc"],
    ["--rate-limit", "-1"],
    ["--rate-burst", "-3"],
    ["--max-body-bytes", "abc"],
    ["--max-body-bytes", "-1"],
    ["--max-body-bytes", "0"],
    ["--day-seconds", "abc"],
    ["--day-seconds", "-5"],
    ["--day-seconds", "0"],
    ["--threads", "0"],
    ["--threads", "-2"],
    ["--log-level", "loud"],
    ["--workers", "sender,mailer"],
    ["--public-url", "mail.example.com"],
    ["--workers", "sender,"],
    ["--webhook-timeout-seconds", "0"],
    ["--webhook-timeout-seconds", "abc"],
    ["--webhook-retry-base-seconds", "-1"],
    ["--webhook-retry-window-seconds", "0"],
    ["--lease-seconds", "1"],
    ["--db-connections", "0"],
    ["--no-such-flag"],
])
def test_bad_flags_refused(tmp_path, args):
    base = ["--listen", "127.0.0.1:0", "--database", "sqlite:" + str(tmp_path / "x.db")]
    # later duplicates of --listen/--database would be ambiguous; drop the default one
    if args[0] in ("--listen", "--database"):
        i = base.index(args[0])
        del base[i:i + 2]
    rc, err, out = serve_fails(base + args, cwd=str(tmp_path))
    assert rc != 0, (args, out, err)
    assert err.strip(), (args, out, err)
    assert "listening" not in out


@pytest.mark.parametrize("toml", [
    'listen = \n',
    'listen = "127.0.0.1:0"\nbogus_key = 1\n',
    'listen = "127.0.0.1:0"\nrate_limit = "fast"\n',
    'listen = "127.0.0.1:0"\nthreads = -1\n',
    'listen = 8080\n',
    'listen = "127.0.0.1:0"\nlog_level = "loud"\n',
    'listen = "127.0.0.1:0"\nrate_burst = -3\n',
    'listen = "127.0.0.1:0"\nmax_body_bytes = 10\n',
    'listen = "127.0.0.1:0"\nworkers = 3\n',
    'listen = "127.0.0.1:0"\nwebhook_timeout_seconds = "slow"\n',
    '[[[\n',
])
def test_bad_config_file_refused(tmp_path, toml):
    cfg = write(tmp_path / "bad.toml", toml)
    rc, err, out = serve_fails(["--config", cfg, "--database", "sqlite:" + str(tmp_path / "x.db")],
                               cwd=str(tmp_path))
    assert rc != 0, (toml, out, err)
    assert err.strip()
    assert "listening" not in out


def test_postgres_needs_a_master_key_and_a_reachable_server(tmp_path):
    url = "postgres://leadterra@127.0.0.1:1/leadterra"
    rc, err, out = serve_fails(["--listen", "127.0.0.1:0", "--database", url], cwd=str(tmp_path))
    assert rc != 0 and "LEADTERRA_MASTER_KEY" in err, err
    rc, err, out = serve_fails(["--listen", "127.0.0.1:0", "--database", url], cwd=str(tmp_path),
                               env={"LEADTERRA_MASTER_KEY": "4c" * 32})
    assert rc != 0 and "connect" in err and "listening" not in out, err


def test_missing_config_file_refused(tmp_path):
    rc, err, out = serve_fails(["--config", str(tmp_path / "nope.toml"), "--listen", "127.0.0.1:0",
                                "--database", "sqlite:" + str(tmp_path / "x.db")])
    assert rc != 0 and err.strip()


@pytest.mark.parametrize("var,value", [
    ("LEADTERRA_LISTEN", "garbage"),
    ("LEADTERRA_DATABASE_URL", "oracle://x"),
])
def test_bad_env_refused(tmp_path, var, value):
    env = {"LEADTERRA_LISTEN": "127.0.0.1:0",
           "LEADTERRA_DATABASE_URL": "sqlite:" + str(tmp_path / "x.db")}
    env[var] = value
    rc, err, out = serve_fails([], env=env, cwd=str(tmp_path))
    assert rc != 0 and err.strip(), (out, err)


def test_port_in_use_refused(make_server, tmp_path):
    srv = make_server()
    rc, err, out = serve_fails(["--listen", "127.0.0.1:%d" % srv.port,
                                "--database", "sqlite:" + str(tmp_path / "y.db")])
    assert rc != 0 and err.strip(), (out, err)
    assert srv.get("/healthz", key=None).status_code == 200


def test_day_seconds_and_threads_accepted(make_server):
    srv = make_server("--day-seconds", "5", "--threads", "4")
    assert srv.get("/healthz", key=None).status_code == 200
    assert srv.get("/v1/campaigns").status_code == 200


def test_cli_uses_env_database(tmp_path):
    db = tmp_path / "cli.db"
    from conftest import run_cli
    res = run_cli(["workspace", "create", "EnvCo"], env={"LEADTERRA_DATABASE_URL": "sqlite:" + str(db)},
                  cwd=str(tmp_path))
    assert res.returncode == 0, res
    assert len(res.lines) == 2
    ws = res.lines[0].strip()
    assert db.exists()
    res = run_cli(["workspace", "list"], env={"LEADTERRA_DATABASE_URL": "sqlite:" + str(db)},
                  cwd=str(tmp_path))
    assert res.returncode == 0 and ws in res.stdout, res
