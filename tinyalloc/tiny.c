// SPDX-License-Identifier: GPL-2.0
/*
 * Tiny objects: Go's combining of small pointer-free requests.
 *
 * Memory comes in spans of 32 KiB from alloc_pages on the CPU's node.  A
 * span is cut into blocks of block_size bytes, each aligned to its size;
 * the first blocks hold the span's header and a 4-bit live count for every
 * other block (3.17% of the span with 16-byte blocks).
 *
 * Each CPU owns one span (it is "frozen") and takes free blocks from it
 * without a lock: a block is free when its count is 0.  The CPU bumps
 * objects into its current block.  Taking a block sets its count to 15, a
 * bias as page_frag's pagecnt_bias: handing out an object writes nothing
 * shared, a free (from any CPU) only decrements the count, and when the
 * CPU lets go of the block it subtracts the objects it never handed out.
 * So a block holds at most 15 objects, and is free again as soon as the
 * count reaches 0, whether or not the rest of its span is.
 *
 * span->inuse counts blocks in use: a block that becomes free decrements
 * it, and the owning CPU adds the blocks it took when it gives the span
 * up, under the node lock.  A span no CPU owns sits on its node's partial
 * list (a block is free) or full list; once no block of it is in use its
 * pages go back to the page allocator, except for keep_empty spans per
 * node that stay at the tail of the partial list.  Only the frees that
 * may move a span (off the full list, or to empty) take the node lock;
 * the others decrement inuse with a cmpxchg, so CPUs freeing blocks of
 * one node do not meet on its lock.
 */

#define pr_fmt(fmt) "tinyalloc: " fmt

#include <linux/gfp.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/topology.h>

#include "compat.h"
#include "report.h"
#include "tiny.h"
#include "trace.h"

#define TA_SPAN_BYTES		SZ_32K
#define TA_KEEP_EMPTY		2
#define TA_POISON_FREE		0x6b

#define TA_NIBBLE_ONES		(~0UL / 15)		/* 0x1111... */
#define TA_NIBBLE_HIGHS		(TA_NIBBLE_ONES << 3)	/* 0x8888... */

/* Marks the head page of every span; random so no foreign page matches. */
static unsigned long ta_span_secret;

static unsigned long ta_span_cookie(const struct page *page)
{
	return (unsigned long)page ^ ta_span_secret;
}

static unsigned int ta_span_order(void)
{
	return get_order(TA_SPAN_BYTES);
}

/**
 * ta_tiny_span_of() - the span holding an address, if any
 * @obj: any address
 *
 * Only struct page is read, never the memory at @obj, so a foreign
 * address is safe to test (KASAN stays quiet).
 *
 * Return: the span, or NULL if @obj is not in a tinyalloc span.
 */
struct ta_span *ta_tiny_span_of(const void *obj)
{
	struct page *page;

	if (!virt_addr_valid(obj))
		return NULL;
	page = virt_to_head_page(obj);
	if (page_private(page) != ta_span_cookie(page) ||
	    compound_order(page) != ta_span_order())
		return NULL;
	return page_address(page);
}
EXPORT_SYMBOL_TA_INTERNAL(ta_tiny_span_of);

/* ---- 4-bit block counts ---- */

static int ta_first_zero_nibble(unsigned long w)
{
	unsigned long z = (w - TA_NIBBLE_ONES) & ~w & TA_NIBBLE_HIGHS;

	return z ? __ffs(z) / 4 : -1;
}

/*
 * Add @delta to the count of block @idx and return the new count.  If it
 * would leave 0..TA_MAX_OBJS nothing changes, unless @clamp asks to
 * settle at 0; either way the out-of-range value is returned.
 */
static int ta_count_add(struct ta_span *span, unsigned int idx, int delta,
			bool clamp)
{
	unsigned long *word = &span->counts[idx / TA_NIBBLES_PER_WORD];
	unsigned int shift = idx % TA_NIBBLES_PER_WORD * 4;
	unsigned long old = READ_ONCE(*word), new;
	int count;

	do {
		count = ((old >> shift) & 15) + delta;
		if (count < 0 || count > TA_MAX_OBJS) {
			if (!clamp || count > TA_MAX_OBJS)
				return count;
			new = old & ~(15UL << shift);
		} else {
			new = (old & ~(15UL << shift)) |
			      ((unsigned long)count << shift);
		}
	} while (!try_cmpxchg(word, &old, new));
	return count;
}

