// Node's ws as the scripted server the cross matrix knows (crates/sansock-cross/src/server.rs):
// /close/CODE closes at once with CODE; /ping pings and reports the pong; anything else echoes.
// Picks sansock.v2 over sansock.v1; agrees to permessage-deflate when offered (threshold 0, so
// every message is compressed). Prints "listening PORT" once ready.
import { WebSocketServer } from 'ws';

const known = ['sansock.v2', 'sansock.v1'];
const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: 0,
  maxPayload: 64 << 20,
  perMessageDeflate: { threshold: 0 },
  handleProtocols: (offered) => known.find((p) => offered.has(p)) ?? false,
});
wss.on('connection', (ws, req) => {
  // A peer's protocol error (ws closes the connection itself) must not end the process.
  ws.on('error', () => {});
  const path = req.url.split('?')[0];
  const close = path.match(/^\/close\/(\d+)$/);
  if (close) {
    ws.close(Number(close[1]), 'server closing');
    return;
  }
  if (path === '/ping') {
    ws.on('pong', (data) => ws.send(`got pong ${data.toString()}`));
    ws.ping('srv-ping');
  }
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
wss.on('listening', () => console.log(`listening ${wss.address().port}`));
