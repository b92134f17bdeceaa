/* SPDX-License-Identifier: ISC */
/*
 * The suppression file parser (src/model/suppress.c), and its entries' patterns
 * matched against a loss record's frames, as `memscope run --suppressions`
 * does.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "suppress.h"
#include "xmalloc.h"

/* An allocation stack, innermost first, with each kind of frame. */
static const struct leak_frame frames[] = {
	{ "malloc", NULL, "/usr/lib/x86_64-linux-gnu/libc.so.6", NULL, 0, false },
	{ "std::vector<int>::push_back(int const&)",
	    "_ZNSt6vectorIiSaIiEE9push_backERKi", "/usr/lib/libfoo.so.1",
	    "/usr/include/c++/12/bits/stl_vector.h", 1287, false },
	{ "make_thing", NULL, "/tmp/a.out", "/tmp/thing.c", 12, false },
	{ NULL, NULL, NULL, NULL, 0, false },
	{ "main", NULL, "/tmp/a.out", "thing.c", 40, false },
	{ "__libc_start_call_main", NULL, "/usr/lib/x86_64-linux-gnu/libc.so.6",
	    NULL, 0, true },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct suppressions s;
	char why[512];
	/* suppress_load's buffer is not NUL-terminated: neither is this */
	char *text = xmalloc(size);

	memcpy(text, data, size);
	suppress_init(&s);
	if (suppress_parse(&s, text, size, "fuzz.supp", why, sizeof(why))) {
		suppress_depth(&s);
		for (int k = 0; k < LEAK_NKINDS; k++)
			suppress_match(&s, (enum leak_kind)k, frames,
			    sizeof(frames) / sizeof(frames[0]));
	}
	suppress_free(&s);
	free(text);
	return 0;
}
