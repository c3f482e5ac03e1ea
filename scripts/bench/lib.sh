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

# serve_console BIN DB LOG: starts `BIN serve` on DB at a free port of loopback, serving
# target/site, and waits until it answers; sets port and server_pid.
serve_console() {
  port=$(free_port)
  CREWDESK_LOG=warn "$1" --database-url "$2" serve --addr "127.0.0.1:$port" --site-root target/site >"$3" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
}

# admin_cookie: signs in at $port as `admin` with $CREWDESK_ADMIN_PASSWORD; prints the
# session cookie (empty if the sign-in failed).
admin_cookie() {
  curl -s -o /dev/null -D - -H 'Accept: application/json' \
    --data-urlencode "login=admin" --data-urlencode "password=$CREWDESK_ADMIN_PASSWORD" --data-urlencode "domain=" \
    "http://127.0.0.1:$port/api/login" | awk 'tolower($1) == "set-cookie:" {print $2}' | tr -d ';\r' | head -1
}
