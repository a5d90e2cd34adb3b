#!/usr/bin/env python3
"""metrics_exporter end to end, against a real Prometheus (scripts/prometheus_test_server):
scraped until up == 1 with a live gauge's value, `promtool check metrics` on /metrics, every
rule expression evaluated by the server, /healthz and /readyz, basic auth (Argon2id), TLS,
abuse (1000 idle connections, a slowloris client, a 10 MB request line, a bad TLS client) and
SIGTERM draining to exit 0. TAP output. Usage: exporter_e2e.py BUILD_DIR SOURCE_DIR"""
import ctypes, json, os, pwd, signal, socket, sqlite3, ssl, subprocess, sys, tempfile, time
import urllib.error, urllib.parse, urllib.request, base64

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import check, report  # noqa: E402

BUILD, SOURCE = sys.argv[1], sys.argv[2]
EXPORTER = os.path.join(BUILD, "monitoring", "metrics_exporter")
HEALTHCHECK = os.path.join(BUILD, "monitoring", "healthcheck")
PORT, TLS_PORT, PROM_PORT = 18230, 18231, 18290



def argon2id(password):
    sodium = ctypes.CDLL("libsodium.so.23")
    assert sodium.sodium_init() >= 0
    sodium.crypto_pwhash_opslimit_interactive.restype = ctypes.c_ulonglong
    sodium.crypto_pwhash_memlimit_interactive.restype = ctypes.c_size_t
    out = ctypes.create_string_buffer(128)
    pw = password.encode()
    rc = sodium.crypto_pwhash_str(out, pw, ctypes.c_ulonglong(len(pw)),
                                  ctypes.c_ulonglong(sodium.crypto_pwhash_opslimit_interactive()),
                                  ctypes.c_size_t(sodium.crypto_pwhash_memlimit_interactive()))
    assert rc == 0
    return out.value.decode()


def get(url, auth=None, context=None, timeout=10):
    request = urllib.request.Request(url)
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def workspace(root):
    user = pwd.getpwuid(os.getuid()).pw_name
    os.makedirs(os.path.join(root, "data"))
    db = sqlite3.connect(os.path.join(root, "data", "app.db"))
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    db.commit()
    db.close()
    config = {"version": 1, "language": "en",
              "users": {"admin": {"roles": ["admin"], "unix_users": sorted({"root", user})}},
              "roles": {"admin": ["*"]},
              "tenants": {"demo": {"database": "sqlite:data/app.db", "state_dir": "state",
                                   "backup": {"repository": "backups"},
                                   "monitoring": {"checks": {"disk": {"warning": "0:", "critical": "0:"},
                                                             "inodes": {"warning": "0:", "critical": "0:"}},
                                                  "collectors": {"tables": {
                                                      "query": "SELECT name, 1 FROM sqlite_master WHERE type = 'table'",
                                                      "metric": "dihya_custom_table_present", "labels": ["table_name"]},
                                                      "runaway": {
                                                      "query": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
                                                      "metric": "dihya_custom_runaway", "timeout": "1s"}}}}}}
    path = os.path.join(root, "dihya.json")
    with open(path, "w") as f:
        json.dump(config, f)
    return path


