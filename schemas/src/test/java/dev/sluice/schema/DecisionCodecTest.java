package dev.sluice.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.core.Reason;
import dev.sluice.core.Verdict;
import org.junit.jupiter.api.Test;

class DecisionCodecTest {
  @Test
  void shouldRenderEveryFieldInSpecOrderWithExplicitNulls() {
    Verdict v = Verdict.invalidRequest(null, "k\"1", 5, "id: is required");
    assertEquals(
        "{\"requestId\":null,\"key\":\"k\\\"1\",\"allowed\":false,\"reason\":\"INVALID_REQUEST\","
            + "\"ruleId\":null,\"limit\":-1,\"remaining\":-1,\"resetAfterMs\":-1,"
            + "\"retryAfterMs\":-1,\"limitIndex\":-1,\"granted\":-1,\"timestampMs\":5,"
            + "\"shadow\":false,"
            + "\"message\":\"id: is required\"}",
        DecisionCodec.toJson(v));
  }

  @Test
  void shouldRenderGrantedAndLimitIndexOfAnAllowedDecision() {
    Verdict v =
        new Verdict("q", "k", true, Reason.ALLOWED, "r", 100, 7, 900, 0, 5, 2, 9, false, null);
    assertEquals(
        "{\"requestId\":\"q\",\"key\":\"k\",\"allowed\":true,\"reason\":\"ALLOWED\","
            + "\"ruleId\":\"r\",\"limit\":100,\"remaining\":7,\"resetAfterMs\":900,"
            + "\"retryAfterMs\":0,\"limitIndex\":2,\"granted\":5,\"timestampMs\":9,"
            + "\"shadow\":false,\"message\":null}",
        DecisionCodec.toJson(v));
  }

  @Test
  void shouldRoundTripThroughAvro() {
    Verdict v =
        new Verdict("q", "k", true, Reason.RATE_LIMITED, "r", 3, 0, 10, 20, 0, 1, 30, true, null);
    assertEquals(v, DecisionCodec.fromAvro(DecisionCodec.toAvro(v)));
    assertEquals(v, DecisionCodec.fromAvro(AvroCodec.DECISION.decode(DecisionCodec.encode(v))));
    assertEquals(DecisionCodec.toJson(v), DecisionCodec.toJson(DecisionCodec.toAvro(v)));
  }
}
