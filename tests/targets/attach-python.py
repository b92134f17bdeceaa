#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""A Python program for memscope attach (tests/run-attach-python.test).

usage: attach-python.py CMD-FIFO

Writes "ready", then reads commands from CMD-FIFO, one a line, as
tests/targets/attach-server does:
  N       N times a bytearray of SIZE bytes, the last KEPT of them kept
          (each is one malloc of SIZE + 1 bytes by CPython), then
          "done N iterations I" on stdout;
  exit S  "end iterations I", and exit with status S.
"""
import os
import sys

SIZE = 100000
KEPT = 10


def main():
    fd = os.open(sys.argv[1], os.O_RDWR)
    kept = []
    iterations = 0
    pending = b""
    print("ready", flush=True)
    while True:
        chunk = os.read(fd, 4096)
        if not chunk:
            sys.exit("end of the command fifo")
        pending += chunk
        while b"\n" in pending:
            line, pending = pending.split(b"\n", 1)
            command = line.decode()
            if command.startswith("exit "):
                print("end iterations %d" % iterations, flush=True)
                sys.exit(int(command[5:]))
            n = int(command)
            for _ in range(n):
                kept.append(bytearray(SIZE))
                if len(kept) > KEPT:
                    kept.pop(0)
            iterations += n
            print("done %d iterations %d" % (n, iterations), flush=True)


main()
