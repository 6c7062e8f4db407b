# syntax=docker/dockerfile:1
# One image for every Passerelle app; docker-compose.yml picks the app per service with
# `command: ["node", "dist/apps/<app>/src/main.js"]`.
#
#   docker build -t passerelle .
#   docker run --rm -e KAFKA_BROKERS=... -e DATABASE_URL=... passerelle node dist/apps/gateway/src/main.js

# ---------------------------------------------------------------------------------------------
# build: full install (dev dependencies included), compile, then drop dev dependencies
# ---------------------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
# The lockfile is written by npm 11; use the same major to install from it.
RUN npm install --global npm@11 && npm cache clean --force
# Dependencies first, so the layer is reused while only sources change.
# patches/: fixes to dependencies, applied by npm ci's postinstall (patch-package).
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -f dist/.tsbuildinfo

# ---------------------------------------------------------------------------------------------
# runtime: compiled output, schemas, production dependencies; files owned by root, read-only
# to the non-root `node` user the process runs as
# ---------------------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# JSON Schemas and openapi.yaml are loaded at runtime from <root>/schemas.
COPY --from=build /app/schemas ./schemas
COPY --from=build /app/data ./data
# Writable by the app user: the development signing key (AUTH_DEV_KEY_DIR in docker-compose.yml).
RUN mkdir -p /var/lib/passerelle/dev-jwt && chown -R node:node /var/lib/passerelle
USER node
# No default app: each service chooses one (see docker-compose.yml).
CMD ["node", "-e", "console.error('Choose an app: node dist/apps/<gateway|ow-adapter|eo-adapter|referral-tracker|webhook-dispatcher>/src/main.js'); process.exit(64)"]
