"""The layers of the package, checked statically: an AST scan of every import in ``ses_workbench/``.

The floors, from the bottom (docs/ARCHITECTURE.md draws them)::

    engine  ←  domain  ←  ses  ←  session  ←  faces (tui, cli, notebook)

- the engine imports nothing of ours but ``ses_workbench.errors`` (and only the standard library: the
  last test runs it);
- the domain (``project/`` and the loose modules: render, lint, check, mime, attributes, limits, …)
  imports no ``ses``, no ``session`` and no face;
- ``ses`` imports no ``session`` and no face; ``session`` imports no face;
- only the faces import a UI toolkit (textual, rich, ipywidgets, IPython);
- inside ``ses``, the boto3 wrapper (``ses.client``) does not import the embedded endpoint (``ses.local``):
  the services reach the endpoint over HTTP, like AWS;
- no two modules import each other, directly or round a longer loop, at module level.

Which imports count:

- for the floors, every ``import`` wherever it is written: at the top, inside a function (a lazy import
  is still an arrow) and under ``if TYPE_CHECKING:`` (a type-only import still means the lower floor
  knows the upper one's names);
- for the loops, the module-level imports, ``TYPE_CHECKING`` blocks included (a loop of annotations
  still means neither module can be read or type-checked without the other), but not the imports inside
  functions: a lazy import is how a deliberately late dependency is written, and the floors still see it.

The package root (``ses_workbench/__init__.py``: ``__version__`` and the lazy ``Workbench``) and
``__main__.py`` sit on the faces' floor.  A known exception is written in ``ALLOWED`` with the reason it
stays for now; an entry that matches no import fails the test, so the list only shrinks.
"""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "ses_workbench"
FACES = ("tui", "cli", "notebook")
DOMAIN = ("project", "render", "lint", "check", "mime", "attributes", "limits", "wording",
          "preview_policy")
TOOLKITS = ("textual", "rich", "ipywidgets", "IPython")

#: Floor of each top-level name under ``ses_workbench`` (a module or a package); a name missing here
#: fails ``test_every_module_has_a_floor``, so a new module is placed on purpose.
FLOORS: dict[str, int] = {"errors": 0, "engine": 0, **dict.fromkeys(DOMAIN, 1), "ses": 2, "session": 3,
                          **dict.fromkeys(FACES, 4), "__init__": 4, "__main__": 4}
FLOOR_NAMES = ("engine", "domain", "ses", "session", "face")

#: Imports that break a rule today, each with why it stays: (importing module, imported module) → reason.
#: An entry removes that pair from every check (floors and loops), at every line it is written.
ALLOWED: dict[tuple[str, str], str] = {
    # Floors.
    ("ses_workbench.lint.verification", "ses_workbench.ses.local.rules"):
        "custom verification lint checks the sender with SES's address rules, which live in the "
        "emulator's pure rules module; they belong in the domain",
    # Loops (type-only back references).
    ("ses_workbench.project.template", "ses_workbench.project.model"):
        "parent and child: a template's annotations name the Project that holds it",
    ("ses_workbench.project.verification", "ses_workbench.project.model"):
        "parent and child: a verification template's annotations name the Project that holds it",
}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # the imported module (a submodule when ``from pkg import sub`` names one), dotted
    where: str  # path:line
    module_level: bool  # not inside a function (``TYPE_CHECKING`` blocks are module level)


