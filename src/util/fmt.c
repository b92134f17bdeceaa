/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "fmt.h"

const char *
fmt_size(char buf[FMT_SIZE_LEN], uint64_t bytes)
{
	static const char units[] = "KMGTPE";
	double v = (double)bytes / 1024;
	int u = 0;

	if (bytes < 1024) {
		snprintf(buf, FMT_SIZE_LEN, bytes ? "%" PRIu64 "B" : "0", bytes);
		return buf;
	}
	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (v < 9.95)
		snprintf(buf, FMT_SIZE_LEN, "%.1f%c", v, units[u]);
	else if (v < 1023.5 || u == 5)
		snprintf(buf, FMT_SIZE_LEN, "%.0f%c", v, units[u]);
	else
		snprintf(buf, FMT_SIZE_LEN, "1.0%c", units[u + 1]);
	return buf;
}

const char *
fmt_percent(char buf[FMT_SIZE_LEN], uint64_t part, uint64_t whole)
{
	double p;

	if (whole == 0) {
		snprintf(buf, FMT_SIZE_LEN, "-");
		return buf;
	}
	p = 100.0 * (double)part / (double)whole;
	if (p >= 9.95 || p == 0)
		snprintf(buf, FMT_SIZE_LEN, "%.0f%%", p);
	else if (p >= 0.095)
		snprintf(buf, FMT_SIZE_LEN, "%.1f%%", p);
	else
		snprintf(buf, FMT_SIZE_LEN, "%.2f%%", p);
	return buf;
}

const char *
fmt_count(char buf[FMT_SIZE_LEN], uint64_t n)
{
	char digits[24];
	int len = snprintf(digits, sizeof(digits), "%" PRIu64, n), k = 0;

	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			buf[k++] = ',';
		buf[k++] = digits[i];
	}
	buf[k] = '\0';
	return buf;
}
