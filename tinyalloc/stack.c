// SPDX-License-Identifier: GPL-2.0
/*
 * Stacks: Go's stack allocator (runtime/stack.go) on alloc_pages.
 *
 * Stacks of FIXED_STACK << order bytes, order 0..3, come from a pool per
 * order (Go's is global; here there is one per NUMA node, so that a CPU's
 * stacks are on its own node): a list of spans that still have free
 * stacks, under one lock per pool on its own cache line.  A span is
 * 32 KiB as Go's, or 4 stacks where they are larger, up to 64 KiB
 * (stack.h; 32 KiB when the page allocator has no larger block free).
 * In front of the pools each CPU keeps a cache per order, an array of free
 * stacks and their spans (Go links them through their first word; an
 * array writes nothing into them): an empty cache refills from its node's
 * pool up to 16 KiB, and a free into a cache holding 32 KiB or more first
 * releases it down to 16 KiB.  A stack freed on another node goes straight
 * back to its own node's pool.  A span whose stacks are all back in the
 * pool is returned to the page allocator, except for keep_empty (1) per
 * pool, so that a workload oscillating around a span boundary does not
 * hit the page allocator every time.
 *
 * Larger stacks come from alloc_pages of the needed order.  Freed ones
 * wait on free lists indexed by page order for reuse; the scavenger (after
 * a period), the shrinker and the module's exit give them back.
 *
 * A stack whose gfp asks for what shared memory cannot give (__GFP_ACCOUNT,
 * a zone: span_gfp.h), and a pool stack when no pool span can be had, get
 * pages of their own with the caller's flags, given back at free.
 *
 * Nothing is hidden in or around a stack: a span's description lives in
 * a struct ta_stack_span, found through the span map's stack bits and the
 * private word of a first page (spanmap.h), or for memory smaller than
 * a piece of the map, an xarray keyed by its first pfn.  So a free is
 * validated (foreign, wrong size, misaligned, double free) without
 * touching the memory it names.
 */

#define pr_fmt(fmt) "tinyalloc: " fmt

#include <linux/gfp.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/topology.h>
#include <linux/xarray.h>

#include "compat.h"
#include "kasan.h"
#include "leak.h"
#include "report.h"
#include "span_gfp.h"
#include "spanmap.h"
#include "stack.h"
#include "trace.h"

#define TA_STACK_KEEP_EMPTY	1
#define TA_STACK_POISON		0xfd

/* First pfn of stack memory not in the span map -> its ta_stack_span. */
static DEFINE_XARRAY_FLAGS(ta_stack_xa, XA_FLAGS_LOCK_IRQ);
static unsigned long ta_stack_secret;

static unsigned long ta_stack_bytes(struct ta_stack *st, unsigned int order)
{
	return (unsigned long)st->fixed << order;
}

/* The memory of a span. */
static unsigned long ta_span_bytes(const struct ta_stack_span *span)
{
	return PAGE_SIZE << span->page_order;
}

/* The end of its stacks: a pool span may not use all of its memory. */
static unsigned long ta_span_end(const struct ta_stack_span *span)
{
	if (span->order < TA_STACK_ORDERS)
		return span->base + ((unsigned long)span->stacks <<
				      span->stack_shift);
	return span->base + ta_span_bytes(span);
}

/* The canary stack_debug keeps at lo, different for every stack. */
static unsigned long ta_stack_canary(unsigned long lo)
{
	return lo ^ ta_stack_secret;
}

/**
 * ta_stack_order() - the pool order of a size
 * @st: the instance
 * @size: bytes, at least 1
 *
 * Return: log2 of @size rounded up to a power of two and to at least
 * FIXED_STACK, over FIXED_STACK; TA_STACK_ORDERS or more for large stacks.
 */
int ta_stack_order(struct ta_stack *st, size_t size)
{
	if (size <= st->fixed)
		return 0;
	return order_base_2(size) - st->fixed_shift;
}
EXPORT_SYMBOL_TA_INTERNAL(ta_stack_order);

/* ---- the span index ---- */

/*
 * Name @desc where ta_stack_map_lookup() reads it for each piece of
 * @span: a large or own stack is a compound page, whose head names all
 * of it (the words of its tail pages are the page allocator's); a pool
 * span is not, and the first page of each of its pieces names it.
 */
static inline void ta_span_name(struct ta_stack_span *span,
				unsigned long desc)
{
	unsigned long piece = span->base;

	if (span->order >= TA_STACK_ORDERS) {
		set_page_private(virt_to_page((void *)piece), desc);
		return;
	}
	do {
		set_page_private(virt_to_page((void *)piece), desc);
		piece += 1UL << TA_SPAN_SHIFT;
	} while (piece < span->base + ta_span_bytes(span));
}

/*
 * Memory of whole pieces of the span map (every pool span, and large
 * stacks but with FIXED_STACK 1024) is found through the map and a first
 * page; smaller stacks of their own pages, and large or own stacks beyond
 * the map, through the xarray.  A pool span beyond the map is refused:
 * its stack is then one of its own.
 */
static int ta_stack_index(struct ta_stack_span *span, gfp_t gfp)
{
	unsigned long pfn = PHYS_PFN(__pa(span->base));
	unsigned long bytes = ta_span_bytes(span), flags;
	void *old;

	if (IS_ALIGNED(bytes, 1UL << TA_SPAN_SHIFT)) {
		ta_span_name(span, (unsigned long)span);
		span->mapped = ta_stack_map_set((void *)span->base, bytes);
		if (span->mapped)
			return 0;
		ta_span_name(span, 0);
	}
	/* Found in the xarray through its head page: a pool span has none. */
	if (span->order < TA_STACK_ORDERS)
		return -ENOMEM;
	if (gfpflags_allow_blocking(gfp))
		return xa_err(xa_store_irq(&ta_stack_xa, pfn, span, gfp));
	xa_lock_irqsave(&ta_stack_xa, flags);
	old = __xa_store(&ta_stack_xa, pfn, span, gfp);
	xa_unlock_irqrestore(&ta_stack_xa, flags);
	return xa_err(old);
}

