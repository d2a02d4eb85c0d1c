"""Where a command's output goes: standard output, one file, or a folder of documents — always
atomically (a temporary file renamed into place), so an interrupted or failed command leaves no
partial output behind."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

from ..errors import UsageError


def emit_bytes(data: bytes, output: str | None) -> None:
    """stdout, or atomically into `output`; a place that cannot be written is the user's to fix."""
    from ..report.atomic import emit

    try:
        emit(data, output)
    except OSError as exc:  # -o names a folder, or a place that cannot be written: not a bug
        if output is None:  # stdout (a closed pipe is handled in main)
            raise
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}",
                         hint="give -o the path of a file in a folder you can write to") from None


def write_file(path: str, data: bytes) -> None:
    from ..report.atomic import write_atomic

    try:
        write_atomic(path, data)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}",
                         hint="give -o a path in a folder you can write to") from None


def emit_text(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    if os.path.isdir(output):
        raise UsageError(f"-o {output} is a folder", hint="give -o the path of a file, e.g. explain.txt")
    try:
        write_files({output: text})
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}",
                         hint="give -o the path of a file in a folder you can write to") from None


def write_files(files: dict[str, str]) -> None:
    """Write every file atomically (temp file + rename), after all were rendered (UTF-8)."""
    from ..report.atomic import write_atomic

    for path, text in files.items():
        write_atomic(path, text.encode("utf-8"))


def write_folder(out_dir: str, docs: dict[str, str]) -> None:
    """All documents or none: written into a temporary folder beside them, then moved in.

    A new folder appears at once (one rename); into an existing folder each document is moved
    only after all were written, and a name taken by a folder is refused before anything is."""
    for name in docs:
        if os.path.isdir(os.path.join(out_dir, name)):
            raise UsageError(f"-o {out_dir}: {name} there is a folder", hint="remove it or give another folder")
    exists = os.path.isdir(out_dir)
    parent = out_dir if exists else os.path.dirname(os.path.abspath(out_dir))
    try:
        os.makedirs(parent, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=".villkor-", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise UsageError(f"cannot write into {out_dir}: {exc.strerror or exc}",
                         hint="give -o a folder you can write to") from None
    try:
        for name, text in docs.items():
            with open(os.path.join(tmp, name), "wb") as fh:
                fh.write(text.encode("utf-8"))
        if exists:
            for name in docs:
                os.replace(os.path.join(tmp, name), os.path.join(out_dir, name))
            os.rmdir(tmp)
        else:
            os.chmod(tmp, 0o777 & ~_umask())
            os.rename(tmp, out_dir)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise UsageError(f"cannot write into {out_dir}: {exc.strerror or exc}; nothing was written",
                         hint="give -o a folder you can write to") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


