/* SPDX-License-Identifier: ISC */
/*
 * Call stacks (id → frames, shared by every process of a run: an id is a
 * hash of the frames) and each process's loaded modules, which turn a frame
 * into module + offset.
 */
#ifndef MEMSCOPE_MODEL_STACKS_H
#define MEMSCOPE_MODEL_STACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>


/*
 * A frame at the level of the source: a machine frame is one, or several
 * when calls were inlined there (the inlined ones first, innermost first).
 */
struct frame_symbol {
	const char	*function;	/* demangled; NULL when unknown */
	const char	*linkage;	/* the mangled name, NULL if the same */
	const char	*file;		/* NULL when unknown */
	uint32_t	 line;		/* 0 when unknown */
	bool		 inlined;
};

struct frame_symbols {
	uint32_t	 n;
	const struct frame_symbol *v;
};

struct stack_entry {
	uint64_t	 id;		/* 0: empty slot */
	uint32_t	 nframes;
	uint64_t	*frames;	/* innermost first */
	struct frame_symbols *symbols;	/* per frame once symbolized, or NULL */
};

struct stack_table {
	struct stack_entry *slots;
	size_t		 nslots;
	size_t		 count;
	/*
	 * Whoever made the symbols keeps them (they are shared by every
	 * stack with the frame): released with the table.
	 */
	void		*symbols_owner;
	void		(*symbols_release)(void *owner);
};

void	model_stacks_init(struct stack_table *t);
void	model_stacks_free(struct stack_table *t);
/* Remember a stack; a second sending of the same id is ignored. */
void	model_stacks_add(struct stack_table *t, uint64_t id,
	    const uint64_t *frames, uint32_t nframes);
const struct stack_entry *model_stacks_get(const struct stack_table *t,
	    uint64_t id);
/* Give frame i of the stack id its symbols (kept by t->symbols_owner). */
void	model_stacks_set_symbols(struct stack_table *t, uint64_t id, uint32_t i,
	    const struct frame_symbol *v, uint32_t n);

struct module {
	uint64_t	 base;		/* load bias */
	uint64_t	 start;
	uint64_t	 end;
	char		*path;
	uint8_t		 build_id[32];
	uint32_t	 build_id_len;
	bool		 unloaded;
};

struct module_list {
	struct module	*v;
	size_t		 n;
	size_t		 cap;
};

void	model_modules_loaded(struct module_list *l, const struct module *m);
void	model_modules_unloaded(struct module_list *l, uint64_t base,
	    uint64_t start);
/* The module that held addr (the most recent one, if several did). */
const struct module *model_modules_find(const struct module_list *l,
	    uint64_t addr);
void	model_modules_free(struct module_list *l);

#endif
