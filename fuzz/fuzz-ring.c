/* SPDX-License-Identifier: ISC */
/*
 * The wire protocol decoder fed a corrupt ring: the consumer of a shim's
 * ring (src/source/source-ring.c, src/wire/ring.h) reading whatever the data area
 * holds, and each record it takes applied to a process model
 * (src/source/source-events.c), as `memscope run` does for a live target.
 *
 * The input is a start position (2 bytes, in 8-byte units), then the bytes
 * of the data area from there on, wrapping at its end, so that records
 * split by the wrap are read too. The header is a valid one: the analyzer
 * refuses any other before it reads a record (ms_ring_attach).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "model.h"
#include "source-ring.h"
#include "ring.h"

#define CAPACITY	16384u		/* the smallest ring */
#define RING_SIZE	(MS_RING_HEADER_SIZE + CAPACITY)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ring_source src;
	struct session s;
	struct ms_ring ring;
	struct process *p;
	uint64_t start;
	void *base;
	int fd;

	if (size < 2)
		return 0;
	start = (uint64_t)(data[0] | data[1] << 8) * 8 % CAPACITY;
	data += 2;
	size -= 2;
	if (size > CAPACITY)
		size = CAPACITY;

	/* a zeroed memfd of a ring's size, formatted, the input in its data */
	fd = fuzz_memfd(NULL, 0);
	if (ftruncate(fd, RING_SIZE) != 0)
		abort();
	base = mmap(NULL, RING_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED)
		abort();
	ms_ring_format(base, CAPACITY, 4242);
	if (!ms_ring_attach(&ring, base, RING_SIZE))
		abort();
	ms_ring_copy_in(&ring, start, data, size);
	atomic_store(&ring.hdr->head, start + size);
	atomic_store(&ring.hdr->tail, start);
	munmap(base, RING_SIZE);

	model_session_init(&s);
	p = model_session_add(&s, 4242);
	if (!source_ring_open(&src, fd, RING_SIZE, p, &s))
		abort();
	/* the consumer starts where the ring's tail is */
	src.pos = src.released = start;
	source_ring_drain(&src, 0);
	source_ring_close(&src);
	model_session_free(&s);
	return 0;
}
