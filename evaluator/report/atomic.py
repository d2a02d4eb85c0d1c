"""Writing output files atomically: a failed run never leaves a half-written file.

The bytes go to a temporary file in the target's own directory (same file system, so the
final `os.replace` is an atomic rename), are flushed and fsynced, then renamed over `path`.
Readers see the old file or the complete new one, never a part; on any failure, including
KeyboardInterrupt and SIGTERM (the CLI turns it into an exception), the temporary file is
removed and `path` is untouched.

A symlink is followed (the file it points to is replaced, the link stays); a FIFO or a
device (/dev/null, /dev/stdout) is written through, never replaced by a regular file; an
existing file keeps its permission bits (a 0600 file stays 0600).
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile


def _new_file_mode() -> int:
    """The mode an ordinary new file gets (0666 minus the umask), not mkstemp's private 0600."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: str, data: bytes) -> None:
    """Write `data` to `path` all at once or not at all (missing parent folders are created)."""
    path = os.path.realpath(path)  # a symlink: replace what it points to, keep the link
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):
        with open(path, "wb") as fh:  # a FIFO or a device: write through it
            fh.write(data)
        return
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".villkor-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode) if st is not None else _new_file_mode())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def same_file(output: str, inputs) -> str | None:
    """The first of `inputs` that `output` names (resolving links), or None."""
    for path in inputs:
        if not path:
            continue
        try:
            if os.path.samefile(output, path):
                return path
        except OSError:  # either does not exist: it cannot be the same file
            continue
    return None


def emit(data: bytes, path: str | None) -> None:
    """The output on stdout (as bytes, whatever the terminal's encoding), or atomically into a file."""
    if path is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        write_atomic(path, data)
