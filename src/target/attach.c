/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "attach.h"
#include "buf.h"
#include "detour.h"
#include "inject.h"
#include "log.h"
#include "proc.h"
#include "proc-maps.h"
#include "proc-mem.h"
#include "proc-stat.h"
#include "tracer.h"
#include "xmalloc.h"

/* How long to wait for a moment when the process can be borrowed. */
#define SAFE_MOMENT_MS	400

static bool	release_ring(struct attachment *, bool (*)(void *), void *,
		    char *, size_t);
static bool	hook_entries(struct attachment *);

/* pid's /proc status, parsed; false when it cannot be read. */
static bool
read_status(pid_t pid, struct proc_status *st)
{
	struct proc p;
	struct buf b = { 0 };
	bool ok = proc_open(&p, PROC_ROOT, pid) == PROC_OK &&
	    proc_read(&p, "status", &b) == PROC_OK &&
	    proc_status_parse(b.data, b.len, st) == 0;

	buf_free(&b);
	proc_close(&p);
	return ok;
}

/* A stat file of an open process ("stat", "task/TID/stat"), parsed. */
static bool
read_stat(struct proc *p, const char *name, struct proc_stat *st)
{
	struct buf b = { 0 };
	bool ok = proc_read(p, name, &b) == PROC_OK &&
	    proc_stat_parse(b.data, b.len, st) == 0;

	buf_free(&b);
	return ok;
}

static void
comm_of(pid_t pid, char *out, size_t len)
{
	struct proc p;
	struct buf b = { 0 };

	out[0] = '\0';
	if (proc_open(&p, PROC_ROOT, pid) == PROC_OK &&
	    proc_read(&p, "comm", &b) == PROC_OK)
		snprintf(out, len, "%.*s", (int)strcspn(b.data, "\n"), b.data);
	buf_free(&b);
	proc_close(&p);
}

/* Is a thread of pid stopped by a signal (state T)? */
static bool
signal_stopped(pid_t pid)
{
	struct proc p;
	struct proc_stat st;
	pid_t *tids = NULL;
	size_t n = 0;
	bool t = false;

	if (proc_open(&p, PROC_ROOT, pid) == PROC_OK && proc_threads(pid, &tids, &n))
		for (size_t i = 0; i < n && !t; i++) {
			char name[64];

			snprintf(name, sizeof(name), "task/%d/stat", (int)tids[i]);
			t = read_stat(&p, name, &st) && st.state == 'T';
		}
	free(tids);
	proc_close(&p);
	return t;
}

bool
attach_check(pid_t pid, char *why, size_t len)
{
	struct proc_status st;
	long tracer = read_status(pid, &st) ? st.tracer_pid : -1;
	char comm[64];

	/* stopped by a signal: left as it is, which a ptrace stop is not */
	if (signal_stopped(pid)) {
		snprintf(why, len, "process %d is stopped (state T); continue it "
		    "first", (int)pid);
		return false;
	}
	if (tracer > 0) {
		comm_of((pid_t)tracer, comm, sizeof(comm));
		snprintf(why, len, "process %d is already traced by process %ld "
		    "(%s): memscope cannot attach while a debugger or tracer "
		    "holds it", (int)pid, tracer, comm[0] ? comm : "?");
		return false;
	}
	return true;
}

/* Has pid ended (gone, or a zombie)? */
static bool
ended(pid_t pid)
{
	struct proc p;
	struct proc_stat st;
	enum proc_rc rc = proc_open(&p, PROC_ROOT, pid);
	bool gone = rc == PROC_NO_PROCESS || (rc == PROC_OK &&
	    (!read_stat(&p, "stat", &st) || st.state == 'Z' || st.state == 'X'));

	proc_close(&p);
	return gone;
}

/* The process ended meanwhile: that is why, whatever failed. */
static bool
say_if_ended(pid_t pid, char *why, size_t len)
{
	if (!ended(pid))
		return false;
	snprintf(why, len, "process %d ended before memscope could join it",
	    (int)pid);
	return true;
}

