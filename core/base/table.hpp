#pragma once

#include <string>
#include <string_view>
#include <vector>

// Aligned text columns for the list outputs (list_backups, consent list): a header row, then
// one row per item. Widths count characters, not bytes, so French, Arabic and Kabyle headers
// line up as English ones do.
namespace dihya {

// Characters on screen: a UTF-8 sequence counts once.
std::size_t display_width(std::string_view text);

struct TableColumn {
  std::string header;
  bool right = false;  // numbers and sizes: aligned on the right
};

// The header line and one line per row, columns two spaces apart, the last one unpadded.
std::vector<std::string> render_table(const std::vector<TableColumn>& columns,
                                      const std::vector<std::vector<std::string>>& rows);

}  // namespace dihya
