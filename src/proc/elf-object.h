/* SPDX-License-Identifier: ISC */
/* What memscope needs of an ELF object's headers, read with libelf. */
#ifndef MEMSCOPE_ELF_OBJECT_H
#define MEMSCOPE_ELF_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A PT_LOAD program header. */
struct elf_load {
	uint64_t	 vaddr;
	uint64_t	 memsz;
	uint64_t	 offset;
	uint64_t	 filesz;
	uint32_t	 flags;		/* PF_R | PF_W | PF_X */
};

/* A section that occupies memory (SHF_ALLOC, non-empty). */
struct elf_section {
	char		*name;
	uint64_t	 addr;
	uint64_t	 size;
	uint64_t	 flags;		/* SHF_* */
	uint32_t	 type;		/* SHT_* */
};

struct elf_object {
	int		 type;		/* ET_EXEC, ET_DYN */
	struct elf_load	*loads;
	size_t		 nloads;
	struct elf_section *sections;	/* sorted by address */
	size_t		 nsections;
	char		 build_id[129];	/* hex, "" when absent */
	bool		 has_interp;	/* PT_INTERP: dynamically linked */
};

/*
 * Read the program and section headers of the ELF file open on fd. Returns 0,
 * or -1 when the file is not ELF or is too damaged to use (no PT_LOAD).
 * Damaged section headers are dropped; the program headers suffice.
 */
int	elf_object_read(int fd, struct elf_object *obj);
void	elf_object_free(struct elf_object *obj);

#endif
