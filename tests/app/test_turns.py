import threading
import time

from app.turns import PageTurns


def _ask(line, page, name, order, started, hold=0.0):
    with line.turn(page) as turn:
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
    assert line._pages == {}


def test_an_abandoned_question_does_not_hold_up_the_next():
    line = PageTurns()
    first = line.turn("p")
    t1 = first.__enter__()
    second = line.turn("p")
    t2 = second.__enter__()  # sent while the first runs; its page is then closed before it ran
    third = line.turn("p")
    t3 = third.__enter__()
    assert (t1.behind(), t2.behind(), t3.behind()) == (2, 1, 0)
    second.__exit__(None, None, None)
    first.__exit__(None, None, None)
    t3.wait()  # returns: the abandoned second one is passed over
    assert t3.given is t1.given
    third.__exit__(None, None, None)
    assert line._pages == {}


def test_calls_from_outside_a_page_never_wait():
    line = PageTurns()
    with line.turn(None) as a, line.turn(None) as b:
        assert not a.waiting and not b.waiting and a.given is not b.given
        b.wait()
