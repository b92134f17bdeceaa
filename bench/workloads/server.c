/* SPDX-License-Identifier: ISC */
/*
 * server: a small request/reply server over a Unix socket, and the client
 * that loads it, for the throughput of a server memscope attaches to
 * (bench/attach.sh, part 4).
 *
 *	server serve SOCKET
 *	server load SOCKET SECONDS CONNECTIONS
 *
 * serve: listens on SOCKET (a path), prints "ready", then serves each
 * connection in a thread of its own until the connection ends (and the
 * process until SIGTERM). A request is 64 bytes: a key (the client's
 * counter) and a size; for it the server allocates what a small cache
 * server would: a request buffer of 4 KiB, the key as a string, a reply
 * of 128 to 1,152 bytes, and an entry that replaces one of a cache of
 * 4,096 (the old entry freed); all but the entry are freed before the
 * reply (128 bytes) is written. So about 4 allocations and 4 frees a
 * request, from a few threads, with a live heap of a few MiB.
 *
 * load: CONNECTIONS threads, each with its own connection, send requests
 * one at a time (each waits for its reply) for SECONDS seconds, then
 * print the requests completed per second over all: "rps N".
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "workload.h"

#define REQ_LEN		64
#define REPLY_LEN	128
#define CACHE_SLOTS	4096

struct request {
	uint64_t	key;
	uint32_t	size;
	char		pad[REQ_LEN - 12];
};

static char *cache[CACHE_SLOTS];
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static int
full_io(int fd, void *p, size_t n, bool out)
{
	char *c = p;

	while (n > 0) {
		ssize_t k = out ? write(fd, c, n) : read(fd, c, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

static __attribute__((noreturn)) void
die(const char *what)
{
	perror(what);
	exit(1);
}

/* The work of one request; its reply in out. */
static void
handle(const struct request *rq, char *out)
{
	char *buf = malloc(4096), *key = malloc(24), *reply, *entry, *old;
	size_t size = 128 + rq->size % 1024;

	if (buf == NULL || key == NULL || (reply = malloc(size)) == NULL ||
	    (entry = malloc(64 + rq->size % 192)) == NULL)
		die("malloc");
	memcpy(buf, rq, sizeof(*rq));
	snprintf(key, 24, "k%llu", (unsigned long long)rq->key);
	memset(reply, 'r', size);
	memcpy(entry, key, 24);
	pthread_mutex_lock(&cache_lock);
	old = cache[rq->key % CACHE_SLOTS];
	cache[rq->key % CACHE_SLOTS] = entry;
	pthread_mutex_unlock(&cache_lock);
	free(old);
	memcpy(out, reply, REPLY_LEN);
	memcpy(out, key, 24);
	free(reply);
	free(key);
	free(buf);
}

static void *
serve_one(void *arg)
{
	int fd = (int)(intptr_t)arg;
	struct request rq;
	char out[REPLY_LEN];

	while (full_io(fd, &rq, sizeof(rq), false) == 0) {
		handle(&rq, out);
		if (full_io(fd, out, sizeof(out), true) != 0)
			break;
	}
	close(fd);
	return NULL;
}

static __attribute__((noreturn)) void
serve(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (lfd == -1 || strlen(path) >= sizeof(a.sun_path))
		die("socket");
	strcpy(a.sun_path, path);
	unlink(path);
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(lfd, 64) != 0)
		die(path);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		pthread_t t;

		if (fd == -1) {
			if (errno == EINTR)
				continue;
			die("accept");
		}
		if (pthread_create(&t, NULL, serve_one, (void *)(intptr_t)fd) != 0)
			die("pthread_create");
		pthread_detach(t);
	}
}

struct loader {
	const char	*path;
	double		 until;
	uint64_t	 done;
	uint64_t	 seed;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *
load_one(void *arg)
{
	struct loader *l = arg;
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct rng r = { l->seed };
	struct request rq;
	char out[REPLY_LEN];
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(a.sun_path, l->path);
	if (fd == -1 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
		die("connect");
	memset(&rq, 0, sizeof(rq));
	while (now() < l->until) {
		for (int i = 0; i < 64; i++) {
			rq.key = rng_below(&r, 1u << 20);
			rq.size = (uint32_t)rng_next(&r);
			if (full_io(fd, &rq, sizeof(rq), true) != 0 ||
			    full_io(fd, out, sizeof(out), false) != 0)
				die("request");
			l->done++;
		}
	}
	close(fd);
	return NULL;
}

static int
load(const char *path, double seconds, int conns)
{
	struct loader *l = calloc((size_t)conns, sizeof(*l));
	pthread_t *t = calloc((size_t)conns, sizeof(*t));
	double start = now(), end = start + seconds;
	uint64_t total = 0;

	if (l == NULL || t == NULL || strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path))
		die("load");
	for (int i = 0; i < conns; i++) {
		l[i] = (struct loader){ path, end, 0, (uint64_t)i + 1 };
		if (pthread_create(&t[i], NULL, load_one, &l[i]) != 0)
			die("pthread_create");
	}
	for (int i = 0; i < conns; i++) {
		pthread_join(t[i], NULL);
		total += l[i].done;
	}
	printf("rps %.0f\n", (double)total / (now() - start));
	return 0;
}

int
main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	if (argc == 3 && strcmp(argv[1], "serve") == 0)
		serve(argv[2]);
	if (argc == 5 && strcmp(argv[1], "load") == 0)
		return load(argv[2], atof(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: server serve SOCKET | server load SOCKET SECONDS "
	    "CONNECTIONS\n");
	return 2;
}
