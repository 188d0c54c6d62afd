"""Each server under test in its own process: okrbot, the two bare-Bolt baselines, the fake Slack."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from okrbot.bot.config import Settings

REPO = Path(__file__).resolve().parent.parent
SIGNING_SECRET = "bench-signing-secret-0b1e7c5d9a3f"
BOT_TOKEN = "xoxb-bench-token"
STARTUP_TIMEOUT_S = 60.0
# okrbot's default request threads; the same-server baseline gets the same number.
WORKERS = Settings.model_fields["workers"].default


@dataclass
class Memory:
    peak_mb: float  # VmHWM: the most resident memory the process ever had
    now_mb: float  # VmRSS


@dataclass
class Server:
    name: str
    url: str  # ends with "/", e.g. http://127.0.0.1:40123/
    process: "subprocess.Popen[bytes]"
    log: Path

    def memory(self) -> Memory:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        return Memory(_kib(fields["VmHWM"]) / 1024, _kib(fields["VmRSS"]) / 1024)

    def cpu_seconds(self) -> float:
        """User plus system CPU time the process has used so far."""
        return process_cpu_seconds(self.process.pid)

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def process_cpu_seconds(pid: int) -> float:
    # /proc/<pid>/stat: the fields after the command's closing parenthesis; utime and stime
    # are the 12th and 13th of them, in clock ticks.
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _kib(field: str) -> float:
    return float(field.strip().split()[0])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _environment(fake_url: str, port: int, database_url: str = "") -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "DATABASE_", "OKRBOT_")) and key not in {"PORT", "HOST"}
    }
    env.update(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake_url,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "WORKERS": str(WORKERS),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def okrbot_command(*args: str) -> list[str]:
    """`okrbot …` as operators run it: the console script beside this Python."""
    script = Path(sys.executable).parent / "okrbot"
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "okrbot.bot.cli", *args]


@contextmanager
def run_server(
    name: str,
    command: list[str],
    *,
    workdir: Path,
    fake_url: str,
    database_url: str = "",
    ready_path: str = "healthz",
) -> Iterator[Server]:
    """Start `command` listening on a free port; stop it (SIGTERM, then SIGKILL) afterwards."""
    port = free_port()
    log = workdir / f"{name}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            cwd=workdir,  # away from the repository, so no developer's .env is read
            env=_environment(fake_url, port, database_url),
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    server = Server(name=name, url=f"http://127.0.0.1:{port}/", process=process, log=log)
    try:
        _wait_until_ready(server, ready_path)
        yield server
    finally:
        _stop(process)


def _wait_until_ready(server: Server, path: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited at startup:\n{server.log_tail()}")
        try:
            response = httpx.get(server.url + path, timeout=2)
        except httpx.TransportError:
            time.sleep(0.1)
            continue
        if path != "healthz" or response.status_code == 200:
            return
        time.sleep(0.1)
    raise RuntimeError(f"{server.name} did not answer within {STARTUP_TIMEOUT_S:.0f} s")


def _stop(process: "subprocess.Popen[bytes]") -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def run_fake_slack(workdir: Path, users: list[str], channels: list[str]) -> Iterator[str]:
    """The fake Slack Web API in its own process; yields its base URL."""
    log = workdir / "fake_slack.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.fake_slack", ",".join(users), ",".join(channels)],
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=sink,
        )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().decode().strip()
        if not url:
            raise RuntimeError(f"the fake Slack did not start:\n{log.read_text()}")
        yield url
    finally:
        _stop(process)
