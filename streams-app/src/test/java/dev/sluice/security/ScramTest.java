package dev.sluice.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.app.Scram;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** SCRAM client settings and the random passwords of {@code sluice local --secure}. */
class ScramTest {
  @Test
  void passwordsShouldBeRandomAndNeedNoQuoting() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String p = Scram.newPassword();
      assertEquals(32, p.length(), "24 random bytes as unpadded base64url");
      assertTrue(p.matches("[A-Za-z0-9_-]+"), p);
      assertTrue(seen.add(p), "repeated password " + p);
    }
  }

  @Test
  void clientSettingsShouldLogInWithScramSha512() {
    assertEquals(
        "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"sluice-app\" password=\"s3cret\";",
        Scram.clientSettings("sluice-app", "s3cret").get("sasl.jaas.config"));
    assertEquals("SCRAM-SHA-512", Scram.clientSettings("u", "p").get("sasl.mechanism"));
    assertEquals("SASL_PLAINTEXT", Scram.clientSettings("u", "p").get("security.protocol"));
  }

  @Test
  void jaasConfigShouldRefuseValuesThatWouldBreakOutOfTheirQuotes() {
    for (String bad : new String[] {"a\"b", "a\\b", "a;b", "a\nb", ""}) {
      assertThrows(IllegalArgumentException.class, () -> Scram.jaasConfig("u", bad), bad);
      assertThrows(IllegalArgumentException.class, () -> Scram.jaasConfig(bad, "p"), bad);
    }
  }
}
