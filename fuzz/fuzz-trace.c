/* SPDX-License-Identifier: ISC */
/*
 * The trace file reader (src/trace/tracefile.c) and the whole load of a trace
 * into a session (src/source/source-trace.c), as `memscope report` does.
 *
 * An input that starts with the trace magic is the file itself. Any other
 * is the decompressed stream of entries, which the harness compresses and
 * heads with a valid header, as memscope writes them (a frame with its
 * checksum): mutating compressed bytes would mostly test zstd's checksums,
 * not memscope's parsing of the entries.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "fuzz.h"
#include "model.h"
#include "source-trace.h"
#include "tracefile.h"
#include "xmalloc.h"

/* Every entry the reader gives, to its end or its first error. */
static void
read_entries(const char *path)
{
	struct trace_reader *r;
	struct trace_entry e;
	char why[512];

	if ((r = trace_open(path, why, sizeof(why))) == NULL)
		return;
	while (trace_next(r, &e, why, sizeof(why)) == 1)
		;
	trace_close(r);
}

static void
load(const char *path)
{
	struct session s;
	char why[512];

	model_session_init(&s);
	source_trace_load(path, &s, why, sizeof(why));
	model_session_free(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct trace_header header = { TRACE_MAGIC,
	    TRACE_FORMAT_VERSION, TRACE_FLAG_CHECKSUMS };
	static ZSTD_CCtx *cctx;
	unsigned char *file;
	size_t len;
	int fd;

	if (size >= 8 && memcmp(data, TRACE_MAGIC, 8) == 0)
		fd = fuzz_memfd(data, size);
	else {
		size_t bound = ZSTD_compressBound(size);

		file = xmalloc(sizeof(header) + bound);
		memcpy(file, &header, sizeof(header));
		if (cctx == NULL) {
			cctx = ZSTD_createCCtx();
			ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 1);
			ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
		}
		len = ZSTD_compress2(cctx, file + sizeof(header), bound, data,
		    size);
		if (ZSTD_isError(len))
			abort();
		fd = fuzz_memfd(file, sizeof(header) + len);
		free(file);
	}
	read_entries(fuzz_fd_path(fd));
	load(fuzz_fd_path(fd));
	return 0;
}
