#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// Durations, ages and sizes as operators write them in dihya.json and on the command line,
// parsed and printed in one place (DESIGN.md §13).
namespace dihya {

// "30s", "15m", "12h", "7d", "2w", "500ms", or several at once ("1h30m"), in milliseconds;
// "0" alone is zero. nullopt for anything else (no unit, a negative, an overflow).
std::optional<std::int64_t> parse_duration_ms(std::string_view text);
// "512K", "100M", "2G", "1.5T", "4096" or "4096B", in bytes: K, M, G, T are powers of 1024
// (KiB, MiB… and KB, MB… are read the same, lower case too). nullopt for anything else.
std::optional<std::uint64_t> parse_size(std::string_view text);

// MS the way parse_duration_ms reads it back, largest units first: "1h30m", "7d", "250ms".
std::string format_duration(std::int64_t ms);
// BYTES for a person: "17 B", "512 KiB", "1.5 GiB" (one decimal from KiB up, none when whole).
std::string format_size(std::uint64_t bytes);

}  // namespace dihya
