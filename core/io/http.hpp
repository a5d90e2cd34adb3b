#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/base/error.hpp"

// An HTTP(S) client on libcurl for alerts, endpoint checks and object storage: timeouts, TLS
// verified against the system's or a given CA, bounded exponential retry, and no header or
// URL that smuggles a CR or LF (header injection).
namespace dihya::http {

struct Header {
  std::string name, value;
};

struct Request {
  std::string method = "GET";
  std::string url;
  std::vector<Header> headers;
  std::string body;
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds timeout{10'000};     // the whole exchange, per attempt
  std::optional<std::filesystem::path> ca_file;  // trust anchors instead of the system's
  std::optional<std::filesystem::path> client_certificate, client_key;
  bool verify_tls = true;  // false only for tests against a self-signed server
  // Extra attempts after a transport error, a 5xx or a 429, with exponential backoff from
  // BACKOFF doubling up to MAX_BACKOFF (full jitter); a Retry-After is honoured up to it.
  int retries = 0;
  std::chrono::milliseconds backoff{200}, max_backoff{5'000};
  std::size_t max_response_bytes = 16u << 20;
};

struct Response {
  long status = 0;
  std::vector<Header> headers;  // names in lower case
  std::string body;
  double seconds = 0;  // the last attempt, connection included
  int attempts = 0;
  // https: when the server's certificate expires (its notAfter), in ms since the epoch.
  std::optional<std::int64_t> certificate_expires_ms;

  // The value of header NAME (lower case), if present.
  std::optional<std::string> header(const std::string& name) const;
};

// Refuse a header name or value, or a URL, holding CR, LF or NUL (65), or a name that is
// not an HTTP token.
Status check_header(const Header& header);
Status check_url(const std::string& url);

// Send REQUEST. A transport failure after every attempt is 69 (the curl reason as
// parameter); any HTTP status is a Response, even after retries ran out.
Result<Response> perform(const Request& request);

// The delay before retry number ATTEMPT (1 is the first retry), before jitter: BACKOFF ×
// 2^(ATTEMPT-1), at most MAX_BACKOFF.
std::chrono::milliseconds backoff_delay(int attempt, std::chrono::milliseconds backoff,
                                        std::chrono::milliseconds max_backoff);

}  // namespace dihya::http
