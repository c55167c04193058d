/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU event counters.  Each CPU writes only its own counters, so
 * nothing on a fast path touches a shared cache line; readers sum them.
 */
#ifndef _TINYALLOC_STATS_H
#define _TINYALLOC_STATS_H

#include <linux/percpu.h>

enum ta_stat {
	TA_TINY_ALLOCS,		/* tiny objects handed out */
	TA_TINY_COMBINED,	/* ... of which from an existing block */
	TA_TINY_FREES,		/* tiny objects freed */
	TA_TINY_BLOCKS_TAKEN,	/* blocks taken for allocation */
	TA_TINY_BLOCKS_FREED,	/* blocks whose last object was freed */
	TA_TINY_SPANS_ALLOC,	/* spans taken from the page allocator */
	TA_TINY_SPANS_FREED,	/* spans given back to it */
	TA_TINY_ALLOC_FAILS,	/* tiny requests that got NULL */
	TA_KMALLOC_ALLOCS,	/* requests served by kmalloc */
	TA_KMALLOC_FREES,	/* ... and freed */
	TA_KMALLOC_FAILS,	/* kmalloc returned NULL */
	TA_INVALID_FREES,	/* frees refused */
	TA_NR_STATS,
};

struct ta_stats {
	unsigned long v[TA_NR_STATS];
};

static inline void ta_stat_inc(struct ta_stats __percpu *s, enum ta_stat i)
{
	this_cpu_inc(s->v[i]);
}

static inline unsigned long ta_stat_cpu(struct ta_stats __percpu *s,
					unsigned int cpu, enum ta_stat i)
{
	return READ_ONCE(per_cpu_ptr(s, cpu)->v[i]);
}

unsigned long ta_stat_sum(struct ta_stats __percpu *s, enum ta_stat i);

#endif /* _TINYALLOC_STATS_H */
