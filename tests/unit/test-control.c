/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the checks of a shim's hello (control_hello_parse,
 * src/target/control.c): what the analyzer accepts, what it drops without a word,
 * and the one line that names both protocol versions.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "control.h"

#define RING_SIZE	(MS_RING_HEADER_SIZE + (16u << 10))

/* A hello as the shim makes it (preload/shim.c), for a ring of RING_SIZE. */
static struct ms_hello *
make_hello(void)
{
	struct ms_hello *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	h->magic = MS_HELLO_MAGIC;
	h->version = MS_PROTOCOL_VERSION;
	h->pid = 4242;
	h->ppid = 1;
	h->ring_size = RING_SIZE;
	strcpy(h->exe, "/usr/bin/true");
	return h;
}

/* control_hello_parse of the first len bytes of msg; why kept. */
static enum control_result
parse(const void *msg, size_t len, int64_t memfd_size, char *why,
    size_t whylen)
{
	struct ms_hello out;

	return control_hello_parse(msg, len, memfd_size, &out, why, whylen);
}

static void
test_accepted(void **state)
{
	struct ms_hello *h = make_hello(), out;
	char why[256] = "stale";

	(void)state;
	assert_int_equal(control_hello_parse(h, sizeof(*h), RING_SIZE, &out,
	    why, sizeof(why)), CONTROL_HELLO);
	assert_string_equal(why, "");
	assert_int_equal(out.pid, 4242);
	assert_int_equal(out.ppid, 1);
	assert_int_equal(out.ring_size, RING_SIZE);
	assert_string_equal(out.exe, "/usr/bin/true");

	/* each flag of this version, and both */
	h->flags = MS_HELLO_FORKED;
	h->fork_token = 7;
	assert_int_equal(control_hello_parse(h, sizeof(*h), RING_SIZE, &out,
	    why, sizeof(why)), CONTROL_HELLO);
	assert_int_equal(out.fork_token, 7);
	h->flags = MS_HELLO_ATTACHED;
	assert_int_equal(parse(h, sizeof(*h), RING_SIZE, why, sizeof(why)),
	    CONTROL_HELLO);
	h->flags = MS_HELLO_FLAGS;
	assert_int_equal(parse(h, sizeof(*h), RING_SIZE, why, sizeof(why)),
	    CONTROL_HELLO);

	/* a path that fills exe comes out terminated, one byte shorter */
	memset(h->exe, 'a', sizeof(h->exe));
	assert_int_equal(control_hello_parse(h, sizeof(*h), RING_SIZE, &out,
	    why, sizeof(why)), CONTROL_HELLO);
	assert_int_equal(strlen(out.exe), sizeof(out.exe) - 1);
	free(h);
}

static void
test_dropped(void **state)
{
	struct ms_hello *h = make_hello();
	unsigned char *longer = calloc(1, sizeof(*h) + 1);
	char why[256];

	(void)state;
	assert_non_null(longer);
	/* not a whole hello */
	assert_int_equal(parse(h, 0, RING_SIZE, why, sizeof(why)),
	    CONTROL_INVALID);
	assert_int_equal(parse(h, 11, RING_SIZE, why, sizeof(why)),
	    CONTROL_INVALID);
	assert_int_equal(parse(h, sizeof(*h) - 1, RING_SIZE, why, sizeof(why)),
	    CONTROL_INVALID);
	memcpy(longer, h, sizeof(*h));
	assert_int_equal(parse(longer, sizeof(*h) + 1, RING_SIZE, why,
	    sizeof(why)), CONTROL_INVALID);
	assert_string_equal(why, "");

	/* no memfd, or one of another size than the ring's */
	assert_int_equal(parse(h, sizeof(*h), -1, why, sizeof(why)),
	    CONTROL_INVALID);
	assert_int_equal(parse(h, sizeof(*h), 0, why, sizeof(why)),
	    CONTROL_INVALID);
	assert_int_equal(parse(h, sizeof(*h), RING_SIZE - 1, why, sizeof(why)),
	    CONTROL_INVALID);
	assert_int_equal(parse(h, sizeof(*h), RING_SIZE + 4096, why,
	    sizeof(why)), CONTROL_INVALID);

	/* no process, a flag of no version of ours, another magic */
	h->pid = 0;
	assert_int_equal(parse(h, sizeof(*h), RING_SIZE, why, sizeof(why)),
	    CONTROL_INVALID);
	h->pid = -1;
	assert_int_equal(parse(h, sizeof(*h), RING_SIZE, why, sizeof(why)),
	    CONTROL_INVALID);
	h->pid = 4242;
	h->flags = 0x4;
	assert_int_equal(parse(h, sizeof(*h), RING_SIZE, why, sizeof(why)),
	    CONTROL_INVALID);
	h->flags = 0;
	h->magic ^= 1;
	assert_int_equal(parse(h, sizeof(*h), RING_SIZE, why, sizeof(why)),
	    CONTROL_INVALID);
	assert_string_equal(why, "");
	free(longer);
	free(h);
}

static void
test_other_version(void **state)
{
	struct ms_hello *h = make_hello();
	char why[256], expected[256], small[16];

	(void)state;
	h->version = MS_PROTOCOL_VERSION + 1;
	snprintf(expected, sizeof(expected), "process 4242 runs a memscope shim "
	    "of protocol version %u; this memscope speaks version %u",
	    MS_PROTOCOL_VERSION + 1, MS_PROTOCOL_VERSION);
	assert_int_equal(parse(h, sizeof(*h), RING_SIZE, why, sizeof(why)),
	    CONTROL_INVALID);
	assert_string_equal(why, expected);

	/* whatever the size of its hello, and whether a memfd came */
	assert_int_equal(parse(h, sizeof(*h) / 2, -1, why, sizeof(why)),
	    CONTROL_INVALID);
	assert_string_equal(why, expected);
	/* only magic and version: the pid is not known */
	assert_int_equal(parse(h, 12, -1, why, sizeof(why)), CONTROL_INVALID);
	assert_non_null(strstr(why, "process 0 runs"));
	/* a small buffer gets what fits */
	assert_int_equal(parse(h, sizeof(*h), RING_SIZE, small, sizeof(small)),
	    CONTROL_INVALID);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_dropped),
		cmocka_unit_test(test_other_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
