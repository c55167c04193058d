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
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/topology.h>

#include "compat.h"
#include "leak.h"
#include "report.h"
#include "span_gfp.h"
#include "tiny_fast.h"
#include "trace.h"

#define TA_SPAN_BYTES		SZ_32K
#define TA_KEEP_EMPTY		2
#define TA_POISON_FREE		0x6b

#define TA_NIBBLE_ONES		(~0UL / 15)		/* 0x1111... */
#define TA_NIBBLE_HIGHS		(TA_NIBBLE_ONES << 3)	/* 0x8888... */

static unsigned int ta_span_order(void)
{
	return get_order(TA_SPAN_BYTES);
}

/* What a span really spans: a whole page where pages exceed 32 KiB. */
static unsigned long ta_span_size(void)
{
	return PAGE_SIZE << ta_span_order();
}

/**
 * ta_tiny_span_of() - the span holding an address, if any
 * @obj: any address
 *
 * Return: the span, or NULL if @obj is not in a tinyalloc span.
 */
struct ta_span *ta_tiny_span_of(const void *obj)
{
	return ta_span_lookup(obj);
}
EXPORT_SYMBOL_TA_INTERNAL(ta_tiny_span_of);

/* ---- 4-bit block counts ---- */

static __always_inline int ta_first_zero_nibble(unsigned long w)
{
	unsigned long z = (w - TA_NIBBLE_ONES) & ~w & TA_NIBBLE_HIGHS;

	return z ? __ffs(z) / 4 : -1;
}

/* ---- spans ---- */

static unsigned long ta_block_addr(struct ta_tiny *ta, struct ta_span *span,
				   unsigned int idx)
{
	return (unsigned long)span + ta->first_block +
	       ((unsigned long)idx << ta->block_shift);
}

static struct ta_span *ta_span_alloc(struct ta_tiny *ta, int node, gfp_t gfp)
{
	unsigned int order = ta_span_order();
	unsigned int pad = ta->nr_words * TA_NIBBLES_PER_WORD - ta->nr_blocks;
	struct page *page, *shadow;
	struct ta_span *span;

	gfp = ta_span_gfp(gfp);
	page = alloc_pages_node(node, gfp, order);
	if (!page)
		return NULL;
	span = page_address(page);
	/* ta_span_lookup() counts on it; the direct map keeps it so. */
	if (WARN_ON_ONCE(!IS_ALIGNED((unsigned long)span, ta_span_size()))) {
		__free_pages(page, order);
		return NULL;
	}
	memset(span, 0, ta->first_block);
	/* Counts past the last block never read 0, so no one takes them. */
	if (pad)
		span->counts[ta->nr_words - 1] =
			~0UL << ((TA_NIBBLES_PER_WORD - pad) * 4);
	INIT_LIST_HEAD(&span->list);
	span->owner = ta;
	span->node = page_to_nid(page);
	/* No block is handed out yet. */
	if (ta_tiny_kasan(ta))
		ta_kasan_poison((void *)span + ta->first_block,
				ta_span_size() - ta->first_block,
				TA_KASAN_REDZONE);
	if (ta->debug) {
		shadow = alloc_pages_node(node, gfp | __GFP_ZERO, order);
		if (!shadow) {
			__free_pages(page, order);
			return NULL;
		}
		span->shadow = page_address(shadow);
	}
	/* Last: a lookup that finds the span finds its header built. */
	if (!ta_span_map_set(span)) {
		if (span->shadow)
			__free_pages(virt_to_page(span->shadow), order);
		__free_pages(page, order);
		return NULL;
	}
	atomic_long_inc(&ta->nodes[span->node].nr_spans);
	ta_stat_inc(ta->stats, TA_TINY_SPANS_ALLOC);
	return span;
}

static void ta_span_free_rcu(struct rcu_head *rcu)
{
	struct ta_span *span = container_of(rcu, struct ta_span, rcu);

	if (span->shadow)
		__free_pages(virt_to_page(span->shadow), ta_span_order());
	__free_pages(virt_to_page(span), ta_span_order());
}

/*
 * No lookup that starts once the map's bit is clear finds the span; one
 * that found it before (a bad free racing with the span's end) still
 * reads the span's own header: the pages go back after a grace period.
 */