/* ---- spans ---- */

static unsigned long ta_block_addr(struct ta_tiny *ta, struct ta_span *span,
				   unsigned int idx)
{
	return (unsigned long)span + ta->first_block +
	       ((unsigned long)idx << ta->block_shift);
}

static unsigned int ta_block_index(struct ta_tiny *ta, struct ta_span *span,
				   unsigned long addr)
{
	return (addr - (unsigned long)span - ta->first_block) >>
	       ta->block_shift;
}

static struct ta_span *ta_span_alloc(struct ta_tiny *ta, int node, gfp_t gfp)
{
	unsigned int order = ta_span_order();
	unsigned int pad = ta->nr_words * TA_NIBBLES_PER_WORD - ta->nr_blocks;
	struct page *page, *shadow;
	struct ta_span *span;

	gfp = (gfp & ~__GFP_ZERO) | __GFP_COMP;
	page = alloc_pages_node(node, gfp, order);
	if (!page)
		return NULL;
	span = page_address(page);
	memset(span, 0, ta->first_block);
	/* Counts past the last block never read 0, so no one takes them. */
	if (pad)
		span->counts[ta->nr_words - 1] =
			~0UL << ((TA_NIBBLES_PER_WORD - pad) * 4);
	INIT_LIST_HEAD(&span->list);
	span->owner = ta;
	span->node = page_to_nid(page);
	if (ta->debug) {
		shadow = alloc_pages_node(node, gfp | __GFP_ZERO, order);
		if (!shadow) {
			__free_pages(page, order);
			return NULL;
		}
		span->shadow = page_address(shadow);
	}
	set_page_private(page, ta_span_cookie(page));
	atomic_long_inc(&ta->nodes[span->node].nr_spans);
	ta_stat_inc(ta->stats, TA_TINY_SPANS_ALLOC);
	return span;
}

static void ta_span_free(struct ta_tiny *ta, struct ta_span *span)
{
	struct page *page = virt_to_page(span);

	set_page_private(page, 0);
	atomic_long_dec(&ta->nodes[span->node].nr_spans);
	if (span->shadow)
		__free_pages(virt_to_page(span->shadow), ta_span_order());
	__free_pages(page, ta_span_order());
	ta_stat_inc(ta->stats, TA_TINY_SPANS_FREED);
}

/*
 * Put a span no CPU owns on the list its use calls for.  Return true if
 * it is empty and beyond the keep_empty bound: the caller frees it after
 * dropping the node lock.
 */
static bool ta_span_place(struct ta_tiny *ta, struct ta_tiny_node *n,
			  struct ta_span *span)
{
	int inuse = atomic_read(&span->inuse);

	if (inuse == 0) {
		if (n->nr_empty >= ta->keep_empty) {
			list_del_init(&span->list);
			return true;
		}
		n->nr_empty++;
		list_move_tail(&span->list, &n->partial);
	} else if (inuse >= ta->nr_blocks) {
		/*
		 * Above nr_blocks while a free that reached 0 has yet to take
		 * this lock and the owner already took its block again.
		 */
		list_move(&span->list, &n->full);
	} else {
		list_move(&span->list, &n->partial);
	}
	return false;
}

/* A CPU gives up its span, with the @taken blocks it took from it. */
static void ta_span_unfreeze(struct ta_tiny *ta, struct ta_span *span,
			     unsigned int taken)
{
	struct ta_tiny_node *n = &ta->nodes[span->node];
	unsigned long flags;
	bool empty;

	spin_lock_irqsave(&n->lock, flags);
	atomic_add(taken, &span->inuse);
	span->frozen = 0;
	empty = ta_span_place(ta, n, span);
	spin_unlock_irqrestore(&n->lock, flags);
	if (empty)
		ta_span_free(ta, span);
}

/* Take a span with a free block from the node's partial list. */
static struct ta_span *ta_span_pop(struct ta_tiny *ta, int node)
{
	struct ta_tiny_node *n = &ta->nodes[node];
	struct ta_span *span;
	unsigned long flags;

	spin_lock_irqsave(&n->lock, flags);
	span = list_first_entry_or_null(&n->partial, struct ta_span, list);
	if (span) {
		list_del_init(&span->list);
		if (!atomic_read(&span->inuse))
			n->nr_empty--;
		span->frozen = 1;
	}
	spin_unlock_irqrestore(&n->lock, flags);
	return span;
}

