// A Node.js client of Envoy's rate-limit service (envoy.service.ratelimit.v3), written only against
// Envoy's published .proto files: @grpc/proto-loader loads rls.proto at run time from the
// directory given (the .proto files of the io.envoyproxy.controlplane:api jar), @grpc/grpc-js calls.
//
//   node rls-client.js HOST:PORT PROTO_DIR < calls.json
//
// stdin: a JSON array of RateLimitRequest objects (proto field names, e.g. hits_addend).
// stdout: one JSON line per call, in order: {"ok":true,"response":{...}} or
// {"ok":false,"code":N,"codeName":"INVALID_ARGUMENT","details":"..."}.
'use strict';

const path = require('path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

async function main() {
  const [address, protoDir] = process.argv.slice(2);
  if (!address || !protoDir) {
    console.error('usage: node rls-client.js HOST:PORT PROTO_DIR < calls.json');
    process.exit(2);
  }
  const definition = protoLoader.loadSync(
    path.join(protoDir, 'envoy/service/ratelimit/v3/rls.proto'),
    { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [protoDir] });
  const proto = grpc.loadPackageDefinition(definition);
  const Service = proto.envoy.service.ratelimit.v3.RateLimitService;
  const client = new Service(address, grpc.credentials.createInsecure());
  const calls = JSON.parse(require('fs').readFileSync(0, 'utf8'));
  const codeNames = Object.fromEntries(Object.entries(grpc.status).map(([k, v]) => [v, k]));
  for (const request of calls) {
    const line = await new Promise((resolve) => {
      client.ShouldRateLimit(request, { deadline: Date.now() + 10000 }, (err, response) => {
        if (err) {
          resolve({ ok: false, code: err.code, codeName: codeNames[err.code], details: err.details });
        } else {
          resolve({ ok: true, response });
        }
      });
    });
    process.stdout.write(JSON.stringify(line) + '\n');
  }
  client.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
