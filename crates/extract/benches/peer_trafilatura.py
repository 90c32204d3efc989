#!/usr/bin/env python3
"""trafilatura as a peer for extraction_bench.py's jsonl protocol (the `--no-ready` form).

Reads {"id","url","html"} lines on stdin, writes {"id","text"} (or {"id","error"}) per line,
flushed. Default trafilatura settings (precision/recall balance, no comments, no tables
toggled) so the comparison is against what users get out of the box.
"""
import json
import sys

import trafilatura

for line in sys.stdin:
    if not line.strip():
        continue
    req = json.loads(line)
    try:
        text = trafilatura.extract(req.get("html") or "", url=req.get("url") or None,
                                   include_comments=False) or ""
        out = {"id": req["id"], "text": text}
    except Exception as e:  # noqa: BLE001 - a peer must answer every line
        out = {"id": req["id"], "error": str(e)}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
