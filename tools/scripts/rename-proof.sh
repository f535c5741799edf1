#!/usr/bin/env bash
# Proof that `nx g @acme/workspace:rename` leaves a workspace that works: on a
# scratch clone of this repository's HEAD (so the repository itself stays
# unchanged), rename to --scope=@myco --proto-package=myco, then check that no
# form of the old name is left outside what the rename keeps on purpose, that
# a second run changes nothing, and that lint, typecheck, build, the unit tests
# (every project's src/**/*.spec.ts), the deployment checks (deploy:test) and
# the contract checks (buf lint, buf breaking told of the rename by
# proto/renamed.json, the generated code) pass on the renamed tree. Reuses this
# checkout's node_modules: nothing is installed. KEEP_SCRATCH=1 keeps the clone.
set -Eeuo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
export NX_DAEMON=false NX_NO_CLOUD=true
OLD=acme SCOPE=@myco PROTO=myco

started=$SECONDS
elapsed() { printf '[rename-proof %3ds] %s\n' $((SECONDS - started)) "$*"; }
strip() { sed 's/\x1b\[[0-9;]*m//g'; } # with CI=true Nx colours its output even into a pipe

scratch=$(mktemp -d "${TMPDIR:-/tmp}/rename-proof-XXXXXX")
# Nx's task cache in the scratch clone alone, new with it: nothing done
# elsewhere can be replayed here, and what one step built (the libraries, the
# apps) the next steps reuse instead of building it again.
unset NX_SKIP_NX_CACHE
export NX_CACHE_DIRECTORY=$scratch/.nx/cache
cleanup() {
  # A step that failed while the unit tests ran beside it: stop them before their clone goes.
  jobs -p | xargs -r kill 2>/dev/null || true
  if [ "${KEEP_SCRATCH:-}" = 1 ]; then echo "scratch clone kept: $scratch"; else rm -rf "$scratch"; fi
}
trap cleanup EXIT

git clone --quiet --shared "$root" "$scratch"
# node_modules: each entry links to this checkout's, except the workspace
# packages (@acme/*, relative links into libs/), which are copied so they
# resolve to the scratch clone's own libs, and which the rename replaces with
# @myco/* links (as npm install would) without touching this checkout's.
mkdir "$scratch/node_modules"
for entry in "$root"/node_modules/* "$root"/node_modules/.bin; do
  [ "$(basename "$entry")" = "@$OLD" ] || ln -s "$entry" "$scratch/node_modules/"
done
cp -P -r "$root/node_modules/@$OLD" "$scratch/node_modules/@$OLD"
cd "$scratch"
elapsed "scratch clone of $(git rev-parse --short HEAD) in $scratch"

dirty() { git status --porcelain --untracked-files=all; }
rename() { npx nx g "$1/workspace:rename" --scope=$SCOPE --proto-package=$PROTO --no-interactive "${@:2}"; }

# Refused on a dirty tree, and --dry-run lists the files and writes none.
touch uncommitted.txt
if out=$(rename "@$OLD" 2>&1); then echo "rename-proof: the rename ran on a dirty tree" >&2; exit 1; fi
grep -q 'uncommitted change' <<<"$out" || { echo "rename-proof: no clear refusal on a dirty tree:" >&2; echo "$out" >&2; exit 1; }
rm uncommitted.txt
# (Files only: Nx also lists as DELETE the directories the moved files leave.)
listed=$(rename "@$OLD" --dry-run | strip | sed -nE 's/^(CREATE|UPDATE|DELETE) //p' | while read -r path; do [ -d "$path" ] || echo "$path"; done | wc -l)
[ -z "$(dirty)" ] || { echo "rename-proof: --dry-run wrote to the tree:" >&2; dirty >&2; exit 1; }
elapsed "refused a dirty tree; --dry-run listed $listed files and wrote none"

rename "@$OLD" | strip | grep -vE '^(CREATE|UPDATE|DELETE) '
changes=$(dirty | wc -l)
[ "$changes" -eq "$listed" ] || { echo "rename-proof: --dry-run listed $listed files, the run changed $changes" >&2; exit 1; }
# Committed here (the scratch clone only): what is left is then what git
# tracks, and the second run below starts from a clean tree as a user's would.
git add -A && git -c user.name=rename-proof -c user.email=rename-proof@localhost commit --quiet -m "rename to $SCOPE, $PROTO"
elapsed "renamed: $(git diff --shortstat HEAD~1 | sed 's/^ //')"
# The old scope's links are gone, the new scope's resolve into this clone's libs.
[ ! -e "node_modules/@$OLD" ] || { echo "rename-proof: node_modules/@$OLD is left" >&2; exit 1; }
[ "$(cd "node_modules/$SCOPE/contracts" && pwd -P)" = "$(pwd -P)/libs/contracts" ] || { echo "rename-proof: node_modules/$SCOPE/contracts does not link to libs/contracts" >&2; exit 1; }

# What is left of the old name: only what the rename keeps on purpose (its
# own generator, which must still know the old names, and proto/renamed.json).
kept=(':!tools/workspace-plugin/src/generators/rename' ':!proto/renamed.json')
if git grep -n -i -I "$OLD" -- . "${kept[@]}"; then echo "rename-proof: the lines above still say $OLD" >&2; exit 1; fi
if git ls-files -- . "${kept[@]}" | grep -i "$OLD"; then echo "rename-proof: the paths above still say $OLD" >&2; exit 1; fi
elapsed "no $OLD left outside ${kept[*]#:!}"

# Idempotent: a second run (through the renamed plugin) changes nothing and says so.
again=$(rename "$SCOPE" | strip)
grep -q 'nothing to rename' <<<"$again" || { echo "rename-proof: the second run did not say it had nothing to do:" >&2; echo "$again" >&2; exit 1; }
[ -z "$(dirty)" ] || { echo "rename-proof: the second run changed files:" >&2; dirty >&2; exit 1; }
elapsed "second run: nothing to rename, nothing changed"

# The tests that start the apps run them from their build.
nice npx nx run-many -t lint typecheck build --output-style=static
elapsed "lint, typecheck and build passed on every project"
# Unit tests (src/; test/ holds the integration and process tests), and beside
# them the deployment checks (kubectl kustomize, schemas) and the alert rules
# (promtool, which takes no Jest options): two runs, as they take different
# options, at the same time, so that neither waits for the other's last task.
# (The builds they need are in the scratch clone's cache from the step above.)
nice npx nx run-many -t test --exclude=deploy,observability --output-style=static -- --testPathPatterns=/src/ --passWithNoTests &
unit=$!
nice npx nx run-many -t test -p deploy observability --output-style=static
wait "$unit"
# buf breaking against the commit renamed from: proto/renamed.json has it
# compare with that base renamed alike, so only a real break would fail.
BUF_BREAKING_AGAINST=HEAD~1 nice npx nx run-many -t proto-lint proto-breaking proto-generated-check -p contracts --output-style=static
elapsed "unit tests, deployment checks and contract checks passed: the rename's proof holds"
