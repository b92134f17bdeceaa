#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "tracefile.h"
#include "xmalloc.h"

struct tracefile {
	FILE		*f;
	ZSTD_CCtx	*cctx;
	unsigned char	*in;		/* entries waiting to be compressed */
	size_t		 inlen;
	size_t		 incap;
	unsigned char	*out;
	size_t		 outcap;
	int		 error;
};

struct trace_header {
	char		 magic[8];
	uint32_t	 version;
	uint32_t	 flags;
};

static void
flush_out(struct tracefile *t, ZSTD_EndDirective mode)
{
	ZSTD_inBuffer in = { t->in, t->inlen, 0 };
	size_t left;

	do {
		ZSTD_outBuffer out = { t->out, t->outcap, 0 };

		left = ZSTD_compressStream2(t->cctx, &out, &in, mode);
		if (ZSTD_isError(left)) {
			if (t->error == 0)
				t->error = EIO;
			break;
		}
		if (out.pos > 0 && t->error == 0 &&
		    fwrite(t->out, 1, out.pos, t->f) != out.pos)
			t->error = errno != 0 ? errno : EIO;
	} while (mode == ZSTD_e_end ? left != 0 : in.pos < in.size);
	t->inlen = 0;
}

struct tracefile *
tracefile_create(const char *path)
{
	struct trace_header h = { .version = TRACE_FORMAT_VERSION };
	struct tracefile *t;
	FILE *f;

	if ((f = fopen(path, "we")) == NULL)
		return NULL;
	memcpy(h.magic, TRACE_MAGIC, 8);
	/* on disk at once: a trace cut short is then "truncated", not "not a trace" */
	if (fwrite(&h, sizeof(h), 1, f) != 1 || fflush(f) != 0) {
		fclose(f);
		return NULL;
	}
	t = xcalloc(1, sizeof(*t));
	t->f = f;
	t->cctx = ZSTD_createCCtx();
	/* fast: the consumer must keep up with the program */
	ZSTD_CCtx_setParameter(t->cctx, ZSTD_c_compressionLevel, 1);
	/* a worker thread compresses, when libzstd has them */
	ZSTD_CCtx_setParameter(t->cctx, ZSTD_c_nbWorkers, 1);
	t->incap = 1u << 20;
	t->in = xmalloc(t->incap);
	t->outcap = ZSTD_CStreamOutSize();
	t->out = xmalloc(t->outcap);
	return t;
}

void
tracefile_write(struct tracefile *t, uint32_t kind, const void *a, size_t alen,
    const void *b, size_t blen)
{
	uint32_t hdr[2] = { kind, (uint32_t)(alen + blen) };

	if (t->error != 0)
		return;
	if (t->inlen + sizeof(hdr) + alen + blen > t->incap)
		flush_out(t, ZSTD_e_continue);
	memcpy(t->in + t->inlen, hdr, sizeof(hdr));
	t->inlen += sizeof(hdr);
	if (alen > 0)
		memcpy(t->in + t->inlen, a, alen);
	t->inlen += alen;
	if (blen > 0)
		memcpy(t->in + t->inlen, b, blen);
	t->inlen += blen;
}

void
tracefile_write_record(struct tracefile *t, uint32_t stream, const void *rec,
    uint32_t len)
{
	tracefile_write(t, TRACE_RECORD, &stream, sizeof(stream), rec, len);
}

int
tracefile_error(const struct tracefile *t)
{
	return t->error;
}

bool
tracefile_close(struct tracefile *t)
{
	int error;

	flush_out(t, ZSTD_e_end);
	if (fflush(t->f) != 0 && t->error == 0)
		t->error = errno;
	if (fclose(t->f) != 0 && t->error == 0)
		t->error = errno;
	error = t->error;
	ZSTD_freeCCtx(t->cctx);
	free(t->in);
	free(t->out);
	free(t);
	errno = error;
	return error == 0;
}

struct trace_reader {
	FILE		*f;
	ZSTD_DCtx	*dctx;
	unsigned char	*in;
	size_t		 incap;
	ZSTD_inBuffer	 inbuf;
	unsigned char	*buf;		/* decompressed, not yet parsed */
	size_t		 start;		/* first unparsed byte */
	size_t		 end;
	size_t		 cap;
	uint64_t	 offset;	/* of buf[start] in the stream */
	bool		 eof;		/* the file is read to its end */
	uint64_t	 file_offset;	/* compressed bytes consumed, header included */
	size_t		 last_ret;	/* ZSTD: 0 when a frame ended */
};

