"""TUI latency benchmark: keystroke → preview, file change → preview, cold start → first screen.

Runs the workbench headless (Textual's ``run_test``) on a copy of ``sample_templates/`` with the 8 KB
``order-receipt`` template open, against nothing remote (no SES connection: the preview path only).

* keystroke → preview: time from a key event reaching the app (as a terminal driver posts it) to the
  compositor drawing the reading view with the render that includes it (typing at ~8 keys/s);
* file change → preview: time from an atomic write of ``body.html`` by "another editor" to the
  compositor drawing the new text (watcher thread → coalesced message → render worker → view);
* cold start: wall time of a fresh ``python`` process that imports the app, mounts it and shows the first
  rendered preview (then exits);
* keystroke → preview during a push: a second headless app on a project of 100 templates (copies of
  ``order-receipt`` under generated names) connected to the embedded local endpoint, paced at
  ``template_ops_per_second`` = 10; the push runs through the app's own push-all action and ``_push``
  worker (the modal's confirm is triggered programmatically), and keystrokes are measured as above while
  that worker creates the 100 templates.

Usage: ``python bench/tui.py [--keys N] [--files N] [--starts N] [--push-templates N]``; prints a Markdown
table.
Targets (issue 4): keystroke p95 < 50 ms, file change p95 < 200 ms, start < 1.5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import ses_workbench.tui  # noqa: F401 - before textual loads: it sets the workbench's frame rate

if TYPE_CHECKING:
    from textual.widgets import TextArea

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_templates"
TEMPLATE = "order-receipt"
TYPED = "lorem ipsum dolor sit amet consectetur "


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def copy_samples() -> Path:
    target = Path(tempfile.mkdtemp(prefix="ses-wb-bench-")) / "samples"
    shutil.copytree(SAMPLES, target, ignore=shutil.ignore_patterns(".ses-workbench"))
    return target



def put_cursor_in_greeting(editor: TextArea) -> None:
    """Cursor inside a visible paragraph of the body: before ``{{customer.firstName}}`` in the greeting."""
    source = editor.text
    anchor = source.find("{{customer.firstName}}")
    editor.cursor_location = (source.count("\n", 0, anchor), anchor - (source.rfind("\n", 0, anchor) + 1))

async def painted(view: object, started: float) -> float:
    """Seconds from ``started`` until the compositor drew the view's newest lines."""
    generation = view.generation  # type: ignore[attr-defined]
    for _ in range(500):
        if view.painted_generation >= generation and view.painted_at >= started:  # type: ignore[attr-defined]
            return float(view.painted_at) - started  # type: ignore[attr-defined]
        await asyncio.sleep(0.001)
    raise TimeoutError("the preview was never painted")


async def measure_app(keys: int, files: int) -> tuple[list[float], list[float], dict[str, float]]:
    from textual import events

    from ses_workbench.tui.app import WorkbenchApp

    root = copy_samples()
    app = WorkbenchApp(root, connect=False, watch=True, browser=False)
    extra_info: dict[str, object] = {}
    key_ms: list[float] = []
    applied_ms: list[float] = []
    file_ms: list[float] = []
    render_ms: list[float] = []
    async with app.run_test(size=(160, 45)) as pilot:
        applied = asyncio.Event()
        marker: dict[str, object] = {"seq": 0, "text": None}

        def listener(outcome: object) -> None:
            render_ms.append(getattr(outcome, "elapsed_ms", 0.0))
            text = marker["text"]
            if text is not None and text not in app.main.view("read").plain_text():
                return
            if getattr(outcome, "seq", 0) > int(marker["seq"]):  # type: ignore[call-overload]
                applied.set()

        app.main.preview_listeners.append(listener)
        app.main.open_template(TEMPLATE)
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        view = app.main.view("read")
        editor = app.main.editor("html")
        editor.focus()
        put_cursor_in_greeting(editor)
        # steady state: the render process (started after the first preview) is up
        for _ in range(200):
            if app.main.render_process is None or app.main.render_process.alive:
                break
            await asyncio.sleep(0.05)
        extra_info["render process"] = app.main.render_process_alive
        # Two unmeasured keys first: the buffer stays dirty while measuring (like real typing).
        app.post_message(events.Key("z", "z"))
        app.post_message(events.Key("z", "z"))
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)

        for index in range(keys):
            # ~8 keys a second, like fast typing; the key goes in the way a terminal driver delivers it
            await asyncio.sleep(0.12)
            applied.clear()
            marker["seq"] = app.main.preview_seq
            marker["text"] = None
            # always a new letter: every keystroke is new content (no compile-cache hit from undoing it)
            char = TYPED[index % len(TYPED)]
            key = "space" if char == " " else char
            started = time.perf_counter()
            app.post_message(events.Key(key, char))
            await asyncio.wait_for(applied.wait(), 5)
            applied_ms.append((time.perf_counter() - started) * 1000)
            key_ms.append((await painted(view, started)) * 1000)

        # external edits: rewrite body.html with a changing word, as another editor would (atomic).
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        body = root / TEMPLATE / "body.html"
        original = body.read_text(encoding="utf-8")
        for index in range(files):
            word = f"Benchmarkword{index}"
            text = original.replace("{{customer.firstName}}", f"{word} {{{{customer.firstName}}}}", 1)
            applied.clear()
            marker["seq"] = app.main.preview_seq
            marker["text"] = word
            tmp = body.with_suffix(".tmp-bench")
            started = time.perf_counter()
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, body)
            await asyncio.wait_for(applied.wait(), 5)
            file_ms.append((await painted(view, started)) * 1000)
            await asyncio.sleep(0.1)
    shutil.rmtree(root.parent, ignore_errors=True)
    extra = {"render_worker_p50": pct(render_ms, 0.5), "render_worker_p95": pct(render_ms, 0.95),
             "applied_p50": pct(applied_ms, 0.5), "applied_p95": pct(applied_ms, 0.95),
             "render_process": extra_info.get("render process", False)}
    return key_ms, file_ms, extra