int
attach_supported(pid_t pid, char *why, size_t len)
{
	if (!inject_supported()) {
		snprintf(why, len, "memscope attach works on x86-64 only");
		return 0;
	}
	if (inject_symbol(pid, "libc.so.", "dlopen") == 0 &&
	    inject_symbol(pid, "libdl.so.", "dlopen") == 0) {
		/* its maps gone with it: not a C library that was missing */
		if (say_if_ended(pid, why, len))
			return -1;
		snprintf(why, len, "process %d is statically linked or does not use "
		    "glibc (no C library with dlopen is mapped): the shim cannot "
		    "be loaded into it", (int)pid);
		return 0;
	}
	return say_if_ended(pid, why, len) ? -1 : 1;
}

/* Why ptrace was refused, in words that say what to change. */
static void
explain_denied(pid_t pid, char *why, size_t len)
{
	long scope = -1;
	struct buf b = { 0 };
	struct proc_status st;
	long uid = read_status(pid, &st) ? (long)st.uid[0] : -1;

	if (proc_read_root(PROC_ROOT, "sys/kernel/yama/ptrace_scope", &b) ==
	    PROC_OK && sscanf(b.data, "%ld", &scope) != 1)
		scope = -1;
	buf_free(&b);
	if (scope == 3)
		snprintf(why, len, "not permitted to trace process %d: ptrace is "
		    "disabled (kernel.yama.ptrace_scope = 3) until the next boot",
		    (int)pid);
	else if (uid >= 0 && (uid_t)uid != geteuid() && geteuid() != 0)
		snprintf(why, len, "not permitted to trace process %d: it belongs "
		    "to uid %ld; run memscope as that user or as root", (int)pid, uid);
	else if (scope >= 1 && geteuid() != 0)
		snprintf(why, len, "not permitted to trace process %d: ptrace is "
		    "restricted by Yama (kernel.yama.ptrace_scope = %ld); run "
		    "memscope as root, or allow it with `sysctl "
		    "kernel.yama.ptrace_scope=0`", (int)pid, scope);
	else
		snprintf(why, len, "not permitted to trace process %d: ptrace is "
		    "refused here (a container without CAP_SYS_PTRACE, or a "
		    "seccomp filter)", (int)pid);
}

/* Begin borrowing a thread of pid, the refusal explained. */
static struct inject *
borrow(pid_t pid, char *why, size_t len)
{
	struct inject *in = inject_begin(pid, SAFE_MOMENT_MS, why, len);

	if (in == NULL && strstr(why, "not permitted") != NULL)
		explain_denied(pid, why, len);
	return in;
}

/* The address of one of the C library's dl functions in pid. */
static uint64_t
dl_function(pid_t pid, const char *name)
{
	uint64_t a = inject_symbol(pid, "libc.so.", name);

	return a != 0 ? a : inject_symbol(pid, "libdl.so.", name);
}

/* The address of a function or variable of the shim, once it is loaded. */
static uint64_t
shim_function(const struct attachment *at, const char *name)
{
	const char *base = strrchr(at->shim, '/');

	return inject_symbol(at->pid, base != NULL ? base + 1 : at->shim, name);
}

