#!/bin/bash
# Initialise a datadir on first start, create the database and accounts from the env (as the official mysql image
# does), then serve on 0.0.0.0:3306 and print one ready line once TCP connections are accepted:
#   oidc-harness-mariadb: ready for connections on 0.0.0.0:3306
# Passwords are never printed.
set -euo pipefail
DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock
mkdir -p /run/mysqld "$DATADIR"
chown mysql:mysql /run/mysqld "$DATADIR"
say() { echo "oidc-harness-mariadb: $*"; }
sql_str() { printf "'%s'" "${1//\'/\'\'}"; }        # SQL string literal
sql_id() { printf '`%s`' "${1//\`/\`\`}"; }          # SQL identifier

if [ ! -d "$DATADIR/mysql" ]; then
  say "initialising $DATADIR"
  mariadb-install-db --user=mysql --datadir="$DATADIR" --skip-test-db >/dev/null
  mariadbd --user=mysql --datadir="$DATADIR" --skip-networking --socket="$SOCKET" >/tmp/init.log 2>&1 &
  pid=$!
  for _ in $(seq 1 60); do mariadb-admin --socket="$SOCKET" ping >/dev/null 2>&1 && break; sleep 0.5; done
  {
    if [ -n "${MYSQL_ROOT_PASSWORD:-}" ]; then
      echo "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD($(sql_str "$MYSQL_ROOT_PASSWORD")) OR unix_socket;"
      echo "CREATE USER 'root'@'%' IDENTIFIED BY $(sql_str "$MYSQL_ROOT_PASSWORD");"
      echo "GRANT ALL PRIVILEGES ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    fi
    if [ -n "${MYSQL_DATABASE:-}" ]; then
      echo "CREATE DATABASE IF NOT EXISTS $(sql_id "$MYSQL_DATABASE") CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
    fi
    if [ -n "${MYSQL_USER:-}" ] && [ -n "${MYSQL_PASSWORD:-}" ]; then
      echo "CREATE USER $(sql_str "$MYSQL_USER")@'%' IDENTIFIED BY $(sql_str "$MYSQL_PASSWORD");"
      [ -n "${MYSQL_DATABASE:-}" ] && echo "GRANT ALL PRIVILEGES ON $(sql_id "$MYSQL_DATABASE").* TO $(sql_str "$MYSQL_USER")@'%';"
    fi
    echo "FLUSH PRIVILEGES;"
  } | mariadb --protocol=socket --socket="$SOCKET" -uroot
  mariadb-admin --socket="$SOCKET" shutdown
  wait "$pid" || true
  say "initialised (database: ${MYSQL_DATABASE:-none}, user: ${MYSQL_USER:-none})"
fi

mariadbd --user=mysql --datadir="$DATADIR" --socket="$SOCKET" --bind-address=0.0.0.0 --port=3306 \
  --skip-name-resolve --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci "$@" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null' TERM INT
for _ in $(seq 1 120); do
  # "ping" succeeds on any answer, access denied included: the server accepts TCP connections.
  if mariadb-admin --protocol=tcp -h127.0.0.1 -P3306 -uready_probe ping >/dev/null 2>&1; then
    say "ready for connections on 0.0.0.0:3306"; break
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.25
done
status=0
wait "$pid" || status=$?
# a signal interrupts wait: wait again for the server to finish its shutdown
while kill -0 "$pid" 2>/dev/null; do wait "$pid" || status=$?; done
exit "$status"