/*
 * The last object of a block was freed: account the block as free.  From
 * 1 (the span may become empty) or nr_blocks (it may leave the full list)
 * the decrement and the move are done under the node lock; until then the
 * block still counts, so no one frees the span under us.  Any other count
 * moves nothing: a cmpxchg does.  (While a CPU owns the span its count
 * lacks the blocks taken since, and may go below 0; owned spans are on no
 * list.)
 */
static void ta_block_freed(struct ta_tiny *ta, struct ta_span *span)
{
	struct ta_tiny_node *n = &ta->nodes[span->node];
	int old = atomic_read(&span->inuse);
	unsigned long flags;
	bool empty = false;

	ta_stat_inc(ta->stats, TA_TINY_BLOCKS_FREED);
	do {
		if (old == 1 || old == ta->nr_blocks)
			goto locked;
	} while (!atomic_try_cmpxchg(&span->inuse, &old, old - 1));
	return;

locked:
	spin_lock_irqsave(&n->lock, flags);
	atomic_dec(&span->inuse);
	if (!span->frozen)
		empty = ta_span_place(ta, n, span);
	spin_unlock_irqrestore(&n->lock, flags);
	if (empty)
		ta_span_free(ta, span);
}

/* ---- per-CPU state ---- */

/* Take a free block from the CPU's span with count @count, or return 0. */
static unsigned long ta_take_block(struct ta_tiny *ta, struct ta_tiny_cpu *c,
				   unsigned int count)
{
	struct ta_span *span = c->span;
	unsigned int i, w;
	unsigned long old;
	int nib;

	if (!span)
		return 0;
	for (i = 0, w = c->scan; i < ta->nr_words; i++, w++) {
		if (w == ta->nr_words)
			w = 0;
		old = READ_ONCE(span->counts[w]);
		while ((nib = ta_first_zero_nibble(old)) >= 0) {
			unsigned long new = old | ((unsigned long)count << nib * 4);

			if (try_cmpxchg(&span->counts[w], &old, new)) {
				c->scan = w;
				c->taken++;
				__ta_stat_inc(ta->stats, TA_TINY_BLOCKS_TAKEN);
				return ta_block_addr(ta, span,
						     w * TA_NIBBLES_PER_WORD + nib);
			}
		}
	}
	return 0;
}

/* Let go of an open block, giving back the bias not handed out. */
static void ta_retire_block(struct ta_tiny *ta, struct ta_open_block *o)
{
	unsigned int left = TA_MAX_OBJS - o->nobj;
	struct ta_span *span = o->span;
	unsigned long block = o->block;
	int count;

	if (!block)
		return;
	o->block = 0;
	count = ta_count_add(span, ta_block_index(ta, span, block), -left, true);
	if (count < 0) {
		/*
		 * Frees beyond the objects handed out were taken while the
		 * block was open, where nothing could tell: refuse them now.
		 */
		ta_report_invalid(ta->stats, (void *)block, 0,
				  "more frees than objects in its block");
		ta_stat_add(ta->stats, TA_TINY_FREES, count);
		ta_stat_add(ta->stats, TA_INVALID_FREES, -count - 1);
	}
	if (count <= 0)
		ta_block_freed(ta, span);
}

/*
 * Give the CPU a span with a free block, in place of its exhausted one.
 * A new span may need the page allocator, which may sleep if @gfp allows:
 * then the local lock is dropped and *@cp may be another CPU's state.
 */
static int ta_refill_span(struct ta_tiny *ta, struct ta_tiny_cpu **cp,
			  gfp_t gfp, unsigned long *flags)
{
	struct ta_tiny_cpu *c = *cp;
	bool blocking = gfpflags_allow_blocking(gfp);
	struct ta_span *span;

	if (c->span) {
		ta_span_unfreeze(ta, c->span, c->taken);
		c->span = NULL;
	}
	span = ta_span_pop(ta, numa_mem_id());
	if (!span) {
		if (blocking)
			local_unlock_irqrestore(&ta->cpu->lock, *flags);
		span = ta_span_alloc(ta, numa_mem_id(), gfp);
		if (blocking) {
			local_lock_irqsave(&ta->cpu->lock, *flags);
			c = this_cpu_ptr(ta->cpu);
			*cp = c;
		}
		if (!span)
			return -ENOMEM;
		span->frozen = 1;
		if (c->span) {
			/* Another task refilled this CPU meanwhile. */
			ta_span_unfreeze(ta, span, 0);
			return 0;
		}
	}
	c->span = span;
	c->taken = 0;
	c->scan = 0;
	return 0;
}

