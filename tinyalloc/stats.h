/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-CPU event counters.  Each CPU writes only its own counters, so
 * nothing on a fast path touches a shared cache line; readers sum them.
 */
#ifndef _TINYALLOC_STATS_H
#define _TINYALLOC_STATS_H

#include <linux/irqflags.h>
#include <linux/percpu.h>
#include <linux/preempt.h>

enum ta_stat {
	TA_TINY_ALLOCS,		/* tiny objects handed out */
	TA_TINY_COMBINED,	/* ... of which from an existing block */
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
 * Three slots per counter, one for each way of bumping it, so that no two
 * ways ever race on one slot: @locked under a local lock, @task from task
 * context with preemption off, @irq from interrupts and softirqs.
 */
struct ta_stats {
	unsigned long locked[TA_NR_STATS];
	unsigned long task[TA_NR_STATS];
	unsigned long irq[TA_NR_STATS];
};

/*
 * Count an event outside the local lock, in any context.  this_cpu_inc()
 * alone would do, but where the arch has no per-CPU increment instruction
 * it saves and restores IRQs, and on UML that was 8 of a tiny free's
 * 26 ns.  Task context bumps its own slot with preemption off instead:
 * what may interrupt it counts in another.
 */
static __always_inline void ta_stat_inc(struct ta_stats __percpu *s,
					enum ta_stat i)
{
	if (in_task()) {
		preempt_disable();
		__this_cpu_inc(s->task[i]);
		preempt_enable();
	} else {
		this_cpu_inc(s->irq[i]);
	}
}

/* Count an event in task context with preemption already off. */
static __always_inline void __ta_stat_inc_task(struct ta_stats __percpu *s,
					       enum ta_stat i)
{
	__this_cpu_inc(s->task[i]);
}

/* Add @n (may wrap, to subtract) to a counter outside the local lock. */
static __always_inline void ta_stat_add(struct ta_stats __percpu *s,
					enum ta_stat i, unsigned long n)
{
	this_cpu_add(s->irq[i], n);
}

/*
 * For counters bumped under a local lock: other tasks on this CPU cannot
 * touch the slot meanwhile, so the increment need not be IRQ-safe.
 */
static __always_inline void __ta_stat_inc(struct ta_stats __percpu *s,
					  enum ta_stat i)
{
	__this_cpu_inc(s->locked[i]);
}

/*
 * Count an event with the CPU's per-CPU state owned: under the local lock
 * (@locked), else in task context with preemption off (ctx.h).
 */
static __always_inline void __ta_stat_inc_owned(struct ta_stats __percpu *s,
						enum ta_stat i, bool locked)
{
	if (locked)
		__ta_stat_inc(s, i);
	else
		__ta_stat_inc_task(s, i);
}

static inline unsigned long ta_stat_cpu(struct ta_stats __percpu *s,
					unsigned int cpu, enum ta_stat i)
{
	struct ta_stats *c = per_cpu_ptr(s, cpu);

	return READ_ONCE(c->locked[i]) + READ_ONCE(c->task[i]) +
	       READ_ONCE(c->irq[i]);
}

unsigned long ta_stat_sum(struct ta_stats __percpu *s, enum ta_stat i);

#endif /* _TINYALLOC_STATS_H */
