# kpa-ts/queue-proxy: FROM the workspace build (docker/base.Dockerfile).
#   docker build -f manifests/docker/queue-proxy.Dockerfile -t kpa-ts/queue-proxy:dev manifests/docker
ARG BASE=kpa-ts/base:dev
FROM ${BASE}
ENTRYPOINT ["node", "packages/queue-proxy/dist/main.js"]
