/* SPDX-License-Identifier: ISC */
/*
 * The clock of the heap events (their "time" fields), read by the shim on
 * every allocation and free, so it must cost a few nanoseconds: the CPU's
 * time-stamp counter on x86-64 (constant-rate on every CPU of the last
 * fifteen years, and what the kernel's own clock reads), CLOCK_MONOTONIC
 * in nanoseconds elsewhere. The analyzer converts ticks to nanoseconds
 * with a rate it measures itself (src/util/clock.c): same machine, same clock.
 */
#ifndef MEMSCOPE_WIRE_CLOCK_H
#define MEMSCOPE_WIRE_CLOCK_H

#include <stdint.h>
#include <time.h>

#if defined(__x86_64__)
#define MS_CLOCK_IS_NS	0
static inline uint64_t
ms_clock(void)
{
	return __builtin_ia32_rdtsc();
}
#else
#define MS_CLOCK_IS_NS	1
static inline uint64_t
ms_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
#endif

/* Milliseconds of CLOCK_MONOTONIC: the doorbell's heartbeat, both sides. */
static inline uint64_t
ms_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

#endif
