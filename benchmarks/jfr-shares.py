#!/usr/bin/env python3
"""Shares of a JFR recording's stack samples in Sluice's stream thread, by part of the work.

Usage: jfr print --events jdk.ExecutionSample --stack-depth 60 rec.jfr > samples.txt
       python3 benchmarks/jfr-shares.py samples.txt

Counts the samples of threads named ...-StreamThread-N (not their producers), leaving out those
taken while the rule validator loaded the rules; a sample counts for every part whose frame is on
its stack, so the rows overlap (docs/PERFORMANCE.md, the profile sections).
"""
import collections
import re
import sys

from jfr_samples import samples

PARTS = {
    "Kafka Streams' per-record loop (StreamTask.process)": [
        "org.apache.kafka.streams.processor.internals.StreamTask.process"],
    "LimiterProcessor.process (Sluice's processor, with the sends it triggers)": [
        "dev.sluice.topology.LimiterProcessor.process"],
    "request decode": ["dev.sluice.topology.RequestDeserializer.deserialize"],
    "rule match": ["dev.sluice.topology.RuleStore.match"],
    "counter key + algorithm": [
        "dev.sluice.core.limit.Limiter.evaluate", "dev.sluice.core.limit.Limiter.counterKey"],
    "counter get (through the store's layers; before issue 21 the record cache)": [
        "org.apache.kafka.streams.state.internals.MeteredKeyValueStore.get"],
    "counter put (before issue 21: the record cache; since: at write-back)": [
        "org.apache.kafka.streams.state.internals.MeteredKeyValueStore.put"],
    "record cache flush at commit (RocksDB writes, changelog sends)": [
        "org.apache.kafka.streams.state.internals.ThreadCache.flush"],
    "counter get (write-back layer, then RocksDB on a miss)": [
        "dev.sluice.topology.WriteBackStore.get"],
    "counter put (write-back layer)": ["dev.sluice.topology.WriteBackStore.put"],
    "write-back at commit (RocksDB writes, changelog sends)": [
        "dev.sluice.topology.WriteBackStore.flushCache"],
    "decision send (sink: encode + producer send)": [
        "org.apache.kafka.streams.processor.internals.SinkNode.process"],
    "decision encode": ["dev.sluice.topology.RoutedDecision$ValueSerializer.serialize"],
    "Sluice's Micrometer meters": ["dev.sluice.app.MicrometerDecisionMetrics.decided"],
    "Kafka metrics sensors (Streams and clients)": [
        "org.apache.kafka.common.metrics.Sensor.record"],
    "consumer poll": ["org.apache.kafka.clients.consumer.KafkaConsumer.poll"],
    "commit (all of it)": ["org.apache.kafka.streams.processor.internals.TaskManager.commit"],
    "String.format": ["java.lang.String.format"],
}


def main(path):
    counts = collections.Counter()
    n = 0
    for _, thread, stack in samples(path):
        if not re.search(r"StreamThread-\d+$", thread):
            continue
        frames = set(stack)
        if not frames or "dev.sluice.topology.RuleValidatorProcessor.process" in frames:
            continue
        n += 1
        for part, names in PARTS.items():
            if any(f in frames for f in names):
                counts[part] += 1
    print(f"{n} samples of the stream thread")
    for part in PARTS:
        print(f"| {part} | {100 * counts[part] / max(n, 1):.1f}% |")


if __name__ == "__main__":
    main(sys.argv[1])
