"""Facts the package keeps in one place stay there (a static scan of the source, nothing is imported).

- The error trees drawn in ``ses_workbench/errors.py`` and ``ses_workbench/ses/errors.py`` are the code's:
  every subclass of ``WorkbenchError`` appears in a drawing under its real base class, and every class
  drawn exists.  A new error without its line in the map, or a drawing left behind by a move, fails.
- Every path below the state folder is built by ``project/state.py`` (``StateDir``): no other module
  joins a name onto a ``state_dir``.
- ``PARTS`` (the three parts of a template) is assigned once, in ``project/content.py``.
- The HTML SES allows in a custom verification email (``ALLOWED_HTML``) is one table, in
  ``project/verification_html.py``, whose check the local endpoint and lint both import.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "ses_workbench"
DRAWINGS = (PACKAGE / "errors.py", PACKAGE / "ses" / "errors.py")
_ROW = re.compile(r"^(?P<lead>[ │├└─]*)(?P<name>[A-Z]\w+)")


def _base_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _classes_in_code() -> dict[str, str]:
    """Every subclass of WorkbenchError in the package → its base (by class name)."""
    bases: dict[str, list[str]] = {}
    twice: set[str] = set()
    for _module, module_tree in _modules():
        for node in ast.walk(module_tree):
            if isinstance(node, ast.ClassDef):
                if node.name in bases:
                    twice.add(node.name)
                bases[node.name] = [b for b in map(_base_name, node.bases) if b]
    tree: dict[str, str] = {}
    changed = True
    while changed:
        changed = False
        for name, parents in bases.items():
            for parent in parents:
                if name not in tree and (parent == "WorkbenchError" or parent in tree):
                    tree[name] = parent
                    changed = True
    assert not twice & tree.keys(), f"two errors of one name: {sorted(twice & tree.keys())}"
    return tree


def _drawn(path: Path) -> dict[str, str]:
    """The ``Hierarchy::`` drawing of a module docstring → {class: parent}."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    lines = doc.split("Hierarchy", 1)[1].splitlines()[1:]
    parents: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    for line in lines:
        if not line.strip():
            if stack:
                break
            continue
        match = _ROW.match(line)
        if match is None:
            break
        depth = len(match.group("lead"))
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if stack:
            parents[match.group("name")] = stack[-1][1]
        stack.append((depth, match.group("name")))
    return parents


def test_every_workbench_error_is_drawn_under_its_real_base() -> None:
    drawn: dict[str, str] = {}
    for path in DRAWINGS:
        for name, parent in _drawn(path).items():
            assert drawn.get(name, parent) == parent, f"{name} is drawn under two bases"
            drawn[name] = parent
    assert drawn == _classes_in_code()


def test_the_drawing_reader_sees_both_trees() -> None:
    # The reader above must not pass by reading nothing: both drawings hold their known leaves.
    assert _drawn(DRAWINGS[0])["LocalSesBusyError"] == "LocalSesStoreError"
    assert _drawn(DRAWINGS[1])["SenderNotVerified"] == "MessageRejected"


@functools.cache
def _modules() -> tuple[tuple[str, ast.Module], ...]:
    """Every module of the package, parsed once for all the scans here."""
    return tuple((path.relative_to(PACKAGE.parent).as_posix(), ast.parse(path.read_text(encoding="utf-8")))
                 for path in sorted(PACKAGE.rglob("*.py")))


def _names_state_folder(node: ast.expr) -> bool:
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    literal = isinstance(node, ast.Constant) and node.value == ".ses-workbench"
    return name in {"state_dir", "STATE_DIR"} or literal


def test_only_the_state_module_builds_paths_in_the_state_folder() -> None:
    built = [f"{module}:{node.lineno}" for module, tree in _modules()
             if module != "ses_workbench/project/state.py"
             for node in ast.walk(tree)
             if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div)
             and _names_state_folder(node.left)]
    spelled = [f"{module}:{node.lineno}" for module, tree in _modules()
               if module != "ses_workbench/project/state.py"
               for node in ast.walk(tree)
               if isinstance(node, ast.Constant) and isinstance(node.value, str)
               and node.value.lstrip("/").startswith(".ses-workbench")]  # a message may name it, not start so
    assert built == [], "paths below .ses-workbench/ belong in project/state.py (StateDir)"
    assert spelled == [], "the state folder's name is STATE_DIR (project/state.py)"


def test_parts_is_defined_once() -> None:
    defined = [f"{module}:{node.lineno}" for module, tree in _modules() for node in ast.walk(tree)
               if isinstance(node, (ast.Assign, ast.AnnAssign))
               and any(isinstance(t, ast.Name) and t.id == "PARTS"
                       for t in (node.targets if isinstance(node, ast.Assign) else [node.target]))]
    assert len(defined) == 1 and defined[0].startswith("ses_workbench/project/content.py:"), defined


def test_the_html_a_custom_verification_email_may_use_is_one_table() -> None:
    """``ALLOWED_HTML`` is assigned once, in ``project/verification_html.py``, and the local endpoint and
    lint both import its check (neither keeps a list of its own)."""
    home_module = "ses_workbench.project.verification_html"
    home = home_module.replace(".", "/") + ".py"
    defined = [f"{module}:{node.lineno}" for module, tree in _modules() for node in ast.walk(tree)
               if isinstance(node, (ast.Assign, ast.AnnAssign))
               and any(isinstance(t, ast.Name) and t.id == "ALLOWED_HTML"
                       for t in (node.targets if isinstance(node, ast.Assign) else [node.target]))]
    assert len(defined) == 1 and defined[0].startswith(home + ":"), defined
    importers = {module for module, tree in _modules() for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module == home_module
                 and any(alias.name == "html_problems" for alias in node.names)}
    assert {"ses_workbench/ses/local/verification.py", "ses_workbench/lint/verification.py"} <= importers