static void ta_stack_unindex(struct ta_stack_span *span)
{
	unsigned long flags;

	if (span->mapped) {
		ta_stack_map_clear((void *)span->base, ta_span_bytes(span));
		ta_span_name(span, 0);
		return;
	}
	xa_lock_irqsave(&ta_stack_xa, flags);
	__xa_erase(&ta_stack_xa, PHYS_PFN(__pa(span->base)));
	xa_unlock_irqrestore(&ta_stack_xa, flags);
}

/* The span or large stack holding @lo, reading only the index. */
static struct ta_stack_span *ta_stack_lookup(unsigned long lo)
{
	struct ta_stack_span *span = ta_stack_map_lookup((void *)lo);
	unsigned long pfn;

	if (!span) {
		if (xa_empty(&ta_stack_xa) || !virt_addr_valid((void *)lo))
			return NULL;
		/* Large and own stacks are compound, indexed by their head. */
		pfn = page_to_pfn(virt_to_head_page((void *)lo));
		span = xa_load(&ta_stack_xa, pfn);
	}
	if (span && (lo < span->base || lo >= ta_span_end(span)))
		return NULL;
	return span;
}

/*
 * A span of @page_order pages from @page_gfp, for stacks of @order (a
 * pool order, TA_STACK_ORDERS for a large stack, TA_STACK_OWN) and of
 * 1 << @stack_shift bytes, its descriptor and index entry from the
 * caller's @gfp.  Whole before it is indexed: a bad free may find it
 * from then on.
 */
static struct ta_stack_span *ta_span_new(struct ta_stack *st,
					 unsigned int order,
					 unsigned int page_order,
					 unsigned int stack_shift,
					 gfp_t page_gfp, gfp_t gfp)
{
	struct ta_stack_span *span;
	struct page *page;
	int node = numa_mem_id();

	gfp = ta_meta_gfp(gfp);
	span = kzalloc_node(sizeof(*span), gfp, node);
	if (!span)
		return NULL;
	/* Only a stack of its own is the caller's for good (compat.h). */
	page_gfp &= ~__GFP_ZERO;
	if (order == TA_STACK_OWN)
		page = ta_alloc_pages(node, page_gfp, page_order);
	else if (order == TA_STACK_ORDERS)
		page = TA_OWN_LINE(ta_alloc_pages(node, page_gfp, page_order));
	else	/* A pool span is not compound: no tail pages to check at free. */
		page = TA_OWN_LINE(alloc_pages_node_noprof(node, page_gfp & ~__GFP_COMP,
							   page_order));
	if (!page)
		goto err_span;
	INIT_LIST_HEAD(&span->list);
	span->owner = st;
	span->base = (unsigned long)page_address(page);
	span->order = order;
	span->page_order = page_order;
	span->stack_shift = stack_shift;
	if (order < TA_STACK_ORDERS)
		span->stacks = min(PAGE_SIZE << page_order,
				   1UL << st->span_shift[order]) >> stack_shift;
	span->node = page_to_nid(page);
	/* As alloc_pages() hands them out: zeroed, or zeroed when freed. */
	if (want_init_on_alloc(page_gfp))
		span->fresh = ~0UL;
	if (ta_stack_index(span, gfp))
		goto err_page;
	return span;

err_page:
	__free_pages(page, page_order);
err_span:
	kfree(span);
	return NULL;
}

/*
 * A double free may look the span up while it goes: the descriptor
 * outlives an RCU grace period, and such a free finds its live bit clear.
 * The pages need not wait (ta_stack_map_lookup()).
 */
static void ta_span_release(struct ta_stack_span *span)
{
	ta_stack_unindex(span);
	__free_pages(virt_to_page((void *)span->base), span->page_order);
	kfree_rcu(span, rcu);
}

/* ---- the pools ---- */

static unsigned long ta_span_all(const struct ta_stack_span *span)
{
	return GENMASK(span->stacks - 1, 0);
}

/* A new span's stacks are all free: poisoned, counted, not pooled yet. */
static void ta_pool_new_span(struct ta_stack *st, struct ta_stack_span *span)
{
	ta_kasan_poison((void *)span->base, ta_span_end(span) - span->base,
			TA_KASAN_FREE);
	ta_stat_inc(st->stats, TA_STACK_SPANS_ALLOC);
	ta_stat_add(st->stats, TA_STACK_SPAN_PAGES, 1UL << span->page_order);
}

/*
 * A new pool span of @order.  Where the page allocator has no block of a
 * 64 KiB span free, a 32 KiB span, as Go's, rather than pages of the
 * stack's own (span_gfp.h: the larger one wakes no kswapd).
 */
static struct ta_stack_span *ta_pool_span_new(struct ta_stack *st,
					      unsigned int order, gfp_t gfp)
{
	unsigned int page_order = ta_stack_span_order(st, order);
	unsigned int least = get_order(TA_STACK_CACHE_SIZE);
	unsigned int shift = st->fixed_shift + order;
	struct ta_stack_span *span;

	if (page_order == least)
		return ta_span_new(st, order, least, shift, ta_span_gfp(gfp),
				   gfp);
	span = ta_span_new(st, order, page_order, shift,
			   ta_span_gfp_larger(gfp), gfp);
	return span ?: ta_span_new(st, order, least, shift, ta_span_gfp(gfp),
				   gfp);
}

