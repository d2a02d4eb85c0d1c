"""The wheel is complete: built from the sources, installed into a fresh virtual environment
outside the repository, the `villkor` command runs (grammar and schemas ship inside it).

The wheel is installed with `--no-deps` into a fresh venv that sees the dependencies of the
environment running the tests (system Python or any venv) through a `.pth` file, so the test
needs no network and stays fast. A `.pth` line only adds a folder to `sys.path`; the `.pth` files
inside it (an editable install of this checkout among them) are not run, and the venv's own
site-packages comes first, so the code that runs is the installed wheel, not this checkout —
`test_installed_code_is_the_wheel` proves it.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIP = shutil.ignore_patterns(".git", "tests", "benchmarks", "build", "dist", "*.egg-info",
                              "__pycache__", ".pytest_cache", ".hypothesis", "out", ".venv", "_data")


def run(cmd, cwd, timeout=120, env=None):
    return subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


def build_wheel(src: Path, outdir: Path) -> Path:
    """`python -m build --wheel`, isolated (fetches setuptools from PyPI or the pip cache);
    if that is impossible (offline), without isolation using the installed setuptools."""
    attempts = []
    for extra in ([], ["--no-isolation", "--skip-dependency-check"]):
        proc = run([sys.executable, "-m", "build", "--wheel", "--outdir", outdir, *extra, "."], cwd=src)
        wheels = sorted(outdir.glob("villkor-*.whl"))
        if proc.returncode == 0 and wheels:
            return wheels[-1]
        attempts.append(f"$ python -m build --wheel {' '.join(extra)}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    pytest.fail("could not build the wheel:\n" + "\n".join(attempts))


def see_dependencies_of_this_environment(python: Path) -> None:
    """`--system-site-packages` is not enough: inside a venv it exposes the *base* interpreter's
    packages, not the venv's, so pandas and the rest would be missing."""
    proc = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=python.parent)
    assert proc.returncode == 0, proc.stderr
    own = Path(proc.stdout.strip())
    folders = dict.fromkeys(p for p in (sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
                                        *site.getsitepackages()) if Path(p).is_dir())
    (own / "_dependencies_of_the_test_environment.pth").write_text("\n".join(folders) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    shutil.copytree(ROOT, src, ignore=SKIP)  # build from a copy: the checkout stays clean
    wheel = build_wheel(src, base / "dist")
    venv = base / "venv"
    proc = run([sys.executable, "-m", "venv", venv], cwd=base)
    assert proc.returncode == 0, proc.stderr
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    see_dependencies_of_this_environment(python)
    proc = run([python, "-m", "pip", "install", "--no-deps", "--force-reinstall", "--no-index",
                "--disable-pip-version-check", wheel], cwd=base)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    work = base / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {"wheel": wheel, "python": python, "villkor": bindir / "villkor", "cwd": work, "env": env,
            "venv": venv}


def test_wheel_contains_the_grammar_and_the_cli(installed):
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    assert "evaluator/grammar/villkor.lark" in names
    assert "evaluator/cli/main.py" in names
    assert "evaluator/lang/interp.py" in names
    assert not any(n.startswith("tests/") for n in names)


def test_installed_code_is_the_wheel(installed):
    proc = run([installed["python"], "-c", "import evaluator; print(evaluator.__file__)"],
               cwd=installed["cwd"], env=installed["env"])
    assert proc.returncode == 0, proc.stderr
    location = Path(proc.stdout.strip()).resolve()
    assert installed["venv"].resolve() in location.parents, location
    assert ROOT not in location.parents


def test_villkor_version(installed):
    proc = run([installed["villkor"], "--version"], cwd=installed["cwd"], env=installed["env"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "villkor 0.1.0"


def test_villkor_expr(installed):
    proc = run([installed["villkor"], "expr", "1 + 2"], cwd=installed["cwd"], env=installed["env"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "3"


def test_villkor_expr_error_is_located(installed):
    proc = run([installed["villkor"], "expr", "1 +"], cwd=installed["cwd"], env=installed["env"])
    assert proc.returncode == 1
    assert proc.stderr.startswith("1:4: the expression ends too early")
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("command", ["validate", "run", "expr", "test", "explain", "decisions",
                                     "diff", "fmt", "lint"])
def test_every_command_is_in_the_wheel(installed, command):
    """A sub-package left out of the wheel would drop its command: each must answer --help."""
    proc = run([installed["villkor"], command, "--help"], cwd=installed["cwd"], env=installed["env"])
    assert proc.returncode == 0, proc.stderr
    assert f"villkor {command}" in proc.stdout


def test_installed_wheel_validates_the_shipped_policies(installed):
    policies = sorted(str(p) for p in (Path(__file__).resolve().parents[1] / "policies").glob("*.yaml"))
    proc = run([installed["villkor"], "validate", *policies], cwd=installed["cwd"], env=installed["env"])
    assert proc.returncode == 0, proc.stderr


def test_installed_wheel_remembers_a_formatted_policy(installed, tmp_path):
    """fmt's cache keys on the installed code and grammar (evaluator/style/cache.py): the second
    check of an unchanged policy is answered from the cache, without ruamel."""
    policy = str(Path(__file__).resolve().parents[1] / "policies" / "2026_performance.yaml")
    env = dict(installed["env"], VILLKOR_CACHE_DIR=str(tmp_path / "cache"))
    proc = run([installed["villkor"], "fmt", "--check", policy], cwd=installed["cwd"], env=env)
    assert (proc.returncode, proc.stderr) == (0, "1 file already formatted\n"), proc.stderr
    assert len(list((tmp_path / "cache" / "fmt").iterdir())) == 1
    script = ("import sys; from evaluator.cli import main; code = main(sys.argv[1:]); "
              "print('ruamel.yaml' in sys.modules); sys.exit(code)")
    proc = run([installed["python"], "-c", script, "fmt", "--check", policy], cwd=installed["cwd"], env=env)
    assert (proc.returncode, proc.stdout) == (0, "False\n"), proc.stderr
