/* SPDX-License-Identifier: ISC */
/*
 * A program whose blocks from before an attach hold the only pointers to
 * blocks allocated after it, for `memscope leaks` (tests/run-attach-leaks.test).
 *
 * usage: attach-list CMD-FIFO
 *   Makes a list of NODES nodes of NODE_SIZE bytes, kept from a global,
 *   each allocated just before a spacer of the same size; frees the
 *   spacers, so that each node lies between two free chunks of glibc's;
 *   starts a worker thread that waits on a pipe forever; then opens
 *   CMD-FIFO (read and write), writes "ready" and its worker's thread id
 *   ("worker TID") on stdout, and reads commands, one a line:
 *     payloads   gives each node a payload of NODE_SIZE bytes (which glibc
 *                serves from the freed spacers: each payload right after
 *                its node), its only pointer in the node; "payloads N"
 *     leak N     N blocks of LEAK_SIZE bytes, their addresses dropped;
 *                "leaked N"
 *     exit       exits with status 0.
 * Output is write(2); commands are read into a static buffer; after each
 * command leak_scrub() clears the dead stack and scratch registers.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>

#include "leak-target.h"

#define NODES		1000
#define NODE_SIZE	24
#define LEAK_SIZE	200

struct node {
	struct node	*next;
	void		*payload;
	char		 pad[NODE_SIZE - 2 * sizeof(void *)];
};

static struct node *volatile head;
static int worker_pipe[2];
static volatile pid_t worker_tid;

static void
say(const char *s)
{
	if (write(STDOUT_FILENO, s, strlen(s)) != (ssize_t)strlen(s))
		leak_die("write");
}

static LEAK_NOINLINE void *
block(size_t n)
{
	void *p = malloc(n);

	if (p == NULL)
		leak_die("malloc");
	leak_fill(p, n);
	return p;
}

static LEAK_NOINLINE void
make_list(void)
{
	static void *spacers[NODES];
	struct node *prev = NULL;

	for (size_t i = 0; i < NODES; i++) {
		struct node *n = block(sizeof(*n));

		n->next = NULL;
		n->payload = NULL;
		if (prev == NULL)
			head = n;
		else
			prev->next = n;
		prev = n;
		spacers[i] = block(NODE_SIZE);
	}
	for (size_t i = 0; i < NODES; i++)
		free(spacers[i]);
	memset(spacers, 0, sizeof(spacers));
}

static LEAK_NOINLINE size_t
give_payloads(void)
{
	size_t n = 0;

	for (struct node *p = head; p != NULL; p = p->next, n++)
		p->payload = block(NODE_SIZE);
	return n;
}

static LEAK_NOINLINE void
leak_some(long n)
{
	for (long i = 0; i < n; i++)
		leak_lose(block(LEAK_SIZE));
}

static void *
worker(void *arg)
{
	char c;

	(void)arg;
	worker_tid = (pid_t)syscall(SYS_gettid);
	while (read(worker_pipe[0], &c, 1) != 0)
		;
	return NULL;
}

int
main(int argc, char **argv)
{
	static char line[256];
	char out[64];
	size_t have = 0;
	pthread_t t;
	int fd;

	if (argc != 2)
		leak_die("usage: attach-list CMD-FIFO");
	make_list();
	if (pipe(worker_pipe) != 0 ||
	    pthread_create(&t, NULL, worker, NULL) != 0)
		leak_die("the worker thread");
	while (worker_tid == 0)
		usleep(1000);
	if ((fd = open(argv[1], O_RDWR)) == -1)
		leak_die("open the command fifo");
	snprintf(out, sizeof(out), "ready\nworker %d\n", (int)worker_tid);
	say(out);
	leak_scrub();
	for (;;) {
		ssize_t k = read(fd, line + have, sizeof(line) - 1 - have);
		char *nl;

		if (k <= 0)
			leak_die("end of the command fifo");
		have += (size_t)k;
		line[have] = '\0';
		while ((nl = strchr(line, '\n')) != NULL) {
			*nl = '\0';
			if (strcmp(line, "payloads") == 0)
				snprintf(out, sizeof(out), "payloads %zu\n",
				    give_payloads());
			else if (strncmp(line, "leak ", 5) == 0) {
				long n = strtol(line + 5, NULL, 10);

				leak_some(n);
				snprintf(out, sizeof(out), "leaked %ld\n", n);
			} else if (strcmp(line, "exit") == 0)
				return 0;
			else
				leak_die("unknown command");
			say(out);
			have -= (size_t)(nl + 1 - line);
			memmove(line, nl + 1, have + 1);
			leak_scrub();
		}
	}
}