/*
 * Every object handed out from the open block is free again: start the
 * block over in place, its count back to the full bias, rather than let
 * it go and take another (an allocate-free loop then stays on the fast
 * path's cache line).  A count below the expected one means frees beyond
 * the objects handed out: leave those to ta_retire_block() to report.
 */
static bool ta_restart_block(struct ta_tiny *ta, struct ta_open_block *o)
{
	unsigned int idx = ta_block_index(ta, o->span, o->block);
	unsigned long *word = &o->span->counts[idx / TA_NIBBLES_PER_WORD];
	unsigned int shift = idx % TA_NIBBLES_PER_WORD * 4;
	unsigned long old = READ_ONCE(*word);

	do {
		if (((old >> shift) & 15) != TA_MAX_OBJS - o->nobj)
			return false;
	} while (!try_cmpxchg(word, &old, old | (15UL << shift)));
	o->off = 0;
	o->nobj = 0;
	return true;
}

/*
 * Best fit, beyond Go: of the open blocks the object fits, the one with
 * the least space left after it; the first block if none fits.
 */
static struct ta_open_block *ta_best_fit(struct ta_tiny *ta,
					 struct ta_tiny_cpu *c, size_t size)
{
	unsigned int i, end, best = 0, least = UINT_MAX;
	unsigned int align = ta_tiny_align(size);

	for (i = 0; i < ta->nr_open; i++) {
		end = ALIGN(c->open[i].off, align) + size;
		if (c->open[i].block && end <= ta->block_size &&
		    ta->block_size - end < least) {
			least = ta->block_size - end;
			best = i;
		}
	}
	return &c->open[best];
}

/*
 * The slot a fresh block would take, and whether it takes it (*@keep):
 * Go's rule keeps the block with more space left once the object is in.
 * With several open blocks, an empty slot, else the fullest block's.
 */
static struct ta_open_block *ta_new_block_slot(struct ta_tiny *ta,
					       struct ta_tiny_cpu *c,
					       size_t size, bool *keep)
{
	struct ta_open_block *o = &c->open[0];
	unsigned int i;

	for (i = 1; i < ta->nr_open && o->block; i++)
		if (!c->open[i].block || c->open[i].off > o->off)
			o = &c->open[i];
	*keep = !o->block || size < o->off;
	return o;
}

/* Slow path: the object fits no open block. */
static unsigned long ta_alloc_block(struct ta_tiny *ta,
				    struct ta_tiny_cpu **cp, size_t size,
				    gfp_t gfp, unsigned long *flags)
{
	struct ta_open_block *o;
	unsigned long blk;
	unsigned int i;
	bool keep;

	for (i = 0; i < ta->nr_open; i++) {
		o = &(*cp)->open[i];
		if (o->block && ta_restart_block(ta, o)) {
			o->off = size;
			o->nobj = 1;
			return o->block;
		}
	}
	for (;;) {
		o = ta_new_block_slot(ta, *cp, size, &keep);
		blk = ta_take_block(ta, *cp, keep ? TA_MAX_OBJS : 1);
		if (blk)
			break;
		if (ta_refill_span(ta, cp, gfp, flags))
			return 0;
	}
	if (keep) {
		ta_retire_block(ta, o);
		o->block = blk;
		o->span = (*cp)->span;
		o->off = size;
		o->nobj = 1;
	}
	return blk;
}

/**
 * ta_tiny_alloc() - allocate a tiny object from an instance
 * @ta: the instance
 * @size: 1 to block_size - 1 bytes
 * @gfp: allocation flags
 *
 * Return: the object or NULL.
 */
