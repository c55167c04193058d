/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stacks: Go's order-indexed stack pools with per-CPU caches, and a
 * large-stack path above them.  One instance per FIXED_STACK; the module
 * runs one, the KUnit suites make private ones.
 */
#ifndef _TINYALLOC_STACK_H
#define _TINYALLOC_STACK_H

#include <linux/cache.h>
#include <linux/list.h>
#include <linux/local_lock.h>
#include <linux/minmax.h>
#include <linux/mmzone.h>
#include <linux/rcupdate.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "compat.h"
#include "ctx.h"
#include "stats.h"
#include "tinyalloc.h"

#define TA_STACK_ORDERS		4
/* struct ta_stack_span.order of a stack with pages of its own. */
#define TA_STACK_OWN		(TA_STACK_ORDERS + 1)
/* Flags only pages of a stack's own can honour (span_gfp.h). */
#define TA_STACK_GFP_OWN	(__GFP_ACCOUNT | __GFP_DMA | __GFP_DMA32)
#define TA_STACK_CACHE_SIZE	SZ_32K		/* also the least pool span */
/*
 * A pool span holds TA_STACK_CACHE_SIZE, or TA_STACK_SPAN_STACKS stacks
 * where they are larger, up to TA_STACK_SPAN_MAX: what a span costs
 * beside its stacks (the page allocator's call, the descriptor, the map)
 * is then shared by at least 4 (stack.c).
 */
#define TA_STACK_SPAN_STACKS	4
#define TA_STACK_SPAN_MAX	SZ_64K
#define TA_STACK_LARGE_LISTS	(TA_MAX_PAGE_ORDER + 1)
/* The largest order must fit a span: FIXED_STACK <= 4 KiB, even with bigger pages. */
#define TA_STACK_FIXED_MAX	min_t(unsigned long, PAGE_SIZE, \
				      TA_STACK_CACHE_SIZE >> (TA_STACK_ORDERS - 1))

/**
 * struct ta_stack_span - where a pool span or a large stack is
 * @list: pool span: on its order's list while it has stacks in the pool;
 *        large stack: on its free list while cached
 * @owner: the instance
 * @base: first address
 * @pool: stacks in the pool (bit per stack), under the order's lock
 * @live: stacks handed out to callers (bit per stack), atomic bitops
 * @canary: stack_debug: stacks handed out with a canary at lo (those
 *          without were asked zeroed), atomic bitops
 * @fresh: stacks never handed out since the page allocator zeroed the
 *         span (init_on_alloc): not zeroed again (bit per stack), atomic
 *         bitops
 * @order: pool order, TA_STACK_ORDERS for a large stack, or TA_STACK_OWN
 *         for a stack with pages of its own (given back at free)
 * @page_order: page order of the memory
 * @node: NUMA node of the memory
 * @freed_at: large stack: jiffies when it was freed onto its free list
 * @stack_shift: log2 of the size of its stacks (a large or own stack's,
 *               set as it is handed out, may be smaller than its memory
 *               with pages over 4 KiB)
 * @stacks: pool span: how many stacks it holds, from its start (its
 *          memory may hold more with pages over 32 KiB)
 * @mapped: found through the span map, not the xarray (stack.c)
 * @rcu: frees the descriptor after lookups that may still hold it
 *
 * Kept outside the memory it describes: a stack has nothing hidden on
 * either side.  The private word of a first page (its head page, or the
 * first page of each of a pool span's pieces) or a global xarray keyed
 * by its first pfn leads to it (stack.c).
 */
struct ta_stack_span {
	struct list_head list;
	struct ta_stack *owner;
	unsigned long base;
	unsigned long pool;
	unsigned long live;
	unsigned long canary;
	unsigned long fresh;
	unsigned long freed_at;
	u8 order;
	u8 page_order;
	u8 stack_shift;
	u8 stacks;
	bool mapped;
	u16 node;
	struct rcu_head rcu;
};

/* FIXED_STACK's least, and so the most stacks a cache can hold. */
#define TA_STACK_FIXED_MIN	1024
#define TA_STACK_CACHE_MAX	(TA_STACK_CACHE_SIZE / TA_STACK_FIXED_MIN)

/* A free stack in a CPU's cache, and its span: taking it needs no lookup. */
struct ta_cached_stack {
	unsigned long lo;
	struct ta_stack_span *span;
};

/*
 * A CPU's free stacks of one order, in an array beside them: nothing is
 * written into a free stack, so a burst touches none of their memory.
 * It holds at most TA_STACK_CACHE_SIZE bytes (stack.c).
 */
struct ta_stack_cache {
	unsigned int nr;
	unsigned int bytes;
	struct ta_cached_stack stack[TA_STACK_CACHE_MAX];
};

