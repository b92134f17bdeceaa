/* SPDX-License-Identifier: ISC */
/*
 * The shim's state: resolving the real functions, setting up the ring and
 * the connection to the analyzer (lazily, on the first call, because other
 * libraries' constructors allocate before ours runs), and the switch to
 * pass-through.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "futex.h"
#include "producer.h"
#include "shim.h"

struct shim shim = { .generation = 1 };
SHIM_TLS struct shim_thread shim_self;

static bool shim_debugging;
static _Atomic int resolve_state;	/* 0 no, 1 in progress, 2 done */

void
shim_debug(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	if (!shim_debugging)
		return;
	n = snprintf(line, sizeof(line), "memscope-shim[%d]: ", (int)getpid());
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)n);
}

/*
 * The state letter of a /proc stat file ("R", "S", "T", "Z", ...), or 0:
 * the field after the command's closing parenthesis. No allocation.
 */
char
shim_stat_state(const char *path)
{
	char buf[512], *p;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p != NULL && p[1] == ' ' ? p[2] : 0;
}

/*
 * Preloaded, the next definitions are the program's (RTLD_NEXT). Loaded
 * late by memscope attach, the shim is in no global scope, and the
 * program's are the first definitions in load order: not what dlsym's
 * RTLD_DEFAULT gives, which in an executable built without PIE that takes
 * a function's address is the executable's PLT entry for it, a slot the
 * shim hooks, so that calling it would call the shim again.
 */
static bool resolve_late;

static void *
resolve_one(const char *name)
{
	return resolve_late ? dynsym_lookup(name) : dlsym(RTLD_NEXT, name);
}

