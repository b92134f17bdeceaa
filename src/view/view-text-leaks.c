/* SPDX-License-Identifier: ISC */
/*
 * The leak report of one process in the text report of a run: its loss
 * records, largest first, each with the stack that allocated its blocks,
 * then the summary of the kinds in memcheck's words.
 */
#include "config.h"

#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>

#include "fmt.h"
#include "model-leaks.h"
#include "view-run.h"

static const char *const kind_words[LEAK_NKINDS] = {
	"definitely lost", "indirectly lost", "possibly lost", "still reachable",
};

static bool
shown(const struct view_run_opts *o, const struct leak_record *rec)
{
	return rec->suppressed_by == NULL &&
	    (rec->kind != LEAK_REACHABLE || o->show_reachable);
}

/* A suppression entry for rec, unprefixed so that it can be copied. */
static void
print_suppression(FILE *f, const struct session *s, const struct process *p,
    const struct leak_record *rec)
{
	static const char *const kinds[LEAK_NKINDS] = {
		"definite", "indirect", "possible", "reachable",
	};
	struct leak_frame *frames = NULL;
	size_t cap = 0, n = model_leaks_frames(s, p, rec, SIZE_MAX, &frames, &cap);

	fprintf(f, "{\n   <insert_a_suppression_name_here>\n   Memcheck:Leak\n"
	    "   match-leak-kinds: %s\n", kinds[rec->kind]);
	for (size_t i = 0; i < n; i++) {
		const struct leak_frame *fr = &frames[i];

		if (fr->below_main) {
			fputs("   fun:(below main)\n", f);
			break;
		}
		if (fr->linkage != NULL || fr->function != NULL)
			fprintf(f, "   fun:%s\n", fr->linkage != NULL ? fr->linkage :
			    fr->function);
		else
			fprintf(f, "   obj:%s\n", fr->module != NULL ? fr->module : "*");
	}
	fputs("}\n", f);
	free(frames);
}

static void
print_record(FILE *f, int pid, const struct session *s, const struct process *p,
    const struct view_run_opts *o, const struct leak_record *rec, size_t nr,
    size_t total)
{
	char a[FMT_SIZE_LEN], b[FMT_SIZE_LEN], c[FMT_SIZE_LEN];

	if (nr > 1)
		fprintf(f, "==%d==\n", pid);
	fprintf(f, "==%d== ", pid);
	if (rec->indirect_bytes > 0)
		fprintf(f, "%s (%s direct, %s indirect) bytes",
		    fmt_count(a, rec->bytes + rec->indirect_bytes),
		    fmt_count(b, rec->bytes), fmt_count(c, rec->indirect_bytes));
	else
		fprintf(f, "%s bytes", fmt_count(a, rec->bytes));
	fprintf(f, " in %s %s %s %s (loss record %zu of %zu)\n",
	    fmt_count(b, rec->blocks), rec->blocks == 1 ? "block" : "blocks",
	    rec->blocks == 1 ? "is" : "are", kind_words[rec->kind], nr, total);
	view_text_frames(f, pid, s, p, rec->stack);
	if (o->gen_suppressions)
		print_suppression(f, s, p, rec);
}

static void
print_totals(FILE *f, int pid, const char *label, const struct leak_totals *t)
{
	char a[FMT_SIZE_LEN], b[FMT_SIZE_LEN];

	fprintf(f, "==%d==   %16s: %s bytes in %s blocks\n", pid, label,
	    fmt_count(a, t->bytes), fmt_count(b, t->blocks));
}

void
view_text_leaks(FILE *f, int pid, const struct session *s,
    const struct process *p, const struct view_run_opts *o)
{
	const struct leak_report *r = p->leaks;
	size_t total = 0, nr = 0;
	bool any_heuristic = false;

	if (o->leak_check == VIEW_LEAKS_NO || p->replaced)
		return;
	fprintf(f, "==%d==\n", pid);
	if (r == NULL && p->exited && p->exit_signal == SIGKILL) {
		/* no code of the process runs at such an end, the shim's neither */
		fprintf(f, "==%d== LEAK SUMMARY: not checked: SIGKILL ended the "
		    "process with no code of its own running\n", pid);
		return;
	}
	if (r == NULL) {
		fprintf(f, "==%d== LEAK SUMMARY: not checked: memscope did not "
		    "hold the process at its end\n", pid);
		return;
	}
	if (o->leak_check == VIEW_LEAKS_FULL) {
		for (size_t i = 0; i < r->nrecords; i++)
			total += shown(o, &r->records[i]);
		for (size_t i = 0; i < r->nrecords; i++)
			if (shown(o, &r->records[i]))
				print_record(f, pid, s, p, o, &r->records[i],
				    ++nr, total);
		if (total > 0)
			fprintf(f, "==%d==\n", pid);
	}
	fprintf(f, "==%d== LEAK SUMMARY\n", pid);
	for (int k = 0; k < LEAK_NKINDS; k++)
		print_totals(f, pid, kind_words[k], &r->kinds[k]);
	for (int h = 1; h < LEAK_NHEURISTICS; h++)
		any_heuristic |= r->heuristic[h].blocks > 0;
	if (any_heuristic) {
		fprintf(f, "==%d==   %16s  of which reachable via heuristic:\n", pid, "");
		for (int h = 1; h < LEAK_NHEURISTICS; h++)
			if (r->heuristic[h].blocks > 0)
				print_totals(f, pid, leak_heuristic_name(h),
				    &r->heuristic[h]);
	}
	print_totals(f, pid, "suppressed", &r->suppressed);
}
