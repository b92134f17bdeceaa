/* SPDX-License-Identifier: ISC */
/*
 * The shared library leak-cases links with: a static variable of its own,
 * which the scenario reachable-lib-static makes the only root of a block.
 */
void leaktest_stash(void *p);

static void *volatile stash;

void
leaktest_stash(void *p)
{
	stash = p;
}
