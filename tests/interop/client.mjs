// Node's ws as a client of a Sansock server (the cross matrix's scripted server at BASE):
// text, binary and 16 MiB echoes, pings both ways, close codes both ways, subprotocols.
// Usage: node client.mjs ws://127.0.0.1:PORT — exits 1 on the first failed check.
import WebSocket from 'ws';
import assert from 'node:assert/strict';

const base = process.argv[2];

function open(path, protocols = []) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(base + path, protocols, { maxPayload: 64 << 20 });
    ws.binaryType = 'nodebuffer';
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const next = (ws, event) => new Promise((resolve) => ws.once(event, (...args) => resolve(args)));

async function echo(ws, data, binary) {
  const got = next(ws, 'message');
  ws.send(data, { binary });
  const [back, isBinary] = await got;
  assert.equal(isBinary, binary);
  assert.ok(Buffer.compare(back, Buffer.from(data)) === 0, 'the echo differs');
}

async function closeWith(ws, code, reason) {
  const closed = next(ws, 'close');
  ws.close(code, reason);
  const [gotCode] = await closed;
  assert.equal(gotCode, code);
}

const checks = {
  async 'text echo'() {
    const ws = await open('/echo');
    await echo(ws, 'héllo ✓', false);
    await closeWith(ws, 1000, '');
  },
  async 'binary echo'() {
    const ws = await open('/echo');
    await echo(ws, Buffer.from([...Array(256).keys()]), true);
    await closeWith(ws, 1000, '');
  },
  async '16 MiB echo'() {
    const ws = await open('/echo');
    const big = Buffer.alloc(16 << 20).map((_, i) => (i * 31) % 251);
    await echo(ws, big, true);
    await closeWith(ws, 1000, '');
  },
  async 'our ping, their pong'() {
    const ws = await open('/echo');
    const pong = next(ws, 'pong');
    ws.ping('cli-ping');
    const [data] = await pong;
    assert.equal(data.toString(), 'cli-ping');
    await closeWith(ws, 1000, '');
  },
  async 'their ping, our pong'() {
    const ws = await open('/ping');
    const [report] = await next(ws, 'message');
    assert.equal(report.toString(), 'got pong srv-ping');
    await closeWith(ws, 1000, '');
  },
  async 'we close with 4000'() {
    const ws = await open('/echo');
    await closeWith(ws, 4000, 'client bye');
  },
  async 'they close with 4001'() {
    const ws = await open('/close/4001');
    const [code, reason] = await next(ws, 'close');
    assert.equal(code, 4001);
    assert.equal(reason.toString(), 'server closing');
  },
  async 'subprotocol negotiated'() {
    const ws = await open('/echo', ['sansock.v1', 'sansock.v2']);
    assert.equal(ws.protocol, 'sansock.v2');
    await closeWith(ws, 1000, '');
  },
};

const within = (ms, promise) => Promise.race([
  promise,
  new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)),
]);

for (const [name, check] of Object.entries(checks)) {
  try {
    await within(30000, check());
    console.log(`ok ${name}`);
  } catch (e) {
    console.log(`FAILED ${name}: ${e.message}`);
    process.exit(1);
  }
}
process.exit(0);
