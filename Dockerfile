# syntax=docker/dockerfile:1
# roomgate's production image: built with the dev tools, run with the production dependencies only.
#   docker build -t roomgate .
#   docker run -p 8080:8080 -e TENCENT_SDKAPPID=… -e TENCENT_SECRET_KEY=… -e TENCENT_REGION=… \
#     -e ROOMGATE_API_KEYS=… roomgate
# The same image runs the Tencent sandbox: `node dist/sandbox/main.js` (see docker-compose.yml).
ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# No production dependency has an install script; refusing them all keeps it that way.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The official image's unprivileged user; the application's files stay owned by root, read-only to it.
USER node
EXPOSE 8080
# Liveness through node itself (the slim image has no curl); /healthz does no I/O.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and gets SIGTERM itself, so the server's graceful shutdown runs on `docker stop`.
# The same command as `npm start` (a test keeps them equal): a young generation of 64 MiB semi-spaces makes
# scavenges rarer, which cut the gateway's CPU per create by about 11% in the bench (README "Benchmark").
CMD ["node", "--max-semi-space-size=64", "dist/server.js"]
