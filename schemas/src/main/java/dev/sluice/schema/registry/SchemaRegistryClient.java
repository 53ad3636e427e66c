package dev.sluice.schema.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.schema.registry.SchemaRegistryException.Kind;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;

/**
 * A small client of the Confluent Schema Registry REST API, Avro schemas only. Thread-safe; share
 * one per process.
 *
 * <p>Calls, each one HTTP request to the first reachable URL (content type {@value #CONTENT_TYPE}):
 *
 * <ul>
 *   <li>{@link #register}: {@code POST /subjects/{subject}/versions}, body {@code {"schema":
 *       "..."}}, answer {@code {"id": n}}. Idempotent: registering a known schema returns its id.
 *   <li>{@link #lookup}: {@code POST /subjects/{subject}}, same body, answer {@code {"id": n, ...}}
 *       when the schema is already registered under the subject.
 *   <li>{@link #schemaById}: {@code GET /schemas/ids/{id}}, answer {@code {"schema": "..."}}.
 *   <li>{@link #testCompatibility}: {@code POST
 *       /compatibility/subjects/{subject}/versions/latest?verbose=true}, answer {@code
 *       {"is_compatible": b, "messages": [...]}}.
 * </ul>
 *
 * <p>Failures are {@link SchemaRegistryException}s: no connection or no answer in time is {@code
 * UNREACHABLE} / {@code TIMEOUT} (the next URL is then tried), and an error answer {@code
 * {"error_code": .., "message": ..}} maps by HTTP status: 401/403 {@code UNAUTHORIZED}, 404 {@code
 * NOT_FOUND} (40401 subject, 40402 version, 40403 schema), 409 {@code INCOMPATIBLE}, 422 {@code
 * INVALID_SCHEMA}, 5xx {@code SERVER_ERROR}. The client never retries on its own beyond trying the
 * next URL: the caller knows whether it can wait.
 *
 * <p>Caches (see {@link BoundedCache}): schema-to-id per subject and id-to-schema, each at most
 * {@link SchemaRegistryConfig#cacheCapacity()} entries (least recently used evicted first), each
 * entry fetched again once older than {@link SchemaRegistryConfig#cacheExpiry()}. When that
 * re-fetch fails with a retriable error the old entry is served instead, so a registry outage does
 * not stop records whose schemas are already known. Failures are never cached.
 */
public final class SchemaRegistryClient {
  /** The registry's content type, sent with every request body. */
  public static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  private static final String ACCEPT =
      CONTENT_TYPE + ", application/vnd.schemaregistry+json; q=0.9, application/json; q=0.5";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int BODY_SNIPPET = 200;

  /**
   * Outcome of a compatibility test.
   *
   * @param compatible whether the registry would accept the schema as the subject's next version
   * @param messages the registry's reasons when incompatible (verbose mode); may be empty,
   *     unmodifiable
   */
  public record Compatibility(boolean compatible, List<String> messages) {
    /**
     * Copies {@code messages}.
     *
     * @param compatible whether the registry would accept the schema
     * @param messages the registry's reasons; not null, no null element
     * @throws NullPointerException when {@code messages} is or holds null
     */
    public Compatibility {
      messages = List.copyOf(messages);
    }
  }

  private record SubjectSchema(String subject, String schemaJson) {}

  private final SchemaRegistryConfig config;
  private final LongSupplier nanoTicker;
  private final HttpClient http;
  private final String authorization;
  private final BoundedCache<SubjectSchema, Integer> idsBySchema;
  private final BoundedCache<Integer, Schema> schemasById;

  /**
   * A client for {@code config}. Makes no request until first used.
   *
   * @param config where the registry is and how much to cache; not null
   * @throws NullPointerException when {@code config} is null
   */
  public SchemaRegistryClient(SchemaRegistryConfig config) {
    this(config, System::nanoTime);
  }