def start_exporter(config, port, *extra):
    process = subprocess.Popen([EXPORTER, "--config", config, "--listen", f"127.0.0.1:{port}", *extra],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("metrics_exporter did not start: " + process.stderr.read().decode())


def prometheus_query(expr):
    url = f"http://127.0.0.1:{PROM_PORT}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    status, body = get(url)
    return status, json.loads(body)


def abuse(port, context=None):
    """1000 idle connections, a slowloris client and a 10 MB request line, then a scrape."""
    idle = []
    for _ in range(1000):
        s = socket.create_connection(("127.0.0.1", port))
        idle.append(s)
    slow = socket.create_connection(("127.0.0.1", port))
    slow.send(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
    huge = socket.create_connection(("127.0.0.1", port))
    huge.settimeout(10)
    reply = b""
    try:
        huge.sendall(b"GET /" + b"a" * (10 << 20) + b" HTTP/1.1\r\n\r\n")
    except OSError:
        pass  # the server closed the connection mid-request: what it should do
    try:
        reply = huge.recv(100)
    except OSError:
        pass
    scrape = get(f"http://127.0.0.1:{port}/metrics")
    slow.send(b"X-Slow: 1\r\n")
    for s in idle + [slow, huge]:
        s.close()
    return scrape, reply


def main():
    root = tempfile.mkdtemp(prefix="dihya-exporter-")
    config = workspace(root)
    subprocess.run([HEALTHCHECK, "--config", config, "-q"], check=False, capture_output=True)
    password = "s3cret-scraper"
    exporter = start_exporter(config, PORT)
    prom_env = dict(os.environ, DIHYA_PROM_DIR=os.path.join(root, "prometheus"),
                    DIHYA_PROM_PORT=str(PROM_PORT))
    try:
        status, body = get(f"http://127.0.0.1:{PORT}/metrics")
        check("/metrics answers 200 with the live gauges", status == 200 and 'dihya_database_up{tenant="demo"} 1' in body)
        check("textfile metrics are merged", 'dihya_last_run_exit_code{tenant="demo",tool="healthcheck"}' in body)
        check("a collector's rows appear with their declared label",
              'dihya_custom_table_present{tenant="demo",table_name="t"} 1' in body)
        check("a collector that times out is down, the rest still appear",
              'dihya_collector_up{tenant="demo",collector="runaway"} 0' in body
              and 'dihya_collector_up{tenant="demo",collector="tables"} 1' in body)
        lint = subprocess.run(["promtool", "check", "metrics"], input=body.encode(), capture_output=True)
        check("promtool check metrics accepts /metrics", lint.returncode == 0, lint.stdout.decode() + lint.stderr.decode())
        check("/healthz is 200", get(f"http://127.0.0.1:{PORT}/healthz")[0] == 200)
        status, body = get(f"http://127.0.0.1:{PORT}/readyz")
        check("/readyz is 200 with health+json", status == 200 and json.loads(body)["status"] in ("pass", "warn"), body[:200])

        url = subprocess.run([os.path.join(SOURCE, "scripts", "prometheus_test_server"), "start",
                              f"127.0.0.1:{PORT}"], env=prom_env, capture_output=True, text=True)
        check("Prometheus starts", url.returncode == 0, url.stderr)
        up, live = None, None
        for _ in range(300):
            _, doc = prometheus_query('up{job="dihya"}')
            up = doc["data"]["result"]
            _, doc = prometheus_query('dihya_database_up{tenant="demo"}')
            live = doc["data"]["result"]
            if up and up[0]["value"][1] == "1" and live:
                break
            time.sleep(0.2)
        check("Prometheus scrapes the exporter: up{job=\"dihya\"} == 1", up and up[0]["value"][1] == "1", str(up))
        check("a live gauge has its value in Prometheus", live and live[0]["value"][1] == "1", str(live))
        rules = open(os.path.join(SOURCE, "monitoring", "prometheus", "dihya.rules.yml")).read()
        exprs = [line.split("expr:", 1)[1].strip() for line in rules.splitlines() if "expr:" in line]
        bad = []
        for expr in exprs:
            status, doc = prometheus_query(expr)
            if status != 200 or doc.get("status") != "success":
                bad.append((expr, doc.get("error")))
        dashboard = os.path.join(SOURCE, "monitoring", "grafana", "dihya-overview.json")
        if os.path.exists(dashboard):
            for panel in json.load(open(dashboard)).get("panels", []):
                for target in panel.get("targets", []):
                    expr = target.get("expr", "").replace("$tenant", "demo").replace("$__rate_interval", "1m")
                    if expr:
                        status, doc = prometheus_query(expr)
                        if status != 200 or doc.get("status") != "success":
                            bad.append((expr, doc.get("error")))
        check(f"every rule and dashboard expression evaluates ({len(exprs)} rules, dashboard: {os.path.exists(dashboard)})",
              exprs and not bad, str(bad))

        (scrape_status, _), reply = abuse(PORT)
        check("under 1000 idle connections, a slowloris and a 10 MB request line, scrapes still work",
              scrape_status == 200, str(reply[:60]))
        check("the 10 MB request line is refused", reply == b"" or b" 414 " in reply or b" 431 " in reply or b" 400 " in reply, str(reply[:60]))
        check("a scrape right after still works", get(f"http://127.0.0.1:{PORT}/metrics")[0] == 200)

        exporter.send_signal(signal.SIGTERM)
        code = exporter.wait(timeout=30)
        check("SIGTERM drains and exits 0", code == 0, exporter.stderr.read().decode()[-300:])

        # Basic auth and TLS from a web config.
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", os.path.join(root, "key.pem"), "-out", os.path.join(root, "cert.pem")],
                       check=True, capture_output=True)
        os.chmod(os.path.join(root, "key.pem"), 0o600)
        web = os.path.join(root, "web.json")
        with open(web, "w") as f:
            json.dump({"tls_server_config": {"cert_file": "cert.pem", "key_file": "key.pem"},
                       "basic_auth_users": {"prometheus": argon2id(password)}}, f)
        tls = start_exporter(config, TLS_PORT, "--web-config", web)
        context = ssl.create_default_context(cafile=os.path.join(root, "cert.pem"))
        base = f"https://127.0.0.1:{TLS_PORT}"
        check("TLS: no credentials is 401", get(base + "/metrics", context=context)[0] == 401)
        check("TLS: a wrong password is 401", get(base + "/metrics", "prometheus:wrong", context)[0] == 401)
        check("TLS: an unknown user is 401", get(base + "/metrics", "mallory:" + password, context)[0] == 401)
        status, body = get(base + "/metrics", "prometheus:" + password, context)
        check("TLS: the right password scrapes", status == 200 and "dihya_database_up" in body)
        garbage = socket.create_connection(("127.0.0.1", TLS_PORT))
        garbage.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n" + os.urandom(4096))
        garbage.close()
        bad_client = socket.create_connection(("127.0.0.1", TLS_PORT))
        try:
            ssl.create_default_context().wrap_socket(bad_client, server_hostname="127.0.0.1")
        except ssl.SSLError:
            pass  # the client does not trust the server: it gives up mid-handshake
        bad_client.close()
        check("TLS: after a plain-text client and a client that aborts its handshake, scrapes still work",
              get(base + "/metrics", "prometheus:" + password, context)[0] == 200)
        check("/healthz needs no credentials", get(base + "/healthz", context=context)[0] == 200)
        tls.send_signal(signal.SIGTERM)
        check("the TLS exporter exits 0 on SIGTERM", tls.wait(timeout=30) == 0)
    finally:
        if exporter.poll() is None:
            exporter.kill()
        subprocess.run([os.path.join(SOURCE, "scripts", "prometheus_test_server"), "stop"], env=prom_env)
        subprocess.run(["rm", "-rf", root])
    report()


main()
