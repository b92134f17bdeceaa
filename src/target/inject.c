/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "inject.h"
#include "proc.h"
#include "proc-maps.h"
#include "proc-stat.h"
#include "xmalloc.h"

/* The mappings of pid: *maps (free it) and their buffer *b (buf_free it). */
static size_t
read_maps(pid_t pid, struct buf *b, struct proc_mapping **maps)
{
	struct proc p;
	size_t n = 0, bad;

	*maps = NULL;
	if (proc_open(&p, PROC_ROOT, pid) == PROC_OK &&
	    proc_read(&p, "maps", b) == PROC_OK &&
	    proc_maps_parse(b->data, b->len, maps, &n, &bad) != 0)
		n = 0;
	proc_close(&p);
	return n;
}

static bool
named(const struct proc_mapping *m, const char *lib)
{
	const char *base = m->path != NULL ? strrchr(m->path, '/') : NULL;

	return base != NULL && strncmp(base + 1, lib, strlen(lib)) == 0;
}

/* The value of the dynamic symbol name (a function or a variable) in the
 * ELF file open as fd, or 0. */
static uint64_t
symbol_value(int fd, const char *name, uint64_t *first_vaddr)
{
	Elf *e = NULL;
	Elf_Scn *scn = NULL;
	uint64_t value = 0;
	size_t nph;

	*first_vaddr = UINT64_MAX;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return 0;
	if ((e = elf_begin(fd, ELF_C_READ_MMAP, NULL)) == NULL ||
	    elf_getphdrnum(e, &nph) != 0)
		goto out;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(e, (int)i, &ph) != NULL && ph.p_type == PT_LOAD &&
		    ph.p_vaddr < *first_vaddr)
			*first_vaddr = ph.p_vaddr & ~(uint64_t)(ph.p_align > 0 ?
			    ph.p_align - 1 : 0);
	}
	while (value == 0 && (scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type != SHT_DYNSYM ||
		    sh.sh_entsize == 0 || (d = elf_getdata(scn, NULL)) == NULL)
			continue;
		for (size_t k = 0; k < sh.sh_size / sh.sh_entsize; k++) {
			GElf_Sym sym;
			const char *s;

			if (gelf_getsym(d, (int)k, &sym) == NULL ||
			    sym.st_shndx == SHN_UNDEF || sym.st_value == 0 ||
			    (GELF_ST_TYPE(sym.st_info) != STT_FUNC &&
			    GELF_ST_TYPE(sym.st_info) != STT_OBJECT))
				continue;
			s = elf_strptr(e, sh.sh_link, sym.st_name);
			if (s != NULL && strcmp(s, name) == 0) {
				value = sym.st_value;
				break;
			}
		}
	}
out:
	if (e != NULL)
		elf_end(e);
	return value;
}

uint64_t
inject_symbol(pid_t pid, const char *lib, const char *name)
{
	struct buf b = { 0 };
	struct proc_mapping *maps;
	size_t n = read_maps(pid, &b, &maps);
	uint64_t addr = 0, value = 0, first = UINT64_MAX;
	char rel[PATH_MAX + 8];
	struct proc proc;
	bool in_proc = proc_open(&proc, PROC_ROOT, pid) == PROC_OK;
	int fd;

	for (size_t i = 0; i < n; i++) {
		if (maps[i].offset != 0 || !named(&maps[i], lib))
			continue;
		/* through the process's root: it may live in a container */
		snprintf(rel, sizeof(rel), "root%s", maps[i].path);
		if (in_proc &&
		    proc_openat(&proc, rel, O_RDONLY, &fd) == PROC_OK) {
			value = symbol_value(fd, name, &first);
			close(fd);
		}
		if (value == 0 &&
		    (fd = open(maps[i].path, O_RDONLY | O_CLOEXEC)) != -1) {
			value = symbol_value(fd, name, &first);
			close(fd);
		}
		if (value != 0 && first != UINT64_MAX)
			addr = maps[i].start - first + value;
		break;
	}
	proc_close(&proc);
	free(maps);
	buf_free(&b);
	return addr;
}

#if defined(__x86_64__)

