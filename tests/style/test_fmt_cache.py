"""`villkor fmt` remembers contents it found formatted (evaluator/style/cache.py): a file whose
exact content is remembered is not formatted again, any other file is, and a cache folder that
cannot be written changes nothing but the speed.

The autouse fixture of tests/conftest.py gives every test its own VILLKOR_CACHE_DIR."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from evaluator.style.cache import FormattedCache, cache_dir

from support import ROOT, villkor, write

FORMATTED = """\
policy: liten
title: Liten policy
rules:
  belopp:
    title: Beviljat belopp
    per: [region]
    expr: min(ersattning, tak)
    unit: kr
"""
# the same policy as an author might write it: keys out of order, no spaces around the comma
UNFORMATTED = """\
title: Liten policy
policy: liten
rules:
  belopp:
    expr: min(ersattning,tak)
    unit: kr
    title: Beviljat belopp
    per: [region]
"""


def entries() -> list[Path]:
    folder = Path(os.environ["VILLKOR_CACHE_DIR"]) / "fmt"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_a_formatted_file_is_remembered_and_the_second_check_agrees(tmp_path):
    path = write(tmp_path / "p.yaml", FORMATTED)
    assert entries() == []
    first = villkor("fmt", "--check", path)
    assert (first.returncode, first.stdout, first.stderr) == (0, "", "1 file already formatted\n")
    assert len(entries()) == 1 and entries()[0].stat().st_size == 0
    second = villkor("fmt", "--check", path)
    assert (second.returncode, second.stdout, second.stderr) == (0, "", "1 file already formatted\n")
    assert len(entries()) == 1  # the same content: the same entry


def test_a_remembered_file_is_checked_without_the_formatter(tmp_path):
    """The second run finds the file in the cache: it imports neither ruamel nor the expression
    language (nor PyYAML), which is where the time of `fmt --check` goes."""
    path = write(tmp_path / "p.yaml", FORMATTED)
    script = ("import sys; from evaluator.cli import main; code = main(sys.argv[1:]); "
              "print(sorted(set(sys.modules) & {'ruamel.yaml', 'lark', 'evaluator.lang', 'yaml'}), "
              "'evaluator.style.fmt' in sys.modules); sys.exit(code)")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    runs = [subprocess.run([sys.executable, "-c", script, "fmt", "--check", str(path)], capture_output=True,
                           text=True, env=env, timeout=120) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr + runs[1].stderr
    assert runs[0].stdout == "['evaluator.lang', 'lark', 'ruamel.yaml', 'yaml'] True\n"  # formatted, remembered
    assert runs[1].stdout == "[] False\n"  # found in the cache: not even PyYAML


def test_a_file_changed_after_it_was_remembered_is_formatted_again(tmp_path):
    path = write(tmp_path / "p.yaml", FORMATTED)
    assert villkor("fmt", "--check", path).returncode == 0
    path.write_text(UNFORMATTED, encoding="utf-8")
    proc = villkor("fmt", "--check", path)
    assert proc.returncode == 1
    assert proc.stdout == f"would reformat {path}\n"
    assert proc.stderr == "1 file would be reformatted, 0 files already formatted\n"
    assert len(entries()) == 1  # "would reformat" is never remembered
    # one byte more (a final blank line, which fmt removes) is another content as well
    path.write_text(FORMATTED + "\n", encoding="utf-8")
    assert villkor("fmt", "--check", path).returncode == 1


def test_fmt_rewrites_a_changed_file_and_leaves_a_remembered_one_as_it_is(tmp_path):
    path = write(tmp_path / "p.yaml", UNFORMATTED)
    proc = villkor("fmt", path)
    assert (proc.returncode, proc.stdout) == (0, f"reformatted {path}\n")
    assert path.read_text(encoding="utf-8") == FORMATTED
    assert entries() == []  # what fmt wrote is remembered once a run finds it formatted
    assert villkor("fmt", "--check", path).returncode == 0
    assert len(entries()) == 1
    proc = villkor("fmt", path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "1 file already formatted\n")
    assert path.read_text(encoding="utf-8") == FORMATTED
    path.write_text(UNFORMATTED, encoding="utf-8")  # changed again: rewritten, not taken from the cache
    assert villkor("fmt", path).returncode == 0
    assert path.read_text(encoding="utf-8") == FORMATTED


def test_no_cache_writes_nothing_and_reads_nothing(tmp_path):
    path = write(tmp_path / "p.yaml", FORMATTED)
    proc = villkor("fmt", "--check", "--no-cache", path)
    assert (proc.returncode, proc.stderr) == (0, "1 file already formatted\n")
    assert not Path(os.environ["VILLKOR_CACHE_DIR"], "fmt").exists()
    # an entry for an unformatted content (only a broken cache could hold one) shows what is read:
    # the cache answers for it, --no-cache formats the file
    messy = write(tmp_path / "messy.yaml", UNFORMATTED)
    cache = FormattedCache(cache_dir())
    cache.remember(messy.read_bytes())
    assert cache.known(messy.read_bytes())
    assert villkor("fmt", "--check", messy).returncode == 0
    proc = villkor("fmt", "--check", "--no-cache", messy)
    assert (proc.returncode, proc.stdout) == (1, f"would reformat {messy}\n")


@pytest.mark.parametrize("where", ["a file", "under a file"])
def test_a_cache_folder_that_cannot_be_made_changes_nothing_but_the_speed(tmp_path, monkeypatch, where):
    """As root every folder is writable, so the folder that cannot be made is a path through a
    regular file; the error is the same OSError a read-only home gives."""
    blocker = write(tmp_path / "not-a-folder", "x\n")
    monkeypatch.setenv("VILLKOR_CACHE_DIR", str(blocker if where == "a file" else blocker / "villkor"))
    path = write(tmp_path / "p.yaml", FORMATTED)
    for _ in range(2):
        proc = villkor("fmt", "--check", path)
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "1 file already formatted\n")
    messy = write(tmp_path / "messy.yaml", UNFORMATTED)
    proc = villkor("fmt", messy, path)
    assert (proc.returncode, proc.stdout) == (0, f"reformatted {messy}\n")
    assert proc.stderr == "1 file reformatted, 1 file already formatted\n"
    assert messy.read_text(encoding="utf-8") == FORMATTED
    assert blocker.read_text(encoding="utf-8") == "x\n"


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="the Linux default is tested")
def test_the_default_cache_folder_is_made_on_need_under_the_home_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("VILLKOR_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "hem"))
    assert cache_dir() == tmp_path / "hem" / ".cache" / "villkor"
    path = write(tmp_path / "p.yaml", FORMATTED)
    assert villkor("fmt", "--check", path).returncode == 0
    assert len(list((tmp_path / "hem" / ".cache" / "villkor" / "fmt").iterdir())) == 1
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "villkor"
    monkeypatch.setenv("VILLKOR_CACHE_DIR", str(tmp_path / "egen"))
    assert cache_dir() == tmp_path / "egen"


def test_the_key_covers_the_villkor_version(monkeypatch):
    import evaluator.style.cache as module

    key = FormattedCache(Path("unused")).key(FORMATTED.encode())
    monkeypatch.setattr(module, "__version__", "99.0.0")
    assert FormattedCache(Path("unused")).key(FORMATTED.encode()) != key


def test_the_key_covers_the_content_byte_for_byte():
    cache = FormattedCache(Path("unused"))
    key = cache.key(FORMATTED.encode())
    assert key is not None and len(key) == 64
    assert FormattedCache(Path("elsewhere")).key(FORMATTED.encode()) == key  # the folder is no part of it
    assert cache.key(FORMATTED.replace("kr", "kr ").encode()) != key
    assert cache.key(FORMATTED.encode() + b"\n") != key
    assert FormattedCache(None).key(FORMATTED.encode()) is None  # --no-cache: no key, nothing known
    assert not FormattedCache(None).known(FORMATTED.encode())
