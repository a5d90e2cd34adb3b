#include "monitoring/exporter.hpp"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <sodium.h>
#include <sys/resource.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>

#include "core/base/crypto.hpp"
#include "core/base/fs.hpp"
#include "core/run/health.hpp"
#include "monitoring/report.hpp"
#include "monitoring/services.hpp"

namespace dihya::monitoring {

struct ExporterServer::State {
  const Config* config = nullptr;
  ExporterOptions options;
  WebConfig web;
  LiveCache cache{std::chrono::milliseconds(15'000)};
  MHD_Daemon* daemon = nullptr;
  std::atomic<std::uint64_t> requests{0};
  std::string salt;       // keys the memory of verified credentials
  std::mutex auth_mutex;  // one Argon2id verification at a time: bounded CPU and memory
  std::map<std::string, std::string> verified;  // user → keyed hash of a password that passed

  explicit State(std::chrono::milliseconds interval) : cache(interval) {}
};

namespace {

using State = ExporterServer::State;

MHD_Result send(MHD_Connection* connection, unsigned status, const std::string& body,
                const char* type) {
  MHD_Response* response = MHD_create_response_from_buffer(
      body.size(), const_cast<char*>(body.data()), MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header(response, "Content-Type", type);
  MHD_add_response_header(response, "Cache-Control", "no-store");
  MHD_Result result = MHD_queue_response(connection, status, response);
  MHD_destroy_response(response);
  return result;
}

bool authorized(State& state, MHD_Connection* connection) {
  if (state.web.users.empty()) return true;
  char* password = nullptr;
  char* user = MHD_basic_auth_get_username_password(connection, &password);
  bool ok = false;
  if (user && password) {
    std::string key = blake2b_256_hex(state.salt + '\0' + user + '\0' + password);
    std::lock_guard lock(state.auth_mutex);
    auto known = state.verified.find(user);
    if (known != state.verified.end() &&
        sodium_memcmp(known->second.data(), key.data(), key.size()) == 0) {
      ok = true;
    } else if (auto hash = state.web.users.find(user); hash != state.web.users.end()) {
      ok = verify_token(password, hash->second);
      if (ok) state.verified[user] = key;
    }
  }
  if (password) {
    sodium_memzero(password, std::strlen(password));
    MHD_free(password);
  }
  if (user) MHD_free(user);
  return ok;
}

MHD_Result deny(MHD_Connection* connection) {
  static const char k_body[] = "401 Unauthorized\n";
  MHD_Response* response = MHD_create_response_from_buffer(
      sizeof k_body - 1, const_cast<char*>(k_body), MHD_RESPMEM_PERSISTENT);
  MHD_Result result = MHD_queue_basic_auth_fail_response(connection, "dihya", response);
  MHD_destroy_response(response);
  return result;
}

// /readyz: every tenant's ready probe (healthcheck's engine and cache); 503 when one fails.
MHD_Result ready(State& state, MHD_Connection* connection) {
  Messages messages(Language::en);
  Json doc = {{"status", "pass"}, {"tenants", Json::object()}};
  CheckStatus worst = CheckStatus::ok;
  HealthcheckOptions options;
  options.probe = Probe::ready;
  for (const auto& [name, tenant] : state.config->tenants) {
    HealthReport report = check_health(tenant, options);
    worst = worse(worst, report.status);
    doc["tenants"][name] = health_json(report, messages);
  }
  doc["status"] = health_status(worst);
  return send(connection, worst == CheckStatus::critical ? 503 : 200, doc.dump(2),
              "application/health+json");
}

MHD_Result answer(void* cls, MHD_Connection* connection, const char* url, const char* method,
                  const char*, const char*, std::size_t* upload_size, void** context) {
  auto& state = *static_cast<State*>(cls);
  static int k_marker;
  if (*context == nullptr) {  // headers read: wait for the (refused) body, if any
    *context = &k_marker;
    return MHD_YES;
  }
  if (*upload_size != 0) {
    *upload_size = 0;
    return MHD_YES;
  }
  state.requests.fetch_add(1);
  if (std::strcmp(method, "GET") != 0 && std::strcmp(method, "HEAD") != 0)
    return send(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "405 Method Not Allowed\n", "text/plain");
  std::string path = url;
  if (path == "/healthz") return send(connection, MHD_HTTP_OK, "ok\n", "text/plain");
  if (!authorized(state, connection)) return deny(connection);
  if (path == "/metrics")
    return send(connection, MHD_HTTP_OK, render_metrics(*state.config, state.cache),
                "text/plain; version=0.0.4; charset=utf-8");
  if (path == "/readyz") return ready(state, connection);
  if (path == "/")
    return send(connection, MHD_HTTP_OK,
                "<!doctype html><html lang=\"en\"><title>Dihya metrics exporter</title>"
                "<h1>Dihya metrics exporter</h1><ul><li><a href=\"/metrics\">/metrics</a>"
                "<li><a href=\"/healthz\">/healthz</a><li><a href=\"/readyz\">/readyz</a></ul>\n",
                "text/html; charset=utf-8");
  return send(connection, MHD_HTTP_NOT_FOUND, "404 Not Found\n", "text/plain");
}

// Room for the connections allowed: raise the soft limit on open files up to the hard one.
void raise_file_limit() {
  struct rlimit limit {};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

std::string render_metrics(const Config& config, LiveCache& cache) {
  TextfileMerger merger;
  for (const auto& [name, tenant] : config.tenants) {
    for (const auto& file : health::metrics_files(tenant)) {
      auto text = read_file(file.path);
      if (text) merger.add(*text, file.path.string());
    }
    cache.collect(tenant, merger);
  }
  merger.add_family("dihya_exporter_textfile_errors",
                    "Metrics files, or parts of them, that could not be merged in this scrape",
                    "gauge", {"dihya_exporter_textfile_errors " + std::to_string(merger.errors())});
  return merger.render();
}

Result<std::unique_ptr<ExporterServer>> ExporterServer::start(const Config& config,
                                                              const ExporterOptions& options) {
  auto state = std::make_unique<State>(options.live_interval);
  state->config = &config;
  state->options = options;
  unsigned char salt[16];
  randombytes_buf(salt, sizeof salt);
  state->salt.assign(reinterpret_cast<const char*>(salt), sizeof salt);
  if (options.web_config) {
    auto web = load_web_config(*options.web_config);
    if (!web) return web.error();
    state->web = *web;
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(options.port));
  if (::inet_pton(AF_INET, options.host.c_str(), &address.sin_addr) != 1)
    return make_error(ExitCode::usage, "monitoring.exporter.bad_listen",
                      {{"value", options.host + ":" + std::to_string(options.port)}});
  raise_file_limit();
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_TURBO;
  if (state->web.tls_cert_pem) flags |= MHD_USE_TLS;
  std::vector<MHD_OptionItem> items = {
      {MHD_OPTION_SOCK_ADDR, 0, &address},
      {MHD_OPTION_CONNECTION_LIMIT, options.max_connections, nullptr},
      {MHD_OPTION_CONNECTION_TIMEOUT, static_cast<intptr_t>(options.connection_timeout.count()),
       nullptr},
      {MHD_OPTION_CONNECTION_MEMORY_LIMIT, 32 * 1024, nullptr},
      {MHD_OPTION_THREAD_POOL_SIZE, 4, nullptr},
      {MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, nullptr},
  };
  if (state->web.tls_cert_pem) {
    items.push_back(
        {MHD_OPTION_HTTPS_MEM_CERT, 0, const_cast<char*>(state->web.tls_cert_pem->c_str())});
    items.push_back(
        {MHD_OPTION_HTTPS_MEM_KEY, 0, const_cast<char*>(state->web.tls_key_pem->c_str())});
  }
  items.push_back({MHD_OPTION_END, 0, nullptr});
  State* raw = state.get();
  state->daemon =
      MHD_start_daemon(flags, static_cast<std::uint16_t>(options.port), nullptr, nullptr, &answer,
                       raw, MHD_OPTION_ARRAY, items.data(), MHD_OPTION_END);
  if (!state->daemon)
    return make_error(ExitCode::unavailable, "monitoring.exporter.cannot_listen",
                      {{"value", options.host + ":" + std::to_string(options.port)},
                       {"reason", std::strerror(errno)}});
  return std::unique_ptr<ExporterServer>(new ExporterServer(std::move(state)));
}

void ExporterServer::drain() {
  if (!m_state->daemon) return;
  MHD_socket listener = MHD_quiesce_daemon(m_state->daemon);
  if (listener != MHD_INVALID_SOCKET) ::close(listener);
  auto deadline = std::chrono::steady_clock::now() + m_state->options.drain;
  while (std::chrono::steady_clock::now() < deadline) {
    const MHD_DaemonInfo* info =
        MHD_get_daemon_info(m_state->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    if (!info || info->num_connections == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  MHD_stop_daemon(m_state->daemon);
  m_state->daemon = nullptr;
}

ExporterServer::ExporterServer(std::unique_ptr<State> state) : m_state(std::move(state)) {}

ExporterServer::~ExporterServer() {
  if (m_state->daemon) MHD_stop_daemon(m_state->daemon);
}

std::uint64_t ExporterServer::requests() const {
  return m_state->requests.load();
}

}  // namespace dihya::monitoring
