/* SPDX-License-Identifier: ISC */
/*
 * The hello a shim sends on the control socket, as the analyzer checks it
 * (control_hello_parse, src/target/control.c, the function control_accept calls
 * on what recvmsg gave): the input is the message. The memfd that comes
 * with it has the size of a default ring (what `memscope run` asks for);
 * the same message with no memfd at all must never be accepted.
 *
 * What the collector then relies on (src/cmd/collect.c) is asserted: a hello
 * accepted is of this version, from a process, with its executable's path
 * terminated and a ring the size of its memfd; a refusal's message fits.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "fuzz.h"

#define MEMFD_SIZE	((int64_t)MS_RING_HEADER_SIZE + (8 << 20))

static void
check(const uint8_t *data, size_t size, int64_t memfd_size)
{
	struct ms_hello h;
	char why[256];

	memset(why, 'x', sizeof(why));
	switch (control_hello_parse(data, size, memfd_size, &h, why,
	    sizeof(why))) {
	case CONTROL_HELLO:
		if (why[0] != '\0' || memfd_size < 0 ||
		    h.magic != MS_HELLO_MAGIC ||
		    h.version != MS_PROTOCOL_VERSION || h.pid <= 0 ||
		    h.ring_size != (uint64_t)memfd_size ||
		    memchr(h.exe, '\0', sizeof(h.exe)) == NULL)
			abort();
		break;
	case CONTROL_INVALID:
		if (memchr(why, '\0', sizeof(why)) == NULL)
			abort();
		break;
	default:
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(data, size, MEMFD_SIZE);
	check(data, size, -1);
	return 0;
}