#define RESOLVE(name) \
	shim.real.name = (__typeof__(shim.real.name))resolve_one(#name)

/*
 * Find the next definitions. While this runs, the calling thread's guard is
 * up and shim.real.malloc is NULL: dlsym's own allocations come from the
 * bootstrap buffer.
 */
void
shim_resolve(void)
{
	int expected = 0;
	int saved_errno = errno;

	if (!atomic_compare_exchange_strong(&resolve_state, &expected, 1)) {
		while (atomic_load(&resolve_state) != 2)
			sched_yield();
		return;
	}
	shim_seal();
	RESOLVE(calloc);
	RESOLVE(free);
	RESOLVE(realloc);
	RESOLVE(reallocarray);
	RESOLVE(memalign);
	RESOLVE(posix_memalign);
	RESOLVE(aligned_alloc);
	RESOLVE(valloc);
	RESOLVE(pvalloc);
	RESOLVE(mmap);
	RESOLVE(mmap64);
	RESOLVE(munmap);
	RESOLVE(mremap);
	RESOLVE(brk);
	RESOLVE(sbrk);
	RESOLVE(dlopen);
	RESOLVE(dlclose);
	RESOLVE(sigaction);
	RESOLVE(pipe2);
	RESOLVE(_exit);
	RESOLVE(_Exit);
	RESOLVE(exit);
	shim.real.libc_start_main = (__typeof__(shim.real.libc_start_main))
	    resolve_one("__libc_start_main");
	RESOLVE(malloc_usable_size);
	/* last: its being set is what ends the bootstrap */
	void *(*m)(size_t) = (void *(*)(size_t))resolve_one("malloc");
	shim.real.malloc = m;
	{
		Dl_info info;

		shim.glibc_malloc = m != NULL && dladdr((void *)m, &info) != 0 &&
		    info.dli_fname != NULL && strstr(info.dli_fname, "/libc.so") != NULL;
	}
	alloc_maps_find_allocator();
	shim_unseal();
	atomic_store(&resolve_state, 2);
	errno = saved_errno;
}

void
shim_resolve_global(void)
{
	resolve_late = true;
	shim_resolve();
}

/* "depth=64,follow=1,ring=8388608,stats=1" */
void
shim_parse_options(const char *s)
{
	shim.opts.depth = 64;
	shim.opts.follow = true;
	shim.opts.ring_size = 8u << 20;
	shim.opts.stats = true;
	while (s != NULL && *s != '\0') {
		const char *eq = strchr(s, '='), *comma = strchr(s, ',');
		unsigned long long v;

		if (eq == NULL || (comma != NULL && comma < eq))
			break;
		v = strtoull(eq + 1, NULL, 10);
		if (strncmp(s, "depth=", 6) == 0)
			shim.opts.depth = v > MS_MAX_DEPTH ? MS_MAX_DEPTH : (int)v;
		else if (strncmp(s, "follow=", 7) == 0)
			shim.opts.follow = v != 0;
		else if (strncmp(s, "ring=", 5) == 0 && ms_ring_capacity_ok(v))
			shim.opts.ring_size = v;
		else if (strncmp(s, "leaks=", 6) == 0)
			shim.opts.leaks = v != 0;
		else if (strncmp(s, "stats=", 6) == 0)
			shim.opts.stats = v != 0;
		s = comma != NULL ? comma + 1 : NULL;
	}
}

/*
 * Map the analyzer's doorbell from the reply's fd. A fork child keeps the
 * one it inherited (the same analyzer); a new attach maps its analyzer's.
 */
static bool
map_doorbell(int fd, uint32_t flags)
{
	struct ms_doorbell *db;

	if ((flags & MS_HELLO_FORKED) && shim.doorbell != NULL)
		return true;
	db = shim.real.mmap(NULL, MS_DOORBELL_SIZE, PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	if (db == MAP_FAILED)
		return false;
	if (db->magic != MS_DOORBELL_MAGIC || db->analyzer_pid <= 0) {
		shim.real.munmap(db, MS_DOORBELL_SIZE);
		return false;
	}
	if (shim.doorbell != NULL)
		shim.real.munmap(shim.doorbell, MS_DOORBELL_SIZE);
	shim.doorbell = db;
	shim.analyzer_pid = db->analyzer_pid;
	return true;
}

/* Send the hello and the ring's fd; receive the reply and the doorbell. */
static bool
hello(int sock, int memfd, size_t ring_len, int ppid, uint32_t flags)
{
	static struct ms_hello h;	/* 4 KiB: not on a thread's stack */
	struct ms_hello_reply reply;
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct iovec iov = { &h, sizeof(h) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c;
	ssize_t n;
	int fd;
	bool ok;

	memset(&h, 0, sizeof(h));
	h.magic = MS_HELLO_MAGIC;
	h.version = MS_PROTOCOL_VERSION;
	h.pid = (int32_t)getpid();
	h.ppid = ppid;
	h.flags = flags;
	h.ring_size = ring_len;
	h.fork_token = shim.fork_token;
	if ((n = readlink("/proc/self/exe", h.exe, sizeof(h.exe) - 1)) < 0)
		n = 0;
	h.exe[n] = '\0';
	memset(&ctl, 0, sizeof(ctl));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &memfd, sizeof(int));
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) != (ssize_t)sizeof(h))
		return false;

	iov = (struct iovec){ &reply, sizeof(reply) };
	msg = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n == -1 && errno == EINTR);
	c = CMSG_FIRSTHDR(&msg);
	if (c == NULL || c->cmsg_type != SCM_RIGHTS)
		return false;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	ok = n == (ssize_t)sizeof(reply) && reply.magic == MS_HELLO_MAGIC &&
	    reply.accepted && map_doorbell(fd, flags);
	close(fd);
	return ok;
}

/*
 * The word that says the ring is this process's: set in a page of its own
 * that a forked child gets zeroed. Without MADV_WIPEONFORK (before Linux
 * 4.14) a word that stays set: such a child is not noticed.
 */
static void
mark_ring_here(void)
{
	static const uint32_t always = 1;
	static uint32_t *page;

	if (page == NULL) {
		void *p = shim.real.mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p != MAP_FAILED && madvise(p, 4096, MADV_WIPEONFORK) != 0) {
			shim.real.munmap(p, 4096);
			p = MAP_FAILED;
		}
		if (p == MAP_FAILED) {
			shim.ring_here = &always;
			return;
		}
		page = p;
	}
	*page = 1;
	shim.ring_here = page;
}

void
shim_forked(void)
{
	/* only this thread exists in the child: no writer can be in the
	 * ring, and the parent's analyzer is not told anything */
	atomic_store(&shim.state, SHIM_PASSTHROUGH);
	if (shim.ring_base != NULL)
		shim.real.munmap(shim.ring_base, shim.ring_len);
	memset(&shim.ring, 0, sizeof(shim.ring));
	shim.ring_base = NULL;
	shim.ring_len = 0;
}

/*
 * Make a ring and hand it to the analyzer named in the environment. Used at
 * start and, with MS_HELLO_FORKED, in a fork child. False: pass-through.
 * Whatever the outcome, the shim keeps no descriptor.
 */
