#!/usr/bin/python3
"""Write an Alembic project equivalent to a quipu versions folder.

    /usr/bin/python3 alembic_project.py VERSIONS_DIR URL OUT_DIR

reads every quipu revision file (*.sql, the format of docs/file-format.md) in
VERSIONS_DIR and writes into OUT_DIR:

    alembic.ini          script_location = %(here)s, sqlalchemy.url = URL
    env.py               a minimal, stock-like env.py for a synchronous engine
    script.py.mako       Alembic's stock template (so `alembic revision` works)
    versions/<file>.py   one revision each: revision, down_revision,
                         branch_labels, depends_on, and op.execute() of every
                         statement of the upgrade and downgrade sections

so that `/usr/bin/python3 -m alembic -c OUT_DIR/alembic.ini upgrade head`
runs the same SQL that `quipu upgrade head` runs. The URL is SQLAlchemy's,
e.g. sqlite:////abs/path.db or
postgresql+psycopg2://postgres@/DB?host=SOCKETDIR&port=PORT. env.py takes the
URL from `-x url=...`, else $ALEMBIC_URL, else the ini.

Statements are split on a `;` at the end of a line (outside of that, the SQL
is passed through as written) -- good enough for the interop tests' files,
not a SQL parser. A section marked `transaction:false` runs inside Alembic's
autocommit_block().
"""
import argparse
import os
import re
import sys

HEADER_KEYS = {
    "revision id": "revision",
    "revises": "revises",
    "create date": "create_date",
    "branch labels": "branch_labels",
    "depends on": "depends_on",
}
MARKER = re.compile(r"^--\s*migrate:(upgrade|downgrade)\b(.*)$")


