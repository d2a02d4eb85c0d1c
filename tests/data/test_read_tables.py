"""read_tables: a policy's inputs from in-memory pandas or Arrow tables, checked like files.

Expected values are those of MINI_DATA (support.py), worked out in test_engine.py:
Stockholm cataract performed 105, payout Stockholm 500 000, Gotland 50 000, Uppsala 0.
"""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pytest

from evaluator import engine
from evaluator.data import read_inputs, read_tables
from evaluator.errors import DataError
from evaluator.plan import plan
from evaluator.policy.build import load_policy

from support import MINI_DATA, MINI_POLICY, write


@pytest.fixture
def planned(tmp_path):
    return plan(load_policy(str(write(tmp_path / "mini.yaml", MINI_POLICY))))


def frame() -> pd.DataFrame:
    return pd.read_csv(io.StringIO(MINI_DATA))


def payout(planned, tables):
    result = engine.to_result(engine.evaluate(planned, tables), tables)
    return {row["region"]: row["value"] for row in result.outputs["payout"].rows}


def test_a_dataframe_gives_what_the_file_gives(planned, tmp_path):
    write(tmp_path / "data" / "procedures.csv", MINI_DATA)
    from_file = read_inputs(planned.policy, str(tmp_path / "data"))
    from_memory = read_tables(planned.policy, {"procedures": frame()})
    assert payout(planned, from_memory) == payout(planned, from_file) == \
        {"Stockholm": 500000, "Uppsala": 0, "Gotland": 50000}
    assert from_memory.tables["procedures"].rows == 7
    assert from_memory.tables["procedures"].path is None


def test_an_arrow_table_with_dictionary_columns(planned):
    table = pa.Table.from_pandas(frame(), preserve_index=False)
    table = table.set_column(0, "home_region", table.column("home_region").dictionary_encode())
    assert payout(planned, read_tables(planned.policy, {"procedures": table})) == \
        {"Stockholm": 500000, "Uppsala": 0, "Gotland": 50000}


def test_an_error_names_the_table_the_row_label_and_the_column(planned):
    df = frame()
    df.index = [10, 11, 12, 13, 14, 15, 16]
    df.loc[13, "measure"] = "cataracts"
    with pytest.raises(DataError) as caught:
        read_tables(planned.policy, {"procedures": df})
    err = caught.value
    assert (err.location.file, err.location.row, err.location.field) == ("table 'procedures'", 13, "measure")
    assert "unknown measure 'cataracts'" in err.message
    assert "cataract" in err.hint


def test_a_default_index_numbers_rows_from_zero(planned):
    df = frame()
    df["count"] = df["count"].astype(object)
    df.loc[2, "count"] = "sex"
    with pytest.raises(DataError) as caught:
        read_tables(planned.policy, {"procedures": df})
    assert (caught.value.location.row, caught.value.location.field) == (2, "count")
    assert "'sex' is not a whole number" in caught.value.message


def test_missing_columns_and_tables_are_refused(planned):
    with pytest.raises(DataError) as caught:
        read_tables(planned.policy, {"procedures": frame().drop(columns=["year", "month"])})
    assert caught.value.message == "missing columns year, month"
    assert "the table has: home_region" in caught.value.hint
    with pytest.raises(DataError) as caught:
        read_tables(planned.policy, {})
    assert caught.value.message == "input 'procedures' is not given"
    with pytest.raises(DataError) as caught:
        read_tables(planned.policy, {"procedures": frame(), "procedure": frame()})
    assert caught.value.message == "data for unknown input 'procedure'"
    with pytest.raises(DataError) as caught:
        read_tables(planned.policy, {"procedures": [{"year": 2026}]})
    assert caught.value.message == "table 'procedures' is a list, not a table"


def test_the_callers_frame_is_left_unchanged(planned):
    df = frame().rename(columns={"year": " year"})  # a name with a stray space, as files have
    df.index = df.index + 100
    before = df.copy()
    read_tables(planned.policy, {"procedures": df})
    pd.testing.assert_frame_equal(df, before)
