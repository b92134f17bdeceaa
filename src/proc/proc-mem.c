/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "proc-mem.h"
#include "proc.h"

ssize_t
proc_mem_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t n;

	do
		n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	while (n == -1 && errno == EINTR);
	return n;
}

/* process_vm_readv takes at most this many ranges a call */
#define GATHER_MAX	1024

size_t
proc_mem_gather(pid_t pid, const struct proc_mem_range *r, size_t n, void *dst)
{
	struct iovec remote[GATHER_MAX];
	uint8_t *out = dst;
	size_t done = 0, total = 0;

	while (done < n) {
		size_t k = 0, want = 0;
		struct iovec local;
		ssize_t got;

		for (; k < GATHER_MAX && done + k < n; k++) {
			remote[k].iov_base = (void *)(uintptr_t)r[done + k].addr;
			remote[k].iov_len = r[done + k].len;
			want += r[done + k].len;
		}
		local = (struct iovec){ out, want };
		do
			got = process_vm_readv(pid, &local, 1, remote, k, 0);
		while (got == -1 && errno == EINTR);
		if (got < 0)
			got = 0;
		total += (size_t)got;
		/* the range where it stopped is unreadable (in part): zeros */
		for (size_t i = 0; i < k; i++) {
			if ((size_t)got >= r[done + i].len) {
				got -= (ssize_t)r[done + i].len;
				out += r[done + i].len;
				continue;
			}
			memset(out + got, 0, r[done + i].len - (size_t)got);
			out += r[done + i].len;
			k = i + 1;
			break;
		}
		done += k;
	}
	return total;
}

bool
proc_mem_patch(pid_t pid, uint64_t addr, const void *buf, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), PROC_ROOT "/%d/mem", (int)pid);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return false;
	do
		n = pwrite(fd, buf, len, (off_t)addr);
	while (n == -1 && errno == EINTR);
	close(fd);
	return n == (ssize_t)len;
}
