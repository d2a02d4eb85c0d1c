"""The command line as a process: start-up, signals, broken streams, and where output goes."""

from __future__ import annotations

import glob
import json
import os
import re
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
import zipfile

import pytest

from support import MINI_DATA, MINI_POLICY, ROOT, villkor, write

ENV = dict(os.environ, PYTHONPATH=str(ROOT))
CLI = [sys.executable, "-m", "evaluator.cli"]
PERF = ROOT / "policies" / "2026_performance.yaml"
DATA = ROOT / "examples" / "2026"


def sh(command: str, cwd=None, env=None) -> subprocess.CompletedProcess:
    """Run `villkor ...` through a shell (to close or redirect the standard streams)."""
    cli = " ".join(shlex.quote(c) for c in CLI)
    return subprocess.run(["bash", "-c", command.replace("villkor", cli)], cwd=cwd, capture_output=True,
                          env=env or ENV, timeout=300)


def big_data(tmp_path, rows=2_000_000):
    """The mini policy's data folder, but large enough that reading it takes a while."""
    folder = tmp_path / "big"
    folder.mkdir()
    line = "Stockholm,Stockholm,public,cataract,2026,3,1\n"
    with open(folder / "procedures.csv", "w") as fh:
        fh.write(MINI_DATA.splitlines()[0] + "\n")
        fh.write(line * rows)
    return folder


def unformatted_text() -> str:
    """A valid policy indented by 4 instead of 2: `fmt` rewrites it."""
    return (ROOT / "policies" / "2026_capacity.yaml").read_text().replace("\n  ", "\n    ")


# ---------------------------------------------------------------- start-up and signals


@pytest.mark.parametrize("flag", ["--version", "--help"])
def test_version_and_help_import_neither_numpy_nor_pandas(flag):
    proc = subprocess.run([*CLI[:1], "-X", "importtime", *CLI[1:], flag], capture_output=True, text=True,
                          env=ENV, timeout=60)
    assert proc.returncode == 0
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines() if "|" in line}
    assert "evaluator.errors" in imported  # (the CLI itself runs as __main__)
    assert not {"numpy", "pandas"} & imported


