/* SPDX-License-Identifier: ISC */
/*
 * mmap, munmap, mremap, brk and sbrk, as the program calls them (malloc's
 * own calls go to the kernel inside libc and are not seen; another
 * allocator's, from its library, go to the log of alloc-maps.c). An event that
 * releases a range is reserved before the real call and published after
 * it, with its result; one that obtains a range is reserved after.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "producer.h"
#include "shim.h"

static inline void
ensure_resolved(void)
{
	if (unlikely(shim.real.mmap == NULL) && !shim_self.in_hook)
		shim_resolve();
}

static void
record_mmap(void *addr, size_t len, int prot, int flags, int fd)
{
	struct ms_ev_mmap ev = { .hdr.type = MS_EV_MMAP, .addr = (uintptr_t)addr,
	    .len = len, .prot = prot, .flags = flags, .fd = fd };
	int saved_errno = errno;

	ev.stack = stack_capture();
	producer_emit(&ev, sizeof(ev));
	errno = saved_errno;
}

static void *
mmap_common(void *(*real)(void *, size_t, int, int, int, off_t), void *addr,
    size_t len, int prot, int flags, int fd, off_t off, const void *caller)
{
	void *p;

	ensure_resolved();
	if (unlikely(real == NULL))	/* during resolution itself */
		return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
	if (alloc_maps_caller(caller)) {
		if ((p = real(addr, len, prot, flags, fd, off)) != MAP_FAILED)
			alloc_maps_note(MS_ALLOC_MAP, p, len);
		return p;
	}
	if (shim_internal_caller(caller) || !shim_enter())
		return real(addr, len, prot, flags, fd, off);
	if ((p = real(addr, len, prot, flags, fd, off)) != MAP_FAILED)
		record_mmap(p, len, prot, flags, fd);
	shim_leave();
	return p;
}

SHIM_EXPORT void *
mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mmap_common(shim.real.mmap, addr, len, prot, flags, fd, off,
	    __builtin_return_address(0));
}

SHIM_EXPORT void *
mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mmap_common(shim.real.mmap64 != NULL ? shim.real.mmap64 :
	    shim.real.mmap, addr, len, prot, flags, fd, off,
	    __builtin_return_address(0));
}

SHIM_EXPORT int
munmap(void *addr, size_t len)
{
	struct ms_ev_munmap ev = { .hdr.type = MS_EV_MUNMAP,
	    .addr = (uintptr_t)addr, .len = len };
	struct producer_slot slot;
	int rc, saved_errno;

	ensure_resolved();
	if (unlikely(shim.real.munmap == NULL))
		return (int)syscall(SYS_munmap, addr, len);
	if (alloc_maps_caller(__builtin_return_address(0))) {
		alloc_maps_note(MS_ALLOC_UNMAP, addr, len);
		return shim.real.munmap(addr, len);
	}
	if (shim_internal_caller(__builtin_return_address(0)) || !shim_enter())
		return shim.real.munmap(addr, len);
	slot = producer_reserve(sizeof(ev));
	rc = shim.real.munmap(addr, len);
	saved_errno = errno;
	ev.failed = rc != 0;
	if (slot.ok)
		producer_commit(&slot, &ev, sizeof(ev));
	errno = saved_errno;
	shim_leave();
	return rc;
}

SHIM_EXPORT void *
mremap(void *old, size_t old_len, size_t new_len, int flags, ...)
{
	struct ms_ev_mremap ev = { .hdr.type = MS_EV_MREMAP,
	    .old_addr = (uintptr_t)old, .old_len = old_len, .new_len = new_len };
	void *fixed = NULL, *p;
	struct producer_slot slot;
	int saved_errno;

	if (flags & MREMAP_FIXED) {
		va_list ap;

		va_start(ap, flags);
		fixed = va_arg(ap, void *);
		va_end(ap);
	}
	ensure_resolved();
	if (unlikely(shim.real.mremap == NULL))
		return (void *)syscall(SYS_mremap, old, old_len, new_len, flags, fixed);
	if (alloc_maps_caller(__builtin_return_address(0))) {
		alloc_maps_note(MS_ALLOC_UNMAP, old, old_len);
		if ((p = shim.real.mremap(old, old_len, new_len, flags, fixed)) !=
		    MAP_FAILED)
			alloc_maps_note(MS_ALLOC_MAP, p, new_len);
		return p;
	}
	if (!shim_enter())
		return shim.real.mremap(old, old_len, new_len, flags, fixed);
	slot = producer_reserve(sizeof(ev));
	p = shim.real.mremap(old, old_len, new_len, flags, fixed);
	saved_errno = errno;
	ev.new_addr = p == MAP_FAILED ? 0 : (uintptr_t)p;
	if (slot.ok)
		producer_commit(&slot, &ev, sizeof(ev));
	errno = saved_errno;
	shim_leave();
	return p;
}

static void
record_brk(void *old_brk, void *new_brk)
{
	struct ms_ev_brk ev = { .hdr.type = MS_EV_BRK,
	    .old_brk = (uintptr_t)old_brk, .new_brk = (uintptr_t)new_brk };
	int saved_errno = errno;

	producer_emit(&ev, sizeof(ev));
	errno = saved_errno;
}

SHIM_EXPORT int
brk(void *addr)
{
	void *old;
	int rc;

	ensure_resolved();
	if (unlikely(shim.real.brk == NULL) || !shim_enter())
		return shim.real.brk != NULL ? shim.real.brk(addr) : -1;
	old = shim.real.sbrk(0);
	if ((rc = shim.real.brk(addr)) == 0)
		record_brk(old, addr);
	shim_leave();
	return rc;
}

SHIM_EXPORT void *
sbrk(intptr_t increment)
{
	void *old;

	ensure_resolved();
	if (unlikely(shim.real.sbrk == NULL) || !shim_enter())
		return shim.real.sbrk != NULL ? shim.real.sbrk(increment) :
		    (void *)-1;
	if ((old = shim.real.sbrk(increment)) != (void *)-1 && increment != 0)
		record_brk(old, (char *)old + increment);
	shim_leave();
	return old;
}
