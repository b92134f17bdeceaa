/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "elf-object.h"
#include "proc.h"
#include "proc-smaps.h"
#include "proc-stat.h"
#include "proc-mem.h"
#include "source-proc.h"
#include "xmalloc.h"

/* The ELF headers of each distinct mapped file, read once per snapshot. */
struct elf_cache_entry {
	unsigned int	 dev_major;
	unsigned int	 dev_minor;
	uint64_t	 inode;
	bool		 is_elf;
	struct elf_object obj;
};

struct snapshot {
	struct proc	*proc;		/* ROOT/PID (or ROOT/TID), open */
	struct proc_stat stat;
	struct proc_status status;
	struct buf	 smaps;
	struct buf	 scratch;
	struct proc_mapping *maps;
	size_t		 nmaps;
	struct elf_cache_entry **elves;	/* stable addresses: the model keeps them */
	size_t		 nelves;
	size_t		 elves_cap;
	int		 pagemap_fd;
	uint64_t	 page_size;
};

static enum source_proc_result
result_of(enum proc_rc st)
{
	switch (st) {
	case PROC_OK:
		return SOURCE_PROC_OK;
	case PROC_NO_PROCESS:
		return SOURCE_PROC_NO_PROCESS;
	case PROC_GONE:
		return SOURCE_PROC_GONE;
	case PROC_DENIED:
		return SOURCE_PROC_DENIED;
	default:
		return SOURCE_PROC_IOERR;
	}
}

static enum source_proc_result
fail(struct source_proc_error *err, enum source_proc_result r, const char *file,
    int e)
{
	err->result = r;
	snprintf(err->file, sizeof(err->file), "%s", file);
	err->err = e;
	return r;
}

/* Read file into snap->scratch; on failure fill err. */
static enum source_proc_result
read_file(struct snapshot *snap, const char *file, struct buf *b,
    struct source_proc_error *err)
{
	enum proc_rc st = proc_read(snap->proc, file, b);

	if (st != PROC_OK)
		return fail(err, result_of(st), file, errno);
	return SOURCE_PROC_OK;
}

/*
 * Open the file behind mapping m: through ROOT/PID/root so a process in
 * another mount namespace is read right, checking that it is a regular file
 * (opening a device node could have effects) and the mapped inode; else
 * through map_files/ (needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE), which
 * also reaches deleted files.
 */
