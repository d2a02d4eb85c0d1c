"""Large Parquet and CSV inputs (evaluator/data/streaming.py): summed row group by row group or
record batch by record batch, same results, same errors.

The threshold for "large" is lowered so a file of a few row groups or batches of MINI_DATA
(support.py) stands in for a register extract; the expected values are those of test_engine.py.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from evaluator import engine
from evaluator.data import load_tables, read_inputs, streaming
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


@pytest.mark.parametrize("stream_rows", [5, 10**9], ids=["streamed", "read whole"])
def test_a_parquet_dictionary_value_no_row_holds_is_not_a_cell(tmp_path, monkeypatch, stream_rows):
    # pandas writes a Categorical's unused categories into the file's dictionary
    monkeypatch.setattr(streaming, "STREAM_ROWS", stream_rows)
    frame = pd.read_csv(io.StringIO(MINI_DATA))
    frame["measure"] = pd.Categorical(frame["measure"], categories=["cataract", "hip", "hips"])
    _, values, _ = run(MINI_POLICY, parquet(tmp_path, frame), tmp_path)
    assert values["payout"] == [500000, 0, 50000]


def test_a_parquet_dictionary_value_a_row_holds_is_refused_at_that_row(tmp_path, small_threshold):
    frame = pd.read_csv(io.StringIO(MINI_DATA))
    frame["measure"] = pd.Categorical(frame["measure"].where(frame.index != 5, "hips"),
                                      categories=["cataract", "hip", "hips"])
    with pytest.raises(DataError) as caught:
        run(MINI_POLICY, parquet(tmp_path, frame), tmp_path)
    assert (caught.value.location.row, caught.value.location.field) == (7, "measure")
    assert "unknown measure 'hips'" in str(caught.value)


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_a_file_past_the_thresholds_is_summed_while_read_with_the_sums_its_rows_give(tmp_path, fmt):
    """At the shipped thresholds (no lowering): MINI_DATA 20 000 times over, 140 000 records."""
    frame = pd.concat([pd.read_csv(io.StringIO(MINI_DATA))] * 20_000, ignore_index=True)
    folder = tmp_path / "data"
    folder.mkdir()
    if fmt == "parquet":
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), folder / "procedures.parquet")
    else:
        frame.to_csv(folder / "procedures.csv", index=False)
        assert (folder / "procedures.csv").stat().st_size > streaming.STREAM_BYTES
    tables, values, result = run(MINI_POLICY, folder, tmp_path)
    assert tables.tables["procedures"]._frame is None  # deferred, then summed while read
    # per copy: Stockholm cataract 100 + 5 in months 1-10 of 2026 (999 is November), Gotland hip 3
    assert values["performed"] == [2_100_000, 0, 0, 0, 0, 60_000]
    assert round(values["baseline"][0], 2) == Decimal("806666.67")  # 20 000 × (60 + 61) / 3 years
    assert result.data[0].rows == 140_000


# ---------------------------------------------------------------- CSV, read in record batches


@pytest.fixture
def csv_batches(monkeypatch):
    """Every CSV file is streamed, in pieces of two or three records (pyarrow's blocks of twice
    the header's bytes hold one to three records each)."""
    monkeypatch.setattr(streaming, "STREAM_BYTES", 1)
    monkeypatch.setattr(streaming, "BLOCKS_BYTES", 1)
    monkeypatch.setattr(streaming, "BLOCK_BYTES", 64)
    monkeypatch.setattr(streaming, "BATCH_ROWS", 2)


def csv_folder(tmp_path, text: str):
    folder = tmp_path / "data"
    write(folder / "procedures.csv", text)
    return folder


def later_row(text: str, row: int, old: str, new: str) -> str:
    """`text` with `old` replaced by `new` in line `row` of the file (the header is row 1)."""
    lines = text.splitlines(keepends=True)
    assert old in lines[row - 1]
    lines[row - 1] = lines[row - 1].replace(old, new, 1)
    return "".join(lines)


def test_a_large_csv_file_is_summed_batch_by_batch_and_gives_what_the_rows_give(tmp_path, csv_batches):
    folder = csv_folder(tmp_path, MINI_DATA)
    tables, streamed, result = run(MINI_POLICY, folder, tmp_path)
    table = tables.tables["procedures"]
    assert table._frame is None  # the rows were never all held
    assert streamed["payout"] == [500000, 0, 50000]
    assert result.data[0].rows == 7
    planned = plan(load_policy(str(tmp_path / "p.yaml")))
    whole = load_tables(planned.policy.inputs, planned.policy.dimensions, str(folder))
    rows = engine.to_result(engine.evaluate(planned, whole, trace=True), whole)
    assert streamed == {rid: [r["value"] for r in t.rows] for rid, t in rows.outputs.items()}


def test_a_csv_file_is_read_in_several_pieces(tmp_path, csv_batches):
    """The fixture's sizes do split MINI_DATA: the tests below reach later pieces."""
    planned = plan(load_policy(str(write(tmp_path / "p.yaml", MINI_POLICY))))
    tables = read_inputs(planned.policy, str(csv_folder(tmp_path, MINI_DATA)))
    pieces = [piece.raw() for piece in tables.tables["procedures"].stream.source.pieces()]
    assert len(pieces) >= 2
    assert sum(len(p.frame) for p in pieces) == 7
    sizes = [len(p.frame) for p in pieces]
    assert [p.rows.offset for p in pieces] == [sum(sizes[:i]) for i in range(len(pieces))]
    assert [p.rows(0) for p in pieces] == [2 + sum(sizes[:i]) for i in range(len(pieces))]  # rows in the file


def test_an_unknown_member_in_a_later_csv_batch_names_its_row_in_the_file(tmp_path, csv_batches):
    folder = csv_folder(tmp_path, later_row(MINI_DATA, 8, "hip", "hips"))  # the 7th record
    with pytest.raises(DataError) as caught:
        run(MINI_POLICY, folder, tmp_path)
    err = caught.value
    assert (err.location.file, err.location.row, err.location.field) == \
        (str(folder / "procedures.csv"), 8, "measure")
    assert "unknown measure 'hips'" in err.message


def test_a_word_in_an_int_column_of_a_later_csv_batch_names_its_row_and_value(tmp_path, csv_batches):
    """pyarrow cannot read 'många' as int64: the rest of the file is read as text to name it."""
    folder = csv_folder(tmp_path, later_row(MINI_DATA, 7, ",3\n", ",många\n"))
    with pytest.raises(DataError) as caught:
        run(MINI_POLICY, folder, tmp_path)
    err = caught.value
    assert (err.location.row, err.location.field) == (7, "count")
    assert err.message == "'många' is not a whole number"


def test_an_int_written_with_a_space_in_a_later_csv_batch_is_read_and_counted_once(tmp_path, csv_batches):
    """'1 000' is a whole number to villkor, not to pyarrow: the batches from that record on
    are read as text, and the records before it are not summed twice."""
    folder = csv_folder(tmp_path, later_row(MINI_DATA, 7, ",3\n", ",1 003\n"))  # Gotland's 3 hips: 1 003
    _, streamed, _ = run(MINI_POLICY, folder, tmp_path)
    planned = plan(load_policy(str(tmp_path / "p.yaml")))
    whole = load_tables(planned.policy.inputs, planned.policy.dimensions, str(folder))
    assert whole.tables["procedures"].frame["count"].tolist() == [100, 5, 60, 61, 999, 1003, 9]
    rows = engine.to_result(engine.evaluate(planned, whole, trace=True), whole)
    assert streamed == {rid: [r["value"] for r in t.rows] for rid, t in rows.outputs.items()}


def test_blank_lines_before_a_bad_csv_cell_are_counted_in_its_row(tmp_path, csv_batches):
    text = MINI_DATA.replace("\nGotland,", "\n\n\nGotland,")  # two blank lines: Gotland's record is row 9
    folder = csv_folder(tmp_path, later_row(text, 10, "hip", "knee"))  # Uppsala's: row 10
    with pytest.raises(DataError) as caught:
        run(MINI_POLICY, folder, tmp_path)
    assert (caught.value.location.row, caught.value.location.field) == (10, "measure")


def test_a_swedish_csv_with_an_excel_separator_line_streams_with_its_rows_numbered(tmp_path, csv_batches):
    """`sep=;` on line 1 puts the header on row 2; the bad record is row 9."""
    text = "sep=;\n" + MINI_DATA.replace(",", ";")
    folder = csv_folder(tmp_path, later_row(text, 9, ";9\n", ";-9\n"))
    with pytest.raises(DataError) as caught:
        run(MINI_POLICY, folder, tmp_path)
    err = caught.value
    assert (err.location.row, err.location.field) == (9, "count")
    assert err.message == "negative count -9"


def test_a_short_record_in_a_later_csv_batch_is_located(tmp_path, csv_batches):
    folder = csv_folder(tmp_path, later_row(MINI_DATA, 7, ",1,3\n", ",1\n"))
    with pytest.raises(DataError) as caught:
        run(MINI_POLICY, folder, tmp_path)
    err = caught.value
    assert err.location.row == 7
    assert err.message.startswith("malformed CSV")


def test_an_undeclared_csv_column_is_warned_about_once_and_not_read(tmp_path, csv_batches):
    text = "".join(line.rstrip("\n") + (",note\n" if i == 0 else ",x\n")
                   for i, line in enumerate(MINI_DATA.splitlines(keepends=True)))
    planned = plan(load_policy(str(write(tmp_path / "p.yaml", MINI_POLICY))))
    tables = read_inputs(planned.policy, str(csv_folder(tmp_path, text)))
    assert [w for w in tables.warnings if "note" in w] == \
        [f"{tmp_path / 'data' / 'procedures.csv'}: column note not declared for input 'procedures', ignored"]
    pieces = list(tables.tables["procedures"].stream.source.pieces())
    assert all("note" not in p.table.column_names for p in pieces)


def test_a_cp1252_csv_streams_with_its_declared_encoding(tmp_path, csv_batches):
    """Växjö in cp1252 bytes in an undeclared column; the bad member three pieces on is named."""
    policy = MINI_POLICY.replace("    by: {region: home_region, measure: measure}\n",
                                 "    by: {region: home_region, measure: measure}\n    format: {encoding: cp1252}\n")
    lines = later_row(MINI_DATA, 8, "Uppsala,Uppsala", "Uppsala,Växjö").splitlines()
    text = "\n".join([lines[0] + ",ort"] + [line + ",Växjö" for line in lines[1:]]) + "\n"
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "procedures.csv").write_bytes(text.encode("cp1252"))
    with pytest.raises(DataError) as caught:
        run(policy, folder, tmp_path)
    err = caught.value
    assert (err.location.row, err.location.field) == (8, "performing_region")
    assert err.message == "unknown region 'Växjö'"
