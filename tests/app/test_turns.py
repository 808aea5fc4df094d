import threading
import time

from app.turns import PageTurns


def _ask(line, page, name, order, started, hold=0.0, sent=None):
    with line.turn(page, int(name[1:]) if sent is None else sent) as turn:
        started.append((name, turn.waiting))
        turn.wait()
        order.append(name)
        time.sleep(hold)


def test_one_pages_questions_run_in_the_order_sent_and_other_pages_beside_them():
    line, order, started = PageTurns(), [], []
    threads = []
    for name, page in [("a1", "a"), ("a2", "a"), ("a3", "a"), ("b1", "b")]:
        t = threading.Thread(target=_ask, args=(line, page, name, order, started, 0.2))
        t.start()
        threads.append(t)
        time.sleep(0.05)  # sent one after another, each while a1 is still being answered
    for t in threads:
        t.join()
    assert started == [("a1", False), ("a2", True), ("a3", True), ("b1", False)]
    assert order == ["a1", "b1", "a2", "a3"]  # b's question did not wait for a's
    assert all(page.idle for page in line._pages.values())


def test_an_abandoned_question_does_not_hold_up_the_next():
    line = PageTurns()
    first = line.turn("p", 1)
    t1 = first.__enter__()
    second = line.turn("p", 2)
    t2 = second.__enter__()  # sent while the first runs; its page is then closed before it ran
    third = line.turn("p", 3)
    t3 = third.__enter__()
    assert (t1.behind(), t2.behind(), t3.behind()) == (2, 1, 0)
    second.__exit__(None, None, None)
    first.__exit__(None, None, None)
    t3.wait()  # returns: the abandoned second one is passed over
    assert t3.given is t1.given
    third.__exit__(None, None, None)
    assert line._pages["p"].idle and line._pages["p"].serving == 4


def test_calls_from_outside_a_page_never_wait():
    line = PageTurns()
    with line.turn(None) as a, line.turn(None) as b:
        assert not a.waiting and not b.waiting and a.given is not b.given
        b.wait()


def test_the_order_is_the_pages_numbers_not_the_order_the_server_picks_them_up():
    line, order, started = PageTurns(), [], []
    threads = []
    for name in ("a3", "a1", "a2"):  # the server's threads pick up the page's three questions backwards
        t = threading.Thread(target=_ask, args=(line, "a", name, order, started, 0.1))
        t.start()
        threads.append(t)
        time.sleep(0.05)
    for t in threads:
        t.join()
    assert started == [("a3", True), ("a1", False), ("a2", True)]
    assert order == ["a1", "a2", "a3"]


def test_a_number_lost_on_the_way_holds_the_line_up_only_for_a_moment(monkeypatch):
    monkeypatch.setattr("app.turns.GAP_WAIT", 0.2)
    line, order, started = PageTurns(), [], []
    began = time.monotonic()
    _ask(line, "a", "a2", order, started)  # question 1 never reaches the server
    assert 0.2 <= time.monotonic() - began < 2 and order == ["a2"]
    _ask(line, "a", "a1", order, started)  # it comes after all: it runs at once, on its own
    _ask(line, "a", "a3", order, started)
    assert started == [("a2", True), ("a1", False), ("a3", False)] and order == ["a2", "a1", "a3"]
