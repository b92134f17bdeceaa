/* SPDX-License-Identifier: ISC */
/*
 * The program's terminal while the dashboard has it (memscope run --tui):
 * a program writing to the screen would tear the dashboard, and one
 * reading the keys would take them. So what it writes to the terminal goes
 * through a pipe into a file held by memscope, and comes out on the
 * terminal, all of it and in order, once the dashboard closes; from then on
 * it passes straight through. A program whose input is the terminal reads
 * /dev/null. Output that is not the terminal (a file, a pipe) is left alone.
 */
#ifndef MEMSCOPE_RELAY_H
#define MEMSCOPE_RELAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct relay {
	int		 rfd;		/* the pipe's end memscope reads, or -1 */
	int		 dest;		/* the terminal it goes to */
	/* what the program gave the terminal, for the program's fds 0-2 (-1:
	 * its own) */
	int		 child_fds[3];
	FILE		*held;		/* while holding: what came, or NULL */
	uint64_t	 held_bytes;
	bool		 holding;
};

/* Take over the program's terminal fds; false with errno on failure. */
bool	relay_start(struct relay *r);
/* A relay of nothing: the program's fds are its own. */
void	relay_none(struct relay *r);
/* The program has been started: drop memscope's copies of its ends. */
void	relay_started(struct relay *r);
/* Read what the program wrote (never blocks). */
void	relay_pump(struct relay *r);
/* The dashboard closed: out with what was held, and pass on from now. */
void	relay_release(struct relay *r);
/* The end: what is left in the pipe, then close. */
void	relay_finish(struct relay *r);

#endif