struct trace_reader *
trace_open(const char *path, char *why, size_t whylen)
{
	struct trace_header h;
	struct trace_reader *r;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fread(&h, sizeof(h), 1, f) != 1 || memcmp(h.magic, TRACE_MAGIC, 8) != 0) {
		snprintf(why, whylen, "%s: not a memscope trace", path);
		fclose(f);
		return NULL;
	}
	if (h.version != TRACE_FORMAT_VERSION) {
		snprintf(why, whylen, "%s: trace format version %u; this memscope "
		    "reads version %u", path, h.version, TRACE_FORMAT_VERSION);
		fclose(f);
		return NULL;
	}
	r = xcalloc(1, sizeof(*r));
	r->f = f;
	r->dctx = ZSTD_createDCtx();
	r->incap = ZSTD_DStreamInSize();
	r->in = xmalloc(r->incap);
	r->cap = 4u << 20;
	r->buf = xmalloc(r->cap);
	r->last_ret = 1;
	r->file_offset = sizeof(h);
	return r;
}

/* Decompress more into buf; false at the end of the file or on error. */
static bool
fill(struct trace_reader *r, char *why, size_t whylen)
{
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	for (;;) {
		ZSTD_outBuffer out = { r->buf + r->end, r->cap - r->end, 0 };
		size_t ret;

		if (r->inbuf.pos == r->inbuf.size) {
			if (r->eof)
				return false;
			r->inbuf.size = fread(r->in, 1, r->incap, r->f);
			r->inbuf.src = r->in;
			r->inbuf.pos = 0;
			if (r->inbuf.size == 0) {
				r->eof = true;
				return false;
			}
		}
		size_t before = r->inbuf.pos;

		ret = ZSTD_decompressStream(r->dctx, &out, &r->inbuf);
		r->file_offset += r->inbuf.pos - before;
		if (ZSTD_isError(ret)) {
			snprintf(why, whylen, "corrupt compressed data near byte %llu "
			    "of the file (%s)", (unsigned long long)r->file_offset,
			    ZSTD_getErrorName(ret));
			return false;
		}
		r->last_ret = ret;
		r->end += out.pos;
		if (out.pos > 0)
			return true;
	}
}

int
trace_next(struct trace_reader *r, struct trace_entry *e, char *why,
    size_t whylen)
{
	uint32_t hdr[2];

	why[0] = '\0';
	while (r->end - r->start < sizeof(hdr))
		if (!fill(r, why, whylen))
			goto end;
	memcpy(hdr, r->buf + r->start, sizeof(hdr));
	if (hdr[0] < TRACE_RUN || hdr[0] > TRACE_RUN_END || hdr[1] > TRACE_ENTRY_MAX) {
		snprintf(why, whylen, "corrupt entry at byte %llu of the trace "
		    "(kind %u, length %u)", (unsigned long long)r->offset, hdr[0],
		    hdr[1]);
		return -1;
	}
	while (r->end - r->start < sizeof(hdr) + hdr[1])
		if (!fill(r, why, whylen))
			goto end;
	e->kind = hdr[0];
	e->len = hdr[1];
	e->data = r->buf + r->start + sizeof(hdr);
	e->offset = r->offset;
	r->start += sizeof(hdr) + hdr[1];
	r->offset += sizeof(hdr) + hdr[1];
	return 1;
end:
	if (why[0] != '\0')
		return -1;
	if (r->end != r->start || r->last_ret != 0) {
		snprintf(why, whylen, "truncated: the file ends at byte %llu, "
		    "inside the entry at byte %llu of the decompressed trace",
		    (unsigned long long)r->file_offset,
		    (unsigned long long)r->offset);
		return -1;
	}
	return 0;
}

void
trace_close(struct trace_reader *r)
{
	if (r == NULL)
		return;
	fclose(r->f);
	ZSTD_freeDCtx(r->dctx);
	free(r->in);
	free(r->buf);
	free(r);
}