bool
shim_connect(int ppid, uint32_t flags)
{
	const char *path = shim.socket_path;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	size_t len = MS_RING_HEADER_SIZE + shim.opts.ring_size;
	int memfd = -1, sock = -1;
	void *base = NULL;
	struct ms_ring ring;

	if (path[0] == '\0' || strlen(path) >= sizeof(addr.sun_path))
		return false;
	strcpy(addr.sun_path, path);
	if ((memfd = memfd_create("memscope-ring", MFD_CLOEXEC)) == -1 ||
	    ftruncate(memfd, (off_t)len) != 0)
		goto fail;
	base = shim.real.mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_SHARED, memfd, 0);
	if (base == MAP_FAILED) {
		base = NULL;
		goto fail;
	}
	ms_ring_format(base, shim.opts.ring_size, (int32_t)getpid());
	if (!ms_ring_attach(&ring, base, len))
		goto fail;
	sock = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sock == -1 ||
	    connect(sock, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    !hello(sock, memfd, len, ppid, flags))
		goto fail;
	close(sock);
	close(memfd);
	shim.ring_base = base;
	shim.ring_len = len;
	shim.ring = ring;
	shim.pid = getpid();
	alloc_maps_publish();
	mark_ring_here();
	shim_debug("connected to %s, ring of %llu bytes", path,
	    (unsigned long long)shim.opts.ring_size);
	return true;
fail:
	shim_debug("no analyzer at %s: %s", path, strerror(errno));
	if (sock != -1)
		close(sock);
	if (memfd != -1)
		close(memfd);
	if (base != NULL)
		shim.real.munmap(base, len);
	return false;
}

/* Let go of the analyzer: forward everything from now on. */
void
shim_passthrough(void)
{
	if (shim.ring_base != NULL)
		atomic_store(&shim.ring.hdr->shim_detached, 1);
	atomic_store(&shim.state, SHIM_PASSTHROUGH);
}

static void shim_on_exit(int status, void *arg);

void
shim_init(void)
{
	int expected = SHIM_UNINIT;
	const char *socket_path;

	if (!atomic_compare_exchange_strong(&shim.state, &expected,
	    SHIM_INITIALIZING)) {
		/* another thread sets up: wait for it (it takes microseconds) */
		while (atomic_load(&shim.state) == SHIM_INITIALIZING)
			sched_yield();
		return;
	}
	shim_seal();
	shim_debugging = getenv(MS_ENV_DEBUG) != NULL;
	socket_path = getenv(MS_ENV_SOCKET);
	if (socket_path != NULL && strlen(socket_path) < sizeof(shim.socket_path))
		strcpy(shim.socket_path, socket_path);
	if (shim.real.malloc == NULL)
		shim_resolve();
	shim_parse_options(getenv(MS_ENV_OPTIONS));
	modules_find_self();
	fork_install();
	if (shim.real.malloc == NULL || !shim_connect(getppid(), 0)) {
		shim_unseal();
		shim_passthrough();
		return;
	}
	stack_init();
	atomic_store(&shim.state, SHIM_ACTIVE);
	modules_scan();
	allocator_init();
	on_exit(shim_on_exit, NULL);
	if (shim.opts.leaks)
		signals_install();
	shim_unseal();
}

/*
 * Wait until the analyzer has scanned the process and let it go on, or
 * is gone. The scan of a large heap takes seconds: no time limit here.
 */
static void
wait_for_release(void)
{
	struct ms_ring_header *h = shim.ring.hdr;

	for (unsigned turns = 1; atomic_load(&h->end_released) == 0; turns++) {
		ms_futex_wait(&h->end_released, 0, 50 * 1000 * 1000);
		if (turns % 20 == 0 && producer_analyzer_gone())
			return;
	}
}

/*
 * Tell the analyzer how the process ends (see struct ms_ev_exit). On a
 * normal end, first a last look at the loaded objects, the allocator's
 * figures, and the runtime libraries' caches freed (shim_final); none of
 * that in a fatal signal's handler, which may have interrupted the
 * allocator or the loader, holding their locks.
 */
