"""The status page as a browser shows it: headless Chromium dumps the DOM (or takes a screenshot),
and `StatusDOM` reads each connector's card from the dump."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path


class StatusDOM(HTMLParser):
    """Each connector section of the dumped DOM: its data attributes and the visible name/state."""

    def __init__(self):
        super().__init__()
        self.cards: dict[str, dict] = {}
        self.current: dict | None = None
        self.field: str | None = None
        self.refresh: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and attrs.get("http-equiv") == "refresh":
            self.refresh = attrs.get("content")
        if tag == "section" and "data-connector" in attrs:
            self.current = {"attr_state": attrs["data-state"], "name": "", "badge": "", "reason": "", "runtime_asset": ""}
            self.cards[attrs["data-connector"]] = self.current
        elif self.current is not None and tag == "h2":
            self.field = "name"
        elif self.current is not None and tag == "span" and attrs.get("class") == "badge":
            self.field = "badge"
        elif self.current is not None and tag == "p" and attrs.get("class") == "reason":
            self.field = "reason"
        elif self.current is not None and tag == "dd" and attrs.get("class") == "runtime-asset":
            self.field = "runtime_asset"

    def handle_endtag(self, tag):
        if tag in ("h2", "span", "p", "dd"):
            self.field = None
        if tag == "section":
            self.current = None

    def handle_data(self, data):
        if self.current is not None and self.field:
            self.current[self.field] += data


def chromium(*args: str, user_data: Path) -> subprocess.CompletedProcess:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    assert binary, "chromium is not installed: run `bash scripts/install-test-deps`"
    return subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--hide-scrollbars", f"--user-data-dir={user_data}", *args],
        capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL)
