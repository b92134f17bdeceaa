# SPDX-License-Identifier: ISC
# churn.py: dict and list churn in CPython, for `make bench`.
#
#	python3 churn.py [ROUNDS]
#
# Each round builds a dict of string keys to lists grown by append, a list
# of row tuples with strings, and an index dict over them; deletes half at
# random; joins and extends what is left; and drops it all. Many lists and
# strings outgrow the 512 bytes CPython's small-object allocator serves,
# so they come from malloc and grow by realloc. Fixed seed (run with
# PYTHONHASHSEED=0 for the same dict layouts too). Prints a checksum.
import random
import sys


def one_round(rng, n):
    table = {}
    rows = []
    for i in range(n):
        key = "k%d-%d" % (i, rng.randrange(1 << 30))
        values = []
        for _ in range(rng.randrange(1, 160)):
            values.append(i)
        table[key] = values
        rows.append((key, i, str(i) * rng.randrange(1, 200)))
    keys = list(table)
    rng.shuffle(keys)
    for key in keys[: n // 2]:
        del table[key]
    rows = [r for r in rows if r[1] % 3]
    index = {r[0]: r for r in rows}
    text = "".join(r[2] for r in rows[: n // 8])
    total = len(text) + len(index)
    for value in table.values():
        value.extend(value[:100])
        total += len(value)
    return total


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 18
    rng = random.Random(9)
    total = 0
    for _ in range(rounds):
        total += one_round(rng, 20000)
    print("churn.py: %d rounds, checksum %d" % (rounds, total))


main()
