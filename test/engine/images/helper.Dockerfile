# Look-alikes of Pumba's helper images: stress-ng (its entrypoint) and the nettools image (tc, run with
# --entrypoint). Debian's stress-ng and iproute2.
FROM o11y-lab-test/debian-tools:12
ARG OF
ARG ENTRY
LABEL org.o11y-lab.look-alike="${OF}" org.o11y-lab.look-alike.differs="Debian's ${ENTRY}"
RUN ln -s "$(command -v ${ENTRY})" /entry
ENTRYPOINT ["/entry"]
