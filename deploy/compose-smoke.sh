#!/usr/bin/env bash
# The compose stack, really started: builds the images from this repository,
# starts the broker first and checks that its definitions declared
# order-service's queue before any service ran, brings the rest of
# docker-compose.yml up with a real Docker engine, waits until every
# container is healthy (one-shot migrations: exited 0), drives a smoke flow
# through the public entry point, restarts a service container and recreates
# a database container to show the data survived, follows the event path
# (DELETE /users/:id until the user's order reads CANCELLED), restarts the
# broker and follows it again, and always tears everything down with
# `down -v`. From the observability profile it runs Prometheus (no stand-in
# image exists here for the collector, Jaeger or Grafana; `nx run
# deploy:test` checks their configuration) and proves through its HTTP API
# that every service's target is up and the RED and event series arrive.
# Prints image sizes, build time, time to healthy and how long each
# deletion took to cancel the order.
#
#   npm run test:compose      (or: npx nx run deploy:compose-smoke)
#
# Engine: ../shared/tools/docker-sandbox when it exists next to the repository
# (it starts a real dockerd and provides the base images on machines that
# cannot pull them), otherwise the local Docker with `docker compose` or
# `docker-compose`. SMOKE_ENGINE=docker|sandbox forces one.
# Env: SMOKE_PROJECT (compose project, acme-smoke), SMOKE_TIMEOUT_S (wait for
# healthy, 300), SMOKE_EVENT_TIMEOUT_S (wait for an order to be cancelled
# after its user was deleted, 60), SMOKE_NO_CACHE=1 (build without the layer
# cache).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PROJECT=${SMOKE_PROJECT:-acme-smoke}
TIMEOUT_S=${SMOKE_TIMEOUT_S:-300}
EVENT_TIMEOUT_S=${SMOKE_EVENT_TIMEOUT_S:-60}
SANDBOX=${DOCKER_SANDBOX:-$ROOT/../shared/tools/docker-sandbox}
BUF=$ROOT/node_modules/.bin/buf

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
# process.stdout.write, not console.log: under Nx (FORCE_COLOR) console.log colours numbers.
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{process.stdout.write(String(s.address().port));s.close()})'; }
export IMAGE_TAG=smoke
GATEWAY_PORT=$(free_port)
USER_SERVICE_DEBUG_PORT=$(free_port)
ORDER_SERVICE_DEBUG_PORT=$(free_port)
TRACE_RECEIVER_PORT=$(free_port)
PROMETHEUS_PORT=$(free_port)
IDENTITY_PROVIDER_PORT=$(free_port)
export GATEWAY_PORT USER_SERVICE_DEBUG_PORT ORDER_SERVICE_DEBUG_PORT TRACE_RECEIVER_PORT PROMETHEUS_PORT IDENTITY_PROVIDER_PORT
# The stack as docker-compose.yml defines it, plus a stand-in OTLP receiver the services export traces to.
export COMPOSE_FILE=docker-compose.yml:deploy/compose-smoke.traces.yml

containers() { "$DOCKER" ps -aq --filter "label=com.docker.compose.project=$PROJECT"; }
# The profile's containers are part of the stack for ps, logs and down.
observed() { compose --profile observability "$@"; }

