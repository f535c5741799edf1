#!/usr/bin/env bash
# Proof that `nx g @acme/workspace:service` makes a service that passes as
# generated: on a scratch clone of this repository's HEAD (so the repository
# itself stays unchanged), generate `inventory --database`, then run the new
# project's lint, typecheck and tests (unit, real Postgres, the built service
# as a process), the contract checks, and the deployment checks (deploy:test:
# compose, both Kubernetes overlays rendered with kubectl kustomize, the
# NetworkPolicies, mTLS and identity wiring), which discover the new service
# in its launch manifest and hold its compose and Kubernetes files to them. Reuses this checkout's node_modules:
# nothing is installed. KEEP_SCRATCH=1 keeps the clone for a look afterwards.
set -Eeuo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
export NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true
SERVICE=inventory
APP=$SERVICE-service

started=$SECONDS
elapsed() { printf '[generator-proof %3ds] %s\n' $((SECONDS - started)) "$*"; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/generator-proof-XXXXXX")
cleanup() { if [ "${KEEP_SCRATCH:-}" = 1 ]; then echo "scratch clone kept: $scratch"; else rm -rf "$scratch"; fi; }
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
listed=$(npx nx g @acme/workspace:service "$SERVICE" --database --no-interactive --dry-run | sed 's/\x1b\[[0-9;]*m//g' | grep -cE '^(CREATE|UPDATE) ')
if [ -n "$(git status --porcelain --untracked-files=all | grep -v ' node_modules')" ]; then
  echo "generator-proof: --dry-run wrote to the tree:" >&2; git status --short >&2; exit 1
fi
elapsed "--dry-run listed $listed files and wrote none"
npx nx g @acme/workspace:service "$SERVICE" --database --no-interactive
written=$(git status --porcelain --untracked-files=all | grep -v ' node_modules')
elapsed "generated; the $(wc -l <<<"$written") files it wrote (?? new, M changed):"
sed 's/^/  /' <<<"$written"
[ "$(wc -l <<<"$written")" -eq "$listed" ] || { echo "generator-proof: --dry-run listed $listed files, the run wrote $(wc -l <<<"$written")" >&2; exit 1; }

nice npx nx run-many -t lint typecheck -p "$APP" contracts --output-style=static
elapsed "lint and typecheck passed"
# Side by side: the service's tests mostly wait (on Postgres, on the process
# they start), the deployment checks mostly compute (kubectl kustomize, schemas).
nice npx nx run-many -t test -p "$APP" deploy --parallel=2 --output-style=static
elapsed "$APP's tests and the deployment checks passed ($APP among the apps they discover)"
# buf breaking against the commit generated on: adding a package breaks no client.
BUF_BREAKING_AGAINST=HEAD nice npx nx run-many -t proto-lint proto-breaking proto-generated-check -p contracts --output-style=static
elapsed "contract checks passed: the generator's proof holds"
