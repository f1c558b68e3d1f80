// Node's ws as a client of a Sansock server (the cross matrix's scripted server at BASE):
// text, binary and 16 MiB echoes, pings both ways, close codes both ways, subprotocols, and
// permessage-deflate (ws offers it by default; with small windows and no context takeover; a
// message sent uncompressed; and the server's own uncompressed echo).
// Usage: node client.mjs ws://127.0.0.1:PORT [--echo-only] — exits 1 on the first failed check.
// With --echo-only, only the checks a plain echo server (one that echoes on every path and
// picks no subprotocol) can pass: no /ping, /close/CODE, /echo-uncompressed or subprotocol.
import WebSocket from 'ws';
import assert from 'node:assert/strict';

const base = process.argv[2];
const echoOnly = process.argv.includes('--echo-only');
// The checks that need the scripted server's paths or its subprotocol choice.
const scripted = new Set(['their ping, our pong', 'they close with 4001',
  'our uncompressed echo of compressed messages', 'subprotocol negotiated']);

function open(path, protocols = [], perMessageDeflate = true) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(base + path, protocols, { maxPayload: 64 << 20, perMessageDeflate });
    ws.binaryType = 'nodebuffer';
    // ws.extensions has only the names; the parameters are in the response header.
    ws.once('upgrade', (res) => { ws.agreed = res.headers['sec-websocket-extensions'] ?? ''; });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const next = (ws, event) => new Promise((resolve) => ws.once(event, (...args) => resolve(args)));

async function echo(ws, data, binary, compress = true) {
  const got = next(ws, 'message');
  ws.send(data, { binary, compress });
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
  async 'permessage-deflate agreed, messages compressed both ways'() {
    const ws = await open('/echo');
    assert.equal(ws.extensions, 'permessage-deflate');
    assert.match(ws.agreed, /^permessage-deflate/);
    const words = 'the quick brown fox jumps over the lazy dog; '.repeat(25000);
    await echo(ws, words, false);
    await echo(ws, Buffer.from(words), true);
    await echo(ws, 'short', false);
    await echo(ws, Buffer.alloc(200000).map((_, i) => (i * 7919) % 256), true, false);
    await echo(ws, words, false);
    await closeWith(ws, 1000, '');
  },
  async 'permessage-deflate with 10-bit windows and no context takeover'() {
    const ws = await open('/echo', [], {
      serverNoContextTakeover: true,
      clientNoContextTakeover: true,
      serverMaxWindowBits: 10,
      clientMaxWindowBits: 10,
      threshold: 0,
    });
    assert.match(ws.agreed, /server_no_context_takeover/);
    assert.match(ws.agreed, /client_max_window_bits=10/);
    assert.match(ws.agreed, /server_max_window_bits=10/);
    for (let i = 0; i < 5; i++) {
      await echo(ws, `message ${i}: ${'abcabcabc'.repeat(5000)}`, false);
    }
    await closeWith(ws, 1000, '');
  },
  async 'our uncompressed echo of compressed messages'() {
    const ws = await open('/echo-uncompressed');
    await echo(ws, 'compressible '.repeat(10000), false);
    await closeWith(ws, 1000, '');
  },
  async 'no permessage-deflate when not offered'() {
    const ws = await open('/echo', [], false);
    assert.equal(ws.extensions, '');
    assert.equal(ws.agreed, '');
    await echo(ws, 'plain '.repeat(1000), false);
    await closeWith(ws, 1000, '');
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
  if (echoOnly && scripted.has(name)) continue;
  try {
    await within(30000, check());
    console.log(`ok ${name}`);
  } catch (e) {
    console.log(`FAILED ${name}: ${e.message}`);
    process.exit(1);
  }
}
process.exit(0);
