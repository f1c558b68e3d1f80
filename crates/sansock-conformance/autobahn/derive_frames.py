"""Derives, from Autobahn|Testsuite's own code, what its tester sends in every case.

Runs each case class of `autobahntestsuite` 0.8.2 (Python 2 code, loaded here under Python 3)
against Autobahn's own `WebSocketProtocol` of `autobahn` 0.10.9 — its real `sendFrame`,
`sendMessage`, `beginMessage`/`beginMessageFrame`/`sendMessageFrameData`/`endMessage`,
`sendClose`, `sendData` and its send queue — as a server (no masks, so the bytes are exactly
what Autobahn's fuzzingserver writes to a client under test). Nothing goes to a socket: the
transport records each write, and a small reactor runs the callbacks in order on a virtual clock,
as Twisted would:

- every `transport.write` made in one reactor turn leaves in one write (Twisted buffers them
  and sends once per turn); a queued write (`sync=True`, or a `chopsize`) is a turn of its own
  (`WebSocketProtocol._send` re-arms itself with `call_later`);
- `continueLater(delay, f)` (the fuzzing protocol's) is a pause of `delay` before `f`;
- the peer is a perfect echo: every data message sent comes back, which drives the cases
  that send the next message on each echo (9.7, 9.8, 12, 13). A close sent in answer to an
  echo is the case finishing (`Case.finishWhenDone`, or the round-trip cases' last
  `sendClose`) and ends the record; it is not part of the table.

Groups 12 and 13 send compressed messages, and the bytes depend on the deflate
implementation; for them the table holds what is compressed (each message's bytes, digested),
the opcode and the `autoFragmentSize`, and `sendMessageHybi`'s fragmentation loop is checked
apart (`fragment_rule` below).

Usage: derive_frames.py AUTOBAHN_SRC TESTSUITE_SRC > autobahn-frames.json
"""

import hashlib
import heapq
import json
import re
import sys
import types


def load_autobahn(src):
    sys.path.insert(0, src)
    import autobahn.websocket.protocol as protocol

    # Python 2's integer division in sendFrame's repeated payload (`payload_len / len(payload)`).
    code = open(protocol.__file__).read()
    code = code.replace("range(payload_len / len(payload))", "range(payload_len // len(payload))")
    exec(compile(code, protocol.__file__, "exec"), protocol.__dict__)
    return protocol


def as_bytes(x):
    """Python 2's `str` was bytes: a case's "\\xce\\xba" literal is those two bytes."""
    if isinstance(x, str):
        return x.encode("latin-1")
    return x


class Reactor:
    def __init__(self):
        self.now = 0.0
        self.seq = 0
        self.timers = []

    def call_later(self, delay, fun, *args, **kw):
        self.seq += 1
        heapq.heappush(self.timers, (self.now + delay, self.seq, fun, args, kw, delay))
        return types.SimpleNamespace(cancel=lambda: None)


class Transport:
    def __init__(self):
        self.turn = []

    def write(self, data):
        self.turn.append(bytes(data))


def make_protocol(protocol, reactor):
    W = protocol.WebSocketProtocol

    class Recorder(W):
        def __init__(self):
            self.factory = types.SimpleNamespace(isServer=True, log=None)
            self.transport = Transport()
            self.state = W.STATE_OPEN
            self.websocket_version = 13
            self.send_state = W.SEND_STATE_GROUND
            self.send_queue = __import__("collections").deque()
            self.triggered = False
            self.trafficStats = protocol.TrafficStats()
            self.trackedTimings = None
            self.logFrames = False
            self.logOctets = False
            self.debug = False
            self.debugCodePaths = False
            self.maskServerFrames = False
            self.maskClientFrames = True
            self.applyMask = True
            self.autoFragmentSize = 0
            self._perMessageCompress = None
            self.closeHandshakeTimeout = 0
            self.createWirelog = True
            self.txFrameStats = {}
            self.closedByMe = False
            self.droppedByMe = False
            self.wasClean = False
            self.remoteCloseCode = None
            self.localCloseReason = None
            self.connectionWasOpen = True
            self.utf8validateIncoming = True
            self.record = []
            self.compressed = None

        # The fuzzing protocol's own helpers (autobahntestsuite/fuzzing.py).
        def enableWirelog(self, enable):
            self.createWirelog = enable

        def continueLater(self, delay, fun, tag=None):
            reactor.call_later(delay, self._continue, fun, pause=delay)

        def _continue(self, fun):
            if self.state != W.STATE_CLOSED:
                fun()

        def killAfter(self, delay):
            pass

        def closeAfter(self, delay):
            pass

        # Python 2 strings in, bytes to Autobahn's code.
        def sendFrame(self, opcode, payload=b"", **kw):
            return W.sendFrame(self, opcode, as_bytes(payload), **kw)

        def sendMessage(self, payload, isBinary=False, fragmentSize=None, **kw):
            payload = as_bytes(payload)
            if self.compressed is not None:
                # Groups 12 and 13: what is compressed, not the compressor's bytes.
                self.compressed["messages"].append(payload)
                self.compressed["binary"] = bool(isBinary)
                self.compressed["auto_fragment_size"] = self.autoFragmentSize
                self.echo.append((payload, bool(isBinary)))
                return
            return W.sendMessage(self, payload, isBinary, fragmentSize, **kw)

        def sendMessageFrameData(self, payload, sync=False):
            return W.sendMessageFrameData(self, as_bytes(payload), sync)

        def sendCloseFrame(self, code=None, reasonUtf8=None, isReply=False):
            return W.sendCloseFrame(self, code, as_bytes(reasonUtf8), isReply)

    return Recorder