def _module_name(path: Path, top: Path) -> str:
    parts = list(path.relative_to(top.parent).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def _exists(dotted: str, top: Path) -> bool:
    base = top.parent / dotted.replace(".", "/")
    return (base / "__init__.py").is_file() or base.with_suffix(".py").is_file()


def imports_of(path: Path, top: Path = PACKAGE) -> list[Import]:
    """Every import statement of one module of the package at ``top``, wherever it is written."""
    module = _module_name(path, top)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    where = path.relative_to(top.parent).as_posix()
    found: list[Import] = []

    def visit(node: ast.AST, module_level: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.extend(Import(module, alias.name, f"{where}:{child.lineno}", module_level)
                             for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:  # relative: anchored on this module's package
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                for alias in child.names:  # ``from pkg import sub`` imports the submodule pkg.sub
                    sub = f"{base}.{alias.name}"
                    target = sub if base.startswith(top.name) and _exists(sub, top) else base
                    found.append(Import(module, target, f"{where}:{child.lineno}", module_level))
            else:
                visit(child, module_level and not isinstance(
                    child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)), True)
    return found


@functools.cache
def all_imports(top: Path = PACKAGE) -> tuple[Import, ...]:
    """Every import of the package at ``top`` (scanned once per package: the tests share the scan)."""
    return tuple(imp for path in sorted(top.rglob("*.py")) for imp in imports_of(path, top))


def _top(dotted: str) -> str:
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def floor_of(dotted: str) -> int:
    return FLOORS[_top(dotted)]


def _within(dotted: str, prefix: str) -> bool:
    return dotted == prefix or dotted.startswith(prefix + ".")


def _breaks(imp: Import) -> str | None:
    """Why ``imp`` breaks a floor rule, or None."""
    if not _within(imp.target, "ses_workbench"):
        root = imp.target.split(".")[0]
        if root in TOOLKITS and floor_of(imp.module) < FLOORS["tui"]:
            return f"{root} is a UI toolkit: only tui, cli and notebook import it"
        return None
    if _top(imp.target) == "__main__":
        return "nothing imports __main__"
    if _within(imp.module, "ses_workbench.ses.client") and _within(imp.target, "ses_workbench.ses.local"):
        return "the boto3 wrapper reaches the embedded endpoint over HTTP only"
    if _top(imp.module) == _top(imp.target):
        return None  # within one top-level module or package
    if floor_of(imp.module) == 0 and imp.target != "ses_workbench.errors":
        return "the engine imports nothing of ours but ses_workbench.errors"
    mine, theirs = floor_of(imp.module), floor_of(imp.target)
    if theirs > mine:
        return f"the {FLOOR_NAMES[mine]} floor does not import the {FLOOR_NAMES[theirs]} floor"
    return None


def layer_violations(imports: Sequence[Import]) -> list[str]:
    found = [f"{imp.where}: {imp.module} imports {imp.target}: {why}" for imp in imports
             if (why := _breaks(imp)) is not None and (imp.module, imp.target) not in ALLOWED]
    return list(dict.fromkeys(found))


def import_cycles(imports: Sequence[Import]) -> list[list[str]]:
    """Every loop of module-level imports between our modules (one sorted list per strongly connected
    part of the graph: the modules that reach each other)."""
    graph: dict[str, set[str]] = {}
    for imp in imports:
        if imp.module_level and _within(imp.target, "ses_workbench") and imp.target != imp.module \
                and (imp.module, imp.target) not in ALLOWED:
            graph.setdefault(imp.module, set()).add(imp.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    loops: list[list[str]] = []

    def connect(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            part: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                part.append(member)
                if member == node:
                    break
            if len(part) > 1:
                loops.append(sorted(part))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return loops


def test_every_module_has_a_floor() -> None:
    unplaced = sorted({_top(_module_name(p, PACKAGE)) for p in PACKAGE.rglob("*.py")} - FLOORS.keys())
    assert unplaced == [], f"place these in FLOORS (tests/test_import_hygiene.py): {unplaced}"


def test_no_import_goes_up_a_floor() -> None:
    assert layer_violations(all_imports()) == []


def test_no_import_cycle_between_modules() -> None:
    assert import_cycles(all_imports()) == []


def test_every_allowed_exception_still_exists() -> None:
    seen = {(imp.module, imp.target) for imp in all_imports()}
    assert sorted(set(ALLOWED) - seen) == [], "remove these from ALLOWED: the import is gone"


def test_the_scan_sees_every_kind_of_import(tmp_path: Path) -> None:
    # The checks above pass vacuously if the scan misses imports: a small package of each kind.
    top = tmp_path / "ses_workbench"
    (top / "project").mkdir(parents=True)
    (top / "__init__.py").write_text("")
    (top / "errors.py").write_text("")
    (top / "project" / "__init__.py").write_text("")
    (top / "project" / "model.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "from . import state\n"
        "from .. import errors\n"
        "if TYPE_CHECKING:\n    from ses_workbench.ses import sync\n"
        "def late():\n    import ses_workbench.tui.app\n")
    (top / "project" / "state.py").write_text("from ses_workbench.project import model\n")
    found = {(i.target, i.module_level) for i in all_imports(top)}
    assert found == {("typing", True), ("ses_workbench.project.state", True), ("ses_workbench.errors", True),
                     ("ses_workbench.ses", True), ("ses_workbench.tui.app", False),
                     ("ses_workbench.project.model", True)}
    assert [v.split(": ", 2)[2] for v in layer_violations(all_imports(top))] == [
        "the domain floor does not import the ses floor", "the domain floor does not import the face floor"]
    assert import_cycles(all_imports(top)) == [["ses_workbench.project.model", "ses_workbench.project.state"]]


def test_engine_uses_only_the_standard_library() -> None:
    code = (
        "import sys; before = set(sys.modules); import ses_workbench.engine as e; "
        "e.render('{{a}}', {'a': 1}); "
        "third = sorted({m.split('.')[0] for m in set(sys.modules) - before}"
        " - set(sys.stdlib_module_names) - {'ses_workbench'}); "
        "print(third); sys.exit(1 if third else 0)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
