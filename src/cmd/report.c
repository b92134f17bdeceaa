/* SPDX-License-Identifier: ISC */
/* The report-shaping options (see report.h). */
#include "config.h"

#include "report.h"
#include "log.h"
#include "symbolize.h"

bool
report_options_parse(const struct cmd *self, int opt, const char *arg,
    struct view_run_opts *v)
{
	switch (opt) {
	case OPT_SITES:
		v->sites = (size_t)cmd_parse_number(self, "--sites", arg, 1, 100000);
		return true;
	case OPT_SORT:
		v->sort = cmd_choice(self, "--sort", arg, heap_site_order_names);
		return true;
	case OPT_BINS:
		v->bins = true;
		return true;
	case OPT_LIFETIMES:
		v->lifetimes = true;
		return true;
	case OPT_PEAK:
		v->peak = true;
		v->sort = SITES_BY_PEAK;
		return true;
	}
	return false;
}

bool
report_option_parse(const struct cmd *self, int opt, const char *arg,
    struct view_run_opts *v, struct leak_options *l, struct profile_options *p)
{
	return report_options_parse(self, opt, arg, v) ||
	    leak_options_parse(self, opt, arg, l, v) ||
	    profile_options_parse(self, opt, arg, p);
}

void
report_prepare(struct session *s, const struct view_run_opts *v,
    struct leak_options *l, const struct profile_options *p)
{
	/* the profile outputs show every stack */
	symbolize_sites(s, profile_options_any(p) ? 0 : v->sites, v->sort);
	leak_options_apply(l, s);
}

/* Flush and close f (not stdout or stderr, which the command flushes). */
static bool
report_close(FILE *f, const char *path)
{
	if (f == stdout || f == stderr)
		return true;
	if (fflush(f) != 0 || ferror(f) || fclose(f) != 0) {
		log_warn("writing %s", path != NULL ? path : "the report");
		return false;
	}
	return true;
}

bool
report_write(const struct session *s, const struct view_run_opts *v,
    struct profile_options *p, FILE *json, const char *json_path,
    FILE *log, const char *log_path)
{
	bool ok = true;

	if (json != NULL) {
		view_json_run(json, s, v);
		ok = report_close(json, json_path);
	}
	if (!profile_options_write(p, s, s->run.argv))
		ok = false;
	if (log != NULL) {
		view_text_run(log, s, v);
		if (!report_close(log, log_path))
			ok = false;
	}
	return ok;
}
