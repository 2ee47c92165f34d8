#!/usr/bin/python3
"""A throwaway PostgreSQL 15 server for tests and benchmarks.

Usage as a wrapper:  postgres_peer.py COMMAND [ARGS...]
  initdb's a data directory under a temporary directory, starts the server on
  127.0.0.1 at a random free port (as the `postgres` user when run as root:
  PostgreSQL refuses to run as root), runs COMMAND with
  LEADTERRA_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:PORT/postgres in
  its environment, stops the server and removes the directory. Exits with
  COMMAND's status.

As a module: `with PostgresPeer() as pg: pg.url`.
"""
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile

PG_BIN = "/usr/lib/postgresql/15/bin"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresPeer:
    def __init__(self, fast=True):
        # fast: no fsync (a test database need not survive a power cut).
        self.fast = fast
        self.dir = None
        self.port = None

    def _as_owner(self, args, **kw):
        if os.geteuid() == 0:
            args = ["runuser", "-u", "postgres", "--"] + args
        return subprocess.run(args, check=True, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, **kw)

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="leadterra-pg-")
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        data = os.path.join(self.dir, "data")
        self._as_owner([PG_BIN + "/initdb", "-D", data, "-U", "postgres", "-A", "trust",
                        "--no-locale", "-E", "UTF8", "--no-sync"])
        self.port = _free_port()
        options = ["-c", "listen_addresses=127.0.0.1", "-p", str(self.port),
                   "-k", self.dir, "-c", "max_connections=300",
                   "-c", "shared_buffers=128MB"]
        if self.fast:
            options += ["-c", "fsync=off", "-c", "synchronous_commit=off",
                        "-c", "full_page_writes=off"]
        self._as_owner([PG_BIN + "/pg_ctl", "-D", data, "-l", os.path.join(self.dir, "log"),
                        "-w", "-t", "60", "-o", " ".join(options), "start"])
        return self

    @property
    def url(self):
        return "postgres://postgres@127.0.0.1:%d/postgres" % self.port

    def psql(self, sql):
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.url, "-c", sql],
                       check=True, stdout=subprocess.DEVNULL)

    def stop(self):
        if not self.dir:
            return
        try:
            self._as_owner([PG_BIN + "/pg_ctl", "-D", os.path.join(self.dir, "data"),
                            "-m", "immediate", "-w", "stop"])
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with PostgresPeer() as pg:
        env = dict(os.environ, LEADTERRA_TEST_DATABASE_URL=pg.url)
        return subprocess.call(argv[1:], env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