class RevisionFile:
    def __init__(self, path):
        self.path = path
        self.message = ""
        self.revision = None
        self.revises = []
        self.create_date = ""
        self.branch_labels = []
        self.depends_on = []
        self.sections = {"upgrade": [], "downgrade": []}
        self.transactional = {"upgrade": True, "downgrade": True}
        self._parse()

    def _parse(self):
        with open(self.path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        section = None
        body = {"upgrade": [], "downgrade": []}
        in_header = True
        for i, line in enumerate(lines):
            m = MARKER.match(line.strip())
            if m:
                section = m.group(1)
                in_header = False
                opts = m.group(2)
                if re.search(r"transaction\s*:\s*false", opts):
                    self.transactional[section] = False
                continue
            if section is not None:
                body[section].append(line)
                continue
            if not in_header:
                continue
            if not line.startswith("--"):
                continue
            text = line[2:].strip()
            if i == 0:
                self.message = text
                continue
            key, sep, value = text.partition(":")
            if sep and key.strip().lower() in HEADER_KEYS:
                attr = HEADER_KEYS[key.strip().lower()]
                value = value.strip()
                if attr in ("revises", "branch_labels", "depends_on"):
                    setattr(self, attr, [v.strip() for v in value.split(",") if v.strip()])
                else:
                    setattr(self, attr, value)
        if not self.revision:
            raise SystemExit("%s: no '-- Revision ID:' line" % self.path)
        for name, text in body.items():
            self.sections[name] = split_statements("\n".join(text))


def split_statements(sql):
    """Split on ';' at the end of a line; drop pieces that are only comments."""
    out, cur = [], []
    for line in sql.splitlines():
        cur.append(line)
        if line.rstrip().endswith(";"):
            out.append("\n".join(cur))
            cur = []
    if cur:
        out.append("\n".join(cur))
    stmts = []
    for s in out:
        code = [l for l in s.splitlines() if l.strip() and not l.strip().startswith("--")]
        if not code:
            continue
        s = s.strip()
        if s.endswith(";"):
            s = s[:-1].rstrip()
        stmts.append(s)
    return stmts


def escape_binds(stmt):
    """sqlalchemy.text() reads ':name' as a bind parameter; escape those."""
    return re.sub(r"(?<![:\w\\]):(\w+)(?!:)", r"\\:\1", stmt)


def py_tuple_or_none(values):
    if not values:
        return "None"
    if len(values) == 1:
        return "(%r,)" % values[0]
    return "(%s)" % ", ".join(repr(v) for v in values)


def render_section(stmts, transactional):
    if not stmts:
        return "    pass\n"
    indent = "    "
    out = ""
    if not transactional:
        out += "    with op.get_context().autocommit_block():\n"
        indent = "        "
    for s in stmts:
        out += "%sop.execute(sa.text(%r))\n" % (indent, escape_binds(s))
    return out


def render_revision(r):
    if not r.revises:
        down = "None"
    elif len(r.revises) == 1:
        down = repr(r.revises[0])
    else:
        down = py_tuple_or_none(r.revises)
    return '''"""{message}

Revision ID: {rev}
Revises: {revises}
Create Date: {date}

Generated by tests/interop/alembic_project.py from {src}.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = {rev!r}
down_revision = {down}
branch_labels = {labels}
depends_on = {depends}


def upgrade():
{up}

def downgrade():
{downgrade}'''.format(
        message=r.message.replace('"""', "'''"),
        rev=r.revision,
        revises=", ".join(r.revises),
        date=r.create_date,
        src=os.path.basename(r.path),
        down=down,
        labels=py_tuple_or_none(r.branch_labels),
        depends=py_tuple_or_none(r.depends_on),
        up=render_section(r.sections["upgrade"], r.transactional["upgrade"]),
        downgrade=render_section(r.sections["downgrade"], r.transactional["downgrade"]),
    )


ALEMBIC_INI = """# Written by tests/interop/alembic_project.py: an Alembic project running the
# same SQL as a quipu versions folder.
[alembic]
script_location = %(here)s
prepend_sys_path = .
version_path_separator = os
sqlalchemy.url = {url}

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console
qualname =

[logger_sqlalchemy]
level = WARN
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
"""

ENV_PY = '''"""Alembic environment (written by tests/interop/alembic_project.py).

Stock-like: a synchronous engine from the ini's sqlalchemy.url, overridden by
`-x url=...` or $ALEMBIC_URL. No target_metadata: revisions are plain SQL.
"""
import os
from logging.config import fileConfig

from sqlalchemy import engine_from_config, pool

from alembic import context

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = None


def database_url():
    return (context.get_x_argument(as_dictionary=True).get("url")
            or os.environ.get("ALEMBIC_URL")
            or config.get_main_option("sqlalchemy.url"))


def run_migrations_offline():
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    section = config.get_section(config.config_ini_section, {})
    section["sqlalchemy.url"] = database_url()
    connectable = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''

SCRIPT_MAKO = '''"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}

"""
from alembic import op
import sqlalchemy as sa
${imports if imports else ""}

# revision identifiers, used by Alembic.
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}
'''


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("versions_dir", help="a quipu versions folder (*.sql)")
    ap.add_argument("url", help="SQLAlchemy URL written into alembic.ini")
    ap.add_argument("out_dir", help="folder to write the Alembic project into")
    args = ap.parse_args(argv)

    files = sorted(f for f in os.listdir(args.versions_dir) if f.endswith(".sql"))
    if not files:
        raise SystemExit("%s: no .sql revision files" % args.versions_dir)
    revs = [RevisionFile(os.path.join(args.versions_dir, f)) for f in files]

    versions = os.path.join(args.out_dir, "versions")
    os.makedirs(versions, exist_ok=True)
    for old in os.listdir(versions):
        if old.endswith(".py"):
            os.remove(os.path.join(versions, old))
    with open(os.path.join(args.out_dir, "alembic.ini"), "w", encoding="utf-8") as f:
        f.write(ALEMBIC_INI.format(url=args.url.replace("%", "%%")))
    with open(os.path.join(args.out_dir, "env.py"), "w", encoding="utf-8") as f:
        f.write(ENV_PY)
    with open(os.path.join(args.out_dir, "script.py.mako"), "w", encoding="utf-8") as f:
        f.write(SCRIPT_MAKO)
    for r in revs:
        stem = os.path.splitext(os.path.basename(r.path))[0]
        with open(os.path.join(versions, stem + ".py"), "w", encoding="utf-8") as f:
            f.write(render_revision(r))
    print("%s: %d revisions" % (args.out_dir, len(revs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
