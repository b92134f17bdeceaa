/* SPDX-License-Identifier: ISC */
/*
 * What the harnesses share. Each fuzz/fuzz-*.c defines the libFuzzer entry
 * point; built with clang by `make fuzz`, or with gcc and fuzz/replay.c as
 * a program that replays files (make check, tests/fuzz-replay.test).
 */
#ifndef MEMSCOPE_FUZZ_H
#define MEMSCOPE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * A memfd holding exactly data (made once, rewritten at each call), for
 * the parsers that take a file; its path is /proc/self/fd/N. Dies on a
 * failure: that is the harness's, not the parser's.
 */
int	fuzz_memfd(const void *data, size_t size);
/* "/proc/self/fd/N" of fd. */
const char *fuzz_fd_path(int fd);

#endif
