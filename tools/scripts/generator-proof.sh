#!/usr/bin/env bash
# Proof that `nx g @acme/workspace:service` makes a service that passes as
# generated: on a scratch clone of this repository's HEAD (so the repository
# itself stays unchanged), generate `inventory --database --events
# --calls=user-service`, then run the new project's lint, typecheck and tests
# (unit, real Postgres, the built service as a process with a real
# user-service, its events on a RabbitMQ vhost of its own), the contract
# checks, and the deployment checks (deploy:test: compose, both Kubernetes
# overlays rendered with kubectl kustomize, the NetworkPolicies, mTLS and
# identity wiring, the broker's topology and users), which discover the new
# service in its launch manifest and hold its compose and Kubernetes files to
# them. Last, `npm start` runs the whole system with it, as a user would: its
# sample RPC and its health answer, and Ctrl-C (SIGINT to the terminal's
# process group) stops everything, Postgres included. Reuses this checkout's
# node_modules: nothing is installed. KEEP_SCRATCH=1 keeps the clone for a
# look afterwards. PROOF_COMPOSE=1 also runs the compose smoke
# (deploy/compose-smoke.sh) on the generated tree: every image built, the new
# service's database, migration and service healthy, Prometheus scraping it
# (about 3 minutes more; not part of .ci/run, which keeps to its time).
set -Eeuo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
export NX_DAEMON=false NX_NO_CLOUD=true
SERVICE=inventory
APP=$SERVICE-service
OPTIONS=(--database --events --calls=user-service)

