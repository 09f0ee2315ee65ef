# kpa-ts/autoscaler: FROM the workspace build (docker/base.Dockerfile).
#   docker build -f manifests/docker/autoscaler.Dockerfile -t kpa-ts/autoscaler:dev manifests/docker
ARG BASE=kpa-ts/base:dev
FROM ${BASE}
ENTRYPOINT ["node", "packages/autoscaler/dist/main.js"]
