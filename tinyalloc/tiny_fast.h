/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tiny allocator's fast paths, inlined into tinyalloc_alloc() and
 * tinyalloc_free() (core.c), and what tiny.c shares with them.
 *
 * They serve the default mode, with no per-object bookkeeping (tiny_debug,
 * KASAN's shadow, kmemleak) and no tracer: the allocation bumps an object
 * into the CPU's open block, in task context under Go's rule, with
 * preemption off; the free, in any context but NMI, decrements its
 * block's count.  All else (a new block, a block freed, other contexts
 * and modes, bad frees) goes out of line, by tail calls, so that the fast
 * paths save no registers.
 */
#ifndef _TINYALLOC_TINY_FAST_H
#define _TINYALLOC_TINY_FAST_H

#include <linux/atomic.h>
#include <linux/mm.h>
#include <linux/preempt.h>
#include <linux/string.h>

#include "spanmap.h"
#include "tiny.h"
#include "trace.h"

/* The span @obj would be in: spans are naturally aligned. */
static __always_inline struct ta_span *ta_span_base(const void *obj)
{
	return (struct ta_span *)((unsigned long)obj &
				  ~((1UL << TA_SPAN_SHIFT) - 1));
}

/*
 * The span holding an address, if any.  Spans are naturally aligned, so
 * the span is the address rounded down, if the span map says one is
 * there.  Only the map is read, never the memory at @obj, so a foreign
 * address is safe to test (KASAN stays quiet).  The header outlives the
 * map's bit by an RCU grace period (ta_span_free()): a caller that may
 * race with the span's end, a bad free, looks it up as an RCU reader
 * (rcu_read_lock(), or preemption off on the free's path).
 */
static __always_inline struct ta_span *ta_span_lookup(const void *obj)
{
	return ta_span_map_test(obj) ? ta_span_base(obj) : NULL;
}

/*
 * Where @obj, in @span, is from the span's first block: beyond the span
 * (it wraps) if @obj is in the header (ta_off_in_header()).
 */
static __always_inline unsigned long ta_block_off(const struct ta_tiny *ta,
						  const struct ta_span *span,
						  const void *obj)
{
	return (unsigned long)obj - (unsigned long)span - ta->first_block;
}

/* Does offset @rel (ta_block_off()) point into the span's header? */
static __always_inline bool ta_off_in_header(unsigned long rel)
{
	return rel >= (1UL << TA_SPAN_SHIFT);
}

/*
 * The count word of the block at offset @rel (ta_block_off()), and where
 * in it the block's 4 bits are.
 */
static __always_inline unsigned long *ta_count_word(const struct ta_tiny *ta,
						    struct ta_span *span,
						    unsigned long rel,
						    unsigned int *shift)
{
	unsigned long bit = rel >> (ta->block_shift - 2) & ~3UL;

	*shift = bit % BITS_PER_LONG;
	return &span->counts[bit / BITS_PER_LONG];
}

/*
 * Take one from the count at @shift of @word: return the new count, or
 * -1 with nothing changed if it was 0.  A full barrier, as every free's
 * decrement (ta_block_idle() pairs with it).
 */
static __always_inline int ta_count_dec(unsigned long *word,
					unsigned int shift)
{
	unsigned long old = READ_ONCE(*word);
	unsigned int count;

	do {
		count = (old >> shift) & 15;
		if (unlikely(!count))
			return -1;
	} while (!try_cmpxchg(word, &old, old - (1UL << shift)));
	return count - 1;
}

/*
 * Add @delta to the count at @shift of @word (ta_count_word()) and return
 * the new count.  If it would leave 0..TA_MAX_OBJS nothing changes,
 * unless @clamp asks to settle at 0; either way the out-of-range value is
 * returned.
 */
