/*
 * The rate of the heap events' clock (wire/clock.h), so that their ticks
 * become durations: the lifetimes of blocks.
 */
#ifndef MEMSCOPE_CLOCK_H
#define MEMSCOPE_CLOCK_H

/*
 * Nanoseconds per tick of ms_clock() on this machine, measured once (the
 * first call takes 2 ms on x86-64; 1.0 where the clock is in nanoseconds).
 */
double	clock_ns_per_tick(void);

#endif