bool
attach_join(struct attachment *at, pid_t pid, const char *shim,
    const char *socket_path, const char *options, bool (*wait)(void *ctx),
    void *ctx, char *why, size_t len)
{
	uint64_t dlopen_fn = dl_function(pid, "dlopen");
	uint64_t args[3], start;
	int32_t rc = -1;
	struct inject *in;
	bool ok = false;

	memset(at, 0, sizeof(*at));
	at->pid = pid;
	why[0] = '\0';
	if (realpath(shim, at->shim) == NULL) {
		snprintf(why, len, "the shim %s: %s", shim, strerror(errno));
		return false;
	}
	if (dlopen_fn == 0) {
		if (!say_if_ended(pid, why, len))
			snprintf(why, len, "process %d: dlopen not found in its C "
			    "library", (int)pid);
		return false;
	}
	if ((in = borrow(pid, why, len)) == NULL) {
		say_if_ended(pid, why, len);
		return false;
	}
	/* loaded by an attach before: dlopen is not needed again */
	if ((start = shim_function(at, "memscope_attach")) == 0) {
		args[0] = inject_push(in, at->shim, strlen(at->shim) + 1);
		args[1] = RTLD_NOW;
		if (!inject_call(in, dlopen_fn, args, 2, 0, wait, ctx, why, len))
			goto out;
		if ((start = shim_function(at, "memscope_attach")) == 0) {
			snprintf(why, len, "process %d could not load the shim %s "
			    "(is it readable by the process, at that path in its "
			    "file system?)", (int)pid, at->shim);
			goto out;
		}
	}
	args[0] = inject_push(in, socket_path, strlen(socket_path) + 1);
	args[1] = inject_push(in, options, strlen(options) + 1);
	/* in the shim's memory: the thread may be on its way before it is read */
	args[2] = shim_function(at, "memscope_attach_status");
	if (args[0] == 0 || args[1] == 0 || args[2] == 0) {
		snprintf(why, len, "cannot write to the stack of process %d",
		    (int)pid);
		goto out;
	}
	if (!inject_call(in, start, args, 3, args[2], wait, ctx, why, len))
		goto out;
	if (!inject_read(in, args[2], &rc, sizeof(rc)))
		rc = EIO;
	if (rc == EBUSY)
		snprintf(why, len, "process %d is already tracked by memscope "
		    "(memscope run, or another memscope attach)", (int)pid);
	else if (rc != 0)
		snprintf(why, len, "the shim in process %d could not start: %s",
		    (int)pid, strerror(rc));
	ok = rc == 0;
out:
	inject_end(in);
	if (ok && !(ok = hook_entries(at)))
		snprintf(why, len, "process %d: the shim's recording could not be "
		    "started", (int)pid);
	return ok;
}

bool
attach_leave(struct attachment *at, bool (*wait)(void *ctx), void *ctx,
    char *why, size_t len)
{
	uint64_t fn = shim_function(at, "memscope_detach");
	struct inject *in;
	bool ok;

	if (fn == 0) {
		snprintf(why, len, "process %d: the shim is not there to detach",
		    (int)at->pid);
		return false;
	}
	if ((in = borrow(at->pid, why, len)) == NULL)
		return false;
	ok = inject_call(in, fn, NULL, 0, 0, wait, ctx, why, len);
	inject_end(in);
	if (ok && !release_ring(at, wait, ctx, why, len))
		log_warnx("%s", why);
	return ok;
}

/* How many times the ring's release waits for the threads to be out. */
#define RELEASE_TRIES	50

/* The shim's executable mapping in pid: [*start, *end). */
static bool
shim_text(const struct attachment *at, uint64_t *start, uint64_t *end)
{
	struct proc p;
	struct buf b = { 0 };
	struct proc_mapping *maps = NULL;
	size_t n = 0, bad;
	bool found = false;

	if (proc_open(&p, PROC_ROOT, at->pid) == PROC_OK &&
	    proc_read(&p, "maps", &b) == PROC_OK &&
	    proc_maps_parse(b.data, b.len, &maps, &n, &bad) != 0)
		n = 0;
	proc_close(&p);
	for (size_t i = 0; i < n && !found; i++)
		if (maps[i].path != NULL && maps[i].perms[2] == 'x' &&
		    strcmp(maps[i].path, at->shim) == 0) {
			*start = maps[i].start;
			*end = maps[i].end;
			found = true;
		}
	free(maps);
	buf_free(&b);
	return found;
}

static bool
read_word(pid_t pid, uint64_t addr, void *out, size_t len)
{
	struct iovec local = { out, len }, remote = { (void *)addr, len };

	return process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)len;
}

