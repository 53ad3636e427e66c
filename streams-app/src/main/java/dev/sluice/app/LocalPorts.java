package dev.sluice.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback ports for what {@code sluice local} starts in this process (broker, HTTP). */
final class LocalPorts {
  private LocalPorts() {}

  /**
   * {@code preferred} when it can be bound on the loopback address now, else any free port (0 or
   * less always means any). Another process may still take the port before it is used.
   */
  static int preferredOrFree(int preferred) {
    return isFree(preferred) ? preferred : free();
  }

  /** A port the system says is free now. */
  static int free() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free local port", e);
    }
  }

  private static boolean isFree(int port) {
    if (port <= 0) {
      return false;
    }
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return s.isBound();
    } catch (IOException e) {
      return false;
    }
  }
}
