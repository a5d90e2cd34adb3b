#include "core/base/crypto.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <stdexcept>

#include "core/base/fs.hpp"

namespace dihya {
namespace {

constexpr std::string_view k_signing_prefix = "dihya-sign-sk-1:";
constexpr std::string_view k_verify_prefix = "dihya-sign-pk-1:";
constexpr std::string_view k_recipient_prefix = "dihya-pub:";
constexpr std::string_view k_identity_prefix = "dihya-sec-1:";
constexpr std::string_view k_protected_identity_prefix = "dihya-sec-enc-1:";

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.remove_suffix(1);
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  return text;
}

Error bad_key(const std::filesystem::path& path) {
  return make_error(ExitCode::data_error, "core.key.malformed", {{"path", path.string()}});
}

// Decode "<prefix><base64>" of exactly SIZE bytes into OUT; false when malformed.
bool decode_key_text(std::string_view text, std::string_view prefix, unsigned char* out,
                     std::size_t size) {
  text = trim(text);
  if (text.substr(0, prefix.size()) != prefix) return false;
  auto raw = base64_decode(text.substr(prefix.size()));
  bool ok = raw && raw->size() == size;
  if (ok) std::copy(raw->begin(), raw->end(), out);
  if (raw) sodium_memzero(raw->data(), raw->size());
  return ok;
}

// Read a key file into OUT; a secret one must be a 0600 file of the running user.
Status read_key_file(const std::filesystem::path& path, std::string_view prefix, unsigned char* out,
                     std::size_t size, bool secret) {
  if (secret)
    if (Status safe = check_secret_file(path); !safe) return safe;
  auto content = read_file(path);
  if (!content) return content.error();
  bool ok = decode_key_text(*content, prefix, out, size);
  sodium_memzero(content->data(), content->size());
  if (!ok) return bad_key(path);
  return {};
}

}  // namespace

void crypto_init() {
  static const int status = sodium_init();
  if (status < 0) throw std::runtime_error("libsodium initialization failed");
}

std::string to_hex(std::string_view data) {
  std::string hex(data.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(data.data()),
                 data.size());
  hex.pop_back();
  return hex;
}

std::string blake2b_256_hex(std::string_view data) {
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(data.data()),
                     data.size(), nullptr, 0);
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string hash_token(std::string_view secret) {
  crypto_init();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, secret.data(), secret.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("out of memory while hashing a token");
  return out;
}

bool verify_token(std::string_view secret, const std::string& token_hash) {
  crypto_init();
  return crypto_pwhash_str_verify(token_hash.c_str(), secret.data(), secret.size()) == 0;
}

SigningKey::~SigningKey() {
  sodium_memzero(secret.data(), secret.size());
}

SigningKey generate_signing_key() {
  crypto_init();
  SigningKey key;
  crypto_sign_keypair(key.public_key.data(), key.secret.data());
  return key;
}

IdentityKey::~IdentityKey() {
  sodium_memzero(secret.data(), secret.size());
}

IdentityKey generate_identity() {
  crypto_init();
  IdentityKey key;
  crypto_box_keypair(key.public_key.data(), key.secret.data());
  return key;
}

