#!/usr/bin/env bash
# docs/architecture.md names files and functions instead of line numbers,
# so that it does not rot silently: this checks that every path it names
# exists, that every identifier it quotes (`name`) is still in the
# sources, and that where it says "file `function`" (or "file,
# `function`") the function is in that file. A rename that leaves the map
# behind fails here.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

check "docs/architecture.md names what the code has" python3 - "$ROOT" <<'PY'
import os, re, sys
root = sys.argv[1]
doc = open(os.path.join(root, "docs/architecture.md")).read()
tops = ("swim", "crypto", "membership", "cli", "sim", "include", "tests",
        "bench", "docs", ".ci")
sources = {}
for top in tops:
    for base, _, files in os.walk(os.path.join(root, top)):
        for f in files:
            p = os.path.relpath(os.path.join(base, f), root)
            if p.endswith((".c", ".h", ".sh", ".py")) or top == ".ci":
                sources[p] = open(os.path.join(root, p), errors="replace").read()
basenames = {os.path.basename(p) for p in sources}
bad = []
# Paths: a known top folder, then more of a path.
for m in re.finditer(r"(?<![\w/.-])((?:%s)/[\w./*-]*)" %
                     "|".join(re.escape(t) for t in tops), doc):
    p = m.group(1).rstrip(".,;:)")
    if "*" not in p and not os.path.exists(os.path.join(root, p)):
        bad.append("no such path: " + p)
# Bare file names (answer.c): some file of that name exists.
for m in re.finditer(r"(?<![\w/.-])([a-z_]+\.[ch])\b", doc):
    if m.group(1) not in basenames:
        bad.append("no such file: " + m.group(1))
# Quoted identifiers: still somewhere in the sources.
def found(word, paths):
    return any(re.search(r"\b%s\b" % re.escape(word), sources.get(p, ""))
               for p in paths)
for m in re.finditer(r"`([^`]+)`", doc):
    for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", m.group(1)):
        if "_" in w and not found(w, sources):
            bad.append("not in the sources: " + w)
# "path `function`" and "path, `function`": the function is in that file.
for m in re.finditer(r"((?:%s)/[\w./-]+\.[ch]),?\s+`([A-Za-z_]\w*)" %
                     "|".join(re.escape(t) for t in tops), doc):
    path, fn = m.group(1), m.group(2)
    if not found(fn, [path]):
        bad.append("%s is not in %s" % (fn, path))
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
PY

finish
