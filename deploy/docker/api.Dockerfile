# syntax=docker/dockerfile:1
# The API (`node api/src/main.ts`). Build from the repository root:
#   docker build -f deploy/docker/api.Dockerfile -t videoforge/api:dev .
# Node 24 runs the TypeScript sources directly (type stripping), so there is no
# compile step: stage 1 installs production dependencies, stage 2 is the runtime.
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
RUN npm ci --omit=dev --workspace=@videoforge/api --no-audit --no-fund --ignore-scripts \
 && npm cache clean --force

FROM ${NODE_IMAGE}
# ffprobe: the API probes uploads over a presigned GET before queueing them.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY contracts/ contracts/
COPY platform/ platform/
COPY api/ api/
# Non-root; the root filesystem can be read-only (the chart mounts an emptyDir at /tmp).
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["node", "api/src/main.ts"]
