/* SPDX-License-Identifier: ISC */
/*
 * Reading another process's memory without stopping it (process_vm_readv),
 * and writing into its code as a debugger does.
 */
#ifndef MEMSCOPE_PROC_MEM_H
#define MEMSCOPE_PROC_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Copy len bytes at addr in process pid into buf. Returns the number of
 * bytes read (short at an unmapped page), or -1 with errno (EPERM without
 * the right to ptrace the process, ESRCH when it has gone).
 */
ssize_t	proc_mem_read(pid_t pid, uint64_t addr, void *buf, size_t len);

struct proc_mem_range {
	uint64_t	 addr;
	size_t		 len;
};

/*
 * Copy the n ranges r of process pid one after the other into dst, in as
 * few system calls as it takes. What cannot be read reads as zeros. Returns
 * the number of bytes actually read.
 */
size_t	proc_mem_gather(pid_t pid, const struct proc_mem_range *r, size_t n,
	    void *dst);

/*
 * Write len bytes of buf at addr in process pid, through /proc/PID/mem:
 * also into pages the process cannot write (its code), which get a
 * private copy. The caller holds the process under ptrace. Returns true
 * when every byte was written.
 */
bool	proc_mem_patch(pid_t pid, uint64_t addr, const void *buf, size_t len);

#endif
