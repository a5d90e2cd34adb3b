#include <catch2/catch.hpp>

#include "monitoring/alerts.hpp"

using namespace dihya;
using namespace dihya::monitoring;

TEST_CASE("an alert's fingerprint depends on its labels only", "[alerts]") {
  Alert a, b;
  a.labels = {{"alertname", "X"}, {"tenant", "demo"}, {"severity", "critical"}};
  b.labels = {{"severity", "critical"}, {"tenant", "demo"}, {"alertname", "X"}};
  b.annotations = {{"summary", "other text"}};
  b.starts_ms = 42;
  CHECK(a.fingerprint() == b.fingerprint());
  b.labels["tenant"] = "acme";
  CHECK(a.fingerprint() != b.fingerprint());
}

TEST_CASE("labels with control characters or bad names are refused (65)", "[alerts]") {
  Alert a;
  a.labels = {{"alertname", "X"}};
  CHECK(check_alert_text(a));
  a.annotations = {{"summary", "line one\r\nBcc: victim@example.org"}};
  CHECK(check_alert_text(a).error().code == ExitCode::data_error);
  a.annotations.clear();
  a.labels["bad-name"] = "x";
  CHECK_FALSE(check_alert_text(a));
}

TEST_CASE("the webhook signature is HMAC-SHA256 of the body (RFC 4231 case 2)", "[alerts]") {
  CHECK(webhook_signature("Jefe", "what do ya want for nothing?") ==
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  CHECK(idempotency_key("a") == idempotency_key("a"));
  CHECK(idempotency_key("a") != idempotency_key("b"));
}

TEST_CASE("Alertmanager's v2 body carries startsAt and endsAt", "[alerts]") {
  Alert a;
  a.labels = {{"alertname", "X"}};
  a.starts_ms = 1'700'000'000'000;
  a.ends_ms = 1'700'000'060'000;
  Json doc = alertmanager_json({a});
  CHECK(doc[0]["startsAt"] == "2023-11-14T22:13:20.000Z");
  CHECK(doc[0]["endsAt"] == "2023-11-14T22:14:20.000Z");
  CHECK(doc[0]["labels"]["alertname"] == "X");
}
