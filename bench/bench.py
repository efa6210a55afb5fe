#!/usr/bin/env python3
"""quipu side by side with Alembic, dbmate and the raw clients, on the peers' workloads.

  bench/bench.py read    --n N [--db sqlite|pg]     heads / history / current at N (linear chain)
  bench/bench.py read    --graph 10000 [--db ...]   the same on the branched graph
  bench/bench.py migrate --db pg|sqlite --n N [--only up|down]
                                               upgrade head / downgrade base, both transaction
                                               modes, vs psql / sqlite3 in the same shape,
                                               Alembic and dbmate
  bench/bench.py offline --n N                 upgrade head --sql (quipu vs Alembic)
  bench/bench.py graph   [--n 10000]           bench/graph_bench.c through the public API
  bench/bench.py autogen [--tables 2000] [--only modified|empty_db] [--introspect 200 2000 10000]
                                               revision --autogenerate / check vs Alembic, 1 % of
                                               T tables changed and all new; introspection alone

Common options: --runs R --warmup W --out DIR (JSON + markdown per figure, default
bench/results/) --quipu PATH (default build/quipu) --keep.

The peers' harness is used, not copied: ../shared/peers/gen.py writes the chain workloads
(Alembic project, dbmate files, SQL), ../shared/peers/pg.sh (through bench.py's PG class)
starts a throwaway PostgreSQL 15 cluster.  Set PEERS_DIR to point elsewhere.

Method.  Interleaved rounds: every round runs each command of a figure once, in an order
rotated by one per round, so drifting machine load hits all commands alike.  Before every
timed run an untimed prepare resets the database (PostgreSQL: DROP DATABASE .. WITH (FORCE) +
CREATE DATABASE [TEMPLATE]; SQLite: delete / copy the file).  Commands are exec'd directly
(no shell) where they can be; the wall time is spawn-to-wait from Python (it includes the
spawn cost: see the `true` row).  Peak RSS: one extra run per command under /usr/bin/time -f %M
after the timed rounds (as the peers measure it), with its end state checked too; a figure of one
run and no warm-up (runs of minutes: the 10,000-revision chains) takes it from the timed run itself,
run under /usr/bin/time.
`true`, timed the same way, gives the spawn floor (printed with every read figure).  After
every timed run of a migrate figure the end state is checked (number of t#### tables and the
version table).  Median, min-max, and the ratios quipu / peer are printed.
"""
import argparse
import datetime
import glob
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
PEERS = os.environ.get("PEERS_DIR", os.path.join(ROOT, "..", "shared", "peers"))
sys.path.insert(0, PEERS)
import bench as peers  # noqa: E402  ../shared/peers/bench.py (PG cluster, dbmate lookup, ...)

PY = peers.PY
ALEMBIC = [PY, "-m", "alembic"]


# --------------------------------------------------------------------------- running

def prepare(cmd, env, cwd):
    r = subprocess.run(cmd, shell=True, executable="/bin/bash", env=env, cwd=cwd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"prepare failed: {cmd}\n{r.stderr[-2000:]}")


class Cmd:
    """One command of a figure: argv (exec'd directly) or sh (through bash)."""

    def __init__(self, name, argv=None, sh=None, stdin=None, prepare=None, check=None,
                 env=None, cwd=None, tool="peer", shape="", ok_rc=(0,), bad_stderr=None):
        self.ok_rc = ok_rc  # exit codes that are not a failure (`quipu check`: 1 = changes found)
        self.bad_stderr = bad_stderr  # text on stderr that makes a run a failure anyway
        self.name, self.argv, self.sh, self.stdin = name, argv, sh, stdin
        self.prepare, self.check, self.env, self.cwd = prepare, check, env, cwd
        self.tool, self.shape = tool, shape
        self.times, self.rss = [], []

    def display(self):
        if self.sh:
            return self.sh
        s = " ".join(shlex.quote(a) for a in self.argv[:12])
        if len(self.argv) > 12:
            s += f" ... ({len(self.argv) - 12} more args)"
        if self.stdin:
            s += " < " + self.stdin
        return s

    def run_once(self, rss=False):
        """One timed run; with rss, under /usr/bin/time (one more fork and exec, ~1 ms) and its
        peak RSS kept in self.rss (for one-run figures whose runs take minutes)."""
        if self.prepare:
            prepare(self.prepare, self.env, self.cwd)
        argv = self.argv or ["/bin/bash", "-c", self.sh]
        tf = tempfile.NamedTemporaryFile("r", suffix=".time") if rss else None
        if tf:
            argv = ["/usr/bin/time", "-f", "%M", "-o", tf.name, *argv]
        fin = open(self.stdin) if self.stdin else subprocess.DEVNULL
        try:
            t0 = time.perf_counter()
            p = subprocess.Popen(argv, stdin=fin, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, env=self.env, cwd=self.cwd)
            err = p.stderr.read()
            _, status = os.waitpid(p.pid, 0)
            t1 = time.perf_counter()
            p.returncode = os.waitstatus_to_exitcode(status)
        finally:
            if self.stdin:
                fin.close()
        if p.returncode not in self.ok_rc or (self.bad_stderr and self.bad_stderr.encode() in err):
            raise RuntimeError(f"{self.name} failed (rc={p.returncode}): {self.display()}\n"
                               f"{err.decode(errors='replace')[-2000:]}")
        if tf:
            self.rss = int(tf.read().strip().splitlines()[-1])
            tf.close()
        if self.check:
            msg = self.check()
            if msg:
                raise RuntimeError(f"{self.name}: end-state check failed: {msg}")
        return t1 - t0

    def peak_rss_kib(self):
        """One extra run under /usr/bin/time (as the peers measure it): wait4's ru_maxrss of a
        child of the Python harness would include the harness's own pages copied at fork."""
        if self.prepare:
            prepare(self.prepare, self.env, self.cwd)
        argv = self.argv or ["/bin/bash", "-c", self.sh]
        with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
            fin = open(self.stdin) if self.stdin else subprocess.DEVNULL
            try:
                r = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", tf.name, *argv], stdin=fin,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=self.env,
                                   cwd=self.cwd)
            finally:
                if self.stdin:
                    fin.close()
            if r.returncode not in self.ok_rc:
                raise RuntimeError(f"{self.name} failed in the RSS run: {r.stderr[-1000:]}")
            kib = int(tf.read().strip().splitlines()[-1])
        if self.check:
            msg = self.check()
            if msg:
                raise RuntimeError(f"{self.name}: end-state check failed: {msg}")
        return kib


