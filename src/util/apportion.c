/* SPDX-License-Identifier: ISC */
/* Sharing a whole among parts by weight (see apportion.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "apportion.h"
#include "xmalloc.h"

void
apportion_bytes(uint64_t total, const uint64_t *w, size_t n, uint64_t *out)
{
	uint64_t wsum = 0, given = 0;
	unsigned __int128 *rem;

	if (n == 0)
		return;
	for (size_t r = 0; r < n; r++)
		wsum += w[r];
	if (wsum == 0) {
		memset(out, 0, n * sizeof(*out));
		out[0] = total;
		return;
	}
	rem = xcalloc(n, sizeof(*rem));
	for (size_t r = 0; r < n; r++) {
		unsigned __int128 exact = (unsigned __int128)total * w[r];

		out[r] = (uint64_t)(exact / wsum);
		rem[r] = exact % wsum;
		given += out[r];
	}
	for (; given < total; given++) {
		size_t best = 0;

		for (size_t r = 1; r < n; r++)
			if (rem[r] > rem[best])
				best = r;
		out[best]++;
		rem[best] = 0;
	}
	free(rem);
}

int
apportion_cells(int width, const uint64_t *w, size_t n, int *cells)
{
	uint64_t *share = xcalloc(n ? n : 1, sizeof(*share));
	int present = 0, given = 0;

	for (size_t i = 0; i < n; i++)
		present += w[i] > 0;
	if (present > 0 && width > present)
		apportion_bytes((uint64_t)(width - present), w, n, share);
	for (size_t i = 0; i < n; i++) {
		cells[i] = w[i] > 0 ? 1 + (int)share[i] : 0;
		given += cells[i];
	}
	free(share);
	return given;
}
