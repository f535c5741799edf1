#!/usr/bin/env bash
# The compose stack, really started: builds the images from this repository,
# brings docker-compose.yml up with a real Docker engine, waits until every
# container is healthy (one-shot migrations: exited 0), drives a smoke flow
# through the public entry point, restarts a service container and recreates
# a database container to show the data survived, and always tears everything
# down with `down -v`. Prints image sizes, build time and time to healthy.
#
#   npm run test:compose      (or: npx nx run deploy:compose-smoke)
#
# Engine: ../shared/tools/docker-sandbox when it exists next to the repository
# (it starts a real dockerd and provides the base images on machines that
# cannot pull them), otherwise the local Docker with `docker compose` or
# `docker-compose`. SMOKE_ENGINE=docker|sandbox forces one.
# Env: SMOKE_PROJECT (compose project, acme-smoke), SMOKE_TIMEOUT_S (wait for
# healthy, 300), SMOKE_NO_CACHE=1 (build without the layer cache).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PROJECT=${SMOKE_PROJECT:-acme-smoke}
TIMEOUT_S=${SMOKE_TIMEOUT_S:-300}
SANDBOX=${DOCKER_SANDBOX:-$ROOT/../shared/tools/docker-sandbox}
BUF=$ROOT/node_modules/.bin/buf
SCHEMA=$ROOT/libs/contracts/descriptors/acme.binpb

passed=0
log() { printf '\n== %s\n' "$*"; }
ok() { passed=$((passed + 1)); printf '   ok: %s\n' "$*"; }
fail() {
  printf '   FAILED: %s\n' "$*" >&2
  exit 1
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# --- engine ------------------------------------------------------------------
engine=${SMOKE_ENGINE:-}
if [ -z "$engine" ]; then
  if [ -x "$SANDBOX" ]; then engine=sandbox; else engine=docker; fi
fi
case $engine in
  sandbox)
    log "starting the Docker engine ($SANDBOX start)"
    "$SANDBOX" start
    DOCKER=/usr/bin/docker
    export DOCKER_HOST=unix:///var/run/docker.sock
    compose() { "$SANDBOX" compose -p "$PROJECT" "$@"; }
    ;;
  docker)
    DOCKER=$(command -v docker) || fail "no docker client on PATH"
    "$DOCKER" info >/dev/null 2>&1 || fail "no Docker engine answers; start one (or run with SMOKE_ENGINE=sandbox)"
    if "$DOCKER" compose version >/dev/null 2>&1; then
      compose() { "$DOCKER" compose -p "$PROJECT" "$@"; }
    else
      command -v docker-compose >/dev/null || fail "neither 'docker compose' nor docker-compose is installed"
      compose() { docker-compose -p "$PROJECT" "$@"; }
    fi
    ;;
  *) fail "SMOKE_ENGINE must be docker or sandbox, not '$engine'" ;;
esac
[ -x "$BUF" ] || fail "$BUF missing: run npm ci first"

# Own image tag and free loopback ports, so a developer's own stack (or
# `npm start`) on the default ports is left alone.
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
export IMAGE_TAG=smoke
GATEWAY_PORT=$(free_port)
USER_SERVICE_DEBUG_PORT=$(free_port)
ORDER_SERVICE_DEBUG_PORT=$(free_port)
export GATEWAY_PORT USER_SERVICE_DEBUG_PORT ORDER_SERVICE_DEBUG_PORT

containers() { "$DOCKER" ps -aq --filter "label=com.docker.compose.project=$PROJECT"; }

teardown() {
  local rc=$?
  if [ "$rc" != 0 ]; then
    log "state at failure"
    compose ps || true
    compose logs --no-color --tail 40 || true
  fi
  log "tearing down (down -v)"
  compose down -v --remove-orphans || true
  if [ -n "$(containers)" ]; then echo "containers of $PROJECT are still there" >&2; rc=1; fi
  # The summary comes last, after the teardown, so CI reads it as the closing line.
  printf '\n%s passed, %s failed\n' "$passed" "$([ "$rc" = 0 ] && echo 0 || echo 1)"
  exit "$rc"
}
trap teardown EXIT

