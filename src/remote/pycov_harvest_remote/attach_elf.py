"""Symbol addresses in a running process: which mapped ELF file exports a CPython
function, and where that file is loaded (the `attach` method below Python 3.14).

Only 64-bit little-endian ELF (x86_64, aarch64): the targets `attach` supports.
Files are read through /proc/<pid>/root, so the target's own libpython or
executable is parsed even when this program runs in another container."""

from __future__ import annotations

import os
import re
import struct

TYPE_CHECKING = False
if TYPE_CHECKING:  # the typing module is not imported at run time
    from typing import BinaryIO, Dict, List, Optional, Tuple

ELF_MAGIC = b"\x7fELF"
ELFCLASS64 = 2
ELFDATA2LSB = 1
ET_EXEC = 2
PT_LOAD = 1
SHT_SYMTAB = 2
SHT_DYNSYM = 11
SHN_UNDEF = 0
STT_FUNC = 2
STT_OBJECT = 1
# A section table larger than this is not an interpreter: a corrupt or hostile file.
MAX_SECTIONS = 4096
MAX_SYMBOL_TABLE = 256 * 1024 * 1024
LIBPYTHON = re.compile(r"/libpython3\.\d+[a-z]*\.so(\.[\d.]+)?$")


class ElfError(Exception):
    """A mapped file is not an ELF file this injector can read."""


class Mapping:
    """One file of the target: its path inside the target and its load bias."""

    def __init__(self, path: str, bias: int) -> None:
        self.path = path
        self.bias = bias


def _read(f: BinaryIO, offset: int, size: int) -> bytes:
    f.seek(offset)
    data = f.read(size)
    if len(data) != size:
        raise ElfError("truncated at offset %d" % offset)
    return data


def _header(f: BinaryIO) -> Tuple[int, int, int, int, int, int, int, int]:
    ident = _read(f, 0, 16)
    if ident[:4] != ELF_MAGIC or ident[4] != ELFCLASS64 or ident[5] != ELFDATA2LSB:
        raise ElfError("not a 64-bit little-endian ELF file")
    (e_type, _machine, _version, _entry, e_phoff, e_shoff, _flags, _ehsize, e_phentsize, e_phnum,
     e_shentsize, e_shnum, _shstrndx) = struct.unpack("<HHIQQQIHHHHHH", _read(f, 16, 48))
    if e_shnum > MAX_SECTIONS or e_phnum > MAX_SECTIONS:
        raise ElfError("implausible section or segment count")
    return e_type, e_phoff, e_phentsize, e_phnum, e_shoff, e_shentsize, e_shnum, 0


def first_load_vaddr(f: BinaryIO) -> Tuple[int, int]:
    """(ELF type, the page-aligned virtual address of the first PT_LOAD segment)."""
    e_type, phoff, phentsize, phnum = _header(f)[:4]
    for i in range(phnum):
        p_type, _flags, _offset, vaddr = struct.unpack("<IIQQ", _read(f, phoff + i * phentsize, 24))
        if p_type == PT_LOAD:
            return e_type, vaddr & ~0xFFF
    raise ElfError("no loadable segment")


def symbols(f: BinaryIO, wanted: List[str]) -> Dict[str, int]:
    """Values of the wanted defined symbols, from .dynsym first, then .symtab."""
    _type, _phoff, _phentsize, _phnum, shoff, shentsize, shnum, _ = _header(f)
    sections = []
    for i in range(shnum):
        sections.append(struct.unpack("<IIQQQQIIQQ", _read(f, shoff + i * shentsize, 64)))
    names = set(wanted)
    found: Dict[str, int] = {}
    for kind in (SHT_DYNSYM, SHT_SYMTAB):
        for (_name, sh_type, _fl, _addr, offset, size, link, _info, _align, entsize) in sections:
            if sh_type != kind or entsize != 24 or size > MAX_SYMBOL_TABLE or link >= len(sections):
                continue
            strtab = sections[link]
            strings = _read(f, strtab[4], strtab[5])
            table = _read(f, offset, size)
            for j in range(0, size - 23, 24):
                st_name, st_info, _other, st_shndx, st_value, _size = struct.unpack_from("<IBBHQQ", table, j)
                if st_shndx == SHN_UNDEF or st_value == 0 or (st_info & 0xF) not in (STT_FUNC, STT_OBJECT):
                    continue
                end = strings.find(b"\0", st_name)
                name = strings[st_name:end].decode("ascii", "replace")
                if name in names and name not in found:
                    found[name] = st_value
        if len(found) == len(names):
            break
    return found


def interpreter_files(pid: int) -> List[Mapping]:
    """libpython (when the interpreter is linked against it) and the executable, with load biases."""
    exe = os.readlink("/proc/%d/exe" % pid)
    lowest: Dict[str, int] = {}
    with open("/proc/%d/maps" % pid) as maps:
        for line in maps:
            parts = line.split(None, 5)
            if len(parts) < 6:
                continue
            path = parts[5].strip()
            if path != exe and not LIBPYTHON.search(path):
                continue
            start = int(parts[0].split("-")[0], 16)
            offset = int(parts[2], 16)
            if offset == 0 and (path not in lowest or start < lowest[path]):
                lowest[path] = start
    found = []
    for path in sorted(lowest, key=lambda p: p == exe):  # libpython first: it is the one that exports
        with open_in_target(pid, path) as f:
            e_type, vaddr = first_load_vaddr(f)
        found.append(Mapping(path, 0 if e_type == ET_EXEC else lowest[path] - vaddr))
    return found


def open_in_target(pid: int, path: str) -> BinaryIO:
    return open("/proc/%d/root%s" % (pid, path), "rb")


def resolve(pid: int, wanted: List[str]) -> Optional[Dict[str, int]]:
    """Run-time addresses of every wanted symbol, all from one file; None if no file has them all."""
    for mapping in interpreter_files(pid):
        with open_in_target(pid, mapping.path) as f:
            found = symbols(f, wanted)
        if len(found) == len(wanted):
            return dict((name, mapping.bias + value) for name, value in found.items())
    return None
