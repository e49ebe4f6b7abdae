#!/usr/bin/env python3
"""Lists the Arm EABI system calls (linux-user/arm/syscall_nr.h, from <asm/unistd-eabi.h>) that
mimic answers with ENOSYS: neither wrapped in linux-user/arm/syscalls.cpp nor a generic handler
of the same layout (linux-user/syscall_*.cpp) under an alias or the same name.

  scripts/arm_syscalls_missing.py          # one line per missing call: number, name, why
"""
import re
from pathlib import Path

root = Path(__file__).resolve().parent.parent
lu = root / "linux-user"
rows = [(int(n), name, int(g)) for n, name, g in
        re.findall(r"X\((\d+), (\w+), (-?\d+)\)", (lu / "arm/syscall_nr.h").read_text())]
generic_nr = {name: int(n) for n, name in
              re.findall(r"X\((\d+), (\w+)\)", (lu / "generic/syscall_nr.h").read_text())}
implemented = set()
for src in lu.glob("syscall_*.cpp"):
    for name in re.findall(r"\{nr::k_(\w+),\s*\"", src.read_text()):
        implemented.add(generic_nr[name])
arm = (lu / "arm/syscalls.cpp").read_text()
legacy = (lu / "arm/syscalls_legacy.cpp").read_text()
wrapped = {int(n) for n in re.findall(r"^\s*\{(\d+), \"\w+\", ", arm + legacy, re.M)}
aliases = {a: generic_nr[g] for a, g in re.findall(r"\{\"(\w+)\", nr::k_(\w+)\}", arm)}
differs_block = re.search(r"kLayoutDiffers\[\] = \{(.*?)\};", arm, re.S).group(1)
differs = set(re.findall(r"\"(\w+)\"", differs_block))
missing = []
for nr, name, g in rows:
    if nr in wrapped:
        continue
    g = aliases.get(name, g)
    if name in differs or g < 0 or g not in implemented:
        why = ("32-bit layout not converted" if name in differs and g in implemented
               else "no guest has it (no generic handler)" if g >= 0 else "Arm/32-bit only call")
        missing.append((nr, name, why))
for nr, name, why in missing:
    print(f"{nr:4} {name:28} {why}")
print(f"# {len(missing)} of {len(rows)} EABI calls answer ENOSYS")
