"""Benchmark of ``ses-workbench check``: rows per second and peak memory.

    python bench/check.py [--template order-receipt] [--rows 100000] [--repeat 3] [--memory-rows 1000000]

Measures, in one run so the machine's load is the same for all:

1. rows/s of ``check_file`` on a JSON Lines file (read + parse + check; 1% of the rows miss an
   attribute, so failures are collected too) as the CLI runs it now: orjson, one worker process
   per CPU (target >= 100,000 rows/s on the 8 KB order-receipt sample, 2 CPUs);
2. the same file through the previous path, one process with the standard library's ``json``
   (``workers=1, fast_json=False``): the peer the ratio is taken against; and one process with orjson;
   each configuration ``--repeat`` times, interleaved, every run recorded (the spread is reported);
3. the same with every row fully rendered (``--no-fast``), for comparison;
4. rows/s of ``check_rows`` on rows already in memory (the notebook's case);
5. CPU per row of each speed run: process time (user + system) of this process and of the worker
   processes it waited for, over the rows, so the load others put on the machine does not count;
   ``--baseline OLD_CHECK_PY`` measures another version of ``ses_workbench/check.py`` (e.g.
   ``git show REV:ses_workbench/check.py > /tmp/old.py``) the same way, interleaved with the others;
6. peak RSS of a fresh process checking ``--memory-rows`` rows of JSON Lines with its workers:
   the checking process's VmHWM and the largest worker's ``ru_maxrss`` (target < 200 MB each).
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import ROOT, write_section

SAMPLES = ROOT / "sample_templates"


def _drop_one(data: Any, i: int) -> Any:
    """A copy of ``data`` with one required top-level key removed (a row SES would drop)."""
    bad = copy.deepcopy(data)
    if isinstance(bad, dict) and bad:
        keys = sorted(k for k, v in bad.items()
                      if isinstance(v, (str, int, float)) and not isinstance(v, bool))
        if keys:
            del bad[keys[i % len(keys)]]
    return bad


def make_rows(tpl: Any, n: int, fail_every: int = 100) -> Any:
    """``n`` rows cycling through the template's fixtures; every ``fail_every``-th row loses a key."""
    fixtures = [fx.data for fx in tpl.fixtures.values()]
    lines = [json.dumps(d, separators=(",", ":")).encode() + b"\n" for d in fixtures]
    bad = [json.dumps(_drop_one(d, i), separators=(",", ":")).encode() + b"\n"
           for i, d in enumerate(fixtures)]
    for i in range(n):
        if fail_every and i % fail_every == fail_every - 1:
            yield bad[i % len(bad)]
        else:
            yield lines[i % len(lines)]


def write_jsonl(path: Path, tpl: Any, n: int) -> int:
    size = 0
    with open(path, "wb") as fh:
        buf: list[bytes] = []
        for line in make_rows(tpl, n):
            buf.append(line)
            if len(buf) >= 10_000:
                chunk = b"".join(buf)
                fh.write(chunk)
                size += len(chunk)
                buf.clear()
        chunk = b"".join(buf)
        fh.write(chunk)
        size += len(chunk)
    return size


def _rss_mb() -> float:
    """Peak RSS of this process (``ru_maxrss``) in MB."""
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / (1024 * 1024) if sys.platform == "darwin" else r / 1024


