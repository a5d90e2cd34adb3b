#include "core/io/http.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include "core/base/signals.hpp"

namespace dihya::http {
namespace {

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;
using HeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool has_control(const std::string& text) {
  return text.find_first_of(std::string("\r\n\0", 3)) != std::string::npos;
}

bool is_token(const std::string& name) {
  static const std::string k_extra = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || k_extra.find(static_cast<char>(c)) != std::string::npos;
  });
}

struct Exchange {
  Response response;
  std::size_t limit = 0;
  bool too_large = false;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  std::size_t n = size * count;
  if (exchange->response.body.size() + n > exchange->limit) {
    exchange->too_large = true;
    return 0;
  }
  exchange->response.body.append(data, n);
  return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* exchange = static_cast<Exchange*>(user);
  std::string line(data, size * count);
  // A new status line (after a 100 Continue or a redirect) starts a new header block.
  if (line.rfind("HTTP/", 0) == 0) exchange->response.headers.clear();
  auto colon = line.find(':');
  if (colon == std::string::npos) return size * count;
  std::string name = line.substr(0, colon), value = line.substr(colon + 1);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  value.erase(0, value.find_first_not_of(" \t"));
  value.erase(value.find_last_not_of(" \t\r\n") + 1);
  exchange->response.headers.push_back({name, value});
  return size * count;
}

// "Jan  1 00:00:00 2030 GMT", as curl's certinfo gives OpenSSL's notAfter.
std::optional<std::int64_t> parse_cert_time(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%b %d %H:%M:%S %Y", &tm);
  if (!end) return std::nullopt;
  return static_cast<std::int64_t>(timegm(&tm)) * 1000;
}

std::optional<std::int64_t> certificate_expiry(CURL* curl) {
  curl_certinfo* info = nullptr;
  if (curl_easy_getinfo(curl, CURLINFO_CERTINFO, &info) != CURLE_OK || !info ||
      info->num_of_certs < 1)
    return std::nullopt;
  for (curl_slist* item = info->certinfo[0]; item; item = item->next) {
    std::string entry = item->data;
    if (entry.rfind("Expire date:", 0) == 0) return parse_cert_time(entry.substr(12));
  }
  return std::nullopt;
}

void configure(CURL* curl, const Request& request, Exchange& exchange, curl_slist* headers) {
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, request.verify_tls ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, request.verify_tls ? 2L : 0L);
  if (request.ca_file) curl_easy_setopt(curl, CURLOPT_CAINFO, request.ca_file->c_str());
  if (request.client_certificate)
    curl_easy_setopt(curl, CURLOPT_SSLCERT, request.client_certificate->c_str());
  if (request.client_key) curl_easy_setopt(curl, CURLOPT_SSLKEY, request.client_key->c_str());
  curl_easy_setopt(curl, CURLOPT_CERTINFO, 1L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "dihya-ops");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &exchange);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &exchange);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method != "GET" || !request.body.empty()) {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
}

// One attempt: a Response, or the curl error.
Result<Response> attempt(const Request& request, curl_slist* headers) {
  CurlHandle curl(curl_easy_init());
  if (!curl) return make_error(ExitCode::failure, "core.http.init_failed");
  Exchange exchange;
  exchange.limit = request.max_response_bytes;
  configure(curl.get(), request, exchange, headers);
  CURLcode code = curl_easy_perform(curl.get());
  if (exchange.too_large)
    return make_error(
        ExitCode::data_error, "core.http.response_too_large",
        {{"url", request.url}, {"limit", std::to_string(request.max_response_bytes)}});
  if (code != CURLE_OK)
    return make_error(ExitCode::unavailable, "core.http.failed",
                      {{"url", request.url}, {"reason", curl_easy_strerror(code)}});
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &exchange.response.status);
  curl_easy_getinfo(curl.get(), CURLINFO_TOTAL_TIME, &exchange.response.seconds);
  if (request.url.rfind("https://", 0) == 0)
    exchange.response.certificate_expires_ms = certificate_expiry(curl.get());
  return exchange.response;
}

bool worth_retrying(const Result<Response>& outcome) {
  if (!outcome) return outcome.error().code == ExitCode::unavailable;
  return outcome->status >= 500 || outcome->status == 429;
}

std::chrono::milliseconds jittered(std::chrono::milliseconds limit) {
  static thread_local std::mt19937_64 random{std::random_device{}()};
  if (limit.count() <= 0) return limit;
  return std::chrono::milliseconds(
      std::uniform_int_distribution<std::int64_t>(limit.count() / 2, limit.count())(random));
}

// How long to wait before the next attempt: the backoff, or a Retry-After in seconds.
std::chrono::milliseconds next_delay(const Result<Response>& outcome, int retry,
                                     const Request& request) {
  auto delay = jittered(backoff_delay(retry, request.backoff, request.max_backoff));
  if (outcome)
    if (auto after = outcome->header("retry-after")) {
      char* end = nullptr;
      long seconds = std::strtol(after->c_str(), &end, 10);
      if (end && *end == '\0' && seconds >= 0)
        delay =
            std::min<std::chrono::milliseconds>(std::chrono::seconds(seconds), request.max_backoff);
    }
  return delay;
}

}  // namespace

std::optional<std::string> Response::header(const std::string& name) const {
  for (const auto& h : headers)
    if (h.name == name) return h.value;
  return std::nullopt;
}

Status check_header(const Header& header) {
  if (has_control(header.name) || has_control(header.value) || !is_token(header.name))
    return make_error(ExitCode::data_error, "core.http.bad_header", {{"name", header.name}});
  return {};
}

Status check_url(const std::string& url) {
  if (has_control(url) || (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0))
    return make_error(ExitCode::data_error, "core.http.bad_url", {{"url", url}});
  return {};
}

std::chrono::milliseconds backoff_delay(int attempt, std::chrono::milliseconds backoff,
                                        std::chrono::milliseconds max_backoff) {
  std::chrono::milliseconds delay = backoff;
  for (int i = 1; i < attempt && delay < max_backoff; ++i) delay *= 2;
  return std::min(delay, max_backoff);
}

Result<Response> perform(const Request& request) {
  if (Status ok = check_url(request.url); !ok) return ok.error();
  global_init();
  curl_slist* raw = nullptr;
  HeaderList headers;
  for (const auto& header : request.headers) {
    if (Status ok = check_header(header); !ok) return ok.error();
    raw = curl_slist_append(raw, (header.name + ": " + header.value).c_str());
    headers.release();
    headers.reset(raw);
  }
  // No "Expect: 100-continue" round trip on large bodies.
  raw = curl_slist_append(raw, "Expect:");
  headers.release();
  headers.reset(raw);
  Result<Response> outcome = make_error(ExitCode::failure, "core.http.failed");
  for (int tried = 0;; ++tried) {
    outcome = attempt(request, headers.get());
    if (outcome) outcome->attempts = tried + 1;
    if (tried >= request.retries || !worth_retrying(outcome) || interrupted()) break;
    std::this_thread::sleep_for(next_delay(outcome, tried + 1, request));
  }
  return outcome;
}

}  // namespace dihya::http
