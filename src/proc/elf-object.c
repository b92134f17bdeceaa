/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#include "elf-object.h"
#include "xmalloc.h"

static int
section_cmp(const void *a, const void *b)
{
	const struct elf_section *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return 0;
}

static void
read_build_id(Elf *e, struct elf_object *obj)
{
	size_t nphdr;

	if (elf_getphdrnum(e, &nphdr) != 0)
		return;
	for (size_t i = 0; i < nphdr; i++) {
		GElf_Phdr ph;
		Elf_Data *data;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;

		if (gelf_getphdr(e, (int)i, &ph) == NULL || ph.p_type != PT_NOTE)
			continue;
		data = elf_getdata_rawchunk(e, (int64_t)ph.p_offset, ph.p_filesz,
		    ph.p_align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR);
		if (data == NULL)
			continue;
		while ((off = gelf_getnote(data, off, &nh, &name_off, &desc_off)) > 0) {
			const unsigned char *desc;

			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
			    memcmp((char *)data->d_buf + name_off, "GNU", 4) != 0)
				continue;
			if (nh.n_descsz == 0 || nh.n_descsz > 64)
				continue;
			desc = (const unsigned char *)data->d_buf + desc_off;
			for (size_t k = 0; k < nh.n_descsz; k++) {
				static const char hex[] = "0123456789abcdef";

				obj->build_id[2 * k] = hex[desc[k] >> 4];
				obj->build_id[2 * k + 1] = hex[desc[k] & 15];
			}
			obj->build_id[2 * nh.n_descsz] = '\0';
			return;
		}
	}
}

static void
read_sections(Elf *e, struct elf_object *obj)
{
	size_t shstrndx, cap = 0;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(e, &shstrndx) != 0)
		return;
	while ((scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name;
		struct elf_section *s;

		if (gelf_getshdr(scn, &sh) == NULL)
			break;
		if (!(sh.sh_flags & SHF_ALLOC) || sh.sh_size == 0 ||
		    sh.sh_addr + sh.sh_size < sh.sh_addr)
			continue;
		if ((name = elf_strptr(e, shstrndx, sh.sh_name)) == NULL)
			name = "?";
		obj->sections = xgrow(obj->sections, &cap, obj->nsections + 1,
		    sizeof(*obj->sections));
		s = &obj->sections[obj->nsections++];
		s->name = xstrdup(name);
		s->addr = sh.sh_addr;
		s->size = sh.sh_size;
		s->flags = sh.sh_flags;
		s->type = sh.sh_type;
	}
	if (obj->nsections > 1)	/* qsort(NULL, 0) is undefined */
		qsort(obj->sections, obj->nsections, sizeof(*obj->sections),
		    section_cmp);
}

int
elf_object_read(int fd, struct elf_object *obj)
{
	GElf_Ehdr eh;
	size_t nphdr, cap = 0;
	Elf *e;
	int rc = -1;

	memset(obj, 0, sizeof(*obj));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -1;
	if ((e = elf_begin(fd, ELF_C_READ_MMAP, NULL)) == NULL)
		return -1;
	if (elf_kind(e) != ELF_K_ELF || gelf_getehdr(e, &eh) == NULL)
		goto out;
	obj->type = eh.e_type;
	if (elf_getphdrnum(e, &nphdr) != 0)
		goto out;
	for (size_t i = 0; i < nphdr; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(e, (int)i, &ph) == NULL)
			goto out;
		if (ph.p_type == PT_INTERP)
			obj->has_interp = true;
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (ph.p_vaddr + ph.p_memsz < ph.p_vaddr || ph.p_filesz > ph.p_memsz)
			continue;
		obj->loads = xgrow(obj->loads, &cap, obj->nloads + 1,
		    sizeof(*obj->loads));
		obj->loads[obj->nloads++] = (struct elf_load){
			.vaddr = ph.p_vaddr, .memsz = ph.p_memsz,
			.offset = ph.p_offset, .filesz = ph.p_filesz,
			.flags = ph.p_flags,
		};
	}
	if (obj->nloads == 0)
		goto out;
	read_sections(e, obj);
	read_build_id(e, obj);
	rc = 0;
out:
	elf_end(e);
	if (rc != 0)
		elf_object_free(obj);
	return rc;
}

void
elf_object_free(struct elf_object *obj)
{
	for (size_t i = 0; i < obj->nsections; i++)
		free(obj->sections[i].name);
	free(obj->sections);
	free(obj->loads);
	memset(obj, 0, sizeof(*obj));
}
