/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "tracefile.h"
#include "protocol.h"
#include "xmalloc.h"

/* id <-> number of the stacks of a trace (open addressing on id). */
struct stack_numbers {
	uint64_t	*ids;		/* 0: empty */
	uint64_t	*numbers;
	size_t		 nslots;
	size_t		 count;
	/* reading: number -> id, dense */
	uint64_t	*by_number;
	size_t		 by_number_cap;
};

static size_t
number_slot(const struct stack_numbers *m, uint64_t id)
{
	size_t i = (size_t)(id * 0x9e3779b97f4a7c15ULL >> 17) & (m->nslots - 1);

	while (m->ids[i] != 0 && m->ids[i] != id)
		i = (i + 1) & (m->nslots - 1);
	return i;
}

/* The number of id, and whether it is new. */
static uint64_t
number_of(struct stack_numbers *m, uint64_t id, bool *fresh)
{
	size_t i;

	if (2 * (m->count + 1) > m->nslots) {
		struct stack_numbers bigger = { .nslots = m->nslots ? 2 * m->nslots : 1024 };

		bigger.ids = xcalloc(bigger.nslots, sizeof(uint64_t));
		bigger.numbers = xcalloc(bigger.nslots, sizeof(uint64_t));
		for (size_t k = 0; k < m->nslots; k++)
			if (m->ids[k] != 0) {
				i = number_slot(&bigger, m->ids[k]);
				bigger.ids[i] = m->ids[k];
				bigger.numbers[i] = m->numbers[k];
			}
		free(m->ids);
		free(m->numbers);
		m->ids = bigger.ids;
		m->numbers = bigger.numbers;
		m->nslots = bigger.nslots;
	}
	i = number_slot(m, id);
	*fresh = m->ids[i] == 0;
	if (*fresh) {
		m->ids[i] = id;
		m->numbers[i] = ++m->count;
	}
	return m->numbers[i];
}

static void
numbers_free(struct stack_numbers *m)
{
	free(m->ids);
	free(m->numbers);
	free(m->by_number);
}

/* Where a record type keeps a stack id, or 0. */
static size_t
stack_field(uint16_t type)
{
	switch (type) {
	case MS_EV_ALLOC:
		return offsetof(struct ms_ev_alloc, stack);
	case MS_EV_REALLOC_DONE:
		return offsetof(struct ms_ev_realloc_done, stack);
	case MS_EV_MMAP:
		return offsetof(struct ms_ev_mmap, stack);
	case MS_EV_STACK:
		return offsetof(struct ms_ev_stack, id);
	default:
		return 0;
	}
}

struct tracefile {
	FILE		*f;
	struct stack_numbers numbers;
	uint64_t	 scratch[TRACE_ENTRY_MAX / 8];	/* a record being renumbered */
	ZSTD_CCtx	*cctx;
	unsigned char	*in;		/* entries waiting to be compressed */
	size_t		 inlen;
	size_t		 incap;
	unsigned char	*out;
	size_t		 outcap;
	uint64_t	 last_time;	/* of the last compact record */
	bool		 frame_open;	/* handed to zstd, not yet ended */
	int		 error;
};

/* src to the compressor, written out as it comes. */
static void
compress(struct tracefile *t, const void *src, size_t len,
    ZSTD_EndDirective mode)
{
	ZSTD_inBuffer in = { src, len, 0 };
	size_t left;

	do {
		ZSTD_outBuffer out = { t->out, t->outcap, 0 };

		left = ZSTD_compressStream2(t->cctx, &out, &in, mode);
		if (ZSTD_isError(left)) {
			if (t->error == 0)
				t->error = ZSTD_getErrorCode(left) ==
				    ZSTD_error_memory_allocation ? ENOMEM : EIO;
			break;
		}
		if (out.pos > 0 && t->error == 0 &&
		    fwrite(t->out, 1, out.pos, t->f) != out.pos)
			t->error = errno != 0 ? errno : EIO;
	} while (mode == ZSTD_e_end ? left != 0 : in.pos < in.size);
}

