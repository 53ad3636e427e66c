package dev.sluice.app;

import java.util.ArrayList;
import java.util.List;

/** Left-aligned text columns, each as wide as its widest cell, for terminal output. */
final class TextTable {
  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  TextTable(String... header) {
    this.header = List.of(header);
  }

  TextTable add(Object... cells) {
    if (cells.length != header.size()) {
      throw new IllegalArgumentException("expected " + header.size() + " cells");
    }
    List<String> row = new ArrayList<>();
    for (Object c : cells) {
      row.add(String.valueOf(c));
    }
    rows.add(row);
    return this;
  }

  int size() {
    return rows.size();
  }

  /** The widths of each column: the widest of header and cells. */
  int[] widths() {
    int[] w = new int[header.size()];
    for (int i = 0; i < w.length; i++) {
      w[i] = header.get(i).length();
      for (List<String> row : rows) {
        w[i] = Math.max(w[i], row.get(i).length());
      }
    }
    return w;
  }

  static String line(List<String> cells, int[] widths) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String c = cells.get(i);
      sb.append(c);
      if (i < cells.size() - 1) {
        sb.append(" ".repeat(Math.max(0, widths[i] - c.length()) + 2));
      }
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    int[] w = widths();
    StringBuilder sb = new StringBuilder(line(header, w)).append('\n');
    for (List<String> row : rows) {
      sb.append(line(row, w)).append('\n');
    }
    return sb.toString();
  }
}
