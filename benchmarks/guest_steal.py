"""CPU time the hypervisor gave to other guests: what a VM's timings are checked against."""

from __future__ import annotations

import os

_TICK = 1 / os.sysconf("SC_CLK_TCK")


def steal_seconds() -> float:
    """The guest's stolen CPU time so far, all CPUs ("steal" in /proc/stat); 0 where it is not reported."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = stat.readline().split()  # "cpu user nice system idle iowait irq softirq steal ..."
    return int(fields[8]) * _TICK if len(fields) > 8 else 0.0
