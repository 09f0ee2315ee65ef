# kpa-ts/sample-app: FROM the workspace build (docker/base.Dockerfile).
#   docker build -f manifests/docker/sample-app.Dockerfile -t kpa-ts/sample-app:dev manifests/docker
ARG BASE=kpa-ts/base:dev
FROM ${BASE}
ENTRYPOINT ["node", "packages/sample-app/dist/main.js"]
