package dev.sluice.app;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * SASL/SCRAM-SHA-512 client settings, and the random passwords {@code sluice local --secure} gives
 * its users.
 */
public final class Scram {
  /** The one SCRAM mechanism Sluice's secure mode enables. */
  public static final String MECHANISM = "SCRAM-SHA-512";

  /** The security protocol of the embedded broker's client listener (loopback only). */
  public static final String LOCAL_PROTOCOL = "SASL_PLAINTEXT";

  private static final SecureRandom RANDOM = new SecureRandom();

  private Scram() {}

  /**
   * The three Kafka client settings that log in as {@code user} over SASL/SCRAM-SHA-512 on the
   * embedded broker's {@value #LOCAL_PROTOCOL} listener. Against a real cluster use {@code
   * SASL_SSL} and add the {@code ssl.truststore.*} settings (docs/SECURITY.md).
   */
  public static Map<String, String> clientSettings(String user, String password) {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("security.protocol", LOCAL_PROTOCOL);
    s.put("sasl.mechanism", MECHANISM);
    s.put("sasl.jaas.config", jaasConfig(user, password));
    return s;
  }

  /**
   * A {@code sasl.jaas.config} value for the SCRAM login module.
   *
   * @throws IllegalArgumentException when the user or password holds a character that would need
   *     JAAS quoting ({@code "}, {@code \}, {@code ;}) or a control character
   */
  public static String jaasConfig(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + checked("user", user)
        + "\" password=\""
        + checked("password", password)
        + "\";";
  }

  /**
   * A fresh random password: 24 bytes from {@link SecureRandom} as unpadded base64url, so that it
   * needs no quoting in JAAS, properties files or {@code kafka-storage --add-scram}.
   */
  public static String newPassword() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String checked(String what, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("SCRAM " + what + " must not be empty");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\' || c == ';' || Character.isISOControl(c)) {
        throw new IllegalArgumentException(
            "SCRAM " + what + " must not contain quotes, backslashes, ';' or control characters");
      }
    }
    return value;
  }
}