/*
 * The entries waiting become a frame of their own. The worker thread
 * compresses it (one job: ZSTD_c_jobSize) while the next one fills, and
 * it is ended, its checksum written, when that one is handed over: ending
 * a frame waits for its compression, by then done or nearly.
 */
static void
flush_out(struct tracefile *t)
{
	if (t->frame_open)
		compress(t, NULL, 0, ZSTD_e_end);
	t->frame_open = t->inlen > 0;
	if (t->inlen > 0)
		compress(t, t->in, t->inlen, ZSTD_e_continue);
	t->inlen = 0;
}

/* len bytes of entries; a frame is handed over whenever one is full. */
static void
put(struct tracefile *t, const void *p, size_t len)
{
	const unsigned char *src = p;

	while (t->inlen + len >= t->incap) {
		size_t n = t->incap - t->inlen;

		memcpy(t->in + t->inlen, src, n);
		t->inlen += n;
		src += n;
		len -= n;
		flush_out(t);
	}
	memcpy(t->in + t->inlen, src, len);
	t->inlen += len;
}

struct tracefile *
tracefile_create(const char *path)
{
	struct trace_header h = { .version = TRACE_FORMAT_VERSION,
	    .flags = TRACE_FLAG_CHECKSUMS };
	struct tracefile *t;
	struct stat st;
	FILE *f;

	if ((f = fopen(path, "we")) == NULL)
		return NULL;
	memcpy(h.magic, TRACE_MAGIC, 8);
	/* on disk at once: a trace cut short is then "truncated", not "not a trace" */
	if (fwrite(&h, sizeof(h), 1, f) != 1 || fflush(f) != 0) {
		int error = errno;

		/* a file with nothing in it is no trace: do not leave one behind */
		if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode))
			unlink(path);
		fclose(f);
		errno = error;
		return NULL;
	}
	t = xcalloc(1, sizeof(*t));
	t->f = f;
	if ((t->cctx = ZSTD_createCCtx()) == NULL)
		xmalloc_out_of_memory(0, 0);
	/* fast: the consumer must keep up with the program */
	ZSTD_CCtx_setParameter(t->cctx, ZSTD_c_compressionLevel, 3);
	/* each frame ends with the XXH64 of its content (TRACE_FLAG_CHECKSUMS) */
	ZSTD_CCtx_setParameter(t->cctx, ZSTD_c_checksumFlag, 1);
	/* a worker thread compresses, when libzstd has them, a frame a job */
	ZSTD_CCtx_setParameter(t->cctx, ZSTD_c_nbWorkers, 1);
	ZSTD_CCtx_setParameter(t->cctx, ZSTD_c_jobSize, TRACE_FRAME_MAX);
	t->incap = TRACE_FRAME_MAX;
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
	/* more than a reader takes (a command line of megabytes) */
	if (alen + blen > TRACE_ENTRY_MAX) {
		t->error = E2BIG;
		return;
	}
	put(t, hdr, sizeof(hdr));
	if (alen > 0)
		put(t, a, alen);
	if (blen > 0)
		put(t, b, blen);
}

static unsigned char *
put_varint(unsigned char *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (unsigned char)v;
	return p;
}

/* A time as the zigzag difference from the last (modulo 2^64: any round-trips). */
static unsigned char *
put_time(unsigned char *p, uint64_t *last, uint64_t time)
{
	uint64_t d = time - *last;

	*last = time;
	return put_varint(p, (d << 1) ^ (uint64_t)-(int64_t)(d >> 63));
}

/*
 * An address as its 8 bytes: the differences of heap addresses are as
 * random as their low bits, and fixed-width bytes compress better.
 */
static unsigned char *
put_addr(unsigned char *p, uint64_t a)
{
	memcpy(p, &a, 8);
	return p + 8;
}

