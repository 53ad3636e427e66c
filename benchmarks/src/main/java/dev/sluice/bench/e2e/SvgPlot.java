package dev.sluice.bench.e2e;

import java.util.List;
import java.util.Locale;

/**
 * A latency-by-percentile chart as a self-contained SVG: x is the percentile on the usual {@code
 * 1/(1-p)} log scale (50, 90, 99, 99.9, 99.99), y is latency in milliseconds on a log scale. One
 * polyline per series; dashed series are the raw relay / hop baselines.
 */
final class SvgPlot {
  /** One curve: percentiles (0-100, below 100) and latencies in ms, same length. */
  record Series(String name, boolean dashed, double[] percentiles, double[] millis) {}

  static final double[] PERCENTILES = {50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99};
  private static final String[] COLORS = {
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
    "#7f7f7f", "#bcbd22"
  };
  private static final int W = 900;
  private static final int H = 520;
  private static final int LEFT = 70;
  private static final int RIGHT = 260;
  private static final int TOP = 40;
  private static final int BOTTOM = 50;

  private SvgPlot() {}

  static double xOf(double percentile) {
    return Math.log10(1 / (1 - percentile / 100.0));
  }

  /** The SVG document; an empty list gives axes only. */
  static String render(String title, List<Series> series) {
    double yMin = 0.1;
    double yMax = 1;
    for (Series s : series) {
      for (double v : s.millis()) {
        yMax = Math.max(yMax, v);
        if (v > 0) {
          yMin = Math.min(yMin, v);
        }
      }
    }
    double lo = Math.floor(Math.log10(yMin));
    double hi = Math.ceil(Math.log10(yMax));
    if (hi <= lo) {
      hi = lo + 1;
    }
    double xMax = xOf(PERCENTILES[PERCENTILES.length - 1]);
    double plotW = W - LEFT - RIGHT;
    double plotH = H - TOP - BOTTOM;
    StringBuilder b = new StringBuilder();
    b.append(
        f(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">\n",
            W, H));
    b.append(f("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", W, H));
    b.append(f("<text x=\"%d\" y=\"22\" font-size=\"15\">%s</text>\n", LEFT, escape(title)));
    for (double p : PERCENTILES) {
      double x = LEFT + xOf(p) / xMax * plotW;
      b.append(
          f(
              "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n",
              x, TOP, x, H - BOTTOM));
      b.append(
          f(
              "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">p%s</text>\n",
              x, H - BOTTOM + 16, trim(p)));
    }
    for (double e = lo; e <= hi; e++) {
      double y = TOP + plotH - (e - lo) / (hi - lo) * plotH;
      b.append(
          f(
              "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
              LEFT, y, W - RIGHT, y));
      b.append(
          f(
              "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s ms</text>\n",
              LEFT - 6, y + 4, trim(Math.pow(10, e))));
    }
    b.append(
        f(
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile (log scale of 1/(1-p))"
                + "</text>\n",
            LEFT + (int) plotW / 2, H - 12));
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      String color = COLORS[i % COLORS.length];
      StringBuilder pts = new StringBuilder();
      for (int j = 0; j < s.percentiles().length; j++) {
        double v = Math.max(Math.pow(10, lo), s.millis()[j]);
        double x = LEFT + xOf(s.percentiles()[j]) / xMax * plotW;
        double y = TOP + plotH - (Math.log10(v) - lo) / (hi - lo) * plotH;
        pts.append(f("%.1f,%.1f ", x, y));
      }
      b.append(
          f(
              "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"%s\"/>\n",
              color, s.dashed() ? " stroke-dasharray=\"6,4\"" : "", pts.toString().trim()));
      int ly = TOP + 10 + i * 18;
      b.append(
          f(
              "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>\n",
              W - RIGHT + 10,
              ly,
              W - RIGHT + 34,
              ly,
              color,
              s.dashed() ? " stroke-dasharray=\"6,4\"" : ""));
      b.append(f("<text x=\"%d\" y=\"%d\">%s</text>\n", W - RIGHT + 40, ly + 4, escape(s.name())));
    }
    b.append("</svg>\n");
    return b.toString();
  }

  private static String trim(double v) {
    String s = String.format(Locale.ROOT, "%.4f", v);
    s = s.replaceAll("0+$", "");
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  private static String f(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }

  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
