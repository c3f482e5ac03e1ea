# Sourced by the bench scripts: wrk (from Debian, if missing), PostgreSQL's URL, and helpers.
if ! command -v wrk >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
fi
POSTGRES_URL="${POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}"
export PGOPTIONS="--client-min-messages=warning"

# A free TCP port on loopback.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# rss PID VmRSS|VmHWM: the process's resident memory now, or its peak, in MiB.
rss() { awk -v k="$2:" '$1 == k {print int($2 / 1024) " MiB"}' "/proc/$1/status"; }

# fresh_postgres NAME: drops and creates the database NAME; prints its URL.
fresh_postgres() {
  psql "$POSTGRES_URL/postgres" -qc "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
  echo "$POSTGRES_URL/$1"
}