def run_figure(fid, cmds, runs, warmup, out, note=""):
    """Interleaved rounds; returns the record (also saved as JSON)."""
    print(f"\n## {fid}  ({runs} runs after {warmup} warm-up, interleaved)", flush=True)
    load0 = os.getloadavg()
    for c in cmds:
        c.times = []
    # one run and no warm-up (the 10,000-revision figures, minutes per run): the peak RSS is
    # taken from the timed run itself rather than from one more run
    rss_in_run = runs == 1 and warmup == 0
    for c in cmds:
        c.failed = None
    for r in range(warmup + runs):
        live = [c for c in cmds if not c.failed]
        k = r % len(live)
        for c in live[k:] + live[:k]:
            try:
                t = c.run_once(rss=rss_in_run)
            except RuntimeError as e:
                # a peer that fails (Alembic 1.8.1 segfaults at 10,000 tables) is recorded and
                # left out of the later rounds; quipu's or a raw client's failure ends the figure
                if c.tool != "peer":
                    raise
                c.failed = str(e).strip()
                print(f"  {c.name}: FAILED, left out of the figure:\n    "
                      + "\n    ".join(c.failed.splitlines()[-6:]), flush=True)
                continue
            if r >= warmup:
                c.times.append(t)
    if rss_in_run:
        note += " Peak RSS from the timed run (under /usr/bin/time)."
    for c in cmds:
        if not rss_in_run and not c.failed:
            c.rss = c.peak_rss_kib()
    load1 = os.getloadavg()
    rec = {"id": fid, "date": datetime.datetime.now().isoformat(timespec="seconds"),
           "runs": runs, "warmup": warmup, "note": note, "commands": [],
           "loadavg_1min_before_after": [load0[0], load1[0]], "nproc": os.cpu_count()}
    for c in cmds:
        if c.failed:
            rec["commands"].append({
                "name": c.name, "tool": c.tool, "shape": c.shape, "cmd": c.display(),
                "prepare": c.prepare, "times": c.times, "failed": c.failed})
            continue
        rec["commands"].append({
            "name": c.name, "tool": c.tool, "shape": c.shape, "cmd": c.display(),
            "prepare": c.prepare, "times": c.times, "median": statistics.median(c.times),
            "min": min(c.times), "max": max(c.times), "rss_kib_max": c.rss})
    print_record(rec)
    print(f"  load average (1 min) before/after: {load0[0]:.1f} / {load1[0]:.1f} on {os.cpu_count()} CPUs")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, fid + ".json"), "w") as f:
        json.dump(rec, f, indent=1)
    with open(os.path.join(out, fid + ".md"), "w") as f:
        f.write(record_md(rec))
    return rec


def fmt_t(s):
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def record_md(rec):
    lines = [f"### {rec['id']}", "", f"{rec['date']}, {rec['runs']} runs after {rec['warmup']} "
             f"warm-up, interleaved; load average {rec['loadavg_1min_before_after'][0]:.1f} / "
             f"{rec['loadavg_1min_before_after'][1]:.1f} (before/after, {rec['nproc']} CPUs). {rec['note']}", "",
             "| command | median | min–max | peak RSS |", "|---|---|---|---|"]
    for c in rec["commands"]:
        if "failed" in c:
            lines.append(f"| {c['name']} | failed: {failure_line(c['failed'])} | — | — |")
            continue
        lines.append(f"| {c['name']} | {fmt_t(c['median'])} | {fmt_t(c['min'])}–{fmt_t(c['max'])} "
                     f"| {c['rss_kib_max'] / 1024:.1f} MiB |")
    qs = [c for c in rec["commands"] if c["tool"] == "quipu"]
    ps = [c for c in rec["commands"] if c["tool"] != "quipu" and "failed" not in c]
    if qs and ps:
        lines += ["", "Ratios, quipu / peer (median time; < 1 means quipu is faster):", "",
                  "| quipu \\ peer | " + " | ".join(p["name"] for p in ps) + " |",
                  "|---" * (len(ps) + 1) + "|"]
        for q in qs:
            lines.append(f"| {q['name']} | " + " | ".join(
                f"{q['median'] / p['median']:.3f}" for p in ps) + " |")
    lines += ["", "Commands:", ""] + [f"- {c['name']}: `{c['cmd']}`" for c in rec["commands"]]
    for c in rec["commands"]:
        if "failed" in c:
            tail = [ln for ln in c["failed"].splitlines()[1:] if ln.strip()][-4:]
            lines += ["", f"{c['name']} failed; the end of its stderr:", "", "```"] + (tail or ["(empty)"]) + ["```"]
    return "\n".join(lines) + "\n"


