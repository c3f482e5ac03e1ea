#!/usr/bin/env bash
# Directory sync from a real slapd on loopback (BENCHMARKS.md, "Directory sync"): for each
# size (default 10,000 and 100,000 entries) a generated directory is loaded with slapadd,
# then `crewdesk directory sync` runs twice on a fresh SQLite database: the first sync (every
# engineer created, with its confirmation queued) and a re-sync with nothing changed. Beside
# them, the anchor: `ldapsearch` reading the same entries with paged results, in the same run.
# Time and peak RSS come from GNU time. One release build; slapd from scripts/setup.sh --test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
[ -x /usr/bin/time ] || { echo "bench-sync: installing GNU time"; apt-get install -y -qq time >/dev/null; }
cargo build --release -p server
bin="$CARGO_TARGET_DIR/release/crewdesk"
work=$(mktemp -d)
trap 'kill $(cat "$work/slapd.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url="ldap://127.0.0.1:$port"
export BENCH_LDAP_PASSWORD=admin-secret
measure() { # label, command...: prints seconds and peak RSS in MiB
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out" 2>&1 || { cat "$work/out"; exit 1; }
  read -r secs kib < "$work/time"
  printf '%-34s %7.2f s  %6d MiB  %s\n' "$label" "$secs" $((kib / 1024)) "$(tail -1 "$work/out")"
}
echo "$(nproc) cores"
for size in ${SIZES:-10000 100000}; do
  kill "$(cat "$work/slapd.pid" 2>/dev/null)" 2>/dev/null || true
  sleep 0.5
  rm -rf "$work/data" && mkdir -p "$work/data"
  cat > "$work/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile $work/slapd.pid
sizelimit unlimited
database mdb
maxsize 4294967296
suffix "dc=corp,dc=example"
rootdn "cn=admin,dc=corp,dc=example"
rootpw admin-secret
directory $work/data
EOF
  python3 - "$size" > "$work/seed.ldif" <<'EOF'
import sys
n = int(sys.argv[1])
print("dn: dc=corp,dc=example\nobjectClass: dcObject\nobjectClass: organization\ndc: corp\no: Corp\n")
print("dn: ou=people,dc=corp,dc=example\nobjectClass: organizationalUnit\nou: people\n")
for i in range(n):
    print(f"dn: uid=user{i},ou=people,dc=corp,dc=example\nobjectClass: inetOrgPerson\nuid: user{i}\n"
          f"cn: Engineer {i}\nsn: {i}\nmail: user{i}@corp.example\nmobile: +86 139 {i // 10000:04d} {i % 10000:04d}\n"
          f"title: O&M engineer\nemployeeNumber: E{i}\n")
EOF
  slapadd -q -f "$work/slapd.conf" -l "$work/seed.ldif"
  slapd -f "$work/slapd.conf" -h "$url"
  for _ in $(seq 100); do ldapsearch -x -H "$url" -b "" -s base >/dev/null 2>&1 && break; sleep 0.1; done
  db="sqlite:$work/sync-$size.db"
  "$bin" --database-url "$db" directory add CORP --ldap-url "$url" --bind-dn "cn=admin,dc=corp,dc=example" \
    --bind-password-env BENCH_LDAP_PASSWORD --base-dn "ou=people,dc=corp,dc=example" > /dev/null
  echo "== $size entries"
  measure "anchor: ldapsearch, paged" sh -c "ldapsearch -x -LLL -H $url -D cn=admin,dc=corp,dc=example -w admin-secret -b ou=people,dc=corp,dc=example -E pr=500/noprompt '(objectClass=inetOrgPerson)' uid cn mail mobile telephoneNumber title employeeNumber department entryUUID | grep -c '^dn:'"
  measure "first sync (creates all)" env CREWDESK_LOG=warn "$bin" --database-url "$db" directory sync
  measure "re-sync, nothing changed" env CREWDESK_LOG=warn "$bin" --database-url "$db" directory sync
done
