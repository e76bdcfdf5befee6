"""A Streamlit session without a browser: the WebSocket protocol the browser speaks
(protobuf BackMsg / ForwardMsg on /_stcore/stream), just enough to open a page from a link,
press a button and keep the page's fragment timer going. It discards what it receives.

Why: a server's memory with 30 visitors playing is the server's own (their sessions, their
live loops stepping at the same time, the shared caches); 30 Chromium renderers on a 2-core
machine would use the cores the server needs (benchmarks/bench_sessions.py: 10 renderers took
1.64 cores), and AppTest runs one script at a time in one process, without the fragments'
timed loops. A protocol client costs ~nothing and the server cannot tell it from a browser.
"""
from __future__ import annotations

import asyncio
import time
from urllib.parse import urlencode

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetStates


class Session:
    """One visitor: ``await s.open(page, params)``, ``await s.click("Play")``, then
    ``s.frames`` counts the element updates received (the live view's frames included)."""

    def __init__(self, url: str):
        self.ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = None
        self.buttons: dict[str, str] = {}       # label -> widget id (the latest seen)
        self.page = ""
        self.query = ""
        self.page_hash = ""
        self.fragments: dict[str, float] = {}   # fragment id -> auto-rerun interval (s)
        self.frames = 0
        self.bytes = 0
        self.exceptions = 0
        self.finished = asyncio.Event()
        self._tasks: list[asyncio.Task] = []

    async def open(self, page: str, params: dict | None = None, timeout: float = 120) -> None:
        self.ws = await websockets.connect(self.ws_url, subprotocols=["streamlit"], max_size=None,
                                           open_timeout=timeout, ping_interval=None)
        self.page, self.query = page, urlencode(params or {})
        self._tasks.append(asyncio.create_task(self._receive()))
        await self._rerun(WidgetStates())
        await asyncio.wait_for(self.finished.wait(), timeout)

    async def click(self, label: str, timeout: float = 120) -> None:
        states = WidgetStates()
        w = states.widgets.add()
        w.id, w.trigger_value = self.buttons[label], True
        await self._rerun(states)
        await asyncio.wait_for(self.finished.wait(), timeout)

    async def _rerun(self, states: WidgetStates, fragment: str = "") -> None:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string, cs.page_name, cs.page_script_hash = self.query, self.page, self.page_hash
        cs.widget_states.CopyFrom(states)
        if fragment:
            cs.fragment_id, cs.is_auto_rerun = fragment, True
        else:
            self.finished.clear()
        await self.ws.send(msg.SerializeToString())

    async def _ticks(self, fragment: str, interval: float) -> None:
        """The browser's job for st.fragment(run_every=...): ask for the fragment again."""
        while self.fragments.get(fragment) == interval:
            await asyncio.sleep(interval)
            try:
                await self._rerun(WidgetStates(), fragment)
            except websockets.ConnectionClosed:
                return

    async def _receive(self) -> None:
        try:
            async for raw in self.ws:
                self.bytes += len(raw)
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                kind = msg.WhichOneof("type")
                if kind == "navigation":  # the page the link opened: later runs name it by its hash
                    self.page_hash = msg.navigation.page_script_hash
                elif kind == "delta":
                    self.frames += 1
                    el = msg.delta.new_element if msg.delta.WhichOneof("type") == "new_element" else None
                    if el is not None:
                        what = el.WhichOneof("type")
                        if what == "button":
                            self.buttons[el.button.label] = el.button.id
                        elif what == "exception":
                            self.exceptions += 1
                elif kind == "auto_rerun":
                    fid, interval = msg.auto_rerun.fragment_id, msg.auto_rerun.interval
                    if self.fragments.get(fid) != interval:
                        self.fragments[fid] = interval
                        self._tasks.append(asyncio.create_task(self._ticks(fid, interval)))
                elif kind == "stop_auto_rerun":
                    self.fragments.pop(msg.stop_auto_rerun.fragment_id, None)
                elif kind == "script_finished":
                    self.finished.set()
        except websockets.ConnectionClosed:
            pass

    async def close(self) -> None:
        self.fragments.clear()
        if self.ws is not None:
            await self.ws.close()
        for t in self._tasks:
            t.cancel()


async def _demo(url: str) -> None:  # python benchmarks/_wsclient.py http://127.0.0.1:8501
    s = Session(url)
    await s.open("xor", {"hidden": "8,8"})
    print("buttons:", sorted(s.buttons), "frames so far:", s.frames)
    await s.click("Play")
    t0, f0 = time.monotonic(), s.frames
    await asyncio.sleep(5)
    print(f"{(s.frames - f0) / (time.monotonic() - t0):.1f} element updates/s while playing; "
          f"fragments {s.fragments}; exceptions {s.exceptions}")
    await s.close()


if __name__ == "__main__":
    import sys

    asyncio.run(_demo(sys.argv[1]))
