// Node's ws as an echo server for the benchmark (crates/sansock-bench: `bench-server node-ws
// PORT` runs it): every message back as it came, ws's defaults (no permessage-deflate), one
// process on one core.
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[2]) });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
