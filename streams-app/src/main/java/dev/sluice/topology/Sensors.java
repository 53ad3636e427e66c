package dev.sluice.topology;

import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * Sluice's counters, registered with Kafka Streams' metrics so that they appear beside its own (JMX
 * and any registry bound to {@code KafkaStreams#metrics()}): group {@code stream-sluice-metrics},
 * tag {@code sluice-id} = the task id, metrics {@code <name>-total} and {@code <name>-rate}.
 */
final class Sensors {
  /** The metrics scope: group {@code stream-sluice-metrics}. */
  static final String SCOPE = "sluice";

  private Sensors() {}

  static Sensor rateTotal(ProcessorContext<?, ?> context, String operation) {
    return context
        .metrics()
        .addRateTotalSensor(
            SCOPE, context.taskId().toString(), operation, Sensor.RecordingLevel.INFO);
  }
}
