# Look-alike of postgres:17.6 (docker-library/postgres): Debian's PostgreSQL 15 where the official image has 17,
# with the official image's user (postgres, uid 999), paths, environment, entrypoint contract and stop signal.
FROM o11y-lab-test/debian-tools:12
LABEL org.o11y-lab.look-alike="postgres:17.6" \
      org.o11y-lab.look-alike.differs="PostgreSQL 15 from Debian, not 17; only the POSTGRES_* variables the entrypoint reads below"
RUN groupmod -g 999 postgres && usermod -u 999 -g 999 postgres \
 && mkdir -p /var/run/postgresql /var/lib/postgresql/data /docker-entrypoint-initdb.d \
 && chown -R postgres:postgres /var/run/postgresql /var/lib/postgresql && chmod 3777 /var/run/postgresql
ENV PG_MAJOR=15 PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PGDATA=/var/lib/postgresql/data
COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
VOLUME /var/lib/postgresql/data
ENTRYPOINT ["docker-entrypoint.sh"]
STOPSIGNAL SIGINT
EXPOSE 5432
CMD ["postgres"]
