"""A throwaway shared server for the SSH end-to-end test: sshd on 127.0.0.1, two Unix
users in one new group, key-based login, and an ``ecpm`` installation they can run.

Everything lives in one 0755 folder under /tmp; :meth:`SshWorld.close` stops sshd and
removes the users, the group and the folder (also when the test failed). Needs root.
"""

from __future__ import annotations

import importlib.metadata as md
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SSHD_CANDIDATES = ("/usr/sbin/sshd", "/usr/bin/sshd")


def sshd_binary() -> str | None:
    """Debian's sshd (in /usr/sbin, often not on a test runner's PATH)."""
    found = shutil.which("sshd")
    return found or next((p for p in SSHD_CANDIDATES if os.access(p, os.X_OK)), None)


def missing_prerequisite() -> str | None:
    """Why the SSH test cannot run here, or None."""
    if os.geteuid() != 0:
        return "the SSH end-to-end test creates Unix users: run it as root (CI does)"
    for tool, package in (
        ("ssh", "openssh-client"),
        ("ssh-keygen", "openssh-client"),
        ("tmux", "tmux"),
        ("useradd", "passwd"),
        ("groupadd", "passwd"),
        ("runuser", "util-linux"),
    ):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install {package})"
    if sshd_binary() is None:
        return "sshd is not installed (apt-get install openssh-server)"
    return None


def _run(*cmd: str, user: str | None = None, timeout: float = 60) -> str:
    full = ["runuser", "-u", user, "--", *cmd] if user else list(cmd)
    # As a user: a login-like environment, nothing of the test's (XDG_*, HOME) leaks in.
    env = None
    if user:
        home = pwd.getpwnam(user).pw_dir
        env = {
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": home,
            "USER": user,
            "LANG": "C.UTF-8",
        }
    done = subprocess.run(full, capture_output=True, text=True, timeout=timeout, env=env)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(full)} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _requirement_names(dist: md.Distribution) -> list[str]:
    """Runtime requirements of *dist* (extras such as ``test`` left out)."""
    out = []
    for req in dist.requires or []:
        name, _, marker = req.partition(";")
        if "extra" in marker:
            continue
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", name.strip())
        if match:
            out.append(match.group(0))
    return out


def _runtime_closure(root: str) -> list[md.Distribution]:
    """*root*'s installed distribution and every one it needs at run time."""
    seen: dict[str, md.Distribution] = {}
    todo = [root]
    while todo:
        name = re.sub(r"[-_.]+", "-", todo.pop()).lower()
        if name in seen:
            continue
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            continue  # an environment marker excluded it here
        seen[name] = dist
        todo.extend(_requirement_names(dist))
    return list(seen.values())


