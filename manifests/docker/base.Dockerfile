# Builds the whole workspace once; the per-binary images (docker/<binary>.Dockerfile) start FROM it.
#   docker build -f manifests/docker/base.Dockerfile -t kpa-ts/base:dev .      (from the repo root)
FROM node:20-bookworm-slim
ENV CI=true PNPM_HOME=/pnpm PATH=/pnpm:$PATH
RUN corepack enable
WORKDIR /app
COPY . .
RUN pnpm install --frozen-lockfile && pnpm build && pnpm prune --prod
# Containers bind to every address of the pod; the pod IP is theirs alone.
ENV HOST=0.0.0.0 NODE_ENV=production
USER 1000:1000
