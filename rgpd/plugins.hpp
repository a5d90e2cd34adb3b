#pragma once

// Hook points of the rgpd module: <point>.pre (may veto) and <point>.post for each tool.
// The post hook of subject_erase gets the subject's pseudonym in its result, never the key.
namespace dihya::rgpd::plugins {

inline constexpr const char* k_anonymize_point = "anonymize";
inline constexpr const char* k_purge_point = "purge_rgpd";
inline constexpr const char* k_subject_export_point = "subject_export";
inline constexpr const char* k_subject_erase_point = "subject_erase";
inline constexpr const char* k_consent_point = "consent";
inline constexpr const char* k_audit_rgpd_point = "audit_rgpd";

}  // namespace dihya::rgpd::plugins