def push_project(count: int, rate: float) -> Path:
    """A temp project: sample_templates/ minus its templates, plus ``count`` copies of ``order-receipt``.

    ``order-receipt`` itself stays (it is the one typed into) and ``count - 1`` copies are named
    ``receipt-copy-NNN``; the local endpoint's template rate is set to ``rate`` calls/s."""
    root = copy_samples()
    for folder in root.iterdir():
        if folder.is_dir() and (folder / "body.html").exists() and folder.name != TEMPLATE:
            shutil.rmtree(folder)
    for index in range(1, count):
        shutil.copytree(root / TEMPLATE, root / f"receipt-copy-{index:03d}")
    config = root / "ses-workbench.toml"
    text = re.sub(r"(?m)^template_ops_per_second = .*$", f"template_ops_per_second = {rate:g}",
                  config.read_text(encoding="utf-8"))
    config.write_text(text, encoding="utf-8")
    return root


async def measure_push(count: int, rate: float, pace: float) -> dict[str, object]:
    """Keystroke → preview drawn while the app's push worker creates ``count`` templates at ``rate``/s."""
    from textual import events

    from ses_workbench.tui.app import WorkbenchApp
    from ses_workbench.tui.screens.diff import DiffScreen

    root = push_project(count, rate)
    app = WorkbenchApp(root, local=True, watch=True, browser=False)
    key_ms: list[float] = []
    plan_ms: list[float] = []
    out: dict[str, object] = {"templates": 0}

    async def until(condition: object, timeout: float, what: str) -> None:
        deadline = time.perf_counter() + timeout
        while not condition():  # type: ignore[operator]
            if time.perf_counter() > deadline:
                raise TimeoutError(f"timed out waiting for {what}")
            await asyncio.sleep(0.02)

    def running(group: str) -> bool:
        return any(w.group == group and w.is_running for w in app.workers)

    async with app.run_test(size=(160, 45)) as pilot:
        applied = asyncio.Event()
        marker = {"seq": 0}

        def listener(outcome: object) -> None:
            if getattr(outcome, "seq", 0) > marker["seq"]:
                applied.set()

        app.main.preview_listeners.append(listener)
        out["templates"] = len(app.project.templates)
        await until(lambda: app.ses is not None, 30, "the SES connection")
        await until(lambda: not running("ses-status") and not running("ses-connect"), 60, "the first status")
        app.main.open_template(TEMPLATE)
        await until(lambda: not app.main.preview_busy and app.main.view("read").plain_text(), 20,
                    "the first preview")
        await until(lambda: app.main.render_process_alive, 20, "the render process")
        await pilot.pause(0.3)
        view = app.main.view("read")
        editor = app.main.editor("html")
        editor.focus()
        put_cursor_in_greeting(editor)
        app.post_message(events.Key("z", "z"))
        app.post_message(events.Key("z", "z"))
        await until(lambda: not app.main.preview_busy, 10, "the warm-up preview")
        await pilot.pause(0.3)

        index = 0

        async def one_key() -> float | None:
            """Type one character; ms until its preview is drawn (None if a modal took the key)."""
            nonlocal index
            applied.clear()
            marker["seq"] = app.main.preview_seq
            char = TYPED[index % len(TYPED)]
            index += 1
            started = time.perf_counter()
            app.post_message(events.Key("space" if char == " " else char, char))
            try:
                await asyncio.wait_for(applied.wait(), 5)
            except TimeoutError:
                if isinstance(app.screen, DiffScreen):
                    return None  # the modal opened as the key was sent: it went there
                raise
            return await painted(view, started) * 1000

        # The push, as the key/palette runs it: push-all saves the edits, starts the `_push` worker,
        # which plans (compose + lint of every template) and asks with the diff modal.  Type all along.
        plan_started = time.perf_counter()
        app.flows.push_all()
        while not (isinstance(app.screen, DiffScreen) and app.screen.is_mounted):
            await asyncio.sleep(pace)
            if isinstance(app.screen, DiffScreen) or not running("ses-push"):
                continue
            ms = await one_key()
            if ms is not None:
                plan_ms.append(ms)
            if time.perf_counter() - plan_started > 120:
                raise TimeoutError("timed out waiting for the push modal")
        out["plan_s"] = time.perf_counter() - plan_started
        await pilot.pause(0.1)
        calls_before = dict(app.ses.stats)  # type: ignore[union-attr]
        app.screen.action_confirm()  # type: ignore[attr-defined]
        confirmed = time.perf_counter()
        await until(lambda: not isinstance(app.screen, DiffScreen), 10, "the modal to close")
        editor.focus()
        await pilot.pause(0.05)
        ended = None
        while running("ses-push"):
            await asyncio.sleep(pace)
            if not running("ses-push"):
                break
            ms = await one_key()
            if not running("ses-push") and ended is None:
                ended = time.perf_counter()  # finished while this key was in flight: still counted
            if ms is not None:
                key_ms.append(ms)
        ended = ended or time.perf_counter()
        out["push_s"] = ended - confirmed
        stats_at_end = dict(app.ses.stats)  # type: ignore[union-attr]
        # The worker ends with a status refresh of what it pushed (another worker): let it finish.
        await until(lambda: not any(w.is_running for w in app.workers), 120, "the status refresh")
        client = app.ses
        assert client is not None
        out["remote"] = len(await asyncio.to_thread(client.list_templates))
        stats = dict(client.stats)
        out["calls"] = stats_at_end["calls"] - calls_before["calls"]  # the creates (+ what ran alongside)
        out["throttled"] = stats["throttled"]  # whole session, status refreshes included
        out["retried"] = stats["retried"]
    shutil.rmtree(root.parent, ignore_errors=True)
    out["key_ms"] = key_ms
    out["plan_key_ms"] = plan_ms
    return out


