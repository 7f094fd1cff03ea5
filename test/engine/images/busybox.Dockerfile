# Look-alike of busybox:1.37.0-musl: one static busybox and its applets. Debian's busybox-static (1.35, glibc).
FROM scratch
LABEL org.o11y-lab.look-alike="busybox:1.37.0-musl" \
      org.o11y-lab.look-alike.differs="Debian's busybox-static 1.35 (static glibc), not 1.37 musl"
COPY busybox /bin/busybox
COPY busybox /bin/wget
COPY busybox /bin/sh
CMD ["sh"]