#define RED_ZONE	128
/* Scratch space below the stack pointer: the strings, then the frame. */
#define SCRATCH		32768
/* How many times a call's watcher yields before it sleeps. */
#define SPIN_YIELDS	200
/* The largest XSAVE area read from a thread (AMX's is about 11 KiB). */
#define XSTATE_MAX	16384

/* The software part of a signal frame's XSAVE area (its sw_reserved). */
#define XSTATE_MAGIC1	0x46505853u
#define XSTATE_MAGIC2	0x46505845u
#define FX_SW_OFFSET		464
/* ucontext's uc_flags: the FP state is an XSAVE area; ss is saved */
#define FRAME_FP_XSTATE		0x1
#define FRAME_SIGCONTEXT_SS	0x2
#define FRAME_STRICT_SS		0x4
/* The kernel's codes of an interrupted system call to be restarted. */
#define ERESTARTSYS		512
#define ERESTARTNOINTR		513
#define ERESTARTNOHAND		514
#define ERESTART_RESTARTBLOCK	516

/* mov $15, %rax; syscall: the C library's signal return (__restore_rt) */
static const unsigned char restore_code[] = {
	0x48, 0xc7, 0xc0, 0x0f, 0x00, 0x00, 0x00, 0x0f, 0x05
};

/*
 * The start of a signal frame, as rt_sigreturn reads it: the return
 * address the called function pops, then the ucontext.
 */
struct sigframe {
	uint64_t	 pretcode;
	uint64_t	 uc_flags;
	uint64_t	 uc_link;
	uint64_t	 ss_sp;
	int32_t		 ss_flags;
	int32_t		 pad;
	uint64_t	 ss_size;
	/* struct sigcontext */
	uint64_t	 r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t	 rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t	 cs, gs, fs, ss;
	uint64_t	 err, trapno, oldmask, cr2, fpstate;
	uint64_t	 reserved[8];
	uint64_t	 sigmask;
};

struct inject {
	pid_t		 pid;
	pid_t		 tid;
	struct user_regs_struct regs;	/* as stopped */
	struct user_regs_struct resume;	/* as it goes on: a restart applied */
	unsigned char	*xstate;	/* its XSAVE area, or NULL */
	size_t		 xlen;
	struct user_fpregs_struct fpregs;
	uint64_t	 sigmask;	/* blocked signals */
	uint64_t	 restorer;	/* the C library's __restore_rt */
	uint64_t	 scratch;	/* the next free byte, growing down */
	uint64_t	 scratch_end;	/* the lowest it may reach */
	uint64_t	 frame;		/* the frame of the call under way, or 0 */
	bool		 returned;	/* stopped at the call's rt_sigreturn */
	bool		 given_back;	/* past it: in its own state again */
	bool		 kept;		/* stopped by the caller, who lets it go */
};

bool
inject_supported(void)
{
	return true;
}

/*
 * A text mapping of the C library, the loader, or memscope's shim and its
 * libunwind (their locks: a call of the shim's would wait for them) holds pc?
 */
static bool
in_runtime(pid_t pid, uint64_t pc)
{
	struct buf b = { 0 };
	struct proc_mapping *maps;
	size_t n = read_maps(pid, &b, &maps);
	bool in = false;

	for (size_t i = 0; i < n && !in; i++)
		in = pc >= maps[i].start && pc < maps[i].end &&
		    (named(&maps[i], "libc.so") || named(&maps[i], "ld-linux") ||
		    named(&maps[i], "libpthread") || named(&maps[i], "libstdc++") ||
		    named(&maps[i], "libmemscope") || named(&maps[i], "libunwind"));
	free(maps);
	buf_free(&b);
	return in;
}

/*
 * May a thread stopped in this state be borrowed? In a system call but
 * those a lock may be held across (futex: waiting for one; the
 * allocator's own calls, made with an arena locked); or out of the
 * runtime's code altogether.
 */
static bool
safe_moment(pid_t pid, const struct user_regs_struct *r)
{
	long nr = (long)r->orig_rax;

	if (nr >= 0)
		return nr != SYS_futex && nr != SYS_brk && nr != SYS_mmap &&
		    nr != SYS_munmap && nr != SYS_mprotect && nr != SYS_madvise &&
		    nr != SYS_mremap;
	return !in_runtime(pid, r->rip);
}

