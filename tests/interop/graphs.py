#!/usr/bin/python3
"""Differential test: quipu and the real Alembic on the same revision graphs.

    QUIPU_BIN=build/quipu /usr/bin/python3 graphs.py WORKDIR [SCENARIO-NAME...]

For every scenario below (a graph of revisions with parents, branch labels and
dependencies, and a sequence of commands) this writes a quipu project (.sql
revisions) and the equivalent Alembic project (generated from the same .sql
files by alembic_project.py), each over its own SQLite file, runs the commands
on both and, after every command, compares:

  - success or failure (the exit status),
  - which revisions ran, in which order, in which direction: every upgrade and
    downgrade section inserts a row into the table `ran`, so the database
    itself records the run,
  - the alembic_version rows (sorted).

Steps marked `quipu_refuses` are the deliberate differences: Alembic guesses
(e.g. `downgrade -1` from a merge point) where quipu refuses and names the
explicit targets. For those the test asserts that quipu fails, that its message
names every alternative listed in the step, and that quipu's database is
unchanged; Alembic is run on a copy of its database so that what it guessed is
shown but the two databases stay in step. Steps marked `alembic_crashes` are
the ones where Alembic fails with an internal error and quipu does the
sensible thing (described in the step). Steps marked `generate` run a
file-writing command (`merge`) on both projects and compare the revision each
wrote.

Ends with 'N passed, M failed' and exits 1 when anything failed.
"""
import gc
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import alembic_project  # noqa: E402

import alembic.config  # noqa: E402  (Debian's python3-alembic, imported once: see run_alembic)
import alembic.command  # noqa: E402,F401
import sqlalchemy.dialects.sqlite  # noqa: E402,F401

PY = "/usr/bin/python3"
QUIPU = os.environ.get("QUIPU_BIN", "quipu")


# ---- the scenario language ------------------------------------------------

class R:
    """A revision: id, parents (a string 'a' or 'a, b', '' for a base),
    branch labels, dependencies."""

    def __init__(self, rid, parents="", labels=(), depends=()):
        self.id = rid
        self.parents = [p.strip() for p in parents.split(",") if p.strip()]
        self.labels = list(labels)
        self.depends = list(depends)


class S:
    """A step: a command line (without the program name) and what to expect.

    fails          both tools must fail (Alembic refuses too); `names`, when
                   given, are strings quipu's message must contain (the fix)
    quipu_refuses  the reason quipu refuses a guess Alembic makes; `names`
                   are the explicit alternatives quipu's message must name
    differs        the reason quipu and Alembic end differently where Alembic
                   crashes or leaves an inconsistent version table; `ran`
                   ('+a -b') and `rows` are what quipu must do, `alembic` is
                   'fails' or 'ok'. Afterwards Alembic's database is replaced
                   by a copy of quipu's, so that the next steps compare again
                   (and Alembic reads quipu's database).
    generate       a file-writing command (merge): compare the revision each
                   tool writes, then give both the logging SQL
    """

    def __init__(self, cmd, fails=False, names=(), quipu_refuses=None, differs=None,
                 ran=None, rows=None, alembic=None, generate=False):
        self.cmd = cmd
        self.fails = fails
        self.names = list(names)
        self.quipu_refuses = quipu_refuses
        self.differs = differs
        self.ran = ran
        self.rows = rows
        self.alembic = alembic
        self.generate = generate


class Scenario:
    def __init__(self, name, doc, revs, steps):
        self.name = name
        self.doc = doc
        self.revs = revs
        self.steps = [s if isinstance(s, S) else S(s) for s in steps]


MULTIPLE_HEADS = ["heads", "@head", "merge"]      # the fixes quipu names for `head`
SEVERAL_CURRENT = "several current heads: Alembic silently steps down one of them"

# ---- the scenarios -----------------------------------------------------------