/* A CPU's caches, for each kind of context (ctx.h). */
struct ta_stack_cpu {
	local_lock_t lock;
	struct ta_stack_cache cache[TA_NR_CTX][TA_STACK_ORDERS];
};

/* Bytes of stacks of an order a CPU caches, in every context's cache. */
static inline unsigned int ta_stack_cpu_cached(struct ta_stack_cpu *sc,
					       unsigned int order)
{
	unsigned int x, bytes = 0;

	for (x = 0; x < TA_NR_CTX; x++)
		bytes += READ_ONCE(sc->cache[x][order].bytes);
	return bytes;
}

/* Per-order counters for the stacks file, per CPU and kind of context. */
struct ta_stack_order_stats {
	unsigned long allocs[TA_NR_CTX][TA_STACK_ORDERS];
	unsigned long frees[TA_NR_CTX][TA_STACK_ORDERS];
};

/**
 * struct ta_stack_pool - the pool of one order on one NUMA node
 * @lock: protects the fields below and its spans' @pool bits
 * @spans: spans with stacks in the pool; empty ones at the tail
 * @nr_spans: spans of this order
 * @nr_free: stacks in the pool
 * @nr_empty: spans whose stacks are all in the pool
 */
struct ta_stack_pool {
	spinlock_t lock;		/* see above */
	struct list_head spans;
	unsigned long nr_spans;
	unsigned long nr_free;
	unsigned int nr_empty;
} ____cacheline_aligned_in_smp;

/**
 * struct ta_stack - a stack allocator instance
 * @fixed: FIXED_STACK, the size of order 0
 * @fixed_shift: log2(@fixed)
 * @debug: poison freed stacks and check a canary at lo on free
 * @keep_empty: empty spans kept per order
 * @span_shift: per pool order, log2 of the bytes of a span
 * @cpu: per-CPU caches
 * @stats: per-CPU counters
 * @order_stats: per-CPU per-order counters
 * @pools: one pool per node and order, see ta_stack_pool()
 * @large_lock: protects @large_free and @large_cached
 * @large_free: cached large stacks, indexed by page order
 * @large_cached: how many are on each list
 */
struct ta_stack {
	unsigned int fixed;
	unsigned int fixed_shift;
	bool debug;
	unsigned int keep_empty;
	u8 span_shift[TA_STACK_ORDERS];
	struct ta_stack_cpu __percpu *cpu;
	struct ta_stats __percpu *stats;
	struct ta_stack_order_stats __percpu *order_stats;
	struct ta_stack_pool *pools;
	spinlock_t large_lock;		/* see above */
	struct list_head large_free[TA_STACK_LARGE_LISTS];
	unsigned long large_cached[TA_STACK_LARGE_LISTS];
};

/* A node's pool of an order: a CPU takes stacks only from its own node's. */
static inline struct ta_stack_pool *ta_stack_pool(struct ta_stack *st,
						  int node, unsigned int order)
{
	return &st->pools[node * TA_STACK_ORDERS + order];
}

/* Page order of a pool span of @order. */
static inline unsigned int ta_stack_span_order(struct ta_stack *st,
					       unsigned int order)
{
	return max_t(int, st->span_shift[order] - PAGE_SHIFT, 0);
}

/* Pages of a pool span of @order. */
static inline unsigned long ta_stack_span_pages(struct ta_stack *st,
						unsigned int order)
{
	return 1UL << ta_stack_span_order(st, order);
}

struct ta_stack *ta_stack_create(unsigned int fixed, bool debug);
void ta_stack_destroy(struct ta_stack *st);
int __ta_stack_alloc(struct ta_stack *st, struct tinyalloc_stack *stk,
		     size_t size, gfp_t gfp, unsigned long ip);
int ta_stack_alloc(struct ta_stack *st, struct tinyalloc_stack *stk,
		   size_t size, gfp_t gfp);
bool ta_stack_free(struct tinyalloc_stack *stk, unsigned long ip);
void ta_stack_drain_cpu(struct ta_stack *st, unsigned int cpu);
void ta_stack_drain_local(struct ta_stack *st);
unsigned long ta_stack_large_count(struct ta_stack *st);
unsigned long ta_stack_large_scan(struct ta_stack *st, unsigned long pages);
void ta_stack_large_release_older(struct ta_stack *st, unsigned long before);
unsigned long ta_stack_cached(struct ta_stack *st, unsigned int order);
unsigned long ta_stack_spans(struct ta_stack *st, int node, unsigned int order);
unsigned long ta_stack_pooled(struct ta_stack *st, unsigned int order);
int ta_stack_order(struct ta_stack *st, size_t size);

#endif /* _TINYALLOC_STACK_H */
