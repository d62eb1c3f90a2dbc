#!/usr/bin/env python3
"""Validate a vnfeeds output directory offline with the W3C Feed Validator.

Usage:
    python3 bench/w3c_validate.py OUTPUT_DIR BASE_URL [options] [FILE ...]

Every *.atom and *.rss file under OUTPUT_DIR (plus *.opml with --opml) is
validated with feedvalidator.validateStream(), passing BASE_URL + the
file's relative path as the document's location, so rel="self" /
atom:link checks compare against the URL the file would be served at.
If FILE arguments (paths relative to OUTPUT_DIR) are given, only those are
checked.

The Content-Type each file would be served with (mirrors feeds/serve.py)
is passed to the validator as well, so media-type checks run; disable with
--no-content-type.

The validator is imported from --validator-src (default: $FEEDVALIDATOR_SRC
or ./feedvalidator/src next to this script).  It needs Python 3 with
html5lib (hard dependency) and rdflib (only for RSS 1.0/RDF feeds).

Exit status: 0 = no errors, 1 = at least one error (warnings/infos do not
fail unless --strict), 2 = usage problem.
"""

import argparse
import collections
import os
import sys
from urllib.parse import quote, urljoin

CONTENT_TYPES = {
    ".atom": "application/atom+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
}


def load_validator(src):
    src = os.path.abspath(src)
    if not os.path.isfile(os.path.join(src, "feedvalidator", "__init__.py")):
        sys.exit(
            f"feedvalidator package not found under {src} "
            "(use --validator-src or FEEDVALIDATOR_SRC)"
        )
    sys.path.insert(0, src)
    import feedvalidator
    from feedvalidator import logging as fvlog
    from feedvalidator.formatter.text_plain import Formatter

    return feedvalidator, fvlog, Formatter


def severity(event, fvlog):
    if isinstance(event, fvlog.Error):
        return "error"
    if isinstance(event, fvlog.Warning):
        return "warning"
    if isinstance(event, fvlog.Info):
        return "info"
    return None  # internal/positive LoggedEvents (e.g. ValidDoctype)


def iter_files(outdir, exts):
    for root, dirs, files in os.walk(outdir):
        dirs.sort()
        for name in sorted(files):
            if os.path.splitext(name)[1] in exts:
                yield os.path.relpath(os.path.join(root, name), outdir)


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("base_url", help="e.g. http://127.0.0.1:8080/")
    ap.add_argument("files", nargs="*", help="only these files (relative to outdir)")
    ap.add_argument(
        "--validator-src",
        default=os.environ.get("FEEDVALIDATOR_SRC", os.path.join(here, "feedvalidator", "src")),
    )
    ap.add_argument("--opml", action="store_true", help="also validate *.opml")
    ap.add_argument(
        "--no-content-type",
        action="store_true",
        help="do not pass the served Content-Type to the validator",
    )
    ap.add_argument(
        "--first-only",
        action="store_true",
        help="report only the first occurrence of each message type per file "
        "(what the online validator does)",
    )
    ap.add_argument("--no-info", action="store_true", help="hide informational notices")
    ap.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    ap.add_argument("-q", "--quiet", action="store_true", help="summary only")
    args = ap.parse_args(argv)

    feedvalidator, fvlog, Formatter = load_validator(args.validator_src)
    base = args.base_url if args.base_url.endswith("/") else args.base_url + "/"
    if not os.path.isdir(args.outdir):
        print(f"no such directory: {args.outdir}", file=sys.stderr)
        return 2

    exts = {".atom", ".rss"} | ({".opml"} if args.opml else set())
    files = args.files or list(iter_files(args.outdir, exts))

    counts = collections.Counter()  # (severity, msgid) -> occurrences
    files_per = collections.defaultdict(set)  # (severity, msgid) -> files
    example = {}  # (severity, msgid) -> (file, line, col, text)
    feedtypes = collections.Counter()
    nfiles_with = collections.Counter()
    fmt = Formatter([])

    for rel in files:
        path = os.path.join(args.outdir, rel)
        url = urljoin(base, quote(rel.replace(os.sep, "/")))
        ctype = None if args.no_content_type else CONTENT_TYPES.get(os.path.splitext(rel)[1])
        try:
            with open(path, "rb") as fh:
                res = feedvalidator.validateStream(
                    fh, firstOccurrenceOnly=1 if args.first_only else 0, contentType=ctype, base=url
                )
            events, ftype = res["loggedEvents"], res.get("feedType")
        except fvlog.ValidationFailure as vf:
            events, ftype = [vf.event], None
        feedtypes[ftype] += 1

        seen = set()
        lines = []
        for ev in events:
            sev = severity(ev, fvlog)
            if sev is None or (sev == "info" and args.no_info):
                continue
            msgid = type(ev).__name__
            key = (sev, msgid)
            counts[key] += 1
            files_per[key].add(rel)
            seen.add(sev)
            line, col = ev.params.get("line", "?"), ev.params.get("column", "?")
            text = fmt.getMessage(ev)
            example.setdefault(key, (rel, line, col, text))
            lines.append(f"{rel}:{line}:{col}: {sev.upper()} {msgid}: {text}")
        for s in seen:
            nfiles_with[s] += 1
        if lines and not args.quiet:
            print("\n".join(lines))

    print(f"\n=== Summary: {len(files)} files validated against {base}")
    names = {
        v: k[5:] for k, v in vars(fvlog).items() if k.startswith("TYPE_") and isinstance(v, int)
    }
    print(
        "feed types: {}".format(
            ", ".join(
                f"{names.get(k, k)}={v}"
                for k, v in sorted(feedtypes.items(), key=lambda kv: str(kv[0]))
            )
        )
    )
    for sev in ("error", "warning", "info"):
        keys = sorted((k for k in counts if k[0] == sev), key=lambda k: -counts[k])
        print(
            f"{sev.upper() + 'S':<8} {sum(counts[k] for k in keys)} occurrences in "
            f"{nfiles_with[sev]} files"
        )
        for k in keys:
            f, line, col, text = example[k]
            print(
                f"  {k[1]:<32} {counts[k]:6d} x in {len(files_per[k]):4d} files  "
                f"e.g. {f}:{line}:{col}  {text}"
            )

    if nfiles_with["error"] or (args.strict and nfiles_with["warning"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
