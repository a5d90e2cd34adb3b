#include "rgpd/detect_kinds.hpp"

#include <algorithm>

namespace dihya::rgpd {

const std::vector<KindInfo>& personal_kinds() {
  static const std::vector<KindInfo> kinds = {
      {"first_name", "identity"},
      {"last_name", "identity"},
      {"full_name", "identity"},
      {"maiden_name", "identity"},
      {"nickname", "identity"},
      {"username", "identity"},
      {"email", "contact"},
      {"phone", "contact"},
      {"fax", "contact"},
      {"street_address", "contact"},
      {"city", "contact"},
      {"postal_code", "contact", false, true},
      {"region", "contact", false, true},
      {"country", "contact", false, true},
      {"birth_date", "identity"},
      {"birth_place", "identity"},
      {"age", "identity"},
      {"gender", "identity"},
      {"nationality", "identity"},
      {"national_id", "identifier"},
      {"passport", "identifier"},
      {"driving_licence", "identifier"},
      {"tax_id", "identifier"},
      {"iban", "financial"},
      {"bic", "financial"},
      {"bank_account", "financial"},
      {"card_number", "financial"},
      {"ip", "network"},
      {"mac", "network"},
      {"device_id", "device"},
      {"advertising_id", "device"},
      {"user_agent", "device"},
      {"geolocation", "location"},
      {"free_text", "free_text"},
      {"photo", "image"},
      {"hire_date", "employment"},
      {"salary", "employment"},
      {"job_title", "employment"},
      {"employer", "employment"},
      {"health", "health", true},
      {"genetic", "genetic", true},
      {"biometric", "biometric", true},
      {"ethnic_origin", "ethnic_origin", true},
      {"political_opinions", "political_opinions", true},
      {"religious_beliefs", "religious_beliefs", true},
      {"trade_union", "trade_union", true},
      {"sex_life", "sex_life", true},
      {"criminal_offences", "criminal_offences", true},
  };
  return kinds;
}

const KindInfo* kind_info(std::string_view kind) {
  for (const auto& k : personal_kinds())
    if (kind == k.name) return &k;
  return nullptr;
}

bool is_special_category(std::string_view category) {
  if (category.rfind("special", 0) == 0 || category.rfind("art9", 0) == 0 ||
      category.rfind("art10", 0) == 0)
    return true;
  for (const auto& k : personal_kinds())
    if (k.special && category == k.category) return true;
  return false;
}

namespace {

bool numeric(ColumnType type) {
  return type == ColumnType::integer || type == ColumnType::real || type == ColumnType::numeric;
}

bool dated(ColumnType type) {
  return type == ColumnType::date || type == ColumnType::timestamp;
}

// The strategy for KIND that fits TYPE, before uniqueness is considered.
std::string first_choice(std::string_view kind, ColumnType type, bool nullable) {
  bool text = type == ColumnType::text;
  auto text_or = [&](const char* strategy) -> std::string {
    if (text) return strategy;
    return nullable ? "null" : "shuffle";
  };
  if (kind == "first_name" || kind == "nickname") return text_or("fake:first_name");
  if (kind == "last_name" || kind == "maiden_name") return text_or("fake:last_name");
  if (kind == "full_name") return text_or("fake:name");
  if (kind == "email") return text_or("fake:email");
  if (kind == "phone" || kind == "fax") return text_or("fake:phone");
  if (kind == "ip") return text_or("fake:ip");
  if (kind == "street_address") return text_or("fake:address");
  if (kind == "city" || kind == "birth_place") return text_or("fake:city");
  if (kind == "birth_date") {
    if (dated(type)) return "generalize:year";
    if (numeric(type)) return "generalize:range=5";
    return text_or("mask:keep_first=4,keep_last=0");
  }
  if (kind == "hire_date") {
    if (dated(type)) return "generalize:month";
    return text_or("mask:keep_first=7,keep_last=0");
  }
  if (kind == "age") return numeric(type) ? "generalize:range=5" : text_or("redact");
  if (kind == "salary") return numeric(type) ? "noise:pct=10" : text_or("redact");
  if (kind == "geolocation") return numeric(type) ? "generalize:range=1" : text_or("redact");
  if (kind == "bic") return text_or("mask:keep_first=4,keep_last=0");
  if (kind == "username" || kind == "national_id" || kind == "passport" ||
      kind == "driving_licence" || kind == "tax_id" || kind == "iban" ||
      kind == "bank_account" || kind == "card_number" || kind == "mac" || kind == "device_id" ||
      kind == "advertising_id" || kind == "photo") {
    if (text || type == ColumnType::integer || type == ColumnType::blob) return "hash";
    return nullable ? "null" : "shuffle";
  }
  if (kind == "gender" || kind == "nationality" || kind == "job_title" || kind == "employer")
    return "shuffle";
  return text_or("redact");  // user agents, free text, the special categories
}

}  // namespace

std::optional<masking::Strategy> suggested_mask(std::string_view kind, ColumnType type,
                                                bool unique, bool nullable) {
  const KindInfo* info = kind_info(kind);
  if (info && info->quasi) return std::nullopt;
  auto strategy = masking::Strategy::parse(first_choice(kind, type, nullable));
  if (!strategy || !strategy->fits(type)) strategy = masking::Strategy::parse("shuffle");
  if (unique && !strategy->keeps_distinct()) {
    auto hash = masking::Strategy::parse("hash");
    strategy = hash->fits(type) ? hash : masking::Strategy::parse("shuffle");
  }
  return strategy;
}

}  // namespace dihya::rgpd
