# syntax=docker/dockerfile:1
# The per-rendition worker with ffmpeg. The controller runs it as
#   videoforge-transcode <rendition|ladder|finalize|probe> …
# (TRANSCODER_COMMAND's default). Build from the repository root:
#   docker build -f deploy/docker/transcoder.Dockerfile -t videoforge/transcoder:dev .
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
RUN npm ci --omit=dev --workspace=@videoforge/transcoder --no-audit --no-fund --ignore-scripts \
 && npm cache clean --force

FROM ${NODE_IMAGE}
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production TRANSCODE_WORK_DIR=/tmp
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY contracts/ contracts/
COPY platform/ platform/
COPY transcoder/ transcoder/
# The package's bin: a symlink to the script (its shebang is `env node`; Node follows
# the link to the .ts file and strips its types).
RUN chmod 0755 transcoder/src/main.ts \
 && ln -s /app/transcoder/src/main.ts /usr/local/bin/videoforge-transcode
# Non-root; ffmpeg's work directory is /tmp (an emptyDir when the root fs is read-only).
USER 10001:10001
ENTRYPOINT ["videoforge-transcode"]
CMD ["--help"]
