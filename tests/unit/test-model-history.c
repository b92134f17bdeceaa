/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the dashboard's history (src/model/model-history.c): the
 * rates between two samples, the rings of samples as they wrap, and the
 * sites that only grow.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model-history.h"
#include "xmalloc.h"

/* A look at /proc with these faults and this RSS. */
static struct history_proc
look(uint64_t minflt, uint64_t majflt, uint64_t rss)
{
	struct history_proc p;

	memset(&p, 0, sizeof(p));
	p.stat.minflt = minflt;
	p.stat.majflt = majflt;
	p.snap.totals.rss = rss;
	return p;
}

/* A process under the shim with an empty heap. */
static void
traced_init(struct process *p)
{
	memset(p, 0, sizeof(*p));
	model_heap_init(&p->heap);
}

/* A block of size bytes at addr allocated at stack. */
static void
alloc(struct process *p, uint64_t addr, uint64_t size, uint64_t stack)
{
	struct heap_new_block nb = { .addr = addr, .size = size, .stack = stack };

	model_heap_alloc(&p->heap, 0, &nb);
}

/*
 * Faults per second between two looks 2 s apart: (300 - 100) / 2 and
 * (10 - 4) / 2; none at the first. The history takes the snapshot over
 * (the caller's is left empty); a sample without /proc keeps the last
 * figures and adds no RSS.
 */
static void
test_fault_rates(void **state)
{
	struct history *h = xmalloc(sizeof(*h));
	struct history_proc p = look(100, 4, 4096);

	(void)state;
	model_history_init(h, 42);
	p.snap.exe = xstrdup("/bin/true");
	snprintf(p.cmdline, sizeof(p.cmdline), "true --version");
	model_history_add(h, 10.0, &p, NULL);
	assert_null(p.snap.exe);
	assert_string_equal(h->proc.snap.exe, "/bin/true");
	assert_string_equal(h->proc.cmdline, "true --version");
	assert_true(h->minflt_rate == 0 && h->majflt_rate == 0);
	assert_true(h->interval == 0);

	p = look(300, 10, 8192);
	model_history_add(h, 12.0, &p, NULL);
	assert_true(h->interval == 2.0);
	assert_true(h->minflt_rate == 100.0);
	assert_true(h->majflt_rate == 3.0);
	assert_int_equal(h->rss.n, 2);
	assert_int_equal(model_history_series_at(&h->rss, 0), 8192);
	assert_int_equal(model_history_series_at(&h->rss, 1), 4096);

	model_history_add(h, 13.0, NULL, NULL);
	assert_int_equal(h->samples, 3);
	assert_true(h->interval == 1.0);
	assert_int_equal(h->rss.n, 2);
	assert_int_equal(h->proc.stat.minflt, 300);
	assert_int_equal(h->proc.snap.totals.rss, 8192);
	assert_int_equal(h->pid, 42);
	model_history_free(h);
	free(h);
}

/*
 * The heap's rates over 0.5 s: 20 allocations of 64 bytes and 5 frees
 * make 40 allocations, 10 frees and 2,560 bytes a second. The heap series
 * keeps the live bytes.
 */
static void
test_heap_rates(void **state)
{
	struct history *h = xmalloc(sizeof(*h));
	struct process p;

	(void)state;
	model_history_init(h, 42);
	traced_init(&p);
	for (uint64_t i = 0; i < 10; i++)
		alloc(&p, 0x1000 + i * 0x100, 64, 2);
	model_history_add(h, 1.0, NULL, &p);
	assert_true(h->alloc_rate == 0 && h->free_rate == 0 && h->byte_rate == 0);
	assert_int_equal(model_history_series_at(&h->heap, 0), 640);

	for (uint64_t i = 10; i < 30; i++)
		alloc(&p, 0x1000 + i * 0x100, 64, 2);
	for (uint64_t i = 0; i < 5; i++)
		model_heap_release(&p.heap, 0, 0x1000 + i * 0x100, 0);
	model_history_add(h, 1.5, NULL, &p);
	assert_true(h->alloc_rate == 40.0);
	assert_true(h->free_rate == 10.0);
	assert_true(h->byte_rate == 2560.0);
	assert_int_equal(h->heap.n, 2);
	assert_int_equal(model_history_series_at(&h->heap, 0), 25 * 64);
	assert_int_equal(model_history_series_at(&h->heap, 1), 640);
	model_process_free(&p);
	model_history_free(h);
	free(h);
}

/*
 * Three sites over ten samples: stack 2 gains 100 bytes at each, stack 3
 * stays at 50, stack 4 gains 10 but loses two blocks at the sixth (50,
 * then 40). Only stack 2 has only grown, and only once ten samples are
 * kept; its oldest is the first sample's.
 */