def unmasked_frames(stream):
    """The whole frames at the start of an unmasked stream: (opcode, fin, rsv, payload), and
    where the first incomplete one starts."""
    frames = []
    i = 0
    while i + 2 <= len(stream):
        b0, b1 = stream[i], stream[i + 1]
        n = b1 & 0x7F
        at = i + 2
        if n == 126:
            n = int.from_bytes(stream[at:at + 2], "big")
            at += 2
        elif n == 127:
            n = int.from_bytes(stream[at:at + 8], "big")
            at += 8
        if at + n > len(stream):
            break
        frames.append((b0 & 0xF, bool(b0 & 0x80), (b0 >> 4) & 7, stream[at:at + n]))
        i = at + n
    return frames, i


def frames_of(stream):
    """The frames of an unmasked stream, run-length coded: [opcode, fin, rsv, length, count]."""
    out = []
    for opcode, fin, rsv, payload in unmasked_frames(stream)[0]:
        entry = [opcode, fin, rsv, len(payload)]
        if out and out[-1][:4] == entry:
            out[-1][4] += 1
        else:
            out.append(entry + [1])
    return out


def messages_of(stream, state):
    """Data messages completed in `stream` (unmasked), for the echo, and the bytes left over;
    `state` carries a message across calls."""
    done = []
    frames, used = unmasked_frames(stream)
    for opcode, fin, _, payload in frames:
        if opcode in (1, 2):
            state["op"], state["data"] = opcode, bytearray(payload)
        elif opcode == 0 and state.get("op"):
            state["data"] += payload
        if opcode in (0, 1, 2) and fin and state.get("op"):
            done.append((bytes(state["data"]), state["op"] == 2))
            state["op"] = None
    return done, stream[used:]


def run_length(record):
    """The record as runs: ["w", length, after_echo, count] (a write of `length` bytes, made
    after the echo of the previous message when `after_echo`, `count` times over) and
    ["pause", ms]. The bytes themselves are in the case's `sha1` (of everything written)."""
    out = []
    after_echo = False
    for entry in record:
        if entry[0] == "echo":
            after_echo = True
            continue
        if entry[0] == "write":
            entry = ["w", entry[1], after_echo]
            after_echo = False
            if out and out[-1][:3] == entry:
                out[-1][3] += 1
                continue
            entry = entry + [1]
        out.append(entry)
    return out


def run_case(protocol, klass):
    reactor = Reactor()
    protocol.txaio.call_later = reactor.call_later
    Recorder = make_protocol(protocol, reactor)
    p = Recorder()
    p.echo = []
    case = klass(p)
    group = klass.__name__.split("_")[0][4:]
    if group in ("12", "13"):
        p._perMessageCompress = object()  # agreed; what is sent is recorded before compression
        p.compressed = {"messages": []}
    record = []
    pending = b""
    parse_state = {}
    stream = bytearray()
    ended = False

    def flush_turn():
        nonlocal pending
        data = b"".join(p.transport.turn)
        p.transport.turn = []
        if data:
            record.append(["write", len(data)])
            stream.extend(data)
            done, pending = messages_of(pending + data, parse_state)
            p.echo.extend(done)

    case.onOpen()
    flush_turn()
    while not ended:
        if p.echo:
            payload, binary = p.echo.pop(0)
            before = p.state
            queued, written = len(p.send_queue), len(p.transport.turn)
            case.onMessage(payload, binary)
            if before == protocol.WebSocketProtocol.STATE_OPEN and p.state != before:
                # The case finished (it closed in answer to the echo): the end of the record.
                p.transport.turn = []
                break
            if len(p.transport.turn) > written or len(p.send_queue) > queued:
                # What the echo made the case send.
                record.append(["echo"])
            flush_turn()
            continue
        if not reactor.timers:
            break
        when, _, fun, args, kw, delay = heapq.heappop(reactor.timers)
        reactor.now = when
        pause = kw.pop("pause", None)
        if pause is not None:
            record.append(["pause", int(round(pause * 1000))])
        fun(*args, **kw)
        flush_turn()
    out = {
        "writes": run_length(record),
        "frames": frames_of(bytes(stream)),
        "sha1": hashlib.sha1(stream).hexdigest(),
    }
    if p.compressed is not None:
        msgs = p.compressed["messages"]
        digest = hashlib.sha1()
        for m in msgs:
            digest.update(len(m).to_bytes(8, "big"))
            digest.update(m)
        out = {
            "messages": len(msgs),
            "binary": p.compressed.get("binary"),
            "digest": digest.hexdigest(),
            "auto_fragment_size": p.compressed.get("auto_fragment_size"),
        }
    return out


