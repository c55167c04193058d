/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic KASAN's shadow for tinyalloc's memory (kasan.c).  The page
 * allocator unpoisons a span wholesale; these keep what is not handed out
 * poisoned, so that KASAN reports an overflow into free space, a use
 * after free of a tiny object or of a stack, as it does for kmalloc.
 * Without CONFIG_KASAN_GENERIC they are empty and cost nothing.
 */
#ifndef _TINYALLOC_KASAN_H
#define _TINYALLOC_KASAN_H

#include <linux/types.h>

/* KASAN's own shadow values (mm/kasan/kasan.h), for its reports' words. */
#define TA_KASAN_REDZONE	0xFC	/* never handed out: out-of-bounds */
#define TA_KASAN_FREE		0xFB	/* freed: use-after-free */

#ifdef CONFIG_KASAN_GENERIC
#define TA_KASAN		true
#define TA_KASAN_GRANULE	8

void ta_kasan_poison(const void *addr, size_t size, u8 value);
void ta_kasan_unpoison(const void *addr, size_t size);
size_t ta_kasan_object_size(const void *obj, const void *block,
			    size_t block_size);
#else
#define TA_KASAN		false
#define TA_KASAN_GRANULE	1

static inline void ta_kasan_poison(const void *addr, size_t size, u8 value)
{
}

static inline void ta_kasan_unpoison(const void *addr, size_t size)
{
}

static inline size_t ta_kasan_object_size(const void *obj, const void *block,
					  size_t block_size)
{
	return 0;
}
#endif

#endif /* _TINYALLOC_KASAN_H */
