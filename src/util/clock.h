/* SPDX-License-Identifier: ISC */
/*
 * The analyzer's clocks: CLOCK_MONOTONIC, for its own timing, and the rate
 * of the heap events' clock (wire/event-clock.h), so that their ticks become
 * durations: the lifetimes of blocks.
 */
#ifndef MEMSCOPE_CLOCK_H
#define MEMSCOPE_CLOCK_H

#include <stdint.h>

/* Nanoseconds of CLOCK_MONOTONIC. */
uint64_t clock_monotonic_ns(void);

/* The same in seconds, for the dashboard's pacing. */
static inline double
clock_now_s(void)
{
	return (double)clock_monotonic_ns() * 1e-9;
}

/*
 * Nanoseconds per tick of ms_clock() on this machine, measured once (the
 * first call takes 2 ms on x86-64; 1.0 where the clock is in nanoseconds).
 */
double	clock_ns_per_tick(void);

#endif