/* Wait for the next stop of tid; false if it died. */
static bool
wait_stop(pid_t tid, int *status)
{
	for (;;) {
		pid_t got = waitpid(tid, status, __WALL);

		if (got == -1 && errno == EINTR)
			continue;
		return got == tid && WIFSTOPPED(*status);
	}
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The state letter of thread tid of pid (its stat's third field), or 0. */
static char
thread_state(pid_t pid, pid_t tid)
{
	struct proc proc;
	struct buf b = { 0 };
	struct proc_stat st;
	char name[32];
	char state = 0;

	snprintf(name, sizeof(name), "task/%d/stat", (int)tid);
	if (proc_open(&proc, PROC_ROOT, pid) == PROC_OK &&
	    proc_read(&proc, name, &b) == PROC_OK &&
	    proc_stat_parse(b.data, b.len, &st) == 0)
		state = st.state;
	buf_free(&b);
	proc_close(&proc);
	return state;
}

/* Has thread tid of pid exited (a zombie, as a main thread after pthread_exit)? */
static bool
zombie_thread(pid_t pid, pid_t tid)
{
	char st = thread_state(pid, tid);

	return st == 0 || st == 'Z' || st == 'X';
}

/* The live threads of pid, the main one first. */
static size_t
threads_of(pid_t pid, pid_t **out)
{
	size_t n = 0, cap = 0, ntids = 0;
	pid_t *v = NULL, *tids;

	v = xgrow(v, &cap, 1, sizeof(*v));
	if (!zombie_thread(pid, pid))
		v[n++] = pid;
	if (proc_threads(pid, &tids, &ntids)) {
		for (size_t i = 0; i < ntids; i++) {
			if (tids[i] == pid || zombie_thread(pid, tids[i]))
				continue;
			v = xgrow(v, &cap, n + 1, sizeof(*v));
			v[n++] = tids[i];
		}
		free(tids);
	}
	*out = v;
	return n;
}

/* The signals thread tid blocks (its status's SigBlk). */
static bool
blocked_signals(pid_t pid, pid_t tid, uint64_t *mask)
{
	struct proc proc;
	struct buf b = { 0 };
	struct proc_status st;
	char name[32];
	bool found = false;

	snprintf(name, sizeof(name), "task/%d/status", (int)tid);
	if (proc_open(&proc, PROC_ROOT, pid) == PROC_OK &&
	    proc_read(&proc, name, &b) == PROC_OK &&
	    proc_status_parse(b.data, b.len, &st) == 0 && st.has_sig_blocked) {
		*mask = st.sig_blocked;
		found = true;
	}
	buf_free(&b);
	proc_close(&proc);
	return found;
}

/*
 * Where the C library's signal return code is: the bytes of __restore_rt
 * in an executable mapping of it (the symbol is not exported).
 */
static uint64_t
find_restorer(pid_t tid, pid_t pid)
{
	struct buf b = { 0 };
	struct proc_mapping *maps;
	size_t n = read_maps(pid, &b, &maps);
	uint64_t at = 0;

	for (size_t i = 0; i < n && at == 0; i++) {
		size_t len = maps[i].end - maps[i].start;
		struct iovec local, remote;
		unsigned char *text;
		const unsigned char *hit;

		if (maps[i].perms[2] != 'x' || !named(&maps[i], "libc.so") ||
		    len > (64u << 20))
			continue;
		text = xmalloc(len);
		local = (struct iovec){ text, len };
		remote = (struct iovec){ (void *)maps[i].start, len };
		if (process_vm_readv(tid, &local, 1, &remote, 1, 0) == (ssize_t)len &&
		    (hit = memmem(text, len, restore_code, sizeof(restore_code))) != NULL)
			at = maps[i].start + (uint64_t)(hit - text);
		free(text);
	}
	free(maps);
	buf_free(&b);
	return at;
}

/*
 * The registers the thread goes on with: those it was stopped with, the
 * system call it was in made to start again as the kernel would after a
 * signal without a handler (a call that keeps its state in the kernel's
 * restart block, as nanosleep does, restarts through restart_syscall).
 */
static void
resume_registers(struct inject *in)
{
	struct user_regs_struct *r = &in->resume;

	*r = in->regs;
	if ((long long)r->orig_rax >= 0)
		switch (-(long long)r->rax) {
		case ERESTARTSYS:
		case ERESTARTNOINTR:
		case ERESTARTNOHAND:
			r->rax = r->orig_rax;
			r->rip -= 2;
			break;
		case ERESTART_RESTARTBLOCK:
			r->rax = SYS_restart_syscall;
			r->rip -= 2;
			break;
		}
	r->orig_rax = (unsigned long long)-1;
}

/* Read what the thread needs to be given back: its FP state and mask. */
static bool
save_state(struct inject *in)
{
	struct iovec iov;

	if (ptrace(PTRACE_GETREGS, in->tid, NULL, &in->regs) != 0 ||
	    ptrace(PTRACE_GETFPREGS, in->tid, NULL, &in->fpregs) != 0 ||
	    !blocked_signals(in->pid, in->tid, &in->sigmask))
		return false;
	in->xstate = xmalloc(XSTATE_MAX);
	iov = (struct iovec){ in->xstate, XSTATE_MAX };
	if (ptrace(PTRACE_GETREGSET, in->tid, (void *)NT_X86_XSTATE, &iov) == 0 &&
	    iov.iov_len >= 576 && iov.iov_len <= XSTATE_MAX - 4)
		in->xlen = iov.iov_len;
	else {
		free(in->xstate);
		in->xstate = NULL;
	}
	resume_registers(in);
	return true;
}

/* Stop tid; true with its registers when the moment is safe (else let go). */
static int
try_thread(struct inject *in, pid_t tid, bool any, char *why, size_t len)
{
	int status;

	if (ptrace(PTRACE_SEIZE, tid, NULL, (void *)PTRACE_O_TRACESYSGOOD) != 0) {
		if (errno == EPERM)
			snprintf(why, len, "not permitted to trace process %d: %s",
			    (int)in->pid, strerror(errno));
		return errno == EPERM ? -1 : 0;
	}
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) != 0 ||
	    !wait_stop(tid, &status)) {
		ptrace(PTRACE_DETACH, tid, NULL, NULL);
		return 0;
	}
	/* a signal arrived first: deliver it, then wait for the interrupt */
	while (status >> 16 != PTRACE_EVENT_STOP) {
		ptrace(PTRACE_CONT, tid, NULL, (void *)(long)WSTOPSIG(status));
		if (!wait_stop(tid, &status))
			return 0;
	}
	/* stopped by a signal meanwhile: left as it is, stopped */
	if (WSTOPSIG(status) != SIGTRAP) {
		ptrace(PTRACE_DETACH, tid, NULL, NULL);
		snprintf(why, len, "process %d is stopped (state T); continue it "
		    "first", (int)in->pid);
		return -1;
	}
	in->tid = tid;
	if (save_state(in) && (any || safe_moment(in->pid, &in->regs)))
		return 1;
	in->tid = 0;
	free(in->xstate);
	in->xstate = NULL;
	ptrace(PTRACE_DETACH, tid, NULL, NULL);
	return 0;
}

