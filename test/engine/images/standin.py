"""Stand-ins for the images the tier may not build (Grafana, Loki, Tempo and k6 are AGPL; Pumba cannot be fetched).

Each answers what the stack asks of the real one (healthcheck paths, the ports compose maps) and records what it is
sent, for the tests to read back on GET /standin/records. None of them does the real job: no storage, no query
language, no load generation, no network faults. Written from the real components' documented interfaces.

STANDIN_ROLE (set by the image) says which one; the arguments are the real image's:
  tempo     /ready on 3200; OTLP/HTTP traces on 4318 (POST /v1/traces)
  loki      /ready on 3100; OTLP/HTTP logs (POST /otlp/v1/logs)
  grafana   /api/health on 3000; POST /api/annotations
  k6        writes its argv, K6_* env and mounts to /reports/k6-standin.json, exits with the code in
            /reports/k6-standin-exit-code (0 without it)
  pumba     kill, pause and stress through the Docker socket; anything else is refused
  sink      an external OTLP/HTTP backend for `up --otlp-endpoint`: POST /v1/{traces,metrics,logs} on 4318
"""

import gzip
import http.client
import http.server
import json
import os
import random
import re
import signal
import socket
import sys
import threading
import time
import urllib.parse

ROLE = os.environ.get("STANDIN_ROLE", "")
ARGS = sys.argv[1:]
RECORDS = []
KEEP = 5000
LOCK = threading.Lock()


