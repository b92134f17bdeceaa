/* SPDX-License-Identifier: ISC */
/* The harnesses' helpers (fuzz.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

int
fuzz_memfd(const void *data, size_t size)
{
	static int fd = -1;
	const char *p = data;

	if (fd == -1 && (fd = memfd_create("fuzz-input", MFD_CLOEXEC)) == -1) {
		perror("fuzz: memfd_create");
		abort();
	}
	if (ftruncate(fd, 0) != 0) {
		perror("fuzz: ftruncate");
		abort();
	}
	for (size_t done = 0; done < size;) {
		ssize_t n = pwrite(fd, p + done, size - done, (off_t)done);

		if (n <= 0) {
			perror("fuzz: pwrite");
			abort();
		}
		done += (size_t)n;
	}
	return fd;
}

const char *
fuzz_fd_path(int fd)
{
	static char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return path;
}
