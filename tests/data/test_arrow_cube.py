"""Summing a piece straight from Arrow (evaluator/data/arrow_cube.py) vouches only for what the
typed way accepts, and then gives the typed way's cube, cell for cell.

Random pieces of the small policy's procedures, written as Parquet (text and dictionary
columns) and as CSV, with now and then a cell the typed way refuses (an unknown region, an
empty cell, a month outside 1..12, a negative count). For each piece: when the typed way
refuses it, the Arrow way must not vouch for it (it answers None, so the typed way runs and
names the row); when the Arrow way vouches, its cube equals the typed way's.
"""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from evaluator.data import read_inputs, streaming
from evaluator.data.arrow_cube import arrow_cube
from evaluator.data.cube import aggregate, table_uses
from evaluator.data.typed import typed_frame
from evaluator.errors import DataError
from evaluator.plan import plan
from evaluator.policy.build import load_policy

from support import MINI_DATA, MINI_POLICY, write

REGIONS = ["Stockholm", "Uppsala", "Gotland"]
COLUMNS = ["home_region", "performing_region", "provider", "measure", "year", "month", "count"]
GOOD = st.fixed_dictionaries({
    "home_region": st.sampled_from(REGIONS + [" Gotland", "Uppsala "]),  # cells are read stripped
    "performing_region": st.sampled_from(REGIONS),
    "provider": st.sampled_from(["public", "private"]),
    "measure": st.sampled_from(["cataract", "hip"]),
    "year": st.integers(2022, 2027),
    "month": st.integers(1, 12),
    "count": st.integers(0, 5),
})
SLIPS = {  # one cell the typed way refuses
    "home_region": st.sampled_from(["Atlantis", None]),
    "provider": st.sampled_from(["public sector", None]),
    "month": st.sampled_from([0, 13, None]),
    "count": st.sampled_from([-1, None]),
}


@st.composite
def pieces(draw):
    rows = draw(st.lists(GOOD, min_size=1, max_size=12))
    if draw(st.booleans()):
        column = draw(st.sampled_from(sorted(SLIPS)))
        rows[draw(st.integers(0, len(rows) - 1))][column] = draw(SLIPS[column])
    return pd.DataFrame(rows, columns=COLUMNS)


@pytest.fixture
def planned(tmp_path_factory):
    folder = tmp_path_factory.mktemp("policy")
    return plan(load_policy(str(write(folder / "p.yaml", MINI_POLICY))))


def every_file_streamed(monkeypatch):
    monkeypatch.setattr(streaming, "STREAM_ROWS", 1)
    monkeypatch.setattr(streaming, "STREAM_BYTES", 1)


def write_piece(folder, frame: pd.DataFrame, kind: str):
    for old in folder.glob("procedures.*"):
        old.unlink()
    if kind == "csv":
        write(folder / "procedures.csv", frame.to_csv(index=False))
        return
    whole = {c: "Int64" for c in ("year", "month", "count") if c in frame and frame[c].dtype != float}
    table = pa.Table.from_pandas(frame.astype(whole), preserve_index=False)  # empty cells stay whole numbers
    if kind == "parquet-dictionary":
        table = pa.table({n: (c.dictionary_encode() if pa.types.is_string(c.type) else c)
                          for n, c in zip(table.column_names, table.columns)})
    pq.write_table(table, folder / "procedures.parquet")


def both_ways(planned, folder):
    """(Arrow's answer, the typed way's cube or the DataError it raised) for the file's one piece."""
    policy = planned.policy
    inp = policy.inputs["procedures"]
    use = table_uses(planned)["procedures"]
    group, summed = sorted(use.filtered | set(inp.by.values())), sorted(use.summed)
    try:
        tables = read_inputs(policy, str(folder))
        stream = tables.tables["procedures"].stream
        [piece] = list(stream.source.pieces())
    except DataError as err:  # refused while read (a column of nothing but empty cells): neither way runs
        return None, err
    fast = arrow_cube(inp, policy.dimensions, piece.table, group, summed)
    try:
        slow = aggregate(typed_frame(inp, policy.dimensions, piece.raw(), stream.path, []), group, summed, shrink=1)
    except DataError as err:
        slow = err
    return fast, slow