/* Is some thread of pid stopped by a signal (T), not by a tracer (t)? */
static bool
group_stopped(pid_t pid)
{
	pid_t *tids;
	size_t n = threads_of(pid, &tids);
	bool stopped = false;

	for (size_t i = 0; i < n && !stopped; i++)
		stopped = thread_state(pid, tids[i]) == 'T';
	free(tids);
	return stopped;
}

struct inject *
inject_begin(pid_t pid, int timeout_ms, char *why, size_t len)
{
	struct inject *in = xcalloc(1, sizeof(*in));
	int waited = 0;

	in->pid = pid;
	why[0] = '\0';
	if (group_stopped(pid)) {
		snprintf(why, len, "process %d is stopped (state T); continue it "
		    "first", (int)pid);
		free(in);
		return NULL;
	}
	for (;;) {
		pid_t *tids;
		size_t n = threads_of(pid, &tids);
		/* out of time: the main thread, wherever it is */
		bool last = waited >= timeout_ms;
		int got = 0;

		for (size_t i = 0; i < n && got == 0; i++)
			got = try_thread(in, tids[i], last && i == 0, why, len);
		free(tids);
		if (got < 0)
			break;
		if (got > 0) {
			in->restorer = find_restorer(in->tid, pid);
			in->scratch = (in->regs.rsp - RED_ZONE) & ~(uint64_t)63;
			in->scratch_end = in->scratch - SCRATCH;
			if (in->restorer != 0)
				return in;
			snprintf(why, len, "process %d: its C library's signal "
			    "return code was not found", (int)pid);
			inject_end(in);
			return NULL;
		}
		if (last) {
			if (why[0] == '\0')
				snprintf(why, len, "process %d could not be stopped",
				    (int)pid);
			break;
		}
		sleep_ms(5);
		waited += 5;
	}
	free(in);
	return NULL;
}

