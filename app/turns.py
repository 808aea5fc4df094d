"""One browser page's questions answered one at a time, in the order they were sent.

A page sends its conversation store with every question. A second question sent while the first is
being answered carries the store from before the first answer; answered side by side, whichever
finished last would overwrite the other's answer in the browser. So each page's questions wait in
line: a question waits for the ones sent before it, and starts from the answers they gave
(`Turn.given`). Questions of different pages still run side by side.

The order is the page's own: the browser numbers the questions it sends (1, 2, 3, … from the page's
load). The order in which the server's worker threads happen to pick up two requests sent a moment
apart is not the order they were sent in. A number that has not reached the server (a request lost
on the way) holds the line up for `GAP_WAIT` seconds at most, then is passed over; if it comes after
all, it runs on its own, at once."""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass, field

GAP_WAIT = 3.0  # seconds a question waits for an earlier-numbered one that has not arrived
GIVEN_IDLE = 60.0  # seconds after which an idle page's answers are dropped: its browser has them
PAGE_IDLE = 86400.0  # seconds after which an idle page's place in line is forgotten
KEEP_GIVEN = 8  # answers kept for the page's next question to merge (merging is idempotent)


@dataclass
class _Page:
    serving: int  # the number whose question may run now
    arrived: set[int] = field(default_factory=set)  # numbers that arrived and are not yet passed
    done: set[int] = field(default_factory=set)  # of those, the finished (or abandoned) ones
    given: list[tuple[str, dict]] = field(default_factory=list)  # (conversation id, stored answer)
    touched: float = field(default_factory=time.monotonic)

    def advance(self) -> None:
        while self.serving in self.done:
            self.done.remove(self.serving)
            self.arrived.remove(self.serving)
            self.serving += 1

    @property
    def idle(self) -> bool:
        return not self.arrived


@dataclass
class Turn:
    """One question's place in its page's line."""
    _line: PageTurns
    _page: _Page
    ticket: int
    waiting: bool  # the question must wait: one sent before it is being answered, or not here yet

    @property
    def given(self) -> list[tuple[str, dict]]:
        """Answers the page's earlier questions gave; append this one's."""
        return self._page.given

    def behind(self) -> int:
        """How many of the page's questions (that reached the server) wait for this one."""
        with self._line._cond:
            return sum(1 for n in self._page.arrived if n > self.ticket and n not in self._page.done)

    def wait(self) -> None:
        """Block until the questions sent before this one have been answered (or passed over)."""
        page, cond = self._page, self._line._cond
        with cond:
            gap_since = None
            while page.serving < self.ticket:
                if page.serving in page.arrived:
                    gap_since = None
                    cond.wait()
                    continue
                gap_since = gap_since or time.monotonic()
                left = gap_since + GAP_WAIT - time.monotonic()
                if left > 0:
                    cond.wait(left)
                    continue
                # lost on the way: pass over every number before the next one that is here
                page.serving = min(n for n in page.arrived if n >= page.serving)
                page.advance()
                gap_since = None
                cond.notify_all()


class PageTurns:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._pages: dict[str, _Page] = {}

    @contextlib.contextmanager
    def turn(self, page_id: str | None, sent: int | None = None):
        """A Turn for the question numbered `sent` (1, 2, … in the order the page sent them) of the
        page `page_id`. Without a page or a number (a call from outside a browser page, or a number
        already passed over) the question gets a line of its own. The turn ends, and the next
        question may run, when the block exits, whether it answered, failed or was abandoned by a
        closed page."""
        with self._cond:
            now = time.monotonic()
            self._forget(now)
            page = self._pages.get(page_id) if page_id is not None and sent is not None else None
            if page_id is not None and sent is not None and page is None:
                # a page starts at its first number (1); one forgotten after PAGE_IDLE and back
                # waits GAP_WAIT once for the numbers it sent before
                page = self._pages[page_id] = _Page(serving=1)
            if page is None or sent < page.serving or sent in page.arrived:
                page, sent = _Page(serving=0), 0  # a line of its own
            page.arrived.add(sent)
            page.touched = now
            t = Turn(self, page, sent, page.serving < sent)
        try:
            yield t
        finally:
            with self._cond:
                page.done.add(t.ticket)
                page.advance()
                del page.given[:-KEEP_GIVEN]
                page.touched = time.monotonic()
                self._cond.notify_all()

    def _forget(self, now: float) -> None:
        for pid, page in list(self._pages.items()):
            if page.idle and now - page.touched > PAGE_IDLE:
                del self._pages[pid]
            elif page.idle and now - page.touched > GIVEN_IDLE:
                page.given.clear()
