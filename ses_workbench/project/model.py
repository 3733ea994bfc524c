"""The project: a folder of template folders plus ``ses-workbench.toml`` and ``_layouts/``.

:meth:`Project.load` reads the config (a broken config raises: nothing can be trusted without it) and scans
the folders.  A folder is a template when it holds at least one part file; a folder whose name starts
with ``_`` or ``.`` never is.  Per-template problems (a folder whose name SES would reject, a folder that
is a symbolic link to somewhere outside the project...) do not stop the load; they are collected in
:attr:`Project.problems` for lint, ``status``, ``push`` and the UI.  Every write goes through
:mod:`.atomic`; whole template folders are built in the state folder and renamed into place; nothing is
ever deleted — removed templates and fixtures move to ``.ses-workbench/trash/``.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from ses_workbench.project import atomic
from ses_workbench.project.config import Config, load_config
from ses_workbench.project.content import PART_FILES, TemplateContent, validate_name
from ses_workbench.project.errors import (
    PartError,
    ProjectError,
    TemplateExistsError,
    TemplateNameError,
    UnknownTemplateError,
)
from ses_workbench.project.files import outside_reason
from ses_workbench.project.fixtures import validate_fixture_name
from ses_workbench.project.layouts import LAYOUTS_DIR, LayoutEnvironment
from ses_workbench.project.state import StateDir, ensure_state_dir
from ses_workbench.project.template import EmailTemplate
from ses_workbench.project.verification import KIND as VERIFICATION_KIND
from ses_workbench.project.verification import VerificationTemplate, kind_of

__all__ = ["TEMPLATE_FOLDER_HINT", "Project", "unknown_template_error"]

#: What a person needs to know when a folder holds no template (a wrong --dir, a repo root).
TEMPLATE_FOLDER_HINT = "a template is a folder with subject.txt and body.html or body.txt"


class Project:
    """A template folder on disk; :attr:`templates` is a view of it (call :meth:`reload` after changes
    made by something else than this object)."""

    def __init__(self, root: Path, config: Config) -> None:
        self.root = root
        self.config = config
        #: the paths of the state folder (``.ses-workbench/``)
        self.state = StateDir.of(root)
        self.state_dir = self.state.path
        self.templates: dict[str, EmailTemplate] = {}
        #: custom verification email templates (``kind = "custom-verification"``): a namespace of their own
        self.verification_templates: dict[str, VerificationTemplate] = {}
        self.problems: list[ProjectError] = []
        self._layouts: LayoutEnvironment | None = None
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"Project({str(self.root)!r}, {len(self.templates)} templates)"

    @classmethod
    def load(cls, path: str | Path) -> Project:
        """Load the project at ``path``; ConfigError when ``ses-workbench.toml`` is malformed."""
        root = Path(path).expanduser()
        if not root.is_dir():
            raise ProjectError("not a directory (expected a folder of template folders)", root)
        root = root.resolve()
        project = cls(root, load_config(root))
        if project.state_dir.is_dir():
            # a multi-file write (a pull) cut short by a crash is finished or undone before anyone reads
            atomic.recover(project.state_dir)
        project.scan()
        if project.state_dir.is_dir():  # made by an older version, or by a tool that bypassed us
            ensure_state_dir(project.state_dir, create=False)
        return project

    # -- scanning ----------------------------------------------------------------------------------
    def reload(self) -> None:
        """Re-read the config and rescan the folders (template objects are kept where names persist)."""
        self.config = load_config(self.root)
        self._layouts = None
        self.scan()

    def scan(self) -> None:
        """Rescan the root for template folders (keeps existing EmailTemplate objects and their caches)."""
        with self._lock:
            found: dict[str, EmailTemplate] = {}
            verification: dict[str, VerificationTemplate] = {}
            problems: list[ProjectError] = []
            for entry in sorted(self.root.iterdir(), key=lambda p: p.name):
                if not entry.is_dir() or entry.name.startswith(("_", ".")):
                    continue
                if not any((entry / f).is_file() for f in PART_FILES.values()):
                    continue  # not a template folder (docs/, scripts/ ... in a repo root)
                outside = outside_reason(entry, self.root)
                if outside is not None:  # a cloned repo must not make push/send upload files from elsewhere
                    problems.append(ProjectError(f"not a template: {outside}", entry))
                    continue
                try:
                    validate_name(entry.name, entry)
                except TemplateNameError as exc:
                    problems.append(exc)
                    continue
                if kind_of(entry, self.root) == VERIFICATION_KIND:
                    kept = self.verification_templates.get(entry.name)
                    verification[entry.name] = kept if kept is not None and kept.dir == entry else \
                        VerificationTemplate(self, entry.name, entry)
                    continue
                old = self.templates.get(entry.name)
                found[entry.name] = old if old is not None and old.dir == entry else \
                    EmailTemplate(self, entry.name, entry)
            self.templates = found
            self.verification_templates = verification
            self.problems = problems

    @property
    def layouts(self) -> LayoutEnvironment:
        """The jinja2 environment for ``_layouts/`` (created on first use)."""
        if self._layouts is None:
            self._layouts = LayoutEnvironment(self.root)
        return self._layouts

    @property
    def layouts_dir(self) -> Path:
        return self.root / LAYOUTS_DIR

    @property
    def names(self) -> list[str]:
        return list(self.templates)

    def get_verification(self, name: str) -> VerificationTemplate:
        """The custom verification template called ``name``; UnknownTemplateError suggests close names."""
        try:
            return self.verification_templates[name]
        except KeyError:
            raise unknown_template_error(self.root, name, list(self.verification_templates)) from None

    def get(self, name: str) -> EmailTemplate:
        """The template called ``name``; UnknownTemplateError suggests close names."""
        try:
            return self.templates[name]
        except KeyError:
            raise unknown_template_error(self.root, name, list(self.templates)) from None

    def __contains__(self, name: object) -> bool:
        return name in self.templates

    def owner_of(self, path: str | Path) -> EmailTemplate | None:
        """The template a file belongs to (for the file watcher), or None."""
        p = Path(path)
        try:
            rel = p.resolve().relative_to(self.root)
        except ValueError:
            return None
        return self.templates.get(rel.parts[0]) if rel.parts else None

    # -- CRUD (atomic; nothing is ever deleted) ----------------------------------------------------
    def create_template(self, name: str, content: TemplateContent,
                        fixtures: dict[str, str] | None = None, description: str | None = None,
                        meta: str = "") -> EmailTemplate:
        """Create ``<root>/<name>/`` from ``content`` (+ fixture texts by name, ``template.toml`` lines in
        ``meta``, after the description); refuses to overwrite.  The folder appears complete or not at
        all."""
        target = self.root / name
        validate_name(name, target)
        if not content.html and content.text is None:
            raise PartError("a template needs an HTML or a text part", target / PART_FILES["html"])
        with self._lock:
            self._refuse_existing(target)
            staging = self._staging_dir(name)
            _write_parts(staging, content)
            for fx_name, fx_text in (fixtures or {}).items():
                validate_fixture_name(fx_name, staging / "data" / f"{fx_name}.json")
                atomic.write_text(staging / "data" / f"{fx_name}.json", fx_text)
            toml = (f"description = {_toml_str(description)}\n" if description else "") + meta
            if toml:
                atomic.write_text(staging / "template.toml", toml)
            self._move_into_place(staging, target)
            self.scan()
            return self.templates[name]

    def duplicate_template(self, src: str, new: str) -> EmailTemplate:
        """Copy a template folder (parts, fixtures, metadata) under a new name."""
        source = self.get(src)
        target = self.root / new
        validate_name(new, target)
        with self._lock:
            self._refuse_existing(target)
            staging = self._staging_dir(new)
            shutil.rmtree(staging)
            shutil.copytree(source.dir, staging, symlinks=True)
            self._move_into_place(staging, target)
            self.scan()
            return self.templates[new]

    def rename_template(self, old: str, new: str) -> EmailTemplate:
        """Rename a template folder (one atomic rename)."""
        tpl = self.get(old)
        target = self.root / new
        validate_name(new, target)
        if new == old:
            return tpl
        with self._lock:
            # Case-only renames on case-insensitive filesystems: target "exists" but is the same folder.
            if target.exists() and not _same_file(target, tpl.dir):
                raise TemplateExistsError(f"a template named {new!r} already exists", target)
            os.rename(tpl.dir, target)
            self.scan()
            return self.templates[new]

    def delete_template(self, name: str) -> Path:
        """Move a template folder to ``.ses-workbench/trash/``; returns where it went."""
        tpl = self.get(name)
        with self._lock:
            where = self.trash(tpl.dir)
            self.scan()
            return where

    def write_part(self, name: str, part: str, text: str) -> Path:
        return self.get(name).write_part(part, text)

    def write_fixture(self, name: str, fixture: str, text: str) -> Path:
        return self.get(name).write_fixture(fixture, text).path

    def delete_fixture(self, name: str, fixture: str) -> Path:
        return self.get(name).delete_fixture(fixture)

    # -- state folder ------------------------------------------------------------------------------
    @property
    def trash_dir(self) -> Path:
        return self.state.trash

    def trash(self, path: Path) -> Path:
        """Move a file or folder of the project into ``trash/<timestamp>/<its path in the project>``."""
        dest = self.trash_destination(path)
        ensure_state_dir(self.state_dir)
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, dest)
        return dest

    def trash_destination(self, path: Path) -> Path:
        """Where :meth:`trash` would move ``path`` now (nothing is moved)."""
        path = Path(path)
        try:
            rel = path.resolve().relative_to(self.root)
        except ValueError:
            rel = Path(path.name)
        stamp = time.strftime("%Y%m%d-%H%M%S") + f"-{time.time_ns() % 1_000_000_000:09d}"
        return self.trash_dir / stamp / rel

    def _staging_dir(self, name: str) -> Path:
        base = self.state.tmp
        ensure_state_dir(self.state_dir)
        base.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f"{name}.", dir=base))

    def _refuse_existing(self, target: Path) -> None:
        if target.exists():
            what = "template" if target.name in self.templates else "folder"
            raise TemplateExistsError(f"a {what} named {target.name!r} already exists", target)

    def _move_into_place(self, staging: Path, target: Path) -> None:
        try:
            # os.rename onto a missing path: atomic; the folder appears complete or not at all.
            if target.exists():
                raise TemplateExistsError(f"a folder named {target.name!r} already exists", target)
            os.rename(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise


def _write_parts(folder: Path, content: TemplateContent) -> None:
    atomic.write_text(folder / PART_FILES["subject"], content.subject + "\n")
    if content.html:
        atomic.write_text(folder / PART_FILES["html"], content.html)
    if content.text is not None:
        atomic.write_text(folder / PART_FILES["text"], content.text)


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def unknown_template_error(root: Path, name: str, names: list[str]) -> UnknownTemplateError:
    """``ROOT: no template named 'x'; did you mean y?`` — the one message for a name that is not there
    (``names``: what it could have meant, e.g. the project's templates plus an environment's)."""
    close = _close_names(name, list(dict.fromkeys(names)))
    if close:
        hint = f"; did you mean {', '.join(close)}?"
    elif not names:
        hint = f" (no templates in {root}: {TEMPLATE_FOLDER_HINT})"
    else:
        hint = ""
    return UnknownTemplateError(f"no template named {name!r}{hint}", root)


def _close_names(name: str, names: list[str]) -> list[str]:
    """Names to suggest for a mistyped one: those containing it (``reset`` -> ``password-reset``) first,
    then spelling neighbours (``welcom`` -> ``welcome``); a far-fetched guess helps nobody."""
    low = name.lower()
    contains = [n for n in names if len(low) >= 3 and (low in n.lower() or n.lower() in low)]
    similar = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    return list(dict.fromkeys(contains + similar))[:3]
