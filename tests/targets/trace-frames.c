/* SPDX-License-Identifier: ISC */
/*
 * For tests/run-trace-damage.test, what a trace (memscope run -o) holds
 * after its 16-byte header, read with libzstd alone:
 *
 *	trace-frames TRACE	one line per zstd frame, "START END DESCRIPTOR":
 *				the file offsets of its first byte and of the
 *				byte after it, and its frame header descriptor
 *				(RFC 8878), all decimal
 *	trace-frames -d TRACE	the decompressed stream of entries, on stdout
 *
 * Exit status 1 if the stream is not whole frames, or does not decompress.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#define HEADER	16

static int
frames(const char *path, const unsigned char *data, size_t len)
{
	size_t at = HEADER;

	while (at < len) {
		size_t flen = ZSTD_findFrameCompressedSize(data + at, len - at);

		if (ZSTD_isError(flen)) {
			fprintf(stderr, "trace-frames: %s: no frame at byte %zu: %s\n",
			    path, at, ZSTD_getErrorName(flen));
			return 1;
		}
		printf("%zu %zu %u\n", at, at + flen,
		    len - at > 4 ? data[at + 4] : 0u);
		at += flen;
	}
	return 0;
}

static int
decompress(const char *path, const unsigned char *data, size_t len)
{
	ZSTD_DCtx *dctx = ZSTD_createDCtx();
	ZSTD_inBuffer in = { data + HEADER, len - HEADER, 0 };
	size_t outcap = ZSTD_DStreamOutSize(), ret = 0;
	unsigned char *out = malloc(outcap);

	while (in.pos < in.size) {
		ZSTD_outBuffer ob = { out, outcap, 0 };

		ret = ZSTD_decompressStream(dctx, &ob, &in);
		if (ZSTD_isError(ret)) {
			fprintf(stderr, "trace-frames: %s: %s\n", path,
			    ZSTD_getErrorName(ret));
			return 1;
		}
		fwrite(out, 1, ob.pos, stdout);
	}
	/* what is left in the decoder */
	while (ret != 0) {
		ZSTD_outBuffer ob = { out, outcap, 0 };

		ret = ZSTD_decompressStream(dctx, &ob, &in);
		if (ZSTD_isError(ret) || ob.pos == 0) {
			fprintf(stderr, "trace-frames: %s: the last frame is cut\n",
			    path);
			return 1;
		}
		fwrite(out, 1, ob.pos, stdout);
	}
	ZSTD_freeDCtx(dctx);
	free(out);
	return fflush(stdout) != 0;
}

int
main(int argc, char **argv)
{
	int d = argc == 3 && strcmp(argv[1], "-d") == 0;
	const char *path = argv[argc - 1];
	unsigned char *data;
	long len;
	FILE *f;
	int rc;

	if (argc != 2 + d || (f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "usage: trace-frames [-d] TRACE\n");
		return 2;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < HEADER ||
	    (data = malloc((size_t)len)) == NULL) {
		fprintf(stderr, "trace-frames: %s: not a trace\n", path);
		return 1;
	}
	rewind(f);
	if (fread(data, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "trace-frames: %s: cannot read it\n", path);
		return 1;
	}
	fclose(f);
	rc = d ? decompress(path, data, (size_t)len) :
	    frames(path, data, (size_t)len);
	free(data);
	return rc;
}
