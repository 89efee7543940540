# syntax=docker/dockerfile:1
# The TranscodeJob operator (`node controller/src/main.ts`). Build from the repository root:
#   docker build -f deploy/docker/controller.Dockerfile -t videoforge/controller:dev .
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
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
RUN npm ci --omit=dev --workspace=@videoforge/controller --no-audit --no-fund --ignore-scripts \
 && npm cache clean --force

FROM ${NODE_IMAGE}
# The informer caches grow with the cluster; a small young generation and two malloc
# arenas keep the resident set near the live heap (bench/controller measures both).
ENV NODE_ENV=production METRICS_HOST=0.0.0.0 METRICS_PORT=9090 MALLOC_ARENA_MAX=2
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY contracts/ contracts/
COPY platform/ platform/
COPY controller/ controller/
# Non-root, nothing written outside /tmp: runs with a read-only root filesystem.
USER 10001:10001
EXPOSE 9090
ENTRYPOINT ["node", "--max-semi-space-size=1", "controller/src/main.ts"]
