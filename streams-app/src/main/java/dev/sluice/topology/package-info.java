/**
 * The Kafka Streams topology of Sluice ({@link dev.sluice.topology.RateLimiterTopology}), its
 * configuration ({@link dev.sluice.topology.SluiceConfig}) and the pieces Kafka Streams
 * instantiates by class name: dead-letter handlers, the timestamp extractor and the bounded RocksDB
 * setter. Processors and stores are package-private: the topology is the API.
 */
package dev.sluice.topology;
