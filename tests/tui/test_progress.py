"""The progress callback the TUI hands to the core forwards at most a few updates a second, always the
first and the last step: a fast push must not spend the event loop redrawing the bar."""

from __future__ import annotations

from typing import Any

from ses_workbench.tui.flows import SesProgress


class _Bar:
    def __init__(self) -> None:
        self.shown: list[tuple[Any, ...]] = []

    def show(self, *args: Any) -> None:
        self.shown.append(args)


def test_a_burst_of_steps_shows_the_first_and_the_last() -> None:
    app = _Bar()
    clock = {"now": 100.0}
    progress = SesProgress(app.show, "Pushing", clock=lambda: clock["now"])
    for done in range(101):  # 100 steps within 0.1 s
        progress(done, 100, f"t{done}")
        clock["now"] += 0.001
    assert app.shown == [("Pushing", 0, 100, "t0"), ("Pushing", 100, 100, "t100")]


def test_slow_steps_are_all_shown() -> None:
    app = _Bar()
    clock = {"now": 100.0}
    progress = SesProgress(app.show, "Pushing", clock=lambda: clock["now"])
    for done in range(5):  # one step a second, as at SES's default template rate
        progress(done, 4, "x")
        clock["now"] += 1.0
    assert [args[1] for args in app.shown] == [0, 1, 2, 3, 4]