static bool
write_target(pid_t tid, uint64_t addr, const void *p, size_t len)
{
	struct iovec local = { (void *)p, len }, remote = { (void *)addr, len };

	if (process_vm_writev(tid, &local, 1, &remote, 1, 0) == (ssize_t)len)
		return true;
	/* a stack page not yet there, or no process_vm_writev: word by word */
	for (size_t off = 0; off < len; off += 8) {
		uint64_t w = 0;
		size_t k = len - off < 8 ? len - off : 8;

		if (k < 8) {
			errno = 0;
			w = (uint64_t)ptrace(PTRACE_PEEKDATA, tid, (void *)(addr + off), NULL);
			if (errno != 0)
				return false;
		}
		memcpy(&w, (const char *)p + off, k);
		if (ptrace(PTRACE_POKEDATA, tid, (void *)(addr + off), (void *)w) != 0)
			return false;
	}
	return true;
}

uint64_t
inject_push(struct inject *in, const void *p, size_t len)
{
	uint64_t at = (in->scratch - len) & ~(uint64_t)15;

	if (at < in->scratch_end + 256 || !write_target(in->tid, at, p, len))
		return 0;
	in->scratch = at;
	return at;
}

bool
inject_read(struct inject *in, uint64_t addr, void *out, size_t len)
{
	struct iovec local = { out, len }, remote = { (void *)addr, len };

	return addr != 0 && process_vm_readv(in->tid, &local, 1, &remote, 1, 0) ==
	    (ssize_t)len;
}

/*
 * Write below the scratch in use a signal frame that gives the thread back
 * the state it was stopped in (registers, FP state, blocked signals) when
 * rt_sigreturn reads it: the frame's address, or 0.
 */
