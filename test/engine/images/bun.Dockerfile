# Look-alike of oven/bun:<version>-slim (oven-sh/bun's dockerhub/debian-slim/Dockerfile): Bun at /usr/local/bin/bun,
# the runtime transpiler cache off, a user bun (1000). The bun is the npm package's binary of the same version.
ARG BASE
FROM ${BASE}
ARG OF
LABEL org.o11y-lab.look-alike="${OF}" \
      org.o11y-lab.look-alike.differs="Debian 12 minbase (not Debian 13 slim) with the npm package's bun of that version"
COPY bun /usr/local/bin/bun
ENV BUN_RUNTIME_TRANSPILER_CACHE_PATH=0 BUN_INSTALL_BIN=/usr/local/bin
RUN groupadd bun --gid 1000 && useradd bun --uid 1000 --gid bun --shell /bin/sh --create-home \
 && ln -s /usr/local/bin/bun /usr/local/bin/bunx
WORKDIR /home/bun/app
CMD ["/usr/local/bin/bun"]