/* Put a new span's stacks in @pool, its node's, under its lock. */
static void __ta_pool_add_span(struct ta_stack *st, struct ta_stack_pool *pool,
			       struct ta_stack_span *span)
{
	span->pool = ta_span_all(span);
	list_add(&span->list, &pool->spans);
	pool->nr_spans++;
	pool->nr_empty++;
	pool->nr_free += span->stacks;
}

static void ta_pool_add_span(struct ta_stack *st, struct ta_stack_span *span)
{
	struct ta_stack_pool *pool = ta_stack_pool(st, span->node, span->order);
	unsigned long flags;

	spin_lock_irqsave(&pool->lock, flags);
	__ta_pool_add_span(st, pool, span);
	spin_unlock_irqrestore(&pool->lock, flags);
}

static void ta_cache_push(struct ta_stack_cache *c, unsigned long lo,
			  unsigned long bytes, struct ta_stack_span *span)
{
	/* At most 32 KiB of stacks of at least TA_STACK_FIXED_MIN. */
	VM_WARN_ON_ONCE(c->nr >= TA_STACK_CACHE_MAX);
	c->stack[c->nr].lo = lo;
	c->stack[c->nr].span = span;
	c->nr++;
	c->bytes += bytes;
}

static unsigned long ta_cache_pop(struct ta_stack_cache *c,
				  unsigned long bytes,
				  struct ta_stack_span **span)
{
	struct ta_cached_stack *s = &c->stack[--c->nr];

	c->bytes -= bytes;
	*span = s->span;
	return s->lo;
}

/*
 * Move stacks from a node's pool into a cache, up to half its size (Go);
 * @new, a new span of that node or NULL, joins the pool first, under the
 * same lock.
 */
static void ta_pool_refill(struct ta_stack *st, int node, unsigned int order,
			   struct ta_stack_cache *c, struct ta_stack_span *new)
{
	struct ta_stack_pool *pool = ta_stack_pool(st, node, order);
	unsigned long bytes = ta_stack_bytes(st, order);
	struct ta_stack_span *span;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&pool->lock, flags);
	if (new)
		__ta_pool_add_span(st, pool, new);
	while (c->bytes < TA_STACK_CACHE_SIZE / 2) {
		span = list_first_entry_or_null(&pool->spans,
						struct ta_stack_span, list);
		if (!span)
			break;
		if (span->pool == ta_span_all(span))
			pool->nr_empty--;
		i = __ffs(span->pool);
		__clear_bit(i, &span->pool);
		if (!span->pool)
			list_del_init(&span->list);
		pool->nr_free--;
		ta_cache_push(c, span->base + i * bytes, bytes, span);
	}
	spin_unlock_irqrestore(&pool->lock, flags);
}

/*
 * Give a stack back to its span, under the pool lock.  A span with no
 * stack out is kept at the tail up to keep_empty, else moved to @dead.
 */
static void ta_pool_put(struct ta_stack *st, struct ta_stack_pool *pool,
			struct ta_stack_span *span, unsigned long lo,
			struct list_head *dead)
{
	if (!span->pool)
		list_add(&span->list, &pool->spans);
	__set_bit((lo - span->base) >> span->stack_shift, &span->pool);
	pool->nr_free++;
	if (span->pool != ta_span_all(span))
		return;
	if (pool->nr_empty < st->keep_empty) {
		pool->nr_empty++;
		list_move_tail(&span->list, &pool->spans);
		return;
	}
	list_move(&span->list, dead);
	pool->nr_spans--;
	pool->nr_free -= span->stacks;
}

static void __ta_release_dead(struct ta_stack *st, struct list_head *dead)
{
	struct ta_stack_span *span, *next;

	list_for_each_entry_safe(span, next, dead, list) {
		ta_stat_inc(st->stats, TA_STACK_SPANS_FREED);
		ta_stat_add(st->stats, TA_STACK_SPAN_PAGES_FREED,
			    1UL << span->page_order);
		ta_span_release(span);
	}
}

/* Spans a free emptied: rare, so a free pays only the test. */
static __always_inline void ta_release_dead(struct ta_stack *st,
					    struct list_head *dead)
{
	if (unlikely(!list_empty(dead)))
		__ta_release_dead(st, dead);
}

/*
 * Release a cache's stacks to their pools until it holds at most @keep
 * bytes, the last cached first, as Go does.  They are nearly always from
 * one node, so one pass under one lock; a stack from another (the page
 * allocator fell back, or the task moved) waits for a pass under its own
 * node's lock.
 */
static void ta_cache_release(struct ta_stack *st, unsigned int order,
			     struct ta_stack_cache *c, unsigned int keep,
			     struct list_head *dead)
{
	unsigned long bytes = ta_stack_bytes(st, order), flags;
	unsigned int keep_nr = keep / bytes, i;
	struct ta_stack_pool *pool;
	struct ta_cached_stack *s;
	int node;

	while (c->nr > keep_nr) {
		node = c->stack[c->nr - 1].span->node;
		pool = ta_stack_pool(st, node, order);
		spin_lock_irqsave(&pool->lock, flags);
		for (i = c->nr; i-- > keep_nr;) {
			s = &c->stack[i];
			if (s->span->node != node)
				continue;
			ta_pool_put(st, pool, s->span, s->lo, dead);
			/* The last one, looked at already, takes its place. */
			*s = c->stack[--c->nr];
			c->bytes -= bytes;
		}
		spin_unlock_irqrestore(&pool->lock, flags);
	}
}