/* The stack's number, announcing it at its first sight. */
static uint64_t
stack_number(struct tracefile *t, uint64_t id)
{
	struct trace_stack_number sn = { .id = id };
	bool fresh;

	if (id == 0)
		return 0;
	sn.number = number_of(&t->numbers, id, &fresh);
	if (fresh)
		tracefile_write(t, TRACE_STACK_NUMBER, &sn, sizeof(sn), NULL, 0);
	return sn.number;
}

/* What every compact record starts with: kind, stream, thread, address. */
static unsigned char *
put_head(unsigned char *p, uint8_t kind, uint32_t stream,
    const struct ms_record *hdr, uint64_t addr)
{
	*p++ = kind;
	p = put_varint(p, stream);
	p = put_varint(p, hdr->thread);
	return put_addr(p, addr);
}

/* Write rec compact if it is of a kind that can be; false otherwise. */
static bool
write_compact(struct tracefile *t, uint32_t stream, const void *rec, uint32_t len)
{
	const struct ms_record *hdr = rec;
	unsigned char buf[96], *p = buf;

	switch (hdr->type) {
	case MS_EV_ALLOC: {
		const struct ms_ev_alloc *ev = rec;

		if (len != sizeof(*ev))
			return false;
		p = put_head(p, TRACE_C_ALLOC, stream, hdr, ev->addr);
		p = put_varint(p, ev->size);
		p = put_varint(p, stack_number(t, ev->stack));
		p = put_varint(p, ev->fn);
		p = put_varint(p, ev->spare);
		p = put_time(p, &t->last_time, ev->time);
		break;
	}
	case MS_EV_FREE: {
		const struct ms_ev_free *ev = rec;

		if (len != sizeof(*ev))
			return false;
		p = put_head(p, TRACE_C_FREE, stream, hdr, ev->addr);
		p = put_time(p, &t->last_time, ev->time);
		break;
	}
	case MS_EV_REALLOC: {
		const struct ms_ev_realloc *ev = rec;

		if (len != sizeof(*ev))
			return false;
		p = put_head(p, TRACE_C_REALLOC, stream, hdr, ev->old_addr);
		p = put_varint(p, ev->status);
		p = put_time(p, &t->last_time, ev->time);
		break;
	}
	case MS_EV_REALLOC_DONE: {
		const struct ms_ev_realloc_done *ev = rec;

		if (len != sizeof(*ev))
			return false;
		p = put_head(p, TRACE_C_REALLOC_DONE, stream, hdr, ev->addr);
		p = put_varint(p, ev->size);
		p = put_varint(p, stack_number(t, ev->stack));
		p = put_varint(p, ev->flags);
		p = put_varint(p, ev->spare);
		p = put_time(p, &t->last_time, ev->time);
		break;
	}
	default:
		return false;
	}
	put(t, buf, (size_t)(p - buf));
	return true;
}

void
tracefile_write_record(struct tracefile *t, uint32_t stream, const void *rec,
    uint32_t len)
{
	uint32_t word = TRACE_RECORD_WORD(stream);
	const struct ms_record *hdr = rec;
	size_t field = len >= 8 ? stack_field(hdr->type) : 0;

	if (t->error != 0 || (len >= 8 && write_compact(t, stream, rec, len)))
		return;
	if (field != 0 && field + 8 <= len && len <= sizeof(t->scratch)) {
		uint64_t id, number;

		memcpy(&id, (const char *)rec + field, 8);
		if (id != 0) {
			number = stack_number(t, id);
			memcpy(t->scratch, rec, len);
			memcpy((char *)t->scratch + field, &number, 8);
			rec = t->scratch;
		}
	}
	if (len > TRACE_ENTRY_MAX) {
		t->error = E2BIG;
		return;
	}
	put(t, &word, sizeof(word));
	put(t, rec, len);
}

