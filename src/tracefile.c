#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "tracefile.h"
#include "wire/protocol.h"
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
	ZSTD_CCtx_setParameter(t->cctx, ZSTD_c_compressionLevel, 3);
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
	if (t->inlen + (size_t)(p - buf) > t->incap)
		flush_out(t, ZSTD_e_continue);
	memcpy(t->in + t->inlen, buf, (size_t)(p - buf));
	t->inlen += (size_t)(p - buf);
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
	if (t->inlen + sizeof(word) + len > t->incap)
		flush_out(t, ZSTD_e_continue);
	memcpy(t->in + t->inlen, &word, sizeof(word));
	memcpy(t->in + t->inlen + sizeof(word), rec, len);
	t->inlen += sizeof(word) + len;
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
	ZSTD_inBuffer	 inbuf;
	unsigned char	*buf;		/* decompressed, not yet parsed */
	size_t		 start;		/* first unparsed byte */
	size_t		 end;
	size_t		 cap;
	uint64_t	 offset;	/* of buf[start] in the stream */
	bool		 eof;		/* the file is read to its end */
	struct stack_numbers numbers;
	uint64_t	 record[TRACE_ENTRY_MAX / 8];	/* an aligned copy, ids restored */
	uint64_t	 file_offset;	/* compressed bytes consumed, header included */
	size_t		 last_ret;	/* ZSTD: 0 when a frame ended */
	uint64_t	 last_time;	/* of the last compact record */
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

static bool
learn_number(struct trace_reader *r, const struct trace_entry *e, char *why,
    size_t whylen)
{
	struct stack_numbers *m = &r->numbers;
	struct trace_stack_number sn;

	if (e->len != sizeof(sn))
		goto bad;
	memcpy(&sn, e->data, sizeof(sn));
	/* numbers come in order: 1, 2, 3... */
	if (sn.number != m->count + 1 || sn.id == 0)
		goto bad;
	m->by_number = xgrow(m->by_number, &m->by_number_cap, m->count + 2,
	    sizeof(uint64_t));
	m->by_number[++m->count] = sn.id;
	return true;
bad:
	snprintf(why, whylen, "corrupt stack number at byte %llu of the trace",
	    (unsigned long long)e->offset);
	return false;
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
		snprintf(why, whylen, "corrupt record at byte %llu of the trace",
		    (unsigned long long)e->offset);
		return false;
	}
	field = stack_field(hdr->type);
	if (field == 0 || field + 8 > e->len)
		return true;
	memcpy(&number, e->record + field, 8);
	if (number == 0)
		return true;
	if (number > r->numbers.count) {
		snprintf(why, whylen, "corrupt record at byte %llu of the trace "
		    "(stack %llu of %zu)", (unsigned long long)e->offset,
		    (unsigned long long)number, r->numbers.count);
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

int
trace_next(struct trace_reader *r, struct trace_entry *e, char *why,
    size_t whylen)
{
	uint32_t hdr[2];
	size_t hlen;

	why[0] = '\0';
next:
	hlen = sizeof(hdr);
	while (r->end - r->start < 1)
		if (!fill(r, why, whylen))
			goto end;
	if (r->buf[r->start] >= TRACE_C_ALLOC && r->buf[r->start] <= TRACE_C_REALLOC_DONE) {
		long n;

		while ((n = decode_compact(r, e)) == 0)
			if (!fill(r, why, whylen))
				goto end;
		if (n < 0) {
			snprintf(why, whylen, "corrupt record at byte %llu of the trace",
			    (unsigned long long)r->offset);
			return -1;
		}
		e->kind = TRACE_RECORD;
		e->offset = r->offset;
		e->data = e->record = (unsigned char *)r->record;
		r->start += (size_t)n;
		r->offset += (uint64_t)n;
		return restore_ids(r, e, why, whylen) ? 1 : -1;
	}
	while (r->end - r->start < sizeof(hdr))
		if (!fill(r, why, whylen))
			goto end;
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
		snprintf(why, whylen, "corrupt entry at byte %llu of the trace "
		    "(kind %u, length %u)", (unsigned long long)r->offset, hdr[0],
		    hdr[1]);
		return -1;
	}
	while (r->end - r->start < hlen + hdr[1])
		if (!fill(r, why, whylen))
			goto end;
	e->kind = hdr[0];
	e->len = hdr[1];
	e->data = r->buf + r->start + hlen;
	e->offset = r->offset;
	r->start += hlen + hdr[1];
	r->offset += hlen + hdr[1];
	/* a loop, not a call: a trace may hold any number in a row */
	if (e->kind == TRACE_STACK_NUMBER) {
		if (!learn_number(r, e, why, whylen))
			return -1;
		goto next;
	}
	if (e->kind == TRACE_RECORD && !restore_ids(r, e, why, whylen))
		return -1;
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
	numbers_free(&r->numbers);
	ZSTD_freeDCtx(r->dctx);
	free(r->in);
	free(r->buf);
	free(r);
}