SCENARIOS = [
    Scenario(
        "linear", "one chain of five: relative steps, prefixes, overshooting, stamp",
        [R("a1aa"), R("a2aa", "a1aa"), R("a3aa", "a2aa"), R("a4aa", "a3aa"), R("a5aa", "a4aa")],
        [
            "upgrade +2",
            "upgrade +1",
            "downgrade -1",
            "upgrade head",
            "downgrade a2aa",                      # partial downgrade
            "upgrade head-1",
            "downgrade -2",
            S("upgrade +5", fails=True, names=["heads"]),   # overshoots the head
            S("downgrade -9", fails=True, names=["base"]),  # overshoots base
            S("upgrade zzzz", fails=True, names=["zzzz"]),  # unknown revision
            S("upgrade a", fails=True),            # ambiguous prefix
            "upgrade a4",                          # unique prefix
            "downgrade a3aa-1",
            "upgrade a1aa+3",
            "downgrade base",
            "upgrade a2aa+2",
            S("upgrade a1aa-1", differs="a1aa-1 is below the base: Alembic fails with an "
              "internal error, quipu resolves it to base and has nothing to upgrade",
              ran="", rows=["a4aa"], alembic="fails"),
            "stamp head",
            "stamp a2aa",
            "downgrade -1",
            "stamp base",
            "upgrade heads",
            S("downgrade head:base", fails=True, names=["--sql"]),  # a range needs --sql
            "downgrade base",
        ]),
    Scenario(
        "fork", "a branch point without labels: two heads, partial upgrades and downgrades",
        [R("b0b0"), R("l1l1", "b0b0"), R("l2l2", "l1l1"), R("r1r1", "b0b0"), R("r2r2", "r1r1")],
        [
            S("upgrade head", fails=True, names=MULTIPLE_HEADS),
            "upgrade r1r1",                        # only r1's ancestors, not l1
            "upgrade l2l2",                        # opens a second row
            S("downgrade -1", quipu_refuses=SEVERAL_CURRENT,
              names=["l2l2@-1", "r1r1@-1", "base"]),
            "downgrade l2l2@-1",                   # the explicit form: one branch
            "downgrade l1l1",                      # nothing: already there
            "upgrade heads",
            "downgrade r1r1",                      # one branch down
            "downgrade b0b0",                      # both branches down to the branch point
            S("upgrade +1", fails=True, names=["l1l1", "r1r1"]),  # ambiguous at a branch point
            "upgrade l1l1",
            "upgrade r2r2",
            S("upgrade +1", fails=True, names=["l1l1@+1", "r2r2@+1"]),  # several current heads
            "upgrade l1l1@+1",
            "upgrade r1r1@head",                   # <rev>@head: nothing to do
            "downgrade l2l2-1",
            S("upgrade head-1", fails=True, names=MULTIPLE_HEADS),
            "upgrade l1l1+1",
            "upgrade heads",
            "downgrade r1r1-1",
            "downgrade base",
            S("downgrade -1", fails=True),         # nothing to go down from
        ]),
    Scenario(
        "labelled-bases", "two independent labelled branches (Alembic's multiple bases)",
        [R("n1n1", labels=["networking"]), R("n2n2", "n1n1"), R("n3n3", "n2n2"),
         R("c1c1", labels=["accounts"]), R("c2c2", "c1c1"), R("c3c3", "c2c2")],
        [
            S("upgrade head", fails=True, names=MULTIPLE_HEADS),
            "upgrade networking@head",
            "upgrade accounts@+1",
            "upgrade accounts@+1",
            "downgrade networking@-1",
            "downgrade networking@-1",
            "upgrade networking@+2",
            S("upgrade accounts@+3", fails=True),  # overshoots the branch
            "upgrade accounts@c3c3",               # label@<rev>
            "downgrade accounts@base",
            "downgrade networking@n1n1",
            "upgrade heads",
            "downgrade c1c1",
            "upgrade c3c3@head",
            "downgrade networking@base",
            S("upgrade nolabel@head", fails=True, names=["nolabel"]),   # unknown label
            S("downgrade nolabel@base", fails=True, names=["nolabel"]),
            S("upgrade networking@c2c2", fails=True),  # not on that branch
            "upgrade n1n1",
            "downgrade base",
            "upgrade accounts",                    # a bare label
            "upgrade networking@head",
            S("downgrade accounts@-2", fails=True),  # only one below
            "downgrade accounts@-1",
            "downgrade base",
        ]),
    Scenario(
        "merge", "a branch point, a merge revision and a revision after it",
        [R("b0b0"), R("l1l1", "b0b0"), R("r1r1", "b0b0"), R("m1m1", "l1l1, r1r1"),
         R("t1t1", "m1m1")],
        [
            "upgrade l1l1",
            "upgrade m1m1",                        # brings in r1, then the merge (DELETE + UPDATE)
            "upgrade head",
            "downgrade -1",                        # t1 -> m1: one parent, fine
            S("downgrade -1", fails=True, names=["l1l1", "r1r1"]),  # at the merge point
            "downgrade r1r1",                      # unmerges: two rows again
            S("upgrade +1", fails=True, names=["l1l1@+1", "r1r1@+1"]),
            "downgrade l1l1",                      # already there: nothing
            "upgrade t1t1",
            "downgrade b0b0",
            "upgrade r1r1",
            "upgrade +2",                          # through the merge: pulls l1 in
            "upgrade head",
            S("downgrade t1t1-2", fails=True, names=["l1l1", "r1r1"]),
            "downgrade base",
            "upgrade t1t1-1",
            S("stamp r1r1 l1l1", differs="stamping both parents of the merge the database is "
              "at: Alembic crashes (KeyError 'm1m1') halfway, leaving the row r1r1 alone; quipu "
              "writes both rows", ran="", rows=["l1l1", "r1r1"], alembic="fails"),
            "downgrade l1l1",
            "upgrade heads",
            "downgrade base",
        ]),
    Scenario(
        "dependencies", "labelled branches with a cross-branch dependency",
        [R("n1n1", labels=["networking"]), R("n2n2", "n1n1"), R("n3n3", "n2n2"),
         R("c1c1", labels=["accounts"]), R("c2c2", "c1c1", depends=["n2n2"]),
         R("c3c3", "c2c2")],
        [
            "upgrade c2c2",                        # pulls n1, n2 through the dependency, not n3
            "upgrade accounts@head",
            "downgrade networking@n1n1",           # takes c2, c3 down with n2
            "upgrade accounts@head",
            S("downgrade n2n2", fails=True),       # absorbed by c3: not below the rows
            "upgrade heads",
            "downgrade c1c1",
            "downgrade networking@base",
            "upgrade accounts@+2",
            "downgrade base",
            "upgrade c3c3",
            "upgrade networking@head",
            "downgrade accounts@base",
            "upgrade accounts@c2c2",
            "downgrade base",
        ]),
    Scenario(
        "dependency-heads", "a head that another head depends on",
        [R("x0x0"), R("p1p1", "x0x0"), R("q1q1", "x0x0"), R("q2q2", "q1q1", depends=["p1p1"])],
        [
            "upgrade q2q2",                        # pulls p1
            "upgrade heads",
            "downgrade q1q1",
            "upgrade p1p1",
            "upgrade heads",
            "downgrade x0x0",
            "stamp heads",
            S("downgrade p1p1", fails=True),       # absorbed by q2q2: not below the row
            "downgrade q2q2-1",
            "downgrade base",
        ]),
    Scenario(
        "sibling-dependency", "a dependency on a sibling branch of the same base",
        [R("b0b0"), R("l1l1", "b0b0", labels=["left"]), R("l2l2", "l1l1"),
         R("r1r1", "b0b0", labels=["right"]), R("r2r2", "r1r1", depends=["l1l1"])],
        [
            "upgrade r2r2",                        # b0, l1, r1, r2: one row, l1 absorbed
            "upgrade left@head",                   # l2 above the absorbed l1: a row again
            "downgrade l1l1",
            "downgrade left@base",                 # takes r2 down with l1
            "upgrade right@head",
            S("downgrade l1l1", fails=True),       # absorbed by r2r2
            "downgrade right@-1",
            "upgrade heads",
            "downgrade r1r1",
            "downgrade base",
        ]),
    Scenario(
        "feature-label", "a label on the common base, and one on a branch",
        [R("c0c0", labels=["main"]), R("m1m1", "c0c0"), R("m2m2", "m1m1"),
         R("f1f1", "c0c0", labels=["feature"]), R("f2f2", "f1f1"), R("f3f3", "f2f2")],
        [
            "upgrade feature@head",
            "downgrade feature@-1",
            "upgrade feature@+1",
            "downgrade feature@f1f1",
            S("upgrade main@head", fails=True),    # main spans both branches: two heads
            "upgrade main@+1",
            "downgrade main@-1",
            "downgrade feature@base",
            "upgrade f2f2@head",
            "upgrade m1m1@head",
            S("downgrade -1", quipu_refuses=SEVERAL_CURRENT,
              names=["f3f3@-1", "m2m2@-1", "base"]),
            "downgrade m2m2@-1",
            "downgrade f3f3-2",
            "upgrade feature@f2f2",
            S("downgrade feature@", fails=True, names=["feature@head"]),  # nothing after @
            "downgrade main@base",
        ]),
    Scenario(
        "prefixes", "ids sharing prefixes: unique and ambiguous prefixes",
        [R("abc1"), R("abc2", "abc1"), R("abd3", "abc2"), R("bcde4", "abd3")],
        [
            S("upgrade ab", fails=True),
            S("upgrade abc", fails=True, names=["abc1", "abc2"]),
            "upgrade abc1",
            "upgrade abd",
            S("downgrade abc", fails=True, names=["abc1", "abc2"]),
            "downgrade abc1",
            "upgrade bcde",
            "downgrade abd3",
            S("stamp abc", fails=True, names=["abc1", "abc2"]),
            "stamp bcde",
            "downgrade abc2",
            S("upgrade abd3+2", fails=True),
            "upgrade abc2+2",
            "downgrade base",
        ]),
    Scenario(
        "merge-of-three", "a merge of three parents, one of which another depends on",
        [R("x0x0"), R("p1p1", "x0x0"), R("q1q1", "x0x0"), R("q2q2", "q1q1", depends=["p1p1"]),
         R("s1s1", "x0x0"), R("mm99", "p1p1, q2q2, s1s1")],
        [
            "upgrade q2q2",
            "upgrade s1s1",
            S("upgrade heads", differs="Alembic crashes (KeyError 'p1p1'): p1p1 has no row of its "
              "own, q2q2 absorbed it, and the merge deletes all three parents' rows; quipu "
              "merges the rows there are", ran="+mm99", rows=["mm99"], alembic="fails"),
            S("downgrade s1s1", differs="Alembic's unmerge writes a row for every parent, "
              "p1p1 too, though q2q2 depends on it (its own `upgrade q2q2` leaves no p1p1 row); "
              "quipu keeps the rows as an upgrade to there would", ran="-mm99",
              rows=["q2q2", "s1s1"], alembic="ok"),
            "downgrade x0x0",
            "upgrade s1s1",
            "upgrade p1p1",
            "downgrade base",
        ]),
    Scenario(
        "stamp-branches", "stamp on a graph with branches and a merge",
        [R("b0b0"), R("l1l1", "b0b0"), R("l2l2", "l1l1"), R("r1r1", "b0b0"),
         R("m1m1", "l2l2, r1r1")],
        [
            "stamp l1l1",
            "stamp r1r1",                          # adds a row: another branch
            "upgrade l2l2",
            "stamp heads",
            "stamp b0b0",
            "stamp l2l2 r1r1",                     # several revisions at once
            "upgrade heads",
            "stamp --purge l1l1",
            "stamp l1l1 l2l2",
            S("stamp zzzz", fails=True, names=["zzzz"]),
            S("stamp l1l1+1", fails=True, names=["absolute"]),   # relative targets:
            S("stamp -1", fails=True, names=["absolute"]),       # Alembic can't locate them,
            S("stamp l2l2-1", fails=True, names=["absolute"]),   # quipu says why
            "stamp base",
            "stamp r1r1",
            "upgrade head",
            "downgrade r1r1",
            "stamp base",
        ]),
    Scenario(
        "merge-command", "`merge a b --rev-id` and `merge heads` run on both projects",
        [R("b0b0"), R("l1l1", "b0b0"), R("r1r1", "b0b0"), R("s1s1", "b0b0")],
        [
            "upgrade heads",
            S("merge l1l1 r1r1 -m 'join two' --rev-id mlr0", generate=True),
            "upgrade heads",
            S("merge heads -m 'join all' --rev-id mall", generate=True),
            "upgrade head",
            S("downgrade -1", fails=True, names=["mlr0", "s1s1"]),  # at the merge point
            "downgrade mlr0",
            S("downgrade -1", quipu_refuses=SEVERAL_CURRENT, names=["mlr0@-1", "s1s1@-1"]),
            "downgrade s1s1@-1",
            "downgrade base",
            "upgrade mall",
        ]),
    Scenario(
        "redundant-merge", "a merge whose parents are an ancestor and its descendant",
        [R("a0a0"), R("a1a1", "a0a0"), R("a2a2", "a1a1"), R("zz01", "a0a0, a2a2")],
        [
            "upgrade head",
            S("downgrade a2a2", differs="Alembic's downgrade writes rows for both parents, a0a0 "
              "below a2a2, and then refuses its own table ('overlaps'); quipu keeps the top one",
              ran="-zz01", rows=["a2a2"], alembic="ok"),
            "downgrade -1",
            "upgrade heads",
            "downgrade base",
        ]),
    Scenario(
        "label-mid-branch", "a label declared in the middle of a branch, and a side branch",
        [R("r0r0"), R("r1r1", "r0r0"), R("r2r2", "r1r1", labels=["mid"]), R("r3r3", "r2r2"),
         R("k1k1", "r1r1")],
        [
            "upgrade mid@head",
            "downgrade mid@-1",
            "upgrade mid@+1",
            "downgrade mid@base",
            S("downgrade mid@r1r1", fails=True),   # the database is at base
            "upgrade k1k1",
            "upgrade mid@head",
            S("upgrade mid@k1k1", fails=True),     # k1k1 is not on `mid`
            "downgrade r1r1",
            "downgrade base",
        ]),
]


