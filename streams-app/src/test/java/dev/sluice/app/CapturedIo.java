package dev.sluice.app;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** An {@link Io} whose output and error a test reads back as UTF-8 text. */
public final class CapturedIo {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final Io io;

  /** Empty output and error, no environment. */
  public CapturedIo() {
    this(Map.of());
  }

  /** Empty output and error, with {@code env} as the environment. */
  public CapturedIo(Map<String, String> env) {
    io =
        new Io(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            env);
  }

  /** What a command is given. */
  public Io io() {
    return io;
  }

  /** Everything written to standard output so far (or since {@link #clearOut()}). */
  public String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Everything written to standard error so far. */
  public String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** Forgets the output written so far. */
  public void clearOut() {
    out.reset();
  }
}