void
shim_exiting(int status, int sig, const void *floor)
{
	static _Atomic int said, holding;
	int dumpable = -1;
	sigset_t all, mask;
	struct ms_ev_exit ev = { .hdr.type = MS_EV_EXIT, .status = status,
	    .signal = sig, .tid = (int32_t)gettid(),
	    .sp = (uint64_t)(uintptr_t)floor };

	/* a vfork child runs in its parent's memory: the ring is the parent's */
	if (atomic_load(&shim.state) != SHIM_ACTIVE || getpid() != shim.pid)
		return;
	if (atomic_exchange(&said, 1) != 0) {
		/*
		 * Another thread is ending the process, and it is being
		 * scanned: a fatal signal in this one waits until the scan
		 * is over, then ends the process as it would have.
		 */
		if (sig != 0 && atomic_load(&holding))
			wait_for_release();
		return;
	}
	/*
	 * From here on the process is in memscope's own work, which has no
	 * counterpart without memscope: there the process would be gone
	 * already, and no signal could reach it. So none does (a fatal
	 * signal's handler has them all blocked already): a pool's SIGTERM
	 * to a worker that is exiting must not end it in the middle of the
	 * scan, or before it. An exit goes on to its end with them blocked.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &mask);
	if (sig == 0) {
		modules_check();
		shim_seal();
		allocator_final();
		shim_unseal();
		shim_final();
	}
	shim_seal();
	/*
	 * A fatal signal that came in the shim's own work: what it was doing
	 * will not be finished. The analyzer can read on, and the process be
	 * held, only if its slot can be given up.
	 */
	if (shim.opts.leaks && producer_abandon_outer())
		ev.flags |= MS_EXIT_HOLD;
	/*
	 * A program that made itself undumpable (ssh does, against
	 * debuggers) could not be stopped by memscope unless it runs as
	 * root: dumpable for the scan only, as it was before it goes on.
	 */
	if ((ev.flags & MS_EXIT_HOLD) && (dumpable = prctl(PR_GET_DUMPABLE)) == 0)
		prctl(PR_SET_DUMPABLE, 1);
	/* in other threads, the shim's stand-in waits for the scan */
	if (ev.flags & MS_EXIT_HOLD)
		atomic_store(&holding, 1);
	producer_emit(&ev, sizeof(ev));
	if (ev.flags & MS_EXIT_HOLD) {
		producer_wake();
		wait_for_release();
		atomic_store(&holding, 0);
	}
	/* a fatal signal's handler: its own mask, as it returns */
	if (sig != 0)
		pthread_sigmask(SIG_SETMASK, &mask, NULL);
	if (dumpable == 0)
		prctl(PR_SET_DUMPABLE, 0);
	shim_unseal();
}

/*
 * Registered first, so it runs last: after the program's own handlers and
 * after every destructor (_dl_fini is registered later).
 */
static void
shim_on_exit(int status, void *arg)
{
	(void)arg;
	shim_exiting(status, 0, __builtin_frame_address(0));
}

/*
 * A call made while the guard is up: a signal handler's, when the signal
 * came in the middle of the shim's work, is the program's own and is
 * recorded, unless the thread has not said hello in this ring yet (its
 * hello may be what was interrupted). The shim's own calls (libunwind's,
 * malloc_info's, an allocator's mmap inside malloc) are not.
 */
static bool
enter_nested(void)
{
	if (shim_self.in_hook >= SHIM_SEALED ||
	    atomic_load(&shim.state) != SHIM_ACTIVE || !stack_in_handler())
		return false;
	if (shim_self.generation != atomic_load(&shim.generation)) {
		atomic_fetch_add(&shim.ring.hdr->dropped, 1);
		return false;
	}
	shim_self.in_hook++;
	return true;
}

bool
shim_enter(void)
{
	int st;

	if (shim_self.in_hook)
		return enter_nested();
	st = atomic_load_explicit(&shim.state, memory_order_acquire);
	if (unlikely(st != SHIM_ACTIVE)) {
		if (st == SHIM_PASSTHROUGH || st == SHIM_ARMED)
			return false;
		shim_init();
		if (atomic_load(&shim.state) != SHIM_ACTIVE)
			return false;
	}
	/* a child of a fork: the C library's is fork_child's to handle */
	if (unlikely(*shim.ring_here == 0)) {
		if (!shim_self.in_fork)
			shim_forked();
		return false;
	}
	shim_self.in_hook = 1;
	if (unlikely(shim_self.generation != shim.generation))
		producer_thread_hello();
	return true;
}

void
shim_leave(void)
{
	shim_self.in_hook--;
}

/*
 * Set up even in a program that never allocates. Loaded by memscope attach
 * (dlopen, no socket in the environment), it waits for memscope_attach.
 */
__attribute__((constructor)) static void
shim_constructor(void)
{
	int saved_errno = errno;

	if (getenv(MS_ENV_SOCKET) == NULL)
		return;
	if (shim.real.malloc == NULL)
		shim_resolve();
	if (atomic_load(&shim.state) == SHIM_UNINIT)
		shim_init();
	errno = saved_errno;
}
