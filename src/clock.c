#include "config.h"

#include <time.h>

#include "clock.h"
#include "wire/clock.h"

/* Long enough that the reads' own jitter (tens of ns) is 1/10000 of it. */
#define CALIBRATION_NS	2000000

static uint64_t
monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double
clock_ns_per_tick(void)
{
	static double rate;
	uint64_t ns0, ticks0, ns1, ticks1;

	if (MS_CLOCK_IS_NS)
		return 1.0;
	if (rate > 0)
		return rate;
	ticks0 = ms_clock();
	ns0 = monotonic_ns();
	do
		ns1 = monotonic_ns();
	while (ns1 - ns0 < CALIBRATION_NS);
	ticks1 = ms_clock();
	rate = ticks1 > ticks0 ? (double)(ns1 - ns0) / (double)(ticks1 - ticks0) : 1.0;
	return rate;
}