bool
tracefile_close(struct tracefile *t)
{
	int error;

	flush_out(t);
	if (t->frame_open)
		compress(t, NULL, 0, ZSTD_e_end);
	if (fflush(t->f) != 0 && t->error == 0)
		t->error = errno;
	if (fclose(t->f) != 0 && t->error == 0)
		t->error = errno;
	error = t->error;
	ZSTD_freeCCtx(t->cctx);
	numbers_free(&t->numbers);
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
	ZSTD_inBuffer	 inbuf;		/* in, from the first byte not yet decompressed */
	unsigned char	*buf;		/* decompressed, not yet parsed */
	size_t		 start;		/* first unparsed byte */
	size_t		 end;		/* the end of what may be parsed */
	size_t		 pending;	/* after end: of a frame not yet checked */
	size_t		 cap;
	uint64_t	 offset;	/* of buf[start] in the stream */
	bool		 eof;		/* the file is read to its end */
	bool		 checksums;	/* TRACE_FLAG_CHECKSUMS */
	bool		 in_frame;	/* a frame is begun and not ended */
	bool		 run_ended;	/* TRACE_RUN_END was read */
	struct stack_numbers numbers;
	uint64_t	 record[TRACE_ENTRY_MAX / 8];	/* an aligned copy, ids restored */
	uint64_t	 file_offset;	/* compressed bytes consumed, header included */
	uint64_t	 frame_start;	/* the file offset of the frame begun last */
	uint64_t	 last_time;	/* of the last compact record */
};

struct trace_reader *
trace_open(const char *path, char *why, size_t whylen)
{
	struct trace_header h;
	struct trace_reader *r;
	size_t n;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	n = fread(&h, 1, sizeof(h), f);
	if (ferror(f)) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (n == 0) {
		snprintf(why, whylen, "%s: not a memscope trace (the file is empty)",
		    path);
		goto fail;
	}
	/* as far as it goes, the magic: the file was cut inside its header */
	if (n < sizeof(h) && memcmp(h.magic, TRACE_MAGIC, n < 8 ? n : 8) == 0) {
		snprintf(why, whylen, "%s: truncated: the file ends at byte %zu, "
		    "inside the %zu-byte header", path, n, sizeof(h));
		goto fail;
	}
	if (n < sizeof(h) || memcmp(h.magic, TRACE_MAGIC, 8) != 0) {
		snprintf(why, whylen, "%s: not a memscope trace", path);
		goto fail;
	}
	if (h.version != TRACE_FORMAT_VERSION) {
		snprintf(why, whylen, "%s: trace format version %u; this memscope "
		    "reads version %u", path, h.version, TRACE_FORMAT_VERSION);
		goto fail;
	}
	if ((h.flags & ~TRACE_FLAGS_KNOWN) != 0) {
		snprintf(why, whylen, "%s: damaged at byte %zu: the header's flags "
		    "are 0x%x, where only 0x%x can be set", path,
		    offsetof(struct trace_header, flags), h.flags,
		    TRACE_FLAGS_KNOWN);
		goto fail;
	}
	r = xcalloc(1, sizeof(*r));
	r->f = f;
	if ((r->dctx = ZSTD_createDCtx()) == NULL)
		xmalloc_out_of_memory(0, 0);
	r->incap = ZSTD_DStreamInSize();
	r->in = xmalloc(r->incap);
	r->inbuf.src = r->in;
	/* a whole frame, and what is left of an entry before it */
	r->cap = TRACE_FRAME_MAX + TRACE_ENTRY_MAX + 64;
	r->buf = xmalloc(r->cap);
	r->checksums = (h.flags & TRACE_FLAG_CHECKSUMS) != 0;
	r->file_offset = sizeof(h);
	return r;
fail:
	fclose(f);
	return NULL;
}

