// The example programs in a real browser: Debian's Chromium, driven by playwright-core.
// scripts/browser-test.sh builds the examples and runs this file with `node --test`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = process.env.SANSOCK_EXAMPLES ?? join(root, 'target', 'debug', 'examples');
// The README's screenshot: written to target/ on every run, and over the README's copy only when
// asked (`scripts/browser-test.sh --update-screenshot`), so a test run leaves the checkout clean.
const screenshot = process.env.SANSOCK_SCREENSHOT ?? join(root, 'target', 'chat.png');

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts an example and waits for its first line; keeps what it prints. */
function start(name, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(join(bin, name), args, { stdio: ['ignore', 'pipe', 'inherit'] });
    child.output = '';
    child.stdout.on('data', (chunk) => {
      child.output += chunk;
      if (child.output.includes('\n')) resolve(child);
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
}

async function until(what, check, ms = 5000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
}

let browser, chat, chatTls, echo, chatUrl, chatTlsUrl, echoUrl;

before(async () => {
  const [chatPort, chatTlsPort, echoPort] = [await freePort(), await freePort(), await freePort()];
  chatUrl = `http://127.0.0.1:${chatPort}/`;
  chatTlsUrl = `https://127.0.0.1:${chatTlsPort}/`;
  echoUrl = `http://127.0.0.1:${echoPort}/`;
  chat = await start('chat', ['--port', String(chatPort)]);
  // HTTPS with a self-signed certificate: h2 by ALPN, so the page and its WebSockets share one
  // HTTP/2 connection (RFC 8441) where Chromium agrees.
  chatTls = await start('chat', ['--port', String(chatTlsPort), '--tls']);
  echo = await start('echo_server', ['--port', String(echoPort)]);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
      '--ignore-certificate-errors'],
  });
});

after(async () => {
  await browser?.close();
  chat?.kill();
  chatTls?.kill();
  echo?.kill();
});