def failure_line(msg):
    """The first line of a run's failure: the command's name, exit code and command line."""
    first = msg.splitlines()[0]
    return first.split(":", 1)[0] if "(rc=" in first else first[:120]


def print_record(rec):
    w = max(len(c["name"]) for c in rec["commands"])
    for c in rec["commands"]:
        if "failed" in c:
            print(f"  {c['name']:<{w}}  FAILED: {failure_line(c['failed'])}", flush=True)
            continue
        print(f"  {c['name']:<{w}}  {fmt_t(c['median']):>10}  ({fmt_t(c['min'])}–{fmt_t(c['max'])})"
              f"  {c['rss_kib_max'] / 1024:6.1f} MiB", flush=True)
    qs = [c for c in rec["commands"] if c["tool"] == "quipu"]
    ps = [c for c in rec["commands"] if c["tool"] != "quipu" and "failed" not in c]
    for q in qs if ps else []:
        print(f"  ratio {q['name']} / " + ", ".join(f"{p['name']} {q['median'] / p['median']:.3f}"
                                                    for p in ps), flush=True)


# --------------------------------------------------------------------------- workloads

class Work:
    def __init__(self, args):
        self.dir = tempfile.mkdtemp(prefix="quipu-bench.")
        self.keep = args.keep
        self.pg = None

    def close(self):
        if self.pg:
            self.pg.stop()
        if self.keep:
            print(f"kept {self.dir}", file=sys.stderr)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def sh(cmd, env=None, capture=False):
    r = subprocess.run(cmd, shell=True, executable="/bin/bash", env=env, check=True, text=True,
                       stdout=subprocess.PIPE if capture else subprocess.DEVNULL)
    return r.stdout if capture else None


def make_chain(w, n):
    d = os.path.join(w.dir, f"chain{n}")
    sh(f"{PY} {PEERS}/gen.py chain --n {n} --out {d} > /dev/null")
    sh(f"{PY} {BENCH}/gen_quipu.py chain --from {d} > /dev/null")
    return d


def make_graph(w, n):
    d = os.path.join(w.dir, f"graph{n}")
    sh(f"{PY} {BENCH}/gen_quipu.py graph --n {n} --out {d} > /dev/null")
    return d


def dbmate_versions(d):
    return [os.path.basename(p).split("_")[0]
            for p in sorted(glob.glob(os.path.join(d, "dbmate", "db", "migrations", "*.sql")))]


def version_sql(heads, dbmate_vers):
    """Version tables as Alembic and dbmate write them (the DB 'at head' without running it)."""
    s = ("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
         "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));\n")
    s += "".join(f"INSERT INTO alembic_version VALUES ('{h}');\n" for h in heads)
    if dbmate_vers is not None:
        s += "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY);\n"
        for i in range(0, len(dbmate_vers), 500):
            s += ("INSERT INTO schema_migrations (version) VALUES " +
                  ", ".join(f"('{v}')" for v in dbmate_vers[i:i + 500]) + ";\n")
    return s


class DB:
    """SQLite file or the peers' throwaway PostgreSQL; states: empty, head (template)."""

    def __init__(self, w, kind):
        self.kind, self.w = kind, w
        if kind == "pg":
            w.pg = w.pg or peers.PG(w.dir)
            self.pg = w.pg
            self.env = dict(self.pg.env)
            self.quipu_url = self.pg.libpq_url()
            self.alembic_url = self.pg.url()
            self.dbmate_url = self.pg.dbmate_url()
        else:
            self.path = os.path.join(w.dir, "bench.sqlite3")
            self.env = peers.base_env()
            self.quipu_url = f"sqlite:///{self.path}"
            self.alembic_url = self.quipu_url
            self.dbmate_url = f"sqlite:{self.path}"
        self.env["DB_URL"] = self.alembic_url
        self.env.pop("DATABASE_URL", None)
        self.env.pop("QUIPU_DATABASE_URL", None)

    def reset(self, state):
        """Shell command: the database in `state` (empty | a template name)."""
        if self.kind == "pg":
            return self.pg.reset_cmd(state)
        p = shlex.quote(self.path)
        rm = f"rm -f {p} {p}-journal {p}-wal {p}-shm"
        return rm if state == "empty" else f"{rm} && cp {p}.tpl_{state} {p}"

    def make_template(self, state, sql_files, extra_sql):
        """The template database `state`: the files run with the raw client in one transaction,
        then extra_sql (version tables)."""
        tmp = os.path.join(self.w.dir, f"tpl_{state}_extra.sql")
        with open(tmp, "w") as f:
            f.write(extra_sql)
        if self.kind == "pg":
            db = f"tpl_{state}"
            sh(self.pg.reset_cmd("empty", db), env=self.env)
            for fn in sql_files + [tmp]:
                sh(f"psql -X -q -v ON_ERROR_STOP=1 -1 -d {db} -f {shlex.quote(fn)}", env=self.env)
        else:
            tpl = f"{self.path}.tpl_{state}"
            sh(f"rm -f {shlex.quote(tpl)}")
            for fn in sql_files + [tmp]:
                sh(f"(echo 'BEGIN;'; cat {shlex.quote(fn)}; echo 'COMMIT;') | sqlite3 -bail {shlex.quote(tpl)}")

    def query(self, sql):
        if self.kind == "pg":
            return sh("psql -X -At -c " + shlex.quote(sql), env=self.env, capture=True).strip()
        return sh(f"sqlite3 {shlex.quote(self.path)} " + shlex.quote(sql), capture=True).strip()

    def count_tables(self):
        if self.kind == "pg":
            return int(self.query("SELECT count(*) FROM pg_tables WHERE schemaname='public' "
                                  "AND tablename ~ '^t[0-9]{4,5}$'"))
        return int(self.query("SELECT count(*) FROM sqlite_master WHERE type='table' "
                              "AND name GLOB 't[0-9][0-9][0-9][0-9]*'"))