/* More of the file after what in holds; false at its end or on error. */
static bool
read_more(struct trace_reader *r, char *why, size_t whylen)
{
	size_t left = r->inbuf.size - r->inbuf.pos, n;

	if (r->eof)
		return false;
	memmove(r->in, r->in + r->inbuf.pos, left);
	n = fread(r->in + left, 1, r->incap - left, r->f);
	r->inbuf.size = left + n;
	r->inbuf.pos = 0;
	if (ferror(r->f)) {
		snprintf(why, whylen, "reading at byte %llu: %s",
		    (unsigned long long)r->file_offset + left, strerror(errno));
		r->eof = true;
		return false;
	}
	if (n == 0)
		r->eof = true;
	return n > 0;
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/*
 * The start of a frame, or the end of the stream (0). With checksums, a
 * frame must say it has one (bit 2 of its descriptor, RFC 8878): the bit
 * cleared by damage would let the frame be read unchecked.
 */
static int
begin_frame(struct trace_reader *r, char *why, size_t whylen)
{
	const unsigned char *p;

	while (r->inbuf.size - r->inbuf.pos < 5)
		if (!read_more(r, why, whylen))
			break;
	if (why[0] != '\0')
		return -1;
	if (r->inbuf.pos == r->inbuf.size)
		return 0;
	r->in_frame = true;
	r->frame_start = r->file_offset;
	p = r->in + r->inbuf.pos;
	if (r->checksums && r->inbuf.size - r->inbuf.pos >= 5 &&
	    (le32(p) != ZSTD_MAGICNUMBER || (p[4] & 4) == 0)) {
		snprintf(why, whylen, "damaged at byte %llu: no zstd frame with "
		    "a checksum starts there", (unsigned long long)r->file_offset);
		return -1;
	}
	return 1;
}

/*
 * Why zstd refused the frame begun last, with the bytes it lies in: from
 * the frame's start to its end as its block headers tell, when the file
 * can be read again there; else to the end of what zstd was given (on an
 * error, it does not say how far it read).
 */
static void
frame_error(struct trace_reader *r, size_t ret, uint64_t given, char *why,
    size_t whylen)
{
	uint64_t end = given;
	ssize_t n;

	n = pread(fileno(r->f), r->buf, r->cap, (off_t)r->frame_start);
	if (n > 0) {
		size_t len = ZSTD_findFrameCompressedSize(r->buf, (size_t)n);

		if (!ZSTD_isError(len) && r->frame_start + len <= given)
			end = r->frame_start + len;
	}
	if (ZSTD_getErrorCode(ret) == ZSTD_error_checksum_wrong)
		snprintf(why, whylen, "damaged between bytes %llu and %llu: "
		    "checksum mismatch (the file was altered after it was "
		    "written)", (unsigned long long)r->frame_start,
		    (unsigned long long)end);
	else
		snprintf(why, whylen, "damaged between bytes %llu and %llu: "
		    "corrupt compressed data (zstd: %s)",
		    (unsigned long long)r->frame_start,
		    (unsigned long long)end, ZSTD_getErrorName(ret));
}

/*
 * Decompress more into buf; false at the end of the file or on error.
 * With checksums, what a frame holds becomes readable only once the
 * frame has ended and its checksum matched.
 */
static bool
fill(struct trace_reader *r, char *why, size_t whylen)
{
	size_t was = r->end - r->start;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end + r->pending - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	for (;;) {
		ZSTD_outBuffer out = { r->buf + r->end + r->pending,
		    r->cap - r->end - r->pending, 0 };
		size_t ret, before;

		if (!r->in_frame && begin_frame(r, why, whylen) <= 0)
			return false;
		if (r->inbuf.pos == r->inbuf.size && !read_more(r, why, whylen))
			return false;
		if (out.size == 0) {
			/* only unchecked bytes fill it: no frame memscope writes */
			snprintf(why, whylen, "damaged between bytes %llu and "
			    "%llu: a frame of more than %u bytes",
			    (unsigned long long)r->frame_start,
			    (unsigned long long)r->file_offset, TRACE_FRAME_MAX);
			return false;
		}
		before = r->inbuf.pos;
		ret = ZSTD_decompressStream(r->dctx, &out, &r->inbuf);
		r->file_offset += r->inbuf.pos - before;
		/* its window, which zstd allocates: not the file's fault */
		if (ZSTD_getErrorCode(ret) == ZSTD_error_memory_allocation)
			xmalloc_out_of_memory(0, 0);
		if (ZSTD_isError(ret)) {
			frame_error(r, ret, r->file_offset + r->inbuf.size -
			    r->inbuf.pos, why, whylen);
			return false;
		}
		r->pending += out.pos;
		if (ret == 0)
			r->in_frame = false;
		if (!r->checksums || ret == 0) {
			r->end += r->pending;
			r->pending = 0;
		}
		if (r->end - r->start > was)
			return true;
	}
}

static bool
learn_number(struct trace_reader *r, const struct trace_entry *e, char *why,
    size_t whylen)
{
	struct stack_numbers *m = &r->numbers;
	struct trace_stack_number sn;

	if (e->len != sizeof(sn)) {
		snprintf(why, whylen, "damaged at byte %llu of the decompressed "
		    "trace: a stack number entry of %u bytes, not %zu",
		    (unsigned long long)e->offset, e->len, sizeof(sn));
		return false;
	}
	memcpy(&sn, e->data, sizeof(sn));
	/* numbers come in order: 1, 2, 3... */
	if (sn.number != m->count + 1 || sn.id == 0) {
		snprintf(why, whylen, "damaged at byte %llu of the decompressed "
		    "trace: stack number %llu%s, where %zu was next",
		    (unsigned long long)e->offset, (unsigned long long)sn.number,
		    sn.id == 0 ? " for stack 0" : "", m->count + 1);
		return false;
	}
	m->by_number = xgrow(m->by_number, &m->by_number_cap, m->count + 2,
	    sizeof(uint64_t));
	m->by_number[++m->count] = sn.id;
	return true;
}

/* Copy the record, aligned, putting its stack id back in place of its number. */
static bool
restore_ids(struct trace_reader *r, struct trace_entry *e, char *why,
    size_t whylen)
{
	const struct ms_record *hdr;
	uint64_t number;
	size_t field;

	if (e->data != (const unsigned char *)r->record)
		memcpy(r->record, e->data, e->len);
	e->record = (unsigned char *)r->record;
	hdr = (const struct ms_record *)(const void *)r->record;
	if (hdr->len != e->len) {
		snprintf(why, whylen, "damaged at byte %llu of the decompressed "
		    "trace: a record that says it has %u bytes in an entry of %u",
		    (unsigned long long)e->offset, hdr->len, e->len);
		return false;
	}
	field = stack_field(hdr->type);
	if (field == 0 || field + 8 > e->len)
		return true;
	memcpy(&number, e->record + field, 8);
	if (number == 0)
		return true;
	if (number > r->numbers.count) {
		snprintf(why, whylen, "damaged at byte %llu of the decompressed "
		    "trace: a record of stack number %llu, where %zu are known",
		    (unsigned long long)e->offset, (unsigned long long)number,
		    r->numbers.count);
		return false;
	}
	memcpy(e->record + field, &r->numbers.by_number[number], 8);
	return true;
}

/* A LEB128 number at *p before end; false when it runs off or over 64 bits. */
static bool
get_varint(const unsigned char **p, const unsigned char *end, uint64_t *out)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 64 && *p < end; shift += 7) {
		unsigned char b = *(*p)++;

		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return true;
		}
	}
	return false;
}



