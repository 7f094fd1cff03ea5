# Look-alike of apache/kafka:4.4.0 (apache/kafka docker/jvm): Debian's Java 17 and the 4.4.0 jars from Maven
# Central where the official image has Temurin 21 and the release tarball; its user (appuser), paths, volumes and
# launcher contract (KAFKA_* variables → server.properties, the storage formatted with CLUSTER_ID on first start).
FROM o11y-lab-test/debian-tools:12
LABEL org.o11y-lab.look-alike="apache/kafka:4.4.0" \
      org.o11y-lab.look-alike.differs="Java 17 from Debian; jars from Maven Central; bin/ holds only the scripts the stack calls"
RUN useradd --create-home --home-dir /home/appuser --shell /bin/bash --uid 1000 appuser \
 && mkdir -p /opt/kafka/config /var/lib/kafka/data /etc/kafka/secrets /etc/kafka/docker /usr/logs /mnt/shared/config
COPY kafka/libs /opt/kafka/libs
COPY kafka/log4j2.properties /etc/kafka/docker/log4j2.properties
COPY kafka-bin/ /opt/kafka/bin/
COPY kafka-run /etc/kafka/docker/run
RUN chown -R appuser:appuser /usr/logs /opt/kafka /mnt/shared/config \
 && chown -R appuser:root /var/lib/kafka /etc/kafka && chmod -R ug+w /etc/kafka /var/lib/kafka
USER appuser
EXPOSE 9092
VOLUME ["/etc/kafka/secrets", "/var/lib/kafka/data", "/mnt/shared/config"]
CMD ["/etc/kafka/docker/run"]
