"""The HTTP server: Slack's requests at /slack/events, a health check at /healthz."""

import json
import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from waitress import wasyncore
from waitress.server import BaseWSGIServer, create_server

from okrbot.bot.deps import Deps
from okrbot.bot.slack.observability import log_request
from okrbot.storage.db import database_answers

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

EVENTS_PATH = "/slack/events"
log = logging.getLogger("okrbot.server")


class _LoggedSlackHandler(SlackRequestHandler):
    """Bolt's WSGI handler, logging one structured line per request it dispatches."""

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        started = time.perf_counter()
        bolt_request = BoltRequest(
            body=request.get_body(), query=request.query_string, headers=request.get_headers()
        )
        response = self.app.dispatch(bolt_request)
        log_request(bolt_request.body, response.status, started)
        return response


def wsgi_app(deps: Deps, slack: App) -> "WSGIApplication":
    """Route /healthz ourselves and everything under /slack/events to Bolt."""
    bolt = _LoggedSlackHandler(slack, path=EVENTS_PATH)

    def application(environ: "WSGIEnvironment", start: "StartResponse") -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            return _healthz(deps, start)
        return bolt(environ, start)

    return application


def _healthz(deps: Deps, start: "StartResponse") -> Iterable[bytes]:
    healthy = database_answers(deps.engine)
    body = json.dumps({"database": "ok" if healthy else "unreachable"}).encode()
    status = "200 OK" if healthy else "503 Service Unavailable"
    start(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def make_server(
    deps: Deps, slack: App, *, host: str | None = None, port: int | None = None
) -> BaseWSGIServer:
    """A waitress server with a pool of request threads; port 0 picks a free port."""
    server = create_server(
        wsgi_app(deps, slack),
        host=deps.settings.host if host is None else host,
        port=deps.settings.port if port is None else port,
        threads=deps.settings.workers,
        ident="okrbot",
        connection_limit=1000,
        channel_timeout=30,
    )
    assert isinstance(server, BaseWSGIServer)  # one host and port: never a multi-socket server
    return server


def run_until_stopped(server: BaseWSGIServer) -> None:
    """Serve until `request_stop`; then let in-flight requests finish and release the port."""
    server.run()
    server.task_dispatcher.shutdown(cancel_pending=False, timeout=10)


def request_stop(server: BaseWSGIServer) -> None:
    """Ask a running server to stop, from any thread or a signal handler.

    The sockets are closed inside the server's own loop (woken by its trigger), so the loop
    never selects on a closed descriptor; with nothing left to watch, the loop returns.
    """
    sockets = getattr(server, "_map")  # noqa: B009  (waitress's socket map; untyped)
    wake: Any = server.trigger
    wake.pull_trigger(lambda: wasyncore.close_all(sockets))


def bound_port(server: BaseWSGIServer) -> int:
    """The port the server listens on (the free one it picked, for port 0)."""
    return int(server.getsockname()[1])
