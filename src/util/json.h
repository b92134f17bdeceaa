/* SPDX-License-Identifier: ISC */
/* A streaming JSON writer: values are written as they come, commas handled. */
#ifndef MEMSCOPE_JSON_H
#define MEMSCOPE_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json {
	FILE	*f;
	int	 depth;
	bool	 first[JSON_MAX_DEPTH];	/* no value yet at this depth */
	bool	 after_key;
	bool	 compact_from_depth;	/* see json_compact_below() */
	int	 compact_depth;
};

void	json_init(struct json *j, FILE *f);
/* Objects and arrays opened deeper than depth go on one line each. */
void	json_compact_below(struct json *j, int depth);
void	json_object_begin(struct json *j);
void	json_object_end(struct json *j);
void	json_array_begin(struct json *j);
void	json_array_end(struct json *j);
void	json_key(struct json *j, const char *key);
void	json_string(struct json *j, const char *s);	/* NULL → null */
void	json_uint(struct json *j, uint64_t v);
void	json_int(struct json *j, int64_t v);
void	json_bool(struct json *j, bool v);
void	json_null(struct json *j);
void	json_hex(struct json *j, uint64_t v);		/* "0x1f" */
/* A key and its value in one call. */
void	json_key_uint(struct json *j, const char *key, uint64_t v);
void	json_key_int(struct json *j, const char *key, int64_t v);
void	json_key_string(struct json *j, const char *key, const char *s);
void	json_key_bool(struct json *j, const char *key, bool v);
/* "0x1f", or null when known is false. */
void	json_key_hex(struct json *j, const char *key, uint64_t v, bool known);
/* Finish the document with a newline. */
void	json_end(struct json *j);

#endif