std::string encode_recipient(const RecipientKey& key) {
  return std::string(k_recipient_prefix) +
         base64_encode(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
}

std::string encode_identity(const IdentityKey& key) {
  std::string raw(reinterpret_cast<const char*>(key.secret.data()), key.secret.size());
  std::string text = std::string(k_identity_prefix) + base64_encode(raw) + "\n";
  sodium_memzero(raw.data(), raw.size());
  return text;
}

Result<RecipientKey> parse_recipient(std::string_view text) {
  RecipientKey key{};
  if (!decode_key_text(text, k_recipient_prefix, key.data(), key.size()))
    return make_error(ExitCode::data_error, "core.key.bad_recipient",
                      {{"key", std::string(trim(text).substr(0, 24))}});
  return key;
}

Result<RecipientKey> load_recipient(const std::string& key_or_path) {
  if (key_or_path.rfind(k_recipient_prefix, 0) == 0) return parse_recipient(key_or_path);
  auto content = read_file(key_or_path);
  if (!content) return content.error();
  return parse_recipient(*content);
}

std::string encode_identity_protected(const IdentityKey& key, std::string_view passphrase) {
  crypto_init();
  // salt | nonce | secretbox(secret), the key derived with Argon2id (moderate limits).
  constexpr std::size_t salt_size = crypto_pwhash_SALTBYTES,
                        nonce_size = crypto_secretbox_NONCEBYTES;
  std::string raw(salt_size + nonce_size + 32 + crypto_secretbox_MACBYTES, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(raw.data());
  randombytes_buf(bytes, salt_size + nonce_size);
  unsigned char kek[32];
  if (crypto_pwhash(kek, sizeof kek, passphrase.data(), passphrase.size(), bytes,
                    crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE,
                    crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("out of memory deriving a key from the passphrase");
  crypto_secretbox_easy(bytes + salt_size + nonce_size, key.secret.data(), 32, bytes + salt_size,
                        kek);
  sodium_memzero(kek, sizeof kek);
  return std::string(k_protected_identity_prefix) + base64_encode(raw) + "\n";
}

bool identity_file_protected(const std::filesystem::path& path) {
  auto content = read_file(path);
  return content && trim(*content).substr(0, k_protected_identity_prefix.size()) ==
                        k_protected_identity_prefix;
}

Result<IdentityKey> load_identity(const std::filesystem::path& path,
                                  const std::optional<std::string>& passphrase) {
  // One read of the file: its prefix says whether it is sealed under a passphrase.
  if (Status safe = check_secret_file(path); !safe) return safe.error();
  auto content = read_file(path);
  if (!content) return content.error();
  struct Wipe {
    std::string& text;
    ~Wipe() { sodium_memzero(text.data(), text.size()); }
  } wipe{*content};
  IdentityKey key;
  if (trim(*content).substr(0, k_protected_identity_prefix.size()) != k_protected_identity_prefix) {
    if (!decode_key_text(*content, k_identity_prefix, key.secret.data(), 32)) return bad_key(path);
    crypto_scalarmult_base(key.public_key.data(), key.secret.data());
    return key;
  }
  constexpr std::size_t salt_size = crypto_pwhash_SALTBYTES,
                        nonce_size = crypto_secretbox_NONCEBYTES;
  constexpr std::size_t size = salt_size + nonce_size + 32 + crypto_secretbox_MACBYTES;
  unsigned char raw[size];
  if (!decode_key_text(*content, k_protected_identity_prefix, raw, size)) return bad_key(path);
  if (!passphrase)
    return make_error(ExitCode::no_permission, "core.key.needs_passphrase",
                      {{"path", path.string()}});
  unsigned char kek[32];
  bool ok = crypto_pwhash(kek, sizeof kek, passphrase->data(), passphrase->size(), raw,
                          crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE,
                          crypto_pwhash_ALG_ARGON2ID13) == 0 &&
            crypto_secretbox_open_easy(key.secret.data(), raw + salt_size + nonce_size,
                                       32 + crypto_secretbox_MACBYTES, raw + salt_size, kek) == 0;
  sodium_memzero(kek, sizeof kek);
  sodium_memzero(raw, sizeof raw);
  if (!ok)
    return make_error(ExitCode::no_permission, "core.key.wrong_passphrase",
                      {{"path", path.string()}});
  crypto_scalarmult_base(key.public_key.data(), key.secret.data());
  return key;
}

struct Sha256::State {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~State() { EVP_MD_CTX_free(ctx); }
};

Sha256::Sha256() : m_state(std::make_unique<State>()) {
  EVP_DigestInit_ex(m_state->ctx, EVP_sha256(), nullptr);
}
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;

void Sha256::update(std::string_view data) {
  EVP_DigestUpdate(m_state->ctx, data.data(), data.size());
}

std::string Sha256::hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(m_state->ctx, digest, &length);
  EVP_DigestInit_ex(m_state->ctx, EVP_sha256(), nullptr);
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), length));
}

std::string sha256_hex(std::string_view data) {
  Sha256 hasher;
  hasher.update(data);
  return hasher.hex();
}

std::string recipient_id(const RecipientKey& key) {
  unsigned char digest[32];
  crypto_generichash(digest, sizeof digest, key.data(), key.size(), nullptr, 0);
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), 8));
}

std::string base64_encode(std::string_view data) {
  std::string out(sodium_base64_ENCODED_LEN(data.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()),
                    data.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  std::string out(text.size(), '\0');
  size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0)
    return make_error(ExitCode::data_error, "core.base64.malformed");
  out.resize(length);
  return out;
}

std::string encode_signing_key(const SigningKey& key) {
  return encode_secret_key(k_signing_prefix, key.secret.data(), key.secret.size());
}

std::string encode_verify_key(const VerifyKey& key) {
  std::string raw(reinterpret_cast<const char*>(key.data()), key.size());
  return std::string(k_verify_prefix) + base64_encode(raw) + "\n";
}

std::string encode_secret_key(std::string_view prefix, const unsigned char* key, std::size_t size) {
  std::string raw(reinterpret_cast<const char*>(key), size);
  std::string text = std::string(prefix) + base64_encode(raw) + "\n";
  sodium_memzero(raw.data(), raw.size());
  return text;
}

Status load_secret_key(const std::filesystem::path& path, std::string_view prefix,
                       unsigned char* out, std::size_t size) {
  return read_key_file(path, prefix, out, size, true);
}

Result<SigningKey> load_signing_key(const std::filesystem::path& path) {
  SigningKey key;
  if (Status read = read_key_file(path, k_signing_prefix, key.secret.data(), 64, true); !read)
    return read.error();
  crypto_sign_ed25519_sk_to_pk(key.public_key.data(), key.secret.data());
  return key;
}

Result<VerifyKey> load_verify_key(const std::filesystem::path& path) {
  VerifyKey key{};
  if (Status read = read_key_file(path, k_verify_prefix, key.data(), key.size(), false); !read)
    return read.error();
  return key;
}

std::string key_id(const VerifyKey& key) {
  return to_hex(std::string_view(reinterpret_cast<const char*>(key.data()), 8));
}

std::string sign_detached(const SigningKey& key, std::string_view message) {
  crypto_init();
  unsigned char signature[crypto_sign_BYTES];
  crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), key.secret.data());
  return base64_encode(
      std::string_view(reinterpret_cast<const char*>(signature), sizeof signature));
}

bool verify_detached(const VerifyKey& key, std::string_view message,
                     const std::string& signature_base64) {
  crypto_init();
  auto signature = base64_decode(signature_base64);
  if (!signature || signature->size() != crypto_sign_BYTES) return false;
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature->data()),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), key.data()) == 0;
}

}  // namespace dihya
