"""The fault plan: faults armed through the admin API for the next N requests of an infno."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass

from simulator.platform.errors import RequestRejected

KINDS = ("error", "http500", "delay", "drop", "drop_after_commit")
# drop: the connection is closed before the platform runs (a lost request: nothing happened);
# drop_after_commit: the transaction commits, then the connection is closed (a lost reply).


@dataclass(frozen=True)
class Fault:
    """One armed fault; `remaining` counts the requests it will still hit."""

    infno: str
    kind: str
    remaining: int
    message: str
    delay_ms: int


class FaultPlan:
    """Thread-safe queue of armed faults, consumed first-armed first per infno."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def arm(self, infno: str, kind: str, count: int = 1, message: str = "", delay_ms: int = 0) -> Fault:
        if kind not in KINDS:
            raise RequestRejected("ERR_BAD_FAULT", f"未知的故障类型 {kind!r}，可选：{', '.join(KINDS)}")
        if not infno:
            raise RequestRejected("ERR_BAD_FAULT", "故障必须指定交易编号 infno")
        if count < 1 or delay_ms < 0:
            raise RequestRejected("ERR_BAD_FAULT", "故障次数须 ≥ 1，延迟须 ≥ 0 毫秒")
        fault = Fault(infno, kind, count, message or "模拟平台故障", delay_ms)
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, infno: str) -> Fault | None:
        """The fault that hits this request of `infno`, if any (decrements its count)."""
        with self._lock:
            for index, fault in enumerate(self._faults):
                if fault.infno == infno:
                    if fault.remaining <= 1:
                        del self._faults[index]
                    else:
                        self._faults[index] = Fault(
                            fault.infno, fault.kind, fault.remaining - 1, fault.message, fault.delay_ms
                        )
                    return fault
            return None

    def listing(self) -> list[dict[str, object]]:
        with self._lock:
            return [asdict(fault) for fault in self._faults]

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
