/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The span map: a bit per span-sized piece of the direct map, set while a
 * tiny span is there.  A free asks it whether an address is in a span
 * with a subtraction, a compare and a bit test; virt_addr_valid() and the
 * span's struct page cost about 60 instructions on x86_64.
 */
#ifndef _TINYALLOC_SPANMAP_H
#define _TINYALLOC_SPANMAP_H

#include <linux/bitops.h>
#include <linux/mm.h>

/* Spans are 32 KiB, or a page where pages are larger (tiny.c). */
#define TA_SPAN_SHIFT	(PAGE_SHIFT > 15 ? PAGE_SHIFT : 15)

/**
 * struct ta_span_map - which pieces of the direct map are tiny spans
 * @bits: a bit per piece, from PAGE_OFFSET
 * @nr: pieces covered: the direct map as it was at load (memory added
 *	later is never a span, ta_span_map_set() refuses it)
 */
struct ta_span_map {
	unsigned long *bits;
	unsigned long nr;
};

extern struct ta_span_map ta_span_map;

/*
 * Is there a span at @addr rounded down to a span?  Acquire: pairs with
 * the release in ta_span_map_set(), so the header is seen built.  An
 * address below PAGE_OFFSET wraps to an index beyond @nr.
 */
static __always_inline bool ta_span_map_test(const void *addr)
{
	unsigned long i = ((unsigned long)addr - PAGE_OFFSET) >> TA_SPAN_SHIFT;

	return i < ta_span_map.nr && test_bit_acquire(i, ta_span_map.bits);
}

int ta_span_map_init(void);
void ta_span_map_exit(void);
bool ta_span_map_set(const void *span);
void ta_span_map_clear(const void *span);

#endif /* _TINYALLOC_SPANMAP_H */
