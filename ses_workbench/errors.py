"""The root of every error ses-workbench raises on purpose, and the map of the whole tree.

Every layer raises a subclass of :class:`WorkbenchError` whose ``str()`` is one sentence a person can
act on; the faces (CLI, TUI, notebook) catch ``WorkbenchError`` and show that sentence, never a
traceback.  Errors about a file carry its position (``path``/``line``/``column``) and ``str()`` starts
with it.  Each class lives beside the code that raises it; this module defines only the root.

Hierarchy (``tests/test_one_place_for_each_fact.py`` checks it against the code)::

    WorkbenchError                      ses_workbench.errors
     ├─ EngineError                     engine.errors: a template's source, with line and column
     │   ├─ TemplateSyntaxError         the template does not parse (or names an undefined partial)
     │   ├─ MissingAttributeError       a value the template renders is not in the data
     │   └─ RenderError                 any other failure while rendering
     ├─ ProjectError                    project.errors: a file of the template folder, with its position
     │   ├─ ConfigError                 ses-workbench.toml is malformed or inconsistent
     │   ├─ FixtureError                a JSON fixture does not parse
     │   ├─ TemplateNameError           a name breaks SES's rule ^[a-zA-Z0-9_-]{1,64}$
     │   ├─ TemplateSizeError           a composed template exceeds SES's 500 KB
     │   ├─ LayoutError                 a jinja2 layout failed to compose
     │   ├─ UnknownTemplateError        no template of that name
     │   ├─ UnknownFixtureError         no fixture of that name for the template
     │   ├─ PartError                   a required part is missing or unusable
     │   ├─ TemplateExistsError         creating, renaming or importing would overwrite a template
     │   ├─ ImportFormatError           an import file is not an AWS CLI template JSON shape
     │   └─ RestoreError                project.restore: a kept item cannot be put back
     ├─ DataFormatError                 check: the data file cannot be read as rows at all
     ├─ LintProcessError                session.offload: the lint child did not answer
     ├─ StateWriteError                 ses.state: a file in the state folder could not be written
     ├─ LocalSesStoreError              ses.local.store: the local endpoint's state cannot be read
     │   └─ LocalSesBusyError           another local endpoint already owns this state folder
     ├─ SesError                        ses.errors: talking to SES (its own tree is drawn there)
     │   └─ EventsUnavailable           ses.events: an AWS environment's events are not readable here
     └─ UsageError                      cli: arguments that cannot work (exit code 2)

Outside the tree on purpose, because none reaches a person: ``ses.local.service.ApiError`` (the
endpoint's wire error, which boto3 turns into a :class:`SesError`), ``ses.local.store.StoreWriteError``
(an ``OSError`` rolled back inside the store), ``project.files.UnsafeFile`` and
``ses.local.rules.AddressError`` (reasons that become a message), ``session.preview.RenderFailure`` (a
picklable copy of a render error, for the preview child) and ``check.FastPathMismatch`` (the signal to
redo a report by rendering).
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """Base class: ``str(error)`` is a one-line message for a person."""