# ---- running ---------------------------------------------------------------

REV_SQL = """-- {msg}
--
-- Revision ID: {rid}
-- Revises: {parents}
-- Create Date: 2026-11-25 12:00:00.000000
-- Branch Labels: {labels}
-- Depends On: {depends}

-- migrate:upgrade
{up}

-- migrate:downgrade
{down}
"""


def log_sql(rid, direction):
    return ("CREATE TABLE IF NOT EXISTS ran (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
            "rev VARCHAR(32) NOT NULL, dir VARCHAR(4) NOT NULL);\n"
            "INSERT INTO ran (rev, dir) VALUES ('%s', '%s');" % (rid, direction))


def write_sql_rev(versions, rid, parents, labels, depends, msg):
    with open(os.path.join(versions, "%s_%s.sql" % (rid, re.sub(r"\W+", "_", msg.lower()))),
              "w", encoding="utf-8") as f:
        f.write(REV_SQL.format(msg=msg, rid=rid, parents=", ".join(parents),
                               labels=", ".join(labels), depends=", ".join(depends),
                               up=log_sql(rid, "up"), down=log_sql(rid, "down")))


def db_state(path):
    """(list of (seq, rev, dir) in `ran`, sorted alembic_version rows)."""
    if not os.path.exists(path):
        return [], []
    con = sqlite3.connect(path)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        ran = list(con.execute("SELECT seq, rev, dir FROM ran ORDER BY seq")) if "ran" in tables else []
        rows = (sorted(r[0] for r in con.execute("SELECT version_num FROM alembic_version"))
                if "alembic_version" in tables else [])
    finally:
        con.close()
    return ran, rows