  /** With an injected clock, so tests can expire cache entries without waiting. */
  SchemaRegistryClient(SchemaRegistryConfig config, LongSupplier nanoTicker) {
    this.config = Objects.requireNonNull(config, "config");
    this.nanoTicker = nanoTicker;
    // HTTP/1.1 explicitly: no h2c upgrade dance with registries or proxies in front of them.
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(config.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.authorization =
        config.basicAuthUserInfo() == null
            ? null
            : "Basic "
                + Base64.getEncoder()
                    .encodeToString(config.basicAuthUserInfo().getBytes(StandardCharsets.UTF_8));
    long expiry = config.cacheExpiry().toNanos();
    this.idsBySchema = new BoundedCache<>(config.cacheCapacity(), expiry, nanoTicker);
    this.schemasById = new BoundedCache<>(config.cacheCapacity(), expiry, nanoTicker);
  }

  /**
   * A client built from Sluice's properties.
   *
   * @param props Sluice's properties; keys outside {@value SchemaRegistryConfig#PREFIX} are ignored
   * @return empty when no registry URL is configured
   * @throws IllegalArgumentException for a bad registry setting (see {@link SchemaRegistryConfig})
   */
  public static Optional<SchemaRegistryClient> fromProperties(Map<?, ?> props) {
    return SchemaRegistryConfig.fromProperties(props).map(SchemaRegistryClient::new);
  }

  /**
   * The settings this client uses.
   *
   * @return the config it was built with
   */
  public SchemaRegistryConfig config() {
    return config;
  }

  /**
   * Registers {@code schema} under {@code subject} (a no-op on the registry when it is already
   * there) and returns its global id. Cached.
   *
   * @param subject the subject, e.g. from {@link TopicNameStrategy#valueSubject}
   * @param schema the Avro schema to register
   * @return the registry's global id for the schema
   * @throws SchemaRegistryException {@code INCOMPATIBLE} when the subject's compatibility rule
   *     refuses it, {@code INVALID_SCHEMA}, or a transport / server failure
   */
  public int register(String subject, Schema schema) {
    return idFor(subject, schema, true);
  }

  /**
   * The id of {@code schema}, which must already be registered under {@code subject}. Cached.
   *
   * @param subject the subject it is registered under
   * @param schema the Avro schema to look up
   * @return the registry's global id for the schema
   * @throws SchemaRegistryException {@code NOT_FOUND} (40401 no such subject, 40403 schema not
   *     registered under it), or a transport / server failure
   */
  public int lookup(String subject, Schema schema) {
    return idFor(subject, schema, false);
  }

  /**
   * The id of {@code schema} under {@code subject}: {@link #register} when {@link
   * SchemaRegistryConfig#autoRegister()} is on, else {@link #lookup}.
   *
   * @param subject the subject
   * @param schema the Avro schema
   * @return the registry's global id for the schema
   * @throws SchemaRegistryException as {@link #register} or {@link #lookup}
   */
  public int idFor(String subject, Schema schema) {
    return idFor(subject, schema, config.autoRegister());
  }

  /**
   * The writer schema registered with {@code id}. Cached; a stale entry is served when its re-fetch
   * fails with a retriable error.
   *
   * @param id the registry's global schema id
   * @return the parsed Avro schema
   * @throws SchemaRegistryException {@code NOT_FOUND} (40403) for an unknown id, {@code
   *     BAD_RESPONSE} when the schema is not Avro or uses references, or a transport / server
   *     failure
   */
  public Schema schemaById(int id) {
    Schema cached = schemasById.getFresh(id);
    if (cached != null) {
      return cached;
    }
    try {
      JsonNode body = call("GET", "/schemas/ids/" + id, null);
      Schema schema = parseSchema(body, "schema id " + id);
      schemasById.put(id, schema);
      return schema;
    } catch (SchemaRegistryException e) {
      return staleOrThrow(schemasById.getAny(id), e);
    }
  }

  /**
   * Tests whether {@code schema} could be registered under {@code subject} next, against its latest
   * version and the subject's compatibility level. Never cached.
   *
   * @param subject the subject
   * @param schema the candidate Avro schema
   * @return whether it is compatible, with the registry's reasons
   * @throws SchemaRegistryException {@code NOT_FOUND} (40401) when the subject has no version yet,
   *     {@code INVALID_SCHEMA}, or a transport / server failure
   */
  public Compatibility testCompatibility(String subject, Schema schema) {
    JsonNode body =
        call(
            "POST",
            "/compatibility/subjects/" + encodeSegment(subject) + "/versions/latest?verbose=true",
            schemaBody(schema));
    JsonNode flag = body.get("is_compatible");
    if (flag == null || !flag.isBoolean()) {
      throw badResponse("compatibility answer has no boolean is_compatible: " + snippet(body));
    }
    List<String> messages = new ArrayList<>();
    JsonNode m = body.get("messages");
    if (m != null && m.isArray()) {
      m.forEach(n -> messages.add(n.asText()));
    }
    return new Compatibility(flag.booleanValue(), messages);
  }

  long nanoTime() {
    return nanoTicker.getAsLong();
  }

  private int idFor(String subject, Schema schema, boolean register) {
    Objects.requireNonNull(subject, "subject");
    String json = schema.toString();
    SubjectSchema key = new SubjectSchema(subject, json);
    Integer cached = idsBySchema.getFresh(key);
    if (cached != null) {
      return cached;
    }
    String path =
        register
            ? "/subjects/" + encodeSegment(subject) + "/versions"
            : "/subjects/" + encodeSegment(subject);
    try {
      JsonNode body = call("POST", path, schemaBody(json));
      JsonNode id = body.get("id");
      if (id == null || !id.canConvertToInt()) {
        throw badResponse("answer to POST " + path + " has no integer id: " + snippet(body));
      }
      idsBySchema.put(key, id.intValue());
      // The registry now holds this very schema under that id: spare the decoder a GET.
      if (schemasById.getFresh(id.intValue()) == null) {
        schemasById.put(id.intValue(), schema);
      }
      return id.intValue();
    } catch (SchemaRegistryException e) {
      return staleOrThrow(idsBySchema.getAny(key), e);
    }
  }

  private static <V> V staleOrThrow(V stale, SchemaRegistryException e) {
    if (stale != null && e.isRetriable()) {
      return stale;
    }
    throw e;
  }

  private static String schemaBody(Schema schema) {
    return schemaBody(schema.toString());
  }

  private static String schemaBody(String schemaJson) {
    // Avro is the registry's default schemaType, so the field is left out as Confluent's own
    // serializers do; registries that predate schemaType accept the body too.
    ObjectNode body = JSON.createObjectNode();
    body.put("schema", schemaJson);
    return body.toString();
  }

  private static Schema parseSchema(JsonNode body, String what) {
    JsonNode type = body.get("schemaType");
    if (type != null && !type.isNull() && !"AVRO".equals(type.asText())) {
      throw badResponse(what + " is a " + type.asText() + " schema; Sluice reads Avro only");
    }
    JsonNode refs = body.get("references");
    if (refs != null && refs.isArray() && refs.size() > 0) {
      throw badResponse(what + " uses schema references, which Sluice does not resolve");
    }
    JsonNode text = body.get("schema");
    if (text == null || !text.isTextual()) {
      throw badResponse("answer for " + what + " has no schema string: " + snippet(body));
    }
    try {
      return new Schema.Parser().parse(text.textValue());
    } catch (SchemaParseException e) {
      throw new SchemaRegistryException(
          Kind.BAD_RESPONSE, 200, -1, "registry returned an unparsable Avro schema for " + what, e);
    }
  }

  /**
   * One request, tried against each URL in turn while the failure is a transport one. Answers with
   * a 2xx status are parsed as JSON; any other status becomes the matching exception.
   */
  private JsonNode call(String method, String pathAndQuery, String body) {
    SchemaRegistryException last = null;
    List<String> tried = new ArrayList<>();
    for (URI base : config.urls()) {
      String url = stripSlash(base.toString()) + pathAndQuery;
      tried.add(url);
      HttpRequest.Builder req =
          HttpRequest.newBuilder(URI.create(url))
              .timeout(config.requestTimeout())
              .header("Accept", ACCEPT);
      if (authorization != null) {
        req.header("Authorization", authorization);
      }
      if (body == null) {
        req.GET();
      } else {
        req.header("Content-Type", CONTENT_TYPE)
            .method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
      }
      HttpResponse<String> resp;
      try {
        resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      } catch (HttpConnectTimeoutException e) {
        last =
            unreachable(
                method,
                url,
                "no connection within "
                    + config.connectTimeout().toMillis()
                    + " ms ("
                    + SchemaRegistryConfig.CONNECT_TIMEOUT_MS
                    + ")",
                e);
        continue;
      } catch (HttpTimeoutException e) {
        last =
            new SchemaRegistryException(
                Kind.TIMEOUT,
                -1,
                -1,
                "schema registry did not answer "
                    + method
                    + " "
                    + url
                    + " within "
                    + config.requestTimeout().toMillis()
                    + " ms ("
                    + SchemaRegistryConfig.REQUEST_TIMEOUT_MS
                    + ")",
                e);
        continue;
      } catch (ConnectException e) {
        last = unreachable(method, url, "connection refused or host unreachable", e);
        continue;
      } catch (IOException e) {
        last = unreachable(method, url, e.toString(), e);
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw unreachable(method, url, "interrupted while waiting for the answer", e);
      }
      return handle(method, url, resp);
    }
    if (tried.size() > 1) {
      throw new SchemaRegistryException(
          last.kind(), -1, -1, last.getMessage() + " (every URL failed: " + tried + ")", last);
    }
    throw last;
  }

  private static SchemaRegistryException unreachable(
      String method, String url, String why, Throwable cause) {
    return new SchemaRegistryException(
        Kind.UNREACHABLE,
        -1,
        -1,
        "schema registry unreachable for "
            + method
            + " "
            + url
            + ": "
            + why
            + "; check "
            + SchemaRegistryConfig.URL
            + " and that the registry is running",
        cause);
  }

  private static JsonNode handle(String method, String url, HttpResponse<String> resp) {
    int status = resp.statusCode();
    String text = resp.body() == null ? "" : resp.body();
    JsonNode json = null;
    try {
      json = text.isBlank() ? null : JSON.readTree(text);
    } catch (JsonProcessingException e) {
      if (status / 100 == 2) {
        throw unexpectedBody(method, url, status, "a body that is not JSON", text, e);
      }
    }
    if (status / 100 == 2) {
      if (json == null || !json.isObject()) {
        throw unexpectedBody(method, url, status, "no JSON object", text, null);
      }
      return json;
    }
    int code = -1;
    String message = snippet(text);
    if (json != null && json.isObject()) {
      JsonNode c = json.get("error_code");
      if (c != null && c.canConvertToInt()) {
        code = c.intValue();
      }
      JsonNode m = json.get("message");
      if (m != null && m.isTextual()) {
        message = m.textValue();
      }
    }
    Kind kind;
    String hint;
    if (status == 401 || status == 403) {
      kind = Kind.UNAUTHORIZED;
      hint = "check " + SchemaRegistryConfig.BASIC_AUTH_USER_INFO + " and the registry's ACLs";
    } else if (status == 404) {
      kind = Kind.NOT_FOUND;
      hint =
          switch (code) {
            case SchemaRegistryException.SUBJECT_NOT_FOUND -> "subject not found";
            case SchemaRegistryException.VERSION_NOT_FOUND -> "version not found";
            case SchemaRegistryException.SCHEMA_NOT_FOUND -> "schema not found";
            default -> "not found (is the URL the registry's root?)";
          };
    } else if (status == 409) {
      kind = Kind.INCOMPATIBLE;
      hint = "the schema breaks the subject's compatibility level: evolve it compatibly";
    } else if (status == 422) {
      kind = Kind.INVALID_SCHEMA;
      hint = "the registry refused the schema or request as invalid";
    } else if (status / 100 == 5) {
      kind = Kind.SERVER_ERROR;
      hint = "registry-side failure; retry later";
    } else {
      kind = Kind.BAD_RESPONSE;
      hint = "status not in the registry protocol";
    }
    throw new SchemaRegistryException(
        kind,
        status,
        code,
        "schema registry refused "
            + method
            + " "
            + url
            + ": HTTP "
            + status
            + (code < 0 ? "" : " error_code " + code)
            + ": "
            + message
            + " ("
            + hint
            + ")");
  }

  /** A 2xx answer whose body is not what the API promises ({@code what}: what it was instead). */
  private static SchemaRegistryException unexpectedBody(
      String method, String url, int status, String what, String text, Exception cause) {
    return new SchemaRegistryException(
        Kind.BAD_RESPONSE,
        status,
        -1,
        "schema registry answered " + method + " " + url + " with " + what + ": " + snippet(text),
        cause);
  }

  private static SchemaRegistryException badResponse(String message) {
    return new SchemaRegistryException(Kind.BAD_RESPONSE, 200, -1, message);
  }

  private static String snippet(Object body) {
    String s = String.valueOf(body);
    return s.length() <= BODY_SNIPPET ? s : s.substring(0, BODY_SNIPPET) + "...";
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  /** Percent-encodes one path segment (RFC 3986 unreserved characters pass through). */
  static String encodeSegment(String segment) {
    StringBuilder out = new StringBuilder();
    for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xFF);
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append(c);
      } else {
        out.append('%')
            .append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)))
            .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
      }
    }
    return out.toString();
  }
}
