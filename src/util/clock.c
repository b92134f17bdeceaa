/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <time.h>

#include "clock.h"
#include "event-clock.h"

/* Long enough that the reads' own jitter (tens of ns) is 1/10000 of it. */
#define CALIBRATION_NS	2000000

uint64_t
clock_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * A reading of both clocks at one moment: the tick count is the middle of
 * the two that bracket the other clock's read, the narrowest bracket of a
 * few (a preemption between two reads would skew the pair).
 */
static void
read_pair(uint64_t *ticks, uint64_t *ns)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 5; i++) {
		uint64_t t0 = ms_clock(), n = clock_monotonic_ns(), t1 = ms_clock();

		if (t1 >= t0 && t1 - t0 < best) {
			best = t1 - t0;
			*ticks = t0 + (t1 - t0) / 2;
			*ns = n;
		}
	}
}

double
clock_ns_per_tick(void)
{
	static double rate;
	uint64_t ns0 = 0, ticks0 = 0, ns1 = 0, ticks1 = 0;

	if (MS_CLOCK_IS_NS)
		return 1.0;
	if (rate > 0)
		return rate;
	read_pair(&ticks0, &ns0);
	while (clock_monotonic_ns() - ns0 < CALIBRATION_NS)
		;
	read_pair(&ticks1, &ns1);
	rate = ticks1 > ticks0 ? (double)(ns1 - ns0) / (double)(ticks1 - ticks0) : 1.0;
	return rate;
}
