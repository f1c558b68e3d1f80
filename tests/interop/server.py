"""Python's websockets as the scripted server the cross matrix knows
(crates/sansock-cross/src/server.rs): /close/CODE closes at once with CODE; /ping pings and
reports the pong; anything else echoes. Picks sansock.v2 over sansock.v1; agrees to
permessage-deflate when offered (websockets' default: 12-bit windows both ways). Prints
"listening PORT" once ready."""
import asyncio
import re

from websockets.asyncio.server import serve

KNOWN = ["sansock.v2", "sansock.v1"]


def select_subprotocol(connection, offered):
    return next((p for p in KNOWN if p in offered), None)


async def handler(ws):
    path = ws.request.path.split("?")[0]
    close = re.fullmatch(r"/close/(\d+)", path)
    if close:
        await ws.close(int(close.group(1)), "server closing")
        return
    if path == "/ping":
        pong = await ws.ping(b"srv-ping")
        await pong
        await ws.send("got pong srv-ping")
    async for message in ws:
        await ws.send(message)


async def main():
    async with serve(handler, "127.0.0.1", 0, max_size=None, ping_interval=None,
                     select_subprotocol=select_subprotocol) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"listening {port}", flush=True)
        await asyncio.Future()


asyncio.run(main())
