"""A fake Slack Web API: a real HTTP server on 127.0.0.1 that records calls and answers like Slack.

Point the bot's SLACK_API_URL at `FakeSlack.url`. Every call is recorded as an `ApiCall`;
tests wait for calls with `wait_for`, script failures with `fail_next`, and describe users
and channels with `add_user` / `add_channel`.
"""

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

TRIGGER_LIFETIME_S = 3.0


@dataclass
class ApiCall:
    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    at: float


@dataclass
class ScriptedFailure:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]


@dataclass
class FakeUser:
    id: str
    name: str
    tz: str = "Europe/Berlin"
    is_admin: bool = False
    is_owner: bool = False

    def as_slack(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "real_name": self.name.title(),
            "tz": self.tz,
            "tz_offset": 0,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_bot": False,
            "profile": {"real_name": self.name.title(), "display_name": self.name},
        }


@dataclass
class FakeChannel:
    id: str
    name: str
    error: str | None = None  # e.g. "not_in_channel": every post to it fails so


@dataclass
class FakeSlack:
    """State and behaviour of the fake; the HTTP plumbing is below."""

    url: str = ""
    calls: list[ApiCall] = field(default_factory=list)
    users: dict[str, FakeUser] = field(default_factory=dict)
    channels: dict[str, FakeChannel] = field(default_factory=dict)
    failures: dict[str, list[ScriptedFailure]] = field(default_factory=dict)
    published_hashes: dict[str, str] = field(default_factory=dict)
    gates: dict[str, threading.Event] = field(default_factory=dict)
    _lock: threading.Condition = field(default_factory=threading.Condition)
    _ids: "itertools.count[int]" = field(default_factory=lambda: itertools.count(1))

    # ---- describing the workspace -------------------------------------------------------
    def add_user(self, user_id: str, name: str, **kwargs: Any) -> FakeUser:
        user = FakeUser(id=user_id, name=name, **kwargs)
        self.users[user_id] = user
        return user

    def add_channel(self, channel_id: str, name: str, error: str | None = None) -> FakeChannel:
        channel = FakeChannel(id=channel_id, name=name, error=error)
        self.channels[channel_id] = channel
        return channel

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        times: int = 1,
        retry_after: int | None = None,
        error: str = "internal_error",
    ) -> None:
        """Make the next `times` calls of `method` fail with `status` (429 with Retry-After)."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        body = {"ok": False, "error": "ratelimited" if status == 429 else error}
        with self._lock:
            self.failures.setdefault(method, []).extend(
                ScriptedFailure(status, body, headers) for _ in range(times)
            )

    def hold(self, method: str) -> threading.Event:
        """Keep every call of `method` waiting for an answer until the returned event is set."""
        gate = threading.Event()
        self.gates[method] = gate
        return gate

    # ---- reading what the bot did --------------------------------------------------------
    def calls_to(self, method: str) -> list[ApiCall]:
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[ApiCall]:
        """Block until at least `count` calls of `method` arrived; fail the test otherwise."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len([c for c in self.calls if c.method == method]) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [c.method for c in self.calls]
                    raise AssertionError(f"expected {count} x {method}, saw {seen}")
                self._lock.wait(remaining)
            return [c for c in self.calls if c.method == method]

    def reset_calls(self) -> None:
        with self._lock:
            self.calls.clear()

    # ---- answering -----------------------------------------------------------------------
    def handle(
        self, method: str, args: dict[str, Any], headers: dict[str, str]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._lock:
            self.calls.append(ApiCall(method, args, headers, time.time()))
            self._lock.notify_all()
            gate = self.gates.get(method)
        if gate is not None:
            gate.wait(timeout=30)
        with self._lock:
            scripted = self.failures.get(method)
            if scripted:
                failure = scripted.pop(0)
                return failure.status, failure.body, failure.headers
        return 200, self._answer(method, args), {}

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        answer = getattr(self, "_" + method.replace(".", "_"), None)
        if answer is None:
            return {"ok": True}
        result: dict[str, Any] = answer(args)
        return result

    def _auth_test(self, _args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://acme.slack.com/",
            "team": "Acme",
            "user": "okrbot",
            "team_id": "T_ACME",
            "user_id": "U_BOT",
            "bot_id": "B_BOT",
        }

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(args.get("user")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user.as_slack()}

    def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.channels.get(str(args.get("channel")))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": {"id": channel.id, "name": channel.name}}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = str(args.get("users", ""))
        return {"ok": True, "channel": {"id": "D" + users.replace(",", "")}}

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        channel_id = str(args.get("channel"))
        channel = self.channels.get(channel_id)
        if channel is not None and channel.error:
            return {"ok": False, "error": channel.error}
        ts = f"{int(time.time())}.{next(self._ids):06d}"
        return {"ok": True, "channel": channel_id, "ts": ts, "message": {"ts": ts, **args}}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}

    def _chat_postEphemeral(self, _args: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        return {"ok": True, "message_ts": f"{int(time.time())}.{next(self._ids):06d}"}

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        problem = _trigger_problem(str(args.get("trigger_id", "")))
        if problem:
            return {"ok": False, "error": problem}
        return {"ok": True, "view": self._stored_view(args.get("view"))}

    def _views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        return self._views_open(args)

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view = self._stored_view(args.get("view"))
        if args.get("view_id"):
            view["id"] = args["view_id"]
        return {"ok": True, "view": view}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = str(args.get("user_id"))
        given = args.get("hash")
        if given and self.published_hashes.get(user_id) not in {None, given}:
            return {"ok": False, "error": "hash_conflict"}
        view = self._stored_view(args.get("view"))
        self.published_hashes[user_id] = view["hash"]
        return {"ok": True, "view": view}

    def _stored_view(self, view: Any) -> dict[str, Any]:
        parsed = json.loads(view) if isinstance(view, str) else dict(view or {})
        number = next(self._ids)
        return {**parsed, "id": f"V{number:08d}", "hash": f"hash-{number}", "state": {"values": {}}}


def _trigger_problem(trigger_id: str) -> str | None:
    """Slack refuses a trigger_id older than 3 seconds; ours carry their issue time."""
    try:
        issued_ms = int(trigger_id.split(".")[1])
    except (IndexError, ValueError):
        return "invalid_trigger_id"
    if time.time() - issued_ms / 1000 > TRIGGER_LIFETIME_S:
        return "expired_trigger_id"
    return None


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def do_POST(self) -> None:
        self._dispatch()

    def do_GET(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        args: dict[str, Any] = dict(parse_qsl(parts.query))
        if raw:
            if "json" in (self.headers.get("Content-Type") or ""):
                args.update(json.loads(raw))
            else:
                args.update(dict(parse_qsl(raw)))
        for key in ("blocks", "view", "attachments"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        method = parts.path.strip("/").removeprefix("api/")
        if method.startswith("response/"):
            method = "response_url"
        status, body, headers = self.server.fake.handle(method, args, dict(self.headers))
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # bursts of concurrent calls must not wait on TCP retries
    fake: FakeSlack


def start_fake_slack() -> tuple[FakeSlack, _Server]:
    server = _Server(("127.0.0.1", 0), _Handler)
    fake = FakeSlack(url=f"http://127.0.0.1:{server.server_address[1]}/api/")
    server.fake = fake
    threading.Thread(
        target=server.serve_forever, args=(0.02,), daemon=True, name="fake-slack"
    ).start()
    return fake, server