# Waits until every container of the project is healthy, or exited 0 when it is
# a one-shot (restart: "no"). Docker has no blocking wait for health, so poll.
wait_healthy() {
  local deadline=$((SECONDS + TIMEOUT_S)) id line name status health code restart pending
  while :; do
    pending=()
    for id in $(containers); do
      line=$("$DOCKER" inspect -f '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} {{.State.ExitCode}} {{.HostConfig.RestartPolicy.Name}}' "$id")
      read -r name status health code restart <<<"$line"
      name=${name#/}
      if [ "$restart" = no ] || [ -z "$restart" ]; then
        [ "$status" = exited ] && [ "$code" != 0 ] && fail "$name exited with code $code"
        [ "$status" = exited ] || pending+=("$name:$status")
      else
        [ "$health" = none ] && fail "$name has no healthcheck"
        [ "$health" = unhealthy ] && fail "$name is unhealthy"
        [ "$status" = exited ] && fail "$name exited with code $code"
        [ "$health" = healthy ] || pending+=("$name:$health")
      fi
    done
    [ ${#pending[@]} -eq 0 ] && return 0
    [ "$SECONDS" -ge "$deadline" ] && fail "not healthy after ${TIMEOUT_S}s: ${pending[*]}"
    sleep 1
  done
}

# api METHOD PATH [JSON]: one request to the gateway; prints {"status":..,"body":..}.
api() {
  node -e '
    const [method, url, body] = process.argv.slice(1);
    fetch(url, { method, headers: body ? { "content-type": "application/json" } : {}, body: body || undefined })
      .then(async (r) => process.stdout.write(JSON.stringify({ status: r.status, body: await r.json().catch(() => null) })))
      .catch((e) => { console.error(`${method} ${url}: ${e.message}`); process.exit(1); });
  ' "$1" "http://127.0.0.1:$GATEWAY_PORT$2" "${3:-}"
}
# grpc METHOD JSON PORT: one unary call over gRPC (h2c) to a published debug port.
grpc() {
  "$BUF" curl --protocol grpc --http2-prior-knowledge --schema "$SCHEMA" -d "$2" "http://127.0.0.1:$3/$1"
}
# field PATH: reads a field (dotted path, e.g. body.id) of the JSON on stdin.
field() {
  node -e '
    let v = JSON.parse(require("fs").readFileSync(0, "utf8"));
    for (const k of process.argv[1].split(".")) v = v == null ? undefined : v[k];
    process.stdout.write(typeof v === "string" ? v : JSON.stringify(v) ?? "");
  ' "$1"
}

# --- build ---------------------------------------------------------------------------
log "building the images"
build_args=()
[ "${SMOKE_NO_CACHE:-}" = 1 ] && build_args+=(--no-cache)
t=$(now)
compose build "${build_args[@]}"
build_s=$(since "$t")
ok "images built in ${build_s}s"

# --- up ---------------------------------------------------------------------------------
log "starting the stack and waiting for every container"
t=$(now)
compose up -d
wait_healthy
healthy_s=$(since "$t")
compose ps
ok "every container healthy (migrations exited 0) ${healthy_s}s after 'up'"

# --- smoke flow ----------------------------------------------------------------------------
log "smoke flow through the public entry point (api-gateway, 127.0.0.1:$GATEWAY_PORT)"
email="smoke-$(date +%s%N)@example.com"
res=$(api POST /users "{\"email\":\"$email\",\"name\":\"Smoke Test\"}")
user_id=$(field body.id <<<"$res")
[ "$(field status <<<"$res")" = 201 ] && [ "$(field body.email <<<"$res")" = "$email" ] || fail "POST /users answered $res"
ok "POST /users created user $user_id"

order='{"userId":"'$user_id'","items":[{"sku":"SKU-1","quantity":3,"unitPriceCents":"1250"},{"sku":"SKU-2","quantity":1,"unitPriceCents":"99"}]}'
res=$(api POST /orders "$order")
order_id=$(field body.id <<<"$res")
[ "$(field status <<<"$res")" = 201 ] && [ "$(field body.totalCents <<<"$res")" = 3849 ] && [ "$(field body.userId <<<"$res")" = "$user_id" ] \
  || fail "POST /orders answered $res"
ok "POST /orders created order $order_id (total 3849 cents; order-service confirmed the user with user-service)"

res=$(api GET "/orders/$order_id")
[ "$(field status <<<"$res")" = 200 ] && [ "$(field body.id <<<"$res")" = "$order_id" ] && [ "$(field body.items <<<"$res")" = '[{"sku":"SKU-1","quantity":3,"unitPriceCents":"1250"},{"sku":"SKU-2","quantity":1,"unitPriceCents":"99"}]' ] \
  || fail "GET /orders/$order_id answered $res"
ok "GET /orders/$order_id reads it back"

res=$(api POST /orders '{"userId":"00000000-0000-7000-8000-000000000000","items":[{"sku":"X","quantity":1,"unitPriceCents":"1"}]}')
[ "$(field status <<<"$res")" = 422 ] || fail "an order for an unknown user: expected 422, got $res"
ok "an order for an unknown user is refused with 422 (FAILED_PRECONDITION from order-service)"

res=$(grpc acme.user.v1.UserService/GetUser "{\"id\":\"$user_id\"}" "$USER_SERVICE_DEBUG_PORT")
[ "$(field email <<<"$res")" = "$email" ] || fail "GetUser on the gRPC debug port answered $res"
ok "the gRPC debug port (127.0.0.1:$USER_SERVICE_DEBUG_PORT) answers GetUser"

# --- restarts ------------------------------------------------------------------------------
log "restarting order-service"
compose restart order-service
wait_healthy
res=$(api GET "/orders/$order_id")
[ "$(field status <<<"$res")" = 200 ] && [ "$(field body.totalCents <<<"$res")" = 3849 ] || fail "after the restart GET /orders/$order_id answered $res"
ok "order-service restarted healthy; order $order_id is still there"

log "recreating the user-db container (the named volume stays)"
compose rm --stop --force user-db
compose up -d --no-deps user-db
wait_healthy
res=$(api GET "/users/$user_id")
[ "$(field status <<<"$res")" = 200 ] && [ "$(field body.email <<<"$res")" = "$email" ] || fail "after recreating user-db GET /users/$user_id answered $res"
ok "user-db recreated; user-service healthy again and user $user_id survived"

# --- figures ---------------------------------------------------------------------------------
log "figures"
printf '   %-36s %8s\n' image size
for image in $("$DOCKER" images --filter "reference=${IMAGE_PREFIX:-acme}/*:$IMAGE_TAG" --format '{{.Repository}}:{{.Tag}}' | sort); do
  bytes=$("$DOCKER" image inspect -f '{{.Size}}' "$image")
  printf '   %-36s %5s MB\n' "$image" "$(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1000000 }')"
done
printf '   build %ss, time to healthy %ss (engine: %s)\n' "$build_s" "$healthy_s" "$engine"
