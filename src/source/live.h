/* SPDX-License-Identifier: ISC */
/*
 * One process watched over time, for the live dashboard: its layout and
 * figures from /proc, sampled at each refresh, and under the shim its heap
 * model's figures, with the history the sparklines, the rates and the
 * growth of the sites need. A source (it reads /proc) that keeps a model;
 * it draws nothing.
 */
#ifndef MEMSCOPE_LIVE_H
#define MEMSCOPE_LIVE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "model.h"
#include "proc-stat.h"
#include "source-proc.h"

/* Samples kept: ten minutes at the default refresh of a second. */
#define LIVE_HISTORY		600
/* Samples of a site's live bytes kept, to tell a site that only grows. */
#define LIVE_SITE_HISTORY	60
/* Sites followed (the top by live bytes at each sample, and a few more). */
#define LIVE_SITES		256

struct live_series {
	uint64_t	 v[LIVE_HISTORY];
	size_t		 n;		/* kept, at most LIVE_HISTORY */
	size_t		 next;		/* where the next goes */
};

/* The value age samples ago (0: the last); n must be above age. */
uint64_t live_series_at(const struct live_series *s, size_t age);

/* A site followed over time. */
struct live_site {
	uint64_t	 stack;		/* 0: free slot */
	uint64_t	 first_bytes;	/* live bytes when first followed */
	uint64_t	 first_sample;	/* the sample it was first followed at */
	uint64_t	 last_sample;	/* the last sample it was in the top */
	uint64_t	 hist[LIVE_SITE_HISTORY];
	size_t		 n;
	size_t		 next;
};

struct live {
	pid_t		 pid;
	const char	*root;		/* "/proc" */
	uint64_t	 samples;	/* taken so far */
	double		 interval;	/* seconds between the last two */
	double		 last_time;	/* CLOCK_MONOTONIC seconds of the last */

	/* /proc: the last snapshot that worked, and stat around it */
	struct process	 snap;
	bool		 have_snap;
	struct proc_stat stat;
	double		 uptime;	/* seconds since the process started */
	double		 minflt_rate;	/* page faults per second */
	double		 majflt_rate;
	char		 cmdline[256];
	struct live_series rss;
	/* why it could not be read any more; 0 while it can */
	enum source_proc_result gone;

	/* under the shim: its heap model (not ours), and rates from it */
	const struct process *traced;
	struct heap_summary last_sum;
	double		 alloc_rate;	/* allocations per second */
	double		 free_rate;
	double		 byte_rate;	/* bytes allocated per second */
	struct live_series heap;	/* live heap bytes */
	struct live_site sites[LIVE_SITES];
};

void	live_init(struct live *l, pid_t pid, const char *root);
void	live_free(struct live *l);
/*
 * Take a sample: read /proc again (unless the process is known to be
 * gone) and, with traced (or NULL), its heap model. Returns false when
 * /proc could not be read (l->gone says why); the last figures stay.
 */
bool	live_sample(struct live *l, const struct process *traced);

/* The followed site of stack, or NULL. */
const struct live_site *live_site_find(const struct live *l, uint64_t stack);
/*
 * Has the site only grown over the samples kept (at least min of them,
 * never falling, and higher at the end)? The mark of a leak suspect.
 */
bool	live_site_only_grows(const struct live_site *s, size_t min);

/* Dashboard categories of the address space, a coarser cut of seg_kind. */
enum live_kind {
	LIVE_TEXT,		/* the executable's code and constants */
	LIVE_DATA,		/* its data */
	LIVE_BSS,
	LIVE_HEAP,		/* brk heap and malloc arenas */
	LIVE_STACKS,
	LIVE_LIBS,		/* every part of the shared libraries */
	LIVE_ANON,
	LIVE_FILE,		/* files that are not ELF objects, shared memory */
	LIVE_OTHER,		/* guards, reservations, vdso, args and env */
	LIVE_NKINDS
};

extern const char *const live_kind_names[LIVE_NKINDS];

struct live_kind_totals {
	uint64_t	 size;
	uint64_t	 rss;
};

void	live_by_kind(const struct process *p,
	    struct live_kind_totals out[LIVE_NKINDS]);

#endif
