#!/usr/bin/env python3
"""alert end to end against a real Alertmanager (scripts/alertmanager_test_server) and a
webhook sink: send shows in `amtool alert query`, resolve clears it, the webhook's retry
carries the same Idempotency-Key and a valid HMAC-SHA256, a label holding CR LF is refused
(65), --from-healthcheck raises and then resolves, every delivery is audited; and the shipped
rules fire through Prometheus into Alertmanager when a backup is too old. TAP output.
Usage: alert_e2e.py BUILD_DIR SOURCE_DIR"""
import hashlib, hmac, http.server, json, os, pwd, sqlite3, subprocess, sys, tempfile
import threading, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import check, report  # noqa: E402

BUILD, SOURCE = sys.argv[1], sys.argv[2]
TOOL = lambda name: os.path.join(BUILD, "monitoring" if name in ("alert", "metrics_exporter") else "backup", name)
AM_PORT, SINK_PORT, EXPORTER_PORT, PROM_PORT = 18291, 18240, 18241, 18292
AM = f"http://127.0.0.1:{AM_PORT}"
received = []



class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        received.append((dict(self.headers), body))
        self.send_response(503 if len(received) == 1 else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def run(config, *args):
    p = subprocess.run([TOOL("alert"), "--config", config, "--lang", "en", *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def amtool(*filters):
    p = subprocess.run(["amtool", "alert", "query", "-o", "json", f"--alertmanager.url={AM}", *filters],
                       capture_output=True, text=True)
    return json.loads(p.stdout or "[]")


def wait_for(predicate, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def main():
    root = tempfile.mkdtemp(prefix="dihya-alert-")
    user = pwd.getpwuid(os.getuid()).pw_name
    secret = os.path.join(root, "webhook.secret")
    with open(secret, "w") as f:
        f.write("hook-secret\n")
    os.chmod(secret, 0o600)
    config = os.path.join(root, "dihya.json")
    doc = {"version": 1, "language": "en",
           "users": {"admin": {"roles": ["admin"], "unix_users": sorted({"root", user})}},
           "roles": {"admin": ["*"]},
           "tenants": {"demo": {"database": "sqlite:data/app.db", "state_dir": "state",
                                "backup": {"repository": "backups"},
                                "monitoring": {"cache": "0s", "checks": {"disk": {"warning": "0:", "critical": "0:"},
                                                          "inodes": {"warning": "0:", "critical": "0:"},
                                                          "backup_age": {"enabled": False}},
                                               "alert": {"alertmanager": {"url": AM, "retries": 2},
                                                         "webhook": {"url": f"http://127.0.0.1:{SINK_PORT}/hook",
                                                                     "secret_file": "webhook.secret", "retries": 3}}}}}}
    json.dump(doc, open(config, "w"))
    env = dict(os.environ, DIHYA_AM_DIR=os.path.join(root, "am"), DIHYA_AM_PORT=str(AM_PORT))
    prom_env = dict(os.environ, DIHYA_PROM_DIR=os.path.join(root, "prom"), DIHYA_PROM_PORT=str(PROM_PORT))
    sink = http.server.ThreadingHTTPServer(("127.0.0.1", SINK_PORT), Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    exporter = None
    started = subprocess.run([os.path.join(SOURCE, "scripts", "alertmanager_test_server"), "start"],
                             env=env, capture_output=True, text=True)
    check("Alertmanager starts", started.returncode == 0, started.stderr)
    try:
        code, out, err = run(config, "send", "--name", "DihyaE2E", "--severity", "critical",
                             "--summary", "made by the test", "--label", "team=ops")
        check("alert send exits 0", code == 0, out + err)
        check("amtool alert query shows it",
              wait_for(lambda: any(a["labels"].get("alertname") == "DihyaE2E" for a in amtool("alertname=DihyaE2E"))))
        shown = amtool("alertname=DihyaE2E")
        check("with the tenant label and the ones given",
              shown and shown[0]["labels"].get("tenant") == "demo" and shown[0]["labels"].get("team") == "ops", str(shown))
        check("the webhook was retried after its 503", len(received) == 2, str(len(received)))
        keys = {h.get("Idempotency-Key") for h, _ in received[:2]}
        check("the retry carries the same Idempotency-Key", len(keys) == 1 and None not in keys, str(keys))
        headers, body = received[-1]
        expected = "sha256=" + hmac.new(b"hook-secret", body, hashlib.sha256).hexdigest()
        check("the webhook's HMAC-SHA256 signature verifies", headers.get("X-Dihya-Signature") == expected)
        payload = json.loads(body)
        check("the webhook body is Alertmanager's webhook JSON",
              payload["version"] == "4" and payload["status"] == "firing" and payload["alerts"][0]["labels"]["alertname"] == "DihyaE2E")
        code, out, _ = run(config, "list", "--json")
        check("alert list shows the firing alert", code == 0 and len(json.loads(out)["alerts"]) == 1, out)

        code, out, err = run(config, "resolve", "--name", "DihyaE2E", "--severity", "critical", "--label", "team=ops")
        check("alert resolve exits 0", code == 0, out + err)
        check("Alertmanager no longer lists it as active", wait_for(lambda: not amtool("alertname=DihyaE2E")))
        check("the webhook got the resolution", json.loads(received[-1][1])["status"] == "resolved")
        check("alert list is empty again", json.loads(run(config, "list", "--json")[1])["alerts"] == [])

        code, _, err = run(config, "send", "--name", "Bad", "--label", "note=x\r\nBcc: victim@example.org")
        check("a label holding CR LF is refused with 65", code == 65, err)
        code, _, _ = run(config, "send", "--name", "Bad", "--label", "bad-name=x")
        check("a label name with a dash is refused with 65", code == 65)

        # --from-healthcheck: the database is missing, then made.
        code, out, err = run(config, "--from-healthcheck")
        check("--from-healthcheck raises the failing database check", code == 0 and
              wait_for(lambda: any(a["labels"].get("check") == "database" for a in amtool("alertname=DihyaHealthcheck"))),
              out + err)
        os.makedirs(os.path.join(root, "data"))
        sqlite3.connect(os.path.join(root, "data", "app.db")).execute("CREATE TABLE t (id INTEGER)").connection.commit()
        code, out, err = run(config, "--from-healthcheck")
        check("once the check passes, the next run resolves it", code == 0 and
              wait_for(lambda: not amtool("alertname=DihyaHealthcheck")),
              out + err + json.dumps([a["labels"] for a in amtool("alertname=DihyaHealthcheck")]))
        audit = [json.loads(line) for line in open(os.path.join(root, "state", "audit", "audit.jsonl"))]
        deliveries = [r for r in audit if r["tool"] == "alert" and "deliveries" in r["details"]]
        check("every delivery is in the audit trail",
              len(deliveries) == 4 and all(d["channel"] in ("alertmanager", "webhook")
                                           for r in deliveries for d in r["details"]["deliveries"]),
              str(len(deliveries)))

        # The shipped rules, their `for` shortened, fire through Prometheus into Alertmanager.
        subprocess.run([TOOL("backup"), "--config", config, "--target", "db", "-q"], check=True, capture_output=True)
        for name in os.listdir(os.path.join(root, "backups")):
            if name.endswith(".json"):
                path = os.path.join(root, "backups", name)
                sidecar = json.load(open(path))
                sidecar["created"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() - 3 * 86400))
                json.dump(sidecar, open(path, "w"))
        rules = os.path.join(root, "rules.yml")
        with open(rules, "w") as f:
            for line in open(os.path.join(SOURCE, "monitoring", "prometheus", "dihya.rules.yml")):
                if not line.strip().startswith("for:"):
                    f.write(line)
        exporter = subprocess.Popen([TOOL("metrics_exporter"), "--config", config, "--listen",
                                     f"127.0.0.1:{EXPORTER_PORT}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        prom_env.update(DIHYA_PROM_RULES=rules, DIHYA_PROM_ALERTMANAGER=f"127.0.0.1:{AM_PORT}")
        prom = subprocess.run([os.path.join(SOURCE, "scripts", "prometheus_test_server"), "start",
                               f"127.0.0.1:{EXPORTER_PORT}"], env=prom_env, capture_output=True, text=True)
        check("Prometheus starts with the rules and Alertmanager", prom.returncode == 0, prom.stderr)
        check("DihyaBackupTooOld fires into Alertmanager",
              wait_for(lambda: any(a["labels"].get("tenant") == "demo" for a in amtool("alertname=DihyaBackupTooOld")), 60))
    finally:
        if exporter:
            exporter.terminate()
            exporter.wait(timeout=30)
        subprocess.run([os.path.join(SOURCE, "scripts", "prometheus_test_server"), "stop"], env=prom_env)
        subprocess.run([os.path.join(SOURCE, "scripts", "alertmanager_test_server"), "stop"], env=env)
        sink.shutdown()
        subprocess.run(["rm", "-rf", root])
    report()


main()
