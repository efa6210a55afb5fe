#!/usr/bin/env python3
"""The peers' autogenerate workload as PostgreSQL SQL: the CREATE TABLE and
CREATE INDEX statements SQLAlchemy's metadata.create_all() runs for
../shared/peers/gen.py autogen's models (models_v1.py or models_v2.py),
compiled by SQLAlchemy's own PostgreSQL DDL compiler, in create_all's order.

  peers_autogen_sql.py --tables 200 --variant v1 [--peers DIR] > models.sql

Needs SQLAlchemy (Debian's python3-sqlalchemy, as Alembic does): run it with
the Python that has it (/usr/bin/python3 on Debian).
"""
import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tables", type=int, default=2000)
    ap.add_argument("--variant", choices=("v1", "v2"), default="v1")
    ap.add_argument("--peers", default=os.environ.get("PEERS_DIR") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "peers"))
    args = ap.parse_args()
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateIndex, CreateTable

    with tempfile.TemporaryDirectory() as d:
        subprocess.run([sys.executable, os.path.join(args.peers, "gen.py"), "autogen", "--tables",
                        str(args.tables), "--out", d], check=True, stdout=subprocess.DEVNULL)
        spec = importlib.util.spec_from_file_location("models", os.path.join(d, f"models_{args.variant}.py"))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
    dialect = postgresql.dialect()
    out = []
    for table in mod.Base.metadata.sorted_tables:
        out.append(str(CreateTable(table).compile(dialect=dialect)).strip() + ";\n")
        for ix in sorted(table.indexes, key=lambda i: i.name):
            out.append(str(CreateIndex(ix).compile(dialect=dialect)).strip() + ";\n")
    sys.stdout.write("\n".join(out))


if __name__ == "__main__":
    main()