def creates(n):
    return sum(1 for i in range(n) if i % 4 != 3)


# --------------------------------------------------------------------------- figures

def quipu_argv(args, ini, db, *rest):
    return [args.quipu, "-c", ini, "--url", db.quipu_url, "-q", *rest]


def fig_read(args, w):
    """heads / history / current, quipu vs Alembic, dbmate status, cat versions/*."""
    if args.graph:
        d, n, label = make_graph(w, args.graph), args.graph, f"graph{args.graph}"
        heads = open(os.path.join(d, "HEADS")).read().split()
        dvers, dbmate_dir = None, None
    else:
        d, n, label = make_chain(w, args.n), args.n, f"n{args.n}"
        heads = [open(os.path.join(d, "HEAD")).read().strip()]
        dvers = dbmate_versions(d)
        dbmate_dir = os.path.join(d, "dbmate", "db", "migrations")
    db = DB(w, args.db)
    # the DB "at head": version tables only (reading commands never look at the other tables)
    db.make_template("stamped", [], version_sql(heads, dvers))
    sh(db.reset("stamped"), env=db.env)
    qini = os.path.join(d, "quipu", "quipu.ini")
    aini = os.path.join(d, "alembic", "alembic.ini")
    files = sorted(glob.glob(os.path.join(d, "quipu", "migrations", "versions", "*.sql")))
    env, cwd = db.env, w.dir
    # warm Alembic's __pycache__ once (as a user's second run)
    subprocess.run(ALEMBIC + ["-c", aini, "heads"], env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    common = [Cmd("cat versions/*.sql", argv=["cat", *files], env=env, cwd=cwd, tool="floor"),
              Cmd("true (spawn floor)", argv=["true"], env=env, cwd=cwd, tool="floor")]
    dbm = peers.find_dbmate()
    if dbm and dbmate_dir:
        common.append(Cmd("dbmate status", argv=[dbm, "--no-dump-schema", "-d", dbmate_dir,
                                                   "-u", db.dbmate_url, "status"],
                          env=env, cwd=cwd))
    runs = args.runs or 10
    warm = 2 if args.warmup is None else args.warmup
    recs = []
    for what in ("heads", "history", "current"):
        cmds = [Cmd(f"quipu {what}", argv=quipu_argv(args, qini, db, what), env=env, cwd=cwd,
                    tool="quipu"),
                Cmd(f"alembic {what}", argv=ALEMBIC + ["-c", aini, what], env=env, cwd=cwd)] + common
        recs.append(run_figure(f"read.{args.db}.{label}.{what}", cmds, runs, warm, args.out,
                               note=f"{n} revisions ({'branched graph, ' + str(len(heads)) + ' heads' if args.graph else 'linear chain'}); "
                                    f"DB ({args.db}) holds the version tables at head."))
    return recs


def fig_migrate(args, w):
    n = args.n
    d = make_chain(w, n)
    db = DB(w, args.db)
    sqld = os.path.join(d, "sql")
    head = open(os.path.join(d, "HEAD")).read().strip()
    db.make_template("head", [os.path.join(sqld, "all_up.sql")], version_sql([head], dbmate_versions(d)))
    q1 = os.path.join(d, "quipu", "quipu.ini")          # transaction_per_migration = true
    qone = os.path.join(d, "quipu", "quipu_one.ini")    # false
    aini = os.path.join(d, "alembic", "alembic.ini")
    dbm = peers.find_dbmate()
    dbmate_dir = os.path.join(d, "dbmate", "db", "migrations")
    env, cwd = db.env, w.dir
    small = n <= 100
    runs = args.runs or (10 if small else 5)
    warm = 1 if args.warmup is None else args.warmup

    def check(tables, version):
        def f():
            t = db.count_tables()
            v = db.query("SELECT count(*) FROM alembic_version") if version is not None else None
            if t != tables:
                return f"{t} t#### tables, expected {tables}"
            if version is not None and int(v) != version:
                return f"{v} alembic_version rows, expected {version}"
            return None
        return f

    if db.kind == "pg":
        P = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"]
        raw = {("up", "one"): dict(argv=P + ["-1", "-f", f"{sqld}/all_up.sql"], name="psql -1 -f all_up.sql"),
               ("up", "per"): dict(argv=P + ["-f", f"{sqld}/all_up_pertx.sql"], name="psql -f all_up_pertx.sql"),
               ("down", "one"): dict(argv=P + ["-1", "-f", f"{sqld}/all_down.sql"], name="psql -1 -f all_down.sql"),
               ("down", "per"): dict(argv=P + ["-f", f"{sqld}/all_down_pertx.sql"], name="psql -f all_down_pertx.sql")}
    else:
        S = ["sqlite3", "-bail", db.path]
        raw = {("up", "one"): dict(argv=S, stdin=f"{sqld}/all_up_tx.sql", name="sqlite3 < all_up_tx.sql"),
               ("up", "per"): dict(argv=S, stdin=f"{sqld}/all_up_pertx.sql", name="sqlite3 < all_up_pertx.sql"),
               ("down", "one"): dict(argv=S, stdin=f"{sqld}/all_down_tx.sql", name="sqlite3 < all_down_tx.sql"),
               ("down", "per"): dict(argv=S, stdin=f"{sqld}/all_down_pertx.sql", name="sqlite3 < all_down_pertx.sql")}
    recs = []
    for direction in ("up", "down"):
        if args.only and direction not in args.only:
            continue
        if direction == "up":
            state, qargs, aargs, chk_q, chk_raw = "empty", ["upgrade", "head"], ["upgrade", "head"], \
                check(creates(n), 1), check(creates(n), None)
        else:
            state, qargs, aargs, chk_q, chk_raw = "head", ["downgrade", "base"], ["downgrade", "base"], \
                check(0, 0), check(0, None)
        prep = db.reset(state)
        k = dict(env=env, cwd=cwd, prepare=prep)
        cmds = [Cmd(f"quipu {' '.join(qargs)} (txn per revision)", argv=quipu_argv(args, q1, db, *qargs),
                    check=chk_q, tool="quipu", shape="per", **k),
                Cmd(f"quipu {' '.join(qargs)} (one txn)", argv=quipu_argv(args, qone, db, *qargs),
                    check=chk_q, tool="quipu", shape="one", **k)]
        for shape in ("per", "one"):
            r = raw[(direction, shape)]
            cmds.append(Cmd(r["name"], argv=r["argv"], stdin=r.get("stdin"), check=chk_raw,
                            tool="raw", shape=shape, **k))
        cmds.append(Cmd(f"alembic {' '.join(aargs)}", argv=ALEMBIC + ["-c", aini, *aargs],
                        check=chk_q, **k))
        if dbm:
            M = [dbm, "--no-dump-schema", "-d", dbmate_dir, "-u", db.dbmate_url]
            if direction == "up":
                cmds.append(Cmd("dbmate up", argv=M + ["up"], check=check(creates(n), None), **k))
            elif args.dbmate_rollback:
                loop = " ".join(shlex.quote(a) for a in M)
                cmds.append(Cmd(f"dbmate rollback x{n}",
                                sh=f"for i in $(seq {n}); do {loop} rollback > /dev/null || exit 1; done",
                                check=check(0, None), **k))
        note = (f"{n}-revision chain on {'PostgreSQL' if db.kind == 'pg' else 'SQLite'}, from "
                f"{'an empty database' if direction == 'up' else 'the database at head'}. "
                "Shapes: quipu txn per revision ~ the raw *_pertx.sql file (BEGIN/COMMIT per revision); "
                "quipu one txn ~ the raw one-transaction run. The raw runs do no version-table bookkeeping. "
                "Alembic: its default mode (one transaction on PostgreSQL; SQLite commits per revision). "
                "dbmate: a transaction per migration.")
        fid = f"migrate.{args.db}.n{n}.{'upgrade_head' if direction == 'up' else 'downgrade_base'}"
        recs.append(run_figure(fid, cmds, runs, warm, args.out, note=note))
    return recs


def fig_offline(args, w):
    n = args.n
    d = make_chain(w, n)
    qini = os.path.join(d, "quipu", "quipu.ini")
    aini = os.path.join(d, "alembic", "alembic.ini")
    env = peers.base_env()
    url = "postgresql://nobody@localhost:1/none"  # never contacted: offline mode
    env["DB_URL"] = "postgresql+psycopg2://nobody@localhost:1/none"
    subprocess.run(ALEMBIC + ["-c", aini, "heads"], env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    cmds = [Cmd("quipu upgrade head --sql", argv=[args.quipu, "-c", qini, "--url", url,
                                                  "upgrade", "head", "--sql"],
                env=env, cwd=w.dir, tool="quipu"),
            Cmd("quipu upgrade head --sql (one txn)",
                argv=[args.quipu, "-c", os.path.join(d, "quipu", "quipu_one.ini"), "--url", url,
                      "upgrade", "head", "--sql"], env=env, cwd=w.dir, tool="quipu"),
            Cmd("alembic upgrade head --sql", argv=ALEMBIC + ["-c", aini, "upgrade", "head", "--sql"],
                env=env, cwd=w.dir),
            Cmd("cat versions/*.sql", argv=["cat", *sorted(glob.glob(
                os.path.join(d, "quipu", "migrations", "versions", "*.sql")))],
                env=env, cwd=w.dir, tool="floor")]
    return [run_figure(f"offline.pg.n{n}.upgrade_head_sql", cmds, args.runs or 10,
                       2 if args.warmup is None else args.warmup, args.out,
                       note=f"{n}-revision chain, PostgreSQL dialect, no connection; stdout to /dev/null")]


def build_graph_bench(args, w):
    lib = os.path.join(os.path.dirname(os.path.abspath(args.quipu)), "libquipu.a")
    exe = os.path.join(w.dir, "graph_bench")
    libs = sh("pkg-config --libs libpq sqlite3 inih libcrypto", capture=True).split()
    cmd = ["gcc", "-O2", "-Wall", "-I", os.path.join(ROOT, "include"),
           os.path.join(BENCH, "graph_bench.c"), "-o", exe, lib, *libs, "-lpg_query", "-lpthread", "-lm"]
    subprocess.run(cmd, check=True)
    return exe


def fig_graph(args, w):
    n = args.n or 10000
    d = make_graph(w, n)
    exe = build_graph_bench(args, w)
    qini = os.path.join(d, "quipu", "quipu.ini")
    iters = str(args.iters)
    print(f"\n## graph.n{n}.api  (bench/graph_bench.c, {iters} iterations per operation)", flush=True)
    r = subprocess.run([exe, qini, os.path.join(d, "targets.txt"), iters, str(args.opens)],
                       check=True, capture_output=True, text=True)
    print(r.stdout, end="")
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, f"graph.n{n}.api.txt"), "w") as f:
        f.write(r.stdout)
    files = sorted(glob.glob(os.path.join(d, "quipu", "migrations", "versions", "*.sql")))
    env = peers.base_env()
    cmds = [Cmd("quipu heads", argv=[args.quipu, "-c", qini, "heads"], env=env, cwd=w.dir, tool="quipu"),
            Cmd("quipu show feature_a@head", argv=[args.quipu, "-c", qini, "show", "feature_a@head"],
                env=env, cwd=w.dir, tool="quipu"),
            Cmd("cat versions/*.sql", argv=["cat", *files], env=env, cwd=w.dir, tool="floor"),
            Cmd("true (spawn floor)", argv=["true"], env=env, cwd=w.dir, tool="floor")]
    return [run_figure(f"graph.n{n}.cli_heads", cmds, args.runs or 10,
                       2 if args.warmup is None else args.warmup, args.out,
                       note=f"{n}-revision branched graph (5 heads, 2 merges, labels)")]