static __always_inline int ta_count_add(unsigned long *word,
					unsigned int shift, int delta,
					bool clamp)
{
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

/*
 * init_on_alloc or init_on_free, kernel-wide (Debian's kernels have the
 * first on by default): then a block is zeroed whenever a CPU starts it
 * at offset 0 (ta_block_start()), and no object needs zeroing on its own,
 * since the bytes of an open block are handed out once per start.  With
 * KASAN's shadow kept, free bytes are poisoned: objects are zeroed one by
 * one instead, once unpoisoned (tiny.c).
 */
static __always_inline bool ta_zero_blocks(const struct ta_tiny *ta)
{
	return !ta_tiny_kasan(ta) &&
	       (want_init_on_alloc(0) || want_init_on_free());
}

/* A CPU starts handing out block @blk from offset 0. */
static __always_inline void ta_block_start(const struct ta_tiny *ta,
					   unsigned long blk)
{
	u64 *w = (u64 *)blk;

	if (!ta_zero_blocks(ta))
		return;
	w[0] = 0;
	/* The default first, with one compare. */
	if (likely(ta->block_size == 16)) {
		w[1] = 0;
	} else if (ta->block_size > 8) {
		w[1] = 0;
		if (ta->block_size > 16) {
			w[2] = 0;
			w[3] = 0;
		}
	}
}

/*
 * The one object handed out since the open block last started at offset
 * 0 is free again: the CPU may bump from the start once more, with no
 * atomic and no new block (an allocate-free loop then stays at one
 * address).  The count keeps the bias the block was taken with, so it
 * still reaches 0 only once all of the at most TA_MAX_OBJS objects ever
 * handed out are freed.  Only with one object since the start: the count
 * tells how many frees came, not which objects they freed, so with two a
 * double free of one would look like both freed, and the restart would
 * overwrite the other.  A count below the expected one means frees beyond
 * the objects handed out: leave those to ta_retire_block() to report.
 * Acquire: the last free's accesses to the bytes come before the next
 * user's.
 */
static __always_inline bool ta_block_idle(const struct ta_open_block *o)
{
	if (o->since != 1)
		return false;
	/* Pairs with the full barrier of the last free's cmpxchg. */
	return (smp_load_acquire(o->count) & o->mask) == o->left;
}

/*
 * Hand out @size bytes from open block @o, from its start if it is idle;
 * return 0 if it has no room.  With the bias used up there is nothing to
 * settle: the block is let go.  Each object counts once, where it went:
 * a restart or a combined one here, a block taken in tiny.c; their sum is
 * the allocations (stats.h).
 */
static __always_inline unsigned long ta_bump(const struct ta_tiny *ta,
					     struct ta_open_block *o,
					     size_t size)
{
	unsigned int off;
	unsigned long p;

	if (!o->block)
		return 0;
	if (ta_block_idle(o)) {
		off = 0;
		ta_block_start(ta, o->block);
		ta_stat_inc(ta->stats, TA_TINY_RESTARTS);
	} else {
		off = ALIGN(o->off, ta_obj_align(ta, size));
		if (ta_obj_end(ta, off, size) > ta->block_size)
			return 0;
		ta_stat_inc(ta->stats, TA_TINY_COMBINED);
	}
	p = o->block + off;
	o->off = ta_obj_end(ta, off, size);
	/* Only an object at the start is at offset 0 (since was 1). */
	if (off)
		o->since++;
	o->left -= o->unit;
	if (!o->left)
		o->block = 0;
	return p;
}

/* Blocks are aligned to their size: only a first object is at 0. */
static __always_inline bool ta_combined(const struct ta_tiny *ta,
					unsigned long p)
{
	return p & (ta->block_size - 1);
}

/*
 * Trace object @p (counted where it went, ta_bump()), with the CPU's
 * state still owned, so that the event's cpu is the one whose block
 * served.
 */
static __always_inline void ta_served(const struct ta_tiny *ta,
				      unsigned long p, size_t size, gfp_t gfp,
				      unsigned long ip)
{
	trace_tiny_alloc(ip, (void *)p, size, gfp, ta_combined(ta, p));
}

/*
 * memset(@p, 0, @n) for @n below 32 (a block) without a call: two
 * overlapping stores of the widest size that fits, within [p, p + n)
 * (constant-size memset()s, which the compiler turns into stores).
 */
static __always_inline void ta_zero_small(void *p, size_t n)
{
	if (n >= 16) {
		memset(p, 0, 16);
		memset(p + n - 16, 0, 16);
	} else if (n >= 8) {
		memset(p, 0, 8);
		memset(p + n - 8, 0, 8);
	} else if (n >= 4) {
		memset(p, 0, 4);
		memset(p + n - 4, 0, 4);
	} else if (n >= 2) {
		memset(p, 0, 2);
		memset(p + n - 2, 0, 2);
	} else if (n) {
		*(u8 *)p = 0;
	}
}

/*
 * Does @ta keep per-object records (tiny_debug, KASAN's shadow, kmemleak),
 * or, for allocations, several open blocks?  The fast paths leave those
 * to tiny.c, as an enabled tracepoint, so that they make no call but a
 * tail call, and save no registers.
 */
static __always_inline bool ta_tiny_records(const struct ta_tiny *ta)
{
	return ta->debug || ta_tiny_kasan(ta) || ta_tiny_leaks(ta);
}

static __always_inline bool ta_tiny_slow(const struct ta_tiny *ta)
{
	return ta->nr_open != 1 || ta_tiny_records(ta);
}

/*
 * Task context only, except on PREEMPT_RT (ctx.h): preemption off is all
 * it takes to use the CPU's task context state.  Return NULL where
 * ta_tiny_alloc_slow() must serve: a mode of ta_tiny_slow(), an enabled
 * tiny_alloc event, or no room in the open block.
 */
static __always_inline void *ta_tiny_alloc_fast(struct ta_tiny *ta,
						size_t size, gfp_t gfp,
						unsigned long ip)
{
	struct ta_open_block *o;
	unsigned long p;

	if (ta_tiny_slow(ta) || trace_tiny_alloc_enabled())
		return NULL;
	preempt_disable();
	o = &this_cpu_ptr(ta->cpu)->ctx[TA_CTX_TASK].open[0];
	p = ta_bump(ta, o, size);
	if (unlikely(!p)) {
		preempt_enable();
		return NULL;
	}
	preempt_enable();
	if ((gfp & __GFP_ZERO) && !ta_zero_blocks(ta))
		ta_zero_small((void *)p, size);
	return (void *)p;
}

void *ta_tiny_alloc_slow(struct ta_tiny *ta, size_t size, gfp_t gfp,
			 unsigned long ip);
void ta_tiny_free_settle(struct ta_tiny *ta, const void *obj, int count,
			 unsigned long ip);
void ta_free_slow(const void *obj, unsigned long ip);

/*
 * tinyalloc_free() of @obj, not NULL, outside NMI: a tiny object in the
 * default mode has its block's count drop here.  Anything else goes to
 * ta_free_slow() (core.c): another mode, a pointer into a header, a
 * kmalloc-backed object, a bad free; a free that empties a block, or
 * one too many, ends in ta_tiny_free_settle().  Each as a tail call.
 */
static __always_inline void ta_free_fast(const void *obj, unsigned long ip)
{
	unsigned long *word, rel;
	struct ta_span *span;
	unsigned int shift;
	struct ta_tiny *ta;
	int count;

	/*
	 * Until the count is taken: a bad free may race with the span's
	 * end.  A free that takes it holds a block, which keeps the span.
	 * Preemption off is an RCU read side for call_rcu() (since 4.20),
	 * one instruction where rcu_read_lock() is a call on PREEMPT_RCU.
	 */
	preempt_disable();
	if (unlikely(!ta_span_map_test(obj))) {
		preempt_enable();
		ta_free_slow(obj, ip);
		return;
	}
	span = ta_span_base(obj);
	ta = span->owner;
	rel = ta_block_off(ta, span, obj);
	if (unlikely(ta_tiny_records(ta) || trace_tiny_free_enabled() ||
		     ta_off_in_header(rel))) {
		preempt_enable();
		ta_free_slow(obj, ip);
		return;
	}
	word = ta_count_word(ta, span, rel, &shift);
	count = ta_count_dec(word, shift);
	/* Still a reader: the header stays while another CPU ends it. */
	if (likely(count >= 0)) {
		ta_stat_inc(ta->stats, TA_TINY_FREES);
		if (unlikely(span->node != numa_mem_id()))
			ta_stat_inc(ta->stats, TA_TINY_REMOTE_FREES);
	}
	preempt_enable();
	if (unlikely(count <= 0))
		ta_tiny_free_settle(ta, obj, count, ip);
}

#endif /* _TINYALLOC_TINY_FAST_H */