def _hwm_mb() -> float | None:
    """VmHWM from /proc (peak RSS of this process image only), where available."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _memory_child(project: str, name: str, data: str) -> None:
    """Run in a fresh interpreter: check the file (workers as the CLI picks them), print RSS figures."""
    from ses_workbench.check import check_file
    from ses_workbench.project import Project

    tpl = Project.load(project).get(name)
    tpl.compose()
    base = _rss_mb()
    t0 = time.perf_counter()
    report = check_file(tpl, data)
    secs = time.perf_counter() - t0
    hwm = _hwm_mb()
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest worker's peak
    print(json.dumps({"rows": report.rows, "failing": report.failing, "kept": len(report.failures),
                      "baseline_mb": round(base, 1), "peak_mb": round(_rss_mb(), 1),
                      "seconds": round(secs, 2), "workers": report.workers,
                      "vmhwm_mb": round(hwm, 1) if hwm is not None else None,
                      "worker_peak_mb": round(kids, 1), "fast_path": report.fast_path}))


SECTION = "## Batch check — `bench/check.py`"
TARGET = 100_000


def _spread(values: list[float]) -> str:
    vs = sorted(round(v) for v in values)
    return ", ".join(f"{v:,}" for v in vs)


def _spread_f(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in sorted(values))


def write_results(fig: dict[str, Any], args: argparse.Namespace) -> None:
    """Replace (or append) this benchmark's section of bench/RESULTS.md, leaving the others alone."""
    import datetime

    day = datetime.date.today().isoformat()
    mem = ""
    if args.memory_rows:
        hwm = fig.get("memory_vmhwm_mb")
        peak = max(hwm if hwm is not None else fig["memory_peak_mb"], fig["memory_worker_peak_mb"])
        ok_mem = "met" if peak < 200 else "NOT met"
        mem = (f"| peak memory, {fig['memory_rows']:,} rows of JSON Lines ({fig['memory_file_mb']:,} MB), "
               f"fresh process, {fig['memory_workers']} workers, {fig['memory_rows_per_s']:,} rows/s "
               f"| **{hwm} MB** checking process (VmHWM), **{fig['memory_worker_peak_mb']} MB** largest "
               f"worker (ru_maxrss) | < 200 MB | {ok_mem} |\n")
    new, peer, one = fig["new_runs"], fig["peer_runs"], fig["one_runs"]
    cpu, cpu_med, st = fig["cpu_runs"], fig["cpu_median"], fig["stages"]
    base_label = args.baseline_label or "the baseline (`--baseline`: another `check.py`)"
    ceiling = fig["cpus"] * 1e6 / cpu_med["new"]
    ok_speed = "met" if fig["new_median"] >= TARGET else "NOT met"
    w = fig["new_workers"]
    table = "\n".join([
        f"| `check_file` as the CLI runs it: orjson, {w} worker processes "
        f"| **{fig['new_median']:,} rows/s** ({_spread(new)}) | >= {TARGET:,} rows/s | {ok_speed} |",
        "| the previous path, the peer: one process, standard `json` (`workers=1, fast_json=False`) "
        f"| {fig['peer_median']:,} rows/s ({_spread(peer)}) | | |",
        f"| one process, orjson (`workers=1`) | {fig['one_median']:,} rows/s ({_spread(one)}) | | |",
        f"| ratio now / peer (medians; run by run {fig['ratio_min']:.2f}–{fig['ratio_max']:.2f}) "
        f"| **{fig['ratio']:.2f}x** | | |",
        f"| ratio one process orjson / peer | {fig['one_median'] / fig['peer_median']:.2f}x | | |",
        f"| CPU per row, `check_file` with {w} workers (process time of the checking process and its "
        f"workers) | **{cpu_med['new']:.2f} µs** ({_spread_f(cpu['new'])}) | | |",
        f"| CPU per row, the peer | {cpu_med['peer']:.2f} µs ({_spread_f(cpu['peer'])}) | | |",
        f"| CPU per row, one process, orjson | {cpu_med['one']:.2f} µs ({_spread_f(cpu['one'])}) | | |",
        *([f"| {base_label}, {w} worker processes "
           f"| {fig['base_median']:,} rows/s ({_spread(fig['base_runs'])}); CPU {cpu_med['base']:.2f} µs "
           f"per row ({_spread_f(cpu['base'])}) | | |"] if fig.get("base_runs") else []),
        f"| same file, every row fully rendered (`--no-fast`, {w} workers) "
        f"| {fig['render_rows_per_s']:,} rows/s | | |",
        "| `check_rows` on rows already in memory (notebook case) "
        f"| {fig['in_memory_rows_per_s']:,} rows/s | | |",
    ])
    text = f"""{SECTION}

Measured by `python bench/check.py --write-results` on {day} ({fig['machine']}, CPython {fig['python']},
{fig['cpus']} CPUs shared with other work: load average {fig['load_before']} before, {fig['load_after']} after
the speed runs). Template `{fig['template']}` ({fig['template_bytes']:,} bytes composed: subject + HTML +
text); rows cycle through its {fig['fixtures']} fixtures (~{fig['row_bytes']:,} bytes of JSON per row; the
fixtures have {fig['line_items']} line items), every 100th row lacks a value SES requires.
{fig['fast_rows']:,} rows ({fig['file_bytes'] / 1e6:,.0f} MB) per run; {fig['repeat']} runs of each
configuration, interleaved.

| measure | median (all runs) | target | |
|---|---:|---:|---|
{table}
{mem}
- Every run's report equals the peer's (counts, failing rows in order, reasons): {fig['reports_equal']}.
  At {cpu_med['new']:.2f} µs of CPU per row as measured here, {fig['cpus']} entirely free CPUs would give
  at most {ceiling:,.0f} rows/s (less the time workers wait on each other and on the start); on a busy
  machine a row's CPU time is itself higher (caches and cores are shared).
  Fast path: {fig['fast_rendered']:,} of {fig['fast_rows']:,} rows went through the full render in the
  worker run (each worker confirms the shapes it meets itself).
- Where the time goes (one process, CPU per row, best of 2 passes, each doing one stage more):
  reading and splitting lines {st['split']:.2f} µs, parsing (orjson) {st['parse'] - st['split']:.2f} µs,
  the shape signature (straight-line Python generated from the template's references)
  {st['signature'] - st['parse']:.2f} µs, the verdict lookup, the spot-check renders and the report
  {st['check'] - st['signature']:.2f} µs: {st['check']:.2f} µs in all. Workers read their own byte
  ranges of the file (lines are views of the block read, not copies), so only offsets and small
  reports cross between processes; the machine's other load takes its share of the 2 CPUs, so the
  wall figures move with it (see the spread; the CPU figures much less).
- Memory: lines are split by a bounded reader (a line over 1 MiB is counted, never held), at most two
  chunks per worker are in flight and failures are capped (1,000 kept, counts exact).
  `tests/check/test_cli_user.py` asserts the checking process's bound in CI: 1,000,000 JSON Lines rows
  through the CLI with stderr on a pty (progress bar drawn), peak RSS < 100 MB.
"""
    notes = "".join(f"- {note}\n" for note in args.note)
    write_section(SECTION, text + notes)


