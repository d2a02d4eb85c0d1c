"""Writing output files atomically: a failed run never leaves a half-written file.

The bytes go to a temporary file in the target's own directory (same file system, so the
final `os.replace` is an atomic rename), are flushed and fsynced, then renamed over `path`.
Readers see the old file or the complete new one, never a part; on any failure, including
KeyboardInterrupt, the temporary file is removed and `path` is untouched.
"""

from __future__ import annotations

import os
import sys
import tempfile


def _new_file_mode() -> int:
    """The mode an ordinary new file gets (0666 minus the umask), not mkstemp's private 0600."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: str, data: bytes) -> None:
    """Write `data` to `path` all at once or not at all (missing parent folders are created)."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".villkor-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _new_file_mode())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def emit(data: bytes, path: str | None) -> None:
    """The output on stdout (as bytes, whatever the terminal's encoding), or atomically into a file."""
    if path is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        write_atomic(path, data)
