// Ask Sluice for rate-limit decisions from Node.js, over Sluice's Kafka interface, without the Java
// decision client: kafkajs produces requests to the requests topic and reads the decisions from
// the reply topic; avsc encodes and decodes Sluice's Avro schemas (schemas/src/main/avro). The wire
// format is described in docs/DEPLOYMENT.md ("Asking Sluice without the decision client").
//
//   npm ci && node producer.js --key login:alice --count 5
//
// Flags (defaults in brackets):
//   --bootstrap HOST:PORT    Kafka [localhost:9092]
//   --key K                  the rate-limited key [login:alice]
//   --meta k=v               request metadata (repeatable)
//   --cost N                 permits per request [1]
//   --count N                requests, sent one after another [5]
//   --encoding avro|json     request encoding [avro]: Avro single-object or JSON
//   --requests-topic T       [sluice.requests]
//   --reply-topic T          where decisions come back [sluice.decisions]; another topic must be
//                            allowed by the service (sluice.reply.topic.allowed.prefixes)
//   --reply-partition P      the reply partition this process reads its decisions from [0]
//   --schemas DIR            the .avsc files [../../schemas/src/main/avro]
//   --timeout-ms MS          how long to wait for each decision [10000]
//
// Prints one JSON line per decision (the Decision record's fields) and exits 0; exits 1 when a
// decision does not arrive in time, 2 on bad flags.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const avro = require('avsc');
const { Kafka, Partitioners, logLevel } = require('kafkajs');

function parseArgs(argv) {
  const o = {
    bootstrap: 'localhost:9092', key: 'login:alice', meta: {}, cost: 1, count: 5, encoding: 'avro',
    requestsTopic: 'sluice.requests', replyTopic: 'sluice.decisions', replyPartition: 0,
    schemas: path.join(__dirname, '../../schemas/src/main/avro'), timeoutMs: 10000,
  };
  const names = {
    '--bootstrap': 'bootstrap', '--key': 'key', '--cost': 'cost', '--count': 'count',
    '--encoding': 'encoding', '--requests-topic': 'requestsTopic', '--reply-topic': 'replyTopic',
    '--reply-partition': 'replyPartition', '--schemas': 'schemas', '--timeout-ms': 'timeoutMs',
  };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${flag}: missing value`);
    if (flag === '--meta') {
      const eq = value.indexOf('=');
      if (eq <= 0) throw new Error(`--meta: expected k=v (got ${value})`);
      o.meta[value.slice(0, eq)] = value.slice(eq + 1);
    } else if (names[flag]) {
      o[names[flag]] = value;
    } else {
      throw new Error(`${flag}: unknown flag`);
    }
  }
  for (const f of ['cost', 'count', 'replyPartition', 'timeoutMs']) {
    const n = Number(o[f]);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${f}: must be a whole number (got ${o[f]})`);
    o[f] = n;
  }
  if (o.encoding !== 'avro' && o.encoding !== 'json') {
    throw new Error(`--encoding: must be avro or json (got ${o.encoding})`);
  }
  return o;
}

// CRC-64-AVRO (Rabin) of a schema's Parsing Canonical Form: the 8 bytes after the C3 01 marker of
// Avro's single-object encoding, little-endian (Avro specification, "Schema Fingerprints").
const EMPTY = 0xc15d213aa4d7a795n;
const MASK = 0xffffffffffffffffn;
const TABLE = Array.from({ length: 256 }, (_, i) => {
  let fp = BigInt(i);
  for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n));
  return fp & MASK;
});
function fingerprint(type) {
  let fp = EMPTY;
  for (const b of Buffer.from(JSON.stringify(type.schema()), 'utf8')) {
    fp = (fp >> 8n) ^ TABLE[Number((fp ^ BigInt(b)) & 0xffn)];
  }
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(fp & MASK);
  return out;
}

function loadTypes(dir) {
  const registry = {};
  const load = (name) =>
    avro.Type.forSchema(JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')), { registry });
  load('DecisionReason.avsc');
  return { request: load('RateLimitRequest.avsc'), decision: load('Decision.avsc') };
}

const MARKER = Buffer.from([0xc3, 0x01]);

async function main() {
  let o;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`producer.js: ${e.message}`);
    process.exit(2);
  }
  const types = loadTypes(o.schemas);
  const requestHeader = Buffer.concat([MARKER, fingerprint(types.request)]);
  const decisionHeader = Buffer.concat([MARKER, fingerprint(types.decision)]);

  const kafka = new Kafka({
    clientId: 'sluice-node-example', brokers: o.bootstrap.split(','), logLevel: logLevel.WARN,
  });
  // The Java client's murmur2 partitioning, so that a key's requests meet its counters in one
  // partition whichever client sent them (docs/DEPLOYMENT.md, section 12).
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  // A group of its own: kafkajs has no manual assignment, so this process reads every partition
  // of the reply topic and keeps the decisions whose requestId it is waiting for.
  // kafkajs reads committed records only by default (readUncommitted: false), as it must: the
  // service writes decisions in transactions under exactly-once.
  const consumer = kafka.consumer({ groupId: `sluice-node-example-${crypto.randomUUID()}` });
  const pending = new Map();
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topic: o.replyTopic, fromBeginning: true });
  const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
  await consumer.run({
    eachMessage: async ({ message }) => {
      const v = message.value;
      if (!v || v.length < 10 || !v.subarray(0, 10).equals(decisionHeader)) return; // not ours
      const decision = types.decision.fromBuffer(v.subarray(10));
      const waiter = pending.get(decision.requestId);
      if (waiter) waiter(decision);
    },
  });
  await joined;

  let failed = false;
  for (let i = 0; i < o.count; i++) {
    const request = {
      id: `node-${crypto.randomUUID()}`, key: o.key, metadata: o.meta, cost: o.cost,
      replyPartition: o.replyPartition,
      replyTopic: o.replyTopic === 'sluice.decisions' ? null : o.replyTopic,
    };
    const value = o.encoding === 'avro'
      ? Buffer.concat([requestHeader, types.request.toBuffer(request)])
      : Buffer.from(JSON.stringify(request), 'utf8');
    const decided = new Promise((resolve) => {
      pending.set(request.id, resolve);
      setTimeout(() => resolve(null), o.timeoutMs);
    });
    // The record key must be the request key: Sluice counts each key in one partition.
    await producer.send({ topic: o.requestsTopic, messages: [{ key: o.key, value }] });
    const decision = await decided;
    pending.delete(request.id);
    if (decision === null) {
      console.error(`producer.js: no decision for ${request.id} within ${o.timeoutMs} ms`);
      failed = true;
      break;
    }
    process.stdout.write(JSON.stringify(decision) + '\n');
  }
  await consumer.disconnect();
  await producer.disconnect();
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(`producer.js: ${e.stack || e}`);
  process.exit(1);
});