def build_introspect_bench(args, w):
    """bench/introspect_bench.c against the library of the binary under test (internal headers)."""
    lib = os.path.join(os.path.dirname(os.path.abspath(args.quipu)), "libquipu.a")
    exe = os.path.join(w.dir, "introspect_bench")
    libs = sh("pkg-config --libs sqlite3 inih", capture=True).split()
    subprocess.run(["gcc", "-O2", "-Wall", "-I", os.path.join(ROOT, "include"), "-I", os.path.join(ROOT, "src"),
                    os.path.join(BENCH, "introspect_bench.c"), "-o", exe, lib, *libs, "-lpg_query",
                    "-lpthread", "-lm", "-ldl"], check=True)
    return exe


def expected_changes(d):
    return {tuple(l.split()) for l in open(os.path.join(d, "expected.txt")) if l.strip()}


def quipu_changes(path):
    """(table, kind) found in the upgrade section of a quipu revision, in the peers' words."""
    up = open(path).read().split("-- migrate:upgrade", 1)[1].split("-- migrate:downgrade", 1)[0]
    found = set()
    for m in re.finditer(r"ALTER TABLE (\w+) ADD COLUMN extra ", up):
        found.add((m.group(1), "add_column"))
    for m in re.finditer(r"DROP INDEX (?:public\.)?ix_(\w+)_name;", up):
        found.add((m.group(1), "drop_index"))
    for m in re.finditer(r"ALTER TABLE (\w+) ALTER COLUMN note SET NOT NULL;", up):
        found.add((m.group(1), "nullable"))
    other = [l for l in up.splitlines() if l.strip() and not l.startswith("--")
             and not re.match(r"(ALTER TABLE \w+ (ADD COLUMN extra |ALTER COLUMN note SET NOT NULL)|DROP INDEX)", l)]
    return found, other, len(re.findall(r"^CREATE TABLE ", up, re.M))