static void
test_site_growth(void **state)
{
	struct history *h = xmalloc(sizeof(*h));
	const struct history_site *grows, *flat, *dips;
	struct process p;
	uint64_t addr = 0x10000;

	(void)state;
	model_history_init(h, 42);
	traced_init(&p);
	alloc(&p, addr++ * 0x100, 50, 3);
	for (int s = 0; s < 10; s++) {
		alloc(&p, addr++ * 0x100, 100, 2);
		alloc(&p, addr++ * 0x100, 10, 4);
		if (s == 5) {
			model_heap_release(&p.heap, 0, (addr - 1) * 0x100, 0);
			model_heap_release(&p.heap, 0, (addr - 3) * 0x100, 0);
		}
		if (s == 8)
			assert_false(model_history_site_only_grows(
			    model_history_site(h, 2), 10));
		model_history_add(h, s, NULL, &p);
	}
	grows = model_history_site(h, 2);
	flat = model_history_site(h, 3);
	dips = model_history_site(h, 4);
	assert_non_null(grows);
	assert_non_null(flat);
	assert_non_null(dips);
	assert_null(model_history_site(h, 5));
	assert_int_equal(grows->n, 10);
	assert_int_equal(grows->first_bytes, 100);
	assert_int_equal(model_history_site_oldest(grows), 100);
	assert_int_equal(grows->hist[(grows->next + HISTORY_SITE_SAMPLES - 1) %
	    HISTORY_SITE_SAMPLES], 1000);
	assert_true(model_history_site_only_grows(grows, 10));
	assert_false(model_history_site_only_grows(grows, 11));
	assert_false(model_history_site_only_grows(flat, 10));
	assert_false(model_history_site_only_grows(dips, 10));
	assert_int_equal(model_history_site_oldest(dips), 10);
	model_process_free(&p);
	model_history_free(h);
	free(h);
}

/*
 * The rings wrap: after 605 looks the RSS series keeps the last 600 (the
 * newest 604, the oldest 5); a site's ring keeps the last 60. A site that
 * fell once (240 bytes, then 232) has only grown again once the fall has
 * left its 60 samples.
 */
static void
test_wrap(void **state)
{
	struct history *h = xmalloc(sizeof(*h));
	const struct history_site *s;
	struct process p;
	uint64_t addr = 0x10000;

	(void)state;
	model_history_init(h, 42);
	traced_init(&p);
	for (uint64_t i = 0; i < HISTORY_SAMPLES + 5; i++) {
		struct history_proc pr = look(0, 0, i);

		model_history_add(h, (double)i, &pr, NULL);
	}
	assert_int_equal(h->rss.n, HISTORY_SAMPLES);
	assert_int_equal(model_history_series_at(&h->rss, 0), HISTORY_SAMPLES + 4);
	assert_int_equal(model_history_series_at(&h->rss, HISTORY_SAMPLES - 1), 5);

	/*
	 * 65 samples (i = 0 .. 64), a block of 8 bytes more at each, two
	 * freed at i = 30: (i + 1) * 8 bytes before, 232 at 30, (i - 1) * 8
	 * after.
	 */
	for (int i = 0; i < 65; i++) {
		alloc(&p, addr++ * 0x100, 8, 2);
		if (i == 30) {
			model_heap_release(&p.heap, 0, (addr - 1) * 0x100, 0);
			model_heap_release(&p.heap, 0, (addr - 2) * 0x100, 0);
		}
		model_history_add(h, 1000.0 + i, NULL, &p);
	}
	s = model_history_site(h, 2);
	assert_non_null(s);
	assert_int_equal(s->n, HISTORY_SITE_SAMPLES);
	assert_int_equal(s->first_sample, HISTORY_SAMPLES + 5);
	/* the first 5 samples are gone: the oldest kept is the sixth's, 48 */
	assert_int_equal(model_history_site_oldest(s), 6 * 8);
	assert_false(model_history_site_only_grows(s, 10));
	/*
	 * More samples: the ring holds i - 59 .. i, so the fall (from 29 to
	 * 30) is in it up to i = 88 and gone from i = 89.
	 */
	for (int i = 65; i < 96; i++) {
		alloc(&p, addr++ * 0x100, 8, 2);
		model_history_add(h, 1000.0 + i, NULL, &p);
		assert_int_equal(model_history_site_only_grows(s, 10), i >= 89);
	}
	/* the oldest kept: i = 36's, (36 - 1) * 8 */
	assert_int_equal(model_history_site_oldest(s), 35 * 8);
	model_process_free(&p);
	model_history_free(h);
	free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault_rates),
		cmocka_unit_test(test_heap_rates),
		cmocka_unit_test(test_site_growth),
		cmocka_unit_test(test_wrap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
