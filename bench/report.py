#!/usr/bin/env python3
"""bench/results/*.json -> markdown: one table per figure (with ratios) and issue 6's targets.

  python3 bench/report.py [RESULTS_DIR] > bench/results/report.md
"""
import glob
import json
import os
import sys

BENCH = os.path.dirname(os.path.abspath(__file__))


def load(d):
    recs = {}
    for p in sorted(glob.glob(os.path.join(d, "*.json"))):
        r = json.load(open(p))
        recs[r["id"]] = r
    return recs


def cmd(rec, pred):
    for c in rec["commands"]:
        if pred(c):
            return c
    return None


def fmt(s):
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def targets(recs):
    rows = []

    def row(target, fid, measured, ok):
        rows.append((target, fid, measured, "met" if ok else "**missed**"))

    for what in ("heads", "history", "current"):
        fid = f"read.sqlite.n1000.{what}"
        r = recs.get(fid)
        if not r:
            rows.append((f"`{what}` at 1,000: ≥ 50× faster than Alembic, ≥ 3× faster than dbmate status",
                         fid, "not measured", "—"))
            continue
        q = cmd(r, lambda c: c["tool"] == "quipu")
        a = cmd(r, lambda c: c["name"].startswith("alembic"))
        d = cmd(r, lambda c: c["name"] == "dbmate status")
        x = a["median"] / q["median"]
        row(f"`{what}` at 1,000: ≥ 50× faster than Alembic", fid,
            f"{x:.1f}× ({fmt(q['median'])} vs {fmt(a['median'])})", x >= 50)
        if d:
            y = d["median"] / q["median"]
            row(f"`{what}` at 1,000: ≥ 3× faster than `dbmate status`", fid,
                f"{y:.2f}× ({fmt(q['median'])} vs {fmt(d['median'])})", y >= 3)
    for label in ("n10000", "graph10000"):
        for what in ("heads", "history", "current"):
            fid = f"read.sqlite.{label}.{what}"
            r = recs.get(fid)
            t = f"`{what}` at 10,000 ({'chain' if label == 'n10000' else 'branched graph'}): ≤ 2× `cat versions/*`"
            if not r:
                rows.append((t, fid, "not measured", "—"))
                continue
            q = cmd(r, lambda c: c["tool"] == "quipu")
            f = cmd(r, lambda c: c["name"].startswith("cat "))
            x = q["median"] / f["median"]
            row(t, fid, f"{x:.2f}× ({fmt(q['median'])} vs {fmt(f['median'])})", x <= 2)
    for db, lim_up in (("pg", 1.10), ("sqlite", 1.15)):
        for d, fig, lim in (("upgrade", "upgrade_head", lim_up), ("downgrade", "downgrade_base", 1.20)):
            fid = f"migrate.{db}.n1000.{fig}"
            r = recs.get(fid)
            for shape, sname in (("one", "one transaction"), ("per", "transaction per revision")):
                t = (f"`{d}` 1,000 on {'PostgreSQL' if db == 'pg' else 'SQLite'}, {sname}: "
                     f"≤ {lim:.2f}× the raw client")
                if not r:
                    rows.append((t, fid, "not measured", "—"))
                    continue
                q = cmd(r, lambda c: c["tool"] == "quipu" and c["shape"] == shape)
                w = cmd(r, lambda c: c["tool"] == "raw" and c["shape"] == shape)
                x = q["median"] / w["median"]
                row(t, fid, f"{x:.3f}× ({fmt(q['median'])} vs {fmt(w['median'])})", x <= lim)
    # autogenerate (bench.py autogen): quipu revision --autogenerate vs alembic revision --autogenerate
    qrev = lambda c: c["name"] == "quipu revision --autogenerate"
    alem = lambda c: c["name"].startswith("alembic")
    fid = "autogen.pg.t2000.modified"
    r = recs.get(fid)
    t = "autogenerate, 1 % of 2,000 tables changed: ≥ 20× faster than Alembic and < 1 s"
    if r:
        q, a = cmd(r, qrev), cmd(r, alem)
        x = a["median"] / q["median"]
        row(t, fid, f"{x:.1f}× ({fmt(q['median'])} vs {fmt(a['median'])})", x >= 20 and q["median"] < 1)
    else:
        rows.append((t, fid, "not measured", "—"))
    fid = "autogen.pg.t2000.empty_db"
    r = recs.get(fid)
    t = "autogenerate, 2,000 new tables: < 1.5 s"
    if r:
        q, a = cmd(r, qrev), cmd(r, alem)
        row(t, fid, f"{fmt(q['median'])} (Alembic {fmt(a['median'])})", q["median"] < 1.5)
    else:
        rows.append((t, fid, "not measured", "—"))
    for fid in ("autogen.pg.t2000.modified", "autogen.pg.t2000.empty_db"):
        r = recs.get(fid)
        t = f"autogenerate peak memory ≤ 1/10 of Alembic's ({fid.split('.')[-1]})"
        if not r:
            rows.append((t, fid, "not measured", "—"))
            continue
        q, a = cmd(r, qrev), cmd(r, alem)
        x = q["rss_kib_max"] / a["rss_kib_max"]
        row(t, fid, f"{x:.3f} ({q['rss_kib_max'] / 1024:.1f} MiB vs {a['rss_kib_max'] / 1024:.1f} MiB)", x <= 0.1)
    fid = "autogen.pg.introspect.t10000"
    r = recs.get(fid)
    t = "introspection of 10,000 tables: < 2 s"
    if r:
        q = cmd(r, lambda c: c["tool"] == "quipu")
        row(t, fid, f"{fmt(q['median'])} (min {fmt(q['min'])}, max {fmt(q['max'])})", q["median"] < 2)
    else:
        rows.append((t, fid, "not measured", "—"))
    out = ["| target (issue 6) | figure | measured | |", "|---|---|---|---|"]
    out += [f"| {a} | `{b}` | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(out) + "\n"


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(BENCH, "results")
    recs = load(d)
    print("## Targets\n")
    print(targets(recs))
    print("## Figures\n")
    order = ["graph", "read", "migrate", "offline", "autogen"]
    for k in order:
        for fid in sorted(recs):
            if fid.startswith(k + "."):
                print(open(os.path.join(d, fid + ".md")).read())
    for p in sorted(glob.glob(os.path.join(d, "graph.*.api.txt"))):
        print(f"### {os.path.basename(p)[:-4]} (bench/graph_bench.c)\n\n```\n{open(p).read()}```\n")


if __name__ == "__main__":
    main()
