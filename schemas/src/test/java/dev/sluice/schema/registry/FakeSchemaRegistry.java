package dev.sluice.schema.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaParseException;

/**
 * A JDK {@link HttpServer} on 127.0.0.1 that replays the documented Confluent Schema Registry
 * protocol for the four calls Sluice makes, with BACKWARD compatibility (a new version must read
 * the latest one), and records every request it gets. Not a registry: it exists so the client's
 * requests and its handling of each documented answer can be checked without one.
 *
 * <p>Documented answers replayed: {@code {"id":n}} on register; 404 {@code 40401} unknown subject,
 * {@code 40403} unknown schema or id; 409 incompatible; 422 {@code 42201} invalid schema; tests
 * script others (5xx, bad bodies) with {@link #answerNext} and slowness with {@link #delayAnswers}.
 */
public final class FakeSchemaRegistry implements AutoCloseable {
  /** One request as received. */
  record Recorded(
      String method,
      String rawPathAndQuery,
      String contentType,
      String accept,
      String authorization,
      String body) {}

  private record Scripted(int status, String body) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor;
  private final List<Recorded> requests = new ArrayList<>();
  private final Deque<Scripted> scripted = new ArrayDeque<>();
  private final Map<String, List<Integer>> versionsBySubject = new LinkedHashMap<>();
  private final Map<Integer, String> schemaById = new HashMap<>();
  private final Map<String, Integer> idBySchema = new HashMap<>();
  private int nextId = 1;
  private volatile Duration delay = Duration.ZERO;
  private volatile String requiredAuthorization;

