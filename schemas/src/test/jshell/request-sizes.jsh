// Request sizes quoted in docs/SECURITY.md (1.5). Deterministic: the same on every machine. Run
// from the repository root after a build (`bin/sluice` writes the classpath file):
//   jshell --class-path "$(cat streams-app/target/runtime-classpath.txt)" \
//     schemas/src/test/jshell/request-sizes.jsh
// A request with a UUID id, a 19-character key, three metadata entries, cost 1 and a reply
// partition, as the decision-client writes it (Avro) and as JSON.
var id = "0f8e2a9c-3b1d-4c5e-9a7f-1e2d3c4b5a69";
var r = dev.sluice.avro.RateLimitRequest.newBuilder().
    setId(id).
    setKey("api:customer-123456").
    setMetadata(java.util.Map.of("region", "eu-west-1", "route", "/checkout", "method", "POST")).
    setCost(1L).
    setReplyPartition(3).
    setReplyTopic(null).
    build();
System.out.println("Avro single-object: " + dev.sluice.schema.AvroCodec.REQUEST.encode(r).length + " bytes");
var json = "{\"id\":\"" + id + "\",\"key\":\"api:customer-123456\",\"metadata\":{\"region\":\"eu-west-1\"," +
    "\"route\":\"/checkout\",\"method\":\"POST\"},\"cost\":1,\"replyPartition\":3}";
System.out.println("JSON: " + json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + " bytes");
/exit
