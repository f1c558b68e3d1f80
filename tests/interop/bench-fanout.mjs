// Node's ws as a fan-out server for the benchmark (crates/sansock-bench: `bench-server
// fanout-node-ws PORT` runs it): the WebSocket on /pub publishes, every other subscribes, and
// each message goes to every subscriber the way ws's README broadcasts
// (`wss.clients.forEach(client => client.send(data))`). ws's defaults: no permessage-deflate.
import { WebSocketServer, WebSocket } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[2]) });
wss.on('connection', (ws, request) => {
  if (request.url !== '/pub') return;
  ws.on('message', (data, isBinary) => {
    wss.clients.forEach((client) => {
      if (client !== ws && client.readyState === WebSocket.OPEN) {
        client.send(data, { binary: isBinary });
      }
    });
  });
});