/*
 * The entries of the allocator's functions (wire/detour-table.h): patched once
 * the shim is armed, the recording started in the same stop, so that
 * every call of the program's is seen, however it is made; put back on
 * detach. A function whose entry cannot
 * be patched is still seen through the GOT slots the shim hooked.
 */

/* The shim's table, read from the process; its address in *where. */
static bool
read_detours(const struct attachment *at, uint64_t *where,
    struct ms_detour *t)
{
	*where = shim_function(at, "memscope_detours");
	return *where != 0 &&
	    read_word(at->pid, *where, t, MS_DETOURS * sizeof(*t));
}

/* Write len bytes at the field off of table entry i. */
static bool
write_detour(const struct attachment *at, uint64_t table, size_t i,
    size_t off, const void *p, size_t len)
{
	return proc_mem_patch(at->pid, table + i * sizeof(struct ms_detour) + off,
	    p, len);
}

/* An entry to patch, and the other table entries of the same function. */
struct entry_patch {
	size_t			 index;
	struct detour_plan	 plan;
	uint64_t		 aliases;	/* a bit per table entry */
};

/* How much of a stopped thread's stack is searched for returns. */
#define STACK_SEARCH	(32u << 10)

/*
 * May the entries be patched now: is no stopped thread about to execute
 * the middle of the bytes replaced? Its pc must not be in there, nor any
 * word near the top of its stack (a signal frame's saved pc, a return
 * address).
 */
static bool
entries_clear(pid_t pid, const struct tracer_hold *h,
    const struct entry_patch *e, size_t n)
{
	static uint64_t words[STACK_SEARCH / 8];

	for (size_t t = 0; t < h->ntids; t++) {
		uint64_t pc, sp, tp;
		ssize_t got;

		if (!inject_thread_at(h->tids[t], &pc, &sp, &tp))
			return false;
		got = proc_mem_read(pid, sp, words, sizeof(words));
		for (size_t k = 0; k < n; k++) {
			uint64_t lo = e[k].plan.entry, hi = lo + e[k].plan.nreplaced;

			if (pc > lo && pc < hi)
				return false;
			for (ssize_t w = 0; w < got / 8; w++)
				if (words[w] > lo && words[w] < hi)
					return false;
		}
	}
	return true;
}

/* Write the patches of e into the stopped process, in wire/detour-table.h's order. */
static void
write_entries(const struct attachment *at, uint64_t table,
    const struct ms_detour *t, const struct entry_patch *e, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		const struct detour_plan *p = &e[k].plan;
		uint64_t tramp = detour_trampoline(p->area);
		uint32_t nsaved = (uint32_t)p->nreplaced;
		bool ok;

		ok = proc_mem_patch(at->pid, p->area, p->code, p->ncode) &&
		    write_detour(at, table, e[k].index,
		    offsetof(struct ms_detour, saved), p->saved, p->nreplaced) &&
		    write_detour(at, table, e[k].index,
		    offsetof(struct ms_detour, nsaved), &nsaved, sizeof(nsaved));
		for (size_t i = 0; ok && i < MS_DETOURS; i++)
			if (e[k].aliases & (1ull << i))
				ok = proc_mem_patch(at->pid, t[i].real, &tramp,
				    sizeof(tramp));
		if (ok)
			ok = proc_mem_patch(at->pid, p->entry, p->patch,
			    p->nreplaced);
		if (!ok)
			log_warnx("process %d: the entry of %s could not be "
			    "written", (int)at->pid, t[e[k].index].name);
	}
}

/*
 * Has entry i of table t (whose first bytes are head) been patched
 * already, by a memscope that died attached, for it or for another name
 * of the same function?
 */
static bool
patched_already(const struct ms_detour *t, size_t i, const uint8_t *head)
{
	for (size_t j = 0; j <= i; j++)
		if (t[j].entry == t[i].entry && detour_is_patched(t[i].entry,
		    head, MS_DETOUR_SAVED, t[j].area))
			return true;
	return false;
}