/* Own the calling CPU's state of context @x (ctx.h); return IRQ flags. */
static __always_inline unsigned long ta_cpu_get(struct ta_stack *st,
						enum ta_ctx x)
{
	unsigned long flags = 0;

	if (x == TA_CTX_TASK)
		preempt_disable();
	else
		local_lock_irqsave(&st->cpu->lock, flags);
	return flags;
}

static __always_inline void ta_cpu_put(struct ta_stack *st, enum ta_ctx x,
				       unsigned long flags)
{
	if (x == TA_CTX_TASK)
		preempt_enable();
	else
		local_unlock_irqrestore(&st->cpu->lock, flags);
}

/*
 * Count a pool stack handed out or back, in the slots of context @x: the
 * CPU's state is owned, so no increment need be IRQ-safe.
 */
static __always_inline void ta_pool_count(struct ta_stack *st, enum ta_ctx x,
					  unsigned int order, bool alloc)
{
	struct ta_stack_order_stats *os = this_cpu_ptr(st->order_stats);
	enum ta_stat i = alloc ? TA_STACK_ALLOCS : TA_STACK_FREES;

	if (alloc)
		os->allocs[x][order]++;
	else
		os->frees[x][order]++;
	ta_stat_inc(st->stats, i);
}

static unsigned long ta_pool_alloc(struct ta_stack *st, unsigned int order,
				   gfp_t gfp, struct ta_stack_span **spanp)
{
	bool blocking = gfpflags_allow_blocking(gfp);
	unsigned long bytes = ta_stack_bytes(st, order), lo = 0, flags;
	enum ta_ctx x = ta_ctx_current();
	struct ta_stack_span *span = NULL;
	struct ta_stack_cache *c;
	int node = NUMA_NO_NODE;

	for (;;) {
		flags = ta_cpu_get(st, x);
		c = &this_cpu_ptr(st->cpu)->cache[x][order];
		/* A new span (from the last turn) joins its pool as it refills. */
		if (!c->nr)
			ta_pool_refill(st, node == NUMA_NO_NODE ?
				       numa_mem_id() : node, order, c, span);
		else if (span)
			ta_pool_add_span(st, span);
		if (c->nr) {
			lo = ta_cache_pop(c, bytes, spanp);
			ta_pool_count(st, x, order, true);
			ta_cpu_put(st, x, flags);
			return lo;
		}
		/* The pool is empty: a new span, outside the lock if it may sleep. */
		if (blocking)
			ta_cpu_put(st, x, flags);
		span = ta_pool_span_new(st, order, gfp);
		if (span)
			ta_pool_new_span(st, span);
		if (!blocking)
			ta_cpu_put(st, x, flags);
		if (!span)
			return 0;
		/* Refill where the page allocator found memory, maybe not here. */
		node = span->node;
	}
}

static void ta_pool_free(struct ta_stack *st, struct ta_stack_span *span,
			 unsigned long lo)
{
	enum ta_ctx x = ta_ctx_current();
	unsigned int order = span->order;
	struct ta_stack_pool *pool;
	struct ta_stack_cache *c;
	unsigned long flags;
	LIST_HEAD(dead);

	/* Another node's stack goes home rather than into this CPU's cache. */
	if (span->node != numa_mem_id()) {
		pool = ta_stack_pool(st, span->node, order);
		spin_lock_irqsave(&pool->lock, flags);
		ta_pool_put(st, pool, span, lo, &dead);
		spin_unlock_irqrestore(&pool->lock, flags);
		ta_stat_inc(st->stats, TA_STACK_REMOTE_FREES);
		flags = ta_cpu_get(st, x);
		ta_pool_count(st, x, order, false);
		ta_cpu_put(st, x, flags);
		ta_release_dead(st, &dead);
		return;
	}
	flags = ta_cpu_get(st, x);
	ta_pool_count(st, x, order, false);
	c = &this_cpu_ptr(st->cpu)->cache[x][order];
	if (c->bytes >= TA_STACK_CACHE_SIZE)
		ta_cache_release(st, order, c, TA_STACK_CACHE_SIZE / 2, &dead);
	ta_cache_push(c, lo, ta_stack_bytes(st, order), span);
	ta_cpu_put(st, x, flags);
	ta_release_dead(st, &dead);
}

/* ---- large stacks ---- */

/* Hand out large or own stack @span, of @size bytes. */
static unsigned long ta_large_hand_out(struct ta_stack *st,
				       struct ta_stack_span *span, size_t size,
				       struct ta_stack_span **spanp)
{
	/* With pages over 4 KiB a large stack may be smaller than its pages. */
	span->stack_shift = ilog2(size);
	ta_stat_inc(st->stats, TA_STACK_LARGE_ALLOCS);
	*spanp = span;
	return span->base;
}

/* A large (@order TA_STACK_ORDERS) or own stack on new pages. */
static unsigned long ta_large_new(struct ta_stack *st, unsigned int order,
				  size_t size, gfp_t page_gfp, gfp_t gfp,
				  struct ta_stack_span **spanp)
{
	unsigned int page_order = get_order(size);
	struct ta_stack_span *span;

	span = ta_span_new(st, order, page_order, ilog2(size), page_gfp, gfp);
	if (!span)
		return 0;
	ta_stat_add(st->stats, TA_STACK_LARGE_PAGES, 1UL << page_order);
	return ta_large_hand_out(st, span, size, spanp);
}

