#!/usr/bin/env bash
# install-deps.sh: the Debian 12 packages quipu needs to build and test.
#
#   bash scripts/install-deps.sh        (as root; a no-op when all are installed)
#
# Idempotent and quiet: asks dpkg which packages are missing and runs apt-get
# only for those. Without root it succeeds only when nothing is missing.
set -euo pipefail

PACKAGES=(
	# build
	build-essential cmake pkg-config git ca-certificates
	# libraries
	libpq-dev libsqlite3-dev libpg-query-dev libinih-dev libcmocka-dev libssl-dev
	# the databases the tests run against
	postgresql-15 postgresql-client-15 sqlite3
	# the real Alembic, for the interop tests (tests/interop)
	python3-alembic python3-sqlalchemy python3-psycopg2
)

missing=()
for pkg in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#PACKAGES[@]} packages already installed"
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}" >&2
	echo "install-deps: run as root: sudo bash scripts/install-deps.sh" >&2
	exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
