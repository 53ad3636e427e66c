package dev.sluice.app;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The connection options every admin command shares: {@code --config FILE} and {@code
 * --bootstrap-servers HOST:PORT}. With neither (and no {@code SLUICE_BOOTSTRAP_SERVERS}), commands
 * talk to {@code localhost:9092}, where {@code sluice local} listens by default.
 */
final class ClientOptions {
  static final Set<String> NAMES = Set.of("--config", "--bootstrap-servers");
  static final String DEFAULT_BOOTSTRAP = "localhost:9092";
  static final String USAGE = "[--config FILE] [--bootstrap-servers HOST:PORT]";

  private ClientOptions() {}

  static AppConfig config(Args args, Io io) {
    String file = args.value("--config");
    Map<String, String> overrides = new HashMap<>();
    if (args.value("--bootstrap-servers") != null) {
      overrides.put("bootstrap.servers", args.value("--bootstrap-servers"));
    }
    Map<String, String> env = io.env();
    boolean anySource =
        file != null || !overrides.isEmpty() || env.containsKey("SLUICE_BOOTSTRAP_SERVERS");
    if (!anySource) {
      overrides.put("bootstrap.servers", DEFAULT_BOOTSTRAP);
    }
    AppConfig config = AppConfig.forClient(file == null ? null : Path.of(file), env, overrides);
    return config;
  }
}
