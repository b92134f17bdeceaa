/* SPDX-License-Identifier: ISC */
/*
 * A harness without libFuzzer: runs LLVMFuzzerTestOneInput on every file
 * named, and on every file in each directory named (not recursing), as a
 * fuzzer replays a crash. Built with the analyzer's own compiler and flags,
 * so that `make check` keeps every input that once crashed a parser fixed.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "xmalloc.h"

static size_t replayed;

static void
replay_file(const char *path)
{
	FILE *f;
	unsigned char *data = NULL;
	size_t len = 0, cap = 0, n;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		exit(99);
	}
	do {
		data = xgrow(data, &cap, len + 65536, 1);
		n = fread(data + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		exit(99);
	}
	fclose(f);
	/* a copy of exactly the input's size, as libFuzzer gives */
	unsigned char *exact = xmalloc(len);

	memcpy(exact, data, len);
	free(data);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	replayed++;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void
replay(const char *path)
{
	struct dirent **names;
	struct stat st;
	int n;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		exit(99);
	}
	if (!S_ISDIR(st.st_mode)) {
		replay_file(path);
		return;
	}
	if ((n = scandir(path, &names, NULL, by_name)) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		exit(99);
	}
	for (int i = 0; i < n; i++) {
		char *file;

		if (names[i]->d_name[0] != '.') {
			xasprintf(&file, "%s/%s", path, names[i]->d_name);
			if (stat(file, &st) == 0 && S_ISREG(st.st_mode))
				replay_file(file);
			free(file);
		}
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		replay(argv[i]);
	printf("%s: %zu inputs replayed\n", argv[0], replayed);
	return 0;
}