/*
 * Decode the compact entry at buf[start] into r->record. Returns its
 * encoded length, 0 if more bytes are needed, -1 if it is corrupt.
 */
static long
decode_compact(struct trace_reader *r, struct trace_entry *e)
{
	const unsigned char *p = r->buf + r->start, *end = r->buf + r->end;
	const unsigned char *begin = p;
	uint64_t v[8] = { 0 }, time, d;
	int nfields;
	unsigned char kind = *p++;
	struct ms_record *hdr = (struct ms_record *)(void *)r->record;

	/* stream, thread, the address (8 bytes), the kind's numbers, the time */
	nfields = kind == TRACE_C_FREE ? 4 : kind == TRACE_C_REALLOC ? 5 : 8;
	for (int i = 0; i < nfields; i++) {
		if (i == 2) {
			if (end - p < 8)
				return 0;
			memcpy(&v[2], p, 8);
			p += 8;
		} else if (!get_varint(&p, end, &v[i]))
			return p - begin >= 64 ? -1 : 0;
	}
	if (v[0] > 0xffffff || v[1] > 0xffff)
		return -1;
	d = v[nfields - 1];
	time = r->last_time + ((d >> 1) ^ (uint64_t)-(int64_t)(d & 1));
	r->last_time = time;
	e->stream = (uint32_t)v[0];
	memset(r->record, 0, 64);
	hdr->thread = (uint16_t)v[1];
	switch (kind) {
	case TRACE_C_ALLOC: {
		struct ms_ev_alloc *ev = (void *)r->record;

		hdr->type = MS_EV_ALLOC;
		e->len = sizeof(*ev);
		ev->addr = v[2];
		ev->size = v[3];
		ev->stack = v[4];
		ev->fn = (uint32_t)v[5];
		ev->spare = (uint32_t)v[6];
		ev->time = time;
		break;
	}
	case TRACE_C_FREE:
		hdr->type = MS_EV_FREE;
		e->len = sizeof(struct ms_ev_free);
		((struct ms_ev_free *)(void *)r->record)->addr = v[2];
		((struct ms_ev_free *)(void *)r->record)->time = time;
		break;
	case TRACE_C_REALLOC: {
		struct ms_ev_realloc *ev = (void *)r->record;

		hdr->type = MS_EV_REALLOC;
		e->len = sizeof(*ev);
		ev->old_addr = v[2];
		ev->status = (uint32_t)v[3];
		ev->time = time;
		break;
	}
	default: {
		struct ms_ev_realloc_done *ev = (void *)r->record;

		hdr->type = MS_EV_REALLOC_DONE;
		e->len = sizeof(*ev);
		ev->addr = v[2];
		ev->size = v[3];
		ev->stack = v[4];
		ev->flags = (uint32_t)v[5];
		ev->spare = (uint32_t)v[6];
		ev->time = time;
		break;
	}
	}
	hdr->len = e->len;
	return p - begin;
}

