"""The .deb: built by cpack from the build tree, installed with dpkg on this
machine, and run from where it installed. Runs once (SQLite pass), as root."""

import glob
import os
import pwd
import shutil
import subprocess

import pytest

from conftest import PG_URL, SOURCE_BIN

BUILD_DIR = os.path.dirname(SOURCE_BIN)

pytestmark = pytest.mark.skipif(
    bool(PG_URL) or os.geteuid() != 0 or not shutil.which("dpkg") or not shutil.which("cpack")
    or not os.path.exists(os.path.join(BUILD_DIR, "CPackConfig.cmake")),
    reason="builds and installs the .deb once, as root, from a configured build tree")


def run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)
    assert proc.returncode == 0, (cmd, proc.stdout[-3000:], proc.stderr[-3000:])
    return proc


def test_deb_installs_a_service_with_its_user_config_and_data_dir(tmp_path):
    run(["cpack", "-G", "DEB", "-B", str(tmp_path)], cwd=BUILD_DIR)
    debs = glob.glob(str(tmp_path / "leadterra_*.deb"))
    assert len(debs) == 1, os.listdir(tmp_path)
    deb = debs[0]
    contents = run(["dpkg-deb", "--contents", deb]).stdout
    for path in ["./usr/bin/leadterra", "./usr/lib/systemd/system/leadterra.service",
                 "./etc/leadterra/leadterra.toml"]:
        assert path in contents, contents
    control = run(["dpkg-deb", "--field", deb, "Package", "Depends"]).stdout
    assert "leadterra" in control and "libc6" in control, control
    try:
        run(["dpkg", "-i", deb])
        help_text = run(["/usr/bin/leadterra", "--help"]).stdout
        assert "serve" in help_text and "backup" in help_text and "mcp" in help_text
        user = pwd.getpwnam("leadterra")
        st = os.stat("/var/lib/leadterra")
        assert st.st_uid == user.pw_uid and (st.st_mode & 0o777) == 0o750
        with open("/usr/lib/systemd/system/leadterra.service") as f:
            unit = f.read()
        assert "User=leadterra" in unit and "ExecStart=/usr/bin/leadterra serve" in unit
        # The installed binary reads the installed config: a workspace lands in
        # /var/lib/leadterra, as the service's user.
        created = run(["runuser", "-u", "leadterra", "--", "/usr/bin/leadterra", "workspace",
                       "create", "Packaged", "--config", "/etc/leadterra/leadterra.toml"],
                      cwd="/var/lib/leadterra")
        assert created.stdout.splitlines()[0].startswith("ws_"), created.stdout
        assert os.stat("/var/lib/leadterra/leadterra.db").st_uid == user.pw_uid
    finally:
        subprocess.run(["dpkg", "--purge", "leadterra"], capture_output=True, timeout=120)
        shutil.rmtree("/var/lib/leadterra", ignore_errors=True)
