# kpa-ts/activator: FROM the workspace build (docker/base.Dockerfile).
#   docker build -f manifests/docker/activator.Dockerfile -t kpa-ts/activator:dev manifests/docker
ARG BASE=kpa-ts/base:dev
FROM ${BASE}
ENTRYPOINT ["node", "packages/activator/dist/main.js"]