/*
 * Plan the patch of each function of the table not patched yet; entries
 * patched by a memscope that died are kept as they are. Returns how many
 * plans are in e.
 */
static size_t
plan_entries(const struct attachment *at, const struct ms_detour *t,
    struct entry_patch *e)
{
	size_t n = 0;

	for (size_t i = 0; i < MS_DETOURS; i++) {
		uint8_t head[MS_DETOUR_SAVED], *body;
		char why[256] = "its code cannot be read";
		size_t len, k;

		if (t[i].entry == 0)
			continue;
		/* another name of a function planned (memalign, aligned_alloc) */
		for (k = 0; k < n && e[k].plan.entry != t[i].entry; k++)
			;
		if (k < n) {
			e[k].aliases |= 1ull << i;
			continue;
		}
		if (!read_word(at->pid, t[i].entry, head, sizeof(head)) ||
		    patched_already(t, i, head))
			continue;
		if (t[i].size == 0) {
			log_warnx("process %d: %s's size is unknown: its entry is not "
			    "patched, and calls of it that do not go through a GOT "
			    "slot are not seen", (int)at->pid, t[i].name);
			continue;
		}
		len = t[i].size < (64u << 10) ? t[i].size : 64u << 10;
		body = xmalloc(len);
		if (read_word(at->pid, t[i].entry, body, len) &&
		    detour_plan(&e[n].plan, t[i].entry, body, len, t[i].hook,
		    t[i].area, why, sizeof(why))) {
			e[n].index = i;
			e[n].aliases = 1ull << i;
			n++;
		} else
			log_warnx("process %d: the entry of %s is not patched (%s): "
			    "calls of it that do not go through a GOT slot are not "
			    "seen", (int)at->pid, t[i].name, why);
		free(body);
	}
	return n;
}

/* How many times the patch waits for the threads to clear the entries. */
#define PATCH_TRIES	50

/* Start the shim's recording (wire/detour-table.h): false if it cannot be. */
static bool
start_recording(const struct attachment *at)
{
	uint64_t where = shim_function(at, "memscope_state"), state = 0;
	int32_t recording = MS_STATE_RECORDING;

	return where != 0 && read_word(at->pid, where, &state, sizeof(state)) &&
	    proc_mem_patch(at->pid, state, &recording, sizeof(recording));
}

/*
 * Patch the entries and start the recording in the same stop of the
 * process, so that from that instant every call is recorded whichever
 * way it comes, and none before. False: the recording could not start.
 */
static bool
hook_entries(struct attachment *at)
{
	struct ms_detour t[MS_DETOURS] = { { 0 } };
	struct entry_patch e[MS_DETOURS];
	uint64_t table = 0;
	size_t n = 0;

	if (read_detours(at, &table, t))
		n = plan_entries(at, t, e);
	for (int tries = 0; n > 0 && tries < PATCH_TRIES; tries++) {
		struct tracer_hold h;
		char why[256];
		bool clear, ok = false;

		/* a thread that runs on unstopped could be in the bytes */
		clear = tracer_stop(&h, at->pid, why, sizeof(why)) &&
		    h.nunseen == 0 && entries_clear(at->pid, &h, e, n);
		if (clear) {
			write_entries(at, table, t, e, n);
			ok = start_recording(at);
		}
		tracer_release(&h);
		if (clear)
			return ok;
		nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
	}
	if (n > 0)
		log_warnx("process %d: its threads stayed in the allocator's "
		    "entries, which are not patched: calls that do not go "
		    "through a GOT slot are not seen", (int)at->pid);
	return start_recording(at);
}

/*
 * Put the entries patched back as they were; the process is stopped. The
 * trampolines stay the shim's way to the functions.
 */
