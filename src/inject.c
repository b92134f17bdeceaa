#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
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
#include "xmalloc.h"

/* The mappings of pid: *maps (free it) and their buffer *b (buf_free it). */
static size_t
read_maps(pid_t pid, struct buf *b, struct proc_mapping **maps)
{
	struct proc p;
	size_t n = 0, bad;

	*maps = NULL;
	if (proc_open(&p, "/proc", pid) == PROC_OK &&
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

/* The value of the dynamic symbol name in the ELF file path, or 0. */
static uint64_t
symbol_value(const char *path, const char *name, uint64_t *first_vaddr)
{
	Elf *e = NULL;
	Elf_Scn *scn = NULL;
	uint64_t value = 0;
	size_t nph;
	int fd;

	*first_vaddr = UINT64_MAX;
	if (elf_version(EV_CURRENT) == EV_NONE ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
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
			    GELF_ST_TYPE(sym.st_info) != STT_FUNC)
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
	close(fd);
	return value;
}

uint64_t
inject_symbol(pid_t pid, const char *lib, const char *name)
{
	struct buf b = { 0 };
	struct proc_mapping *maps;
	size_t n = read_maps(pid, &b, &maps);
	uint64_t addr = 0, value, first;
	char path[PATH_MAX + 32];

	for (size_t i = 0; i < n; i++) {
		if (maps[i].offset != 0 || !named(&maps[i], lib))
			continue;
		/* through the process's root: it may live in a container */
		snprintf(path, sizeof(path), "/proc/%d/root%s", (int)pid,
		    maps[i].path);
		value = symbol_value(path, name, &first);
		if (value == 0)
			value = symbol_value(maps[i].path, name, &first);
		if (value != 0 && first != UINT64_MAX)
			addr = maps[i].start - first + value;
		break;
	}
	free(maps);
	buf_free(&b);
	return addr;
}

#if defined(__x86_64__)

#define RED_ZONE	128
/* Scratch space below the stack pointer: the strings, then the frame. */
#define SCRATCH		16384

struct inject {
	pid_t		 pid;
	pid_t		 tid;
	struct user_regs_struct regs;	/* as stopped: given back at the end */
	struct user_fpregs_struct fpregs;
	uint64_t	 scratch;	/* the next free byte, growing down */
	uint64_t	 scratch_end;	/* the lowest it may reach */
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

/* Has thread tid of pid exited (a zombie, as a main thread after pthread_exit)? */
static bool
zombie_thread(pid_t pid, pid_t tid)
{
	char path[96], buf[512];
	const char *paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return true;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	return paren == NULL || paren[1] == '\0' || paren[2] == 'Z' ||
	    paren[2] == 'X';
}

/* The live threads of pid, the main one first. */
static size_t
threads_of(pid_t pid, pid_t **out)
{
	char path[64];
	size_t n = 0, cap = 0;
	pid_t *v = NULL;
	struct dirent *de;
	DIR *d;

	v = xgrow(v, &cap, 1, sizeof(*v));
	if (!zombie_thread(pid, pid))
		v[n++] = pid;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			pid_t t = (pid_t)atoi(de->d_name);

			if (t > 0 && t != pid && !zombie_thread(pid, t)) {
				v = xgrow(v, &cap, n + 1, sizeof(*v));
				v[n++] = t;
			}
		}
		closedir(d);
	}
	*out = v;
	return n;
}

/* Stop tid; true with its registers when the moment is safe (else let go). */
static int
try_thread(struct inject *in, pid_t tid, bool any, char *why, size_t len)
{
	int status;

	if (ptrace(PTRACE_SEIZE, tid, NULL, NULL) != 0) {
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
	if (ptrace(PTRACE_GETREGS, tid, NULL, &in->regs) == 0 &&
	    ptrace(PTRACE_GETFPREGS, tid, NULL, &in->fpregs) == 0 &&
	    (any || safe_moment(in->pid, &in->regs))) {
		in->tid = tid;
		return 1;
	}
	ptrace(PTRACE_DETACH, tid, NULL, NULL);
	return 0;
}

struct inject *
inject_begin(pid_t pid, int timeout_ms, char *why, size_t len)
{
	struct inject *in = xcalloc(1, sizeof(*in));
	int waited = 0;

	in->pid = pid;
	why[0] = '\0';
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
			in->scratch = (in->regs.rsp - RED_ZONE) & ~(uint64_t)15;
			in->scratch_end = in->scratch - SCRATCH;
			return in;
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

void
inject_read_string(struct inject *in, uint64_t addr, char *out, size_t len)
{
	struct iovec local = { out, len - 1 }, remote = { (void *)addr, len - 1 };
	ssize_t n = addr != 0 ? process_vm_readv(in->tid, &local, 1, &remote, 1, 0) : -1;

	out[n > 0 ? (size_t)n : 0] = '\0';
	out[len - 1] = '\0';
}

bool
inject_call(struct inject *in, uint64_t fn, const uint64_t *args, int nargs,
    uint64_t *ret, void (*wait)(void *ctx), void *ctx, char *why, size_t len)
{
	struct user_regs_struct r = in->regs;
	uint64_t zero = 0, sp = in->scratch & ~(uint64_t)15;
	unsigned long long *argregs[] = { &r.rdi, &r.rsi, &r.rdx, &r.rcx, &r.r8,
	    &r.r9 };
	int status;

	/* the return address: 0, where the function's return faults */
	sp -= 8;
	if (nargs > 6 || !write_target(in->tid, sp, &zero, sizeof(zero))) {
		snprintf(why, len, "cannot write to the stack of process %d",
		    (int)in->pid);
		return false;
	}
	for (int i = 0; i < nargs; i++)
		*argregs[i] = args[i];
	r.rsp = sp;
	r.rip = fn;
	r.rax = 0;
	/* not in a system call: no restart applied to these registers */
	r.orig_rax = (unsigned long long)-1;
	if (ptrace(PTRACE_SETREGS, in->tid, NULL, &r) != 0 ||
	    ptrace(PTRACE_CONT, in->tid, NULL, NULL) != 0) {
		snprintf(why, len, "cannot run code in process %d: %s",
		    (int)in->pid, strerror(errno));
		return false;
	}
	for (;;) {
		pid_t got = waitpid(in->tid, &status, __WALL | WNOHANG);

		if (got == 0) {
			if (wait != NULL)
				wait(ctx);
			else
				sleep_ms(1);
			continue;
		}
		if (got == -1 && errno == EINTR)
			continue;
		if (got == -1 || !WIFSTOPPED(status)) {
			snprintf(why, len, "process %d ended while memscope was "
			    "joining it", (int)in->pid);
			in->tid = 0;
			return false;
		}
		if (status >> 16 == PTRACE_EVENT_STOP) {
			/* a group stop (SIGSTOP): it goes on when continued */
			ptrace(PTRACE_LISTEN, in->tid, NULL, NULL);
			continue;
		}
		if (WSTOPSIG(status) == SIGSEGV) {
			if (ptrace(PTRACE_GETREGS, in->tid, NULL, &r) == 0 && r.rip == 0)
				break;
			snprintf(why, len, "the call into process %d crashed at "
			    "0x%llx", (int)in->pid, r.rip);
			return false;
		}
		/* the program's own signal: its handler runs, then our call goes on */
		ptrace(PTRACE_CONT, in->tid, NULL, (void *)(long)WSTOPSIG(status));
	}
	*ret = r.rax;
	return true;
}

void
inject_end(struct inject *in)
{
	if (in == NULL)
		return;
	if (in->tid > 0) {
		ptrace(PTRACE_SETFPREGS, in->tid, NULL, &in->fpregs);
		/* as stopped: a system call it was in restarts as after a signal */
		ptrace(PTRACE_SETREGS, in->tid, NULL, &in->regs);
		ptrace(PTRACE_DETACH, in->tid, NULL, NULL);
	}
	free(in);
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
    uint64_t *ret, void (*wait)(void *ctx), void *ctx, char *why, size_t len)
{
	(void)in;
	(void)fn;
	(void)args;
	(void)nargs;
	(void)ret;
	(void)wait;
	(void)ctx;
	snprintf(why, len, "memscope attach works on x86-64 only");
	return false;
}

void
inject_read_string(struct inject *in, uint64_t addr, char *out, size_t len)
{
	(void)in;
	(void)addr;
	if (len > 0)
		out[0] = '\0';
}

void
inject_end(struct inject *in)
{
	free(in);
}

#endif