static uint64_t
push_frame(struct inject *in)
{
	struct sigframe f;
	uint64_t fp = 0, at;

	memset(&f, 0, sizeof(f));
	if (in->xstate != NULL) {
		unsigned char *x = in->xstate;
		uint32_t v32;
		uint64_t xcr0;

		/* the ptrace area's software bytes hold XCR0; a signal
		 * frame's say that the area is a whole XSAVE one */
		memcpy(&xcr0, x + FX_SW_OFFSET, sizeof(xcr0));
		memset(x + FX_SW_OFFSET, 0, 48);
		v32 = XSTATE_MAGIC1;
		memcpy(x + FX_SW_OFFSET, &v32, 4);
		v32 = (uint32_t)in->xlen + 4;
		memcpy(x + FX_SW_OFFSET + 4, &v32, 4);
		memcpy(x + FX_SW_OFFSET + 8, &xcr0, 8);
		v32 = (uint32_t)in->xlen;
		memcpy(x + FX_SW_OFFSET + 16, &v32, 4);
		v32 = XSTATE_MAGIC2;
		memcpy(x + in->xlen, &v32, 4);
		fp = (in->scratch - (in->xlen + 4)) & ~(uint64_t)63;
		if (fp < in->scratch_end + 1024 ||
		    !write_target(in->tid, fp, x, in->xlen + 4))
			return 0;
		memcpy(x + FX_SW_OFFSET, &xcr0, 8);
		f.uc_flags = FRAME_FP_XSTATE;
	} else {
		fp = (in->scratch - sizeof(in->fpregs)) & ~(uint64_t)63;
		if (fp < in->scratch_end + 1024 ||
		    !write_target(in->tid, fp, &in->fpregs, sizeof(in->fpregs)))
			return 0;
	}
	f.uc_flags |= FRAME_SIGCONTEXT_SS | FRAME_STRICT_SS;
	f.pretcode = in->restorer;
	/* a mode sigaltstack refuses: the thread's alternate stack unchanged */
	f.ss_flags = 0x10;
	f.r8 = in->resume.r8, f.r9 = in->resume.r9, f.r10 = in->resume.r10;
	f.r11 = in->resume.r11, f.r12 = in->resume.r12, f.r13 = in->resume.r13;
	f.r14 = in->resume.r14, f.r15 = in->resume.r15, f.rdi = in->resume.rdi;
	f.rsi = in->resume.rsi, f.rbp = in->resume.rbp, f.rbx = in->resume.rbx;
	f.rdx = in->resume.rdx, f.rax = in->resume.rax, f.rcx = in->resume.rcx;
	f.rsp = in->resume.rsp, f.rip = in->resume.rip;
	f.eflags = in->resume.eflags;
	f.cs = (uint16_t)in->resume.cs;
	f.ss = (uint16_t)in->resume.ss;
	f.fpstate = fp;
	f.sigmask = in->sigmask;
	/* the function is entered as by a call: (rsp + 8) % 16 == 0 */
	at = ((fp - sizeof(f)) & ~(uint64_t)15) - 8;
	if (at < in->scratch_end || !write_target(in->tid, at, &f, sizeof(f)))
		return 0;
	/* what is pushed next goes below: this frame may yet be returned to */
	in->scratch = at & ~(uint64_t)63;
	return at;
}

/* Is the thread, stopped at a system call's entry, returning from ours? */
static bool
call_returned(struct inject *in)
{
	struct user_regs_struct r;

	return ptrace(PTRACE_GETREGS, in->tid, NULL, &r) == 0 &&
	    r.orig_rax == SYS_rt_sigreturn && r.rsp == in->frame + 8;
}

/*
 * Has the thread, running, written the word the call ends with? (Checked
 * while it runs: a word other than the -1 put there before the call.)
 */
static bool
call_done(struct inject *in, uint64_t done)
{
	int32_t v;

	return inject_read(in, done, &v, sizeof(v)) && v != -1;
}

/*
 * The thread finished its call (done was written), running on its own:
 * stop it again at the call's rt_sigreturn, or find it past that already,
 * its state given back by the kernel. False if it died.
 */
static bool
catch_return(struct inject *in, int *status)
{
	struct user_regs_struct r;
	bool syscall_stop = false;

	if (ptrace(PTRACE_INTERRUPT, in->tid, NULL, NULL) != 0)
		return false;
	for (;;) {
		if (!wait_stop(in->tid, status))
			return false;
		if (WSTOPSIG(*status) == (SIGTRAP | 0x80))
			syscall_stop = true;
		else if (*status >> 16 == PTRACE_EVENT_STOP &&
		    WSTOPSIG(*status) == SIGTRAP)
			syscall_stop = false;
		else {
			/* the program's own signal, or a group stop */
			if (*status >> 16 == PTRACE_EVENT_STOP)
				ptrace(PTRACE_LISTEN, in->tid, NULL, NULL);
			else
				ptrace(PTRACE_SYSCALL, in->tid, NULL,
				    (void *)(long)WSTOPSIG(*status));
			continue;
		}
		if (ptrace(PTRACE_GETREGS, in->tid, NULL, &r) != 0)
			return false;
		if (syscall_stop && r.orig_rax == SYS_rt_sigreturn &&
		    r.rsp == in->frame + 8) {
			in->returned = true;
			return true;
		}
		/* still below the frame, or in the signal return's two
		 * instructions: on to the rt_sigreturn */
		if (r.rsp <= in->frame || (r.rsp == in->frame + 8 &&
		    r.rip >= in->restorer && r.rip <= in->restorer +
		    sizeof(restore_code))) {
			ptrace(PTRACE_SYSCALL, in->tid, NULL, NULL);
			continue;
		}
		/* given back already: its own state, to be left as it is */
		in->frame = 0;
		in->given_back = true;
		return true;
	}
}

