"""The load driver: N closed-loop clients on loopback, each sending its next request on its ack.

Bounded in count and in time: each client sends at most `per_client` requests and stops at the
deadline. Afterwards the fake Slack's recorded calls are matched to the requests by trigger_id,
giving the time from each request to its views.open.
"""

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bench.fake_slack import READ_METHOD
from bench.payloads import Request, signed_headers, trigger_issued_at
from bench.report import percentile
from bench.servers import SIGNING_SECRET

MODAL_DEADLINE_S = 1.0  # the target: every modal within 1 s of its request
TRIGGER_LIFETIME_S = 3.0  # Slack's: a views.open after this fails

MakeRequest = Callable[[int, int], Request]  # (client, i) -> the request to send
CheckAck = Callable[[httpx.Response], str]  # "" when the ack is what a user should get


@dataclass
class Sent:
    client: int
    trigger_id: str
    sent_at: float  # wall clock, comparable with the fake Slack's `at`
    latency_s: float
    error: str = ""


@dataclass
class LoadResult:
    clients: int
    sent: list[Sent]
    elapsed_s: float
    expects_modal: bool
    server_cpu_s: float = math.nan  # CPU the server process used during the run
    modal_delays_s: list[float] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for sent in self.sent if sent.error)

    @property
    def error_samples(self) -> list[str]:
        return sorted({sent.error for sent in self.sent if sent.error})[:5]

    def summary(self) -> dict[str, Any]:
        acks = [sent.latency_s * 1000 for sent in self.sent]
        modal = [delay * 1000 for delay in self.modal_delays_s]
        return {
            "clients": self.clients,
            "requests": len(self.sent),
            "throughput_per_s": len(self.sent) / self.elapsed_s if self.elapsed_s else math.nan,
            "server_cpu_ms_per_request": self.server_cpu_s * 1000 / max(len(self.sent), 1),
            "ack_ms": _quantiles(acks),
            "modal_ms": _quantiles(modal) if self.expects_modal else None,
            "modals_late": sum(1 for d in self.modal_delays_s if d > MODAL_DEADLINE_S),
            "errors": self.errors,
            "error_samples": self.error_samples,
        }


def _quantiles(values: list[float]) -> dict[str, float]:
    return {
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": max(values) if values else math.nan,
    }


def drive(
    url: str,
    *,
    clients: int,
    per_client: int,
    make: MakeRequest,
    check: CheckAck,
    max_seconds: float,
) -> tuple[list[Sent], float]:
    """Run `clients` threads, each sending up to `per_client` requests back to back."""
    start = threading.Barrier(clients + 1)
    results: list[list[Sent]] = [[] for _ in range(clients)]
    deadline = time.monotonic() + max_seconds

    def client_loop(index: int) -> None:
        with httpx.Client(base_url=url, timeout=10.0) as http:
            start.wait()
            for i in range(per_client):
                if time.monotonic() > deadline:
                    return
                results[index].append(_send(http, index, make(index, i), check))

    threads = [
        threading.Thread(target=client_loop, args=(n,), name=f"client-{n}", daemon=True)
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join(timeout=max_seconds + 30)
    elapsed = time.perf_counter() - began
    return [sent for per in results for sent in per], elapsed


def _send(http: httpx.Client, client: int, request: Request, check: CheckAck) -> Sent:
    headers = signed_headers(SIGNING_SECRET, request)
    sent_at = time.time()
    began = time.perf_counter()
    try:
        response = http.post("slack/events", content=request.body, headers=headers)
        latency = time.perf_counter() - began
        error = check(response)
    except httpx.HTTPError as problem:
        latency = time.perf_counter() - began
        error = f"{type(problem).__name__}"
    return Sent(client, request.trigger_id, sent_at, latency, error)


def send_once(url: str, request: Request) -> httpx.Response:
    """One signed request, outside any measurement."""
    headers = signed_headers(SIGNING_SECRET, request)
    return httpx.post(url + "slack/events", content=request.body, headers=headers, timeout=10)


def read_calls(fake_url: str) -> list[dict[str, Any]]:
    """The fake Slack's calls since the last read (reading forgets them)."""
    response = httpx.post(fake_url + READ_METHOD, timeout=30)
    calls: list[dict[str, Any]] = response.json()["calls"]
    return calls


def match_modals(
    result: LoadResult, fake_url: str, *, method: str = "views.open", wait_s: float = 5.0
) -> None:
    """Pair each request with the views.open carrying its trigger_id, waiting for stragglers."""
    wanted = {sent.trigger_id: sent for sent in result.sent if sent.trigger_id and not sent.error}
    opened: dict[str, float] = {}
    deadline = time.monotonic() + wait_s
    while True:
        for call in read_calls(fake_url):
            result.calls.append(call)
            if call["method"] == method and call["trigger_id"] in wanted:
                opened.setdefault(call["trigger_id"], call["at"])
        if len(opened) >= len(wanted) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    for trigger, sent in wanted.items():
        at = opened.get(trigger)
        if at is None:
            sent.error = f"no {method}"
            continue
        result.modal_delays_s.append(at - sent.sent_at)
        if at - trigger_issued_at(trigger) > TRIGGER_LIFETIME_S:
            sent.error = f"{method} after the trigger expired"


def run_load(
    url: str,
    fake_url: str,
    *,
    clients: int,
    per_client: int,
    make: MakeRequest,
    check: CheckAck,
    expects_modal: bool,
    server_cpu: Callable[[], float] | None = None,
    max_seconds: float = 60.0,
) -> LoadResult:
    """One measured run; `server_cpu` reads the server's CPU seconds, if known."""
    read_calls(fake_url)  # forget whatever came before
    cpu_before = server_cpu() if server_cpu else math.nan
    sent, elapsed = drive(
        url, clients=clients, per_client=per_client, make=make, check=check, max_seconds=max_seconds
    )
    result = LoadResult(clients=clients, sent=sent, elapsed_s=elapsed, expects_modal=expects_modal)
    if expects_modal:
        match_modals(result, fake_url)
    else:
        time.sleep(0.2)  # let the listeners' calls land, so they are not counted in the next run
        result.calls.extend(read_calls(fake_url))
    if server_cpu:
        time.sleep(0.3)  # and their work after the ack, which the next run must not pay for
        result.server_cpu_s = server_cpu() - cpu_before
    return result
