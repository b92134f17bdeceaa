/* SPDX-License-Identifier: ISC */
/*
 * Sharing a whole among parts by weight, so that the shares add up to the
 * whole exactly (the largest remainder method): the bytes of a mapping
 * among the segments cut from it, the cells of a bar among the kinds of
 * memory in it.
 */
#ifndef MEMSCOPE_APPORTION_H
#define MEMSCOPE_APPORTION_H

#include <stddef.h>
#include <stdint.h>

/*
 * Share total among the n parts of weights w into out: each gets the floor
 * of its exact share, and what is left over (less than n) goes one each to
 * the largest remainders, the first of equal ones first. With no weight at
 * all, the first part gets everything.
 */
void	apportion_bytes(uint64_t total, const uint64_t *w, size_t n,
	    uint64_t *out);

/*
 * The cells of a bar width cells wide: one for each part that has any
 * weight, the rest shared by weight as apportion_bytes does. Returns the
 * cells given, more than width when there are more parts than cells.
 */
int	apportion_cells(int width, const uint64_t *w, size_t n, int *cells);

#endif