void *ta_tiny_alloc(struct ta_tiny *ta, size_t size, gfp_t gfp)
{
	struct ta_open_block *o;
	struct ta_tiny_cpu *c;
	unsigned long flags, p;
	unsigned int off;
	bool combined;

	local_lock_irqsave(&ta->cpu->lock, flags);
	c = this_cpu_ptr(ta->cpu);
	o = ta->nr_open == 1 ? &c->open[0] : ta_best_fit(ta, c, size);
	off = ALIGN(o->off, ta_tiny_align(size));
	if (likely(o->block && off + size <= ta->block_size)) {
		p = o->block + off;
		o->off = off + size;
		/* With the bias used up there is nothing to settle. */
		if (++o->nobj == TA_MAX_OBJS)
			o->block = 0;
		__ta_stat_inc(ta->stats, TA_TINY_COMBINED);
		combined = true;
	} else {
		p = ta_alloc_block(ta, &c, size, gfp, &flags);
		combined = false;
	}
	__ta_stat_inc(ta->stats, p ? TA_TINY_ALLOCS : TA_TINY_ALLOC_FAILS);
	/* Under the lock: the event's cpu is the one whose block served. */
	trace_tiny_alloc((void *)p, size, combined);
	local_unlock_irqrestore(&ta->cpu->lock, flags);

	if (unlikely(!p))
		return NULL;
	if (unlikely(ta->debug)) {
		struct ta_span *span = ta_tiny_span_of((void *)p);

		WRITE_ONCE(span->shadow[p - (unsigned long)span], size);
	}
	if (gfp & __GFP_ZERO)
		memset((void *)p, 0, size);
	return (void *)p;
}
EXPORT_SYMBOL_TA_INTERNAL(ta_tiny_alloc);

/* tiny_debug: refuse anything but the start of a live object; poison. */
static bool ta_debug_free(struct ta_span *span, const void *obj,
			  unsigned long ip)
{
	u8 size = xchg(&span->shadow[obj - (void *)span], 0);

	if (!size) {
		ta_report_invalid(span->owner->stats, obj, ip,
				  "not the start of a live object");
		return false;
	}
	memset((void *)obj, TA_POISON_FREE, size);
	return true;
}

/**
 * ta_tiny_free() - free a tiny object
 * @span: the span holding it, from ta_tiny_span_of()
 * @obj: the object
 * @ip: the caller, for error reports
 */
void ta_tiny_free(struct ta_span *span, const void *obj, unsigned long ip)
{
	struct ta_tiny *ta = span->owner;
	unsigned long addr = (unsigned long)obj;
	int count;

	if (addr - (unsigned long)span < ta->first_block) {
		ta_report_invalid(ta->stats, obj, ip, "points into a span header");
		return;
	}
	if (unlikely(ta->debug) && !ta_debug_free(span, obj, ip))
		return;
	/* Before the count drops: then the block may be handed out again. */
	trace_tiny_free(obj);
	count = ta_count_add(span, ta_block_index(ta, span, addr), -1, false);
	if (unlikely(count < 0)) {
		ta_report_invalid(ta->stats, obj, ip,
				  "its block holds no live object");
		return;
	}
	ta_stat_inc(ta->stats, TA_TINY_FREES);
	if (span->node != numa_mem_id())
		ta_stat_inc(ta->stats, TA_TINY_REMOTE_FREES);
	if (count == 0)
		ta_block_freed(ta, span);
}

/* Settle a CPU's block and give up its span. */
static void ta_drain(struct ta_tiny *ta, struct ta_tiny_cpu *c)
{
	unsigned int i;

	for (i = 0; i < TA_MAX_OPEN; i++)
		ta_retire_block(ta, &c->open[i]);
	if (c->span) {
		ta_span_unfreeze(ta, c->span, c->taken);
		c->span = NULL;
	}
}

/**
 * ta_tiny_drain_local() - settle the calling CPU's block and span
 * @ta: the instance
 *
 * Afterwards every empty span of this CPU is back on its node's list or
 * back in the page allocator.
 */
void ta_tiny_drain_local(struct ta_tiny *ta)
{
	unsigned long flags;

	local_lock_irqsave(&ta->cpu->lock, flags);
	ta_drain(ta, this_cpu_ptr(ta->cpu));
	local_unlock_irqrestore(&ta->cpu->lock, flags);
}
EXPORT_SYMBOL_TA_INTERNAL(ta_tiny_drain_local);

/**
 * ta_tiny_drain_cpu() - settle the state of a CPU that cannot run it
 * @ta: the instance
 * @cpu: a CPU that is offline, or any CPU when no one else uses @ta
 */
void ta_tiny_drain_cpu(struct ta_tiny *ta, unsigned int cpu)
{
	ta_drain(ta, per_cpu_ptr(ta->cpu, cpu));
}
EXPORT_SYMBOL_TA_INTERNAL(ta_tiny_drain_cpu);

