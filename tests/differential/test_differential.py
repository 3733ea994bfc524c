"""Differential test: our engine against handlebars.js 4.7.8 (``{noEscape: true, strict: true}``).

handlebars.js is the oracle for everything SES does not document (shared/SES.md, "Rendering").  For
every case of ``corpus.py`` -- and every part of every ``sample_templates/`` email with each of its
fixtures -- the two engines must agree: the same output, or an error on both sides
(of a matching kind: a template handlebars.js refuses to compile must make our ``compile()`` raise
``TemplateSyntaxError``; data handlebars.js' strict mode reports missing must make ours raise
``MissingAttributeError``).

The only exceptions are the deliberate differences in ``DIFFERENCES`` below.  A case opts into one
with its ``difference`` field and must then differ *exactly* the documented way -- a case that
happens to agree, or differs some other way, fails.

handlebars.js runs in ONE node process per session (``run_hbs.js`` reads every case on stdin).  A
missing ``node`` or ``tests/hbsjs/node_modules`` fails the run with the fix in the message: this
test never skips.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import pytest

from .corpus import CASES

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
HBS_DIR = REPO / "tests" / "hbsjs"
SAMPLES = REPO / "sample_templates"
HBS_VERSION = "4.7.8"
SETUP_HINT = "install Node.js (>= 18) and run `npm ci --prefix tests/hbsjs` from the repository root"


# ---------------------------------------------------------------------------------------------
# The sample templates (real emails, composed with their jinja2 layouts) join the corpus: every part
# of every sample with every one of its fixtures.
# ---------------------------------------------------------------------------------------------
def _sample_cases() -> tuple[list[dict[str, Any]], str | None]:
    try:
        from ses_workbench.project import Project

        project = Project.load(SAMPLES)
        cases = []
        for name, template in project.templates.items():
            content = template.compose()
            parts = (("subject", content.subject), ("html", content.html), ("text", content.text))
            for fixture_name, fixture in template.fixtures.items():
                for part, source in parts:
                    if source is not None:
                        cases.append({"id": f"sample-{name}-{part}-{fixture_name}", "template": source,
                                      "data": fixture.data, "note": f"{SAMPLES.name}/{name}, {part} part"})
        return cases, None
    except Exception as exc:  # reported by test_sample_templates_load, not at collection
        return [], f"{type(exc).__name__}: {exc}"


SAMPLE_CASES, SAMPLE_ERROR = _sample_cases()
ALL_CASES = CASES + SAMPLE_CASES


# ---------------------------------------------------------------------------------------------
# The two sides
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    """What one engine did with one case: an output, or an error raised in a phase."""

    output: str | None = None
    error: str | None = None          # message
    error_type: str | None = None     # ours: exception class name; handlebars.js: None
    phase: str | None = None          # "compile" | "render"
    exc: BaseException | None = None  # ours only

    @property
    def failed(self) -> bool:
        return self.error is not None

    def describe(self) -> str:
        if self.failed:
            kind = f"{self.error_type}: " if self.error_type else ""
            return f"error at {self.phase}: {kind}{self.error}"
        return f"output {_show(self.output)}"


def _show(text: str | None, limit: int = 400) -> str:
    shown = repr(text)
    return shown if len(shown) <= limit else shown[:limit] + f"... ({len(text or '')} chars)"


@pytest.fixture(scope="session")
def hbs_results() -> dict[str, Outcome]:
    """Run every case through handlebars.js in one node process."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(f"`node` is not on PATH: the differential test needs it; {SETUP_HINT}.", pytrace=False)
    package = HBS_DIR / "node_modules" / "handlebars" / "package.json"
    if not package.is_file():
        pytest.fail(f"handlebars.js is not installed ({package} is missing); {SETUP_HINT}.", pytrace=False)
    version = json.loads(package.read_text(encoding="utf-8")).get("version")
    if version != HBS_VERSION:
        pytest.fail(f"tests/hbsjs has handlebars {version}, the reference is {HBS_VERSION}; {SETUP_HINT}.",
                    pytrace=False)
    payload = json.dumps([{"id": c["id"], "template": c["template"], "data": c["data"]} for c in ALL_CASES],
                         allow_nan=False)
    proc = subprocess.run([node, str(HERE / "run_hbs.js")], input=payload.encode("utf-8"),
                          capture_output=True, timeout=300, check=False)
    if proc.returncode != 0:
        pytest.fail(f"run_hbs.js failed (exit {proc.returncode}): {proc.stderr.decode('utf-8', 'replace')}",
                    pytrace=False)
    answer = json.loads(proc.stdout.decode("utf-8"))
    assert answer["handlebars"] == HBS_VERSION
    return {
        case_id: Outcome(output=r.get("output"), error=r.get("error"), phase=r.get("phase", "render")
                         if "error" in r else None)
        for case_id, r in answer["results"].items()
    }


