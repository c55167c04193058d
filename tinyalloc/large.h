/* SPDX-License-Identifier: GPL-2.0 */
/* Requests of a block or more, served by kmalloc and tracked while live. */
#ifndef _TINYALLOC_LARGE_H
#define _TINYALLOC_LARGE_H

#include <linux/types.h>

#include "stats.h"

int ta_large_init(struct ta_stats __percpu *stats);
void ta_large_exit(void);
void *ta_large_alloc(size_t size, gfp_t gfp, int node);
bool ta_large_free(const void *obj);
bool ta_large_size(const void *obj, size_t *size);

#endif /* _TINYALLOC_LARGE_H */
