"""Slot pools reconciled as data: grow at once, shrink only idle slots, retire busy ones."""

from __future__ import annotations

import json

import pytest

from scheduler.slots import Slot, SlotChange, SlotError, SlotPools, SlotTable


def ids(slots: list[Slot] | tuple[Slot, ...]) -> list[str]:
    return [slot.id for slot in slots]


def table(gpu: int = 3, cpu: int = 4, io: int = 2, gpus: tuple[int, ...] = (0,)) -> SlotTable:
    slots = SlotTable()
    slots.reconcile(SlotPools(gpu=gpu, cpu=cpu, io=io), gpus)
    return slots


def test_reconcile_from_empty_adds_every_pool() -> None:
    slots = SlotTable()
    changes = slots.reconcile(SlotPools(gpu=2, cpu=3, io=1), [0, 1])
    assert [c.action for c in changes] == ["added"] * 8
    assert ids(slots.slots()) == [
        "gpu0-1",
        "gpu0-2",
        "gpu1-1",
        "gpu1-2",
        "cpu-1",
        "cpu-2",
        "cpu-3",
        "io-1",
    ]
    gpu_slot = slots.get("gpu1-2")
    assert (gpu_slot.resource, gpu_slot.gpu_index, gpu_slot.encoder) == ("gpu", 1, "h264_nvenc")
    cpu_slot = slots.get("cpu-3")
    assert (cpu_slot.resource, cpu_slot.gpu_index, cpu_slot.encoder) == ("cpu", None, "libx264")
    assert slots.get("io-1").encoder is None


def test_no_gpus_means_no_gpu_slots() -> None:
    slots = table(gpu=3, cpu=4, io=2, gpus=())
    assert slots.free("gpu") == []
    assert len(slots.free("cpu")) == 4


def test_reconcile_is_idempotent() -> None:
    slots = table()
    assert slots.reconcile(SlotPools(gpu=3, cpu=4, io=2), [0]) == ()


def test_grow_adds_at_once_even_while_busy() -> None:
    slots = table(cpu=2)
    slots.assign("cpu-1", 10)
    slots.assign("cpu-2", 11)
    changes = slots.reconcile(SlotPools(gpu=3, cpu=4, io=2), [0])
    assert changes == (SlotChange("added", "cpu-3"), SlotChange("added", "cpu-4"))
    assert ids(slots.free("cpu")) == ["cpu-3", "cpu-4"]


def test_shrink_removes_idle_slots_highest_first_and_keeps_busy() -> None:
    slots = table(cpu=4)
    slots.assign("cpu-4", 7)
    changes = slots.reconcile(SlotPools(gpu=3, cpu=2, io=2), [0])
    assert changes == (SlotChange("removed", "cpu-3"), SlotChange("removed", "cpu-2"))
    assert ids([s for s in slots.slots() if s.resource == "cpu"]) == ["cpu-1", "cpu-4"]
    assert slots.get("cpu-4").stage_id == 7
    assert not slots.get("cpu-4").retiring


def test_shrink_below_busy_count_retires_busy_slots_until_released() -> None:
    slots = table(cpu=3)
    for number, stage in ((1, 21), (2, 22), (3, 23)):
        slots.assign(f"cpu-{number}", stage)
    changes = slots.reconcile(SlotPools(gpu=3, cpu=1, io=2), [0])
    assert changes == (
        SlotChange("retiring", "cpu-3", 23),
        SlotChange("retiring", "cpu-2", 22),
    )
    # Nothing was killed: every stage still has its slot.
    assert sorted(s.stage_id for s in slots.busy() if s.resource == "cpu") == [21, 22, 23]
    snapshot = slots.snapshot()["pools"]["cpu"]
    assert (snapshot["target"], snapshot["size"], snapshot["busy"], snapshot["retiring"]) == (
        1,
        3,
        3,
        2,
    )
    # A second reconcile changes nothing: the retiring slots are already counted out.
    assert slots.reconcile(SlotPools(gpu=3, cpu=1, io=2), [0]) == ()
    assert slots.release("cpu-3") == SlotChange("removed", "cpu-3", 23)
    assert slots.release("cpu-1") == SlotChange("released", "cpu-1", 21)
    assert ids([s for s in slots.slots() if s.resource == "cpu"]) == ["cpu-1", "cpu-2"]
    assert ids(slots.free("cpu")) == ["cpu-1"]  # retiring cpu-2 is never free


