# A pinned distroless image plus a static busybox wget, so that compose can give it a healthcheck.
# BASE is the pinned image (compose.yaml passes it); nothing else in it changes.
ARG BASE
FROM busybox:1.37.0-musl AS busybox

FROM ${BASE}
COPY --from=busybox /bin/wget /usr/local/bin/wget
