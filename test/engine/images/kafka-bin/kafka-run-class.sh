#!/usr/bin/env bash
# The look-alike's kafka-run-class.sh: java on /opt/kafka/libs with the official scripts' environment variables.
exec java ${KAFKA_HEAP_OPTS:--Xmx256M} ${KAFKA_JVM_PERFORMANCE_OPTS:--XX:+UseG1GC -Djava.awt.headless=true} \
  ${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=/etc/kafka/docker/log4j2.properties} ${KAFKA_OPTS:-} \
  -cp "/opt/kafka/libs/*" "$@"