def test_growing_again_takes_back_retiring_slots_before_adding() -> None:
    slots = table(cpu=2)
    slots.assign("cpu-1", 1)
    slots.assign("cpu-2", 2)
    slots.reconcile(SlotPools(gpu=3, cpu=0, io=2), [0])
    assert all(s.retiring for s in slots.slots() if s.resource == "cpu")
    changes = slots.reconcile(SlotPools(gpu=3, cpu=3, io=2), [0])
    assert changes == (
        SlotChange("unretired", "cpu-1", 1),
        SlotChange("unretired", "cpu-2", 2),
        SlotChange("added", "cpu-3"),
    )
    assert slots.release("cpu-2") == SlotChange("released", "cpu-2", 2)


def test_new_slots_fill_gaps_in_numbering() -> None:
    slots = table(cpu=3)
    slots.assign("cpu-3", 5)
    slots.reconcile(SlotPools(gpu=3, cpu=1, io=2), [0])  # removes idle cpu-2 and cpu-1
    assert ids([s for s in slots.slots() if s.resource == "cpu"]) == ["cpu-3"]
    slots.reconcile(SlotPools(gpu=3, cpu=3, io=2), [0])
    assert ids([s for s in slots.slots() if s.resource == "cpu"]) == ["cpu-1", "cpu-2", "cpu-3"]


def test_gpu_pool_per_gpu_and_vanished_gpu_drains() -> None:
    slots = table(gpu=2, gpus=(0, 1))
    slots.assign("gpu1-1", 99)
    changes = slots.reconcile(SlotPools(gpu=2, cpu=4, io=2), [0])
    assert changes == (SlotChange("removed", "gpu1-2"), SlotChange("retiring", "gpu1-1", 99))
    assert slots.snapshot()["pools"]["gpu1"]["target"] == 0
    slots.release("gpu1-1")
    assert ids(slots.slots())[:2] == ["gpu0-1", "gpu0-2"]
    assert "gpu1" not in slots.snapshot()["pools"]


def test_assign_and_release_errors() -> None:
    slots = table()
    slots.assign("io-1", 3)
    with pytest.raises(SlotError, match="busy with stage 3"):
        slots.assign("io-1", 4)
    with pytest.raises(SlotError, match="not busy"):
        slots.release("io-2")
    with pytest.raises(SlotError, match="no slot cpu-9"):
        slots.assign("cpu-9", 1)
    assert slots.find_stage(3) == slots.get("io-1")
    assert slots.find_stage(4) is None


def test_snapshot_is_json_and_says_what_runs_where() -> None:
    slots = table(gpu=1, cpu=1, io=1)
    slots.assign("gpu0-1", 42)
    snapshot = json.loads(json.dumps(slots.snapshot()))
    assert snapshot["pools"] == {
        "gpu0": {"resource": "gpu", "gpu_index": 0, "target": 1, "size": 1, "busy": 1,
                 "retiring": 0},
        "cpu": {"resource": "cpu", "gpu_index": None, "target": 1, "size": 1, "busy": 0,
                "retiring": 0},
        "io": {"resource": "io", "gpu_index": None, "target": 1, "size": 1, "busy": 0,
               "retiring": 0},
    }  # fmt: skip
    assert snapshot["slots"][0] == {
        "id": "gpu0-1",
        "resource": "gpu",
        "gpu_index": 0,
        "encoder": "h264_nvenc",
        "stage_id": 42,
        "retiring": False,
    }


def test_negative_pool_size_is_rejected() -> None:
    with pytest.raises(ValueError, match="cpu must be ≥ 0"):
        SlotPools(gpu=1, cpu=-1, io=1)