class SshWorld:
    """sshd, two users in one group, a key, and ``ecpm`` installed where they can run it."""

    def __init__(self) -> None:
        token = uuid.uuid4().hex[:6]
        self.group = f"ecpm{token}"
        self.users = (f"ecpm{token}a", f"ecpm{token}b")
        self.made_users: list[str] = []
        self.made_group = False
        self.sshd: subprocess.Popen[bytes] | None = None
        self.made_run_dir = False
        # /tmp itself, not TMPDIR: the users must reach it (a 0700 parent would stop them).
        self.root = Path(tempfile.mkdtemp(prefix="ecpm-ssh-", dir="/tmp"))
        self.root.chmod(0o755)
        self.port = _free_port()
        self.key = self.root / "client_key"
        self.runtime = self.root / "runtime"
        self.db = self.root / "srv" / "team" / "ecpm.db"

    # -- set-up ---------------------------------------------------------------------------

    def start(self) -> None:
        """Users and group, the ecpm installation, sshd; each step undone by close()."""
        _run("groupadd", self.group)
        self.made_group = True
        homes = self.root / "home"
        homes.mkdir(mode=0o755)
        for user in self.users:
            home = homes / user
            # "*" is no password but not a locked account, so sshd lets the key in.
            _run("useradd", "-M", "-N", "-g", self.group, "-d", str(home), "-s", "/bin/sh",
                 "-p", "*", user)  # fmt: skip
            self.made_users.append(user)
            home.mkdir(mode=0o700)
            shutil.chown(home, user, self.group)
        self.install_ecpm()
        self.start_sshd()

    def install_ecpm(self) -> None:
        """A venv in the world folder holding ecpm and its runtime dependencies only.

        The test's own venv may sit under a 0700 home and run on an interpreter there;
        rather than open those up, the packages are copied next to an interpreter every
        user can run (this one if it is reachable, else the system python of the same
        version, so compiled extensions still load).
        """
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        candidates = [Path(sys.base_prefix) / "bin" / f"python{version}", Path("/usr/bin/python3")]
        base = None
        for candidate in candidates:
            probe = subprocess.run(
                ["runuser", "-u", self.users[0], "--", str(candidate), "-c",
                 "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')"],
                capture_output=True, text=True, timeout=30,
            )  # fmt: skip
            if probe.returncode == 0 and probe.stdout.strip() == version:
                base = candidate
                break
        if base is None:
            raise AssertionError(f"no Python {version} the test users can run: {candidates}")
        _run(str(base), "-m", "venv", "--without-pip", str(self.runtime))
        site = self.runtime / "lib" / f"python{version}" / "site-packages"
        for dist in _runtime_closure("ecpm"):
            if dist.metadata["Name"].lower() == "ecpm":
                continue  # editable: copied from the checkout below
            for file in dist.files or []:
                if file.parts[0] == "..":
                    continue  # console scripts, outside site-packages
                source = Path(str(dist.locate_file(file)))
                if source.is_file():
                    target = site / file
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, target)
        # The project as the wheel lays it out (pyproject's package-dir map).
        config = tomllib.loads((REPO / "pyproject.toml").read_text())
        package_dir: dict[str, str] = config["tool"]["setuptools"]["package-dir"]
        for package, folder in sorted(package_dir.items(), key=lambda kv: len(kv[0])):
            shutil.copytree(
                REPO / folder,
                site / package.replace(".", "/"),
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
            )
        # Compiled once here: the users cannot write caches into this root-owned folder,
        # and compiling the dependencies on every start costs seconds.
        _run(str(base), "-m", "compileall", "-q", "-j", "0", str(site))
        module, func = config["project"]["scripts"]["ecpm"].split(":")
        script = self.runtime / "bin" / "ecpm"
        script.write_text(
            f"#!{self.runtime / 'bin' / 'python'}\nimport sys\n"
            f"from {module} import {func}\nsys.exit({func}())\n"
        )
        _run("chmod", "-R", "a+rX", str(self.runtime))
        script.chmod(0o755)

    def start_sshd(self) -> None:
        """sshd on 127.0.0.1 with its own host key and config; keys only, these users only."""
        _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(self.key))
        host_key = self.root / "host_ed25519_key"
        _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key))
        keys = self.root / "authorized_keys"
        keys.mkdir(mode=0o755)
        public = (self.root / "client_key.pub").read_text()
        for user in self.users:
            (keys / user).write_text(public)
            (keys / user).chmod(0o644)
        config = self.root / "sshd_config"
        config.write_text(
            "\n".join(
                [
                    f"Port {self.port}",
                    "ListenAddress 127.0.0.1",
                    f"HostKey {host_key}",
                    f"PidFile {self.root / 'sshd.pid'}",
                    f"AuthorizedKeysFile {keys}/%u",
                    f"AllowUsers {' '.join(self.users)}",
                    "PubkeyAuthentication yes",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "UsePAM no",
                    # The keys folder is root's, not in the users' homes: nothing to check.
                    "StrictModes no",
                    "PrintMotd no",
                    "PrintLastLog no",
                    "",
                ]
            )
        )
        # Debian's sshd needs its privilege-separation folder.
        run_dir = Path("/run/sshd")
        if not run_dir.exists():
            run_dir.mkdir(mode=0o755, parents=True)
            self.made_run_dir = True
        sshd = sshd_binary()
        assert sshd is not None
        _run(sshd, "-t", "-f", str(config))
        self.sshd = subprocess.Popen(
            [sshd, "-D", "-e", "-f", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=open(self.root / "sshd.log", "wb"),  # noqa: SIM115 - closed with the process
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.sshd.poll() is not None:
                    break
                time.sleep(0.05)
        raise AssertionError(f"sshd did not start:\n{self.sshd_log()}")

    def sshd_log(self) -> str:
        """What sshd said (for failure messages)."""
        path = self.root / "sshd.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # -- use ------------------------------------------------------------------------------

    @property
    def ecpm(self) -> str:
        """The ecpm every test user can run."""
        return str(self.runtime / "bin" / "ecpm")

    def as_user(self, user: str, *args: str) -> str:
        """Run the installed ecpm as *user* (no SSH: set-up and checks)."""
        return _run(self.ecpm, *args, user=user)

    def ssh_command(self, user: str, *remote: str) -> list[str]:
        """``ssh -t`` into this server as *user*, running *remote* there."""
        return [
            "ssh", "-F", "/dev/null", "-t", "-p", str(self.port), "-i", str(self.key),
            "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR", f"{user}@127.0.0.1", *remote,
        ]  # fmt: skip

    # -- tear-down ------------------------------------------------------------------------

    def close(self) -> None:
        """Stop sshd, remove the users, the group and every file (errors collected)."""
        problems: list[str] = []
        if self.sshd is not None and self.sshd.poll() is None:
            self.sshd.terminate()
            try:
                self.sshd.wait(10)
            except subprocess.TimeoutExpired:
                self.sshd.kill()
                self.sshd.wait(10)
        for user in self.made_users:
            # Sessions end with sshd and tmux; a moment for their processes to go.
            for _ in range(50):
                if subprocess.run(["userdel", user], capture_output=True).returncode == 0:
                    break
                time.sleep(0.1)
            else:
                done = subprocess.run(["userdel", "-f", user], capture_output=True, text=True)
                if done.returncode != 0:
                    problems.append(f"userdel {user}: {done.stderr.strip()}")
        if self.made_group:
            done = subprocess.run(["groupdel", self.group], capture_output=True, text=True)
            if done.returncode != 0:
                problems.append(f"groupdel {self.group}: {done.stderr.strip()}")
        if self.made_run_dir:
            shutil.rmtree("/run/sshd", ignore_errors=True)
        shutil.rmtree(self.root, ignore_errors=True)
        if problems:
            raise AssertionError("; ".join(problems))