def fragment_rule(protocol):
    """`sendMessageHybi`'s fragmentation loop run on lengths around multiples of the size:
    {"size:len": [fragment lengths and FIN bits]}."""
    reactor = Reactor()
    protocol.txaio.call_later = reactor.call_later
    Recorder = make_protocol(protocol, reactor)
    table = {}
    for size in (1, 2, 3, 64, 1300):
        for n in sorted({0, 1, size - 1, size, size + 1, 2 * size, 3 * size - 1, 3 * size}):
            if n < 0:
                continue
            p = Recorder()
            p.echo = []
            p.sendMessage(b"x" * n, False, size)
            data = b"".join(p.transport.turn)
            frames = unmasked_frames(data)[0]
            table["%d:%d" % (size, n)] = [[len(payload), fin] for _, fin, _, payload in frames]
    return table


def python2_builtins():
    """The Python 2 names the case files use."""
    import builtins

    builtins.xrange = range
    builtins.unicode = str
    builtins.unichr = chr
    builtins.long = int
    builtins.basestring = str
    import binascii

    b2a_hex = binascii.b2a_hex
    binascii.b2a_hex = lambda data: b2a_hex(as_bytes(data))


def install_case_loader(case_dir):
    """Imports the case files from `case_dir` with the two Python 2 forms they use made
    Python 3: `print x` statements, and classes made with `type(name, (object, Case), ...)`
    (fine for Python 2's old-style `Case`, an inconsistent MRO in Python 3)."""
    import importlib.abc
    import importlib.util
    import os

    class Loader(importlib.abc.SourceLoader):
        def __init__(self, path):
            self.path = path

        def get_filename(self, fullname):
            return self.path

        def get_data(self, path):
            # Python 2's string literals are the file's bytes (UTF-8 text in 6.2.x is bytes
            # on the wire): read as Latin-1 so each byte is one character, which `as_bytes`
            # turns back into that byte; the coding line goes, as the text is now Unicode.
            src = open(path, encoding="latin-1").read()
            src = re.sub(r"^#.*coding[:=].*$", "", src, flags=re.M)
            src = re.sub(r"^(\s*)print (.*)$", r"\1print(\2)", src, flags=re.M)
            src = re.sub(r"^(\s*)print$", r"\1print()", src, flags=re.M)
            src = src.replace("(object, Case, )", "(Case, )").replace("(object, Case)", "(Case, )")
            return src.encode()

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            file = os.path.join(case_dir, name + ".py")
            if "." in name or not os.path.exists(file):
                return None
            return importlib.util.spec_from_file_location(name, file, loader=Loader(file))

    sys.meta_path.insert(0, Finder())
    # 9.9.1 (not among the cases Autobahn runs) imports zope and Twisted at module level.
    for name in ("zope", "zope.interface", "twisted", "twisted.internet",
                 "twisted.internet.interfaces"):
        stub = types.ModuleType(name)
        stub.implements = lambda *a: None
        stub.IPushProducer = object
        stub.reactor = None
        stub.interfaces = stub
        sys.modules.setdefault(name, stub)
    # Autobahn's validator on the case files' Python 2 byte strings.
    import autobahn.websocket.utf8validator as utf8

    validate = utf8.Utf8Validator.validate
    utf8.Utf8Validator.validate = lambda self, ba: validate(self, as_bytes(ba))


def main():
    autobahn_src, testsuite_src = sys.argv[1], sys.argv[2]
    python2_builtins()
    protocol = load_autobahn(autobahn_src)
    case_dir = testsuite_src + "/autobahntestsuite/case"
    sys.path.insert(0, case_dir)
    install_case_loader(case_dir)
    # Test data for groups 12 and 13, which the cases find with `pkg_resources` in the
    # installed package; here, in the unpacked sources.
    resources = types.ModuleType("pkg_resources")
    resources.resource_filename = lambda pkg, name: testsuite_src + "/autobahntestsuite/" + name
    sys.modules["pkg_resources"] = resources
    import __init__ as cases  # noqa: the case package's index, loaded from its directory

    out = {"cases": {}, "fragment_rule": fragment_rule(protocol)}
    for klass in cases.Cases:
        case_id = ".".join(klass.__name__[4:].split("_"))
        out["cases"][case_id] = run_case(protocol, klass)
    json.dump(out, sys.stdout, indent=0, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
