/* SPDX-License-Identifier: ISC */
/* Human-readable figures for the text views. */
#ifndef MEMSCOPE_FMT_H
#define MEMSCOPE_FMT_H

#include <stdint.h>

#define FMT_SIZE_LEN 24

/* "0", "512B", "4.0K", "132K", "1.5M", "64M", "2.0G" (binary units). */
const char *fmt_size(char buf[FMT_SIZE_LEN], uint64_t bytes);
/* "1,234,567" */
const char *fmt_count(char buf[FMT_SIZE_LEN], uint64_t n);
/* "71%", "1.7%", "0.04%", "-" when whole is 0. */
const char *fmt_percent(char buf[FMT_SIZE_LEN], uint64_t part, uint64_t whole);

#endif