static int
open_mapped_file(struct snapshot *snap, const struct proc_mapping *m)
{
	char rel[PATH_MAX + 8];
	struct stat st;
	int fd;

	if (m->path == NULL || m->path[0] != '/' || m->inode == 0)
		return -1;
	if (!m->deleted) {
		snprintf(rel, sizeof(rel), "root%s", m->path);
		if (fstatat(snap->proc->dirfd, rel, &st, 0) == 0 &&
		    S_ISREG(st.st_mode) && st.st_ino == m->inode &&
		    (fd = openat(snap->proc->dirfd, rel,
		    O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) != -1) {
			if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
				return fd;
			close(fd);
		}
	}
	snprintf(rel, sizeof(rel), "map_files/%llx-%llx",
	    (unsigned long long)m->start, (unsigned long long)m->end);
	if ((fd = openat(snap->proc->dirfd, rel, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) == -1)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		return fd;
	close(fd);
	return -1;
}

/* The ELF headers of m's file, or NULL if it is not ELF or unreadable. */
static const struct elf_object *
elf_for_mapping(struct snapshot *snap, const struct proc_mapping *m)
{
	struct elf_cache_entry *e;
	int fd;

	if (m->path == NULL || m->path[0] != '/' || m->inode == 0)
		return NULL;
	for (size_t i = 0; i < snap->nelves; i++) {
		e = snap->elves[i];
		if (e->inode == m->inode && e->dev_major == m->dev_major &&
		    e->dev_minor == m->dev_minor)
			return e->is_elf ? &e->obj : NULL;
	}
	snap->elves = xgrow(snap->elves, &snap->elves_cap, snap->nelves + 1,
	    sizeof(*snap->elves));
	e = snap->elves[snap->nelves++] = xcalloc(1, sizeof(*e));
	e->dev_major = m->dev_major;
	e->dev_minor = m->dev_minor;
	e->inode = m->inode;
	if ((fd = open_mapped_file(snap, m)) != -1) {
		e->is_elf = elf_object_read(fd, &e->obj) == 0;
		close(fd);
	}
	return e->is_elf ? &e->obj : NULL;
}

static int
read_pagemap(void *ctx, uint64_t start, size_t npages, uint64_t *entries)
{
	struct snapshot *snap = ctx;
	size_t want = npages * sizeof(uint64_t), got = 0;
	off_t off = (off_t)(start / snap->page_size * sizeof(uint64_t));

	if (snap->pagemap_fd == -1)
		return -1;
	while (got < want) {
		ssize_t n = pread(snap->pagemap_fd, (char *)entries + got,
		    want - got, off + (off_t)got);

		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/*
 * A thread's stack pointer: task/TID/syscall shows it while the thread
 * sleeps in the kernel, which is most of the time, and reading the file
 * never stops the thread. Returns false for a thread running in user
 * space ("running"), or when the file cannot be read.
 */
static bool
thread_sp(struct snapshot *snap, int tid, uint64_t *sp)
{
	struct proc_syscall sc;
	char file[64];

	snprintf(file, sizeof(file), "task/%d/syscall", tid);
	if (proc_read(snap->proc, file, &snap->scratch) != PROC_OK ||
	    proc_syscall_parse(snap->scratch.data, snap->scratch.len, &sc) != 0 ||
	    sc.state != PROC_SYSCALL_BLOCKED)
		return false;
	*sp = sc.sp;
	return true;
}

/*
 * Threads caught running are sampled again a few times, all in one round
 * per pause (so a thousand busy threads cost a millisecond, not a second);
 * those never caught in the kernel are left to locate_by_descriptor().
 */
static void
resample_running(struct snapshot *snap, struct process *out)
{
	struct timespec pause = { 0, 200000 };

	for (int round = 0; round < 4; round++) {
		bool any = false;

		for (size_t t = 0; t < out->nthreads; t++)
			any |= !out->threads[t].sp_known;
		if (!any)
			return;
		nanosleep(&pause, NULL);
		for (size_t t = 0; t < out->nthreads; t++) {
			struct seg_thread *th = &out->threads[t];

			if (!th->sp_known)
				th->sp_known = thread_sp(snap, th->tid, &th->sp);
		}
	}
}

#if defined(__x86_64__)
/*
 * glibc puts a thread's descriptor (struct pthread) at the top of the
 * thread's stack block, and on x86-64 the descriptor starts with the TCB
 * header, whose first word (tcb) and third (self) point to the descriptor
 * itself; its tid follows within the first 2 KiB. So the stack of a thread
 * whose registers cannot be seen without stopping it is the guarded
 * anonymous mapping whose top holds such a self-pointing header with that
 * tid. The memory is read with process_vm_readv: the target never stops.
 */
#define TCB_SCAN_TOP	(16 * 1024)	/* the descriptor and static TLS */
#define TCB_TID_SPAN	2048

static int
tcb_tid(const uint64_t *w, size_t nwords, size_t i, uint64_t addr,
    const struct seg_thread *threads, size_t nthreads)
{
	size_t n = (nwords - i) * 2;

	if (w[i] != addr || i + 2 >= nwords || w[i + 2] != addr)
		return 0;
	if (n > TCB_TID_SPAN / 4)
		n = TCB_TID_SPAN / 4;
	for (size_t k = 0; k < n; k++) {
		int32_t v;

		memcpy(&v, (const char *)&w[i] + 4 * k, sizeof(v));
		for (size_t th = 0; th < nthreads; th++)
			if (!threads[th].sp_known && v == threads[th].tid)
				return v;
	}
	return 0;
}

static void
locate_by_descriptor(struct snapshot *snap, struct process *out)
{
	uint64_t *w = NULL;
	size_t unlocated = 0;

	for (size_t t = 0; t < out->nthreads; t++)
		unlocated += !out->threads[t].sp_known;
	for (size_t i = 1; i < snap->nmaps && unlocated > 0; i++) {
		const struct proc_mapping *m = &snap->maps[i], *below = &snap->maps[i - 1];
		uint64_t len = m->end - m->start, base;
		ssize_t got;

		/* glibc's shape: a PROT_NONE guard right below a rw- stack */
		if (m->path != NULL || m->inode != 0 || strncmp(m->perms, "rw-p", 4) != 0 ||
		    below->path != NULL || below->end != m->start ||
		    strncmp(below->perms, "---p", 4) != 0)
			continue;
		if (len > TCB_SCAN_TOP)
			len = TCB_SCAN_TOP;
		base = m->end - len;
		if (w == NULL)
			w = xmalloc(TCB_SCAN_TOP);
		if ((got = proc_mem_read(snap->proc->pid, base, w, len)) <= 0)
			continue;
		for (size_t k = 0; k + 2 < (size_t)got / 8; k++) {
			int tid = tcb_tid(w, (size_t)got / 8, k, base + 8 * k,
			    out->threads, out->nthreads);

			if (tid == 0)
				continue;
			for (size_t t = 0; t < out->nthreads; t++) {
				struct seg_thread *th = &out->threads[t];

				if (th->tid == tid && !th->sp_known) {
					th->tcb = base + 8 * k;
					th->tcb_known = true;
					unlocated--;
				}
			}
			break;
		}
	}
	free(w);
}
#else
static void
locate_by_descriptor(struct snapshot *snap, struct process *out)
{
	(void)snap;
	(void)out;
}
#endif

static int
tid_cmp(const void *a, const void *b)
{
	const struct seg_thread *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

static void
read_threads(struct snapshot *snap, struct process *out)
{
	struct dirent *de;
	size_t cap = 0;
	DIR *dir;
	int fd;

	if (proc_openat(snap->proc, "task", O_RDONLY | O_DIRECTORY, &fd) != PROC_OK)
		return;
	if ((dir = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	while ((de = readdir(dir)) != NULL) {
		struct seg_thread *th;
		char file[64], *nl;
		long tid;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		tid = strtol(de->d_name, NULL, 10);
		out->threads = xgrow(out->threads, &cap, out->nthreads + 1,
		    sizeof(*out->threads));
		th = &out->threads[out->nthreads++];
		memset(th, 0, sizeof(*th));
		th->tid = (int)tid;
		snprintf(file, sizeof(file), "task/%ld/comm", tid);
		if (proc_read(snap->proc, file, &snap->scratch) == PROC_OK) {
			snprintf(th->name, sizeof(th->name), "%s", snap->scratch.data);
			if ((nl = strchr(th->name, '\n')) != NULL)
				*nl = '\0';
		}
		th->sp_known = thread_sp(snap, th->tid, &th->sp);
	}
	closedir(dir);
	if (out->nthreads > 1)	/* qsort(NULL, 0) is undefined */
		qsort(out->threads, out->nthreads, sizeof(*out->threads),
		    tid_cmp);
	resample_running(snap, out);
}

/* Why an address space came back empty: exited, zombie, or kernel thread. */
static enum source_proc_result
classify_empty(struct snapshot *snap, struct source_proc_error *err)
{
	struct proc_stat st;

	if (proc_read(snap->proc, "stat", &snap->scratch) != PROC_OK ||
	    proc_stat_parse(snap->scratch.data, snap->scratch.len, &st) != 0)
		return fail(err, SOURCE_PROC_GONE, "smaps", 0);
	if (st.flags & PROC_PF_KTHREAD)
		return fail(err, SOURCE_PROC_KTHREAD, "stat", 0);
	if (st.state == 'Z' || st.state == 'X')
		return fail(err, SOURCE_PROC_ZOMBIE, "stat", 0);
	return fail(err, SOURCE_PROC_GONE, "smaps", 0);
}

static void
record_objects(const struct elf_object *const *elf, struct process *out)
{
	size_t cap = 0;

	for (size_t i = 0; i < out->layout.nsegs; i++) {
		const struct segment *s = &out->layout.segs[i];
		const struct elf_object *obj = elf[s->mapping];
		struct process_object *po;

		if (obj == NULL || model_process_object(out, s->object) != NULL)
			continue;
		out->objects = xgrow(out->objects, &cap, out->nobjects + 1,
		    sizeof(*out->objects));
		po = &out->objects[out->nobjects++];
		po->path = s->object;
		snprintf(po->build_id, sizeof(po->build_id), "%s", obj->build_id);
		po->is_exe = out->exe != NULL && strcmp(out->exe, s->object) == 0;
	}
}

static void
snapshot_free(struct snapshot *snap)
{
	for (size_t i = 0; i < snap->nelves; i++) {
		if (snap->elves[i]->is_elf)
			elf_object_free(&snap->elves[i]->obj);
		free(snap->elves[i]);
	}
	free(snap->elves);
	free(snap->maps);
	buf_free(&snap->smaps);
	buf_free(&snap->scratch);
	if (snap->pagemap_fd != -1)
		close(snap->pagemap_fd);
}

/*
 * stat and status, readable by anyone: who the process is, and whether it
 * has an address space to read (not a thread's id, a kernel thread, a
 * zombie).
 */
static enum source_proc_result
read_identity(struct snapshot *snap, pid_t pid, struct process *out,
    struct source_proc_error *err)
{
	struct proc_stat *st = &snap->stat;
	enum source_proc_result r;

	if ((r = read_file(snap, "stat", &snap->scratch, err)) != SOURCE_PROC_OK)
		return r;
	if (proc_stat_parse(snap->scratch.data, snap->scratch.len, st) != 0)
		return fail(err, SOURCE_PROC_MALFORMED, "stat", 0);
	snprintf(out->comm, sizeof(out->comm), "%s", st->comm);
	snprintf(err->comm, sizeof(err->comm), "%s", st->comm);
	out->state = st->state;
	out->ppid = st->ppid;
	if ((r = read_file(snap, "status", &snap->scratch, err)) != SOURCE_PROC_OK)
		return r;
	if (proc_status_parse(snap->scratch.data, snap->scratch.len,
	    &snap->status) != 0)
		return fail(err, SOURCE_PROC_MALFORMED, "status", 0);
	out->uid = err->uid = snap->status.uid[0];
	/* /proc/TID exists for every thread, though readdir hides it */
	if (snap->status.tgid != 0 && snap->status.tgid != pid &&
	    snap->proc->pid == pid) {
		err->tgid = snap->status.tgid;
		return fail(err, SOURCE_PROC_THREAD, "status", 0);
	}
	if (st->flags & PROC_PF_KTHREAD)
		return fail(err, SOURCE_PROC_KTHREAD, "stat", 0);
	if (st->state == 'Z' || st->state == 'X')
		return fail(err, SOURCE_PROC_ZOMBIE, "stat", 0);
	return SOURCE_PROC_OK;
}

/* smaps parsed, and the totals of smaps_rollup when there is one. */
static enum source_proc_result
read_mappings(struct snapshot *snap, struct process *out,
    struct source_proc_error *err)
{
	enum source_proc_result r;
	enum proc_rc ps;

	if ((r = read_file(snap, "smaps", &snap->smaps, err)) != SOURCE_PROC_OK)
		return r;
	if (snap->smaps.len == 0)
		return classify_empty(snap, err);
	if (proc_smaps_parse(snap->smaps.data, snap->smaps.len, &snap->maps,
	    &snap->nmaps, &err->line) != 0)
		return fail(err, SOURCE_PROC_MALFORMED, "smaps", 0);
	ps = proc_read(snap->proc, "smaps_rollup", &snap->scratch);
	if (ps == PROC_OK && snap->scratch.len > 0) {
		if (proc_smaps_rollup_parse(snap->scratch.data, snap->scratch.len,
		    &out->totals) != 0)
			return fail(err, SOURCE_PROC_MALFORMED, "smaps_rollup", 0);
		out->totals_from_rollup = true;
	} else if (ps == PROC_DENIED)
		return fail(err, SOURCE_PROC_DENIED, "smaps_rollup", errno);
	/* else: a kernel before 4.14, or a fixture without one: summed later */
	return SOURCE_PROC_OK;
}

/* The executable, the kernel's markers and the threads: what cuts the layout. */
static void
read_landmarks(struct snapshot *snap, struct process *out)
{
	const struct proc_stat *st = &snap->stat;
	char exe[PATH_MAX];
	ssize_t n;

	if ((n = readlinkat(snap->proc->dirfd, "exe", exe, sizeof(exe) - 1)) > 0) {
		exe[n] = '\0';
		out->exe = xstrdup(exe);
	}
	out->vsz = snap->status.vm_size;
	out->markers = (struct process_markers){
		.start_code = st->start_code, .end_code = st->end_code,
		.start_data = st->start_data, .end_data = st->end_data,
		.start_brk = st->start_brk, .start_stack = st->start_stack,
		.arg_start = st->arg_start, .arg_end = st->arg_end,
		.env_start = st->env_start, .env_end = st->env_end,
	};
	read_threads(snap, out);
	if (snap->proc->live)
		locate_by_descriptor(snap, out);
}

/*
 * The mappings cut into segments, with their files' ELF headers and their
 * pages; then the totals (unless smaps_rollup gave them) and the objects.
 */
static void
build_layout(struct snapshot *snap, struct process *out)
{
	const struct elf_object **elf;
	struct seg_input in;

	elf = xcalloc(snap->nmaps ? snap->nmaps : 1, sizeof(*elf));
	for (size_t i = 0; i < snap->nmaps; i++)
		elf[i] = elf_for_mapping(snap, &snap->maps[i]);
	proc_openat(snap->proc, "pagemap", O_RDONLY, &snap->pagemap_fd);
	in = (struct seg_input){
		.maps = snap->maps, .nmaps = snap->nmaps, .elf = elf,
		.page_size = snap->page_size,
		.start_brk = snap->stat.start_brk, .arg_start = snap->stat.arg_start,
		.threads = out->threads, .nthreads = out->nthreads,
		.pagemap = read_pagemap, .ctx = snap,
	};
	model_segments_build(&in, &out->layout);
	for (size_t t = 0; t < out->nthreads; t++)
		if (out->threads[t].stack_end != 0)
			out->threads_located++;
	if (!out->totals_from_rollup)
		for (size_t i = 0; i < snap->nmaps; i++)
			mem_counts_add(&out->totals, &snap->maps[i].mem);
	record_objects(elf, out);
	free(elf);
}

/* A snapshot of process pid read through dir, open on it or one of its threads. */
static enum source_proc_result
snapshot_take(struct proc *dir, pid_t pid, struct process *out,
    struct source_proc_error *err)
{
	struct snapshot snap = { .proc = dir, .pagemap_fd = -1,
	    .page_size = (uint64_t)sysconf(_SC_PAGESIZE) };
	enum source_proc_result r;

	if ((r = read_identity(&snap, pid, out, err)) == SOURCE_PROC_OK &&
	    (r = read_mappings(&snap, out, err)) == SOURCE_PROC_OK) {
		read_landmarks(&snap, out);
		build_layout(&snap, out);
	}
	snapshot_free(&snap);
	if (r != SOURCE_PROC_OK) {
		err->result = r;
		model_process_free(out);
		out->pid = pid;
	}
	return r;
}

enum source_proc_result
source_proc_snapshot(const char *root, pid_t pid, struct process *out,
    struct source_proc_error *err)
{
	return source_proc_snapshot_via(root, pid, pid, out, err);
}

enum source_proc_result
source_proc_snapshot_at(struct proc *dir, struct process *out,
    struct source_proc_error *err)
{
	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	out->pid = dir->pid;
	return snapshot_take(dir, dir->pid, out, err);
}

enum source_proc_result
source_proc_snapshot_via(const char *root, pid_t pid, pid_t tid,
    struct process *out, struct source_proc_error *err)
{
	enum source_proc_result r;
	struct proc dir;
	enum proc_rc ps;

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	out->pid = pid;
	if ((ps = proc_open(&dir, root, tid)) != PROC_OK)
		r = fail(err, result_of(ps), "", errno);
	else
		r = snapshot_take(&dir, pid, out, err);
	proc_close(&dir);
	return r;
}
