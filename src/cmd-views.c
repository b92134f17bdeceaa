/* The report-shaping options (see cmd-views.h). */
#include "config.h"

#include "cmd-views.h"

bool
view_options_parse(const struct cmd *self, int opt, const char *arg,
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
	case OPT_PEAK:
		v->peak = true;
		v->sort = SITES_BY_PEAK;
		return true;
	}
	return false;
}
