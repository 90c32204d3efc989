#!/usr/bin/env python3
"""Body-extraction benchmark: wirefold-extract against trafilatura, same pages, same run.

usage (from the repository root, after a release build):
    python3 crates/extract/benches/extraction_vs_trafilatura.py \
        [--data ../shared/data] [--bin target/release/wirefold] [--cpu 0]

For each dataset (ScrapingHub with the 4-token-shingle metric, WCXB dev articles with the
word metric) it runs /work/shared-style tools/extraction_bench.py with both peers pinned to
one CPU, prints their F1 and pages/s and the ratios, and exits non-zero if either run fails.
`--bin` may be `wirefold` (speaks `extract --jsonl`) or the crate's `extract_jsonl` example.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

here = Path(__file__).resolve().parent
ap = argparse.ArgumentParser()
ap.add_argument("--data", default=os.environ.get("WIREFOLD_DATA", "../shared/data"))
ap.add_argument("--tools", default=None, help="folder with extraction_bench.py (default: DATA/../tools)")
ap.add_argument("--bin", default="target/release/wirefold")
ap.add_argument("--cpu", default="0")
ap.add_argument("--sets", default="extraction-scrapinghub:shingle4,wcxb-dev-article:word")
args = ap.parse_args()

data = Path(args.data)
tools = Path(args.tools) if args.tools else data.parent / "tools"
bench = tools / "extraction_bench.py"
ours = f"{args.bin} extract --jsonl" if Path(args.bin).name == "wirefold" else f"{args.bin} --jsonl"
peer = f"{sys.executable} {here / 'peer_trafilatura.py'}"
rows = []
for spec in args.sets.split(","):
    name, metric = spec.split(":")
    with tempfile.TemporaryDirectory() as tmp:
        rep = Path(tmp) / "r.json"
        cmd = [sys.executable, str(bench), "--dataset", str(data / name), "--metric", metric,
               "--cmd", ours, "--name", "wirefold", "--cmd", peer, "--name", "trafilatura",
               "--no-ready", "--cpu", args.cpu, "--bootstrap", "200", "--report-json", str(rep)]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            print(r.stdout[-2000:], r.stderr[-2000:])
            sys.exit(1)
        res = {x["name"]: x for x in json.loads(rep.read_text())}
        w, t = res["wirefold"], res["trafilatura"]
        rows.append((name, metric, w, t))
print(f"{'dataset':<24}{'metric':<10}{'system':<13}{'F1':>7}{'P':>7}{'R':>7}{'pages/s':>10}")
for name, metric, w, t in rows:
    for label, x in (("wirefold", w), ("trafilatura", t)):
        print(f"{name:<24}{metric:<10}{label:<13}{x['f1']:>7.3f}{x['precision']:>7.3f}{x['recall']:>7.3f}"
              f"{(x.get('pages_per_s') or 0):>10.1f}")
    speed = (w.get("pages_per_s") or 0) / max(t.get("pages_per_s") or 1e-9, 1e-9)
    print(f"{'':<24}{'':<10}{'ratio':<13}{w['f1'] - t['f1']:>+7.3f}{'':>14}{speed:>9.1f}x")
