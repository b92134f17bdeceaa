#include "config.h"

#include <errno.h>
#include <sys/uio.h>

#include "proc-mem.h"

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
