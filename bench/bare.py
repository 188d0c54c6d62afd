"""What both baselines share: a one-block modal, and the settings okrbot's server reads too."""

import os
import re
from dataclasses import dataclass
from typing import Any

# Every slash command and every view submission reaches the baseline's one listener of each.
ANY = re.compile(".*")

MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "bench_modal",
    "title": {"type": "plain_text", "text": "Baseline"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "A one-block modal."}}],
}


@dataclass(frozen=True)
class BareSettings:
    token: str
    signing_secret: str
    api_url: str
    host: str
    port: int
    threads: int


def settings_from_environment() -> BareSettings:
    """The same variables `okrbot serve` reads, so both are started alike."""
    return BareSettings(
        token=os.environ["SLACK_BOT_TOKEN"],
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        api_url=os.environ["SLACK_API_URL"],
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ["PORT"]),
        threads=int(os.environ.get("WORKERS", "16")),
    )
