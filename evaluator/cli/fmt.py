"""`villkor fmt FILE... [--check]`: rewrite policy files in the canonical layout, comments kept
(evaluator/style/fmt.py)."""

from __future__ import annotations

import sys

from ..errors import VillkorError, render


def attach(sub) -> None:
    p = sub.add_parser("fmt", help="rewrite policy files in the canonical layout (comments kept)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--check", action="store_true",
                   help="change nothing; list the files that are not formatted and exit 1 if any")
    p.add_argument("--no-cache", action="store_true",
                   help="check every file again, even one whose exact content was found formatted "
                        "before; read and write nothing in the cache folder (VILLKOR_CACHE_DIR)")
    p.set_defaults(handler=cmd_fmt)


def cmd_fmt(args) -> int:
    """Each file formatted on its own: a file that cannot be read or formatted is reported and
    left untouched, the others are still formatted. Written atomically (temp file + rename).

    A file whose exact content this villkor found formatted before is not formatted again
    (evaluator/style/cache.py), nor one proven already formatted from its structure
    (evaluator/style/proof.py); only a file found formatted is remembered."""
    from ..policy.reading import read_text
    from ..style.cache import FormattedCache, cache_dir

    cache = FormattedCache(None if args.no_cache else cache_dir())
    unformatted, failed = [], 0
    for path in args.files:
        try:
            text, raw = read_text(path)
            if cache.known(raw):
                continue
            from ..style.proof import proven_formatted  # the expression language: only here

            if proven_formatted(text):
                cache.remember(raw)
                continue
            from ..style.fmt import format_text

            formatted = format_text(text, path)
        except VillkorError as err:
            print(render(err), file=sys.stderr)
            failed += 1
            continue
        if formatted.encode("utf-8") == raw:
            cache.remember(raw)
        else:
            unformatted.append(path)
            if not args.check:
                from ..report.atomic import write_atomic  # (the report package: only to write)

                try:
                    write_atomic(path, formatted.encode("utf-8"))
                except OSError as exc:  # e.g. a folder we may read but not write
                    print(f"{path}: cannot write: {exc.strerror or exc}; the file is unchanged "
                          "(hint: run fmt where you may create files, or --check)", file=sys.stderr)
                    unformatted.pop()
                    failed += 1
    for path in unformatted:
        print(f"{'would reformat' if args.check else 'reformatted'} {path}")
    n = len(args.files) - failed - len(unformatted)
    summary = f"{n} file{'s' if n != 1 else ''} already formatted"
    if unformatted:
        summary = f"{len(unformatted)} file{'s' if len(unformatted) != 1 else ''} " \
                  f"{'would be ' if args.check else ''}reformatted, " + summary
    print(summary + (f", {failed} could not be read or written" if failed else ""), file=sys.stderr)
    return 1 if failed or (args.check and unformatted) else 0
