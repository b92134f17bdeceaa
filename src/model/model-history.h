/* SPDX-License-Identifier: ISC */
/*
 * One process over time, for the live dashboard: the last look at its
 * /proc, the samples kept for the sparklines, the rates between two
 * samples, and the sites of its heap followed to tell one that only grows.
 * Pure: the samples come in from a source (sampler.h) with their time.
 */
#ifndef MEMSCOPE_MODEL_HISTORY_H
#define MEMSCOPE_MODEL_HISTORY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "model.h"
#include "proc-stat.h"

/* Samples kept: ten minutes at the default refresh of a second. */
#define HISTORY_SAMPLES		600
/* Samples of a site's live bytes kept, to tell a site that only grows. */
#define HISTORY_SITE_SAMPLES	60
/* Sites followed (the top by live bytes at each sample, and a few more). */
#define HISTORY_SITES		256

/* A ring of the last HISTORY_SAMPLES values. */
struct history_series {
	uint64_t	 v[HISTORY_SAMPLES];
	size_t		 n;		/* kept, at most HISTORY_SAMPLES */
	size_t		 next;		/* where the next goes */
};

/* The value age samples ago (0: the last); n must be above age. */
uint64_t model_history_series_at(const struct history_series *s, size_t age);

/* A site followed over time. */
struct history_site {
	uint64_t	 stack;		/* 0: free slot */
	uint64_t	 first_bytes;	/* live bytes when first followed */
	uint64_t	 first_sample;	/* the sample it was first followed at */
	uint64_t	 last_sample;	/* the last sample it was in the top */
	uint64_t	 hist[HISTORY_SITE_SAMPLES];
	size_t		 n;
	size_t		 next;
};

/* One look at a process's /proc, as a source reads it. */
struct history_proc {
	struct process	 snap;		/* layout and totals */
	struct proc_stat stat;		/* faults, threads, start */
	double		 uptime;	/* seconds since the process started */
	char		 cmdline[256];	/* its NULs made spaces */
};

struct history {
	pid_t		 pid;
	uint64_t	 samples;	/* added so far */
	double		 interval;	/* seconds between the last two */
	double		 last_time;	/* the time of the last */

	/* /proc: the last look that worked (zero before one), and rates */
	struct history_proc proc;
	bool		 have_proc;
	double		 minflt_rate;	/* page faults per second */
	double		 majflt_rate;
	struct history_series rss;

	/* under the shim: its heap model (not ours), and rates from it */
	const struct process *traced;
	struct heap_summary last_sum;
	double		 alloc_rate;	/* allocations per second */
	double		 free_rate;
	double		 byte_rate;	/* bytes allocated per second */
	struct history_series heap;	/* live heap bytes */
	struct history_site sites[HISTORY_SITES];
};

void	model_history_init(struct history *h, pid_t pid);
void	model_history_free(struct history *h);
/*
 * Add a sample taken at now (seconds, of a monotonic clock): proc, what
 * /proc gave (the history takes its snapshot over), or NULL when it could
 * not be read (the last figures stay); traced, the heap model under the
 * shim, or NULL.
 */
void	model_history_add(struct history *h, double now, struct history_proc *proc,
	    const struct process *traced);

/* The followed site of stack, or NULL. */
const struct history_site *model_history_site(const struct history *h,
	    uint64_t stack);
/* The oldest of the live bytes kept of s (n must be above 0). */
uint64_t model_history_site_oldest(const struct history_site *s);
/*
 * Has the site only grown over the samples kept (at least min of them,
 * never falling, and higher at the end)? The mark of a leak suspect.
 */
bool	model_history_site_only_grows(const struct history_site *s, size_t min);

#endif
