"""An HL7 v2 MLLP listener for tests, built on the ``hl7`` package's asyncio MLLP server.

It runs its own event loop in a thread on a free loopback port, keeps every received message
(raw text, in arrival order) and answers each with an ACK made by ``hl7.Message.create_ack``:
``AA`` by default; ``ack_code``/``ack_text`` change the answer and ``delay_s`` holds it back
(to exercise the sender's timeout).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import hl7
import hl7.mllp


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MllpListener:
    """A running MLLP listener on ``127.0.0.1:port``."""

    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.messages: list[str] = []
        self.ack_code = "AA"
        self.ack_text = ""
        self.delay_s = 0.0
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.AbstractServer | None = None
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mllp-listener", daemon=True)

    async def _client(self, reader: hl7.mllp.HL7StreamReader,
                      writer: hl7.mllp.HL7StreamWriter) -> None:
        try:
            while not writer.is_closing():
                block = await reader.readblock()
                text = block.decode("utf-8")
                self.messages.append(text)
                message = hl7.parse(text)
                ack = message.create_ack(self.ack_code)
                if self.ack_text:  # MSA-3 text message (HL7 v2.5 2.15.8.3)
                    segments = str(ack).split("\r")
                    segments = [s + "|" + self.ack_text if s.startswith("MSA") else s
                                for s in segments]
                    ack = hl7.parse("\r".join(segments))
                if self.delay_s:
                    await asyncio.sleep(self.delay_s)
                writer.writemessage(ack)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def start() -> None:
            self._server = await hl7.mllp.start_hl7_server(
                self._client, host=self.host, port=self.port, limit=64 * 1024 * 1024,
                encoding="utf-8")
            self._ready.set()

        self._loop.run_until_complete(start())
        self._loop.run_forever()

    def start(self) -> MllpListener:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the MLLP listener did not start")
        return self

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
            current = asyncio.current_task()
            tasks = [t for t in asyncio.all_tasks() if t is not current]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        if self._loop.is_running():
            asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    def wait_for(self, count: int, timeout_s: float = 5.0) -> list[str]:
        deadline = time.monotonic() + timeout_s
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.messages)
