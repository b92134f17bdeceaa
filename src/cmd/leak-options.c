/* SPDX-License-Identifier: ISC */
/* The leak report's options (see leak-options.h). */
#include "config.h"

#include <stdlib.h>

#include "leak-options.h"
#include "log.h"
#include "model-leaks.h"

void
leak_options_init(struct leak_options *o)
{
	suppress_init(&o->supp);
	if (!suppress_load_default(&o->supp))
		fatalx("the default suppressions do not parse");
}

bool
leak_options_parse(const struct cmd *self, int opt, const char *arg,
    struct leak_options *o, struct view_run_opts *v)
{
	char why[512];

	switch (opt) {
	case OPT_LEAK_CHECK:
		v->leak_check = (enum view_leaks)cmd_choice(self, "--leak-check",
		    arg, (const char *const[]){ "no", "summary", "full", NULL });
		return true;
	case OPT_SHOW_REACHABLE:
		v->show_reachable = true;
		return true;
	case OPT_SUPPRESSIONS:
		if (!suppress_load(&o->supp, arg, why, sizeof(why)))
			fatalx("%s", why);
		return true;
	case OPT_GEN_SUPPRESSIONS:
		v->gen_suppressions = true;
		return true;
	}
	return false;
}

void
leak_options_apply(struct leak_options *o, struct session *s)
{
	/* no more frames than the suppressions can look at */
	size_t depth = suppress_depth(&o->supp), cap = 0;
	struct leak_frame *frames = NULL;

	for (size_t k = 0; k < s->nprocs; k++) {
		struct process *p = s->procs[k];

		for (size_t i = 0; p->leaks != NULL && i < p->leaks->nrecords; i++) {
			size_t n = model_leaks_frames(s, p, &p->leaks->records[i],
			    depth, &frames, &cap);
			struct suppression *e = suppress_match(&o->supp,
			    p->leaks->records[i].kind, frames, n);

			if (e != NULL) {
				e->used++;
				model_leaks_suppress(p->leaks, i, e->name);
			}
		}
	}
	free(frames);
}

void
leak_options_free(struct leak_options *o)
{
	suppress_free(&o->supp);
}
