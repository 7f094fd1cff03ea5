# Look-alike of otel/opentelemetry-collector-contrib:0.165.0: FROM scratch, the binary at /otelcol-contrib, the CA
# bundle, uid 10001, the same entrypoint and default config path. The binary is this repo's builder.yaml build (the
# components the stack's config uses), not the contrib distribution.
FROM scratch
LABEL org.o11y-lab.look-alike="otel/opentelemetry-collector-contrib:0.165.0" \
      org.o11y-lab.look-alike.differs="built by ocb from stack/otel-collector/builder.yaml: only the components the stack uses"
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY otelcol /otelcol-contrib
USER 10001
EXPOSE 4317 4318 55679
ENTRYPOINT ["/otelcol-contrib"]
CMD ["--config", "/etc/otelcol-contrib/config.yaml"]
