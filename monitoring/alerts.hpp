#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/base/json.hpp"
#include "core/config/config.hpp"

// Alerts sent to Alertmanager's API v2 and to a webhook (Alertmanager's webhook JSON, signed
// with HMAC-SHA256, an idempotency key per alert and state), remembered per tenant in
// <state_dir>/monitoring/alerts.json so they can be re-sent and resolved.
namespace dihya::monitoring {

struct Alert {
  std::map<std::string, std::string> labels;  // sorted: the same alert has the same set
  std::map<std::string, std::string> annotations;
  std::int64_t starts_ms = 0;
  std::int64_t ends_ms = 0;  // a future time while firing, the resolution time once resolved
  std::string source;        // "cli" or "healthcheck"
  bool resolved() const;
  // Alertmanager's identity of the alert: a hash of its labels.
  std::string fingerprint() const;
};

// Refuse a label or annotation name that is not [a-zA-Z_][a-zA-Z0-9_]*, or any text holding
// a control character such as CR or LF (65): it would forge headers in a mail or a webhook.
Status check_alert_text(const Alert& alert);

// The firing alerts remembered for TENANT, by fingerprint.
std::map<std::string, Alert> load_alert_state(const TenantConfig& tenant);
Status save_alert_state(const TenantConfig& tenant, const std::map<std::string, Alert>& alerts);

// The outcome of delivering to one channel.
struct Delivery {
  std::string channel;  // alertmanager, webhook
  bool ok = false;
  long status = 0;
  int attempts = 0;
  std::string error_id;
};

// Send ALERTS (firing or resolved) to every channel the tenant configures; no channel is 78.
Result<std::vector<Delivery>> deliver(const TenantConfig& tenant, const std::vector<Alert>& alerts);

Json alertmanager_json(const std::vector<Alert>& alerts);
Json webhook_json(const TenantConfig& tenant, const std::vector<Alert>& alerts);
// The webhook's signature header value: "sha256=" and the hex HMAC-SHA256 of BODY.
std::string webhook_signature(const std::string& secret, const std::string& body);
// The Idempotency-Key of a webhook delivery: the same for every retry of the same content.
std::string idempotency_key(const std::string& body);

}  // namespace dihya::monitoring
