# kpa-ts/webhook: FROM the workspace build (docker/base.Dockerfile).
#   docker build -f manifests/docker/webhook.Dockerfile -t kpa-ts/webhook:dev manifests/docker
ARG BASE=kpa-ts/base:dev
FROM ${BASE}
ENTRYPOINT ["node", "packages/webhook/dist/main.js"]
