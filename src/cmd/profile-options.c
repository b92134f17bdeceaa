/* SPDX-License-Identifier: ISC */
/* The profile outputs (see profile-options.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "profile-options.h"
#include "log.h"
#include "view-html.h"
#include "view-massif.h"
#include "view-pprof.h"
#include "xmalloc.h"

bool
profile_options_parse(const struct cmd *self, int opt, const char *arg,
    struct profile_options *o)
{
	switch (opt) {
	case OPT_COLLAPSED:
		o->collapsed_path = arg;
		return true;
	case OPT_MASSIF:
		o->massif_path = arg;
		return true;
	case OPT_PPROF:
		o->pprof_path = arg;
		return true;
	case OPT_HTML:
		o->html_path = arg;
		return true;
	case OPT_COLLAPSED_METRIC:
		o->collapsed_metric = (enum collapsed_metric)cmd_choice(self,
		    "--collapsed-metric", arg, collapsed_metric_names);
		return true;
	}
	return false;
}

void
profile_options_open(struct profile_options *o)
{
	if (o->collapsed_path != NULL &&
	    (o->collapsed = fopen(o->collapsed_path, "we")) == NULL)
		fatal("%s", o->collapsed_path);
	if (o->massif_path != NULL && strstr(o->massif_path, "%p") == NULL &&
	    (o->massif = fopen(o->massif_path, "we")) == NULL)
		fatal("%s", o->massif_path);
	if (o->pprof_path != NULL && (o->pprof = fopen(o->pprof_path, "we")) == NULL)
		fatal("%s", o->pprof_path);
	if (o->html_path != NULL && (o->html = fopen(o->html_path, "we")) == NULL)
		fatal("%s", o->html_path);
}

static bool
finish(FILE *f, const char *path)
{
	if (fflush(f) != 0 || ferror(f) || fclose(f) != 0) {
		log_warn("writing %s", path);
		return false;
	}
	return true;
}

/* FILE with each %p replaced by pid. */
static char *
expand_pid(const char *pattern, pid_t pid)
{
	size_t cap = strlen(pattern) + 1, n = 0;
	char *out = xmalloc(cap);

	for (const char *s = pattern; *s != '\0'; s++) {
		char num[16];
		size_t len = 1;
		const char *piece = s;

		if (s[0] == '%' && s[1] == 'p') {
			len = (size_t)snprintf(num, sizeof(num), "%d", (int)pid);
			piece = num;
			s++;
		}
		out = xgrow(out, &cap, n + len + 1, 1);
		memcpy(out + n, piece, len);
		n += len;
	}
	out[n] = '\0';
	return out;
}

/* massif: the program's alone, or with %p every process's */
static bool
write_massif(struct profile_options *o, const struct session *s,
    char *const *main_argv)
{
	bool ok = true;

	if (o->massif != NULL) {
		if (s->nprocs > 0)
			view_massif(o->massif, s, s->procs[0], main_argv);
		ok = finish(o->massif, o->massif_path);
		o->massif = NULL;
		return ok;
	}
	for (size_t i = 0; o->massif_path != NULL && i < s->nprocs; i++) {
		const struct process *p = s->procs[i];
		char *path = expand_pid(o->massif_path, p->pid);
		FILE *f;

		/* an image replaced by exec has the pid of its successor */
		if (p->replaced) {
			free(path);
			continue;
		}
		if ((f = fopen(path, "we")) == NULL) {
			log_warn("%s", path);
			ok = false;
		} else {
			view_massif(f, s, p, p->argv != NULL ? p->argv : main_argv);
			ok &= finish(f, path);
		}
		free(path);
	}
	return ok;
}

bool
profile_options_any(const struct profile_options *o)
{
	if (o->pprof != NULL || o->html != NULL)
		return true;
	return o->collapsed != NULL || o->massif_path != NULL;
}

bool
profile_options_write(struct profile_options *o, const struct session *s,
    char *const *main_argv)
{
	bool ok = true;

	if (o->collapsed != NULL) {
		view_collapsed(o->collapsed, s, o->collapsed_metric);
		ok = finish(o->collapsed, o->collapsed_path);
		o->collapsed = NULL;
	}
	if (o->pprof != NULL) {
		char why[256];

		if (!view_pprof(o->pprof, s, why, sizeof(why))) {
			log_warnx("%s: %s", o->pprof_path, why);
			ok = false;
		}
		ok = finish(o->pprof, o->pprof_path) && ok;
		o->pprof = NULL;
	}
	if (o->html != NULL) {
		view_html(o->html, s, o->run);
		ok = finish(o->html, o->html_path) && ok;
		o->html = NULL;
	}
	return write_massif(o, s, main_argv) && ok;
}
