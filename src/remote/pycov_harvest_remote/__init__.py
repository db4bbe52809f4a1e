"""The programs the action runs inside targets (and in the conversion container).

Each entry module (harvest, sigterm, token, convert) has a `main() -> int` and
is bundled by the action, with the modules it imports, into one compressed
argument of `python -S -c <loader>` (src/remote/programs.ts). `-S` keeps the
interpreter from reading site-packages, so no `.pth` hook (the agent's among
them) runs in these programs; the loader also sets PYCOV_HARVEST=0 for every
process they start. Standard library only, Python 3.8+. What they print and
how they exit is the contract in docs/protocol.md ("Programs").
"""