  private FakeSchemaRegistry() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "fake-registry");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Starts a registry on a free loopback port. */
  public static FakeSchemaRegistry start() throws IOException {
    return new FakeSchemaRegistry();
  }

  /** A URL where nothing listens: a port that was free a moment ago. */
  public static String closedPortUrl() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "http://127.0.0.1:" + s.getLocalPort();
    }
  }

  /** The base URL, for {@code sluice.schema.registry.url}. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Registers directly (not through HTTP, not recorded), as another producer would have. */
  public synchronized int seed(String subject, Schema schema) {
    return registerLocked(subject, schema.toString());
  }

  /** The next request gets this answer instead of the protocol's. */
  synchronized void answerNext(int status, String body) {
    scripted.add(new Scripted(status, body));
  }

  /** Every answer is held back this long. */
  void delayAnswers(Duration d) {
    delay = d;
  }

  /** Requests without these basic-auth credentials get 401. */
  void requireBasicAuth(String user, String password) {
    requiredAuthorization =
        "Basic "
            + java.util.Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  synchronized List<Recorded> requests() {
    return List.copyOf(requests);
  }

  synchronized void clearRequests() {
    requests.clear();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      URI uri = ex.getRequestURI();
      Recorded rec =
          new Recorded(
              ex.getRequestMethod(),
              uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()),
              ex.getRequestHeaders().getFirst("Content-Type"),
              ex.getRequestHeaders().getFirst("Accept"),
              ex.getRequestHeaders().getFirst("Authorization"),
              body);
      Scripted answer;
      synchronized (this) {
        requests.add(rec);
        answer = scripted.poll();
      }
      Duration d = delay;
      if (!d.isZero()) {
        try {
          Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      if (answer == null) {
        String auth = requiredAuthorization;
        if (auth != null && !auth.equals(rec.authorization())) {
          answer = error(401, 401, "Unauthorized");
        } else {
          synchronized (this) {
            try {
              answer = protocol(rec.method(), uri.getRawPath(), body);
            } catch (RuntimeException e) {
              // A bug in this fake, not a protocol answer: make it loud in the test output.
              e.printStackTrace();
              answer = new Scripted(599, "fake registry bug: " + e);
            }
          }
        }
      }
      byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", SchemaRegistryClient.CONTENT_TYPE);
      ex.sendResponseHeaders(answer.status(), out.length == 0 ? -1 : out.length);
      if (out.length > 0) {
        try (OutputStream os = ex.getResponseBody()) {
          os.write(out);
        }
      }
    }
  }

  private Scripted protocol(String method, String rawPath, String body) {
    String[] p = rawPath.substring(1).split("/", -1);
    for (int i = 0; i < p.length; i++) {
      p[i] = URLDecoder.decode(p[i], StandardCharsets.UTF_8);
    }
    if (method.equals("GET") && p.length == 3 && p[0].equals("schemas") && p[1].equals("ids")) {
      String schema = schemaById.get(Integer.valueOf(p[2]));
      if (schema == null) {
        return error(
            404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema " + p[2] + " not found");
      }
      ObjectNode out = JSON.createObjectNode();
      out.put("schema", schema);
      return new Scripted(200, out.toString());
    }
    if (!method.equals("POST")) {
      return error(404, 404, "HTTP 404 Not Found");
    }
    Schema schema;
    try {
      JsonNode json = JSON.readTree(body);
      schema = new Schema.Parser().parse(json.get("schema").textValue());
    } catch (IOException | SchemaParseException | NullPointerException e) {
      return error(422, SchemaRegistryException.INVALID_SCHEMA_CODE, "Invalid schema " + e);
    }
    if (p.length == 3 && p[0].equals("subjects") && p[2].equals("versions")) {
      String subject = p[1];
      String s = schema.toString();
      List<Integer> versions = versionsBySubject.getOrDefault(subject, List.of());
      Integer known = idBySchema.get(s);
      if (!versions.isEmpty() && (known == null || !versions.contains(known))) {
        Schema latest =
            new Schema.Parser().parse(schemaById.get(versions.get(versions.size() - 1)));
        if (!compatible(schema, latest)) {
          return error(
              409,
              409,
              "Schema being registered is incompatible with an earlier schema for subject \""
                  + subject
                  + "\"");
        }
      }
      return new Scripted(200, "{\"id\":" + registerLocked(subject, s) + "}");
    }
    if (p.length == 2 && p[0].equals("subjects")) {
      List<Integer> versions = versionsBySubject.get(p[1]);
      if (versions == null) {
        return error(
            404, SchemaRegistryException.SUBJECT_NOT_FOUND, "Subject '" + p[1] + "' not found.");
      }
      Integer id = idBySchema.get(schema.toString());
      if (id == null || !versions.contains(id)) {
        return error(404, SchemaRegistryException.SCHEMA_NOT_FOUND, "Schema not found");
      }
      ObjectNode out = JSON.createObjectNode();
      out.put("subject", p[1]);
      out.put("version", versions.indexOf(id) + 1);
      out.put("id", id);
      out.put("schema", schema.toString());
      return new Scripted(200, out.toString());
    }
    if (p.length == 5
        && p[0].equals("compatibility")
        && p[1].equals("subjects")
        && p[3].equals("versions")
        && p[4].equals("latest")) {
      List<Integer> versions = versionsBySubject.get(p[2]);
      if (versions == null) {
        return error(
            404, SchemaRegistryException.SUBJECT_NOT_FOUND, "Subject '" + p[2] + "' not found.");
      }
      Schema latest = new Schema.Parser().parse(schemaById.get(versions.get(versions.size() - 1)));
      ObjectNode out = JSON.createObjectNode();
      boolean ok = compatible(schema, latest);
      out.put("is_compatible", ok);
      if (!ok) {
        out.putArray("messages")
            .add(
                SchemaCompatibility.checkReaderWriterCompatibility(schema, latest)
                    .getResult()
                    .getIncompatibilities()
                    .get(0)
                    .toString());
      }
      return new Scripted(200, out.toString());
    }
    return error(404, 404, "HTTP 404 Not Found");
  }

  private static boolean compatible(Schema reader, Schema writer) {
    return SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getType()
        == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE;
  }

  private int registerLocked(String subject, String schema) {
    Integer id = idBySchema.get(schema);
    if (id == null) {
      id = nextId++;
      idBySchema.put(schema, id);
      schemaById.put(id, schema);
    }
    List<Integer> versions = versionsBySubject.computeIfAbsent(subject, k -> new ArrayList<>());
    if (!versions.contains(id)) {
      versions.add(id);
    }
    return id;
  }

  private static Scripted error(int status, int code, String message) {
    ObjectNode out = JSON.createObjectNode();
    out.put("error_code", code);
    out.put("message", message);
    return new Scripted(status, out.toString());
  }
}