static unsigned long ta_large_alloc_stack(struct ta_stack *st, size_t size,
					  gfp_t gfp, struct ta_stack_span **spanp)
{
	unsigned int page_order = get_order(size);
	struct ta_stack_span *span;
	unsigned long flags;

	spin_lock_irqsave(&st->large_lock, flags);
	span = list_first_entry_or_null(&st->large_free[page_order],
					struct ta_stack_span, list);
	if (span) {
		list_del_init(&span->list);
		st->large_cached[page_order]--;
	}
	spin_unlock_irqrestore(&st->large_lock, flags);
	if (span) {
		ta_stat_inc(st->stats, TA_STACK_LARGE_REUSED);
		return ta_large_hand_out(st, span, size, spanp);
	}
	/* Cached for reuse by anyone: no caller's own flags. */
	return ta_large_new(st, TA_STACK_ORDERS, size, ta_meta_gfp(gfp), gfp,
			    spanp);
}

/* A large or own stack's pages go back to the page allocator. */
static void ta_large_release(struct ta_stack *st, struct ta_stack_span *span)
{
	unsigned long pages = 1UL << span->page_order;

	ta_span_release(span);
	ta_stat_inc(st->stats, TA_STACK_LARGE_RELEASED);
	ta_stat_add(st->stats, TA_STACK_LARGE_PAGES_FREED, pages);
}

/*
 * A stack with pages of its own, from the caller's flags but those no
 * stack can have (movable or highmem pages, zeroed here if asked).
 * Counted with the large stacks; given back at free.
 */
static unsigned long ta_own_alloc_stack(struct ta_stack *st, size_t size,
					gfp_t gfp, struct ta_stack_span **spanp)
{
	gfp_t page_gfp = gfp & ~(__GFP_MOVABLE | __GFP_HIGHMEM);

	/* Both zones is no zone to the page allocator: ZONE_DMA, as kmalloc. */
	if (page_gfp & __GFP_DMA)
		page_gfp &= ~__GFP_DMA32;
	return ta_large_new(st, TA_STACK_OWN, size, page_gfp, gfp, spanp);
}

static void ta_own_free_stack(struct ta_stack *st, struct ta_stack_span *span)
{
	ta_stat_inc(st->stats, TA_STACK_LARGE_FREES);
	ta_large_release(st, span);
}

static void ta_large_free_stack(struct ta_stack *st,
				struct ta_stack_span *span)
{
	unsigned long flags;

	span->freed_at = jiffies;
	spin_lock_irqsave(&st->large_lock, flags);
	list_add(&span->list, &st->large_free[span->page_order]);
	st->large_cached[span->page_order]++;
	spin_unlock_irqrestore(&st->large_lock, flags);
	ta_stat_inc(st->stats, TA_STACK_LARGE_FREES);
}

/**
 * ta_stack_large_release_older() - release large stacks cached since
 * before a time
 * @st: the instance
 * @before: jiffies; stacks freed before it go back to the page allocator
 *
 * The free lists are newest first, so each is cut at its tail.
 */
void ta_stack_large_release_older(struct ta_stack *st, unsigned long before)
{
	struct ta_stack_span *span, *prev;
	unsigned long flags;
	unsigned int i;
	LIST_HEAD(old);

	spin_lock_irqsave(&st->large_lock, flags);
	for (i = 0; i < TA_STACK_LARGE_LISTS; i++) {
		list_for_each_entry_safe_reverse(span, prev, &st->large_free[i],
						 list) {
			if (time_after_eq(span->freed_at, before))
				break;
			list_move(&span->list, &old);
			st->large_cached[i]--;
		}
	}
	spin_unlock_irqrestore(&st->large_lock, flags);
	list_for_each_entry_safe(span, prev, &old, list)
		ta_large_release(st, span);
}

/**
 * ta_stack_large_count() - pages of cached large stacks
 * @st: the instance
 *
 * Return: what the shrinker could give back.
 */
unsigned long ta_stack_large_count(struct ta_stack *st)
{
	unsigned long pages = 0;
	unsigned int i;

	for (i = 0; i < TA_STACK_LARGE_LISTS; i++)
		pages += READ_ONCE(st->large_cached[i]) << i;
	return pages;
}
EXPORT_SYMBOL_TA_INTERNAL(ta_stack_large_count);

/**
 * ta_stack_large_scan() - give cached large stacks back to the pages
 * @st: the instance
 * @pages: how many pages to give back at least, if there are that many
 *
 * Return: pages given back.
 */
unsigned long ta_stack_large_scan(struct ta_stack *st, unsigned long pages)
{
	struct ta_stack_span *span;
	unsigned long freed = 0, flags;
	unsigned int i;

	for (i = 0; i < TA_STACK_LARGE_LISTS && freed < pages; i++) {
		for (;;) {
			spin_lock_irqsave(&st->large_lock, flags);
			span = list_first_entry_or_null(&st->large_free[i],
							struct ta_stack_span,
							list);
			if (span) {
				list_del_init(&span->list);
				st->large_cached[i]--;
			}
			spin_unlock_irqrestore(&st->large_lock, flags);
			if (!span)
				break;
			ta_large_release(st, span);
			freed += 1UL << i;
			if (freed >= pages)
				break;
		}
	}
	return freed;
}
EXPORT_SYMBOL_TA_INTERNAL(ta_stack_large_scan);

/* ---- the API of an instance ---- */

static int ta_stack_bad_request(struct ta_stack *st, struct tinyalloc_stack *stk,
				size_t size, int err)
{
	ta_stat_inc(st->stats, TA_STACK_BAD_REQUESTS);
	pr_err_ratelimited("stack of %zu bytes refused: %s\n", size,
			   err == -EINVAL ? "size 0" : "too large for the page allocator");
	memset(stk, 0, sizeof(*stk));
	return err;
}

