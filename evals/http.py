"""Talking to a running policyqa server over loopback HTTP: the Gradio call and queue protocols.

Used by the load and hostile-input scripts, which drive the server as outside clients do: the JSON
routes with plain requests, the Gradio `/ask` endpoint through `/gradio_api/call/ask`, and the
browser-only events (chat box, admin tab) through Gradio's queue, the way the page itself calls them."""

from __future__ import annotations

import json
import uuid

import httpx

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class NotLoopback(ValueError):
    pass


def loopback_url(url: str) -> str:
    """The base URL without a trailing slash; NotLoopback unless it names this machine."""
    host = httpx.URL(url).host
    if host not in LOOPBACK:
        raise NotLoopback(f"{url}: these scripts only drive a server on this machine ({', '.join(LOOPBACK)})")
    return url.rstrip("/")


def healthy_server(parser, url: str) -> str | None:
    """The loopback base URL of a running, healthy policyqa server, or None after saying why on
    stderr. A non-loopback URL is a usage error (argparse exits)."""
    import sys

    try:
        base = loopback_url(url)
        httpx.get(f"{base}/healthz", timeout=10).raise_for_status()
    except NotLoopback as e:
        parser.error(str(e))
    except httpx.HTTPError as e:
        print(f"error: no healthy policyqa server at {url} ({e}); start it with `policyqa serve`", file=sys.stderr)
        return None
    return base


def call_result(lines) -> tuple[bool, object]:
    """The outcome of a `/gradio_api/call/<name>/<event>` stream: (True, output list) when it
    completed, (False, message) when the function raised."""
    event = None
    for line in lines:
        if line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:") and event in ("complete", "error"):
            data = json.loads(line[5:].strip() or "null")
            if event == "complete":
                return True, data
            if isinstance(data, dict):
                return False, data.get("error") or "error without a message"
            return False, data or "error without a message"
    return False, "the event stream ended without a result"


def gradio_call(client: httpx.Client, base: str, api_name: str, args: list) -> tuple[bool, object]:
    """Call a public Gradio endpoint (e.g. /ask) as gradio_client does, without its threads."""
    r = client.post(f"{base}/gradio_api/call/{api_name}", json={"data": args})
    if r.status_code != 200:
        return False, f"HTTP {r.status_code}: {r.text[:200]}"
    event_id = r.json()["event_id"]
    with client.stream("GET", f"{base}/gradio_api/call/{api_name}/{event_id}") as s:
        return call_result(s.iter_lines())


async def agradio_call(client: httpx.AsyncClient, base: str, api_name: str, args: list) -> tuple[bool, object]:
    """gradio_call for asyncio clients."""
    r = await client.post(f"{base}/gradio_api/call/{api_name}", json={"data": args})
    if r.status_code != 200:
        return False, f"HTTP {r.status_code}: {r.text[:200]}"
    event_id = r.json()["event_id"]
    async with client.stream("GET", f"{base}/gradio_api/call/{api_name}/{event_id}") as s:
        return call_result([line async for line in s.aiter_lines()])


class Page:
    """One browser session of the Gradio page: its events are called by index through the queue,
    with server-side state (the chat conversation, the admin login) kept under one session hash."""

    def __init__(self, client: httpx.Client, base: str):
        self.client = client
        self.base = base
        self.session = uuid.uuid4().hex
        config = client.get(f"{base}/config").json()
        self.max_file_size = config.get("max_file_size")
        self._fn = {}
        for i, dep in enumerate(config["dependencies"]):
            self._fn.setdefault(dep.get("api_name"), dep.get("id", i))

    def has(self, event: str) -> bool:
        return event in self._fn

    def call(self, event: str, data: list, timeout: float = 120) -> tuple[bool, object]:
        """Run the first event wired to `event` (e.g. respond, login, upload); (True, outputs) or (False, message)."""
        body = {"data": data, "fn_index": self._fn[event], "session_hash": self.session, "trigger_id": None,
                "event_data": None}
        r = self.client.post(f"{self.base}/gradio_api/queue/join", json=body)
        if r.status_code != 200:
            return False, f"HTTP {r.status_code}: {r.text[:200]}"
        with self.client.stream("GET", f"{self.base}/gradio_api/queue/data", params={"session_hash": self.session},
                                timeout=timeout) as s:
            for line in s.iter_lines():
                if not line.startswith("data:"):
                    continue
                msg = json.loads(line[5:])
                if msg.get("msg") == "process_completed":
                    out = msg.get("output") or {}
                    if msg.get("success"):
                        return True, out.get("data")
                    return False, out.get("error") or "refused without a message (Gradio hides it; the server log names the reason)"
        return False, "the event stream ended without a result"

    def upload(self, name: str | None, content: bytes) -> tuple[int, object]:
        """POST one file to Gradio's upload route: (200, FileData list for an event) or (status, message).
        The multipart body is built by hand so that the name arrives byte for byte as given (httpx would
        percent-encode NUL and line breaks); None sends a part without any filename attribute."""
        boundary = uuid.uuid4().hex
        disposition = b'form-data; name="files"' + (b"" if name is None else b'; filename="' + name.encode() + b'"')
        body = (f"--{boundary}\r\n".encode() + b"Content-Disposition: " + disposition
                + b"\r\nContent-Type: application/octet-stream\r\n\r\n" + content + f"\r\n--{boundary}--\r\n".encode())
        # A fresh connection: a refused upload may close it while the body is still being sent.
        with httpx.Client(timeout=self.client.timeout) as c:
            r = c.post(f"{self.base}/gradio_api/upload", content=body,
                       headers={"content-type": f"multipart/form-data; boundary={boundary}"})
        if r.status_code != 200:
            try:
                message = r.json().get("error") or r.json().get("detail") or r.text
            except ValueError:
                message = r.text
            return r.status_code, str(message).strip()
        return 200, [{"path": p, "orig_name": name or "", "meta": {"_type": "gradio.FileData"}} for p in r.json()]