/* Fill until n bytes are at hand; false at the stream's end or an error. */
static bool
want(struct trace_reader *r, size_t n, char *why, size_t whylen)
{
	while (r->end - r->start < n)
		if (!fill(r, why, whylen))
			return false;
	return true;
}

static bool
is_compact(unsigned char kind)
{
	return kind >= TRACE_C_ALLOC && kind <= TRACE_C_REALLOC_DONE;
}

/* A compact record into *e. 1: read; 0: the stream ended; -1: damage. */
static int
read_compact(struct trace_reader *r, struct trace_entry *e, char *why,
    size_t whylen)
{
	long n;

	while ((n = decode_compact(r, e)) == 0)
		if (!fill(r, why, whylen))
			return 0;
	if (n < 0) {
		snprintf(why, whylen, "damaged at byte %llu of the "
		    "decompressed trace: a compact record of kind %u that "
		    "does not decode", (unsigned long long)r->offset,
		    r->buf[r->start]);
		return -1;
	}
	e->kind = TRACE_RECORD;
	e->offset = r->offset;
	e->data = e->record = (unsigned char *)r->record;
	r->start += (size_t)n;
	r->offset += (uint64_t)n;
	return 1;
}

/* An entry with its header into *e. 1: read; 0: the stream ended; -1: damage. */
static int
read_entry(struct trace_reader *r, struct trace_entry *e, char *why,
    size_t whylen)
{
	uint32_t hdr[2];
	size_t hlen = sizeof(hdr);

	if (!want(r, sizeof(hdr), why, whylen))
		return 0;
	memcpy(hdr, r->buf + r->start, sizeof(hdr));
	e->stream = 0;
	if ((hdr[0] & 0xff) == TRACE_RECORD) {
		/* one word; the record's first u32 is its length */
		e->stream = hdr[0] >> 8;
		hdr[0] = TRACE_RECORD;
		hlen = sizeof(uint32_t);
	}
	if (hdr[0] < TRACE_RUN || (hdr[0] > TRACE_STACK_NUMBER &&
	    (hdr[0] < TRACE_LEAKS || hdr[0] > TRACE_TICK)) ||
	    hdr[1] > TRACE_ENTRY_MAX ||
	    (hdr[0] == TRACE_RECORD && (hdr[1] < 8 || (hdr[1] & 7) != 0))) {
		snprintf(why, whylen, "damaged at byte %llu of the decompressed "
		    "trace: an entry of kind %u and length %u",
		    (unsigned long long)r->offset, hdr[0], hdr[1]);
		return -1;
	}
	if (!want(r, hlen + hdr[1], why, whylen))
		return 0;
	e->kind = hdr[0];
	e->len = hdr[1];
	e->data = r->buf + r->start + hlen;
	e->offset = r->offset;
	r->start += hlen + hdr[1];
	r->offset += hlen + hdr[1];
	return 1;
}