bool
inject_call(struct inject *in, uint64_t fn, const uint64_t *args, int nargs,
    uint64_t done, bool (*wait)(void *ctx), void *ctx, char *why, size_t len)
{
	struct user_regs_struct r = in->regs;
	unsigned long long *argregs[] = { &r.rdi, &r.rsi, &r.rdx, &r.rcx, &r.r8,
	    &r.r9 };
	int32_t unset = -1;
	uint64_t frame;
	int status;

	if (in->given_back) {
		snprintf(why, len, "process %d: no thread to run the call",
		    (int)in->pid);
		return false;
	}
	/*
	 * The function returns into the C library's signal return, with a
	 * frame that gives the thread back its state: should memscope die
	 * at any moment from here on, the thread goes on as it was.
	 */
	if (nargs > 6 || (frame = push_frame(in)) == 0 ||
	    (done != 0 && !write_target(in->tid, done, &unset, sizeof(unset)))) {
		snprintf(why, len, "cannot write to the stack of process %d",
		    (int)in->pid);
		return false;
	}
	for (int i = 0; i < nargs; i++)
		*argregs[i] = args[i];
	r.rsp = frame;
	r.rip = fn;
	r.rax = 0;
	/* not in a system call (or the rt_sigreturn of the last call,
	 * skipped): no restart applied to these registers */
	r.orig_rax = (unsigned long long)-1;
	if (ptrace(PTRACE_SETREGS, in->tid, NULL, &r) != 0) {
		snprintf(why, len, "cannot run code in process %d: %s",
		    (int)in->pid, strerror(errno));
		return false;
	}
	in->frame = frame;
	in->returned = false;
	/*
	 * A call that does not talk to memscope is stopped at each of its
	 * system calls, its return among them. One that does (the shim's
	 * hello) runs free, since memscope may be busy answering it; its
	 * end is the done word written, then its return is caught.
	 */
	if (ptrace(done != 0 ? PTRACE_CONT : PTRACE_SYSCALL, in->tid, NULL,
	    NULL) != 0) {
		snprintf(why, len, "cannot run code in process %d: %s",
		    (int)in->pid, strerror(errno));
		return false;
	}
	for (int idle = 0;; idle = 0) {
		pid_t got;
		int sig = 0;

		/* the next stop is often microseconds away (a system call of
		 * dlopen's): yielding a while before sleeping */
		while ((got = waitpid(in->tid, &status, __WALL | WNOHANG)) == 0 &&
		    ++idle <= SPIN_YIELDS)
			sched_yield();
		if (got == 0) {
			if (done != 0 && call_done(in, done)) {
				if (catch_return(in, &status))
					return true;
				got = -1;
			} else if (wait != NULL) {
				if (!wait(ctx)) {
					snprintf(why, len, "interrupted while "
					    "process %d ran memscope's call",
					    (int)in->pid);
					return false;
				}
				continue;
			} else {
				sleep_ms(1);
				continue;
			}
		}
		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1 || !WIFSTOPPED(status)) {
			snprintf(why, len, "process %d ended while memscope was "
			    "joining it", (int)in->pid);
			in->tid = 0;
			return false;
		}
		if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
			if (call_returned(in)) {
				in->returned = true;
				return true;
			}
		} else if (status >> 16 == PTRACE_EVENT_STOP) {
			/* a group stop (SIGSTOP): it goes on when continued */
			if (WSTOPSIG(status) != SIGTRAP) {
				ptrace(PTRACE_LISTEN, in->tid, NULL, NULL);
				continue;
			}
		} else
			/* the program's own signal: its handler runs, then
			 * the call goes on */
			sig = WSTOPSIG(status);
		ptrace(done != 0 ? PTRACE_CONT : PTRACE_SYSCALL, in->tid, NULL,
		    (void *)(long)sig);
	}
}

