package dev.sluice.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SvgPlotTest {
  @Test
  void shouldDrawOnePolylinePerSeriesWithEscapedLegends() {
    String svg =
        SvgPlot.render(
            "a <b>",
            List.of(
                new SvgPlot.Series(
                    "sluice 1000/s", false, new double[] {50, 99}, new double[] {1, 3}),
                new SvgPlot.Series(
                    "relay & co", true, new double[] {50, 99}, new double[] {0.5, 2})));
    assertTrue(svg.startsWith("<svg "), svg);
    assertTrue(svg.trim().endsWith("</svg>"), svg);
    assertEquals(2, svg.split("<polyline", -1).length - 1);
    assertTrue(svg.contains("relay &amp; co"), svg);
    assertTrue(svg.contains("a &lt;b&gt;"), svg);
    assertEquals(1, svg.split("stroke-dasharray=\"6,4\" points", -1).length - 1);
  }

  @Test
  void shouldPlaceP99TwiceAsFarAsP90() {
    assertEquals(2 * SvgPlot.xOf(90), SvgPlot.xOf(99), 1e-9);
  }
}
