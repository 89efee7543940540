# syntax=docker/dockerfile:1
# The web app: Vite builds static files; a tiny dependency-free Node server
# (deploy/docker/web-server.mts) serves them with an SPA fallback. /api is routed to
# the API by the Ingress. Build from the repository root:
#   docker build -f deploy/docker/web.Dockerfile -t videoforge/web:dev .
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Every workspace's manifest, so npm ci sees the lockfile's whole workspace graph.
COPY contracts/package.json contracts/
COPY platform/package.json platform/
COPY api/package.json api/
COPY controller/package.json controller/
COPY transcoder/package.json transcoder/
COPY web/package.json web/
COPY test/package.json test/
RUN npm ci --workspace=@videoforge/web --no-audit --no-fund --ignore-scripts
# Vite's TypeScript transform reads each package's tsconfig.json, which extends the base.
COPY tsconfig.base.json ./
COPY contracts/ contracts/
COPY web/ web/
RUN npm run build --workspace=@videoforge/web

FROM ${NODE_IMAGE}
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 STATIC_DIR=/app/public
WORKDIR /app
# The server and the one dependency-free module it imports, at their checkout paths.
COPY deploy/docker/web-server.mts ./deploy/docker/
COPY contracts/src/web-security-headers.ts ./contracts/src/
COPY --from=build /app/web/dist ./public
# Non-root, read-only root filesystem: the server only reads.
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["node", "deploy/docker/web-server.mts"]
