# syntax=docker/dockerfile:1
# The TranscodeJob operator. Build from the repository root:
#   docker build -f deploy/docker/controller.Dockerfile -t videoforge/controller:dev .
# Stage 1 bundles controller/src/main.ts and its dependencies into one ES module
# (scripts/bundle.ts); the runtime stage holds that file and the SQL migrations only.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
# Every workspace's manifest, so npm ci sees the lockfile's whole workspace graph.
COPY contracts/package.json contracts/
COPY platform/package.json platform/
COPY api/package.json api/
COPY controller/package.json controller/
COPY transcoder/package.json transcoder/
COPY web/package.json web/
COPY test/package.json test/
RUN npm ci --workspace=@videoforge/controller --include-workspace-root --no-audit --no-fund --ignore-scripts
COPY scripts/bundle.ts scripts/
COPY contracts/ contracts/
COPY platform/ platform/
COPY controller/ controller/
RUN node scripts/bundle.ts controller

FROM ${NODE_IMAGE}
# The informer caches grow with the cluster. Keeping the resident set near the live heap:
# two malloc arenas and a fixed mmap threshold (freed parser and buffer memory goes back
# to the kernel instead of staying in the malloc heap); in ENTRYPOINT, a small young
# generation and a full collection once the heap has grown 25% past what survived the
# last one (V8 otherwise lets a busy process's heap grow to several times its live size).
# bench/controller runs this image's entrypoint and environment and measures both.
ENV NODE_ENV=production METRICS_HOST=0.0.0.0 METRICS_PORT=9090 MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=32768
WORKDIR /app
COPY --from=build /app/controller/dist/ ./
# Non-root, nothing written outside /tmp: runs with a read-only root filesystem.
USER 10001:10001
EXPOSE 9090
ENTRYPOINT ["node", "--max-semi-space-size=1", "--heap-growing-percent=25", "lib/controller/main.mjs"]
