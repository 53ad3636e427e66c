package dev.sluice.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;

/**
 * Sets up the principals of a secured cluster the way {@code sluice local --secure} needs them:
 * SCRAM-SHA-512 credentials with random passwords (Admin {@code alterUserScramCredentials}) and the
 * ACLs of an {@link AclPlan} (Admin {@code createAcls}), through an admin client logged in as a
 * super user. It returns only once every user can log in and every ACL is in force, since both
 * travel through the metadata log and reach the broker a moment after the call returns.
 *
 * <p>The passwords live in this object and in the properties files {@link #writeConfigs} writes
 * (owner-only permissions); {@link #toString()} never shows them.
 */
public final class LocalSecurity {
  /** SCRAM iterations for the users created here (Kafka's minimum is 4096). */
  static final int ITERATIONS = 8192;

  private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(60);

  private final String bootstrapServers;
  private final Map<String, String> passwords;

  private LocalSecurity(String bootstrapServers, Map<String, String> passwords) {
    this.bootstrapServers = bootstrapServers;
    this.passwords = Collections.unmodifiableMap(new LinkedHashMap<>(passwords));
  }

  /**
   * Creates {@code users} with fresh random passwords and applies {@code plan}, then waits until
   * both are in force.
   *
   * @param superUser an admin client logged in as a super user
   * @param bootstrapServers what the users' clients connect to
   * @throws IllegalStateException when the broker refuses or does not apply them in time
   */
  public static LocalSecurity setUp(
      Admin superUser, String bootstrapServers, List<String> users, AclPlan plan) {
    Map<String, String> passwords = new LinkedHashMap<>();
    users.forEach(u -> passwords.put(u, Scram.newPassword()));
    createUsers(superUser, passwords);
    awaitUsersListed(superUser, passwords.keySet());
    LocalSecurity security = new LocalSecurity(bootstrapServers, passwords);
    security.awaitLogins();
    applyAcls(superUser, plan);
    return security;
  }

  /**
   * Creates or replaces SCRAM-SHA-512 credentials.
   *
   * @throws IllegalStateException when the broker refuses
   */
  public static void createUsers(Admin superUser, Map<String, String> passwords) {
    List<UserScramCredentialAlteration> upserts = new ArrayList<>();
    passwords.forEach(
        (user, password) ->
            upserts.add(
                new UserScramCredentialUpsertion(
                    user,
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, ITERATIONS),
                    password)));
    get(superUser.alterUserScramCredentials(upserts).all(), "create SCRAM users");
  }

  /**
   * Creates the plan's ACLs and waits until the broker's authorizer holds every one of them.
   *
   * @throws IllegalStateException when the broker refuses or does not apply them in time
   */
  public static void applyAcls(Admin superUser, AclPlan plan) {
    List<AclBinding> bindings = plan.bindings();
    get(superUser.createAcls(bindings).all(), "create ACLs");
    long deadline = System.nanoTime() + SETUP_TIMEOUT.toNanos();
    while (true) {
      Set<AclBinding> present =
          new HashSet<>(get(superUser.describeAcls(AclBindingFilter.ANY).values(), "list ACLs"));
      if (present.containsAll(bindings)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the broker did not apply the ACLs within " + SETUP_TIMEOUT.toSeconds() + " s");
      }
      sleep(50);
    }
  }

  /** The users created, in order. */
  public List<String> users() {
    return List.copyOf(passwords.keySet());
  }

  /**
   * {@code bootstrap.servers} and the SASL settings ({@link Scram#clientSettings}) that log in as
   * {@code user}.
   *
   * @throws IllegalArgumentException for a user not created here
   */
  public Map<String, String> clientSettings(String user) {
    String password = passwords.get(user);
    if (password == null) {
      throw new IllegalArgumentException("no such user: " + user);
    }
    Map<String, String> s = new LinkedHashMap<>();
    s.put("bootstrap.servers", bootstrapServers);
    s.putAll(Scram.clientSettings(user, password));
    return s;
  }

  /**
   * Writes {@code <user>.properties} per user into {@code dir} (created if needed): that user's
   * {@link #clientSettings} plus {@code extra.get(user)}, readable and writable by the owner only,
   * since they hold passwords.
   *
   * @param extra more settings per user (e.g. the app's {@code application.id}); may lack users
   * @return the files, by user
   */
  public Map<String, Path> writeConfigs(Path dir, Map<String, Map<String, String>> extra) {
    Map<String, Path> files = new LinkedHashMap<>();
    try {
      Files.createDirectories(dir);
      for (String user : passwords.keySet()) {
        Path file = dir.resolve(user + ".properties");
        createOwnerOnly(file);
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
          w.write(
              "# Kafka client settings of "
                  + AclPlan.principal(user)
                  + " for this `sluice local --secure` run (random password, deleted on stop).\n");
          w.write(
              "# SASL_PLAINTEXT: authenticated, not encrypted; loopback only."
                  + " See docs/SECURITY.md.\n");
          Map<String, String> all = new LinkedHashMap<>(clientSettings(user));
          all.putAll(extra.getOrDefault(user, Map.of()));
          for (Map.Entry<String, String> e : all.entrySet()) {
            w.write(escape(e.getKey(), true) + "=" + escape(e.getValue(), false) + "\n");
          }
        }
        files.put(user, file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write client configs to " + dir, e);
    }
    return files;
  }

  private static void createOwnerOnly(Path file) throws IOException {
    Files.deleteIfExists(file);
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createFile(
          file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } else {
      Files.createFile(file);
    }
  }

  /** Properties-file escaping of what our values can hold: backslash, and separators in keys. */
  private static String escape(String s, boolean key) {
    String out = s.replace("\\", "\\\\");
    return key ? out.replace("=", "\\=").replace(":", "\\:").replace(" ", "\\ ") : out;
  }

  /**
   * Waits until the broker lists every user: the controller has committed the credentials and the
   * broker has applied them, so a first login attempt does not fail (and log an error).
   */
  private static void awaitUsersListed(Admin superUser, Set<String> users) {
    long deadline = System.nanoTime() + SETUP_TIMEOUT.toNanos();
    while (true) {
      Set<String> listed = new HashSet<>();
      try {
        superUser
            .describeUserScramCredentials()
            .all()
            .get(5, TimeUnit.SECONDS)
            .forEach((user, description) -> listed.add(user));
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        // Retried below: the caller's login check is the real test.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for SCRAM users", e);
      }
      if (listed.containsAll(users) || System.nanoTime() > deadline) {
        return;
      }
      sleep(50);
    }
  }

  /** Waits until every user can log in: SCRAM credentials reach the broker asynchronously. */
  private void awaitLogins() {
    long deadline = System.nanoTime() + SETUP_TIMEOUT.toNanos();
    for (String user : passwords.keySet()) {
      Map<String, Object> conf = new HashMap<>(clientSettings(user));
      conf.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000);
      conf.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
      conf.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 50);
      while (true) {
        try (Admin admin = Admin.create(conf)) {
          admin.describeCluster().clusterId().get(2, TimeUnit.SECONDS);
          break;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for SCRAM users", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                "user " + user + " cannot log in within " + SETUP_TIMEOUT.toSeconds() + " s", e);
          }
          sleep(100);
        }
      }
    }
  }

  private static <T> T get(org.apache.kafka.common.KafkaFuture<T> future, String what) {
    try {
      return future.get(SETUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot " + what + ": " + e.getCause().getMessage(), e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException(
          "cannot " + what + " within " + SETUP_TIMEOUT.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + what, e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public String toString() {
    return "LocalSecurity{users=" + passwords.keySet() + ", passwords hidden}";
  }
}
