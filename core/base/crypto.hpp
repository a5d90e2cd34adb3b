#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/base/error.hpp"

namespace dihya {

// Initialize libsodium once; safe to call from anywhere.
void crypto_init();

// Lowercase hex of DATA.
std::string to_hex(std::string_view data);

// BLAKE2b-256 of DATA, as 64 lowercase hex digits.
std::string blake2b_256_hex(std::string_view data);

// Argon2id hash of SECRET in libsodium's string format ("$argon2id$v=19$...").
std::string hash_token(std::string_view secret);
bool verify_token(std::string_view secret, const std::string& token_hash);

// An Ed25519 key pair; the secret half is zeroed on destruction.
struct SigningKey {
  std::array<unsigned char, 64> secret{};
  std::array<unsigned char, 32> public_key{};
  SigningKey() = default;
  SigningKey(const SigningKey&) = delete;
  SigningKey& operator=(const SigningKey&) = delete;
  SigningKey(SigningKey&&) = default;
  ~SigningKey();
};
using VerifyKey = std::array<unsigned char, 32>;

SigningKey generate_signing_key();
// Text forms of the keys, one line each ("dihya-sign-sk-1:<base64>").
std::string encode_signing_key(const SigningKey& key);
std::string encode_verify_key(const VerifyKey& key);
// Load keys from files; the signing key file must be 0600 and owned by the user.
Result<SigningKey> load_signing_key(const std::filesystem::path& path);
Result<VerifyKey> load_verify_key(const std::filesystem::path& path);
// A secret key of SIZE bytes as one line "<PREFIX><base64>", and back from a 0600 file of the
// running user (65 when malformed, 77 when the file is open to others).
std::string encode_secret_key(std::string_view prefix, const unsigned char* key, std::size_t size);
Status load_secret_key(const std::filesystem::path& path, std::string_view prefix,
                       unsigned char* out, std::size_t size);
// Short, stable identifier of a public key (first 8 bytes, hex).
std::string key_id(const VerifyKey& key);

std::string sign_detached(const SigningKey& key, std::string_view message);  // base64
bool verify_detached(const VerifyKey& key, std::string_view message,
                     const std::string& signature_base64);

// An X25519 key pair for encryption: data is encrypted to the public half ("recipient")
// and only the secret half ("identity") opens it. The secret is zeroed on destruction.
struct IdentityKey {
  std::array<unsigned char, 32> secret{};
  std::array<unsigned char, 32> public_key{};
  IdentityKey() = default;
  IdentityKey(const IdentityKey&) = delete;
  IdentityKey& operator=(const IdentityKey&) = delete;
  IdentityKey(IdentityKey&&) = default;
  IdentityKey& operator=(IdentityKey&&) = default;
  ~IdentityKey();
};
using RecipientKey = std::array<unsigned char, 32>;

IdentityKey generate_identity();
// "dihya-pub:<base64>" and "dihya-sec-1:<base64>"; a recipient may also be given as the path
// of a file holding one.
std::string encode_recipient(const RecipientKey& key);
std::string encode_identity(const IdentityKey& key);
// The identity sealed under PASSPHRASE (Argon2id + secretbox): "dihya-sec-enc-1:<base64>".
std::string encode_identity_protected(const IdentityKey& key, std::string_view passphrase);
Result<RecipientKey> parse_recipient(std::string_view text);
// A recipient as a config names it: the key in clear, or else the path of a file holding one.
Result<RecipientKey> load_recipient(const std::string& key_or_path);
// Load an identity file (0600). A passphrase-protected one needs PASSPHRASE: 77 when it is
// missing or wrong.
Result<IdentityKey> load_identity(const std::filesystem::path& path,
                                  const std::optional<std::string>& passphrase = {});
bool identity_file_protected(const std::filesystem::path& path);
// Short, stable identifier of a recipient (first 8 bytes of its BLAKE2b hash, hex).
std::string recipient_id(const RecipientKey& key);

// SHA-256, streamed (OpenSSL: uses the CPU's SHA extensions where there are some).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view data);
  // Lowercase hex of the digest; the hasher starts over afterwards.
  std::string hex();

 private:
  struct State;
  std::unique_ptr<State> m_state;
};
std::string sha256_hex(std::string_view data);

std::string base64_encode(std::string_view data);
Result<std::string> base64_decode(std::string_view text);

}  // namespace dihya
