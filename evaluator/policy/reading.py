"""Reading a file's text: the bytes (what sha256 covers) and their UTF-8 text, errors naming the
file. Apart from the loader (evaluator/policy/loader.py) so that `villkor fmt`, which only needs
the text, imports no YAML parser for a file it finds in its cache."""

from __future__ import annotations

from ..errors import Location, ReadError, YamlError


def read_text(path: str) -> tuple[str, bytes]:
    """The file's text and bytes (the bytes are what sha256 covers); errors name the file."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raise ReadError(f"no such file: {path}", Location(file=path),
                        "check the path (relative paths are from the current folder)") from None
    except IsADirectoryError:
        raise ReadError(f"{path} is a folder, not a file", Location(file=path)) from None
    except OSError as exc:
        raise ReadError(f"cannot read {path}: {exc.strerror}", Location(file=path)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise YamlError("the file is not UTF-8 text", Location(file=path, line=line),
                        "save it as UTF-8 (most editors: 'Save with encoding')") from None
    return text, raw
