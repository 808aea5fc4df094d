"""One browser page's questions answered one at a time, in the order they were sent.

A page sends its conversation store with every question. A second question sent while the first is
being answered carries the store from before the first answer; answered side by side, whichever
finished last would overwrite the other's answer in the browser. So each page's questions take
tickets: a question waits for the ones sent before it, and starts from the answers they gave
(`Turn.given`). Questions of different pages still run side by side."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field


@dataclass
class _Page:
    issued: int = 0  # tickets handed out
    serving: int = 0  # the ticket whose question may run now
    done: set[int] = field(default_factory=set)  # finished (or abandoned) tickets not yet passed
    given: list[tuple[str, dict]] = field(default_factory=list)  # (conversation id, stored answer)


@dataclass
class Turn:
    """One question's place in its page's line."""
    _line: PageTurns
    _page: _Page
    ticket: int
    waiting: bool  # another question of the page was being answered when this one came

    @property
    def given(self) -> list[tuple[str, dict]]:
        """Answers the page's earlier questions gave since the line formed; append this one's."""
        return self._page.given

    def behind(self) -> int:
        """How many of the page's questions wait for this one."""
        with self._line._cond:
            return self._page.issued - self.ticket - 1

    def wait(self) -> None:
        """Block until the questions sent before this one have been answered."""
        with self._line._cond:
            self._line._cond.wait_for(lambda: self._page.serving == self.ticket)


class PageTurns:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._pages: dict[str, _Page] = {}

    @contextlib.contextmanager
    def turn(self, page_id: str | None):
        """A Turn for one question of the page `page_id`; None (a call from outside a browser page)
        gets a line of its own. The turn ends, and the next question may run, when the block exits,
        whether it answered, failed or was abandoned by a closed page."""
        with self._cond:
            page = self._pages.setdefault(page_id, _Page()) if page_id is not None else _Page()
            t = Turn(self, page, page.issued, page.serving < page.issued)
            page.issued += 1
        try:
            yield t
        finally:
            with self._cond:
                page.done.add(t.ticket)
                while page.serving in page.done:
                    page.done.remove(page.serving)
                    page.serving += 1
                if page.serving == page.issued:
                    self._pages.pop(page_id, None)
                self._cond.notify_all()
