"""Unsaved edits as a template the core can work on, without writing them anywhere.

The core composes, renders and lints an :class:`EmailTemplate` that reads its parts from disk.  A live
preview and its lint markers must follow the *editor*, so :class:`EditedTemplate` (also spelled
:data:`Edits`, what :meth:`Session.preview <ses_workbench.session.Session.preview>` and
:meth:`Session.lint <ses_workbench.session.Session.lint>` take) is an ``EmailTemplate`` whose
``source``/``has_part`` answer from the editor buffers and whose edited fixture answers from the JSON
editor's buffer (:class:`BufferFixture`); everything else (layouts, text generation, validation, line
mapping) is the project model's own code, unchanged.  A face builds one from a snapshot of its buffers and
then only reads it, from any thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeAlias

from ses_workbench.project import EmailTemplate, Fixture
from ses_workbench.project.fixtures import parse_fixture_text

__all__ = ["BufferFixture", "EditedTemplate", "Edits"]


class BufferFixture(Fixture):
    """A fixture whose text is the JSON editor's buffer (parse errors carry line and column)."""

    def __init__(self, name: str, path: Path, text: str) -> None:
        super().__init__(name, path)
        self._text = text
        self._data, self._error = parse_fixture_text(text, path)
        self._stamp = (0, 0)

    def _refresh(self) -> None:  # the buffer is the truth; never re-read the file
        return


class EditedTemplate(EmailTemplate):
    """``base`` as the editors show it: ``sources`` override the part files (None = no such file)."""

    def __init__(self, base: EmailTemplate, sources: dict[str, str | None],
                 fixture: BufferFixture | None = None) -> None:
        super().__init__(base.project, base.name, base.dir)
        self._sources = dict(sources)
        self._buffer_fixture = fixture

    def source(self, part: str) -> str | None:
        if part in self._sources:
            return self._sources[part]
        return super().source(part)

    def has_part(self, part: str) -> bool:
        if part in self._sources:
            return self._sources[part] is not None
        return super().has_part(part)

    @property
    def fixtures(self) -> dict[str, Fixture]:
        found = super().fixtures
        fx = self._buffer_fixture
        if fx is not None:
            found[fx.name] = fx
            found = dict(sorted(found.items()))
        return found

    def edited_fixture(self) -> Fixture | None:
        return self._buffer_fixture


#: Unsaved buffers of one template, as the session's ``preview`` and ``lint`` take them.
Edits: TypeAlias = EditedTemplate
