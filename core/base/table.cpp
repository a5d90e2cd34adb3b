#include "core/base/table.hpp"

#include <algorithm>

namespace dihya {

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++width;
  return width;
}

std::vector<std::string> render_table(const std::vector<TableColumn>& columns,
                                      const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& column : columns) widths.push_back(display_width(column.header));
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], display_width(row[i]));
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const std::string& cell = i < cells.size() ? cells[i] : std::string();
      std::string pad(widths[i] - display_width(cell), ' ');
      bool last = i + 1 == columns.size();
      if (i > 0) out += "  ";
      if (columns[i].right)
        out += pad + cell;
      else
        out += last ? cell : cell + pad;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
  };
  std::vector<std::string> lines;
  std::vector<std::string> headers;
  for (const auto& column : columns) headers.push_back(column.header);
  lines.push_back(line(headers));
  for (const auto& row : rows) lines.push_back(line(row));
  return lines;
}

}  // namespace dihya
