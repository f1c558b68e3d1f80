"""Python's websockets as a client of a Sansock server (the cross matrix's scripted server at
BASE): text, binary and 16 MiB echoes, pings both ways, close codes both ways, subprotocols,
and permessage-deflate (websockets offers it by default; and without it).
Usage: python client.py ws://127.0.0.1:PORT [--echo-only] — exits 1 on the first failed check.
With --echo-only, only the checks a plain echo server (one that echoes on every path and picks
no subprotocol) can pass: no /ping, /close/CODE, /echo-uncompressed or subprotocol."""
import asyncio
import sys

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

BASE = sys.argv[1]
ECHO_ONLY = "--echo-only" in sys.argv[2:]


def open_ws(path, protocols=None, compression="deflate"):
    return connect(BASE + path, subprotocols=protocols, max_size=None, ping_interval=None,
                   compression=compression)


async def echo(ws, data):
    await ws.send(data)
    back = await ws.recv()
    assert back == data, "the echo differs"


async def close_with(ws, code, reason=""):
    await ws.close(code, reason)
    assert ws.close_code == code, f"closed with {ws.close_code}"


async def text_echo():
    async with open_ws("/echo") as ws:
        await echo(ws, "héllo ✓")
        await close_with(ws, 1000)


async def binary_echo():
    async with open_ws("/echo") as ws:
        await echo(ws, bytes(range(256)))
        await close_with(ws, 1000)


async def big_echo():
    async with open_ws("/echo") as ws:
        await echo(ws, bytes((i * 31) % 251 for i in range(16 << 20)))
        await close_with(ws, 1000)


async def our_ping():
    async with open_ws("/echo") as ws:
        pong = await ws.ping(b"cli-ping")
        await asyncio.wait_for(pong, 10)
        await close_with(ws, 1000)


async def their_ping():
    async with open_ws("/ping") as ws:
        assert await ws.recv() == "got pong srv-ping"
        await close_with(ws, 1000)


async def we_close():
    async with open_ws("/echo") as ws:
        await close_with(ws, 4000, "client bye")


async def they_close():
    async with open_ws("/close/4001") as ws:
        try:
            await ws.recv()
            raise AssertionError("a message instead of the close")
        except ConnectionClosed as closed:
            assert closed.rcvd.code == 4001, closed
            assert closed.rcvd.reason == "server closing", closed


async def deflate():
    async with open_ws("/echo") as ws:
        agreed = ws.response.headers.get("Sec-WebSocket-Extensions", "")
        assert agreed.startswith("permessage-deflate"), agreed
        words = "the quick brown fox jumps over the lazy dog; " * 25000
        await echo(ws, words)
        await echo(ws, words.encode())
        await echo(ws, "short")
        await echo(ws, words)
        await close_with(ws, 1000)
    if ECHO_ONLY:
        return
    async with open_ws("/echo-uncompressed") as ws:
        await echo(ws, "compressible " * 10000)
        await close_with(ws, 1000)


async def no_deflate():
    async with open_ws("/echo", compression=None) as ws:
        assert "Sec-WebSocket-Extensions" not in ws.response.headers, ws.response.headers
        await echo(ws, "plain " * 1000)
        await close_with(ws, 1000)


async def subprotocol():
    async with open_ws("/echo", ["sansock.v1", "sansock.v2"]) as ws:
        assert ws.subprotocol == "sansock.v2", ws.subprotocol
        await close_with(ws, 1000)


CHECKS = [("text echo", text_echo), ("binary echo", binary_echo), ("16 MiB echo", big_echo),
          ("our ping, their pong", our_ping), ("their ping, our pong", their_ping),
          ("we close with 4000", we_close), ("they close with 4001", they_close),
          ("subprotocol negotiated", subprotocol),
          ("permessage-deflate agreed, messages compressed both ways", deflate),
          ("no permessage-deflate when not offered", no_deflate)]


# The checks that need the scripted server's paths or its subprotocol choice.
SCRIPTED = {"their ping, our pong", "they close with 4001", "subprotocol negotiated"}


async def main():
    for name, check in CHECKS:
        if ECHO_ONLY and name in SCRIPTED:
            continue
        try:
            await asyncio.wait_for(check(), 30)
            print(f"ok {name}")
        except Exception as e:  # noqa: BLE001 - report any failure and stop
            print(f"FAILED {name}: {e!r}")
            sys.exit(1)


asyncio.run(main())