@pytest.mark.parametrize("command", [["validate", str(PERF)], ["fmt", "--check", str(PERF)]])
def test_validate_and_fmt_import_neither_numpy_nor_pandas(command):
    """Checking or formatting a policy reads no data and computes no value: numpy and pandas
    (the slowest imports) stay out, and so does jsonschema for a valid policy."""
    heavy = ("numpy", "pandas", "openpyxl", "matplotlib", "jsonschema")
    script = ("import sys; from evaluator.cli import main; code = main(sys.argv[1:]); "
              f"print(sorted(m for m in sys.modules if m.split('.')[0] in {heavy}), "
              "'evaluator.policy.build' in sys.modules); sys.exit(code)")
    proc = subprocess.run([sys.executable, "-c", script, *command], capture_output=True, text=True, env=ENV,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    loaded_nothing_heavy, built_the_policy = proc.stdout.split("\n")[-2].rsplit(" ", 1)
    assert loaded_nothing_heavy == "[]"
    assert built_the_policy == ("True" if command[0] == "validate" else "False")


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_a_run_over_a_large_clean_file_sums_it_without_pandas(tmp_path, fmt):
    """A register extract whose every cell is plainly valid is summed straight from Arrow
    (data/arrow_cube.py) and evaluated on the cube: pandas, which alone takes longer to import
    than a million records take to sum, is never imported. 140 000 records: past the shipped
    thresholds, so nothing is lowered."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    folder = tmp_path / "data"
    folder.mkdir()
    records = pacsv.read_csv(pa.py_buffer(MINI_DATA.encode()))
    table = pa.concat_tables([records] * 20_000)
    if fmt == "parquet":
        pq.write_table(table, folder / "procedures.parquet")
    else:
        pacsv.write_csv(table, folder / "procedures.csv", pacsv.WriteOptions(quoting_style="none"))
    policy = write(tmp_path / "mini.yaml", MINI_POLICY)
    out = tmp_path / "out.json"
    script = ("import sys; from evaluator.cli import main; code = main(sys.argv[1:]); "
              "print('pandas' in sys.modules); sys.exit(code)")
    proc = subprocess.run([sys.executable, "-c", script, "run", str(policy), "--data", str(folder), "-o", str(out)],
                          capture_output=True, text=True, env=ENV, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False"]
    outputs = json.loads(out.read_text())["outputs"]
    # per copy: Stockholm cataract 100 + 5 in months 1-10 of 2026 (999 is November), Gotland hip 3
    assert [r["value"] for r in outputs["performed"]] == [2_100_000, 0, 0, 0, 0, 60_000]
    assert json.loads(out.read_text())["data"][0]["rows"] == 140_000


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_explain_over_a_large_clean_file_counts_the_rows_a_sum_matched_without_pandas(tmp_path, fmt):
    """`explain` evaluates on the cube too, and a cube's cell counts the records it sums: the
    explanation names the 40 000 matching records (2 per copy of the data), not the 2 cells
    they were summed into. `--rows` lists records, so it evaluates the records themselves."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    folder = tmp_path / "data"
    folder.mkdir()
    table = pa.concat_tables([pacsv.read_csv(pa.py_buffer(MINI_DATA.encode()))] * 20_000)
    if fmt == "parquet":
        pq.write_table(table, folder / "procedures.parquet")
    else:
        pacsv.write_csv(table, folder / "procedures.csv", pacsv.WriteOptions(quoting_style="none"))
    policy = write(tmp_path / "mini.yaml", MINI_POLICY)
    script = ("import sys; from evaluator.cli import main; code = main(sys.argv[1:]); "
              "print('pandas' in sys.modules, file=sys.stderr); sys.exit(code)")
    explain = ["explain", str(policy), "--data", str(folder), "--rule", "performed",
               "--where", "region=Stockholm", "--where", "measure=cataract", "--format", "json"]

    def matched(*extra):
        proc = subprocess.run([sys.executable, "-c", script, *explain, *extra], capture_output=True, text=True,
                              env=ENV, timeout=120)
        assert proc.returncode == 0, proc.stderr
        [tree] = json.loads(proc.stdout)["explanations"]
        [rows] = [op["rows"] for op in tree["operands"] if op["kind"] == "input"]
        return tree["value"], rows["matched"], rows.get("records"), proc.stderr.split()[-1]

    # Stockholm cataract 2026 in months 1-10: 100 in March and 5 in April per copy
    assert matched() == (2_100_000, 40_000, None, "False")
    value, count, records, _ = matched("--rows", "--max-rows", "3")
    assert (value, count, len(records)) == (2_100_000, 40_000, 3)


def _wait_until_reading(proc, folder) -> None:
    """Until the process has a file of `folder` open: then the signal lands while it reads, on a
    fast machine as on a loaded one (a fixed sleep would race with the run finishing)."""
    deadline = time.monotonic() + 60
    fds = f"/proc/{proc.pid}/fd"
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the run ended before it opened the data"
        try:
            targets = [os.readlink(os.path.join(fds, fd)) for fd in os.listdir(fds)]
        except FileNotFoundError:  # an fd closed while it was listed
            continue
        if any(t.startswith(str(folder)) for t in targets):
            return
        time.sleep(0.002)
    raise AssertionError("the run never opened its data file")


def _interruptible() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _signal_early(tmp_path, sig, *extra):
    from support import MINI_POLICY
    policy = write(tmp_path / "mini.yaml", MINI_POLICY)
    folder = big_data(tmp_path)
    # SIGINT as a terminal gives it: a shell without job control starts a background job with
    # SIGINT ignored, and a process started so (CI under `cmd &`) rightly ignores Ctrl-C
    proc = subprocess.Popen([*CLI, "run", str(policy), "--data", str(folder), *extra], env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_interruptible)
    _wait_until_reading(proc, folder)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, err


def test_ctrl_c_while_reading_data_is_one_line_and_exit_130(tmp_path):
    code, err = _signal_early(tmp_path, signal.SIGINT)
    assert code == 130
    assert "Traceback" not in err
    assert err.strip().splitlines() == ["villkor: interrupted; no output file was written"]


def test_sigterm_exits_143_and_leaves_no_temporary_file(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    code, err = _signal_early(tmp_path, signal.SIGTERM, "-o", str(out / "run.json"))
    assert code == 143
    assert "Traceback" not in err
    assert os.listdir(out) == []


# ---------------------------------------------------------------- -o never loses data


@pytest.mark.parametrize("which", ["data", "policy", "params"])
def test_output_onto_an_input_is_refused_and_the_input_kept(mini, tmp_path, which):
    policy, data = mini
    params = write(tmp_path / "params.yaml", "tariff:\n  cataract: 11000\n")
    target = {"data": data / "procedures.csv", "policy": policy, "params": params}[which]
    before = target.read_bytes()
    proc = villkor("run", policy, "--data", data, "--params", params, "-o", target)
    assert proc.returncode == 2
    assert str(target) in proc.stderr and "input" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert target.read_bytes() == before


def test_output_onto_an_input_through_a_symlink_is_refused(mini, tmp_path):
    policy, data = mini
    link = tmp_path / "alias.csv"
    link.symlink_to(data / "procedures.csv")
    proc = villkor("run", policy, "--data", data, "-o", link)
    assert proc.returncode == 2
    assert (data / "procedures.csv").read_text() == MINI_DATA


def test_output_onto_dev_null_and_a_fifo_writes_through(mini, tmp_path):
    policy, data = mini
    proc = villkor("run", policy, "--data", data, "-o", "/dev/null")
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()))
    reader.start()
    proc = villkor("run", policy, "--data", data, "-o", fifo)
    reader.join(timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert json.loads(got[0])["outputs"]["payout"][0] == {"region": "Stockholm", "value": 500000}


def test_output_onto_a_symlink_follows_it_and_keeps_the_mode(mini, tmp_path):
    policy, data = mini
    real = tmp_path / "real.json"
    real.write_text("old")
    os.chmod(real, 0o600)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    proc = villkor("run", policy, "--data", data, "-o", link)
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink()
    assert json.loads(real.read_text())["policy"]["id"] == "mini"
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o600


def test_fmt_through_a_symlink_formats_the_file_and_keeps_the_link(tmp_path):
    real = write(tmp_path / "real.yaml", unformatted_text())
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    proc = villkor("fmt", link)
    assert proc.returncode == 0, proc.stderr
    assert "reformatted" in proc.stdout
    assert link.is_symlink()
    assert villkor("fmt", "--check", real).returncode == 0


def test_decisions_onto_an_existing_file_is_a_usage_error(mini, tmp_path):
    policy, data = mini
    target = write(tmp_path / "file.txt", "keep\n")
    proc = villkor("decisions", policy, "--data", data, "-o", target)
    assert proc.returncode == 2
    assert "not a folder" in proc.stderr and "Traceback" not in proc.stderr
    assert target.read_text() == "keep\n"


def test_decisions_write_all_documents_or_none(mini, tmp_path):
    policy, data = mini
    out = tmp_path / "beslut"
    (out / "mini-Uppsala.md").mkdir(parents=True)  # the second document's name is taken by a folder
    proc = villkor("decisions", policy, "--data", data, "-o", out)
    assert proc.returncode == 2
    assert "mini-Uppsala.md" in proc.stderr and "internal error" not in proc.stderr
    assert sorted(os.listdir(out)) == ["mini-Uppsala.md"]
    fresh = tmp_path / "ny"
    proc = villkor("decisions", policy, "--data", data, "-o", fresh)
    assert proc.returncode == 0, proc.stderr
    assert sorted(os.listdir(fresh)) == ["mini-Gotland.md", "mini-Stockholm.md", "mini-Uppsala.md"]


def test_explain_onto_a_folder_is_a_clear_message(mini, tmp_path):
    policy, data = mini
    proc = villkor("explain", policy, "--data", data, "--rule", "payout", "-o", tmp_path)
    assert proc.returncode == 2
    assert "is a folder" in proc.stderr and "internal error" not in proc.stderr


# ---------------------------------------------------------------- broken streams


def test_warnings_never_go_to_stdout_when_stderr_is_closed(mini):
    policy, data = mini
    proc = sh(f"villkor run {policy} --data {data} 2>&-")
    assert proc.returncode == 0
    doc = json.loads(proc.stdout)  # the mini policy's illustrative tariff makes a warning
    assert doc["warnings"] and b"warning:" not in proc.stdout


@pytest.mark.parametrize("command", ["run {policy} --data {data}",
                                     "explain {policy} --data {data} --rule payout",
                                     "test " + str(ROOT / "tests" / "fixtures"),
                                     "fmt --check {unformatted}"])
@pytest.mark.parametrize("redirect", [">&-", "> /dev/full"])
def test_closed_or_full_stdout_is_one_message_and_exit_1(mini, tmp_path, command, redirect):
    policy, data = mini
    unformatted = write(tmp_path / "u.yaml", unformatted_text())
    proc = sh("villkor " + command.format(policy=policy, data=data, unformatted=unformatted) + " " + redirect)
    err = proc.stderr.decode()
    assert proc.returncode == 1, err
    assert "Traceback" not in err and "internal error" not in err
    assert [line for line in err.splitlines() if "standard output" in line] == [
        err.strip().splitlines()[-1]]


def test_a_reader_that_stops_early_gives_no_traceback(mini):
    policy, data = mini
    proc = sh(f"villkor run {policy} --data {data} | head -c 1")
    assert proc.stdout == b"{"
    assert b"Traceback" not in proc.stderr


def test_ascii_terminal_encoding_still_gives_valid_utf8_json(mini):
    policy, data = mini
    env = dict(ENV, PYTHONIOENCODING="ascii")
    proc = sh(f"villkor run {policy} --data {data} --format json", env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.decode("utf-8"))["policy"]["title"] == "Liten testpolicy"
    proc = sh(f"villkor explain {policy} --data {data} --rule payout --where region=Gotland", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr.decode()
    proc.stdout.decode("utf-8")


# ---------------------------------------------------------------- determinism


def _twice(tmp_path, *args):
    outs = []
    for i in (1, 2):
        target = tmp_path / f"out{i}.xlsx"
        proc = villkor(*args, "-o", target)
        assert proc.returncode == 0, proc.stderr
        outs.append(target.read_bytes())
        time.sleep(2.1)  # zip entries are dated to 2 s
    return outs


def test_diff_xlsx_is_byte_identical_run_to_run(tmp_path):
    new = ROOT / "examples" / "2027_draft" / "2027_performance.yaml"
    first, second = _twice(tmp_path, "diff", PERF, new, "--data", DATA, "--format", "xlsx")
    assert first == second


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx", "md", "html"])
def test_run_outputs_are_byte_identical_run_to_run(mini, tmp_path, fmt):
    policy, data = mini
    outs = []
    for i in (1, 2):
        target = tmp_path / f"out{i}.{fmt}"
        assert villkor("run", policy, "--data", data, "--format", fmt, "-o", target).returncode == 0
        outs.append(target.read_bytes())
        if fmt == "xlsx":
            time.sleep(2.1)
    assert outs[0] == outs[1]


def test_xlsx_properties_do_not_name_the_openpyxl_version(mini, tmp_path):
    import openpyxl
    policy, data = mini
    target = tmp_path / "run.xlsx"
    assert villkor("run", policy, "--data", data, "--format", "xlsx", "-o", target).returncode == 0
    with zipfile.ZipFile(target) as z:
        props = z.read("docProps/app.xml") + z.read("docProps/core.xml")
    assert openpyxl.__version__.encode() not in props
    assert b"openpyxl" not in props


# ---------------------------------------------------------------- the README's tour


def tour_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## A tour\s*```sh\n(.*?)```", text, re.S).group(1)
    commands = []
    for line in block.splitlines():
        for part in line.split("&&"):
            words = shlex.split(part, comments=True)
            if words:
                commands.append(words)
    return commands


def test_every_command_of_the_readme_tour_runs(tmp_path):
    for folder in ("policies", "examples", "tests/fixtures", "seeds", "schemas"):
        if (ROOT / folder).exists():
            shutil.copytree(ROOT / folder, tmp_path / folder)
    commands = tour_commands()
    assert ["villkor", "run", "policies/2026_performance.yaml", "--data", "examples/2026",
            "--params", "examples/what_if.yaml"] in commands
    for words in commands:
        assert words[0] == "villkor"
        args = [a for w in words[1:] for a in (sorted(glob.glob(w, root_dir=tmp_path)) or [w])]
        proc = subprocess.run([*CLI, *args], cwd=tmp_path, capture_output=True, text=True, env=ENV,
                              timeout=300)
        assert proc.returncode == 0, f"{' '.join(words)}\n{proc.stderr}"


# ---------------------------------------------------------------- a what-if run says so


WHAT_IF = "Beräkning med ändrade parametrar – inte ett beslut"


def spaces(text: str) -> str:
    """Digit groups are separated by a (narrow) no-break space: compare with plain spaces."""
    return text.replace("\u2009", " ").replace("\u202f", " ").replace("\xa0", " ")


def test_a_params_run_records_the_file_and_every_changed_value(mini, tmp_path):
    import hashlib
    policy, data = mini
    params = write(tmp_path / "what_if.yaml", "tariff:\n  cataract: 11000\nbudget: 1000000\n")
    proc = villkor("run", policy, "--data", data, "--params", params)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["params"] == {"path": str(params), "sha256": hashlib.sha256(params.read_bytes()).hexdigest(),
                             "what_if": True,
                             "changes": [{"parameter": "tariff", "key": {"measure": "cataract"},
                                          "old": 10000, "new": 11000}]}  # budget is unchanged
    assert "params" not in json.loads(villkor("run", policy, "--data", data).stdout)
    for fmt in ("md", "html"):
        text = spaces(villkor("run", policy, "--data", data, "--params", params, "--format", fmt).stdout)
        assert WHAT_IF in text and "10 000 → 11 000" in text
    target = tmp_path / "w.xlsx"
    assert villkor("run", policy, "--data", data, "--params", params, "--format", "xlsx",
                   "-o", target).returncode == 0
    import openpyxl
    cells = [c for row in openpyxl.load_workbook(target)["Om körningen"].iter_rows(values_only=True)
             for c in row if isinstance(c, str)]
    assert WHAT_IF in cells and any("10 000 → 11 000" in spaces(c) for c in cells)


def test_decisions_from_a_params_run_say_they_are_not_a_decision(mini, tmp_path):
    policy, data = mini
    params = write(tmp_path / "what_if.yaml", "tariff:\n  cataract: 11000\n")
    for fmt in ("md", "html"):
        out = tmp_path / fmt
        assert villkor("decisions", policy, "--data", data, "--params", params, "--format", fmt,
                       "-o", out).returncode == 0
        for name in os.listdir(out):
            assert WHAT_IF in (out / name).read_text(encoding="utf-8")
    out = tmp_path / "official"
    assert villkor("decisions", policy, "--data", data, "-o", out).returncode == 0
    assert all(WHAT_IF not in (out / n).read_text(encoding="utf-8") for n in os.listdir(out))


def test_explaining_an_overridden_parameter_does_not_cite_the_policys_source(mini, tmp_path):
    policy, data = mini
    params = write(tmp_path / "what_if.yaml", "tariff:\n  cataract: 11000\n")
    proc = villkor("explain", policy, "--data", data, "--params", params, "--rule", "rate",
                   "--where", "measure=cataract")
    assert proc.returncode == 0, proc.stderr
    line = next(l for l in spaces(proc.stdout).splitlines() if "parameter tariff" in l)
    assert "11 000" in line and str(params) in line and "Bilaga 1" not in line
    hip = villkor("explain", policy, "--data", data, "--params", params, "--rule", "rate",
                  "--where", "measure=hip").stdout
    assert "Bilaga 1" in next(l for l in hip.splitlines() if "parameter tariff" in l)


@pytest.mark.parametrize("fmt", ["json", "md", "html", "xlsx"])
def test_paths_are_recorded_relative_to_the_current_folder_however_typed(mini, tmp_path, fmt):
    policy, data = mini
    outs = []
    for args in (["mini.yaml", "--data", "data"], ["./mini.yaml", "--data", "./data/"],
                 [str(policy), "--data", str(data)]):
        target = tmp_path / f"out.{fmt}"
        proc = villkor("run", *args, "--format", fmt, "-o", target, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        outs.append(target.read_bytes())
        if fmt == "json":
            doc = json.loads(outs[-1])
            assert doc["policy"]["path"] == "mini.yaml"
            assert doc["data"][0]["path"] == "data/procedures.csv"
        if fmt == "xlsx":
            time.sleep(2.1)
    assert outs[0] == outs[1] == outs[2]


def test_explain_and_decisions_record_paths_relative_to_the_current_folder(mini, tmp_path):
    policy, data = mini
    explained, decided = [], []
    for n, args in enumerate((["mini.yaml", "--data", "data"], ["./mini.yaml", "--data", "./data/"],
                              [str(policy), "--data", str(data)])):
        proc = villkor("explain", *args, "--rule", "payout", "--format", "json", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        doc = json.loads(proc.stdout)
        assert (doc["policy"]["path"], doc["data"][0]["path"]) == ("mini.yaml", "data/procedures.csv")
        explained.append(proc.stdout)
        folder = tmp_path / f"beslut{n}"
        proc = villkor("decisions", *args, "--format", "md", "-o", folder, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        decided.append({f.name: f.read_bytes() for f in sorted(folder.iterdir())})
        assert str(tmp_path) not in "".join(b.decode("utf-8") for b in decided[-1].values())
    assert explained[0] == explained[1] == explained[2]
    assert decided[0] == decided[1] == decided[2]


def test_explain_and_run_into_a_path_that_cannot_be_a_folder_are_clear_messages(mini, tmp_path):
    policy, data = mini
    blocker = write(tmp_path / "plain.txt", "x\n")
    for args in (["explain", policy, "--data", data, "--rule", "payout"], ["run", policy, "--data", data]):
        proc = villkor(*args, "-o", blocker / "out.txt")
        assert proc.returncode == 2, proc.stderr
        assert f"cannot write {blocker / 'out.txt'}" in proc.stderr
        assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    assert blocker.read_text() == "x\n"


def test_ctrl_c_at_any_moment_of_start_up_is_one_line_never_a_traceback():
    """The console script's own module catches an interrupt that lands while the command modules
    are still being imported (before `main` runs): sent at moments spread over the start-up."""
    # the marker line says Python and the entry-point module itself are loaded (an interrupt
    # before that is Python's own, as it is in the console script the installer writes)
    script = ("import sys; sys.argv = ['villkor', 'validate', 'policies/2026_performance.yaml']; "
              "from evaluator.console import console; print('started', flush=True); console()")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # one run first, so every module is compiled: an interrupt inside CPython's own compiler (a
    # fresh clone has no .pyc) surfaces as a SyntaxError that no program can catch
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, timeout=120)
    for delay in (0.005, 0.02, 0.05, 0.08, 0.12, 0.2, 0.3):
        proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                preexec_fn=_interruptible)
        assert proc.stdout.readline() == "started\n"
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert "Traceback" not in err, (delay, err)
        if proc.returncode != 0:  # it finished before the signal came, or the signal ended it
            assert proc.returncode in (130, -signal.SIGINT), (delay, proc.returncode, err)


def _class_made_while_interrupted():
    """A Ctrl-C landing in a descriptor's `__set_name__` while a class is made, as one can land
    in a dataclass field while a module loads: Python 3.11 wraps it in a RuntimeError."""
    class Interrupted:
        def __set_name__(self, owner, name):
            raise KeyboardInterrupt

    class Holder:  # noqa: B903 (made only to be interrupted)
        field = Interrupted()

    return Holder


def test_an_interrupt_python_wrapped_while_a_class_was_made_is_still_an_interrupt():
    from evaluator.console import interrupt_inside

    try:
        _class_made_while_interrupted()
    except KeyboardInterrupt as exc:  # Python 3.12 and later do not wrap it
        assert interrupt_inside(exc) is exc
    except RuntimeError as exc:
        found = interrupt_inside(exc)
        assert isinstance(found, KeyboardInterrupt) and found is exc.__cause__
    assert interrupt_inside(RuntimeError("a bug")) is None
    assert interrupt_inside(ValueError("x")) is None
