/* What the views of a run (text and JSON) are told besides the model. */
#ifndef MEMSCOPE_VIEW_RUN_H
#define MEMSCOPE_VIEW_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "model.h"

struct view_run_opts {
	size_t		 sites;		/* top sites listed */
	pid_t		 main_pid;
	char *const	*main_argv;
	const char	*main_path;
	bool		 main_exited;
	int		 main_status;	/* wait(2) status */
};

/* The report of a run on f (stderr): every process, its summary and sites. */
void	view_text_run(FILE *f, const struct session *s,
	    const struct view_run_opts *opts);
/* The same as one JSON object (memscope-json(5), "memscope run"). */
void	view_json_run(FILE *f, const struct session *s,
	    const struct view_run_opts *opts);

#endif