/** A page in a fresh context (its own cookies and storage), at `url`. */
async function open(url) {
  const context = await browser.newContext({ viewport: { width: 760, height: 560 }, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

const lines = (page) => page.locator('#messages li').allInnerTexts();

async function joinChat(page, nick) {
  await page.fill('#nick', nick);
  await page.click('#join');
  await until(`${nick} connected`, async () => (await page.textContent('#status')).startsWith('Connected'));
}

async function say(page, text) {
  await page.fill('#text', text);
  await page.click('#send');
}

test('two people in the chat see each other, joins and leaves included', async () => {
  const alice = await open(chatUrl);
  const bob = await open(chatUrl);
  await joinChat(alice, 'alice');
  await joinChat(bob, 'bob');
  await until('alice sees bob join', async () => (await lines(alice)).includes('bob joined'));
  await say(alice, 'Hello Bob! Sansock here, speaking WebSocket.');
  await say(bob, 'Hi Alice ✓ — every message reaches everyone, me too.');
  for (const page of [alice, bob]) {
    await until('both messages everywhere', async () => {
      const seen = await lines(page);
      return seen.includes('alice: Hello Bob! Sansock here, speaking WebSocket.')
        && seen.includes('bob: Hi Alice ✓ — every message reaches everyone, me too.');
    });
  }
  assert.deepEqual((await lines(bob)).slice(0, 1), ['bob joined']);
  // The member list shows everyone with the round-trip time the server measured (its pings,
  // answered by Chromium).
  await until('the member list shows both round-trip times', async () => {
    const members = await alice.locator('#members li').allInnerTexts();
    return members.length === 2
      && members.every((m) => /^(alice|bob) \d+(\.\d+)? ms$/.test(m.trim()));
  }, 10000);
  // The chat agrees to Chromium's permessage-deflate offer without context takeover.
  assert.match(chat.output, /bob joined from 127\.0\.0\.1 \(extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=15\) over HTTP\/1\.1/);
  mkdirSync(dirname(screenshot), { recursive: true });
  await alice.screenshot({ path: screenshot });
  await bob.context().close();
  await until('alice sees bob leave', async () => (await lines(alice)).includes('bob left'));
  await alice.context().close();
});

test('the chat over HTTPS: the page and both members\' WebSockets on HTTP/2', async () => {
  const alice = await open(chatTlsUrl);
  const bob = await open(chatTlsUrl);
  for (const page of [alice, bob]) {
    const protocol = await page.evaluate(() => performance.getEntriesByType('navigation')[0].nextHopProtocol);
    assert.equal(protocol, 'h2', 'the page came over HTTP/2');
  }
  await joinChat(alice, 'alice');
  await joinChat(bob, 'bob');
  await until('alice sees bob join', async () => (await lines(alice)).includes('bob joined'));
  await say(bob, 'over one HTTP/2 connection');
  await until('alice reads bob', async () => (await lines(alice)).includes('bob: over one HTTP/2 connection'));
  // The server saw both WebSockets come as HTTP/2 extended CONNECTs (RFC 8441), deflate agreed.
  await until('both joins logged over HTTP/2', () =>
    /alice joined from 127\.0\.0\.1 \(extensions: permessage-deflate[^)]*\) over HTTP\/2/.test(chatTls.output)
    && /bob joined from 127\.0\.0\.1 \(extensions: permessage-deflate[^)]*\) over HTTP\/2/.test(chatTls.output));
  await bob.context().close();
  await until('alice sees bob leave', async () => (await lines(alice)).includes('bob left'));
  await alice.context().close();
});

/**
 * In `page`, opens a chat WebSocket as `nick` and says `count` lines, `window` at most waiting
 * for their echo (the room sends every line back to its sender too); gives the milliseconds
 * from the first line to the last echo, as the page's clock measures them.
 */
function timeLines(page, nick, count, window = 16) {
  return page.evaluate(async ([nick, count, window]) => {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/chat?nick=${nick}`);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = () => reject(new Error('the WebSocket failed'));
    });
    let sent = 0;
    let echoed = 0;
    const started = performance.now();
    await new Promise((resolve, reject) => {
      ws.onclose = (e) => reject(new Error(`closed after ${echoed} echoes: ${e.code} ${e.reason}`));
      ws.onmessage = (e) => {
        const m = JSON.parse(e.data);
        if (m.type !== 'message' || m.nick !== nick) return;
        if (m.text !== `line ${echoed}`) reject(new Error(`line ${echoed} came as ${m.text}`));
        echoed += 1;
        if (echoed === count) resolve();
        else if (sent < count) ws.send(`line ${sent++}`);
      };
      while (sent < Math.min(window, count)) ws.send(`line ${sent++}`);
    });
    const ms = performance.now() - started;
    ws.onclose = null;
    ws.close();
    return ms;
  }, [nick, count, window]);
}

test('Chromium\'s time for 10,000 chat lines over HTTP/1.1 and over HTTP/2 (reported, not asserted)', async () => {
  // The same chat, the same lines (20-odd bytes, permessage-deflate as Chromium offers it, 16 in
  // flight, well inside the chat's queue of 64 a member): a WebSocket of its own over HTTP/1.1,
  // and one as a stream of the page's HTTP/2 connection (RFC 8441). Each line comes back once,
  // in order. scripts/browser-test.sh runs the debug build; the book's numbers are a release one.
  const count = 10000;
  const plain = await open(chatUrl);
  const h2 = await open(chatTlsUrl);
  const h1ms = await timeLines(plain, 'timer1', count);
  const h2ms = await timeLines(h2, 'timer2', count);
  assert.match(chat.output, /timer1 joined from 127\.0\.0\.1 \([^)]*\) over HTTP\/1\.1/);
  assert.match(chatTls.output, /timer2 joined from 127\.0\.0\.1 \([^)]*\) over HTTP\/2/);
  const rate = (ms) => Math.round(count / (ms / 1000));
  const report = `Chromium ${browser.version()}, ${count} chat lines, 16 in flight: `
    + `HTTP/1.1 ${h1ms.toFixed(0)} ms (${rate(h1ms)} lines/s), `
    + `HTTP/2 ${h2ms.toFixed(0)} ms (${rate(h2ms)} lines/s), HTTP/2 at ${(h1ms / h2ms).toFixed(2)}x`;
  console.log(report);
  writeFileSync(join(root, 'target', 'browser-http2-time.txt'), `${report}\n`);
  await plain.context().close();
  await h2.context().close();
});

test('two members on two chat servers joined by a real Redis are one room', async () => {
  // redis-server (Debian's, installed by scripts/browser-test.sh through scripts/redis-setup.sh)
  // and two chat servers on it; stopped by process id at the end.
  const redisPort = await freePort();
  const redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1',
    '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const servers = [];
  try {
    await until('redis-server listens', () => new Promise((resolve) => {
      const probe = createConnection(redisPort, '127.0.0.1', () => { probe.destroy(); resolve(true); });
      probe.once('error', () => resolve(false));
    }));
    const redisUrl = `redis://127.0.0.1:${redisPort}/`;
    const ports = [await freePort(), await freePort()];
    for (const port of ports) {
      const server = await start('chat', ['--port', String(port), '--redis', redisUrl]);
      servers.push(server);
      await until('the server joined the room on Redis', () => server.output.includes('in the room as server'));
    }
    const alice = await open(`http://127.0.0.1:${ports[0]}/`);
    const bob = await open(`http://127.0.0.1:${ports[1]}/`);
    await joinChat(alice, 'alice');
    await joinChat(bob, 'bob');
    await until('alice sees bob join, from the other server', async () => (await lines(alice)).includes('bob joined'));
    await say(alice, 'from the first server');
    await say(bob, 'from the second server');
    for (const page of [alice, bob]) {
      await until('both messages on both servers', async () => {
        const seen = await lines(page);
        return seen.includes('alice: from the first server') && seen.includes('bob: from the second server');
      });
    }
    // Each server's member list shows both members (the other server's without a round trip).
    await until('the member lists show both', async () => {
      for (const page of [alice, bob]) {
        const members = (await page.locator('#members li').allInnerTexts()).map((m) => m.trim().split(' ')[0]);
        if (members.sort().join() !== 'alice,bob') return false;
      }
      return true;
    }, 10000);
    await bob.context().close();
    await until('alice sees bob leave, from the other server', async () => (await lines(alice)).includes('bob left'));
    await alice.context().close();
  } finally {
    for (const server of servers) server.kill();
    redis.kill();
  }
});

/** Waits until something listens on `port`. */
function listening(port) {
  return until(`something listens on ${port}`, () => new Promise((resolve) => {
    const probe = createConnection(port, '127.0.0.1', () => { probe.destroy(); resolve(true); });
    probe.once('error', () => resolve(false));
  }));
}

test('through nginx (TLS at the proxy, the book\'s configuration) to three chat servers on Redis', async () => {
  // Debian's nginx and redis-server (installed by scripts/browser-test.sh), stopped by pid.
  const dir = mkdtempSync(join(tmpdir(), 'sansock-nginx-'));
  const children = [];
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
      { stdio: 'ignore' });
    const redisPort = await freePort();
    children.push(spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1',
      '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }));
    await listening(redisPort);
    const ports = [await freePort(), await freePort(), await freePort()];
    const servers = [];
    for (const port of ports) {
      const server = await start('chat', ['--port', String(port), '--redis',
        `redis://127.0.0.1:${redisPort}/`, '--trusted-proxy', '127.0.0.1']);
      children.push(server);
      servers.push(server);
      await until('the server joined the room on Redis', () => server.output.includes('in the room as server'));
    }
    const nginxPort = await freePort();
    const values = {
      LISTEN: `127.0.0.1:${nginxPort}`, CERT: join(dir, 'cert.pem'), KEY: join(dir, 'key.pem'),
      CHAT_1: `127.0.0.1:${ports[0]}`, CHAT_2: `127.0.0.1:${ports[1]}`, CHAT_3: `127.0.0.1:${ports[2]}`,
      IDLE_TIMEOUT: '60s', RUN_DIR: dir,
    };
    let config = readFileSync(join(root, 'examples', 'deploy', 'nginx.conf'), 'utf8');
    for (const [name, value] of Object.entries(values)) config = config.replaceAll(`\${${name}}`, value);
    writeFileSync(join(dir, 'nginx.conf'), config);
    children.push(spawn('/usr/sbin/nginx', ['-p', dir, '-e', join(dir, 'error.log'),
      '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: 'ignore' }));
    await listening(nginxPort);

    const url = `https://127.0.0.1:${nginxPort}/`;
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const alice = await context.newPage();
    const response = await alice.goto(url);
    assert.match(response.headers().server ?? '', /^nginx/, 'the page came through nginx');
    const bob = await (await browser.newContext({ ignoreHTTPSErrors: true })).newPage();
    await bob.goto(url);
    await joinChat(alice, 'alice');
    await joinChat(bob, 'bob');
    await until('alice sees bob join', async () => (await lines(alice)).includes('bob joined'));
    await say(bob, 'through nginx');
    await until('alice reads bob', async () => (await lines(alice)).includes('bob: through nginx'));
    // nginx put the two on two servers, and each logged its member's address (the browser's,
    // from X-Forwarded-For) and the HTTP/1.1 upgrade nginx made of the browser's request.
    const joined = (s) => / joined from 127\.0\.0\.1 .* over HTTP\/1\.1/.test(s.output);
    await until('two servers logged a join', () => servers.filter(joined).length === 2);
    await alice.context().close();
    await bob.context().close();
  } finally {
    for (const child of children) child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the echo page talks echo-protocol, in text and in ArrayBuffer binary', async () => {
  const page = await open(echoUrl);
  await until('the page opened its socket', async () => (await page.textContent('#log')).includes('onopen (protocol echo-protocol)'));
  const result = await page.evaluate((url) => new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'echo-protocol');
    socket.binaryType = 'arraybuffer';
    const got = [];
    socket.onerror = () => reject(new Error('error'));
    socket.onopen = () => {
      socket.send('héllo ✓');
      socket.send(new Uint8Array([0, 1, 2, 253, 254, 255]).buffer);
    };
    socket.onmessage = (e) => {
      got.push(typeof e.data === 'string' ? { text: e.data } : { binary: [...new Uint8Array(e.data)] });
      if (got.length === 2) {
        socket.close(1000, 'done');
        resolve({ protocol: socket.protocol, extensions: socket.extensions, got });
      }
    };
  }), echoUrl.replace('http', 'ws'));
  assert.equal(result.protocol, 'echo-protocol');
  // Chromium offers permessage-deflate; the echo server agrees, and says so in its log.
  assert.match(result.extensions, /^permessage-deflate/);
  await until('the agreed extension is logged', () => /connected \(extensions: permessage-deflate; client_max_window_bits=15\)/.test(echo.output));
  assert.deepEqual(result.got, [{ text: 'héllo ✓' }, { binary: [0, 1, 2, 253, 254, 255] }]);
  await page.click('#send-binary');
  await until('the page logged its binary echo', async () => (await page.textContent('#log')).includes('onmessage binary: 16 bytes'));
  await page.context().close();
});

/** Opens a socket from `page` and reports how it ended without ever opening. */
function failedConnection(page, url, protocol) {
  return page.evaluate(([url, protocol]) => new Promise((resolve) => {
    const socket = new WebSocket(url, protocol);
    let opened = false, errored = false;
    socket.onopen = () => { opened = true; };
    socket.onerror = () => { errored = true; };
    socket.onclose = (e) => resolve({ opened, errored, code: e.code });
  }), [url, protocol]);
}

test('a wrong subprotocol or a foreign origin cannot connect, and the server says why', async () => {
  const own = await open(echoUrl);
  const wrong = await failedConnection(own, echoUrl.replace('http', 'ws'), 'chat');
  assert.deepEqual(wrong, { opened: false, errored: true, code: 1006 });
  await until('the 400 is logged', () => echo.output.includes('was not offered (400)'));
  // The chat's page is another origin (another port): the echo server refuses it.
  const foreign = await open(chatUrl);
  const refused = await failedConnection(foreign, echoUrl.replace('http', 'ws'), 'echo-protocol');
  assert.deepEqual(refused, { opened: false, errored: true, code: 1006 });
  const origin = chatUrl.replace(/\/$/, '');
  await until('the 403 is logged', () => echo.output.includes(`origin ${origin} is not allowed (403)`));
  await own.context().close();
  await foreign.context().close();
});

test('a 1 MiB message round-trips, as text and as binary, compressed both ways', async () => {
  const page = await open(echoUrl);
  const ok = await page.evaluate((url) => new Promise((resolve, reject) => {
    const bytes = new Uint8Array(1 << 20).map((_, i) => (i * 31) % 251);
    const text = 'ünïcode ✓ '.repeat(75000); // 14 bytes of UTF-8 each: 1.05 MB
    const socket = new WebSocket(url, 'echo-protocol');
    socket.binaryType = 'arraybuffer';
    const got = [];
    socket.onerror = () => reject(new Error('error'));
    socket.onopen = () => { socket.send(bytes.buffer); socket.send(text); };
    socket.onmessage = (e) => {
      got.push(e.data);
      if (got.length < 2) return;
      const back = new Uint8Array(got[0]);
      const same = back.length === bytes.length && back.every((b, i) => b === bytes[i]);
      socket.close();
      const textBytes = new TextEncoder().encode(got[1]).length;
      resolve({ binary: same, binaryLength: back.length, text: got[1] === text, atLeast1MiB: textBytes >= 1 << 20, extensions: socket.extensions });
    };
  }), echoUrl.replace('http', 'ws'));
  assert.deepEqual(ok, { binary: true, binaryLength: 1 << 20, text: true, atLeast1MiB: true, extensions: 'permessage-deflate; client_max_window_bits=15' });
  await page.context().close();
});
