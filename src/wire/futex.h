/* SPDX-License-Identifier: ISC */
/* futex(2) on a word of shared memory (not FUTEX_PRIVATE: two processes). */
#ifndef MEMSCOPE_WIRE_FUTEX_H
#define MEMSCOPE_WIRE_FUTEX_H

#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Sleep while *word == expected, at most timeout_ns; spurious returns happen. */
static inline void
ms_futex_wait(_Atomic uint32_t *word, uint32_t expected, long timeout_ns)
{
	struct timespec ts = { timeout_ns / 1000000000L, timeout_ns % 1000000000L };

	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT, expected, &ts, NULL, 0);
}

static inline void
ms_futex_wake_all(_Atomic uint32_t *word)
{
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE, 0x7fffffff, NULL, NULL, 0);
}

#endif
