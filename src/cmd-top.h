/* What `memscope top` shares with the dashboards of run and attach. */
#ifndef MEMSCOPE_CMD_TOP_H
#define MEMSCOPE_CMD_TOP_H

#include <stddef.h>

#include "cmd.h"
#include "live.h"

/* -d SECONDS: from 0.1 to 3600, or a usage error. */
double	top_parse_delay(const struct cmd *self, const char *s);
/* "process 12 has exited" once l can no longer be read, else NULL. */
const char *top_gone_text(const struct live *l, char *buf, size_t len);

#endif