@pytest.fixture(scope="session")
def engine() -> ModuleType:
    import ses_workbench.engine as engine_module  # imported here: a broken engine fails tests, not collection

    return engine_module


def run_ours(engine: ModuleType, case: dict[str, Any]) -> Outcome:
    """Compile then render; engine errors become an Outcome, anything else is a crash (a bug).

    The engine must not emit warnings either (e.g. a SyntaxWarning from its generated code).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        outcome = _run_ours(engine, case)
    assert not caught, f"the engine emitted warnings: {[str(w.message) for w in caught]}"
    return outcome


def _run_ours(engine: ModuleType, case: dict[str, Any]) -> Outcome:
    data = json.loads(json.dumps(case["data"]))  # exactly what a JSON fixture would give
    try:
        template = engine.compile(case["template"])
    except engine.EngineError as exc:
        return Outcome(error=str(exc), error_type=type(exc).__name__, phase="compile", exc=exc)
    try:
        output = template.render(data)
    except engine.EngineError as exc:
        return Outcome(error=str(exc), error_type=type(exc).__name__, phase="render", exc=exc)
    assert isinstance(output, str), f"render() returned {type(output).__name__}, not str"
    return Outcome(output=output)


# ---------------------------------------------------------------------------------------------
# Deliberate differences: each documented in docs/DIFFERENCES.md, each checked to differ exactly so
# ---------------------------------------------------------------------------------------------
HBS_STRICT_MISSING = re.compile(r'^"(?P<name>[^"]*)" not defined in ')


def _leaf(attribute: str) -> str:
    return re.split(r"[./]", attribute)[-1]


def _null_is_missing(case: dict[str, Any], ours: Outcome, hbs: Outcome, engine: ModuleType) -> None:
    # SES: `null` counts as missing.  handlebars.js prints "" for it.
    assert not hbs.failed, f"handlebars.js was expected to print null as '', got {hbs.describe()}"
    assert isinstance(ours.exc, engine.MissingAttributeError), f"ours: {ours.describe()}"
    assert ours.phase == "render"
    assert _leaf(ours.exc.attribute) == case["expect"], ours.exc.attribute


def _unknown_helper(case: dict[str, Any], ours: Outcome, hbs: Outcome, engine: ModuleType) -> None:
    # SES: an unknown or wrong-case helper fails with the *attribute* message.
    assert hbs.failed, f"handlebars.js was expected to fail on the unknown helper, got {hbs.describe()}"
    assert isinstance(ours.exc, engine.MissingAttributeError), f"ours: {ours.describe()}"
    assert str(ours.exc) == f"Attribute '{case['expect']}' is not present in the rendering data."


def _unsubscribe_reserved(case: dict[str, Any], ours: Outcome, hbs: Outcome, engine: ModuleType) -> None:
    # SES fills in {{amazonSESUnsubscribeUrl}} when sending with list management: never missing.
    match = HBS_STRICT_MISSING.match(hbs.error or "")
    assert match and match["name"] == "amazonSESUnsubscribeUrl", f"handlebars.js: {hbs.describe()}"
    assert not ours.failed, f"ours: {ours.describe()}"


def _if_missing_parent(case: dict[str, Any], ours: Outcome, hbs: Outcome, engine: ModuleType) -> None:
    # Unverified in SES; safe side: {{#if a.b}} with `a` missing is false (handlebars.js: TypeError).
    assert hbs.failed and "Cannot read properties of undefined" in (hbs.error or ""), hbs.describe()
    assert ours.output == case["expect"], f"ours: {ours.describe()}, expected {_show(case['expect'])}"


def _noescape_defect(case: dict[str, Any], ours: Outcome, hbs: Outcome, engine: ModuleType) -> None:
    # handlebars.js 4.7 defect with noEscape: a program starting with adjacent non-strings adds them
    # (`{{a}}{{b}}` with 1 and 2 gives "3"); a program that is one non-string value returns it
    # unconverted, which crashes the indentation of a standalone partial (`result.split`).
    if hbs.failed:
        assert "result.split is not a function" in (hbs.error or ""), hbs.describe()
    else:
        assert hbs.output != case["expect"], "handlebars.js no longer shows the defect: drop the difference"
    assert ours.output == case["expect"], f"ours: {ours.describe()}, expected {_show(case['expect'])}"


def _undefined_partial(case: dict[str, Any], ours: Outcome, hbs: Outcome, engine: ModuleType) -> None:
    # SES rejects a template using a partial that is never defined when it is stored: ours at compile.
    # handlebars.js only notices when (and if) the partial is rendered.
    assert hbs.output is not None or "could not be found" in (hbs.error or ""), hbs.describe()
    assert isinstance(ours.exc, engine.TemplateSyntaxError) and ours.phase == "compile", ours.describe()


def _strict_everywhere(case: dict[str, Any], ours: Outcome, hbs: Outcome, engine: ModuleType) -> None:
    # SES: every value that is rendered must be present.  handlebars.js strict mode checks only plain
    # name lookups and prints "" for a missing block-param path, lookup result or partial hash value.
    assert not hbs.failed, f"handlebars.js was expected to print '' here, got {hbs.describe()}"
    assert ours.phase == "render", f"ours: {ours.describe()}"
    if case["expect"] == "RenderError":
        assert isinstance(ours.exc, engine.RenderError), f"ours: {ours.describe()}"
    else:
        assert isinstance(ours.exc, engine.MissingAttributeError), f"ours: {ours.describe()}"
        assert ours.exc.attribute == case["expect"], ours.exc.attribute


Checker = Callable[[dict[str, Any], Outcome, Outcome, ModuleType], None]
DIFFERENCES: dict[str, Checker] = {
    "null-is-missing": _null_is_missing,
    "unknown-helper": _unknown_helper,
    "unsubscribe-reserved": _unsubscribe_reserved,
    "if-missing-parent": _if_missing_parent,
    "noescape-defect": _noescape_defect,
    "undefined-partial": _undefined_partial,
    "strict-everywhere": _strict_everywhere,
}


# ---------------------------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------------------------
def test_corpus_shape() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) >= 400
    assert len(set(ids)) == len(ids), "case ids must be unique"
    used = {c["difference"] for c in CASES if "difference" in c}
    assert used <= DIFFERENCES.keys(), used - DIFFERENCES.keys()
    missing = DIFFERENCES.keys() - used
    assert not missing, f"every deliberate difference needs a case: {missing}"
    for c in CASES:
        json.dumps(c["data"], allow_nan=False)
        assert isinstance(c["data"], dict), f"{c['id']}: TemplateData is always a JSON object"


def test_sample_templates_load() -> None:
    assert SAMPLE_ERROR is None, f"the sample templates could not be composed: {SAMPLE_ERROR}"
    assert SAMPLE_CASES, "no sample template cases"


def _context(case: dict[str, Any], ours: Outcome, hbs: Outcome) -> str:
    data = json.dumps(case["data"], ensure_ascii=False)
    lines = [f"template: {_show(case['template'])}",
             f"data:     {data[:400]}{'...' if len(data) > 400 else ''}",
             f"ours:     {ours.describe()}",
             f"hbs.js:   {hbs.describe()}"]
    if ours.output is not None and hbs.output is not None:
        at = next((i for i, (a, b) in enumerate(zip(ours.output, hbs.output, strict=False)) if a != b),
                  min(len(ours.output), len(hbs.output)))
        lines.append(f"first difference at index {at}: ours {_show(ours.output[at:at + 40])} "
                     f"vs hbs.js {_show(hbs.output[at:at + 40])}")
    if case.get("note"):
        lines.append(f"note:     {case['note']}")
    return "\n".join(lines)


@pytest.mark.parametrize("case", ALL_CASES, ids=[c["id"] for c in ALL_CASES])
def test_matches_handlebars(case: dict[str, Any], hbs_results: dict[str, Outcome],
                            engine: ModuleType) -> None:
    hbs = hbs_results[case["id"]]
    ours = run_ours(engine, case)
    context = _context(case, ours, hbs)

    kind = case.get("difference")
    if kind is not None:
        try:
            DIFFERENCES[kind](case, ours, hbs, engine)
        except AssertionError as exc:
            pytest.fail(f"deliberate difference {kind!r} not as documented: {exc}\n{context}", pytrace=False)
        return

    if not hbs.failed:
        assert not ours.failed, f"handlebars.js renders, ours fails\n{context}"
        assert ours.output == hbs.output, f"outputs differ\n{context}"
        return

    assert ours.failed, f"handlebars.js fails, ours renders\n{context}"
    if hbs.phase == "compile":
        assert ours.error_type == "TemplateSyntaxError" and ours.phase == "compile", (
            f"handlebars.js cannot compile it: our compile() must raise TemplateSyntaxError\n{context}")
    elif HBS_STRICT_MISSING.match(hbs.error or ""):
        assert isinstance(ours.exc, engine.MissingAttributeError), (
            f"handlebars.js reports missing data, ours must raise MissingAttributeError\n{context}")
