"""Every sample template renders with every one of its fixtures — nothing SES would reject or drop.

Two independent renderers: our engine (once it is importable) and handlebars.js 4.7 in strict mode (the
reference SES.md names), when node and tests/hbsjs/node_modules are installed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from ses_workbench.project import PARTS, Project

ROOT = Path(__file__).resolve().parents[2]
RUN_HBS = ROOT / "tests" / "differential" / "run_hbs.js"
HBS_MODULES = ROOT / "tests" / "hbsjs" / "node_modules" / "handlebars"


def cases(project: Project) -> list[tuple[str, str, str, str, Any]]:
    """(template, fixture, part, source, data) for every sample x fixture x present part."""
    out = []
    for tpl in project.templates.values():
        content = tpl.compose()
        for fx in tpl.fixtures.values():
            for part in PARTS:
                source = content.part(part)
                if source is not None and source != "":
                    out.append((tpl.name, fx.name, part, source, fx.data))
    return out


def _walk_nulls(value: Any, path: str = "") -> list[str]:
    if value is None:
        return [path or "<root>"]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _walk_nulls(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _walk_nulls(v, f"{path}[{i}]")]
    return []


def test_fixtures_hold_no_null(sample_project: Project) -> None:
    # SES treats null as missing; samples show the safe way (leave the key out, guard with #if).
    for tpl in sample_project.templates.values():
        for fx in tpl.fixtures.values():
            assert _walk_nulls(fx.data) == [], (tpl.name, fx.name)


def test_samples_render_with_our_engine(sample_project: Project) -> None:
    from ses_workbench.engine import compile  # noqa: A004 - the engine's public name

    failures = []
    compiled: dict[tuple[str, str], Any] = {}
    for name, fixture, part, source, data in cases(sample_project):
        key = (name, part)
        try:
            if key not in compiled:
                compiled[key] = compile(source)
            rendered = compiled[key].render(data)
        except Exception as exc:  # noqa: BLE001 - report every failure at once
            failures.append(f"{name}/{part} with {fixture}: {type(exc).__name__}: {exc}")
            continue
        assert "{{" not in rendered, (name, part, fixture)
    assert failures == []


def test_samples_render_with_handlebars_js_strict(sample_project: Project) -> None:
    assert shutil.which("node") and HBS_MODULES.is_dir(), (
        "node and tests/hbsjs/node_modules are needed: npm ci --prefix tests/hbsjs")
    batch = [{"id": f"{n}/{p}/{f}", "template": s, "data": d} for n, f, p, s, d in cases(sample_project)]
    proc = subprocess.run(["node", str(RUN_HBS)], input=json.dumps(batch), capture_output=True,
                          text=True, timeout=60, check=True)
    results = json.loads(proc.stdout)["results"]
    errors = {k: v["error"] for k, v in results.items() if "error" in v}
    assert errors == {}
    for key, res in results.items():
        assert "{{" not in res["output"], key
    # the optional bits really are optional: some fixture leaves each guarded branch out
    out = {k: v["output"] for k, v in results.items()}
    assert "Estimated delivery" in out["shipping-update/html/default"]
    assert "Estimated delivery" not in out["shipping-update/html/no-eta"]
    assert "Annual loyalty discount (10%): -€24.00" in out["invoice/text/default"]
    assert "discount" not in out["invoice/text/no-discount-tax-exempt"]
    assert "Tax (reverse charge / exempt): $0.00" in out["invoice/text/no-discount-tax-exempt"]
    assert "A quiet week" in out["weekly-digest/html/quiet-week"]
    assert "Nothing new in Support this week." in out["weekly-digest/html/default"]
    assert out["order-receipt/html/large-order"].count("SKU X-") == 20
