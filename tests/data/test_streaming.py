"""Large Parquet inputs (streaming.py): summed row group by row group, same results, same errors.

The threshold for "large" is lowered so a file of a few row groups of MINI_DATA (support.py)
stands in for a register extract; the expected values are those of test_engine.py.
"""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from evaluator import engine, streaming
from evaluator.data import load_tables, read_inputs
from evaluator.errors import DataError
from evaluator.plan import plan
from evaluator.policy.build import load_policy

from support import MINI_DATA, MINI_POLICY, write


@pytest.fixture
def small_threshold(monkeypatch):
    monkeypatch.setattr(streaming, "STREAM_ROWS", 5)


def parquet(tmp_path, frame: pd.DataFrame):
    folder = tmp_path / "data"
    folder.mkdir()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), folder / "procedures.parquet",
                   row_group_size=3)
    return folder


def run(policy_text, folder, tmp_path):
    planned = plan(load_policy(str(write(tmp_path / "p.yaml", policy_text))))
    tables = read_inputs(planned.policy, str(folder))
    result = engine.to_result(engine.evaluate(planned, tables), tables)
    return tables, {rid: [r["value"] for r in t.rows] for rid, t in result.outputs.items()}, result


def test_a_large_file_is_summed_while_read_and_gives_what_the_rows_give(tmp_path, small_threshold):
    folder = parquet(tmp_path, pd.read_csv(io.StringIO(MINI_DATA)))
    tables, streamed, result = run(MINI_POLICY, folder, tmp_path)
    assert tables.tables["procedures"]._frame is None  # the rows were never all held
    assert streamed["payout"] == [500000, 0, 50000]
    assert result.data[0].rows == 7
    planned = plan(load_policy(str(tmp_path / "p.yaml")))
    whole = load_tables(planned.policy.inputs, planned.policy.dimensions, str(folder))
    rows = engine.to_result(engine.evaluate(planned, whole, trace=True), whole)
    assert streamed == {rid: [r["value"] for r in t.rows] for rid, t in rows.outputs.items()}


def test_a_bad_cell_in_a_later_row_group_names_its_row_in_the_file(tmp_path, small_threshold):
    frame = pd.read_csv(io.StringIO(MINI_DATA))
    frame["measure"] = frame["measure"].astype(object)
    frame.loc[6, "measure"] = "hips"  # the 7th record: row 8 of the file (the header is row 1)
    folder = parquet(tmp_path, frame)
    with pytest.raises(DataError) as caught:
        run(MINI_POLICY, folder, tmp_path)
    err = caught.value
    assert (err.location.row, err.location.field) == (8, "measure")
    assert "unknown measure 'hips'" in err.message


def test_data_from_another_year_is_warned_about_once(tmp_path, small_threshold):
    frame = pd.read_csv(io.StringIO(MINI_DATA))
    frame["year"] = frame["year"] - 10
    _, _, result = run(MINI_POLICY, parquet(tmp_path, frame), tmp_path)
    outside = [w for w in result.warnings if "outside the policy's validity" in w]
    assert len(outside) == 1 and "run from 2013 to 2016" in outside[0]


def test_a_rule_that_counts_rows_reads_the_whole_file(tmp_path, small_threshold):
    policy = MINI_POLICY.replace("rules:\n", "rules:\n  records:\n    per: [region]\n"
                                 "    expr: count(procedures)\n    source: {ref: doc}\n", 1)
    tables, values, _ = run(policy, parquet(tmp_path, pd.read_csv(io.StringIO(MINI_DATA))), tmp_path)
    assert tables.tables["procedures"]._frame is not None
    assert values["payout"] == [500000, 0, 50000]


def test_a_bad_cell_of_a_file_read_whole_is_the_files_error_not_a_rules(tmp_path, small_threshold):
    policy = MINI_POLICY.replace("rules:\n", "rules:\n  records:\n    per: [region]\n"
                                 "    expr: count(procedures)\n    source: {ref: doc}\n", 1)
    frame = pd.read_csv(io.StringIO(MINI_DATA))
    frame["measure"] = frame["measure"].astype(object)
    frame.loc[6, "measure"] = "hips"
    with pytest.raises(DataError) as caught:
        run(policy, parquet(tmp_path, frame), tmp_path)
    err = caught.value
    assert (err.location.file, err.location.row, err.location.field, err.location.rule) == \
        (str(tmp_path / "data" / "procedures.parquet"), 8, "measure", None)