static void ta_span_free(struct ta_tiny *ta, struct ta_span *span)
{
	ta_span_map_clear(span);
	atomic_long_dec(&ta->nodes[span->node].nr_spans);
	ta_stat_inc(ta->stats, TA_TINY_SPANS_FREED);
	call_rcu(&span->rcu, ta_span_free_rcu);
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

/* ta_block_freed() where the span may move: under the node lock. */
static noinline void ta_block_freed_locked(struct ta_tiny *ta,
					   struct ta_span *span)
{
	struct ta_tiny_node *n = &ta->nodes[span->node];
	unsigned long flags;
	bool empty = false;

	spin_lock_irqsave(&n->lock, flags);
	atomic_dec(&span->inuse);
	if (!span->frozen)
		empty = ta_span_place(ta, n, span);
	spin_unlock_irqrestore(&n->lock, flags);
	if (empty)
		ta_span_free(ta, span);
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
	int old = atomic_read(&span->inuse);

	ta_stat_inc(ta->stats, TA_TINY_BLOCKS_FREED);
	do {
		if (old == 1 || old == ta->nr_blocks) {
			ta_block_freed_locked(ta, span);
			return;
		}
	} while (!atomic_try_cmpxchg(&span->inuse, &old, old - 1));
}

/* ---- per-CPU state ---- */

/*
 * The context took block @nib of count word @w of its span: the next
 * search starts there.  Return the block's address.
 */
static unsigned long ta_took_block(struct ta_tiny *ta, struct ta_tiny_ctx *x,
				   unsigned int w, int nib)
{
	unsigned long blk = ta_block_addr(ta, x->span,
					  w * TA_NIBBLES_PER_WORD + nib);

	x->scan = w;
	x->taken++;
	ta_stat_inc(ta->stats, TA_TINY_BLOCKS_TAKEN);
	ta_block_start(ta, blk);
	return blk;
}

/* Take a free block from the context's span with count @count, or 0. */
static unsigned long ta_take_block(struct ta_tiny *ta, struct ta_tiny_ctx *x,
				   unsigned int count)
{
	struct ta_span *span = x->span;
	unsigned int i, w;
	unsigned long old;
	int nib;

	if (!span)
		return 0;
	for (i = 0, w = x->scan; i < ta->nr_words; i++, w++) {
		if (w == ta->nr_words)
			w = 0;
		old = READ_ONCE(span->counts[w]);
		while ((nib = ta_first_zero_nibble(old)) >= 0) {
			unsigned long new = old | ((unsigned long)count << nib * 4);

			if (try_cmpxchg(&span->counts[w], &old, new))
				return ta_took_block(ta, x, w, nib);
		}
	}
	return 0;
}

/*
 * Let go of a block of context @x, open or shelved, giving back the bias
 * @left not handed out.  Such blocks are always in the context's own
 * span (x->span).
 */
static void ta_retire(struct ta_tiny *ta, struct ta_tiny_ctx *x,
		      unsigned long block, unsigned int left)
{
	struct ta_span *span = x->span;
	unsigned int shift;
	unsigned long *word;
	int count;

	word = ta_count_word(ta, span, ta_block_off(ta, span, (void *)block),
			     &shift);
	count = ta_count_add(word, shift, -left, true);
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
	/*
	 * Only the change from above 0 to 0 frees the block: a count that
	 * was 0 already (a double free took it there while the block was
	 * open) was counted freed by that free.
	 */
	if (count <= 0 && count + (int)left > 0)
		ta_block_freed(ta, span);
}

/* Let go of open block @o of context @x, if it holds one. */
static void ta_retire_block(struct ta_tiny *ta, struct ta_tiny_ctx *x,
			    struct ta_open_block *o)
{
	unsigned long block = o->block;

	if (!block)
		return;
	o->block = 0;
	ta_retire(ta, x, block, ta_open_left(o));
}

/*
 * Retire open block @o and take a free block of the same count word for
 * the context, with one cmpxchg: the common case of a burst, where blocks
 * taken one after another share a word.  Return 0, with nothing done,
 * where ta_retire_block() has more to do (the block would be free, or
 * has had frees beyond its objects) or the word has no free block.
 */
static unsigned long ta_swap_block(struct ta_tiny *ta, struct ta_tiny_ctx *x,
				   struct ta_open_block *o)
{
	struct ta_span *span = x->span;
	unsigned long old, new;
	int nib;

	if (!o->block)
		return 0;
	old = READ_ONCE(*o->count);
	do {
		/* Above @left: the subtraction borrows nothing. */
		if ((old & o->mask) <= o->left)
			return 0;
		nib = ta_first_zero_nibble(old);
		if (nib < 0)
			return 0;
		new = (old - o->left) |
		      ((unsigned long)TA_MAX_OBJS << nib * 4);
	} while (!try_cmpxchg(o->count, &old, new));
	return ta_took_block(ta, x, o->count - span->counts, nib);
}

/* ---- the shelf (tiny.h): holes Go's rule would waste ---- */

/* Where the free bytes start of a block in slot @i of the shelf. */
static unsigned int ta_shelf_offset(const struct ta_tiny *ta, unsigned int i)
{
	return i >> (ilog2(TA_MAX_BLOCK) - ta->block_shift);
}

/*
 * A free slot of the shelf for a block whose free bytes start at @off,
 * or -1 where it has no room or its slots are taken.
 */
static int ta_shelf_slot(const struct ta_tiny *ta, const struct ta_tiny_ctx *x,
			 unsigned int off)
{
	u32 free = ~x->shelf.used & ta->shelf_slots[off];

	return free ? __ffs(free) : -1;
}

/* Shelve block @blk in free slot @i, with bias @left not handed out. */
static void ta_shelf_put(struct ta_tiny_ctx *x, int i, unsigned long blk,
			 unsigned int left)
{
	x->shelf.used |= BIT(i);
	x->shelf.block[i] = blk;
	x->shelf.left[i] = left;
}

/* Shelve @blk as ta_shelf_put() if a slot is free; else return false. */
static bool ta_shelf_keep(struct ta_tiny *ta, struct ta_tiny_ctx *x,
			  unsigned long blk, unsigned int off,
			  unsigned int left)
{
	int i = ta_shelf_slot(ta, x, off);

	if (i < 0)
		return false;
	ta_shelf_put(x, i, blk, left);
	return true;
}

/*
 * Hand out @size bytes from the shelved block with the tightest hole
 * that fits them, and shelve the block again with what is left of it.
 * Return the object, or 0 if no hole fits.
 */
static __always_inline unsigned long
ta_shelf_take(struct ta_tiny *ta, struct ta_tiny_ctx *x, size_t size)
{
	struct ta_shelf *s = &x->shelf;
	u32 fit = s->used & ta->shelf_fit[size];
	unsigned int off, left, i;
	unsigned long blk;

	if (!fit)
		return 0;
	i = __fls(fit);
	s->used &= ~BIT(i);
	blk = s->block[i];
	left = s->left[i] - 1;
	off = ALIGN(ta_shelf_offset(ta, i), ta_obj_align(ta, size));
	ta_stat_inc(ta->stats, TA_TINY_COMBINED);
	/* With the bias used up there is nothing to settle. */
	if (left && !ta_shelf_keep(ta, x, blk, ta_obj_end(ta, off, size),
				   left))
		ta_retire(ta, x, blk, left);
	return blk + off;
}

/* Let go of every shelved block of context @x. */
static void ta_shelf_release(struct ta_tiny *ta, struct ta_tiny_ctx *x)
{
	struct ta_shelf *s = &x->shelf;
	unsigned int i;

	while (s->used) {
		i = __ffs(s->used);
		s->used &= ~BIT(i);
		ta_retire(ta, x, s->block[i], s->left[i]);
	}
}

/*
 * A context lets go of its span: its open and shelved blocks first, so
 * that such a block is never in a span no CPU owns.  An owned span is
 * never placed on a list or freed, so a bad free that takes the count of
 * a block the CPU holds to 0 cannot free the span under the block.
 */
static void ta_ctx_release(struct ta_tiny *ta, struct ta_tiny_ctx *x)
{
	unsigned int i;

	if (!x->span)
		return;
	for (i = 0; i < TA_MAX_OPEN; i++)
		ta_retire_block(ta, x, &x->open[i]);
	ta_shelf_release(ta, x);
	ta_span_unfreeze(ta, x->span, x->taken);
	x->span = NULL;
}

/*
 * Give context @x a span with a free block, in place of its exhausted
 * one.  A new span never sleeps (span_gfp.h), so the local lock is kept.
 */
static int ta_refill_span(struct ta_tiny *ta, struct ta_tiny_ctx *x,
			  gfp_t gfp)
{
	struct ta_span *span;

	ta_ctx_release(ta, x);
	span = ta_span_pop(ta, numa_mem_id());
	if (!span) {
		span = ta_span_alloc(ta, numa_mem_id(), gfp);
		if (!span)
			return -ENOMEM;
		span->frozen = 1;
	}
	x->span = span;
	x->taken = 0;
	x->scan = 0;
	return 0;
}

/*
 * Best fit, beyond Go: of the open blocks the object fits, the one with
 * the least space left after it; the first block if none fits.
 */
static struct ta_open_block *ta_best_fit(struct ta_tiny *ta,
					 struct ta_open_block *open,
					 size_t size)
{
	unsigned int i, end, best = 0, least = UINT_MAX;
	unsigned int align = ta_obj_align(ta, size);

	for (i = 0; i < ta->nr_open; i++) {
		end = ta_obj_end(ta, ALIGN(open[i].off, align), size);
		if (open[i].block && end <= ta->block_size &&
		    ta->block_size - end < least) {
			least = ta->block_size - end;
			best = i;
		}
	}
	return &open[best];
}

/* The open block an object goes to first, by the instance's policy. */
static __always_inline struct ta_open_block *
ta_pick_block(struct ta_tiny *ta, struct ta_open_block *open, size_t size)
{
	return ta->nr_open == 1 ? open : ta_best_fit(ta, open, size);
}

/*
 * The slot a fresh block would take, and whether it takes it (*@keep):
 * Go's rule keeps the block with more space left once the object is in.
 * With several open blocks, an empty slot, else the fullest block's.
 */
static struct ta_open_block *ta_new_block_slot(struct ta_tiny *ta,
					       struct ta_open_block *open,
					       size_t size, bool *keep)
{
	struct ta_open_block *o = open;
	unsigned int i;

	for (i = 1; i < ta->nr_open && o->block; i++)
		if (!open[i].block || open[i].off > o->off)
			o = &open[i];
	*keep = !o->block || size < o->off;
	return o;
}

/* Open block @o is @blk, just taken, with an object of @size at 0. */
static void ta_open_set(struct ta_tiny *ta, struct ta_tiny_ctx *x,
			struct ta_open_block *o, unsigned long blk, size_t size)
{
	unsigned int shift;

	o->block = blk;
	o->count = ta_count_word(ta, x->span,
				 ta_block_off(ta, x->span, (void *)blk), &shift);
	o->unit = 1UL << shift;
	o->mask = o->unit * 15;
	o->left = o->unit * (TA_MAX_OBJS - 1);
	o->off = ta_obj_end(ta, 0, size);
	o->since = 1;
}

/*
 * Go's rule, with the shelf: the object did not fit the open block.  The
 * tightest hole on the shelf takes it, else a fresh block from the
 * context's span: of the fresh block and the open one, the block with
 * more room is kept open and the other shelved, or let go if its slots
 * are taken.  Return 0 if the span has no free block (or there is none).
 */
static __always_inline unsigned long
ta_go_next(struct ta_tiny *ta, struct ta_tiny_ctx *x, size_t size)
{
	struct ta_open_block *o = &x->open[0];
	unsigned long blk;
	int slot;

	blk = ta_shelf_take(ta, x, size);
	if (blk)
		return blk;
	if (o->block && size >= o->off) {
		/*
		 * The object leaves less room: a block of its own, with its
		 * bias only if the shelf keeps it.
		 */
		slot = ta_shelf_slot(ta, x, ta_obj_end(ta, 0, size));
		blk = ta_take_block(ta, x, slot < 0 ? 1 : TA_MAX_OBJS);
		if (blk && slot >= 0)
			ta_shelf_put(x, slot, blk, TA_MAX_OBJS - 1);
		return blk;
	}
	if (o->block && ta_shelf_keep(ta, x, o->block, o->off,
				      ta_open_left(o)))
		o->block = 0;
	/* One cmpxchg where the open block goes and its word has room. */
	blk = ta_swap_block(ta, x, o);
	if (!blk) {
		blk = ta_take_block(ta, x, TA_MAX_OBJS);
		if (!blk)
			return 0;
		ta_retire_block(ta, x, o);
	}
	ta_open_set(ta, x, o, blk, size);
	return blk;
}

/*
 * The object fits the block ta_pick_block() chose for it in no way:
 * under Go's rule, ta_go_next(); with several open blocks, another may
 * be idle, else take a fresh block from the context's span.  Return 0 if
 * the span has none left (or there is none).
 */
static unsigned long ta_new_block(struct ta_tiny *ta, struct ta_tiny_ctx *x,
				  size_t size)
{
	struct ta_open_block *o;
	unsigned long blk;
	unsigned int i;
	bool keep;

	if (ta->nr_open == 1)
		return ta_go_next(ta, x, size);
	for (i = 1; i < ta->nr_open; i++) {
		blk = ta_bump(ta, &x->open[i], size);
		if (blk)
			return blk;
	}
	o = ta_new_block_slot(ta, x->open, size, &keep);
	blk = keep ? ta_swap_block(ta, x, o) : 0;
	if (!blk) {
		blk = ta_take_block(ta, x, keep ? TA_MAX_OBJS : 1);
		if (!blk || !keep)
			return blk;
		ta_retire_block(ta, x, o);
	}
	ta_open_set(ta, x, o, blk, size);
	return blk;
}

/*
 * Task context, except on PREEMPT_RT: preemption off is all it takes to
 * use the CPU's task context state, since nothing else on this CPU
 * touches it meanwhile: interrupts and softirqs have a state of their
 * own, and the locked path, which refills the task context's span, runs
 * with IRQs off.  Return 0 where the locked path must serve.
 */
static __always_inline unsigned long ta_alloc_task(struct ta_tiny *ta,
						   size_t size, gfp_t gfp,
						   unsigned long ip)
{
	struct ta_tiny_ctx *x;
	unsigned long p;

	if (ta_ctx_current() != TA_CTX_TASK)
		return 0;
	preempt_disable();
	x = &this_cpu_ptr(ta->cpu)->ctx[TA_CTX_TASK];
	p = ta_bump(ta, ta_pick_block(ta, x->open, size), size);
	if (unlikely(!p))
		p = ta_new_block(ta, x, size);
	if (p)
		ta_served(ta, p, size, gfp, ip);
	preempt_enable();
	return p;
}

/*
 * Under the local lock: the fast path found no free block in the task
 * context's span, or this context has no fast path.  Refill the span as
 * needed.  Where the fast path has just tried the open blocks they are
 * not tried again (if the task has moved to another CPU since, it takes
 * a block there a bit early).
 */
static noinline unsigned long ta_alloc_locked(struct ta_tiny *ta,
					      size_t size, gfp_t gfp,
					      unsigned long ip)
{
	enum ta_ctx xi = ta_ctx_current();
	struct ta_tiny_ctx *x;
	unsigned long flags, p = 0;

	local_lock_irqsave(&ta->cpu->lock, flags);
	x = &this_cpu_ptr(ta->cpu)->ctx[xi];
	if (xi == TA_CTX_LOCKED)
		p = ta_bump(ta, ta_pick_block(ta, x->open, size), size);
	while (!p) {
		p = ta_new_block(ta, x, size);
		if (!p && ta_refill_span(ta, x, gfp))
			break;
	}
	if (p)
		ta_served(ta, p, size, gfp, ip);
	else
		ta_stat_inc(ta->stats, TA_TINY_ALLOC_FAILS);
	local_unlock_irqrestore(&ta->cpu->lock, flags);
	return p;
}

/* Any context, any mode, a new block or span. */
static noinline void *ta_tiny_alloc_any(struct ta_tiny *ta, size_t size,
					gfp_t gfp, unsigned long ip)
{
	unsigned long p = ta_alloc_task(ta, size, gfp, ip);

	if (unlikely(!p)) {
		p = ta_alloc_locked(ta, size, gfp, ip);
		if (!p)
			return NULL;
	}
	if (ta_tiny_kasan(ta))
		ta_kasan_unpoison((void *)p, size);
	if (ta_tiny_leaks(ta))
		ta_leak_tiny_alloc((void *)p, size, gfp);
	if (unlikely(ta->debug)) {
		struct ta_span *span = ta_span_lookup((void *)p);

		WRITE_ONCE(span->shadow[p - (unsigned long)span], size);
	}
	/*
	 * Where blocks are not zeroed as they start (tiny_fast.h): a tiny
	 * free does not know its object's size (the block's count is all
	 * there is), so for init_on_free freed bytes are wiped when they are
	 * handed out again, as init_on_alloc does.
	 */
	if (!ta_zero_blocks(ta) &&
	    (want_init_on_alloc(gfp) || want_init_on_free()))
		ta_zero_small((void *)p, size);
	return (void *)p;
}

/*
 * Task context under Go's rule, the object did not fit the open block
 * (ta_tiny_alloc_fast()): the common cases of a burst (ta_go_next()),
 * inlined into ta_tiny_alloc_slow(), with one call layer fewer than the
 * general path, ta_tiny_alloc_any().  Return 0 where that must do more:
 * no free block in the span, or no span.
 */
static __always_inline unsigned long
ta_alloc_next(struct ta_tiny *ta, size_t size)
{
	struct ta_tiny_ctx *x;
	unsigned long p;

	preempt_disable();
	/*
	 * The task may be on another CPU since the fast path: its open block
	 * is then not tried, and the object goes to a hole or a fresh block
	 * a bit early.
	 */
	x = &this_cpu_ptr(ta->cpu)->ctx[TA_CTX_TASK];
	p = ta_go_next(ta, x, size);
	preempt_enable();
	return p;
}

/**
 * ta_tiny_alloc_slow() - allocate a tiny object, all cases
 * @ta: the instance
 * @size: 1 to block_size - 1 bytes
 * @gfp: allocation flags
 * @ip: the caller, for the tiny_alloc event
 *
 * Where ta_tiny_alloc_fast() did not serve: any context, any mode, a new
 * block or span.
 *
 * Return: the object, or NULL if no span could serve it.
 */
void *ta_tiny_alloc_slow(struct ta_tiny *ta, size_t size, gfp_t gfp,
			 unsigned long ip)
{
	unsigned long p;

	if (ta_ctx_current() == TA_CTX_TASK && !ta_tiny_slow(ta) &&
	    !trace_tiny_alloc_enabled()) {
		p = ta_alloc_next(ta, size);
		if (likely(p)) {
			if ((gfp & __GFP_ZERO) && !ta_zero_blocks(ta))
				ta_zero_small((void *)p, size);
			return (void *)p;
		}
	}
	return ta_tiny_alloc_any(ta, size, gfp, ip);
}

/**
 * __ta_tiny_alloc() - allocate a tiny object from an instance
 * @ta: the instance
 * @size: 1 to block_size - 1 bytes
 * @gfp: allocation flags
 * @ip: the caller, for the tiny_alloc event
 *
 * Return: the object, or NULL if no span could serve it: the caller
 * (tinyalloc_alloc()) then asks kmalloc.
 */
void *__ta_tiny_alloc(struct ta_tiny *ta, size_t size, gfp_t gfp,
		      unsigned long ip)
{
	void *p = NULL;

	if (ta_ctx_current() == TA_CTX_TASK)
		p = ta_tiny_alloc_fast(ta, size, gfp, ip);
	return likely(p) ? p : ta_tiny_alloc_slow(ta, size, gfp, ip);
}
EXPORT_SYMBOL_TA_INTERNAL(__ta_tiny_alloc);

/**
 * ta_tiny_alloc() - __ta_tiny_alloc() for its caller
 * @ta: the instance
 * @size: 1 to block_size - 1 bytes
 * @gfp: allocation flags
 *
 * Return: as __ta_tiny_alloc().
 */
void *ta_tiny_alloc(struct ta_tiny *ta, size_t size, gfp_t gfp)
{
	return __ta_tiny_alloc(ta, size, gfp, _RET_IP_);
}
EXPORT_SYMBOL_TA_INTERNAL(ta_tiny_alloc);

/* With KASAN's shadow kept: the size of the live object at @obj, or 0. */
static size_t ta_kasan_size(struct ta_tiny *ta, const void *obj)
{
	unsigned long block = (unsigned long)obj & ~(ta->block_size - 1UL);

	return ta_kasan_object_size(obj, (void *)block, ta->block_size);
}

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
 * ta_tiny_free_settle() - finish a free that took a count to 0 or below
 * @ta: the instance
 * @obj: the object
 * @count: its block's count after the free: 0 or, refused, below 0
 * @ip: the caller, for error reports
 *
 * Outside the RCU read side: a free that took the count to 0 still has
 * the span, whose inuse counts the block until ta_block_freed(); one
 * refused may have raced with the span's end, and reads only @ta.
 */
void ta_tiny_free_settle(struct ta_tiny *ta, const void *obj, int count,
			 unsigned long ip)
{
	if (count < 0)
		ta_report_invalid(ta->stats, obj, ip,
				  "its block holds no live object");
	else	/* This free emptied the block, which still counts in the span. */
		ta_block_freed(ta, ta_span_base(obj));
}

/**
 * ta_tiny_free() - free a tiny object of any instance
 * @obj: the object, or any address
 * @ip: the caller, for error reports
 *
 * Return: false if @obj is in no tinyalloc span (nothing is done), true
 * if it is: then it is freed, or refused with a report.
 */
bool ta_tiny_free(const void *obj, unsigned long ip)
{
	struct ta_span *span;
	unsigned long *word;
	unsigned int shift;
	struct ta_tiny *ta;
	size_t size = 0;
	int count;

	/*
	 * Until the count is taken: a bad free may race with the span's
	 * end.  A free that takes it holds a block, which keeps the span.
	 * Preemption off is an RCU read side for call_rcu() (since 4.20),
	 * one instruction where rcu_read_lock() is a call on PREEMPT_RCU.
	 */
	preempt_disable();
	span = ta_span_lookup(obj);
	if (!span) {
		preempt_enable();
		return false;
	}
	ta = span->owner;
	if (ta_off_in_header(ta_block_off(ta, span, obj))) {
		ta_report_invalid(ta->stats, obj, ip, "points into a span header");
		goto refused;
	}
	/* KASAN's shadow knows every live object, as tiny_debug does. */
	if (ta_tiny_kasan(ta)) {
		size = ta_kasan_size(ta, obj);
		if (!size) {
			ta_report_invalid(ta->stats, obj, ip,
					  "not the start of a live object");
			goto refused;
		}
	}
	if (unlikely(ta->debug) && !ta_debug_free(span, obj, ip))
		goto refused;
	/* Before the count drops: then the block may be handed out again. */
	if (ta_tiny_kasan(ta))
		ta_kasan_poison(obj, size, TA_KASAN_FREE);
	if (ta_tiny_leaks(ta))
		ta_leak_free(obj);
	trace_tiny_free(ip, obj);
	word = ta_count_word(ta, span, ta_block_off(ta, span, obj), &shift);
	count = ta_count_add(word, shift, -1, false);
	/*
	 * Still a reader: once another CPU frees the block's last object,
	 * the span may go, but its header stays for a grace period.
	 */
	if (likely(count >= 0)) {
		ta_stat_inc(ta->stats, TA_TINY_FREES);
		if (span->node != numa_mem_id())
			ta_stat_inc(ta->stats, TA_TINY_REMOTE_FREES);
	}
	preempt_enable();
	if (unlikely(count <= 0))
		ta_tiny_free_settle(ta, obj, count, ip);
	return true;

refused:
	preempt_enable();
	return true;
}

/**
 * ta_tiny_size() - the size of a live tiny object of any instance
 * @obj: the object, or any address
 * @size: where to store it: 0 if refused (reported)
 * @ip: the caller, for error reports
 *
 * Sizes are recorded by KASAN's shadow and by tiny_debug's, not in the
 * default mode (tinyalloc.h says why).
 *
 * Return: false if @obj is in no tinyalloc span (nothing is done).
 */
bool ta_tiny_size(const void *obj, size_t *size, unsigned long ip)
{
	unsigned long addr = (unsigned long)obj;
	struct ta_span *span;
	struct ta_tiny *ta;
	const char *why;

	*size = 0;
	rcu_read_lock();
	span = ta_span_lookup(obj);
	if (!span) {
		rcu_read_unlock();
		return false;
	}
	ta = span->owner;
	if (ta_off_in_header(ta_block_off(ta, span, obj))) {
		why = "points into a span header";
	} else if (ta_tiny_kasan(ta)) {
		*size = ta_kasan_size(ta, obj);
		why = "not the start of a live object";
	} else if (ta->debug) {
		*size = READ_ONCE(span->shadow[addr - (unsigned long)span]);
		why = "not the start of a live object";
	} else {
		why = "tiny object sizes are recorded only with tiny_debug or tiny_kasan";
	}
	rcu_read_unlock();
	if (!*size)
		ta_report_size(obj, ip, why);
	return true;
}

/*
 * Settle a CPU's blocks and give up its spans; the task context's state
 * only if @task_too (see ta_tiny_drain_local()).
 */
static void ta_drain(struct ta_tiny *ta, struct ta_tiny_cpu *c, bool task_too)
{
	struct ta_tiny_ctx *x;

	for (x = &c->ctx[task_too ? TA_CTX_TASK : TA_CTX_LOCKED];
	     x < c->ctx + TA_NR_CTX; x++)
		ta_ctx_release(ta, x);
}

/**
 * ta_tiny_drain_local() - settle the calling CPU's blocks and spans
 * @ta: the instance
 *
 * Afterwards every empty span of this CPU is back on its node's list or
 * back in the page allocator.  Called from an interrupt, it leaves the
 * state of task context alone: the interrupted task may be in the middle
 * of changing it, with only preemption off (ctx.h).
 */
void ta_tiny_drain_local(struct ta_tiny *ta)
{
	unsigned long flags;

	local_lock_irqsave(&ta->cpu->lock, flags);
	ta_drain(ta, this_cpu_ptr(ta->cpu), in_task());
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
	ta_drain(ta, per_cpu_ptr(ta->cpu, cpu), true);
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

/*
 * The shelf's tables for the instance's mode: TA_MAX_BLOCK / block_size
 * slots per offset (tiny.h).  An object fits every hole that starts at
 * or before the last aligned start it fits at: the slots up to that
 * offset's.  A hole no object fits (with KASAN's shadow, one past the
 * last granule start) gets no slot.
 */
static void ta_shelf_setup(struct ta_tiny *ta)
{
	unsigned int per = TA_MAX_BLOCK / ta->block_size, size, off, last;

	for (size = 0; size < TA_MAX_BLOCK; size++) {
		ta->shelf_fit[size] = 0;
		if (!size || size >= ta->block_size)
			continue;
		last = round_down(ta->block_size - ta_obj_end(ta, 0, size),
				  ta_obj_align(ta, size));
		ta->shelf_fit[size] = GENMASK(last * per + per - 1, 0);
	}
	for (off = 0; off <= TA_MAX_BLOCK; off++)
		ta->shelf_slots[off] = off && off < ta->block_size ?
				       GENMASK(off * per + per - 1, off * per) &
				       ta->shelf_fit[1] : 0;
}

/**
 * ta_tiny_set_kasan() - have an instance keep KASAN's shadow of its objects
 * @ta: the instance, before its first allocation
 * @kasan: keep the shadow (generic KASAN only: elsewhere no change)
 *
 * Objects then start at KASAN's granules (kasan.c), which moves the holes
 * the shelf can use.
 */
void ta_tiny_set_kasan(struct ta_tiny *ta, bool kasan)
{
	ta->kasan = kasan;
	ta_shelf_setup(ta);
}
EXPORT_SYMBOL_TA_INTERNAL(ta_tiny_set_kasan);

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
	ta = kzalloc(sizeof(*ta), GFP_KERNEL);
	if (!ta)
		return ERR_PTR(-ENOMEM);
	ta->block_size = block_size;
	ta->block_shift = ilog2(block_size);
	ta->debug = debug;
	ta->keep_empty = TA_KEEP_EMPTY;
	ta->nr_open = 1;
	ta_tiny_geometry(ta);
	ta_shelf_setup(ta);
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

/*
 * kmemleak forgets the objects still live in @span: its pages go.  Where
 * objects start is not recorded, so every place of every block is tried
 * (a bad free may have taken a block with a live object to count 0).
 */
static void ta_span_forget_live(struct ta_tiny *ta, struct ta_span *span)
{
	unsigned int step = ta_tiny_kasan(ta) ? TA_KASAN_GRANULE : 1;
	unsigned int i, off;
	void *blk;

	if (!ta_tiny_leaks(ta) || !atomic_read(&span->inuse))
		return;
	for (i = 0; i < ta->nr_blocks; i++) {
		blk = (void *)ta_block_addr(ta, span, i);
		for (off = 0; off < ta->block_size; off += step)
			ta_leak_free(blk + off);
		if (i % 64 == 63)
			cond_resched();
	}
}

/* Free every span on a list; return how many blocks were still in use. */
static unsigned long ta_free_list(struct ta_tiny *ta, struct list_head *head)
{
	struct ta_span *span, *next;
	unsigned long inuse = 0;

	list_for_each_entry_safe(span, next, head, list) {
		inuse += atomic_read(&span->inuse);
		ta_span_forget_live(ta, span);
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
	/* The spans' pages go back in RCU callbacks of this module. */
	rcu_barrier();
}
EXPORT_SYMBOL_TA_INTERNAL(ta_tiny_destroy);
