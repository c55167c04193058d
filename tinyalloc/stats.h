/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU event counters.  Each CPU writes only its own counters, so
 * nothing on a fast path touches a shared cache line; readers sum them.
 */
#ifndef _TINYALLOC_STATS_H
#define _TINYALLOC_STATS_H

#include <linux/percpu.h>

enum ta_stat {
	/*
	 * Tiny objects handed out: never counted itself, the sum of the
	 * next two and of blocks taken (each object counts once, where it
	 * went), which ta_stat_cpu() and ta_stat_sum() return.
	 */
	TA_TINY_ALLOCS,
	TA_TINY_COMBINED,	/* ... into a block, after another */
	TA_TINY_RESTARTS,	/* ... at offset 0 of an open block again */
	TA_TINY_FREES,		/* tiny objects freed */
	TA_TINY_BLOCKS_TAKEN,	/* blocks taken for allocation */
	TA_TINY_BLOCKS_FREED,	/* blocks whose last object was freed */
	TA_TINY_SPANS_ALLOC,	/* spans taken from the page allocator */
	TA_TINY_SPANS_FREED,	/* spans given back to it */
	TA_TINY_ALLOC_FAILS,	/* tiny requests that got NULL */
	TA_TINY_REMOTE_FREES,	/* tiny frees on another node than the span */
	TA_KMALLOC_ALLOCS,	/* requests served by large.c (kmalloc, pages) */
	TA_KMALLOC_FREES,	/* ... and freed */
	TA_KMALLOC_FAILS,	/* ... that got NULL */
	TA_KMALLOC_OWN_PAGES,	/* ... of which GFP_DMA32, on pages of their own */
	TA_KMALLOC_OWN_PAGES_FREED, /* ... and freed */
	TA_INVALID_FREES,	/* frees refused */
	TA_STACK_ALLOCS,	/* stacks handed out, pool and large */
	TA_STACK_FREES,		/* ... and freed */
	TA_STACK_REMOTE_FREES,	/* pool stacks freed on another node: sent home */
	TA_STACK_ALLOC_FAILS,	/* -ENOMEM */
	TA_STACK_BAD_REQUESTS,	/* -EINVAL and -E2BIG */
	TA_STACK_SPANS_ALLOC,	/* pool spans from the page allocator */
	TA_STACK_SPANS_FREED,	/* ... given back */
	TA_STACK_SPAN_PAGES,	/* pages of pool spans taken */
	TA_STACK_SPAN_PAGES_FREED, /* ... and given back */
	TA_STACK_LARGE_ALLOCS,	/* large stacks handed out */
	TA_STACK_LARGE_FREES,	/* ... and freed (to the free lists) */
	TA_STACK_LARGE_REUSED,	/* ... of which from a free list */
	TA_STACK_LARGE_RELEASED, /* large stacks given back to the pages */
	TA_STACK_LARGE_PAGES,	/* pages taken for large stacks */
	TA_STACK_LARGE_PAGES_FREED, /* ... and given back */
	TA_STACK_INVALID_FREES,	/* stack frees refused */
	TA_STACK_OVERFLOWS,	/* stack_debug canaries found overwritten */
	TA_NR_STATS,
};

/*
 * One slot per counter, bumped with this_cpu_inc(): one instruction on
 * x86_64, safe against interrupts.  (Architectures without per-CPU
 * instructions, UML among them, save and restore IRQs around it; a slot
 * per context once saved that there, and cost instructions on x86_64.)
 */
struct ta_stats {
	unsigned long n[TA_NR_STATS];
};

/* Count an event, in any context but NMI. */
static __always_inline void ta_stat_inc(struct ta_stats __percpu *s,
					enum ta_stat i)
{
	BUILD_BUG_ON(__builtin_constant_p(i) && i == TA_TINY_ALLOCS);
	this_cpu_inc(s->n[i]);
}

/* Add @n (may wrap, to subtract) to a counter. */
static __always_inline void ta_stat_add(struct ta_stats __percpu *s,
					enum ta_stat i, unsigned long n)
{
	this_cpu_add(s->n[i], n);
}

static inline unsigned long ta_stat_cpu(struct ta_stats __percpu *s,
					unsigned int cpu, enum ta_stat i)
{
	struct ta_stats *c = per_cpu_ptr(s, cpu);

	if (i == TA_TINY_ALLOCS)
		return READ_ONCE(c->n[TA_TINY_COMBINED]) +
		       READ_ONCE(c->n[TA_TINY_RESTARTS]) +
		       READ_ONCE(c->n[TA_TINY_BLOCKS_TAKEN]);
	return READ_ONCE(c->n[i]);
}

unsigned long ta_stat_sum(struct ta_stats __percpu *s, enum ta_stat i);

#endif /* _TINYALLOC_STATS_H */