COLD_START = r"""
import asyncio, sys, time
t0 = time.perf_counter()
from ses_workbench.tui.app import WorkbenchApp
async def main():
    app = WorkbenchApp(sys.argv[1], connect=False, watch=True, browser=False)
    done = asyncio.Event()
    app.main.preview_listeners.append(lambda outcome: done.set())
    async with app.run_test(size=(120, 40)):
        await asyncio.wait_for(done.wait(), 10)
asyncio.run(main())
"""


def measure_cold_start(runs: int) -> list[float]:
    root = copy_samples()
    out: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", COLD_START, str(root)], check=True, cwd=ROOT)
        out.append(time.perf_counter() - started)
    shutil.rmtree(root.parent, ignore_errors=True)
    return out


SECTION = "## TUI latency — `bench/tui.py`"


def write_results(body: str) -> None:
    """Replace (or append) this benchmark's section of bench/RESULTS.md, leaving the others alone."""
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    section = f"{SECTION}\n\n{body.strip()}\n"
    if SECTION in text:
        start = text.index(SECTION)
        nxt = text.find("\n## ", start + len(SECTION))
        text = text[:start] + section + ("\n" + text[nxt + 1:] if nxt != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=200)
    parser.add_argument("--files", type=int, default=30)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--push-templates", type=int, default=100, help="0 skips the push measurement")
    parser.add_argument("--push-rate", type=float, default=10.0, help="local template_ops_per_second")
    parser.add_argument("--push-pace", type=float, default=0.04,
                        help="pause (s) between one key's preview being drawn and the next key")
    parser.add_argument("--write-results", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args()
    size = (SAMPLES / TEMPLATE / "body.html").stat().st_size
    load_before = os.getloadavg()[0]
    key_ms, file_ms, extra = asyncio.run(measure_app(args.keys, args.files))
    starts = measure_cold_start(args.starts)
    push = (asyncio.run(measure_push(args.push_templates, args.push_rate, args.push_pace))
            if args.push_templates else None)
    load_after = os.getloadavg()[0]

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "MISS"

    lines = [
        f"Measured by `python bench/tui.py --write-results` on {time.strftime('%Y-%m-%d')} "
        f"({platform.machine()}, CPython {platform.python_version()}, textual {textual_version()}, "
        f"{os.cpu_count()} CPUs, load average "
        f"{load_before:.1f} → {load_after:.1f}); headless app 160x45 on a copy of sample_templates/, "
        f"`{TEMPLATE}` open (body.html {size:,} bytes), typing new text at ~8 keys/s into the HTML "
        f"editor (every keystroke is new content: no compile-cache hits); render process: "
        f"{'yes' if extra['render_process'] else 'no (render thread)'}.",
        "",
        "| measure | n | p50 | p95 | max | target |",
        "|---|---:|---:|---:|---:|---|",
        f"| keystroke → preview drawn | {len(key_ms)} | {pct(key_ms, .5):.1f} ms | "
        f"{pct(key_ms, .95):.1f} ms | "
        f"{max(key_ms):.1f} ms | p95 < 50 ms |",
        f"| keystroke → preview updated (lines swapped, frame pending) | {args.keys} | "
        f"{extra['applied_p50']:.1f} ms | {extra['applied_p95']:.1f} ms | – | |",
        f"| file change → preview drawn | {len(file_ms)} | {pct(file_ms, .5):.1f} ms | "
        f"{pct(file_ms, .95):.1f} ms | "
        f"{max(file_ms):.1f} ms | p95 < 200 ms |",
        f"| cold start → first preview (new process) | {len(starts)} | {statistics.median(starts):.2f} s | "
        f"{pct(starts, .95):.2f} s | {max(starts):.2f} s | < 1.5 s |",
        f"| render per preview, in the child (compose + compile + render + reading view) | – | "
        f"{extra['render_worker_p50']:.1f} ms | {extra['render_worker_p95']:.1f} ms | – | |",
        *push_rows(push),
        "",
        f"- {verdict(pct(key_ms, .95) < 50)}: keystroke → preview drawn p95 {pct(key_ms, .95):.1f} ms "
        "(target < 50 ms)",
        f"- {verdict(pct(file_ms, .95) < 200)}: file change → preview drawn p95 {pct(file_ms, .95):.1f} ms "
        "(target < 200 ms)",
        f"- {verdict(max(starts) < 1.5)}: cold start → first preview max {max(starts):.2f} s "
        "(target < 1.5 s)",
        *push_verdicts(push, verdict),
        "",
        "\"Drawn\" stops the clock when the compositor draws the reading view's new lines; \"updated\" "
        "when the app has swapped them in (Textual draws at its next frame tick; the workbench runs it at "
        "120 fps). The preview renders in a child process (`tui/render_process.py`: compose, compile, "
        "render, html2text, styled and wrapped lines) so it never competes with the event loop for the "
        "GIL; jobs are newest-wins and sent from inside the edit itself. Only the changed rows of the "
        "reading view are repainted, nothing on the keystroke path re-lays out the screen, and the app "
        "calls `gc.freeze()` and raises the collector's thresholds once loaded (full collections every "
        "~15 keystrokes had cost ~100 ms). File "
        "changes go through watchfiles (15 ms step, 80 ms max debounce).",
        "",
        "Where a keystroke's time goes: the render in the child (row above: compile of the changed 7.5 KB "
        "HTML ~7 ms — the subject and text part come from the per-part compile cache — and html2text ~5 "
        "ms), ~1 ms pickling, and on the event loop two frames: the editor's own (Textual's TextArea "
        "rebuilds its tree-sitter highlight map and repaints every visible line on each edit) and then "
        "the preview's, at the next frame tick. Profiling the event loop while typing shows those two "
        "compositor passes as its main cost; the tail beyond p50 is that work meeting scheduler noise "
        "on a 2-CPU machine.",
    ]
    lines += push_notes(push, args.push_rate, args.push_pace)
    body = "\n".join(lines)
    print(body)
    if args.write_results:
        write_results(body)
    return 0


def push_rows(push: dict[str, object] | None) -> list[str]:
    if push is None:
        return []
    key_ms: list[float] = push["key_ms"]  # type: ignore[assignment]
    plan_ms: list[float] = push["plan_key_ms"]  # type: ignore[assignment]
    rows = [f"| keystroke → preview drawn while a {push['templates']}-template push runs | {len(key_ms)} | "
            f"{pct(key_ms, .5):.1f} ms | {pct(key_ms, .95):.1f} ms | {max(key_ms):.1f} ms | p95 < 50 ms |"]
    if plan_ms:
        rows.append("| keystroke → preview drawn while that push is planned (lint + diff of all) | "
                    f"{len(plan_ms)} | {pct(plan_ms, .5):.1f} ms | {pct(plan_ms, .95):.1f} ms | "
                    f"{max(plan_ms):.1f} ms | p95 < 50 ms |")
    return rows


def push_verdicts(push: dict[str, object] | None, verdict: Callable[[bool], str]) -> list[str]:
    if push is None:
        return []
    key_ms: list[float] = push["key_ms"]  # type: ignore[assignment]
    plan_ms: list[float] = push["plan_key_ms"]  # type: ignore[assignment]
    complete = push["remote"] == push["templates"] and push["throttled"] == 0 and push["retried"] == 0
    planned = [
        f"- {verdict(pct(plan_ms, .95) < 50)}: keystroke → preview drawn while the push is planned p95 "
        f"{pct(plan_ms, .95):.1f} ms (target < 50 ms; n = {len(plan_ms)})"] if plan_ms else [
        "- NOT MEASURED: no keystroke fitted in the planning phase"]
    return [
        f"- {verdict(pct(key_ms, .95) < 50)}: keystroke → preview drawn during the push p95 "
        f"{pct(key_ms, .95):.1f} ms (target < 50 ms; n = {len(key_ms)})",
        *planned,
        f"- {verdict(complete)}: the push completed: {push['remote']} of {push['templates']} templates "
        f"on the endpoint afterwards (ListEmailTemplates), {push['calls']} SES calls from the confirm to "
        f"the worker's end, {push['throttled']} throttled and {push['retried']} retried in the whole session",
    ]


def push_notes(push: dict[str, object] | None, rate: float, pace: float) -> list[str]:
    if push is None:
        return []
    return [
        "",
        f"The push row is a second headless app (160x45, render process, watching on) on a temp project of "
        f"{push['templates']} templates — `{TEMPLATE}` and {int(push['templates']) - 1} copies of it under "  # type: ignore[call-overload]
        f"generated names — connected to the embedded local endpoint with `template_ops_per_second = "
        f"{rate:g}`. The push goes through the app's own path: `action_push_all` (the palette's "
        f"\"Push all modified\"; f2 runs the same `_push` worker for the current template) saves, the "
        f"worker plans (compose + lint of every template, then the modal listing {push['templates']} "
        f"templates with the first one's diff: {push['plan_s']:.1f} s until it was up, typing all along: "
        f"the planning row), the modal's confirm is triggered programmatically, and the push row's "
        f"keystrokes are measured while the worker then creates the "
        f"templates ({push['push_s']:.1f} s), one after the other with a {pace * 1000:.0f} ms pause after "
        f"each preview is drawn (~{len(push['key_ms']) / push['push_s']:.0f} keys/s, "  # type: ignore[arg-type, operator]
        f"to get n ≥ 100 within the push). The real account's 1 call/s would stretch the same per-call "
        f"load (one paced CreateEmailTemplate, one progress-bar update) over ~100 s instead of ~10 s; "
        f"10/s is the denser case for the event loop. The planning row has few samples (planning takes "
        f"~{push['plan_s']:.1f} s: lint runs in a child interpreter from 12 templates on, compose and diff "
        f"in the worker); its maximum is the key in flight while the modal mounts (list of "
        f"{push['templates']} templates and one diff, ~0.2 s on the event loop).",
    ]


def textual_version() -> str:
    from importlib.metadata import version

    return version("textual")


if __name__ == "__main__":
    sys.exit(main())
