#include "monitoring/alerts.hpp"

#include <sodium.h>

#include <cctype>

#include "core/base/clock.hpp"
#include "core/base/crypto.hpp"
#include "core/base/fs.hpp"
#include "core/base/units.hpp"
#include "core/io/http.hpp"

namespace dihya::monitoring {
namespace {

bool label_name(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (unsigned char c : name)
    if (!std::isalnum(c) && c != '_') return false;
  return true;
}

bool has_control(const std::string& text) {
  for (unsigned char c : text)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

Json to_json(const Alert& a) {
  return {{"labels", a.labels},
          {"annotations", a.annotations},
          {"starts_ms", a.starts_ms},
          {"ends_ms", a.ends_ms},
          {"source", a.source}};
}

Alert from_json(const Json& j) {
  Alert a;
  a.labels = j.value("labels", std::map<std::string, std::string>{});
  a.annotations = j.value("annotations", std::map<std::string, std::string>{});
  a.starts_ms = j.value("starts_ms", std::int64_t{0});
  a.ends_ms = j.value("ends_ms", std::int64_t{0});
  a.source = j.value("source", "cli");
  return a;
}

fs::path state_file(const TenantConfig& tenant) {
  return tenant.state_dir / "monitoring" / "alerts.json";
}

std::chrono::milliseconds timeout_of(const Json& target) {
  if (!target.contains("timeout")) return std::chrono::milliseconds(10'000);
  return std::chrono::milliseconds(*parse_duration_ms(target["timeout"].get<std::string>()));
}

Delivery post(const std::string& channel, const Json& target, const std::string& url,
              const std::string& body, std::vector<http::Header> headers) {
  http::Request request;
  request.method = "POST";
  request.url = url;
  request.body = body;
  request.headers = std::move(headers);
  request.headers.push_back({"Content-Type", "application/json"});
  request.timeout = timeout_of(target);
  request.retries = target.value("retries", 3);
  Delivery d;
  d.channel = channel;
  auto response = http::perform(request);
  if (!response) {
    d.error_id = response.error().id;
    d.attempts = request.retries + 1;
    return d;
  }
  d.status = response->status;
  d.attempts = response->attempts;
  d.ok = response->status >= 200 && response->status < 300;
  return d;
}

}  // namespace

bool Alert::resolved() const {
  return ends_ms != 0 && ends_ms <= now_ms();
}

std::string Alert::fingerprint() const {
  std::string text;
  for (const auto& [k, v] : labels) text += k + '\xff' + v + '\xff';
  return blake2b_256_hex(text).substr(0, 16);
}

Status check_alert_text(const Alert& alert) {
  for (const auto* map : {&alert.labels, &alert.annotations})
    for (const auto& [name, value] : *map) {
      if (!label_name(name))
        return make_error(ExitCode::data_error, "monitoring.alert.bad_label_name",
                          {{"name", name}});
      if (has_control(value))
        return make_error(ExitCode::data_error, "monitoring.alert.control_character",
                          {{"name", name}});
    }
  return {};
}

std::map<std::string, Alert> load_alert_state(const TenantConfig& tenant) {
  std::map<std::string, Alert> out;
  auto text = read_file(state_file(tenant));
  if (!text) return out;
  Json doc = Json::parse(*text, nullptr, false);
  if (!doc.is_array()) return out;
  for (const auto& j : doc) {
    Alert a = from_json(j);
    out[a.fingerprint()] = a;
  }
  return out;
}

Status save_alert_state(const TenantConfig& tenant, const std::map<std::string, Alert>& alerts) {
  Json doc = Json::array();
  for (const auto& [fp, a] : alerts) doc.push_back(to_json(a));
  if (Status dir = make_directories(state_file(tenant).parent_path()); !dir) return dir;
  return atomic_write(state_file(tenant), doc.dump(2), 0600);
}

Json alertmanager_json(const std::vector<Alert>& alerts) {
  Json doc = Json::array();
  for (const auto& a : alerts) {
    Json item = {{"labels", a.labels},
                 {"annotations", a.annotations},
                 {"startsAt", format_rfc3339_ms(a.starts_ms)}};
    if (a.ends_ms) item["endsAt"] = format_rfc3339_ms(a.ends_ms);
    doc.push_back(item);
  }
  return doc;
}

Json webhook_json(const TenantConfig& tenant, const std::vector<Alert>& alerts) {
  bool all_resolved = true;
  Json list = Json::array();
  for (const auto& a : alerts) {
    all_resolved = all_resolved && a.resolved();
    list.push_back(
        {{"status", a.resolved() ? "resolved" : "firing"},
         {"labels", a.labels},
         {"annotations", a.annotations},
         {"startsAt", format_rfc3339_ms(a.starts_ms)},
         {"endsAt", a.resolved() ? format_rfc3339_ms(a.ends_ms) : "0001-01-01T00:00:00Z"},
         {"fingerprint", a.fingerprint()}});
  }
  return {{"version", "4"},
          {"receiver", "dihya"},
          {"status", all_resolved ? "resolved" : "firing"},
          {"groupKey", "dihya/" + tenant.name},
          {"groupLabels", {{"tenant", tenant.name}}},
          {"commonLabels", {{"tenant", tenant.name}}},
          {"commonAnnotations", Json::object()},
          {"truncatedAlerts", 0},
          {"alerts", list}};
}

std::string webhook_signature(const std::string& secret, const std::string& body) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[2 * sizeof mac + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return std::string("sha256=") + hex;
}

std::string idempotency_key(const std::string& body) {
  return sha256_hex(body).substr(0, 32);
}

Result<std::vector<Delivery>> deliver(const TenantConfig& tenant,
                                      const std::vector<Alert>& alerts) {
  const Json& section = tenant.section("monitoring");
  if (!section.contains("alert") ||
      (!section["alert"].contains("alertmanager") && !section["alert"].contains("webhook")))
    return make_error(ExitCode::config_error, "monitoring.alert.no_channel",
                      {{"tenant", tenant.name}});
  for (const auto& a : alerts)
    if (Status ok = check_alert_text(a); !ok) return ok.error();
  std::vector<Delivery> out;
  const Json& alert = section["alert"];
  if (alert.contains("alertmanager")) {
    std::string url = alert["alertmanager"]["url"].get<std::string>();
    while (!url.empty() && url.back() == '/') url.pop_back();
    out.push_back(post("alertmanager", alert["alertmanager"], url + "/api/v2/alerts",
                       alertmanager_json(alerts).dump(), {}));
  }
  if (alert.contains("webhook")) {
    const Json& hook = alert["webhook"];
    std::string body = webhook_json(tenant, alerts).dump();
    std::vector<http::Header> headers = {{"Idempotency-Key", idempotency_key(body)}};
    if (hook.contains("secret_file")) {
      fs::path file = hook["secret_file"].get<std::string>();
      if (Status secret = check_secret_file(file); !secret) return secret.error();
      auto secret = read_file(file);
      if (!secret) return secret.error();
      std::string key = *secret;
      while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
      headers.push_back({"X-Dihya-Signature", webhook_signature(key, body)});
      sodium_memzero(key.data(), key.size());
    }
    out.push_back(post("webhook", hook, hook["url"].get<std::string>(), body, headers));
  }
  return out;
}

}  // namespace dihya::monitoring