void
inject_end(struct inject *in)
{
	if (in == NULL)
		return;
	if (in->tid > 0) {
		/*
		 * Stopped before a call or at its return: given back exactly
		 * what it was stopped with (the frame's rt_sigreturn would
		 * lose the restart block of a system call such as nanosleep),
		 * that return skipped. Mid-call (interrupted): the frame
		 * does it when the call returns.
		 */
		if (!in->given_back && (in->frame == 0 || in->returned)) {
			bool fp = in->xstate != NULL ?
			    ptrace(PTRACE_SETREGSET, in->tid, (void *)NT_X86_XSTATE,
			    &(struct iovec){ in->xstate, in->xlen }) == 0 :
			    ptrace(PTRACE_SETFPREGS, in->tid, NULL, &in->fpregs) == 0;

			/* before any call, as stopped: the kernel restarts
			 * the system call it was in */
			if (fp)
				ptrace(PTRACE_SETREGS, in->tid, NULL, in->frame == 0 ?
				    &in->regs : &in->resume);
		}
		if (!in->kept)
			ptrace(PTRACE_DETACH, in->tid, NULL, NULL);
	}
	free(in->xstate);
	free(in);
}

struct inject *
inject_take(pid_t pid, pid_t tid, char *why, size_t len)
{
	struct inject *in = xcalloc(1, sizeof(*in));

	in->pid = pid;
	in->tid = tid;
	in->kept = true;
	if (ptrace(PTRACE_SETOPTIONS, tid, NULL, (void *)PTRACE_O_TRACESYSGOOD) != 0 ||
	    !save_state(in) || (in->restorer = find_restorer(tid, pid)) == 0) {
		snprintf(why, len, "process %d: thread %d cannot run a call",
		    (int)pid, (int)tid);
		in->tid = 0;
		inject_end(in);
		return NULL;
	}
	in->scratch = (in->regs.rsp - RED_ZONE) & ~(uint64_t)63;
	in->scratch_end = in->scratch - SCRATCH;
	return in;
}

bool
inject_thread_at(pid_t tid, uint64_t *pc, uint64_t *sp, uint64_t *tp)
{
	struct user_regs_struct r;

	if (ptrace(PTRACE_GETREGS, tid, NULL, &r) != 0)
		return false;
	*pc = r.rip;
	*sp = r.rsp;
	*tp = r.fs_base;
	return true;
}

#else

struct inject {
	int	 unused;
};

bool
inject_supported(void)
{
	return false;
}

struct inject *
inject_begin(pid_t pid, int timeout_ms, char *why, size_t len)
{
	(void)pid;
	(void)timeout_ms;
	snprintf(why, len, "memscope attach works on x86-64 only");
	return NULL;
}

uint64_t
inject_push(struct inject *in, const void *p, size_t len)
{
	(void)in;
	(void)p;
	(void)len;
	return 0;
}

bool
inject_call(struct inject *in, uint64_t fn, const uint64_t *args, int nargs,
    uint64_t done, bool (*wait)(void *ctx), void *ctx, char *why, size_t len)
{
	(void)in;
	(void)fn;
	(void)args;
	(void)nargs;
	(void)done;
	(void)wait;
	(void)ctx;
	snprintf(why, len, "memscope attach works on x86-64 only");
	return false;
}

bool
inject_read(struct inject *in, uint64_t addr, void *out, size_t len)
{
	(void)in;
	(void)addr;
	(void)out;
	(void)len;
	return false;
}

void
inject_end(struct inject *in)
{
	free(in);
}

struct inject *
inject_take(pid_t pid, pid_t tid, char *why, size_t len)
{
	(void)pid;
	(void)tid;
	snprintf(why, len, "memscope attach works on x86-64 only");
	return NULL;
}

bool
inject_thread_at(pid_t tid, uint64_t *pc, uint64_t *sp, uint64_t *tp)
{
	(void)tid;
	(void)pc;
	(void)sp;
	(void)tp;
	return false;
}

#endif