/* Is stack @i of @span handed out for the first time, zeroed?  Once. */
static bool ta_stack_fresh(struct ta_stack_span *span, unsigned int i)
{
	/* Only this hand-out clears the bit; others, of other stacks. */
	if (!test_bit(i, &span->fresh))
		return false;
	clear_bit(i, &span->fresh);
	return true;
}

/**
 * __ta_stack_alloc() - allocate a stack from an instance
 * @st: the instance
 * @stk: where to store the bounds
 * @size: bytes wanted
 * @gfp: allocation flags
 * @ip: the caller, for the stack_alloc event
 *
 * Return: as tinyalloc_stack_alloc().
 */
int __ta_stack_alloc(struct ta_stack *st, struct tinyalloc_stack *stk,
		     size_t size, gfp_t gfp, unsigned long ip)
{
	struct ta_stack_span *span;
	unsigned long bytes, lo;
	unsigned int i;
	int order;

	if (!size)
		return ta_stack_bad_request(st, stk, size, -EINVAL);
	if (size > PAGE_SIZE << TA_MAX_PAGE_ORDER)
		return ta_stack_bad_request(st, stk, size, -E2BIG);
	order = ta_stack_order(st, size);
	bytes = ta_stack_bytes(st, order);
	if (gfp & TA_STACK_GFP_OWN) {
		lo = ta_own_alloc_stack(st, bytes, gfp, &span);
	} else if (order < TA_STACK_ORDERS) {
		lo = ta_pool_alloc(st, order, gfp, &span);
		/* No pool span could be had (fragmentation): pages of its own. */
		if (!lo)
			lo = ta_own_alloc_stack(st, bytes, gfp, &span);
	} else {
		lo = ta_large_alloc_stack(st, bytes, gfp, &span);
	}
	if (lo && span->order >= TA_STACK_ORDERS)
		ta_stat_inc(st->stats, TA_STACK_ALLOCS);
	if (!lo) {
		ta_stat_inc(st->stats, TA_STACK_ALLOC_FAILS);
		memset(stk, 0, sizeof(*stk));
		return -ENOMEM;
	}
	/* Natural alignment rests on the direct map's: say so if it breaks. */
	WARN_ON_ONCE(lo & (bytes - 1));
	/* Live until freed: a second free of the same bounds is refused. */
	i = (lo - span->base) >> span->stack_shift;
	WARN_ON_ONCE(test_and_set_bit(i, &span->live));
	ta_kasan_unpoison((void *)lo, bytes);
	ta_leak_stack_alloc(lo, bytes, gfp);
	/*
	 * init_on_alloc as for alloc_pages(): where init_on_free zeroed the
	 * stack at its free, or the page allocator its span and no one had
	 * it since, that is not done again, as the page allocator does not.
	 */
	if (want_init_on_alloc(gfp) &&
	    !ta_stack_fresh(span, i) &&
	    (st->debug || !want_init_on_free()))
		memset((void *)lo, 0, bytes);
	/* stack_debug's canary, unless the caller was promised zeroes. */
	if (st->debug && !(gfp & __GFP_ZERO)) {
		*(unsigned long *)lo = ta_stack_canary(lo);
		set_bit(i, &span->canary);
	}
	trace_stack_alloc(ip, lo, size, bytes, gfp);
	stk->lo = lo;
	stk->hi = lo + bytes;
	return 0;
}
EXPORT_SYMBOL_TA_INTERNAL(__ta_stack_alloc);

/**
 * ta_stack_alloc() - __ta_stack_alloc() for its caller
 * @st: the instance
 * @stk: where to store the bounds
 * @size: bytes wanted
 * @gfp: allocation flags
 *
 * Return: as tinyalloc_stack_alloc().
 */
int ta_stack_alloc(struct ta_stack *st, struct tinyalloc_stack *stk,
		   size_t size, gfp_t gfp)
{
	return __ta_stack_alloc(st, stk, size, gfp, _RET_IP_);
}
EXPORT_SYMBOL_TA_INTERNAL(ta_stack_alloc);

/* Is [lo, lo + bytes) exactly one stack of @span? Report it if not. */
static bool ta_stack_bounds_ok(struct ta_stack_span *span, unsigned long lo,
			       unsigned long hi, unsigned long ip)
{
	struct ta_stack *st = span->owner;
	unsigned long bytes = hi - lo;

	if (hi <= lo || bytes != 1UL << span->stack_shift) {
		ta_report_invalid_stack(st->stats, lo, ip, "wrong size for this stack");
		return false;
	}
	if (lo & (bytes - 1)) {
		ta_report_invalid_stack(st->stats, lo, ip, "misaligned bounds");
		return false;
	}
	if (!test_and_clear_bit((lo - span->base) >> span->stack_shift,
				&span->live)) {
		ta_report_invalid_stack(st->stats, lo, ip, "not live (double free?)");
		return false;
	}
	return true;
}

/* stack_debug: report an overwritten canary, then poison the stack. */
static void ta_stack_debug_free(struct ta_stack_span *span, unsigned long lo,
				unsigned long hi, unsigned long ip)
{
	struct ta_stack *st = span->owner;
	bool canary = test_and_clear_bit((lo - span->base) >> span->stack_shift,
					 &span->canary);

	if (canary && *(unsigned long *)lo != ta_stack_canary(lo)) {
		ta_stat_inc(st->stats, TA_STACK_OVERFLOWS);
		pr_err_ratelimited("stack overflow: the canary at lo of [%p, %p) is overwritten (freed by %pS)\n",
				   (void *)lo, (void *)hi, (void *)ip);
	}
	memset((void *)lo, TA_STACK_POISON, hi - lo);
}