static void
unhook_entries(const struct attachment *at)
{
	struct ms_detour t[MS_DETOURS] = { { 0 } };
	uint64_t table;

	if (!read_detours(at, &table, t))
		return;
	for (size_t i = 0; i < MS_DETOURS; i++) {
		uint8_t head[MS_DETOUR_SAVED];
		uint32_t none = 0;

		if (t[i].entry == 0 || t[i].nsaved == 0 ||
		    t[i].nsaved > MS_DETOUR_SAVED ||
		    !read_word(at->pid, t[i].entry, head, sizeof(head)) ||
		    !detour_is_patched(t[i].entry, head, sizeof(head), t[i].area))
			continue;
		if (!proc_mem_patch(at->pid, t[i].entry, t[i].saved, t[i].nsaved) ||
		    !write_detour(at, table, i, offsetof(struct ms_detour, nsaved),
		    &none, sizeof(none)))
			log_warnx("process %d: the entry of %s could not be put "
			    "back", (int)at->pid, t[i].name);
	}
}

/*
 * Are the stopped threads all out of the shim's work: none running its
 * code, none with its guard up (a call of the real allocator made from a
 * hook, a record being written)?
 */
static bool
threads_out(const struct attachment *at, const struct tracer_hold *h,
    int64_t guard_off, uint64_t text_start, uint64_t text_end)
{
	for (size_t i = 0; i < h->ntids; i++) {
		uint64_t pc, sp, tp;
		int32_t guard;

		if (!inject_thread_at(h->tids[i], &pc, &sp, &tp) ||
		    (pc >= text_start && pc < text_end) ||
		    !read_word(at->pid, tp + (uint64_t)guard_off, &guard,
		    sizeof(guard)) || guard != 0)
			return false;
	}
	return true;
}

/*
 * After the detach: the allocator's entries put back, and the ring
 * unmapped in the process, by the shim (memscope_release) in one of its
 * threads while every other is stopped out of the shim's work, so that
 * none writes into it again. A thread still in there is waited for, a
 * little, with wait(ctx) (which reads the ring); then the ring is left.
 */
static bool
release_ring(struct attachment *at, bool (*wait)(void *ctx), void *ctx,
    char *why, size_t len)
{
	uint64_t release = shim_function(at, "memscope_release");
	uint64_t guard_at = shim_function(at, "memscope_guard_offset");
	uint64_t text_start, text_end;
	int64_t guard_off = 0;
	bool unhooked = false;

	if (release == 0 || guard_at == 0 ||
	    !read_word(at->pid, guard_at, &guard_off, sizeof(guard_off)) ||
	    !shim_text(at, &text_start, &text_end)) {
		snprintf(why, len, "process %d: the shim cannot unmap its ring",
		    (int)at->pid);
		return false;
	}
	for (int tries = 0; tries < RELEASE_TRIES; tries++) {
		struct tracer_hold h;
		struct inject *in;
		char stop_why[256];
		bool ok = false;

		/* a thread that runs on unstopped could be at an entry, or
		 * writing into the ring */
		if (tracer_stop(&h, at->pid, stop_why, sizeof(stop_why)) &&
		    h.nunseen == 0) {
			if (!unhooked) {
				unhook_entries(at);
				unhooked = true;
			}
			if (threads_out(at, &h, guard_off, text_start, text_end)) {
				if ((in = inject_take(at->pid, h.tids[0], why,
				    len)) != NULL) {
					ok = inject_call(in, release, NULL, 0, 0,
					    NULL, NULL, why, len);
					inject_end(in);
				}
				tracer_release(&h);
				return ok;
			}
		}
		tracer_release(&h);
		/* meanwhile, the ring read: a thread may wait for room in it */
		if (wait == NULL)
			nanosleep(&(struct timespec){ 0, 2000000 }, NULL);
		else if (!wait(ctx))
			break;
	}
	snprintf(why, len, "process %d: a thread stayed in the shim's work or "
	    "could not be stopped; its ring stays mapped%s", (int)at->pid,
	    unhooked ? "" : ", and the allocator's entries lead to the shim, "
	    "which only forwards");
	return false;
}