def _cpu() -> float:
    """Process time of this process and of the children it has waited for (the check's workers)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _rate(tpl: Any, data: Path, *, module: Any = None, **kw: Any) -> tuple[float, float, Any]:
    """rows/s (wall), CPU µs per row, and the report of one ``check_file`` run."""
    if module is None:
        from ses_workbench import check as module

    c0, t0 = _cpu(), time.perf_counter()
    rep = module.check_file(tpl, data, **kw)
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    return rep.rows / wall, cpu / rep.rows * 1e6, rep


def _stages(tpl: Any, data: Path, rows: int, passes: int = 2) -> dict[str, float]:
    """CPU µs per row of each stage of a one-process check of ``data`` (best of ``passes``), each pass
    doing one stage more: read and split the lines, parse them (orjson), compute the rows' shape
    signatures, then the whole check (verdict lookup, spot-check renders, the report)."""
    from ses_workbench import check as ck
    from ses_workbench.render import compile_content

    compiled = compile_content(tpl.compose())
    checker = ck.RowChecker(compiled)
    projector = checker._projector
    assert projector is not None
    signature = projector.signature

    def lines(fh: Any) -> Any:
        return ck._split_lines(fh, ck._Counter(), views=True)

    def split(fh: Any) -> None:
        for _ in lines(fh):
            pass

    def parse(fh: Any) -> None:
        for _ in ck._jsonl_rows(lines(fh), True, records=True):
            pass

    def sign(fh: Any) -> None:
        for row in ck._jsonl_rows(lines(fh), True, records=True):
            if type(row) is tuple:
                signature(row[1])

    def full(fh: Any) -> None:
        ck.check_rows(compiled, ck._jsonl_rows(lines(fh), True, records=True), _checker=checker,
                      _records=True)

    out: dict[str, float] = {}
    for name, fn in (("split", split), ("parse", parse), ("signature", sign), ("check", full)):
        best = float("inf")
        for _ in range(passes):
            with open(data, "rb") as fh:
                t0 = time.process_time()
                fn(fh)
                best = min(best, time.process_time() - t0)
        out[name] = best / rows * 1e6
    return out


def _load_baseline(path: str) -> Any:
    """Another version of ``ses_workbench/check.py``, as a module of its own (it imports the rest of
    the package as it is now); its workers are forked, so nothing of it needs to be importable."""
    spec = importlib.util.spec_from_file_location("_baseline_check", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _same(a: Any, b: Any) -> bool:
    keep = ("seconds", "rows_per_second", "rendered", "workers")
    da = {k: v for k, v in a.to_dict().items() if k not in keep}
    db = {k: v for k, v in b.to_dict().items() if k not in keep}
    return da == db


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--project", default=str(SAMPLES))
    ap.add_argument("--template", default="order-receipt")
    ap.add_argument("--rows", type=int, default=100_000, help="rows for the speed runs")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each configuration (all are reported)")
    ap.add_argument("--render-rows", type=int, default=20_000, help="rows for the full-render comparison")
    ap.add_argument("--memory-rows", type=int, default=1_000_000, help="rows for the memory run (0: skip)")
    ap.add_argument("--baseline", metavar="OLD_CHECK_PY",
                    help="also measure this other version of ses_workbench/check.py, interleaved")
    ap.add_argument("--baseline-label", help="what the baseline is, for RESULTS.md")
    ap.add_argument("--note", action="append", default=[], help="a line added to the section (repeatable)")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    ap.add_argument("--write-results", action="store_true",
                    help="replace this benchmark's section of RESULTS.md")
    ap.add_argument("--_memory-child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._memory_child:
        _memory_child(*args._memory_child)
        return 0

    import statistics

    from ses_workbench.check import check_file, check_rows
    from ses_workbench.project import Project
    from ses_workbench.render import compile_content

    tpl = Project.load(args.project).get(args.template)
    content = tpl.compose()
    compiled = compile_content(content)
    fig: dict[str, Any] = {
        "template": args.template, "template_bytes": content.size_bytes + len(content.subject.encode()),
        "fixtures": len(tpl.fixtures), "python": platform.python_version(), "machine": platform.machine(),
        "line_items": ", ".join(str(len(fx.data.get("items") or [])) for fx in tpl.fixtures.values()
                                if isinstance(fx.data, dict)),
    }
    with tempfile.TemporaryDirectory() as tmp:
        # Memory first, while this process is still small: Linux carries the parent's peak RSS
        # over fork+exec into the child's ru_maxrss, so a big parent would inflate the figure.
        if args.memory_rows:
            big = Path(tmp) / "big.jsonl"
            fig["memory_file_mb"] = round(write_jsonl(big, tpl, args.memory_rows) / 1e6, 1)
            fig["memory_parent_mb"] = round(_rss_mb(), 1)
            out = subprocess.run(
                [sys.executable, __file__, "--_memory-child", args.project, args.template, str(big)],
                capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "0"})
            mem = json.loads(out.stdout.strip().splitlines()[-1])
            fig.update({f"memory_{k}": v for k, v in mem.items()})
            fig["memory_rows_per_s"] = round(mem["rows"] / mem["seconds"]) if mem["seconds"] else None
            big.unlink()

        data = Path(tmp) / "rows.jsonl"
        fig["file_bytes"] = write_jsonl(data, tpl, args.rows)
        fig["row_bytes"] = round(fig["file_bytes"] / args.rows)

        check_file(tpl, data, workers=1)  # warm-up (page cache, compile cache)
        baseline = _load_baseline(args.baseline) if args.baseline else None
        fig["load_before"] = round(os.getloadavg()[0], 1)
        new: list[float] = []
        peer: list[float] = []
        one: list[float] = []
        base: list[float] = []
        cpu: dict[str, list[float]] = {"new": [], "peer": [], "one": [], "base": []}
        equal = True
        rep = None
        for _ in range(args.repeat):  # interleaved: each configuration sees the same moments of load
            r, c, ref = _rate(tpl, data, workers=1, fast_json=False)
            peer.append(r)
            cpu["peer"].append(c)
            r, c, rep1 = _rate(tpl, data, workers=1)
            one.append(r)
            cpu["one"].append(c)
            r, c, rep = _rate(tpl, data)
            new.append(r)
            cpu["new"].append(c)
            equal = equal and _same(rep, ref) and _same(rep1, ref)
            if baseline is not None:
                r, c, rep_b = _rate(tpl, data, module=baseline)
                base.append(r)
                cpu["base"].append(c)
                equal = equal and _same(rep_b, ref)
        fig["load_after"] = round(os.getloadavg()[0], 1)
        fig["cpu_runs"] = cpu
        fig["cpu_median"] = {k: round(statistics.median(v), 2) for k, v in cpu.items() if v}
        if base:
            fig["baseline"] = args.baseline
            fig["base_runs"] = base
            fig["base_median"] = round(statistics.median(base))
        assert rep is not None
        fig["new_runs"], fig["peer_runs"], fig["one_runs"] = new, peer, one
        fig["new_median"] = round(statistics.median(new))
        fig["peer_median"] = round(statistics.median(peer))
        fig["one_median"] = round(statistics.median(one))
        fig["ratio"] = fig["new_median"] / fig["peer_median"]
        ratios = [n / p for n, p in zip(new, peer, strict=True)]
        fig["ratio_min"], fig["ratio_max"] = min(ratios), max(ratios)
        fig["new_workers"] = rep.workers
        fig["reports_equal"] = equal
        fig["repeat"] = args.repeat
        fig["fast_rows"], fig["fast_failing"], fig["fast_rendered"] = rep.rows, rep.failing, rep.rendered
        fig["fast_path"] = rep.fast_path

        fig["stages"] = _stages(tpl, data, args.rows)

        r, _c, _ = _rate(tpl, data, fast=False)
        fig["render_rows_per_s"] = round(r)

        rows = [json.loads(line) for line in make_rows(tpl, min(args.rows, 50_000))]
        t0 = time.perf_counter()
        rep_m = check_rows(compiled, rows, template=tpl)
        fig["in_memory_rows_per_s"] = round(rep_m.rows / (time.perf_counter() - t0))
        del rows

    fig["cpus"] = os.cpu_count()
    if args.write_results:
        write_results(fig, args)
    if args.json:
        print(json.dumps(fig, indent=2))
    else:
        print(f"template {fig['template']}: {fig['template_bytes']:,} bytes, rows ~{fig['row_bytes']} bytes "
              f"of JSON ({fig['fixtures']} fixtures, 1% failing); "
              f"load {fig['load_before']} -> {fig['load_after']}")
        print(f"now ({fig['new_workers']} workers, orjson): {fig['new_median']:>9,} rows/s  "
              f"runs {_spread(new)}")
        print(f"peer (1 process, json):   {fig['peer_median']:>9,} rows/s  runs {_spread(peer)}")
        print(f"1 process, orjson:        {fig['one_median']:>9,} rows/s  runs {_spread(one)}")
        print("CPU us/row (median): " + ", ".join(f"{k} {v:.2f}" for k, v in fig["cpu_median"].items()))
        if fig.get("base_runs"):
            print(f"baseline ({fig['baseline']}): {fig['base_median']:>9,} rows/s  runs {_spread(base)}")
        print("stages, one process, CPU us/row: "
              + ", ".join(f"{k} {v:.2f}" for k, v in fig["stages"].items()))
        print(f"ratio now/peer: {fig['ratio']:.2f}x (run by run {fig['ratio_min']:.2f}-"
              f"{fig['ratio_max']:.2f}); reports equal: {equal}")
        print(f"render all ({fig['new_workers']} workers): {fig['render_rows_per_s']:,} rows/s; "
              f"check_rows in memory: {fig['in_memory_rows_per_s']:,} rows/s")
        if args.memory_rows:
            print(f"memory, {fig['memory_rows']:,} rows JSONL ({fig['memory_file_mb']} MB), "
                  f"{fig['memory_workers']} workers: VmHWM {fig['memory_vmhwm_mb']} MB, largest worker "
                  f"{fig['memory_worker_peak_mb']} MB, {fig['memory_seconds']} s, "
                  f"{fig['memory_failing']:,} failing")
        print(f"target >= {TARGET:,} rows/s: {'met' if fig['new_median'] >= TARGET else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