/**
 * ta_stack_free() - free a stack of any instance
 * @stk: its bounds
 * @ip: the caller, for error reports
 *
 * Bounds inside an instance's memory that are not one of its live stacks
 * are refused and counted there.
 *
 * Return: false if the bounds are in no instance's memory (not counted).
 */
bool ta_stack_free(struct tinyalloc_stack *stk, unsigned long ip)
{
	unsigned long lo = stk->lo, hi = stk->hi;
	struct ta_stack_span *span;
	struct ta_stack *st;
	bool ok;

	if (!lo && !hi)
		return true;
	/*
	 * The descriptor outlives a grace period: preemption off is an RCU
	 * read side for kfree_rcu() (since 4.20), one instruction where
	 * rcu_read_lock() is a call on PREEMPT_RCU, as Debian's kernels are.
	 */
	preempt_disable();
	span = ta_stack_lookup(lo);
	ok = span && ta_stack_bounds_ok(span, lo, hi, ip);
	preempt_enable();
	if (!span)
		return false;
	if (!ok)
		return true;
	/* Live until now, so its span stays until this free completes. */
	st = span->owner;
	/*
	 * init_on_free, unless stack_debug poisons (as SLUB's poisoning
	 * wins); pages of the stack's own are wiped by the page allocator.
	 */
	if (st->debug)
		ta_stack_debug_free(span, lo, hi, ip);
	else if (want_init_on_free() && span->order != TA_STACK_OWN)
		memset((void *)lo, 0, hi - lo);
	if (span->order != TA_STACK_OWN)
		ta_kasan_poison((void *)lo, hi - lo, TA_KASAN_FREE);
	ta_leak_free((void *)lo);
	trace_stack_free(ip, lo, hi - lo);
	if (span->order < TA_STACK_ORDERS) {
		ta_pool_free(st, span, lo);
	} else {
		ta_stat_inc(st->stats, TA_STACK_FREES);
		if (span->order == TA_STACK_OWN)
			ta_own_free_stack(st, span);
		else
			ta_large_free_stack(st, span);
	}
	return true;
}
EXPORT_SYMBOL_TA_INTERNAL(ta_stack_free);

/**
 * ta_stack_cached() - stacks of an order in the per-CPU caches
 * @st: the instance
 * @order: pool order
 *
 * Return: the count, racy as any statistic.
 */
unsigned long ta_stack_cached(struct ta_stack *st, unsigned int order)
{
	unsigned long bytes = 0;
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		bytes += ta_stack_cpu_cached(per_cpu_ptr(st->cpu, cpu), order);
	return bytes / ta_stack_bytes(st, order);
}
EXPORT_SYMBOL_TA_INTERNAL(ta_stack_cached);

/**
 * ta_stack_spans() - spans of an order on a node
 * @st: the instance
 * @node: a node, or NUMA_NO_NODE for all of them
 * @order: pool order
 *
 * Return: the count, racy as any statistic.
 */
unsigned long ta_stack_spans(struct ta_stack *st, int node, unsigned int order)
{
	unsigned long spans = 0;
	int n;

	if (node != NUMA_NO_NODE)
		return READ_ONCE(ta_stack_pool(st, node, order)->nr_spans);
	for_each_node(n)
		spans += READ_ONCE(ta_stack_pool(st, n, order)->nr_spans);
	return spans;
}
EXPORT_SYMBOL_TA_INTERNAL(ta_stack_spans);

/**
 * ta_stack_pooled() - stacks of an order in the pools of every node
 * @st: the instance
 * @order: pool order
 *
 * Return: the count, racy as any statistic.
 */
unsigned long ta_stack_pooled(struct ta_stack *st, unsigned int order)
{
	unsigned long stacks = 0;
	int n;

	for_each_node(n)
		stacks += READ_ONCE(ta_stack_pool(st, n, order)->nr_free);
	return stacks;
}
EXPORT_SYMBOL_TA_INTERNAL(ta_stack_pooled);

/* Empty a CPU's caches; the task context's only if @task_too. */
static void ta_stack_drain(struct ta_stack *st, struct ta_stack_cpu *sc,
			   bool task_too)
{
	unsigned int x, order;
	LIST_HEAD(dead);

	for (x = task_too ? TA_CTX_TASK : TA_CTX_LOCKED; x < TA_NR_CTX; x++)
		for (order = 0; order < TA_STACK_ORDERS; order++)
			ta_cache_release(st, order, &sc->cache[x][order], 0,
					 &dead);
	ta_release_dead(st, &dead);
}

/**
 * ta_stack_drain_local() - empty the calling CPU's caches into the pools
 * @st: the instance
 *
 * Called from an interrupt, it leaves the caches of task context alone:
 * the interrupted task may be in the middle of changing one, with only
 * preemption off (ctx.h).
 */
void ta_stack_drain_local(struct ta_stack *st)
{
	unsigned long flags;

	local_lock_irqsave(&st->cpu->lock, flags);
	ta_stack_drain(st, this_cpu_ptr(st->cpu), in_task());
	local_unlock_irqrestore(&st->cpu->lock, flags);
}
EXPORT_SYMBOL_TA_INTERNAL(ta_stack_drain_local);

/**
 * ta_stack_drain_cpu() - empty the caches of a CPU that cannot run it
 * @st: the instance
 * @cpu: a CPU that is offline, or any CPU when no one else uses @st
 */