/* Blocks of a span needed for its header and counts, with block size @bs. */
static void ta_tiny_geometry(struct ta_tiny *ta)
{
	unsigned int n = (PAGE_SIZE << ta_span_order()) / ta->block_size;
	unsigned int m, words = 0;

	for (m = 1; m < n; m++) {
		words = DIV_ROUND_UP(n - m, TA_NIBBLES_PER_WORD);
		if (struct_size_t(struct ta_span, counts, words) <=
		    m * ta->block_size)
			break;
	}
	ta->span_order = ta_span_order();
	ta->first_block = m * ta->block_size;
	ta->nr_blocks = n - m;
	ta->nr_words = words;
}

/**
 * ta_tiny_create() - make a tiny allocator instance
 * @block_size: 8, 16 or 32
 * @debug: record object starts and poison freed bytes
 *
 * Return: the instance or an ERR_PTR().
 */
struct ta_tiny *ta_tiny_create(unsigned int block_size, bool debug)
{
	struct ta_tiny *ta;
	unsigned int cpu;
	int node;

	if (block_size != 8 && block_size != 16 && block_size != 32)
		return ERR_PTR(-EINVAL);
	if (!READ_ONCE(ta_span_secret))
		cmpxchg(&ta_span_secret, 0, get_random_long() | 1);

	ta = kzalloc(sizeof(*ta), GFP_KERNEL);
	if (!ta)
		return ERR_PTR(-ENOMEM);
	ta->block_size = block_size;
	ta->block_shift = ilog2(block_size);
	ta->debug = debug;
	ta->keep_empty = TA_KEEP_EMPTY;
	ta->nr_open = 1;
	ta_tiny_geometry(ta);
	ta->nodes = kcalloc(nr_node_ids, sizeof(*ta->nodes), GFP_KERNEL);
	ta->cpu = alloc_percpu(struct ta_tiny_cpu);
	ta->stats = alloc_percpu(struct ta_stats);
	if (!ta->nodes || !ta->cpu || !ta->stats)
		goto err;
	for_each_possible_cpu(cpu)
		local_lock_init(&per_cpu_ptr(ta->cpu, cpu)->lock);
	for (node = 0; node < nr_node_ids; node++) {
		spin_lock_init(&ta->nodes[node].lock);
		INIT_LIST_HEAD(&ta->nodes[node].partial);
		INIT_LIST_HEAD(&ta->nodes[node].full);
	}
	return ta;
err:
	free_percpu(ta->stats);
	free_percpu(ta->cpu);
	kfree(ta->nodes);
	kfree(ta);
	return ERR_PTR(-ENOMEM);
}
EXPORT_SYMBOL_TA_INTERNAL(ta_tiny_create);

/* Free every span on a list; return how many blocks were still in use. */
static unsigned long ta_free_list(struct ta_tiny *ta, struct list_head *head)
{
	struct ta_span *span, *next;
	unsigned long inuse = 0;

	list_for_each_entry_safe(span, next, head, list) {
		inuse += atomic_read(&span->inuse);
		list_del(&span->list);
		ta_span_free(ta, span);
	}
	return inuse;
}

/**
 * ta_tiny_destroy() - drain an instance and give every page back
 * @ta: the instance, which no one may use any more
 *
 * Objects still live are reported with counts; their pages are freed too.
 */
void ta_tiny_destroy(struct ta_tiny *ta)
{
	unsigned long blocks = 0;
	long objs;
	unsigned int cpu;
	int node;

	for_each_possible_cpu(cpu)
		ta_tiny_drain_cpu(ta, cpu);
	for (node = 0; node < nr_node_ids; node++) {
		blocks += ta_free_list(ta, &ta->nodes[node].partial);
		blocks += ta_free_list(ta, &ta->nodes[node].full);
	}
	objs = ta_stat_sum(ta->stats, TA_TINY_ALLOCS) -
	       ta_stat_sum(ta->stats, TA_TINY_FREES);
	if (blocks || objs)
		pr_err("%ld tiny objects in %lu blocks still live at exit; their pages are freed\n",
		       objs, blocks);
	free_percpu(ta->stats);
	free_percpu(ta->cpu);
	kfree(ta->nodes);
	kfree(ta);
}
EXPORT_SYMBOL_TA_INTERNAL(ta_tiny_destroy);
