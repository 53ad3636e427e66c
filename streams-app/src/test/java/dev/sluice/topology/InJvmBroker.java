package dev.sluice.topology;

import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * One combined broker and KRaft controller in this JVM with replication factors of 1, as the
 * streams-app integration tests start it; the caller creates its topics and closes the cluster.
 */
public final class InJvmBroker {
  private InJvmBroker() {}

  /**
   * Starts the cluster and waits until the broker is ready.
   *
   * @param brokerOverrides extra broker settings (none for the defaults)
   */
  public static KafkaClusterTestKit start(Map<String, String> brokerOverrides) throws Exception {
    KafkaClusterTestKit.Builder builder =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .build())
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("transaction.state.log.replication.factor", "1")
            .setConfigProp("transaction.state.log.min.isr", "1")
            .setConfigProp("group.initial.rebalance.delay.ms", "0");
    brokerOverrides.forEach(builder::setConfigProp);
    KafkaClusterTestKit cluster = builder.build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    return cluster;
  }
}
