// Bun's WebSocket server (uWebSockets inside) as an echo server for the benchmark
// (crates/sansock-bench: `bench-server bun PORT` runs it): every message back as it came, as
// Bun's docs write it, permessage-deflate off (as every other server in the grid), one process
// on one core. Bun comes from npm (the `bun` package, installed by scripts/interop-setup.sh).
const port = Number(process.argv[2]);

Bun.serve({
  hostname: '127.0.0.1',
  port,
  fetch(req, server) {
    if (server.upgrade(req)) return undefined;
    return new Response('WebSocket upgrade expected', { status: 426 });
  },
  websocket: {
    perMessageDeflate: false,
    message(ws, message) {
      ws.send(message);
    },
  },
});