class Result:
    def __init__(self, rc, out, err, ran, rows):
        self.rc, self.out, self.err, self.ran, self.rows = rc, out, err, ran, rows

    def ok(self):
        return self.rc == 0

    def short(self):
        ran = fmt_run(self.ran) or "nothing"
        return "%s; ran %s; rows [%s]" % ("ok" if self.ok() else "FAILED(%d)" % self.rc,
                                          ran, " ".join(self.rows))


def run_alembic(argv, cwd, env):
    """`python3 -m alembic ARGV` in a forked child of this process, which has
    imported Alembic once: the same code path as the command line (Alembic's
    CommandLine.main, a fresh ScriptDirectory and engine each time), without
    paying Python's and SQLAlchemy's start-up for every command (~1 s each).
    Returns (exit status, stdout, stderr)."""
    import tempfile
    with tempfile.TemporaryFile("w+") as fo, tempfile.TemporaryFile("w+") as fe:
        sys.stdout.flush()
        sys.stderr.flush()
        gc.freeze()  # no copy-on-write of the parent's objects by the child's collector
        pid = os.fork()
        if pid == 0:  # the child: becomes `alembic ARGV`
            code = 1
            try:
                os.chdir(cwd)
                os.environ.clear()
                os.environ.update(env)
                os.dup2(fo.fileno(), 1)
                os.dup2(fe.fileno(), 2)
                sys.argv = ["alembic"] + argv
                try:
                    alembic.config.main(argv=argv, prog="alembic")
                    code = 0
                except SystemExit as e:
                    code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
                except BaseException:  # a crash: what `python3 -m alembic` prints
                    import traceback
                    traceback.print_exc()
                    code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code & 0xFF)
        _, status = os.waitpid(pid, 0)
        fo.seek(0)
        fe.seek(0)
        return os.waitstatus_to_exitcode(status), fo.read(), fe.read()


