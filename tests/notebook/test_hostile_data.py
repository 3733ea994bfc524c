"""Data a person pastes into the notebook is read as SES reads JSON: deep nesting, NaN and huge integers
are one clear error (or one failing row), never a RecursionError or ValueError traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from ses_workbench import Workbench
from ses_workbench.errors import WorkbenchError

DEEP = '{"a":' * 10_000 + "1" + "}" * 10_000


@pytest.mark.parametrize("text, shown", [
    (DEEP, "nested too deeply (more than 200 levels of [ and {) (line 1, column 1001)"),
    ('{"firstName": NaN}', "NaN is not a JSON value"),
    ('{"n": ' + "9" * 5000 + "}", "an integer with more than 4,300 digits"),
])
def test_render_data_text_is_one_error(project_copy: Path, text: str, shown: str) -> None:
    wb = Workbench(project_copy)
    try:
        with pytest.raises(WorkbenchError) as err:
            wb.render("welcome", data=text)
        assert str(err.value).startswith("data is not valid JSON: ") and shown in str(err.value)
    finally:
        wb.close()


def test_check_rows_given_as_json_text(project_copy: Path) -> None:
    wb = Workbench(project_copy)
    try:
        view = wb.check("welcome", ['{"firstName": "Ann"}', DEEP, '{"firstName": NaN}'])
        assert view.rows == 3
        reasons = [f.message for f in view.failures]
        assert any("nested too deeply" in r for r in reasons) and any("NaN is not a JSON value" in r
                                                                      for r in reasons)
    finally:
        wb.close()
