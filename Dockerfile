# Pingzhan: the server and the pipeline workers, one image (docs/operations.md).
# Node 20, as package.json's engines. Redis and PostgreSQL run beside it (compose.yaml), reached
# through REDIS_URL and DATABASE_URL; the image starts neither.

# --- 1. build the console (vite, svelte: dev dependencies) ---
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# --- 2. production dependencies only ---
# The server runs TypeScript through tsx, a production dependency; nothing at run time needs a
# dev dependency (`npm start` would rebuild the console with vite: the image runs
# server/main.ts directly, with the console built above).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- 3. runtime ---
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json package-lock.json tsconfig.json ./
COPY --chown=root:root shared ./shared
COPY --chown=root:root server ./server
COPY --chown=root:root scripts ./scripts
COPY --from=build --chown=root:root /app/dist/client ./dist/client
# The code belongs to root and is read-only to the service; it writes only DATA_DIR (used when
# REDIS_URL/DATABASE_URL are unset) and /tmp.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# /healthz: 200 while Redis answers (with the projection's lag), 503 otherwise. No curl in the
# slim image: Node's fetch.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node itself is PID 1's child under `init: true` (compose); it handles SIGTERM (finishes
# in-flight work, then stops). The workers: `node --import tsx server/worker-main.ts`.
CMD ["node", "--import", "tsx", "server/main.ts"]
