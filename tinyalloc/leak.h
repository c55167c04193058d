/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmemleak (CONFIG_DEBUG_KMEMLEAK): tinyalloc's objects and stacks come
 * from pages kmemleak does not track, so it is told of each, as SLUB tells
 * it of each slab object:
 * - a tiny object is reported if nothing points to it, and scanned: its
 *   few bytes may hold a pointer;
 * - a stack is scanned, so that what only a stack points to is not a leak,
 *   but never reported itself: a thread's stack is found through its
 *   thread, which kmemleak may not see;
 * - a kmalloc-backed object is kmalloc's already: only its payload is
 *   scanned, so that the live-object hash's links in its header keep no
 *   other object referenced (large.c).
 * Without kmemleak these are empty inlines.
 */
#ifndef _TINYALLOC_LEAK_H
#define _TINYALLOC_LEAK_H

#include <linux/kmemleak.h>

static inline void ta_leak_tiny_alloc(const void *obj, size_t size, gfp_t gfp)
{
	kmemleak_alloc(obj, size, 1, gfp);
}

static inline void ta_leak_stack_alloc(unsigned long lo, size_t size,
				       gfp_t gfp)
{
	/* A min_count of 0: scanned, never reported. */
	kmemleak_alloc((void *)lo, size, 0, gfp);
}

/* Scan @obj, behind a header, and not the header itself. */
static inline void ta_leak_payload(const void *obj, gfp_t gfp)
{
	kmemleak_scan_area(obj, SIZE_MAX, gfp);
}

/* Forget an object or a stack (kmemleak ignores what it does not know). */
static inline void ta_leak_free(const void *p)
{
	kmemleak_free(p);
}

#endif /* _TINYALLOC_LEAK_H */
