"""The fake Slack Web API (tests/fakes) in a process of its own, with a way to read its calls.

Run as `python -m bench.fake_slack`: it prints its base URL on the first line of stdout and
serves until it is terminated. `POST {url}bench.calls` returns the calls recorded since the
last read (and forgets them), so the load driver can match each request to its views.open.
"""

import sys
import threading
from http.server import ThreadingHTTPServer
from typing import Any

from tests.fakes.slack_api import FakeSlack, start_fake_slack

READ_METHOD = "bench.calls"
# socketserver listens with a backlog of 5: under load, connections beyond it are dropped and
# retried by the client's TCP after 1 s, 3 s, ... which would show up as modals opened seconds
# late. Slack accepts every connection; so does this fake, in this process only.
LISTEN_BACKLOG = 1024


class RecordingFakeSlack(FakeSlack):
    """The tests' fake, plus one method that hands the recorded calls to the benchmark."""

    def _bench_calls(self, _args: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            calls, self.calls = self.calls, []
        return {
            "ok": True,
            "calls": [
                {
                    "method": call.method,
                    "at": call.at,
                    "trigger_id": str(call.args.get("trigger_id", "")),
                    "view": call.args.get("view") if call.method.startswith("views.") else None,
                }
                for call in calls
                if call.method != READ_METHOD
            ],
        }


def describe_workspace(fake: FakeSlack, users: list[str], channels: list[str]) -> None:
    for user in users:
        fake.add_user(user, user.lower(), tz="Europe/Berlin")
    for channel in channels:
        fake.add_channel(channel, channel.lower())


def main() -> None:
    users = sys.argv[1].split(",") if len(sys.argv) > 1 else []
    channels = sys.argv[2].split(",") if len(sys.argv) > 2 else []
    ThreadingHTTPServer.request_queue_size = LISTEN_BACKLOG
    plain, server = start_fake_slack()
    fake = RecordingFakeSlack(url=plain.url)
    describe_workspace(fake, users, channels)
    server.fake = fake  # swapped before any request can arrive: nobody knows the URL yet
    print(fake.url, flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