@pytest.mark.parametrize("kind", ["parquet", "parquet-dictionary", "csv"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(frame=pieces())
def test_the_arrow_way_vouches_only_for_what_typing_accepts_and_then_agrees(planned, tmp_path, monkeypatch,
                                                                         kind, frame):
    every_file_streamed(monkeypatch)
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    write_piece(folder, frame, kind)
    fast, slow = both_ways(planned, folder)
    if isinstance(slow, DataError):
        assert fast is None, f"vouched for a piece typing refuses: {slow}"
    elif fast is not None:
        cube, year = fast
        pd.testing.assert_frame_equal(cube.to_pandas(), slow.to_pandas())
        assert cube.records.tolist() == slow.records.tolist()
        assert int(cube.records.sum()) == len(frame)  # every record in exactly one cell
        assert list(year) == [int(y) for y in frame["year"]]


@pytest.mark.parametrize("spaced", [False, True], ids=["as members", "with spaces around"])
def test_clean_pieces_are_summed_from_arrow(planned, tmp_path, monkeypatch, spaced):
    """The Arrow way is taken for a clean file in every format: it is not a path never used.
    A member written with spaces around it is the member, as in the typed way."""
    every_file_streamed(monkeypatch)
    folder = tmp_path / "data"
    folder.mkdir()
    frame = pd.read_csv(io.StringIO(MINI_DATA))
    if spaced:
        frame["home_region"] = " " + frame["home_region"] + "  "
    for kind in ("parquet", "parquet-dictionary", "csv"):
        write_piece(folder, frame, kind)
        fast, slow = both_ways(planned, folder)
        assert fast is not None, kind
        cube = fast[0].to_pandas()
        # MINI_DATA's 7 rows are 7 distinct combinations; Stockholm's cataract rows sum to 100+5+60+61+999
        assert len(cube) == 7
        stockholm = cube[(cube["home_region"] == "Stockholm") & (cube["measure"] == "cataract")]
        assert int(stockholm["count"].sum()) == 1225
        pd.testing.assert_frame_equal(cube, slow.to_pandas())


@pytest.mark.parametrize("edit, why", [
    (lambda f: f.assign(count=f["count"].astype(float) / 2), "a count that is not a whole number"),
    (lambda f: f.assign(home_region=f["home_region"].str.lower()), "a region not written as a member"),
])
def test_what_the_arrow_way_does_not_vouch_for(planned, tmp_path, monkeypatch, edit, why):
    assert unvouched(planned, tmp_path, monkeypatch, edit), why


def test_an_optional_column_the_file_lacks_goes_the_typed_way(tmp_path, monkeypatch):
    text = MINI_POLICY.replace("count: {type: int, min: 0, default: 1}",
                               "count: {type: int, min: 0, default: 1, optional: true}")
    planned = plan(load_policy(str(write(tmp_path / "optional.yaml", text))))
    assert unvouched(planned, tmp_path, monkeypatch, lambda f: f.drop(columns=["count"]))


def unvouched(planned, tmp_path, monkeypatch, edit) -> bool:
    every_file_streamed(monkeypatch)
    folder = tmp_path / "data"
    folder.mkdir()
    write_piece(folder, edit(pd.read_csv(io.StringIO(MINI_DATA))), "parquet")
    policy = planned.policy
    tables = read_inputs(policy, str(folder))
    [piece] = list(tables.tables["procedures"].stream.source.pieces())
    return arrow_cube(policy.inputs["procedures"], policy.dimensions, piece.table,
                      ["home_region", "measure", "month", "year"], ["count"]) is None
