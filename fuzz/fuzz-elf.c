/* SPDX-License-Identifier: ISC */
/*
 * ELF handling of a corrupt object (src/proc/elf-object.c): the program and
 * section headers and the build id, read through libelf from a file, as
 * memscope reads the objects a process maps.
 */
#include "config.h"

#include "elf-object.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_object obj;

	if (elf_object_read(fuzz_memfd(data, size), &obj) == 0)
		elf_object_free(&obj);
	return 0;
}
