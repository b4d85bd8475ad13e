"""Slot pools as data: desired sizes come from settings, the table is reconciled to them.

A slot is where one stage runs. GPU slots are tied to a GPU index (``gpu0-1``), CPU
and io slots are not (``cpu-3``, ``io-2``). ``reconcile`` grows a pool at once and
shrinks it only by idle slots: a busy slot over the target is marked ``retiring``
and goes when its stage releases it, so shrinking a pool never kills a stage.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

ResourceClass = Literal["gpu", "cpu", "io"]
Encoder = Literal["h264_nvenc", "libx264"]
ChangeAction = Literal["added", "removed", "retiring", "unretired", "released"]

_RESOURCE_ORDER: dict[str, int] = {"gpu": 0, "cpu": 1, "io": 2}
_POOL_ENCODER: dict[str, Encoder | None] = {"gpu": "h264_nvenc", "cpu": "libx264", "io": None}


class SlotError(ValueError):
    """An assign or release that does not fit the table (unknown, busy or idle slot)."""


@dataclass(frozen=True)
class SlotPools:
    """Desired pool sizes. ``gpu`` is slots per GPU: N GPUs give N × gpu GPU slots."""

    gpu: int
    cpu: int
    io: int

    def __post_init__(self) -> None:
        for name in ("gpu", "cpu", "io"):
            if getattr(self, name) < 0:
                raise ValueError(f"slot pool {name} must be ≥ 0, got {getattr(self, name)}")


@dataclass(frozen=True)
class Slot:
    id: str
    resource: ResourceClass
    gpu_index: int | None
    # The encoder a render in this slot uses; None for io slots, which never render.
    encoder: Encoder | None
    stage_id: int | None = None
    retiring: bool = False

    @property
    def busy(self) -> bool:
        return self.stage_id is not None

    @property
    def pool(self) -> str:
        """Pool name: ``gpu0``, ``gpu1``, ``cpu`` or ``io``."""
        return f"gpu{self.gpu_index}" if self.resource == "gpu" else self.resource

    @property
    def number(self) -> int:
        return int(self.id.rsplit("-", 1)[1])

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "resource": self.resource,
            "gpu_index": self.gpu_index,
            "encoder": self.encoder,
            "stage_id": self.stage_id,
            "retiring": self.retiring,
        }


@dataclass(frozen=True)
class SlotChange:
    action: ChangeAction
    slot_id: str
    stage_id: int | None = None


@dataclass(frozen=True)
class _PoolKey:
    resource: ResourceClass
    gpu_index: int | None

    @property
    def name(self) -> str:
        return f"gpu{self.gpu_index}" if self.resource == "gpu" else self.resource

    def slot_id(self, number: int) -> str:
        return f"{self.name}-{number}"


class SlotTable:
    """The slots that exist now and which stage runs in each. Starts empty; reconcile it."""

    def __init__(self) -> None:
        self._slots: dict[str, Slot] = {}
        self._targets: dict[_PoolKey, int] = {}

    def reconcile(self, pools: SlotPools, gpu_indices: Iterable[int]) -> tuple[SlotChange, ...]:
        """Bring the table towards ``pools``; return what changed, in order."""
        targets = {_PoolKey("gpu", index): pools.gpu for index in sorted(set(gpu_indices))}
        targets[_PoolKey("cpu", None)] = pools.cpu
        targets[_PoolKey("io", None)] = pools.io
        self._targets = dict(targets)
        # A GPU that has gone keeps a pool with target 0 until its busy slots drain.
        for key in {_key(slot) for slot in self._slots.values()}:
            targets.setdefault(key, 0)
        changes: list[SlotChange] = []
        for key in sorted(targets, key=_pool_order):
            changes.extend(self._reconcile_pool(key, targets[key]))
        self._sort()
        return tuple(changes)

    def assign(self, slot_id: str, stage_id: int) -> Slot:
        slot = self.get(slot_id)
        if slot.busy:
            raise SlotError(f"slot {slot_id} is busy with stage {slot.stage_id}")
        slot = replace(slot, stage_id=stage_id)
        self._slots[slot_id] = slot
        return slot

    def release(self, slot_id: str) -> SlotChange:
        """Free a slot; a retiring one is removed instead (action ``removed``)."""
        slot = self.get(slot_id)
        if not slot.busy:
            raise SlotError(f"slot {slot_id} is not busy")
        if slot.retiring:
            del self._slots[slot_id]
            return SlotChange("removed", slot_id, slot.stage_id)
        self._slots[slot_id] = replace(slot, stage_id=None)
        return SlotChange("released", slot_id, slot.stage_id)

    def get(self, slot_id: str) -> Slot:
        try:
            return self._slots[slot_id]
        except KeyError:
            raise SlotError(f"no slot {slot_id}") from None

    def slots(self) -> tuple[Slot, ...]:
        return tuple(self._slots.values())

    def free(self, resource: ResourceClass) -> list[Slot]:
        return [s for s in self._slots.values() if s.resource == resource and not s.busy]

    def busy(self) -> list[Slot]:
        return [slot for slot in self._slots.values() if slot.busy]

    def find_stage(self, stage_id: int) -> Slot | None:
        return next((s for s in self._slots.values() if s.stage_id == stage_id), None)

    def snapshot(self) -> dict[str, Any]:
        """Per pool target/size/busy/retiring and every slot, for the API (JSON-able)."""
        pools: dict[str, dict[str, Any]] = {}
        keys = set(self._targets) | {_key(slot) for slot in self._slots.values()}
        for key in sorted(keys, key=_pool_order):
            members = [slot for slot in self._slots.values() if _key(slot) == key]
            pools[key.name] = {
                "resource": key.resource,
                "gpu_index": key.gpu_index,
                "target": self._targets.get(key, 0),
                "size": len(members),
                "busy": sum(slot.busy for slot in members),
                "retiring": sum(slot.retiring for slot in members),
            }
        return {"pools": pools, "slots": [slot.as_dict() for slot in self._slots.values()]}

    def _reconcile_pool(self, key: _PoolKey, target: int) -> list[SlotChange]:
        members = sorted((s for s in self._slots.values() if _key(s) == key), key=_number)
        active = [slot for slot in members if not slot.retiring]
        changes: list[SlotChange] = []
        if len(active) < target:
            missing = target - len(active)
            # Taking back a retiring slot keeps its stage and costs nothing.
            for slot in [slot for slot in members if slot.retiring][:missing]:
                self._slots[slot.id] = replace(slot, retiring=False)
                changes.append(SlotChange("unretired", slot.id, slot.stage_id))
                missing -= 1
            used = {slot.number for slot in members}
            for number in _free_numbers(used, missing):
                slot = Slot(
                    id=key.slot_id(number),
                    resource=key.resource,
                    gpu_index=key.gpu_index,
                    encoder=_POOL_ENCODER[key.resource],
                )
                self._slots[slot.id] = slot
                changes.append(SlotChange("added", slot.id))
        elif len(active) > target:
            excess = len(active) - target
            # Highest numbers go first, idle ones before busy ones.
            by_preference = sorted(active, key=lambda s: (s.busy, -s.number))
            for slot in by_preference[:excess]:
                if slot.busy:
                    self._slots[slot.id] = replace(slot, retiring=True)
                    changes.append(SlotChange("retiring", slot.id, slot.stage_id))
                else:
                    del self._slots[slot.id]
                    changes.append(SlotChange("removed", slot.id))
        return changes

    def _sort(self) -> None:
        ordered = sorted(self._slots.values(), key=lambda s: (_pool_order(_key(s)), s.number))
        self._slots = {slot.id: slot for slot in ordered}


def _key(slot: Slot) -> _PoolKey:
    return _PoolKey(slot.resource, slot.gpu_index)


def _pool_order(key: _PoolKey) -> tuple[int, int]:
    return (_RESOURCE_ORDER[key.resource], -1 if key.gpu_index is None else key.gpu_index)


def _number(slot: Slot) -> int:
    return slot.number


def _free_numbers(used: set[int], count: int) -> list[int]:
    """The ``count`` lowest numbers from 1 up not in ``used``, so ids stay small and stable."""
    numbers: list[int] = []
    candidate = 1
    while len(numbers) < count:
        if candidate not in used:
            numbers.append(candidate)
        candidate += 1
    return numbers
