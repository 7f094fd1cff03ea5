# A labelled stand-in (standin.py) under the tag of an image this tier may not build or fetch.
FROM o11y-lab-test/debian-tools:12
ARG ROLE
ARG OF
ARG UID=0
LABEL org.o11y-lab.look-alike="${OF}" \
      org.o11y-lab.look-alike.differs="a stand-in, not ${OF}: answers the stack's healthchecks and records what it is sent (standin.py)"
# The real images' healthcheck tools: distroless debug images carry busybox under /busybox, others wget on PATH.
RUN mkdir -p /busybox && ln -s /bin/busybox /busybox/wget && ln -s /bin/busybox /usr/local/bin/wget \
 && if [ "$UID" != 0 ]; then useradd --system --no-create-home --uid "$UID" standin; fi
COPY standin.py /standin.py
ENV STANDIN_ROLE=${ROLE}
USER ${UID}
ENTRYPOINT ["/usr/bin/python3", "-u", "/standin.py"]
