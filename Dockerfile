# One Dockerfile for both Snip services:
#   docker build --build-arg SERVICE=shortener  -t snip-shortener .
#   docker build --build-arg SERVICE=redirector -t snip-redirector .
# The same image runs the schema migrations: `node libs/data/dist/migrate.js`.
# The base image is pinned to an exact Node.js 24 release and can be replaced (for example by a
# locally made image, see scripts/image-verify.sh) with --build-arg NODE_IMAGE=...
# This line is the one place the Node.js release is pinned: scripts/node-runtime.sh reads it.

ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# ---- build: full install (dev dependencies included), TypeScript compiled by Nx ----------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true CI=true
# Manifests first so the dependency layer is reused until they change.
COPY package.json package-lock.json ./
COPY libs/cache/package.json libs/cache/
COPY libs/common/package.json libs/common/
COPY libs/config-contract/package.json libs/config-contract/
COPY libs/data/package.json libs/data/
COPY libs/telemetry/package.json libs/telemetry/
COPY apps/shortener/package.json apps/shortener/
COPY apps/redirector/package.json apps/redirector/
COPY infra/cdk8s/package.json infra/cdk8s/
RUN npm ci --no-audit --no-fund
COPY nx.json tsconfig.base.json ./
COPY libs/ libs/
COPY apps/ apps/
# `npm run build` wraps this in scripts/with-node.sh to select Node 24; this image already is.
RUN npx nx run-many -t build --projects='@snip/cache,@snip/common,@snip/config-contract,@snip/data,@snip/telemetry,@snip/shortener,@snip/redirector'
# Everything the runtime stage takes from here, in its final layout. SERVICE is declared this
# late so both images share every layer above.
ARG SERVICE=shortener
RUN set -eu; \
    case "$SERVICE" in shortener|redirector) ;; *) echo "SERVICE must be shortener or redirector" >&2; exit 1 ;; esac; \
    mkdir -p /out/libs "/out/apps/$SERVICE"; \
    for lib in cache common config-contract data telemetry; do mkdir -p "/out/libs/$lib" && cp -r "libs/$lib/dist" "/out/libs/$lib/"; done; \
    cp -r "apps/$SERVICE/dist" "/out/apps/$SERVICE/"; \
    if [ "$SERVICE" = shortener ]; then cp -r apps/shortener/public /out/apps/shortener/; fi; \
    find /out -name '*.map' -delete -o -name '*.d.ts' -delete -o -name '*.tsbuildinfo' -delete

# ---- runtime: production dependencies and compiled output only ---------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false
WORKDIR /app
COPY package.json package-lock.json ./
COPY libs/cache/package.json libs/cache/
COPY libs/common/package.json libs/common/
COPY libs/config-contract/package.json libs/config-contract/
COPY libs/data/package.json libs/data/
COPY libs/telemetry/package.json libs/telemetry/
COPY apps/shortener/package.json apps/shortener/
COPY apps/redirector/package.json apps/redirector/
COPY infra/cdk8s/package.json infra/cdk8s/
# No install scripts are needed at runtime; the npm cache is not kept in the image.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && npm cache clean --force \
    && rm -rf /root/.npm /tmp/*
ARG SERVICE=shortener
ENV SNIP_SERVICE=${SERVICE}
COPY --from=build /out/ ./
# Numeric non-root user (Kubernetes runAsNonRoot can verify it); the app tree stays root-owned
# and read-only. The only writable path the services use is /tmp (an emptyDir in Kubernetes).
USER 10001:10001
EXPOSE 3000 3001
# The OpenTelemetry SDK is preloaded before any application module; exec keeps node as PID 1
# so it receives SIGTERM and flushes spans on shutdown.
CMD ["/bin/sh", "-c", "exec node --require ./libs/telemetry/dist/register.js \"apps/${SNIP_SERVICE}/dist/main.js\""]