def alembic_changes(path):
    src = open(path).read()
    up = src.split("def upgrade()", 1)[1].split("def downgrade()", 1)[0]
    found = set()
    for m in re.finditer(r"op\.add_column\('(\w+)', sa\.Column\('extra'", up):
        found.add((m.group(1), "add_column"))
    for m in re.finditer(r"op\.drop_index\((?:op\.f\()?'ix_\w+_name'\)?, table_name='(\w+)'\)", up):
        found.add((m.group(1), "drop_index"))
    for m in re.finditer(r"op\.alter_column\('(\w+)', 'note'", up):
        found.add((m.group(1), "nullable"))
    n_ops = len(re.findall(r"^\s+op\.", up, re.M))
    return found, n_ops, len(re.findall(r"op\.create_table\(", up))


def fig_autogen(args, w):
    """Autogenerate, quipu vs Alembic on the peers' workload (gen.py autogen), and quipu's
    introspection alone at several sizes."""
    recs = []
    w.pg = w.pg or peers.PG(w.dir)
    pg = w.pg
    env0 = dict(pg.env)
    for k in ("DATABASE_URL", "QUIPU_DATABASE_URL"):
        env0.pop(k, None)
    t = args.tables
    runs = args.runs or (5 if t <= 200 else 3)
    warm = 1 if args.warmup is None else args.warmup
    d = os.path.join(w.dir, f"autogen{t}")
    if t:
        sh(f"{PY} {PEERS}/gen.py autogen --tables {t} --out {d} > /dev/null")
        sh(f"{PY} {BENCH}/gen_quipu.py autogen --from {d} > /dev/null")
        qd = os.path.join(d, "quipu")
        base = open(os.path.join(qd, "BASELINE")).read().strip()
        want = expected_changes(d)
        # ag_v1: the peers' create_all of models_v1 (SQLAlchemy); qp_v1: a copy of it with the
        # alembic_version row of quipu's baseline revision (so quipu sees it at head); ag_empty
        for db in ("ag_v1", "ag_empty"):
            sh(pg.reset_cmd("empty", db), env=env0)
        t0 = time.perf_counter()
        sh(f"{PY} {d}/create_all.py > /dev/null", env=dict(env0, DB_URL=pg.url("ag_v1")))
        print(f"setup: create_all of {t} tables: {time.perf_counter() - t0:.1f} s", flush=True)
        sh(f"psql -X -q -d postgres -c 'DROP DATABASE IF EXISTS qp_v1' -c 'CREATE DATABASE qp_v1 TEMPLATE ag_v1'",
           env=env0)
        sh(f"psql -X -q -v ON_ERROR_STOP=1 -d qp_v1 -f {qd}/stamp.sql", env=env0)
        aini = os.path.join(d, "alembic.ini")
        avers = os.path.join(d, "migrations", "versions")
        aenv = {db: dict(env0, DB_URL=pg.url(db), PEERS_RECURSION_LIMIT="100000") for db in ("ag_v1", "ag_empty")}
        qvers = {"quipu.ini": os.path.join(qd, "migrations", "versions"),
                 "quipu_empty.ini": os.path.join(qd, "migrations_empty", "versions")}

        def q_prepare(ini):
            return f"find {qvers[ini]} -name '*.sql' ! -name '{base}_*' -delete"

        def q_check(ini, mode):
            def f():
                files = [p for p in glob.glob(os.path.join(qvers[ini], "*.sql"))
                         if not os.path.basename(p).startswith(base + "_")]
                if len(files) != 1:
                    return f"{len(files)} new revision files"
                found, other, creates = quipu_changes(files[0])
                if mode == "changes" and (found != want or other):
                    return f"quipu found {sorted(found ^ want)[:5]} differing from expected.txt; other: {other[:3]}"
                if mode == "create_all" and creates != t:
                    return f"quipu wrote {creates} CREATE TABLE, expected {t}"
                return None
            return f

        def a_check(mode):
            def f():
                files = glob.glob(os.path.join(avers, "*.py"))
                if len(files) != 1:
                    return f"{len(files)} new Alembic revision files"
                found, n_ops, creates = alembic_changes(files[0])
                if mode == "changes" and found != want:
                    return f"Alembic found {sorted(found ^ want)[:5]} differing from expected.txt"
                if mode == "create_all" and creates != t:
                    return f"Alembic wrote {creates} create_table, expected {t}"
                return None
            return f

        # warm Alembic's __pycache__ (models_v2.py is large) once, untimed
        subprocess.run(ALEMBIC + ["-c", aini, "revision", "--autogenerate", "-m", "warm"], env=aenv["ag_v1"],
                       cwd=w.dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        sh(f"rm -f {avers}/*.py")
        for fig, qini, qdb, adb, mode in (("modified", "quipu.ini", "qp_v1", "ag_v1", "changes"),
                                          ("empty_db", "quipu_empty.ini", "ag_empty", "ag_empty", "create_all")):
            if args.only and fig not in args.only:
                continue
            qenv = dict(env0)
            qbase = [args.quipu, "-c", os.path.join(qd, qini), "--url", pg.libpq_url(qdb)]
            cmds = [Cmd("quipu revision --autogenerate", argv=qbase + ["revision", "--autogenerate", "-m", "auto"],
                        env=qenv, cwd=w.dir, tool="quipu", prepare=q_prepare(qini), check=q_check(qini, mode)),
                    # exit 1 is "changes found" and also an error's code: an error on stderr fails the run
                    Cmd("quipu check", argv=qbase + ["check"], env=qenv, cwd=w.dir, tool="quipu", ok_rc=(1,),
                        bad_stderr="error:", prepare=q_prepare(qini)),
                    Cmd("alembic revision --autogenerate", argv=ALEMBIC + ["-c", aini, "revision", "--autogenerate",
                                                                          "-m", "auto"],
                        env=aenv[adb], cwd=w.dir, prepare=f"rm -f {avers}/*.py", check=a_check(mode))]
            note = (f"{t} tables (the peers' gen.py autogen: 10 columns, a SERIAL primary key, an index, a "
                    f"foreign key to the previous table). "
                    + (f"The database holds v1 (SQLAlchemy create_all; quipu's copy has the alembic_version row of "
                       f"its v1 baseline revision), the models are v2: {len(want)} tables changed (expected.txt: "
                       f"add a column, drop an index, make a column NOT NULL). "
                       if mode == "changes" else
                       "An empty database, the models are v2: everything is new. ")
                    + "quipu's models are the DDL SQLAlchemy compiles from the same models (bench/gen_quipu.py "
                    "autogen), loaded into a scratch database or parsed, as the binary does; Alembic: the peers' "
                    "project with sys.setrecursionlimit(100000) (stock Alembic fails with RecursionError on this FK "
                    "chain). Every run's revision is checked against expected.txt (modified) or for one CREATE "
                    "TABLE per table (empty). `quipu check` exits 1 (changes found) and writes nothing.")
            recs.append(run_figure(f"autogen.pg.t{t}.{fig}", cmds, runs, warm, args.out, note=note))
    if args.introspect:
        exe = build_introspect_bench(args, w)
        src = None
        for n in args.introspect:
            dd = os.path.join(w.dir, f"intro{n}")
            sh(f"{PY} {PEERS}/gen.py autogen --tables {n} --out {dd} > /dev/null")
            sh(f"{PY} {BENCH}/gen_quipu.py autogen --from {dd} > /dev/null")
            db = f"intro{n}"
            sh(pg.reset_cmd("empty", db), env=env0)
            t0 = time.perf_counter()
            sh(f"psql -X -q -v ON_ERROR_STOP=1 -1 -d {db} -f {dd}/quipu/models_v1.sql", env=env0)
            sh(f"psql -X -q -v ON_ERROR_STOP=1 -d {db} -f {dd}/quipu/stamp.sql", env=env0)
            print(f"setup: {n} tables loaded in {time.perf_counter() - t0:.1f} s", flush=True)
            cmds = [Cmd(f"introspection, {n} tables", argv=[exe, pg.libpq_url(db), "1"], env=env0, cwd=w.dir,
                        tool="quipu"),
                    # the same read forced onto one connection, then onto two (what SIDE_MIN_PGCLASS,
                    # pg_class's size, chooses between)
                    Cmd(f"introspection, {n} tables, one connection", argv=[exe, pg.libpq_url(db), "1"],
                        env=dict(env0, QUIPU_INTROSPECT_CONNECTIONS="1"), cwd=w.dir, tool="quipu"),
                    Cmd(f"introspection, {n} tables, two connections", argv=[exe, pg.libpq_url(db), "1"],
                        env=dict(env0, QUIPU_INTROSPECT_CONNECTIONS="2"), cwd=w.dir, tool="quipu"),
                    Cmd("true (spawn floor)", argv=["true"], env=env0, cwd=w.dir, tool="floor")]
            recs.append(run_figure(
                f"autogen.pg.introspect.t{n}", cmds, args.runs or 5, warm, args.out,
                note=f"{n} tables of the peers' shape ({15 * n - 1} objects: tables, columns, sequences, keys, "
                     "indexes). bench/introspect_bench.c: a new process and connection per run (a fresh server "
                     "backend, as every quipu command), qp_introspect() once; the time is spawn to exit."))
    return recs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="suite", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--runs", type=int)
    common.add_argument("--warmup", type=int)
    common.add_argument("--out", default=os.path.join(BENCH, "results"))
    common.add_argument("--quipu", default=os.environ.get("QUIPU", os.path.join(ROOT, "build", "quipu")))
    common.add_argument("--keep", action="store_true")
    r = sub.add_parser("read", parents=[common])
    r.add_argument("--n", type=int, default=1000)
    r.add_argument("--graph", type=int)
    r.add_argument("--db", choices=["sqlite", "pg"], default="sqlite")
    m = sub.add_parser("migrate", parents=[common])
    m.add_argument("--db", choices=["sqlite", "pg"], required=True)
    m.add_argument("--n", type=int, default=1000)
    m.add_argument("--only", nargs="*", choices=["up", "down"])
    m.add_argument("--dbmate-rollback", action="store_true", help="also time N x `dbmate rollback` (one process per revision: 25 s at N=1000 on PG)")
    o = sub.add_parser("offline", parents=[common])
    o.add_argument("--n", type=int, default=1000)
    g = sub.add_parser("graph", parents=[common])
    g.add_argument("--n", type=int, default=10000)
    g.add_argument("--iters", type=int, default=1000)
    g.add_argument("--opens", type=int, default=10)
    a = sub.add_parser("autogen", parents=[common])
    a.add_argument("--tables", type=int, default=2000, help="0: no autogenerate figure")
    a.add_argument("--only", nargs="*", choices=["modified", "empty_db"])
    a.add_argument("--introspect", type=int, nargs="*", default=[], help="e.g. 200 2000 10000")
    args = ap.parse_args()
    args.quipu = os.path.abspath(args.quipu)
    if not os.access(args.quipu, os.X_OK):
        sys.exit(f"{args.quipu}: not built (cmake --build build), or pass --quipu")
    w = Work(args)
    try:
        {"read": fig_read, "migrate": fig_migrate, "offline": fig_offline, "graph": fig_graph,
         "autogen": fig_autogen}[args.suite](args, w)
    finally:
        w.close()


if __name__ == "__main__":
    main()
