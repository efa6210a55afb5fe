#!/usr/bin/env bash
# pgctl.sh: the test suite's own throwaway PostgreSQL 15 server.
#
#   tests/pg/pgctl.sh start DIR   initdb into DIR/data, start, write DIR/env
#   tests/pg/pgctl.sh stop DIR    stop the server and delete DIR/data
#
# The server listens on a unix socket in DIR and on 127.0.0.1:5432 when that
# port is free (so the seed's URL postgresql+asyncpg://khipu:...@localhost:5432/
# khipu_dev works as written), else on 127.0.0.1:<a free port>. DIR/env holds
# PGHOST, PGPORT, PGUSER and QUIPU_TEST_TCP_PORT for the tests to source.
# Socket connections are trusted; TCP connections as role khipu need its
# password (khipu_dev_password), so a wrong password is a real failure.
# Runs initdb/pg_ctl as the `postgres` user when started as root (the server
# refuses root); when a folder above DIR is closed to that user, the data and
# the socket go to /tmp/quipu-pgtest.XXXXXX instead (DIR/cluster names it,
# DIR/env points there). A missing server binary is an error, never a skip.
set -euo pipefail

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
[ -x "$PGBIN/initdb" ] || { echo "pgctl.sh: PostgreSQL server binaries not found (install postgresql-15)" >&2; exit 1; }

as_owner() {
	if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
	local dir=$1 port run
	stop "$dir" >/dev/null 2>&1 || true
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	run=$dir
	# The server runs as postgres: when a folder above DIR shuts that user
	# out (a clone inside a mode-700 `mktemp -d` folder), the cluster and
	# its socket live in a folder of their own under /tmp, named in
	# DIR/cluster for stop.
	if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$(dirname "$dir")"; then
		run=$(mktemp -d /tmp/quipu-pgtest.XXXXXX)
		echo "$run" > "$dir/cluster"
	fi
	rm -rf "$run/data"
	mkdir -p "$run/data"
	chmod 755 "$run"
	if [ "$(id -u)" = 0 ]; then chown -R postgres: "$run"; fi
	port=5432
	if ! port_free $port; then
		port=$(( 20000 + RANDOM % 20000 ))
		while ! port_free $port; do port=$(( 20000 + RANDOM % 20000 )); done
	fi
	as_owner "$PGBIN/initdb" -D "$run/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
		> "$run/initdb.log" 2>&1 || { cat "$run/initdb.log" >&2; exit 1; }
	cat > "$run/data/pg_hba.conf" <<HBA
local all all trust
host all khipu 127.0.0.1/32 scram-sha-256
host all all 127.0.0.1/32 trust
HBA
	# the port may be taken between the check and the start (another suite's
	# server starting at the same time): then another port, a few times
	local tries=0
	until as_owner "$PGBIN/pg_ctl" -D "$run/data" -l "$run/server.log" -w -t 180 -s \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $run -c max_locks_per_transaction=1024 -c fsync=off -c max_connections=200" start >&2; do
		tries=$((tries + 1))
		if [ $tries -ge 5 ] || ! grep -q "could not bind\|could not create any TCP/IP sockets\|Address already in use" "$run/server.log"; then
			cat "$run/server.log" >&2
			exit 1
		fi
		port=$(( 20000 + RANDOM % 20000 ))
		while ! port_free $port; do port=$(( 20000 + RANDOM % 20000 )); done
	done
	psql -X -q -v ON_ERROR_STOP=1 -h "$run" -p "$port" -U postgres -d postgres <<SQL
CREATE ROLE khipu LOGIN CREATEDB PASSWORD 'khipu_dev_password';
CREATE DATABASE khipu_dev OWNER khipu;
SQL
	cat > "$dir/env" <<ENV
export PGHOST='$run'
export PGPORT='$port'
export PGUSER=postgres
export QUIPU_TEST_PG_DIR='$run'
export QUIPU_TEST_TCP_PORT='$port'
ENV
	echo "PostgreSQL started: socket $run, TCP 127.0.0.1:$port"
}

stop() {
	local dir=$1 run=$1
	[ -f "$dir/cluster" ] && run=$(cat "$dir/cluster")
	if [ -f "$run/data/postmaster.pid" ]; then
		as_owner "$PGBIN/pg_ctl" -D "$run/data" -m immediate -w -s stop >&2 || true
	fi
	rm -rf "$run/data" "$dir/env"
	if [ "$run" != "$dir" ]; then
		rm -rf "$run" "$dir/cluster"
	fi
}

case "${1:-}" in
	start) start "${2:?usage: pgctl.sh start DIR}" ;;
	stop) stop "${2:?usage: pgctl.sh stop DIR}" ;;
	*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