/* The stream ended (or failed, why said so): a clean end, or a cut one. */
static int
at_end(struct trace_reader *r, char *why, size_t whylen)
{
	if (why[0] != '\0')
		return -1;
	if (r->end != r->start || r->in_frame) {
		snprintf(why, whylen, "truncated: the file ends at byte %llu, "
		    "inside the entry at byte %llu of the decompressed trace",
		    (unsigned long long)r->file_offset + r->inbuf.size -
		    r->inbuf.pos, (unsigned long long)r->offset);
		return -1;
	}
	/* between two frames: cut there, or its writing stopped there */
	if (!r->run_ended) {
		snprintf(why, whylen, "truncated: the file ends at byte %llu, "
		    "before the end of the run", (unsigned long long)r->file_offset);
		return -1;
	}
	return 0;
}

int
trace_next(struct trace_reader *r, struct trace_entry *e, char *why,
    size_t whylen)
{
	int rc;

	why[0] = '\0';
	/* stack numbers in a loop, not by a call: any number may come in a row */
	for (;;) {
		if (!want(r, 1, why, whylen))
			return at_end(r, why, whylen);
		if (is_compact(r->buf[r->start]))
			rc = read_compact(r, e, why, whylen);
		else
			rc = read_entry(r, e, why, whylen);
		if (rc == 0)
			return at_end(r, why, whylen);
		if (rc < 0)
			return -1;
		if (e->kind != TRACE_STACK_NUMBER)
			break;
		if (!learn_number(r, e, why, whylen))
			return -1;
	}
	if (e->kind == TRACE_RECORD && !restore_ids(r, e, why, whylen))
		return -1;
	if (e->kind == TRACE_RUN_END)
		r->run_ended = true;
	return 1;
}

void
trace_close(struct trace_reader *r)
{
	if (r == NULL)
		return;
	fclose(r->f);
	numbers_free(&r->numbers);
	ZSTD_freeDCtx(r->dctx);
	free(r->in);
	free(r->buf);
	free(r);
}

const char *
trace_kind_name(uint32_t kind)
{
	static const char *const names[] = {
		[TRACE_RUN] = "run",
		[TRACE_PROCESS] = "process",
		[TRACE_RECORD] = "record",
		[TRACE_PROCESS_END] = "process end",
		[TRACE_RUN_END] = "run end",
		[TRACE_STACK_NUMBER] = "stack number",
		[TRACE_C_ALLOC] = "record",
		[TRACE_C_FREE] = "record",
		[TRACE_C_REALLOC] = "record",
		[TRACE_C_REALLOC_DONE] = "record",
		[TRACE_LEAKS] = "leak check",
		[TRACE_LEAK_VERDICTS] = "leak verdicts",
		[TRACE_LEAK_INDIRECT] = "indirect leaks",
		[TRACE_LAYOUT] = "layout",
		[TRACE_LAYOUT_SEGMENT] = "layout segment",
		[TRACE_TICK] = "tick",
	};

	if (kind < sizeof(names) / sizeof(names[0]) && names[kind] != NULL)
		return names[kind];
	return "unknown";
}