started=$SECONDS
elapsed() { printf '[generator-proof %3ds] %s\n' $((SECONDS - started)) "$*"; }
fail() { echo "generator-proof: $*" >&2; exit 1; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/generator-proof-XXXXXX")
# Nx's task cache in the scratch clone alone, new with it: nothing done
# elsewhere can be replayed here, and what one step built (the libraries, the
# apps) the next steps reuse instead of building it again.
unset NX_SKIP_NX_CACHE
export NX_CACHE_DIRECTORY=$scratch/.nx/cache
terminal=
cleanup() {
  # A proof that failed half-way must not leave the stack (and its Postgres) running.
  if [ -n "$terminal" ] && kill -0 "$terminal" 2>/dev/null; then
    kill -INT -- "-$(ps -o tpgid= --ppid "$terminal" | tr -d ' ')" 2>/dev/null || true
    wait "$terminal" 2>/dev/null || true
  fi
  if [ "${KEEP_SCRATCH:-}" = 1 ]; then echo "scratch clone kept: $scratch"; else rm -rf "$scratch"; fi
}
trap cleanup EXIT

git clone --quiet --shared "$root" "$scratch"
# node_modules: each entry links to this checkout's, except the workspace
# packages (@acme/*, relative links into libs/), which must resolve to the
# scratch clone's own libs, where the generator registers the new contracts.
mkdir "$scratch/node_modules"
for entry in "$root"/node_modules/* "$root"/node_modules/.bin; do
  [ "$(basename "$entry")" = @acme ] || ln -s "$entry" "$scratch/node_modules/"
done
cp -P -r "$root/node_modules/@acme" "$scratch/node_modules/@acme"
cd "$scratch"
elapsed "scratch clone of $(git rev-parse --short HEAD) in $scratch"

# --dry-run lists the files and writes none of them.
# (Colour codes stripped: with CI=true Nx colours its output even into a pipe.)
listed=$(npx nx g @acme/workspace:service "$SERVICE" "${OPTIONS[@]}" --no-interactive --dry-run | sed 's/\x1b\[[0-9;]*m//g' | grep -cE '^(CREATE|UPDATE) ')
if [ -n "$(git status --porcelain --untracked-files=all | grep -v ' node_modules')" ]; then
  echo "generator-proof: --dry-run wrote to the tree:" >&2; git status --short >&2; exit 1
fi
elapsed "--dry-run listed $listed files and wrote none"
npx nx g @acme/workspace:service "$SERVICE" "${OPTIONS[@]}" --no-interactive
written=$(git status --porcelain --untracked-files=all | grep -v ' node_modules')
elapsed "generated with ${OPTIONS[*]}; the $(wc -l <<<"$written") files it wrote (?? new, M changed):"
sed 's/^/  /' <<<"$written"
[ "$(wc -l <<<"$written")" -eq "$listed" ] || fail "--dry-run listed $listed files, the run wrote $(wc -l <<<"$written")"

# user-service is edited too (its peer policy admits the new caller).
nice npx nx run-many -t lint typecheck -p "$APP" user-service contracts --output-style=static
elapsed "lint and typecheck passed"
# Side by side: the service's tests mostly wait (on Postgres, RabbitMQ, the
# processes they start), the deployment checks mostly compute (kubectl kustomize, schemas).
nice npx nx run-many -t test -p "$APP" deploy --parallel=2 --output-style=static
elapsed "$APP's tests and the deployment checks passed ($APP among the apps they discover)"
# buf breaking against the commit generated on: adding a package breaks no client.
BUF_BREAKING_AGAINST=HEAD nice npx nx run-many -t proto-lint proto-breaking proto-generated-check -p contracts --output-style=static
elapsed "contract checks passed"

# --- npm start, as a user runs it --------------------------------------------
# Its own Postgres port and data directory (the scratch clone's), so a stack
# already running on this machine is not in the way; the services' ports are
# the manifests' (npm start's defaults).
port_of() { node -p "require('./apps/$1/project.json').metadata.launch.local.port"; }
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
log=$scratch/local-stack.log
data=$scratch/.data/postgres
# Run as root, embedded-postgres runs initdb and Postgres as the user
# postgres, who must reach the data directory inside the clone (mktemp's 0700).
chmod a+rx "$scratch"
# In a terminal of its own (script(1): a pty, npm start its foreground
# process group), so that Ctrl-C can be sent as a terminal sends it.
: >"$log"
LOCAL_POSTGRES_PORT=$(free_port) LOCAL_POSTGRES_DIR=$data script -qefc 'npm start' "$log" >/dev/null 2>&1 &
terminal=$!
# Waits for the line, not for a time; ends early (and fails) if the stack exits first.
if ! timeout 600 grep -q -m1 '\[local-stack\] ready' <(tail -n +1 -f --pid="$terminal" "$log"); then
  tail -n 40 "$log" >&2; fail "npm start did not report ready"
fi
elapsed "npm start: the system is up with $APP"
postgres=$(head -n 1 "$data/postmaster.pid")
# The terminal's foreground process group: what Ctrl-C signals.
stack=$(ps -o tpgid= --ppid "$terminal" | tr -d ' ')

grpc() { npx buf curl --protocol grpc --http2-prior-knowledge "$@"; }
token=$(curl -sf -u alice:dev-only-alice-secret -d grant_type=client_credentials -d "scope=users:read users:write $SERVICE:read $SERVICE:write" "http://127.0.0.1:$(port_of identity-provider)/token" |
  node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token')
user=$(grpc -H "Authorization: Bearer $token" -d "{\"email\":\"proof-$$@example.com\",\"name\":\"Proof\"}" \
  "http://127.0.0.1:$(port_of user-service)/acme.user.v1.UserService/CreateUser" | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).id')
at=http://127.0.0.1:$(port_of "$APP")
widget=$(grpc -H "Authorization: Bearer $token" -d "{\"name\":\"Proof sprocket\",\"userId\":\"$user\"}" "$at/acme.$SERVICE.v1.${SERVICE^}Service/CreateWidget")
id=$(node -p 'JSON.parse(process.argv[1]).id' "$widget")
read_back=$(grpc -H "Authorization: Bearer $token" -d "{\"id\":\"$id\"}" "$at/acme.$SERVICE.v1.${SERVICE^}Service/GetWidget")
node -e 'const [w, r] = process.argv.slice(1, 3).map((a) => JSON.parse(a)); if (w.name !== "Proof sprocket" || w.userId !== process.argv[3] || JSON.stringify(w) !== JSON.stringify(r)) process.exit(1)' "$widget" "$read_back" "$user" ||
  fail "CreateWidget/GetWidget answered $widget / $read_back"
health=$(grpc -d "{\"service\":\"acme.$SERVICE.v1.${SERVICE^}Service\"}" "$at/grpc.health.v1.Health/Check")
grep -q '"SERVING"' <<<"$health" || fail "health answered $health"
elapsed "$APP under npm start: CreateWidget for user $user -> widget $id, GetWidget returns it, health SERVING"

# Ctrl-C: SIGINT to the terminal's foreground group (npm, its shell, the
# launcher); the stack, detached, stops the services, then Postgres, whose
# exit is awaited by its pid.
kill -INT -- "-$stack"
wait "$terminal" || true
terminal=
timeout 60 tail --pid="$postgres" -f /dev/null || fail "the stack's Postgres (pid $postgres) still runs 60 s after Ctrl-C"
if pgrep -f -- "$scratch/(apps|tools)/" >/dev/null; then pgrep -af -- "$scratch/(apps|tools)/" >&2; fail "processes of the stack outlived Ctrl-C"; fi
elapsed "Ctrl-C stopped the stack: no service and no Postgres left running"
# A Postgres that shut down removes its postmaster.pid; one that was killed leaves it.
if [ -e "$data/postmaster.pid" ]; then
  sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^\[local-stack\]' | tail -n 8 >&2
  fail "the stack's Postgres did not shut down cleanly on Ctrl-C ($data/postmaster.pid is left; the stack's last lines above)"
fi
# In order: no service exited before the stack stopped it, so none was restarted.
if sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^\[local-stack\] .*(exited \(|is up again)'; then
  fail "a service exited on Ctrl-C before the stack stopped it (the lines above)"
fi
if [ "${PROOF_COMPOSE:-}" = 1 ]; then
  DOCKER_SANDBOX=${DOCKER_SANDBOX:-$root/../shared/tools/docker-sandbox} SMOKE_PROJECT=generator-proof bash deploy/compose-smoke.sh ||
    fail "the compose smoke failed with $APP in the stack"
  elapsed "the compose smoke passed with $APP in the stack (its image, database, migration and service healthy, scraped by Prometheus)"
fi
elapsed "the generator's proof holds"
