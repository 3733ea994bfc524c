"""Fixtures and builders shared by every test package.

- :func:`write_template` is the one writer of a template folder, :func:`write_project` a project of them;
  a package's own helper only sets other defaults for it.
- :func:`copy_samples` is the one copy of ``sample_templates/`` (``samples_copy`` / ``sample_project``
  as fixtures); nothing is ever written into the repository's copy.
- :func:`unused_port` names a port nothing listens on (a refused connection).
- :func:`local_ses_process` runs ``ses-workbench local-ses`` in another process and stops it as Ctrl-C does.
- ``calibrated_project`` (:class:`CalibratedProject`) is a project calibrated to a non-default dialect
  with a template whose result depends on it: every face must give the calibrated answer.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ses_workbench.project import Project

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_TEMPLATES = REPO_ROOT / "sample_templates"

#: The files of a template folder that :func:`write_project` takes by name, and their keyword.
_PART_FILES = {"subject.txt": "subject", "body.html": "html", "body.txt": "text", "template.toml": "meta"}


def write_template(root: Path, name: str, *, subject: str | None = None, html: str | None = None,
                   text: str | None = None, meta: str | None = None,
                   fixtures: Mapping[str, Any] | None = None, indent: int | None = None) -> Path:
    """The template folder ``root/name``: each part given is written (``None``: no file), ``meta`` as its
    ``template.toml``, and each fixture as ``data/<fixture>.json`` (a str is written as raw JSON text, other
    values as JSON with ``indent``); ``fixtures={}`` makes an empty ``data/`` folder, ``None`` none."""
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    for fname, value in (("subject.txt", subject), ("body.html", html), ("body.txt", text),
                         ("template.toml", meta)):
        if value is not None:
            (folder / fname).write_text(value, encoding="utf-8")
    if fixtures is not None:
        (folder / "data").mkdir(exist_ok=True)
        for fx, data in fixtures.items():
            raw = data if isinstance(data, str) else json.dumps(data, indent=indent)
            (folder / "data" / f"{fx}.json").write_text(raw, encoding="utf-8")
    return folder


def write_project(root: Path, templates: Mapping[str, Mapping[str, Any]], config: str) -> Project:
    """``config`` as ``root/ses-workbench.toml`` and one folder per template, loaded as a Project.

    ``templates`` maps a name to its files: ``subject.txt``, ``body.html``, ``body.txt``,
    ``template.toml`` (text) and ``data`` (fixture name → data, as :func:`write_template` takes them)."""
    from ses_workbench.project import Project

    root.mkdir(parents=True, exist_ok=True)
    (root / "ses-workbench.toml").write_text(config, encoding="utf-8")
    for name, files in templates.items():
        unknown = set(files) - set(_PART_FILES) - {"data"}
        if unknown:
            raise ValueError(f"write_project: {name}: unknown files {sorted(unknown)}")
        parts = {kw: files.get(fname) for fname, kw in _PART_FILES.items()}
        write_template(root, name, **parts, fixtures=files.get("data"))
    return Project.load(root)


def copy_samples(dest: Path, *, unpaced: bool = False) -> Path:
    """A private copy of ``sample_templates/`` at ``dest`` (without any state folder or bytecode).

    ``unpaced``: the simulated account allows 200 template operations and sends a second instead of the
    samples' 1 (a real account's template rate), so a test that pushes and diffs does not wait a second
    per call. Pacing itself is tested where it is the subject."""
    assert SAMPLE_TEMPLATES.is_dir() and any(SAMPLE_TEMPLATES.iterdir()), f"{SAMPLE_TEMPLATES} is missing"
    shutil.copytree(SAMPLE_TEMPLATES, dest, ignore=shutil.ignore_patterns(".ses-workbench", "__pycache__"))
    if unpaced:
        config = dest / "ses-workbench.toml"
        text = config.read_text(encoding="utf-8")
        for key in ("template_ops_per_second", "max_send_rate"):
            text, found = re.subn(rf"(?m)^{key} = .*$", f"{key} = 200", text)
            assert found == 1, f"the samples' [local_ses] no longer sets {key}"
        config.write_text(text, encoding="utf-8")
    return dest


@pytest.fixture
def samples_copy(tmp_path: Path) -> Path:
    """A private copy of ``sample_templates/`` (safe to modify)."""
    return copy_samples(tmp_path / "samples")


@pytest.fixture
def sample_project(tmp_path: Path) -> Project:
    """A private copy of ``sample_templates/`` loaded as a Project (safe to modify)."""
    from ses_workbench.project import Project

    return Project.load(copy_samples(tmp_path / "sample_templates"))


def unused_port() -> int:
    """A port on 127.0.0.1 nothing listens on (it was free a moment ago): connecting is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def local_ses_process(root: Path, *args: str) -> Iterator[subprocess.Popen[str]]:
    """``ses-workbench local-ses --dir ROOT --port 0 ARGS`` in another process (its output piped, as text);
    on leaving, SIGINT as Ctrl-C sends it, and a kill if it has not stopped within 15 s."""
    proc = subprocess.Popen([sys.executable, "-m", "ses_workbench", "local-ses", "--dir", str(root),
                             "--port", "0", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def instant_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's standard-mode retries without their random backoff (up to 1 s, then 2 s): a test of an
    endpoint that refuses or never answers still sees every attempt, without waiting between them."""
    from botocore.retries.standard import ExponentialBackoff

    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.0)


def grow_past_child_lint(root: Path, names: list[str]) -> None:
    """Copy the templates ``names`` of the project at ``root`` until a batch lint of every email template
    goes to a child interpreter; the first copy, ``copy-0``, gets a syntax error."""
    from ses_workbench.session.offload import CHILD_LINT_MIN

    for i in range(CHILD_LINT_MIN - len(names) + 1):
        shutil.copytree(root / names[i % len(names)], root / f"copy-{i}")
    (root / "copy-0" / "body.html").write_text("<p>{{#if a}}</p>\n")  # a syntax error


@pytest.fixture
def child_calls(monkeypatch: pytest.MonkeyPatch) -> list[list[str] | None]:
    """The template names of each lint that went to a child (``None``: the whole project); it still runs."""
    from ses_workbench.session import offload

    calls: list[list[str] | None] = []
    real = offload.lint_in_child

    def spy(root: Path, names: Any = None, *args: Any, **kwargs: Any) -> Any:
        calls.append(list(names) if names is not None else None)
        return real(root, names, *args, **kwargs)

    monkeypatch.setattr(offload, "lint_in_child", spy)
    return calls


@dataclass(frozen=True)
class CalibratedProject:
    """A project whose latest calibrated real account (``production``) looks names up in parent scopes
    (``parent_scope_lookup=True``, not the engine's default), and a template whose result depends on it.

    ``template`` renders ``row`` as ``calibrated_html`` under that calibration; with the engine's defaults
    the same render is an error naming ``missing`` (a root variable used inside ``{{#each}}`` without
    ``../``), and lint reports it as the error ``code``.  The default environment is the embedded local
    endpoint, which stands in for the latest calibrated account, so every face opened with no ``--env``
    must give the calibrated answer."""

    root: Path
    template: str = "scoped"
    row: dict[str, Any] = field(default_factory=lambda: {"items": [1, 2], "shop": "S"})
    calibrated_html: str = "<p>[S][S]</p>"
    missing: str = "shop"
    code: str = "parent-scope"


def write_calibration(root: Path, env: str, **fields: Any) -> None:
    """Record a calibration of ``env`` in ``root``'s state folder exactly as ``ses-workbench calibrate``
    does (a :class:`~ses_workbench.ses.calibrate.Calibration`'s ``to_dict()`` per environment)."""
    from dataclasses import replace

    from ses_workbench.engine import DEFAULT_DIALECT
    from ses_workbench.project import atomic
    from ses_workbench.project.state import StateDir
    from ses_workbench.ses.calibrate import Calibration

    dialect = replace(DEFAULT_DIALECT, **fields)
    cal = Calibration(env, "https://email.eu-west-1.amazonaws.com", [], dialect,
                      {k: (getattr(DEFAULT_DIALECT, k), v) for k, v in fields.items()}, [],
                      at="2026-11-01T00:00:00+00:00")
    path = StateDir.of(root).calibration
    data = json.loads(path.read_text()) if path.exists() else {"version": 1, "environments": {}}
    data["environments"][env] = cal.to_dict()
    atomic.write_json(path, data)


@pytest.fixture
def calibrated_project(tmp_path: Path) -> CalibratedProject:
    """A copy of ``sample_templates/`` calibrated to a non-default dialect, with a template whose result
    depends on it (see :class:`CalibratedProject`)."""
    found = CalibratedProject(copy_samples(tmp_path / "calibrated"))
    write_template(found.root, found.template, subject="Order\n",
                   html="<p>{{#each items}}[{{shop}}]{{/each}}</p>\n", fixtures={"default": found.row})
    write_calibration(found.root, "production", parent_scope_lookup=True)
    return found
