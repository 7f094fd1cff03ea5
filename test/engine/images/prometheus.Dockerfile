# Look-alike of prom/prometheus:v3.16.0: /bin/prometheus and /bin/promtool, config in /etc/prometheus, data in
# /prometheus, user nobody, busybox's wget on PATH, the same entrypoint and command. The binaries are this repo's
# module build of 3.16.0 (no web UI assets), on Debian rather than busybox (they are linked against glibc).
FROM o11y-lab-test/debian-tools:12
LABEL org.o11y-lab.look-alike="prom/prometheus:v3.16.0" \
      org.o11y-lab.look-alike.differs="built from Go modules without the web UI; Debian base with busybox's wget"
COPY prometheus promtool /bin/
RUN ln -sf /bin/busybox /usr/local/bin/wget && mkdir -p /etc/prometheus /prometheus \
 && chown -R nobody:nogroup /etc/prometheus /prometheus
USER nobody
EXPOSE 9090
VOLUME ["/prometheus"]
WORKDIR /prometheus
ENTRYPOINT ["/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
