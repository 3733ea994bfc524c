"""Parquet input (nested columns as JSON objects/arrays, streamed by batches) and the Dask recipe:
the same checker on a local Dask cluster of worker processes."""

from __future__ import annotations

import json
import math
import pickle
import sys
from pathlib import Path
from typing import Any

import pytest

from ses_workbench import check
from ses_workbench.check import (
    Checker,
    DataFormatError,
    check_file,
    check_partition,
    failures_meta,
    iter_rows,
)
from ses_workbench.project import Project
from tests.check.check_helpers import good_row

pa = pytest.importorskip("pyarrow")  # in the dev extra: CI installs it, so this never skips there
pq = pytest.importorskip("pyarrow.parquet")


def rows_for(n: int) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        row = good_row(i)
        if i % 7 == 3:
            row["contact"]["firstName"] = None  # null: missing for SES
        if i % 11 == 5:
            row["items"] = [{"name": "pen", "qty": None}]
        if i % 13 == 6:
            row["vip"] = True
            row["code"] = None
        out.append(row)
    return out


@pytest.fixture
def greet(project_dir: Path) -> Any:
    return Project.load(project_dir).get("greet")


def as_table(rows: list[dict[str, Any]]) -> Any:
    return pa.Table.from_pylist(rows)


def test_parquet_rows_check_like_the_same_json_lines(tmp_path: Path, greet: Any,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    rows = rows_for(300)
    table = as_table(rows)
    assert pa.types.is_struct(table.schema.field("contact").type)  # nested columns, really
    assert pa.types.is_list(table.schema.field("items").type)
    pq.write_table(table, tmp_path / "rows.parquet", row_group_size=64)
    (tmp_path / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    monkeypatch.setattr(check, "_PARQUET_BATCH", 50)  # several batches and row groups
    from_parquet = check_file(greet, tmp_path / "rows.parquet")
    from_jsonl = check_file(greet, tmp_path / "rows.jsonl")
    assert from_parquet.failing > 40 and from_parquet.rows == 300
    strip = ("data_line",)
    assert [{k: v for k, v in f.to_dict().items() if k not in strip} for f in from_parquet.failures] == [
        {k: v for k, v in f.to_dict().items() if k not in strip} for f in from_jsonl.failures]
    assert from_parquet.by_reason == from_jsonl.by_reason
    assert check.detect_format(tmp_path / "rows.parquet") == "parquet"
    assert check.detect_format(tmp_path / "noext", b"PAR1\x15\x04") == "parquet"


def test_parquet_values_without_json_form(tmp_path: Path, greet: Any) -> None:
    import datetime

    when = pa.table({"contact": [{"firstName": "A"}], "at": [datetime.datetime(2026, 1, 1)]})
    pq.write_table(when, tmp_path / "when.parquet")
    with pytest.raises(DataFormatError,
                       match=r"Parquet column 'at' is timestamp\[us\], which has no JSON form"):
        list(iter_rows(tmp_path / "when.parquet"))
    nan = pa.table({"contact": [{"firstName": "A"}, {"firstName": "B"}], "score": [1.5, math.nan]})
    pq.write_table(nan, tmp_path / "nan.parquet")
    got = list(iter_rows(tmp_path / "nan.parquet"))
    assert got[0].error is None and got[0].data == {"contact": {"firstName": "A"}, "score": 1.5}
    assert got[1].error == "NaN or Infinity is not valid JSON"
    (tmp_path / "fake.parquet").write_bytes(b"PAR1 not really")
    with pytest.raises(DataFormatError, match="not a readable Parquet file"):
        list(iter_rows(tmp_path / "fake.parquet"))


def test_parquet_without_pyarrow_is_one_clear_line(tmp_path: Path, greet: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    pq.write_table(as_table(rows_for(3)), tmp_path / "rows.parquet")
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)  # import fails as if not installed
    with pytest.raises(DataFormatError) as err:
        check_file(greet, tmp_path / "rows.parquet")
    assert str(err.value).endswith("reading Parquet needs pyarrow: pip install 'ses-workbench[parquet]'")


def test_checker_travels_pickled(greet: Any) -> None:
    checker = Checker.from_template(greet)
    copy = pickle.loads(pickle.dumps(checker))
    assert copy._rows is None  # compiled again where it lands
    bad = good_row(1)
    del bad["contact"]["firstName"]
    for data in (good_row(1), bad, [1], {**good_row(2), "pad": "x" * 262_144}):
        a, b = checker.check(data), copy.check(data)
        assert (a is None) == (b is None)
        if a is not None:
            assert a.to_dict() == b.to_dict()
    assert copy.check(bad).location == "subject:1:7"  # type: ignore[union-attr]


@pytest.mark.slow
def test_dask_recipe_on_a_local_cluster(tmp_path: Path, greet: Any) -> None:
    """docs/CHECK-AT-SCALE.md's recipe: map_partitions(check_partition) on two worker processes, over
    a Parquet data set (nested columns) and over a frame with dotted column names."""
    import dask
    import dask.dataframe as dd
    import distributed
    import pandas as pd

    from ses_workbench.render import compile_content

    rows = rows_for(240)
    pq.write_table(as_table(rows), tmp_path / "rows.parquet", row_group_size=40)
    flat = pd.DataFrame({
        "contact.firstName": [r["contact"]["firstName"] for r in rows],
        "contact.email": [r["contact"]["email"] for r in rows],
        "vip": [r["vip"] for r in rows], "code": [r["code"] for r in rows],
        "items": [r["items"] for r in rows],
    })
    expected = check.check_rows(compile_content(greet.compose()), rows, template=greet, max_failures=10_000)
    assert expected.failing > 30
    checker = Checker.from_template(greet)
    # object columns stay Python objects (by default Dask turns them into Arrow strings)
    with dask.config.set({"dataframe.convert-string": False}), \
            distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        shipped = client.scatter(checker, broadcast=True)  # the compiled template, once per worker
        results = [
            dd.read_parquet(tmp_path / "rows.parquet").map_partitions(
                check_partition, shipped, meta=failures_meta()).compute(),
            dd.from_pandas(flat, npartitions=6).map_partitions(
                check_partition, shipped, meta=failures_meta()).compute(),
        ]
        pids = set(client.run(lambda: __import__("os").getpid()).values())
    assert len(pids) == 2
    for failures in results:
        failures = failures.sort_values("row")
        assert list(failures["row"]) == [f.row - 1 for f in expected.failures]  # index labels from 0
        assert list(failures["message"]) == [f.message for f in expected.failures]
        assert list(failures["location"]) == [f.location for f in expected.failures]
        assert failures["key"].value_counts().to_dict() == expected.by_reason