void ta_stack_drain_cpu(struct ta_stack *st, unsigned int cpu)
{
	ta_stack_drain(st, per_cpu_ptr(st->cpu, cpu), true);
}
EXPORT_SYMBOL_TA_INTERNAL(ta_stack_drain_cpu);

/**
 * ta_stack_create() - make a stack allocator instance
 * @fixed: FIXED_STACK: a power of two from 1024 to PAGE_SIZE
 * @debug: poison freed stacks and check a canary at lo
 *
 * Return: the instance or an ERR_PTR().
 */
struct ta_stack *ta_stack_create(unsigned int fixed, bool debug)
{
	struct ta_stack *st;
	unsigned int cpu, i;

	if (!is_power_of_2(fixed) || fixed < TA_STACK_FIXED_MIN ||
	    fixed > TA_STACK_FIXED_MAX)
		return ERR_PTR(-EINVAL);
	if (!READ_ONCE(ta_stack_secret))
		cmpxchg(&ta_stack_secret, 0, get_random_long() | 1);
	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return ERR_PTR(-ENOMEM);
	st->fixed = fixed;
	st->fixed_shift = ilog2(fixed);
	st->debug = debug;
	st->keep_empty = TA_STACK_KEEP_EMPTY;
	for (i = 0; i < TA_STACK_ORDERS; i++)
		st->span_shift[i] = clamp(st->fixed_shift + i +
					  ilog2(TA_STACK_SPAN_STACKS),
					  ilog2(TA_STACK_CACHE_SIZE),
					  ilog2(TA_STACK_SPAN_MAX));
	spin_lock_init(&st->large_lock);
	for (i = 0; i < TA_STACK_LARGE_LISTS; i++)
		INIT_LIST_HEAD(&st->large_free[i]);
	st->pools = kcalloc(nr_node_ids * TA_STACK_ORDERS, sizeof(*st->pools),
			    GFP_KERNEL);
	st->cpu = alloc_percpu(struct ta_stack_cpu);
	st->stats = alloc_percpu(struct ta_stats);
	st->order_stats = alloc_percpu(struct ta_stack_order_stats);
	if (!st->pools || !st->cpu || !st->stats || !st->order_stats) {
		ta_stack_destroy(st);
		return ERR_PTR(-ENOMEM);
	}
	for (i = 0; i < nr_node_ids * TA_STACK_ORDERS; i++) {
		spin_lock_init(&st->pools[i].lock);
		INIT_LIST_HEAD(&st->pools[i].spans);
	}
	for_each_possible_cpu(cpu)
		local_lock_init(&per_cpu_ptr(st->cpu, cpu)->lock);
	return st;
}
EXPORT_SYMBOL_TA_INTERNAL(ta_stack_create);

/* kmemleak forgets the stacks still live in @span: its pages go. */
static void ta_stack_forget_live(struct ta_stack_span *span)
{
	unsigned long live = span->live, i;

	if (!IS_ENABLED(CONFIG_DEBUG_KMEMLEAK))
		return;
	for_each_set_bit(i, &live, BITS_PER_LONG)
		ta_leak_free((void *)(span->base + (i << span->stack_shift)));
}

/* Free a span of an instance going away; return how many stacks were live. */
static unsigned long ta_stack_free_span(struct ta_stack_span *span)
{
	unsigned long live = hweight_long(span->live);

	/*
	 * Its pages are its client's: left allocated (compat.h), and still
	 * known to kmemleak, as a kmalloc leak is.
	 */
	if (span->order == TA_STACK_OWN && span->live && ta_profiling()) {
		ta_stack_unindex(span);
		kfree_rcu(span, rcu);
		return live;
	}
	ta_stack_forget_live(span);
	ta_span_release(span);
	return live;
}

/*
 * Free every span of the instance, in the span map and in the xarray;
 * return how many stacks were live.  Under RCU: other instances may
 * release their spans meanwhile.
 */
static unsigned long ta_stack_free_spans(struct ta_stack *st)
{
	XA_STATE(xas, &ta_stack_xa, 0);
	const struct ta_span_map *m;
	struct ta_stack_span *span;
	unsigned long live = 0, i, addr;

	rcu_read_lock();
	for (i = 0;; i++) {
		m = READ_ONCE(ta_span_map);
		i = find_next_bit(m->stack_bits, m->nr, i);
		if (i >= m->nr)
			break;
		addr = m->base + (i << TA_SPAN_SHIFT);
		span = ta_stack_map_lookup((void *)addr);
		/* Once per span, at its first piece. */
		if (span && span->owner == st && span->base == addr)
			live += ta_stack_free_span(span);
	}
	xas_for_each(&xas, span, ULONG_MAX) {
		if (xas_retry(&xas, span) || span->owner != st)
			continue;
		xas_pause(&xas);
		live += ta_stack_free_span(span);
	}
	rcu_read_unlock();
	return live;
}

/**
 * ta_stack_destroy() - drain an instance and give every page back
 * @st: the instance, which no one may use any more
 *
 * Stacks still live are reported with a count; their pages are freed too.
 */
void ta_stack_destroy(struct ta_stack *st)
{
	unsigned long live;
	unsigned int cpu;

	if (st->cpu)
		for_each_possible_cpu(cpu)
			ta_stack_drain_cpu(st, cpu);
	live = ta_stack_free_spans(st);
	if (live)
		pr_err("%lu stacks still live at exit; their pages are freed\n",
		       live);
	free_percpu(st->order_stats);
	free_percpu(st->stats);
	free_percpu(st->cpu);
	kfree(st->pools);
	kfree(st);
}
EXPORT_SYMBOL_TA_INTERNAL(ta_stack_destroy);
