#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <mutex>
#include <thread>

#include "core/io/http.hpp"

using namespace dihya;

namespace {

// A loopback HTTP server for one test: each connection gets RESPOND's answer to the request
// it sent (the whole request text); it records every request.
class TestServer {
 public:
  using Respond = std::function<std::string(const std::string& request, int index)>;
  TestServer(int port, Respond respond) : m_respond(std::move(respond)), m_port(port) {
    m_socket = ::socket(AF_INET, SOCK_STREAM, 0);
    int on = 1;
    ::setsockopt(m_socket, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(m_socket, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(m_socket, 16) == 0);
    m_thread = std::thread([this] { serve(); });
  }
  ~TestServer() {
    m_stop = true;
    ::shutdown(m_socket, SHUT_RDWR);
    ::close(m_socket);
    m_thread.join();
  }
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(m_port) + path;
  }
  std::vector<std::string> requests() {
    std::lock_guard lock(m_mutex);
    return m_requests;
  }

 private:
  void serve() {
    while (!m_stop) {
      int client = ::accept(m_socket, nullptr, nullptr);
      if (client < 0) return;
      std::string request;
      char buffer[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::read(client, buffer, sizeof buffer);
        if (n <= 0) break;
        request.append(buffer, static_cast<std::size_t>(n));
      }
      auto length_at = request.find("Content-Length: ");
      if (length_at != std::string::npos) {
        std::size_t length = std::stoul(request.substr(length_at + 16));
        std::size_t body_at = request.find("\r\n\r\n") + 4;
        while (request.size() < body_at + length) {
          ssize_t n = ::read(client, buffer, sizeof buffer);
          if (n <= 0) break;
          request.append(buffer, static_cast<std::size_t>(n));
        }
      }
      int index;
      {
        std::lock_guard lock(m_mutex);
        m_requests.push_back(request);
        index = static_cast<int>(m_requests.size()) - 1;
      }
      std::string answer = m_respond(request, index);
      if (!answer.empty()) (void)!::write(client, answer.data(), answer.size());
      ::close(client);
    }
  }

  Respond m_respond;
  int m_port;
  int m_socket = -1;
  std::atomic<bool> m_stop{false};
  std::mutex m_mutex;
  std::vector<std::string> m_requests;
  std::thread m_thread;
};

std::string reply(int status, const std::string& body, const std::string& extra = "") {
  return "HTTP/1.1 " + std::to_string(status) +
         " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n" +
         extra + "\r\n" + body;
}

}  // namespace

TEST_CASE("http: a POST carries its headers and body, the reply comes back", "[http]") {
  TestServer server(
      18210, [](const std::string&, int) { return reply(201, "made", "X-Answer: yes\r\n"); });
  http::Request request;
  request.method = "POST";
  request.url = server.url("/api/v2/alerts");
  request.headers = {{"Content-Type", "application/json"}, {"Idempotency-Key", "abc"}};
  request.body = R"([{"labels":{}}])";
  auto response = http::perform(request);
  REQUIRE(response);
  CHECK(response->status == 201);
  CHECK(response->body == "made");
  CHECK(response->header("x-answer") == "yes");
  CHECK(response->attempts == 1);
  std::string seen = server.requests().at(0);
  CHECK(seen.rfind("POST /api/v2/alerts HTTP/1.1\r\n", 0) == 0);
  CHECK(seen.find("Idempotency-Key: abc\r\n") != std::string::npos);
  CHECK(seen.find("\r\n\r\n[{\"labels\":{}}]") != std::string::npos);
}

TEST_CASE("http: 5xx and 429 are retried with backoff, 4xx is not", "[http]") {
  TestServer server(18211, [](const std::string&, int index) {
    if (index == 0) return reply(503, "busy");
    if (index == 1) return reply(429, "slow down", "Retry-After: 0\r\n");
    return reply(200, "ok");
  });
  http::Request request;
  request.url = server.url();
  request.retries = 3;
  request.backoff = std::chrono::milliseconds(10);
  auto response = http::perform(request);
  REQUIRE(response);
  CHECK(response->status == 200);
  CHECK(response->attempts == 3);
  CHECK(server.requests().size() == 3);

  TestServer refusing(18212, [](const std::string&, int) { return reply(400, "no"); });
  request.url = refusing.url();
  auto refused = http::perform(request);
  REQUIRE(refused);
  CHECK(refused->status == 400);
  CHECK(refused->attempts == 1);
}

TEST_CASE("http: the backoff doubles up to its bound", "[http]") {
  using ms = std::chrono::milliseconds;
  CHECK(http::backoff_delay(1, ms(200), ms(5000)) == ms(200));
  CHECK(http::backoff_delay(2, ms(200), ms(5000)) == ms(400));
  CHECK(http::backoff_delay(5, ms(200), ms(5000)) == ms(3200));
  CHECK(http::backoff_delay(6, ms(200), ms(5000)) == ms(5000));
  CHECK(http::backoff_delay(60, ms(200), ms(5000)) == ms(5000));
}

TEST_CASE("http: CR or LF in a header or URL is refused before anything is sent", "[http]") {
  TestServer server(18213, [](const std::string&, int) { return reply(200, ""); });
  http::Request request;
  request.url = server.url();
  request.headers = {{"X-Label", "a\r\nBcc: victim@example.org"}};
  auto injected = http::perform(request);
  REQUIRE_FALSE(injected);
  CHECK(injected.error().code == ExitCode::data_error);
  request.headers = {{"Bad Name", "x"}};
  CHECK_FALSE(http::perform(request));
  request.headers = {};
  request.url = server.url("/\r\nX: y");
  CHECK_FALSE(http::perform(request));
  request.url = "file:///etc/passwd";
  CHECK_FALSE(http::perform(request));
  CHECK(server.requests().empty());
}

TEST_CASE("http: no server, a silent server and a huge reply are errors", "[http]") {
  http::Request request;
  request.url = "http://127.0.0.1:18214/";
  request.retries = 1;
  request.backoff = std::chrono::milliseconds(1);
  auto refused = http::perform(request);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ExitCode::unavailable);

  TestServer silent(18215, [](const std::string&, int) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    return std::string();
  });
  request.url = silent.url();
  request.retries = 0;
  request.timeout = std::chrono::milliseconds(300);
  auto timed_out = http::perform(request);
  REQUIRE_FALSE(timed_out);
  CHECK(timed_out.error().code == ExitCode::unavailable);

  TestServer huge(18216,
                  [](const std::string&, int) { return reply(200, std::string(5000, 'x')); });
  request.url = huge.url();
  request.timeout = std::chrono::milliseconds(5000);
  request.max_response_bytes = 1000;
  auto too_large = http::perform(request);
  REQUIRE_FALSE(too_large);
  CHECK(too_large.error().code == ExitCode::data_error);
}