teardown() {
  local rc=$?
  if [ "$rc" != 0 ]; then
    log "state at failure"
    observed ps || true
    observed logs --no-color --tail 40 || true
  fi
  rm -rf "$TLS_DIR"
  log "tearing down (down -v)"
  observed down -v --remove-orphans || true
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

# token CLIENT SECRET: an access token from the development identity provider (client credentials), as the README gets one.
token() {
  node -e '
    const [url, client, secret] = process.argv.slice(1);
    fetch(url, { method: "POST", headers: { authorization: "Basic " + Buffer.from(`${client}:${secret}`).toString("base64"), "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials&scope=users:read users:write orders:read orders:write" })
      .then(async (r) => { const t = await r.json(); if (!t.access_token) throw new Error(JSON.stringify(t)); process.stdout.write(t.access_token); })
      .catch((e) => { console.error(`${url}: ${e.message}`); process.exit(1); });
  ' "http://127.0.0.1:$IDENTITY_PROVIDER_PORT/token" "$1" "$2"
}
# api METHOD PATH [JSON]: one request to the gateway, with $TOKEN when set; prints {"status":..,"body":..,"traceparent":..,"challenge":..}.
api() {
  node -e '
    const [method, url, body, token] = process.argv.slice(1);
    const headers = { ...(body ? { "content-type": "application/json" } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) };
    fetch(url, { method, headers, body: body || undefined })
      .then(async (r) => process.stdout.write(JSON.stringify({ status: r.status, body: await r.json().catch(() => null), traceparent: r.headers.get("traceparent"), challenge: r.headers.get("www-authenticate") })))
      .catch((e) => { console.error(`${method} ${url}: ${e.message}`); process.exit(1); });
  ' "$1" "http://127.0.0.1:$GATEWAY_PORT$2" "${3:-}" "${TOKEN:-}"
}
# grpc METHOD JSON PORT [WORKLOAD]: one unary call over gRPC with mTLS to a
# published debug port, presenting WORKLOAD's certificate (default
# api-gateway; copied out of its container by fetch_certificates); buf learns
# the schema from the service's reflection (the generated descriptors in the image).
grpc() {
  local as=${4:-api-gateway}
  "$BUF" curl --protocol grpc --cacert "$TLS_DIR/ca.crt" --cert "$TLS_DIR/$as.crt" --key "$TLS_DIR/$as.key" \
    -H "Authorization: Bearer $TOKEN" -d "$2" "https://127.0.0.1:$3/$1"
}
# grpc_plaintext PATH PORT: a gRPC call without TLS (h2c prior knowledge), as a
# process that merely reached the port would make it, with an empty request
# message (no schema needed). Prints the status it got, or how the connection
# ended without one; exits 0 only if the server answered at all.
grpc_plaintext() {
  node -e '
    const http2 = require("node:http2");
    const [path, port] = process.argv.slice(1);
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const done = (answered, what) => { process.stdout.write(what); session.destroy(); process.exit(answered ? 0 : 1); };
    session.on("error", (e) => done(false, `connection failed: ${e.code ?? e.message}`));
    session.on("close", () => done(false, "connection closed without an answer"));
    const call = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers" });
    call.on("response", (headers) => done(true, `answered: HTTP ${headers[":status"]} grpc-status ${headers["grpc-status"] ?? "(in trailers)"}`));
    call.on("error", (e) => done(false, `stream failed: ${e.code ?? e.message}`));
    call.end(Buffer.alloc(5));
    setTimeout(() => done(false, "no answer within 5 s"), 5000).unref();
  ' "$1" "$2"
}
# fetch_certificates WORKLOAD...: each one's certificate and key (and the CA
# bundle), read inside its own container (as its user) into $TLS_DIR.
TLS_DIR=$(mktemp -d)
fetch_certificates() {
  local workload
  for workload in "$@"; do
    compose exec -T "$workload" cat /etc/acme/tls/tls.crt >"$TLS_DIR/$workload.crt"
    compose exec -T "$workload" cat /etc/acme/tls/tls.key >"$TLS_DIR/$workload.key"
    compose exec -T "$workload" cat /etc/acme/tls/ca.crt >"$TLS_DIR/ca.crt"
  done
  chmod 600 "$TLS_DIR"/*.key
}
# field PATH: reads a field (dotted path, e.g. body.id) of the JSON on stdin.
field() {
  node -e '
    let v = JSON.parse(require("fs").readFileSync(0, "utf8"));
    for (const k of process.argv[1].split(".")) v = v == null ? undefined : v[k];
    process.stdout.write(typeof v === "string" ? v : JSON.stringify(v) ?? "");
  ' "$1"
}

# delete_and_await_cancel USER_ID ORDER_ID: DELETE /users/:id, then reads the
# order until its status is CANCELLED (UserDeleted travelled user-service's
# outbox -> rabbitmq -> order-service's consumer). HTTP offers nothing to
# await, so it polls, bounded by EVENT_TIMEOUT_S. Prints the milliseconds from
# the DELETE to the first CANCELLED read, or fails with the last answer.
delete_and_await_cancel() {
  node -e '
    const [base, userId, orderId, timeoutS, token] = process.argv.slice(1);
    const headers = { authorization: `Bearer ${token}` };
    (async () => {
      const started = performance.now();
      const deleted = await fetch(`${base}/users/${userId}`, { method: "DELETE", headers });
      if (deleted.status !== 204) throw new Error(`DELETE /users/${userId} answered ${deleted.status} ${await deleted.text()}`);
      const deadline = started + Number(timeoutS) * 1000;
      let last = "";
      while (performance.now() < deadline) {
        const r = await fetch(`${base}/orders/${orderId}`, { headers });
        last = `${r.status} ${await r.text()}`;
        if (r.status === 200 && JSON.parse(last.slice(4)).status === "CANCELLED") {
          process.stdout.write(String(Math.round(performance.now() - started)));
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`order ${orderId} not CANCELLED ${timeoutS}s after its user was deleted; last answer: ${last}`);
    })().catch((e) => { console.error(e.message); process.exit(1); });
  ' "http://127.0.0.1:$GATEWAY_PORT" "$1" "$2" "$EVENT_TIMEOUT_S" "$TOKEN"
}
# user_with_order NAME: creates a user and an order of theirs; sets user_id and order_id.
user_with_order() {
  local res
  res=$(api POST /users "{\"email\":\"$1-$(date +%s%N)@example.com\",\"name\":\"$1\"}")
  user_id=$(field body.id <<<"$res")
  [ "$(field status <<<"$res")" = 201 ] || fail "POST /users answered $res"
  res=$(api POST /orders '{"userId":"'"$user_id"'","items":[{"sku":"SKU-9","quantity":1,"unitPriceCents":"500"}]}')
  order_id=$(field body.id <<<"$res")
  [ "$(field status <<<"$res")" = 201 ] && [ "$(field body.status <<<"$res")" = CREATED ] || fail "POST /orders answered $res"
}
# launched_apps [services]: the apps with a launch manifest (apps/*/project.json,
# metadata.launch), as deploy/src/deployed-apps.ts discovers them, so a service
# added by `nx g @acme/workspace:service` is checked without editing this file;
# `services`: without the token issuer the apps name (AUTH_ISSUER), which is
# not scraped.
launched_apps() {
  node -e '
    const fs = require("fs");
    const apps = fs.readdirSync("apps").filter((dir) => fs.existsSync(`apps/${dir}/project.json`))
      .map((dir) => JSON.parse(fs.readFileSync(`apps/${dir}/project.json`, "utf8")))
      .filter((project) => project.metadata?.launch !== undefined);
    const issuers = new Set(apps.map((project) => project.metadata.launch.upstreams?.AUTH_ISSUER).filter(Boolean));
    const picked = process.argv[1] === "services" ? apps.filter((project) => !issuers.has(project.name)) : apps;
    process.stdout.write(picked.map((project) => project.name).sort().join(" "));
  ' "${1:-all}"
}

# prom_targets_up JOB...: waits (bounded) until Prometheus' /api/v1/targets
# lists exactly the JOBs, every target of each up; prints "job=instance ...".
prom_targets_up() {
  node -e '
    const [base, timeoutS, ...jobs] = process.argv.slice(1);
    (async () => {
      const deadline = performance.now() + Number(timeoutS) * 1000;
      let last = "";
      while (performance.now() < deadline) {
        const targets = (await (await fetch(`${base}/api/v1/targets?state=active`)).json()).data.activeTargets;
        last = targets.map((t) => `${t.labels.job}=${t.labels.instance}:${t.health}${t.lastError ? ` (${t.lastError})` : ""}`).join(" ");
        const found = [...new Set(targets.map((t) => t.labels.job))].sort();
        if (found.join() === jobs.slice().sort().join() && targets.every((t) => t.health === "up")) {
          process.stdout.write(targets.map((t) => `${t.labels.job}=${t.labels.instance}`).sort().join(" "));
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      throw new Error(`Prometheus targets not all up after ${timeoutS}s: ${last || "none"}`);
    })().catch((e) => { console.error(e.message); process.exit(1); });
  ' "http://127.0.0.1:$PROMETHEUS_PORT" "$EVENT_TIMEOUT_S" "$@"
}
# prom_series EXPR...: waits (bounded: scrapes come every 5 s) until every
# instant query EXPR returns at least one series; names the ones that did not.
prom_series() {
  node -e '
    const [base, timeoutS, ...exprs] = process.argv.slice(1);
    (async () => {
      const deadline = performance.now() + Number(timeoutS) * 1000;
      let missing = exprs;
      while (performance.now() < deadline) {
        const found = await Promise.all(missing.map(async (expr) => {
          const r = await (await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`)).json();
          if (r.status !== "success") throw new Error(`${expr}: ${r.error}`);
          return r.data.result.length > 0;
        }));
        missing = missing.filter((_, i) => !found[i]);
        if (missing.length === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      throw new Error(`after ${timeoutS}s Prometheus has no series for: ${missing.join(" | ")}`);
    })().catch((e) => { console.error(e.message); process.exit(1); });
  ' "http://127.0.0.1:$PROMETHEUS_PORT" "$EVENT_TIMEOUT_S" "$@"
}
# broker_ctl ARGS: rabbitmqctl, the broker's own CLI inside its container.
broker_ctl() { compose exec -T rabbitmq rabbitmqctl -q "$@"; }

# --- build ---------------------------------------------------------------------------
log "building the images"
build_args=()
[ "${SMOKE_NO_CACHE:-}" = 1 ] && build_args+=(--no-cache)
# The images' OCI annotations (docker-compose.yml's x-image-labels).
IMAGE_VERSION=$(node -p 'require("./package.json").version')
IMAGE_REVISION=$(git rev-parse HEAD 2>/dev/null || echo unknown)
IMAGE_CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
export IMAGE_VERSION IMAGE_REVISION IMAGE_CREATED
t=$(now)
compose build "${build_args[@]}"
build_s=$(since "$t")
ok "images built in ${build_s}s"

log "supply chain: each image's bill of materials and annotations"
for app in $(launched_apps); do
  image="${IMAGE_PREFIX:-acme}/$app:$IMAGE_TAG"
  for label in version:"$IMAGE_VERSION" revision:"$IMAGE_REVISION" created:"$IMAGE_CREATED"; do
    value=$("$DOCKER" image inspect -f "{{index .Config.Labels \"org.opencontainers.image.${label%%:*}\"}}" "$image")
    [ "$value" = "${label#*:}" ] || fail "$image: org.opencontainers.image.${label%%:*} is '$value', expected '${label#*:}'"
  done
  sbom=$("$DOCKER" run --rm -i --entrypoint node "$image" - < deploy/smoke/sbom-check.js) || fail "$image: its SBOM does not match what it holds"
  ok "$image: CycloneDX SBOM at /app/sbom.cdx.json ($sbom), OCI version/revision/created labels"
done

# --- up ---------------------------------------------------------------------------------
# The broker alone first: what its definitions declared is then all there is,
# before any service could declare anything itself.
log "starting rabbitmq alone and checking its definitions"
t=$(now)
compose up -d rabbitmq
wait_healthy
broker_s=$(since "$t")
ok "rabbitmq healthy ${broker_s}s after 'up'"
queues=$(broker_ctl list_queues -p acme name type durable arguments)
grep -E $'^order-service\\.user-events\tquorum\ttrue\t.*"x-delivery-limit",20' <<<"$queues" | grep -q '"x-dead-letter-routing-key","order-service.user-events.dlq"' \
  || fail "order-service.user-events is not declared as order-service declares it; the broker has: $queues"
grep -qE $'^order-service\\.user-events\\.dlq\tquorum\ttrue' <<<"$queues" || fail "no dead-letter queue order-service.user-events.dlq; the broker has: $queues"
bindings=$(broker_ctl list_bindings -p acme source_name destination_name routing_key)
grep -qE $'^acme\\.events\torder-service\\.user-events\tuser\\.v1\\.deleted$' <<<"$bindings" \
  || fail "order-service.user-events is not bound to user.v1.deleted on acme.events"
ok "before any service ran: order-service.user-events (quorum, delivery limit 20, dead letters to order-service.user-events.dlq) bound to user.v1.deleted on acme.events"

log "starting the rest of the stack, and Prometheus from the observability profile, and waiting for every container"
t=$(now)
compose up -d
# Named, so the profile's other services (collector, Jaeger, Grafana: no image here) stay down.
observed up -d --no-deps prometheus
wait_healthy
healthy_s=$(since "$t")
observed ps
ok "every container healthy (migrations exited 0) ${healthy_s}s after 'up'"

# --- smoke flow ----------------------------------------------------------------------------
log "identity: no token is refused, a token from the development identity provider is accepted"
res=$(api GET /users)
[ "$(field status <<<"$res")" = 401 ] && [[ "$(field challenge <<<"$res")" == Bearer* ]] || fail "GET /users without a token answered $res"
ok "GET /users without a token: 401 with WWW-Authenticate: $(field challenge <<<"$res")"
TOKEN=$(token admin dev-only-admin-secret) || fail "no token from the identity provider"
ok "an admin access token from identity-provider (client credentials)"

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
order_trace=$(field traceparent <<<"$res" | cut -d- -f2)
[ ${#order_trace} = 32 ] || fail "POST /orders answered without a traceparent header: $res"

res=$(api GET "/orders/$order_id")
[ "$(field status <<<"$res")" = 200 ] && [ "$(field body.id <<<"$res")" = "$order_id" ] && [ "$(field body.items <<<"$res")" = '[{"sku":"SKU-1","quantity":3,"unitPriceCents":"1250"},{"sku":"SKU-2","quantity":1,"unitPriceCents":"99"}]' ] \
  || fail "GET /orders/$order_id answered $res"
ok "GET /orders/$order_id reads it back"

res=$(api POST /orders '{"userId":"00000000-0000-7000-8000-000000000000","items":[{"sku":"X","quantity":1,"unitPriceCents":"1"}]}')
[ "$(field status <<<"$res")" = 422 ] || fail "an order for an unknown user: expected 422, got $res"
ok "an order for an unknown user is refused with 422 (FAILED_PRECONDITION from order-service)"

log "mTLS: the services' gRPC ports take only certificates of the development CA, and each method only the workloads its policy names"
fetch_certificates api-gateway order-service
res=$(grpc acme.user.v1.UserService/GetUser "{\"id\":\"$user_id\"}" "$USER_SERVICE_DEBUG_PORT")
[ "$(field email <<<"$res")" = "$email" ] || fail "GetUser on the gRPC debug port answered $res"
ok "the gRPC debug port (127.0.0.1:$USER_SERVICE_DEBUG_PORT) answers GetUser to the api-gateway certificate ($(openssl x509 -noout -ext subjectAltName -in "$TLS_DIR/api-gateway.crt" 2>/dev/null | grep -o 'URI:[^,]*' || echo 'its SPIFFE ID'))"
if res=$(grpc_plaintext /acme.user.v1.UserService/GetUser "$USER_SERVICE_DEBUG_PORT" 2>&1); then
  fail "a plaintext gRPC call to user-service was $res"
fi
ok "a plaintext gRPC call to user-service is refused ($res)"
if res=$(grpc acme.user.v1.UserService/DeleteUser "{\"id\":\"$user_id\"}" "$USER_SERVICE_DEBUG_PORT" order-service 2>&1); then
  fail "order-service's certificate could call DeleteUser: $res"
fi
grep -q 'permission_denied' <<<"$res" && grep -q 'peer spiffe://acme.internal/ns/acme/sa/order-service may not call /acme.user.v1.UserService/DeleteUser' <<<"$res" \
  || fail "DeleteUser with order-service's certificate: expected PERMISSION_DENIED naming the peer, got $res"
ok "DeleteUser with order-service's certificate: PERMISSION_DENIED naming the peer and the method"

log "traces: the images export spans (OTLP) for POST /orders from every process it crossed"
deadline=$((SECONDS + EVENT_TIMEOUT_S))
# Each process exports in batches on its own schedule: poll the receiver, bounded.
until services=$(node -e '
    fetch(process.argv[1]).then((r) => r.json()).then((spans) =>
      process.stdout.write([...new Set(spans.map((s) => s.service))].sort().join(",")), () => process.exit(1));
  ' "http://127.0.0.1:$TRACE_RECEIVER_PORT/spans?trace=$order_trace") && [ "$services" = api-gateway,order-service,user-service ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "trace $order_trace: spans from [${services:-}] only, expected api-gateway, order-service and user-service"
  sleep 0.5
done
ok "trace $order_trace has spans from api-gateway, order-service and user-service"

log "metrics: Prometheus (observability profile, 127.0.0.1:$PROMETHEUS_PORT) scrapes every service"
t=$(now)
# shellcheck disable=SC2046 # one job per app
targets=$(prom_targets_up $(launched_apps services)) || fail "Prometheus does not scrape every service"
ok "every target up: $targets"
# The RED series of the calls above, by the labels the dashboard and the SLO rules group by.
prom_series \
  'http_server_request_duration_count{job="api-gateway",http_request_method="POST",http_route="/orders",http_response_status_code="201"}' \
  'http_server_request_duration_count{job="api-gateway",http_request_method="POST",http_route="/orders",http_response_status_code="422"}' \
  'http_server_request_duration_count{job="api-gateway",http_request_method="GET",http_route="/orders/:id",http_response_status_code="200"}' \
  'http_server_request_duration_bucket{job="api-gateway",le="0.3"}' \
  'rpc_server_duration_count{job="order-service",rpc_method="CreateOrder",rpc_grpc_status_code="0"}' \
  'rpc_server_duration_count{job="order-service",rpc_method="CreateOrder",rpc_grpc_status_code="9"}' \
  'rpc_server_duration_count{job="user-service",rpc_method="GetUser",rpc_grpc_status_code="0"}' \
  'rpc_client_duration_count{job="order-service",rpc_method="GetUser"}' \
  'rpc_client_duration_count{job="api-gateway",rpc_method="CreateOrder"}' \
  'slo:availability_objective:ratio{http_route="/orders"}' \
  || fail "Prometheus is missing RED series of the smoke flow"
ok "RED series of POST /orders (201, 422), GET /orders/:id, CreateOrder and GetUser (server and client side) and the SLO rules' objectives are in Prometheus ($(since "$t")s)"

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

# --- events ------------------------------------------------------------------------------
log "events: deleting a user cancels their order (user-service outbox -> rabbitmq -> order-service)"
user_with_order Evented
event_ms=$(delete_and_await_cancel "$user_id" "$order_id")
ok "DELETE /users/$user_id; order $order_id read CANCELLED ${event_ms} ms later"

log "events: least privilege and dead-lettering with the services' own broker users"
# From inside user-service's container, with its own AMQP_URL: publishing a
# message order-service cannot understand is allowed (it may publish to
# acme.events), reading order-service's queue is not.
compose exec -T user-service node -e '
  const amqp = require("amqplib");
  (async () => {
    const connection = await amqp.connect(process.env.AMQP_URL);
    const channel = await connection.createConfirmChannel();
    await new Promise((resolve, reject) =>
      channel.publish("acme.events", "user.v1.deleted", Buffer.from("not protobuf"), { contentType: "text/plain", messageId: "smoke-garbage" }, (e) => (e ? reject(e) : resolve())));
    const reader = await connection.createChannel();
    reader.on("error", () => {});
    const refused = await reader.get("order-service.user-events").then(() => false, (e) => /ACCESS.REFUSED/.test(e.message));
    await connection.close().catch(() => {});
    if (!refused) throw new Error("user-service could read order-service.user-events");
  })().catch((e) => { console.error(e.message); process.exit(1); });
' || fail "user-service's broker user could not publish, or could read order-service's queue"
ok "user-service's broker user publishes to acme.events and is refused order-service.user-events"
deadline=$((SECONDS + EVENT_TIMEOUT_S))
# The queue's message count is all there is to watch: poll it, bounded.
until depths=$(broker_ctl list_queues -p acme name messages) && grep -qE $'^order-service\\.user-events\\.dlq\t1$' <<<"$depths"; do
  [ "$SECONDS" -lt "$deadline" ] || fail "the undecodable message did not reach order-service.user-events.dlq: $depths"
  sleep 1
done
ok "order-service moved the undecodable message to order-service.user-events.dlq and keeps consuming"
prom_series \
  'messaging_client_sent_messages_total{job="user-service"}' \
  'messaging_client_consumed_messages_total{job="order-service",outcome="processed"}' \
  'messaging_client_consumed_messages_total{job="order-service",outcome="dead_lettered"}' \
  'messaging_dlq_messages{job="order-service",messaging_destination_name="order-service.user-events.dlq"} == 1' \
  'outbox_oldest_pending_age{job="user-service"}' \
  || fail "Prometheus is missing the event series"
ok "Prometheus has the relay's publishes, the consumer's processed and dead-lettered deliveries, the dead-letter queue's depth (1) and the outbox's age"

log "events: restarting rabbitmq; events flow again once the services reconnected"
compose restart rabbitmq
wait_healthy
user_with_order AfterRestart
restart_event_ms=$(delete_and_await_cancel "$user_id" "$order_id")
ok "after the broker restart: DELETE /users/$user_id; order $order_id read CANCELLED ${restart_event_ms} ms later"

# --- figures ---------------------------------------------------------------------------------
log "figures"
printf '   %-36s %8s\n' image size
for image in $("$DOCKER" images --filter "reference=${IMAGE_PREFIX:-acme}/*:$IMAGE_TAG" --format '{{.Repository}}:{{.Tag}}' | sort); do
  bytes=$("$DOCKER" image inspect -f '{{.Size}}' "$image")
  printf '   %-36s %5s MB\n' "$image" "$(awk -v b="$bytes" 'BEGIN { printf "%.0f", b / 1000000 }')"
done
printf '   build %ss, rabbitmq healthy %ss, then the rest healthy %ss (engine: %s)\n' "$build_s" "$broker_s" "$healthy_s" "$engine"
printf '   delete -> order CANCELLED: %s ms, %s ms after the broker restart\n' "$event_ms" "$restart_event_ms"
