/* SPDX-License-Identifier: ISC */
/* The program's own anonymous mappings and data segment (see model-mappings.h). */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "model-mappings.h"
#include "xmalloc.h"

#define PAGE	4096u

static uint64_t
page_down(uint64_t a)
{
	return a & ~(uint64_t)(PAGE - 1);
}

/* The end of [addr, addr + len) rounded up to a page, as the kernel does. */
static uint64_t
end_of(uint64_t addr, uint64_t len)
{
	uint64_t end = addr + len;

	if (end < addr || end > UINT64_MAX - PAGE)
		return UINT64_MAX & ~(uint64_t)(PAGE - 1);
	return (end + PAGE - 1) & ~(uint64_t)(PAGE - 1);
}

size_t
model_mappings_find(const struct mapping_set *s, uint64_t addr)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->ranges[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
remove_range(struct mapping_set *s, uint64_t start, uint64_t end)
{
	size_t i = model_mappings_find(s, start), j;
	struct mapping_range *r = s->ranges;

	if (start >= end || i == s->n || r[i].start >= end)
		return;
	if (r[i].start < start && r[i].end > end) {
		/* a hole in the middle of one: two */
		s->ranges = r = xgrow(r, &s->cap, s->n + 1, sizeof(*r));
		memmove(&r[i + 1], &r[i], (s->n - i) * sizeof(*r));
		s->n++;
		r[i].end = start;
		r[i + 1].start = end;
		return;
	}
	if (r[i].start < start) {
		r[i].end = start;
		i++;
	}
	for (j = i; j < s->n && r[j].end <= end; j++)
		;
	if (j < s->n && r[j].start < end)
		r[j].start = end;
	memmove(&r[i], &r[j], (s->n - j) * sizeof(*r));
	s->n -= j - i;
}

static void
add_range(struct mapping_set *s, uint64_t start, uint64_t end)
{
	size_t i, j;
	struct mapping_range *r;

	if (start >= end)
		return;
	/* the first range that touches or follows start */
	i = model_mappings_find(s, start == 0 ? 0 : start - 1);
	r = s->ranges;
	if (i < s->n && r[i].start <= end) {
		/* joins r[i] and whatever else it reaches */
		if (start < r[i].start)
			r[i].start = start;
		for (j = i + 1; j < s->n && r[j].start <= end; j++)
			;
		if (r[j - 1].end > end)
			end = r[j - 1].end;
		if (end > r[i].end)
			r[i].end = end;
		memmove(&r[i + 1], &r[j], (s->n - j) * sizeof(*r));
		s->n -= j - i - 1;
		return;
	}
	s->ranges = r = xgrow(r, &s->cap, s->n + 1, sizeof(*r));
	memmove(&r[i + 1], &r[i], (s->n - i) * sizeof(*r));
	s->n++;
	r[i] = (struct mapping_range){ start, end };
}

void
model_mappings_mmap(struct mapping_set *s, uint64_t addr, uint64_t len,
    int flags)
{
	uint64_t start = page_down(addr), end = end_of(addr, len);

	remove_range(s, start, end);
	if ((flags & MAP_ANONYMOUS) && (flags & MAP_TYPE) == MAP_PRIVATE)
		add_range(s, start, end);
}

void
model_mappings_munmap(struct mapping_set *s, uint64_t addr, uint64_t len)
{
	remove_range(s, page_down(addr), end_of(addr, len));
}

void
model_mappings_brk(struct mapping_set *s, uint64_t old_brk, uint64_t new_brk)
{
	/* the pages it reaches into are its, in part at least */
	if (new_brk > old_brk)
		add_range(s, page_down(old_brk), end_of(new_brk, 0));
	else
		remove_range(s, end_of(new_brk, 0), end_of(old_brk, 0));
}

void
model_mappings_mremap(struct mapping_set *s, uint64_t old_addr,
    uint64_t old_len, uint64_t new_addr, uint64_t new_len)
{
	uint64_t old = page_down(old_addr);
	size_t i = model_mappings_find(s, old);
	bool own = i < s->n && s->ranges[i].start <= old;

	remove_range(s, old, end_of(old_addr, old_len));
	remove_range(s, page_down(new_addr), end_of(new_addr, new_len));
	if (own)
		add_range(s, page_down(new_addr), end_of(new_addr, new_len));
}

void
model_mappings_copy(struct mapping_set *dst, const struct mapping_set *src)
{
	memset(dst, 0, sizeof(*dst));
	if (src->n == 0)
		return;
	dst->ranges = xreallocarray(NULL, src->n, sizeof(*dst->ranges));
	memcpy(dst->ranges, src->ranges, src->n * sizeof(*dst->ranges));
	dst->n = dst->cap = src->n;
}

void
model_mappings_free(struct mapping_set *s)
{
	free(s->ranges);
	memset(s, 0, sizeof(*s));
}