def last_line(text):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return lines[-1] if lines else ""


def fmt_run(ran):
    return " ".join("%s%s" % ("+" if d == "up" else "-", r) for r, d in ran)


class Harness:
    def __init__(self, workdir):
        self.workdir = workdir
        self.passed = 0
        self.failed = 0
        self.steps = 0
        self.deliberate = []
        self.orders = []
        self.failures = []
        self.env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
        for k in ("QUIPU_CONFIG", "QUIPU_DATABASE_URL", "DATABASE_URL"):
            self.env.pop(k, None)

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            self.failures.append(what)
            print("    FAIL: " + what)

    # ---- the two projects
    def setup(self, sc):
        d = os.path.join(self.workdir, sc.name)
        shutil.rmtree(d, ignore_errors=True)
        self.qdir = os.path.join(d, "quipu")
        self.versions = os.path.join(self.qdir, "migrations", "versions")
        self.adir = os.path.join(d, "alembic")
        os.makedirs(self.versions)
        self.qdb = os.path.join(d, "quipu.db")
        self.adb = os.path.join(d, "alembic.db")
        with open(os.path.join(self.qdir, "quipu.ini"), "w", encoding="utf-8") as f:
            f.write("[quipu]\nscript_location = %%(here)s/migrations\nsqlalchemy.url = sqlite:///%s\n"
                    % self.qdb)
        self.edges = {}   # id -> parents + dependencies
        for r in sc.revs:
            write_sql_rev(self.versions, r.id, r.parents, r.labels, r.depends, "rev " + r.id)
            self.edges[r.id] = r.parents + r.depends
        self.regen_alembic()

    def regen_alembic(self):
        subprocess.run([PY, os.path.join(HERE, "alembic_project.py"), self.versions,
                        "sqlite:///" + self.adb, self.adir], check=True, env=self.env,
                       stdout=subprocess.DEVNULL)

    def quipu_start(self, args):
        return subprocess.Popen([QUIPU, "-c", os.path.join(self.qdir, "quipu.ini")] + args,
                                cwd=self.qdir, env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def quipu(self, args):
        p = self.quipu_start(args)
        out, err = p.communicate(timeout=60)
        return p.returncode, out, err

    def alembic(self, args, db=None):
        extra = ["-x", "url=sqlite:///" + db] if db else []
        return run_alembic(["-c", os.path.join(self.adir, "alembic.ini")] + extra + args,
                           self.adir, self.env)

    def both(self, args, adb=None):
        """Runs the command with quipu and with Alembic at the same time (two
        databases, two processes); returns two Results."""
        adb = adb or self.adb
        qbefore, _ = db_state(self.qdb)
        abefore, _ = db_state(adb)
        p = self.quipu_start(args)
        ares = self.alembic(args, adb if adb != self.adb else None)
        qout, qerr = p.communicate(timeout=60)
        qafter, qrows = db_state(self.qdb)
        aafter, arows = db_state(adb)
        q = Result(p.returncode, qout, qerr, [(r, d) for s, r, d in qafter if (s, r, d) not in qbefore], qrows)
        a = Result(ares[0], ares[1], ares[2], [(r, d) for s, r, d in aafter if (s, r, d) not in abefore], arows)
        return q, a

    # ---- ordering
    def ancestors(self, rid, seen=None):
        seen = set() if seen is None else seen
        for p in self.edges.get(rid, ()):
            if p not in seen:
                seen.add(p)
                self.ancestors(p, seen)
        return seen

    def valid_order(self, ran):
        """Every revision after the ones it needs (upgrade) or before them
        (downgrade)."""
        for i, (r, d) in enumerate(ran):
            for r2, d2 in ran[i + 1:]:
                if d2 != d:
                    continue
                if d == "up" and r2 in self.ancestors(r):
                    return False
                if d == "down" and r in self.ancestors(r2):
                    return False
        return True

    # ---- the steps
    def step(self, sc, i, s):
        args = shlex.split(s.cmd)
        self.steps += 1
        label = "%s #%d: %s" % (sc.name, i, s.cmd)
        if s.generate:
            return self.generate(label, args)
        if s.quipu_refuses:
            return self.refused(label, s, args)
        qstate0 = db_state(self.qdb)
        q, a = self.both(args)
        if s.differs:
            return self.differs(label, s, q, a)
        same = q.ok() == a.ok() and q.ran == a.ran and q.rows == a.rows
        print("  %-32s %s%s" % (s.cmd, "same: " if same else "DIFFERENT\n    quipu:   ", q.short())
              + ("" if same else "\n    alembic: " + a.short()))
        if not q.ok():
            print("    quipu:   " + last_line(q.err))
        if not a.ok():
            print("    alembic: " + last_line(a.err))
        self.check(q.ok() == a.ok(), label + ": exit status quipu %d, alembic %d" % (q.rc, a.rc))
        if q.ran != a.ran and sorted(q.ran) == sorted(a.ran):
            # independent branches: Alembic's order follows os.listdir() (the
            # file system's order), quipu's the ids; both must respect the graph
            ok = self.valid_order(q.ran) and self.valid_order(a.ran)
            self.check(ok, label + ": an order that breaks the graph: %s / %s"
                       % (fmt_run(q.ran), fmt_run(a.ran)))
            if ok:
                self.orders.append(label)
                print("    order of independent branches differs (both respect the graph): "
                      "alembic %s" % fmt_run(a.ran))
        else:
            self.check(q.ran == a.ran, label + ": revisions run differ")
        self.check(self.valid_order(q.ran), label + ": quipu's order breaks the graph")
        self.check(q.rows == a.rows, label + ": alembic_version rows differ")
        self.check(q.ok() != s.fails, label + ": expected %s" % ("failure" if s.fails else "success"))
        if not q.ok():
            self.check(db_state(self.qdb) == qstate0, label + ": quipu failed and changed the database")
            # 1: the command failed; 2: a target the graph rules out, which
            # quipu counts as a usage error (docs/commands.md, exit codes)
            self.check(q.rc in (1, 2), label + ": quipu's exit code is %d, expected 1 or 2" % q.rc)
            for n in s.names:
                self.check(n in q.err, label + ": quipu's message should name %s: %s" % (n, q.err.strip()))

    def refused(self, label, s, args):
        """quipu refuses; Alembic guesses, on a copy of its database."""
        qstate0 = db_state(self.qdb)
        copy = self.adb + ".guess"
        if os.path.exists(self.adb):
            shutil.copyfile(self.adb, copy)
        elif os.path.exists(copy):
            os.remove(copy)
        q, a = self.both(args, adb=copy)
        print("  %-32s quipu refuses: %s" % (s.cmd, last_line(q.err)))
        print("    alembic guesses: %s" % a.short())
        print("    deliberate difference: " + s.quipu_refuses)
        self.deliberate.append("%s: %s" % (label, s.quipu_refuses))
        self.check(not q.ok(), label + ": quipu should refuse")
        self.check(q.rc == 1, label + ": quipu exit code %d, expected 1" % q.rc)
        for n in s.names:
            self.check(n in q.err, label + ": quipu's message should name %s: %s" % (n, q.err.strip()))
        self.check(db_state(self.qdb) == qstate0, label + ": quipu changed the database")
        self.check(a.ok(), label + ": Alembic was expected to guess (succeed): " + last_line(a.err))

    def differs(self, label, s, q, a):
        print("  %-32s quipu:   %s\n    alembic: %s" % (s.cmd, q.short(), a.short()))
        if not a.ok():
            print("    alembic: " + last_line(a.err))
        print("    deliberate difference: " + s.differs)
        self.deliberate.append("%s: %s" % (label, s.differs))
        self.check(q.ok(), label + ": quipu should succeed: " + last_line(q.err))
        self.check(fmt_run(q.ran) == s.ran, label + ": quipu ran '%s', expected '%s'" % (fmt_run(q.ran), s.ran))
        self.check(q.rows == s.rows, label + ": quipu's rows %r, expected %r" % (q.rows, s.rows))
        self.check(a.ok() == (s.alembic == "ok"), label + ": Alembic was expected to " +
                   ("succeed" if s.alembic == "ok" else "fail"))
        self.check(a.rows != q.rows or a.ran != q.ran or a.ok() != q.ok(),
                   label + ": the two agree now: drop the `differs` mark")
        # back in step: Alembic carries on from quipu's database
        shutil.copyfile(self.qdb, self.adb)

    def generate(self, label, args):
        """A file-writing command: run on both, compare what each wrote,
        then give the new revision the logging SQL on both sides."""
        before = set(os.listdir(self.versions))
        abefore = set(os.listdir(os.path.join(self.adir, "versions")))
        qrc, qout, qerr = self.quipu(args)
        arc, aout, aerr = self.alembic(args)
        qnew = sorted(set(os.listdir(self.versions)) - before)
        anew = sorted(set(os.listdir(os.path.join(self.adir, "versions"))) - abefore)
        print("  %-32s quipu wrote %s, alembic wrote %s" % (" ".join(args), qnew, anew))
        self.check(qrc == 0 and arc == 0, label + ": both should succeed: %s / %s"
                   % (last_line(qerr), last_line(aerr)))
        self.check(len(qnew) == 1 and len(anew) == 1, label + ": one new file each")
        if len(qnew) != 1 or len(anew) != 1:
            return
        qrev = alembic_project.RevisionFile(os.path.join(self.versions, qnew[0]))
        with open(os.path.join(self.adir, "versions", anew[0]), encoding="utf-8") as f:
            src = f.read()
        ns = {}
        for name in ("revision", "down_revision", "branch_labels", "depends_on"):
            m = re.search(r"^%s = (.*)$" % name, src, re.M)
            ns[name] = eval(m.group(1)) if m else None  # our own generated file
        adown = ns["down_revision"]
        adown = [] if adown is None else [adown] if isinstance(adown, str) else list(adown)
        self.check(qrev.revision == ns["revision"], label + ": ids %s / %s" % (qrev.revision, ns["revision"]))
        self.check(sorted(qrev.revises) == sorted(adown),
                   label + ": parents quipu %r, alembic %r" % (qrev.revises, adown))
        self.check(os.path.splitext(qnew[0])[0] == os.path.splitext(anew[0])[0],
                   label + ": file names %s / %s" % (qnew[0], anew[0]))
        print("    both: %s revises %s" % (qrev.revision, ", ".join(qrev.revises)))
        # both become the logging revision; the Alembic project is regenerated
        os.remove(os.path.join(self.versions, qnew[0]))
        write_sql_rev(self.versions, qrev.revision, qrev.revises, qrev.branch_labels,
                      qrev.depends_on, qrev.message or "merge")
        self.edges[qrev.revision] = qrev.revises + qrev.depends_on
        self.regen_alembic()

    def warm_up(self):
        """Run Alembic once in this process, so that every forked child finds
        its lazily imported modules loaded already."""
        self.setup(Scenario("_warmup", "", [R("w1w1"), R("w2w2", "w1w1")], []))
        saved = os.dup(1), os.dup(2)
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            os.dup2(null.fileno(), 2)
            try:
                for cmd in (["upgrade", "head"], ["current"], ["downgrade", "base"]):
                    try:
                        alembic.config.main(argv=["-c", os.path.join(self.adir, "alembic.ini")] + cmd)
                    except SystemExit:
                        pass
            finally:
                os.dup2(saved[0], 1)
                os.dup2(saved[1], 2)
                os.close(saved[0])
                os.close(saved[1])
        import logging
        logging.getLogger().handlers.clear()  # env.py's fileConfig runs again in each child

    def run(self, sc):
        print("== %s: %s" % (sc.name, sc.doc))
        self.setup(sc)
        for i, s in enumerate(sc.steps, 1):
            self.step(sc, i, s)
        # the end state once more, through both tools' own eyes
        qrc, qout, _ = self.quipu(["current"])
        arc, aout, _ = self.alembic(["current"])
        norm = lambda t: sorted(l.split()[0] for l in t.splitlines() if l.strip())
        self.check(qrc == 0 and arc == 0 and norm(qout) == norm(aout),
                   "%s: `current` differs at the end: %r / %r" % (sc.name, qout, aout))


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    workdir = os.path.abspath(argv[1])
    only = set(argv[2:])
    os.makedirs(workdir, exist_ok=True)
    h = Harness(workdir)
    t0 = time.time()
    h.warm_up()
    chosen = [sc for sc in SCENARIOS if not only or sc.name in only]
    for sc in chosen:
        h.run(sc)
    print()
    print("%d scenarios, %d compared steps, %.1f s" % (len(chosen), h.steps, time.time() - t0))
    if h.deliberate:
        print("deliberate differences:")
        for d in h.deliberate:
            print("  - " + d)
    if h.orders:
        print("steps where independent branches ran in another order (Alembic: the file "
              "system's listing order; quipu: by id; both respect the graph): %d" % len(h.orders))
    if h.failures:
        print("failures:")
        for f in h.failures:
            print("  - " + f)
    print("%d passed, %d failed" % (h.passed, h.failed))
    return 1 if h.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
