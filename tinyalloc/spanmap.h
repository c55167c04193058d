/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The span map: a bit per span-sized piece of the direct map, set while a
 * tiny span is there.  A free asks it whether an address is in a span
 * with a subtraction, a compare and a bit test, where virt_addr_valid()
 * (a call) and the span's struct page were the largest part of a free.
 *
 * A second bit per piece is set while a stack span or large stack covers
 * the piece; its descriptor is then the private word of the piece's
 * first page (a pool span is not compound: each of its pieces names it)
 * or of its head page.
 */
#ifndef _TINYALLOC_SPANMAP_H
#define _TINYALLOC_SPANMAP_H

#include <linux/bitops.h>
#include <linux/compiler.h>
#include <linux/mm.h>
#include <linux/seqlock.h>
#include <linux/types.h>

/* Spans are 32 KiB, or a page where pages are larger (tiny.c). */
#define TA_SPAN_SHIFT	(PAGE_SHIFT > 15 ? PAGE_SHIFT : 15)

/**
 * struct ta_span_map - which pieces of the direct map are tiny spans or
 * stack memory
 * @base: PAGE_OFFSET rounded down to a span: bit 0's address
 * @nr: pieces covered: the direct map at load, grown as memory is added
 *	(ta_span_map_grow())
 * @bits: a bit per piece: a tiny span starts there
 * @stack_bits: a bit per piece: stack memory covers it
 */
struct ta_span_map {
	unsigned long base;
	unsigned long nr;
	unsigned long *bits;
	unsigned long *stack_bits;
};

extern struct ta_span_map *ta_span_map;
extern seqcount_spinlock_t ta_stack_map_seq;

/*
 * Is there a span at @addr rounded down to a span?  Acquire: pairs with
 * the release in ta_span_map_set(), so the header is seen built.  An
 * address below the map wraps to an index beyond @nr.  A map replaced by
 * a larger one stays allocated until unload, so a reader needs no lock.
 */
static __always_inline bool ta_span_map_test(const void *addr)
{
	const struct ta_span_map *m = READ_ONCE(ta_span_map);
	unsigned long i = ((unsigned long)addr - m->base) >> TA_SPAN_SHIFT;

	return i < m->nr && test_bit_acquire(i, m->bits);
}

/*
 * The private word of the first page of the stack memory at @addr, or
 * NULL if the map has none there.  Under RCU, which the memory's descriptor
 * outlives.  Memory is given back without waiting for readers: the
 * sequence count says whether any was, between the bit and the word.  A
 * stack handed out cannot go meanwhile, so NULL is the truth for it.
 */
static __always_inline void *ta_stack_map_lookup(const void *addr)
{
	unsigned long piece = (unsigned long)addr & ~((1UL << TA_SPAN_SHIFT) - 1);
	const struct ta_span_map *m;
	unsigned long i;
	unsigned int seq;
	void *desc;

	do {
		seq = read_seqcount_begin(&ta_stack_map_seq);
		m = READ_ONCE(ta_span_map);
		i = ((unsigned long)addr - m->base) >> TA_SPAN_SHIFT;
		if (i >= m->nr || !test_bit_acquire(i, m->stack_bits))
			return NULL;
		/* The piece's first page, or a compound page's head. */
		desc = (void *)page_private(virt_to_head_page((void *)piece));
	} while (read_seqcount_retry(&ta_stack_map_seq, seq));
	return desc;
}

int ta_span_map_init(void);
void ta_span_map_exit(void);
bool ta_span_map_set(const void *span);
void ta_span_map_clear(const void *span);
bool ta_stack_map_set(const void *base, unsigned long bytes);
void ta_stack_map_clear(const void *base, unsigned long bytes);
int ta_span_map_grow(unsigned long end);
unsigned long ta_span_map_refused(void);

#endif /* _TINYALLOC_SPANMAP_H */
