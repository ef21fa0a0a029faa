"""A small DevTools-protocol driver for Debian's headless Chromium (installed by
``make install``), for end-to-end tests of the HTML report.

Chromium listens on a loopback port chosen by itself (``--remote-debugging-port=0``, read back
from the profile's DevToolsActivePort file); the background-networking flags keep it from
reaching out, which on a closed network would only fail."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import websocket

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--remote-debugging-port=0"]


def executable() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        raise RuntimeError("Chromium is not installed: `make install` installs Debian's "
                           "chromium package")
    return exe


class Chromium:
    """``with Chromium() as c: c.call("Page.navigate", url=...)`` — one page, its events."""

    def __init__(self, width: int = 1280, height: int = 1800, timeout: float = 30.0):
        self.size = (width, height)
        self.timeout = timeout
        self.events: list[dict] = []
        self._id = 0

    def __enter__(self) -> Chromium:
        self.profile = Path(tempfile.mkdtemp(prefix="peakpath-chromium-"))
        self.log = open(self.profile / "chromium.log", "wb")  # closed in _stop
        self.proc = subprocess.Popen(
            [executable(), *FLAGS, f"--user-data-dir={self.profile}",
             f"--window-size={self.size[0]},{self.size[1]}", "about:blank"],
            stdout=self.log, stderr=subprocess.STDOUT)
        try:
            port = self._port()
            pages = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list",
                                                     timeout=self.timeout))
            page = next(p for p in pages if p["type"] == "page")
            self.ws = websocket.create_connection(page["webSocketDebuggerUrl"],
                                                  timeout=self.timeout, suppress_origin=True)
        except BaseException:
            self._stop()
            raise
        return self

    def _port(self) -> int:
        marker = self.profile / "DevToolsActivePort"
        end = time.monotonic() + self.timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Chromium exited with {self.proc.returncode}: "
                                   f"{(self.profile / 'chromium.log').read_text()[-2000:]}")
            if marker.is_file() and marker.read_text().strip():
                return int(marker.read_text().split()[0])
            time.sleep(0.05)
        raise TimeoutError("Chromium did not open its DevTools port")

    def call(self, method: str, **params) -> dict:
        """Send one command and return its result; events that arrive meanwhile are kept."""
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self._id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_for(self, event: str) -> dict:
        """Block until ``event`` has arrived (it may have arrived already)."""
        end = time.monotonic() + self.timeout
        while True:
            for e in self.events:
                if e.get("method") == event:
                    return e
            if time.monotonic() > end:
                raise TimeoutError(f"no {event} within {self.timeout} s")
            self.events.append(json.loads(self.ws.recv()))

    def evaluate(self, expression: str):
        res = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                        awaitPromise=True)
        if "exceptionDetails" in res:
            raise RuntimeError(f"script failed: {res['exceptionDetails']}")
        return res["result"].get("value")

    def __exit__(self, *exc) -> None:
        self._stop()

    def _stop(self) -> None:
        ws = getattr(self, "ws", None)
        if ws is not None:
            ws.close()
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)