def record(kind, body):
    with LOCK:
        RECORDS.append({"kind": kind, "at": time.time(), "body": body})
        del RECORDS[:-KEEP]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_):
        pass

    def reply(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        raw = self.rfile.read(int(self.headers.get("content-length") or 0))
        if self.headers.get("content-encoding") == "gzip":
            raw = gzip.decompress(raw)
        try:
            return json.loads(raw or b"null")
        except ValueError:
            return {"unparsed": len(raw)}

    def do_GET(self):
        path = urllib.parse.urlparse(self.path).path
        if path == "/standin/records":
            with LOCK:
                return self.reply(200, {"role": ROLE, "argv": ARGS, "records": list(RECORDS)})
        if (ROLE, path) in (("tempo", "/ready"), ("loki", "/ready"), ("sink", "/ready")):
            return self.reply(200, "ready")
        if (ROLE, path) == ("grafana", "/api/health"):
            return self.reply(200, {"database": "ok", "version": "stand-in"})
        return self.reply(404, {"error": f"the {ROLE} stand-in does not serve {path}"})

    def do_POST(self):
        path = urllib.parse.urlparse(self.path).path
        routes = {
            ("tempo", "/v1/traces"): "traces",
            ("loki", "/otlp/v1/logs"): "logs",
            ("grafana", "/api/annotations"): "annotation",
            ("sink", "/v1/traces"): "traces",
            ("sink", "/v1/metrics"): "metrics",
            ("sink", "/v1/logs"): "logs",
        }
        kind = routes.get((ROLE, path))
        if not kind:
            return self.reply(404, {"error": f"the {ROLE} stand-in does not serve POST {path}"})
        body = self.body()
        # What the sender sent it with: the OTLP export header test reads these back.
        record(kind, {"headers": dict(self.headers.items()), "payload": body})
        return self.reply(200, {"id": len(RECORDS), "message": "recorded"} if kind == "annotation" else {})


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(ports):
    servers = [Server(("0.0.0.0", port), Handler) for port in ports]
    for s in servers[1:]:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    servers[0].serve_forever()


def k6():
    reports = "/reports"
    mounts = {d: sorted(os.listdir(d)) for d in ("/scripts", reports) if os.path.isdir(d)}
    env = {k: v for k, v in os.environ.items() if k.startswith("K6_")}
    code_file = os.path.join(reports, "k6-standin-exit-code")
    code = int(open(code_file).read().strip()) if os.path.exists(code_file) else 0
    with open(os.path.join(reports, "k6-standin.json"), "w") as f:
        json.dump({"argv": ARGS, "env": env, "mounts": mounts, "uid": os.getuid(), "exit": code}, f)
    print(f"k6 stand-in: recorded {' '.join(ARGS)}; exiting {code}", flush=True)
    sys.exit(code)


# --- Pumba -----------------------------------------------------------------------------------------------------------


class DockerSocket(http.client.HTTPConnection):
    def __init__(self):
        super().__init__("localhost", timeout=30)

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect("/var/run/docker.sock")


def api(method, path, body=None):
    conn = DockerSocket()
    conn.request(method, path, json.dumps(body) if body is not None else None, {"content-type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    if response.status >= 400:
        raise RuntimeError(f"{method} {path}: {response.status} {data.decode(errors='replace').strip()}")
    return json.loads(data) if data.strip() else None


def duration(text):
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    match = re.fullmatch(r"(\d+)(ms|s|m|h)", text)
    if not match:
        fail(f"invalid duration {text!r}")
    return int(match.group(1)) * units[match.group(2)]


def fail(message):
    print(f'level=error msg="{message}"', flush=True)
    sys.exit(1)


def flags(argv, names, booleans=()):
    """Pumba's flag style: --name value, --name=value, booleans bare or =true/=false. Returns flags and the rest."""
    values, rest = {}, []
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, eq, value = arg[2:].partition("=")
        if arg.startswith("--") and name in booleans:
            values[name] = value != "false" if eq else True
        elif arg.startswith("--") and name in names:
            if not eq:
                i += 1
                value = argv[i] if i < len(argv) else fail(f"flag --{name} needs a value")
            values[name] = value
        elif arg.startswith("-"):
            fail(f"the Pumba stand-in does not implement flag {arg}")
        else:
            rest.append(arg)
        i += 1
    return values, rest


def targets(patterns):
    names = [c["Names"][0].lstrip("/") for c in api("GET", "/containers/json") if "com.gaiaadm.pumba.skip" not in (c.get("Labels") or {})]
    chosen = []
    for p in patterns:
        if p.startswith("re2:"):
            chosen += [n for n in names if re.search(p[4:], n)]
        elif p in names:
            chosen.append(p)
    return sorted(set(chosen))


def pumba():
    argv = ARGS
    i = 0
    interval, pick_random = None, False
    while i < len(argv) and argv[i].startswith("--"):
        if argv[i] == "--interval":
            interval, i = duration(argv[i + 1]), i + 2
        elif argv[i] == "--random":
            pick_random, i = True, i + 1
        elif argv[i] == "--log-level":
            i += 2
        else:
            fail(f"the Pumba stand-in does not implement global flag {argv[i]}")
    if i >= len(argv):
        fail("no command")
    command, rest = argv[i], argv[i + 1 :]
    actions = {"kill": kill, "pause": pause, "stress": stress}
    if command not in actions:
        fail(f"the Pumba stand-in implements kill, pause and stress only, not {command}")
    action = actions[command](rest)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        found = targets(action["patterns"])
        if pick_random and found:
            found = [random.choice(found)]
        print(f'level=info msg="{command} {found}"', flush=True)
        for name in found:
            action["run"](name)
        if interval is None:
            return
        time.sleep(interval)


def kill(argv):
    values, patterns = flags(argv, {"signal"})
    sig = values.get("signal", "SIGKILL")
    return {"patterns": patterns, "run": lambda name: api("POST", f"/containers/{name}/kill?signal={sig}")}


def pause(argv):
    values, patterns = flags(argv, {"duration"})
    seconds = duration(values.get("duration") or fail("unset or invalid duration value"))

    def run(name):
        api("POST", f"/containers/{name}/pause")
        # Thawed on the way out whatever ends the wait: the duration, or docker stop's SIGTERM.
        try:
            time.sleep(seconds)
        finally:
            api("POST", f"/containers/{name}/unpause")

    return {"patterns": patterns, "run": run}


def stress(argv):
    values, patterns = flags(argv, {"duration", "stress-image", "stressors"}, booleans={"pull-image"})
    seconds = duration(values.get("duration") or fail("unset or invalid duration value"))
    image = values.get("stress-image", "ghcr.io/alexei-led/stress-ng:latest")

    def run(name):
        if values.get("pull-image", True):
            api("POST", f"/images/create?fromImage={urllib.parse.quote(image)}")
        target = api("GET", f"/containers/{name}/json")
        helper = api(
            "POST",
            "/containers/create",
            {
                "Image": image,
                "Cmd": values.get("stressors", "--cpu 4 --timeout 60s").split(),
                "Labels": {"com.gaiaadm.pumba.skip": "true"},
                "HostConfig": {"AutoRemove": True, "CgroupParent": target["HostConfig"].get("CgroupParent") or ""},
            },
        )
        api("POST", f"/containers/{helper['Id']}/start")
        try:
            time.sleep(seconds)
        finally:
            try:
                api("POST", f"/containers/{helper['Id']}/kill")
            except RuntimeError:
                pass  # stress-ng's own --timeout ended it first

    return {"patterns": patterns, "run": run}


if __name__ == "__main__":
    try:
        if ROLE in ("tempo", "sink"):
            serve([3200, 4318])
        elif ROLE in ("loki", "grafana"):
            serve([3100 if ROLE == "loki" else 3000])
        elif ROLE == "k6":
            k6()
        elif ROLE == "pumba":
            pumba()
        else:
            fail(f"unknown stand-in {ROLE!r}")
    except RuntimeError as error:
        fail(str(error))
