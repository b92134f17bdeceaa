/* The profile outputs (see cmd-profile.h). */
#include "config.h"

#include "cmd-profile.h"
#include "log.h"

bool
profile_options_parse(const struct cmd *self, int opt, const char *arg,
    struct profile_options *o)
{
	switch (opt) {
	case OPT_COLLAPSED:
		o->collapsed_path = arg;
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
	    (o->collapsed = fopen(o->collapsed_path, "w")) == NULL)
		fatal("%s", o->collapsed_path);
}

bool
profile_options_any(const struct profile_options *o)
{
	return o->collapsed != NULL;
}

bool
profile_options_write(struct profile_options *o, const struct session *s)
{
	bool ok = true;

	if (o->collapsed != NULL) {
		view_collapsed(o->collapsed, s, o->collapsed_metric);
		if (fflush(o->collapsed) != 0 || ferror(o->collapsed) ||
		    fclose(o->collapsed) != 0) {
			log_warn("writing %s", o->collapsed_path);
			ok = false;
		}
		o->collapsed = NULL;
	}
	return ok;
}
