/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tiny allocator: one instance per block size.
 *
 * The module runs one instance for tinyalloc_alloc(); the KUnit suites make
 * private instances to test each block size and mode on a clean slate.
 */
#ifndef _TINYALLOC_TINY_H
#define _TINYALLOC_TINY_H

#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/list.h>
#include <linux/local_lock.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "ctx.h"
#include "kasan.h"
#include "stats.h"

/* Objects per block are counted in 4 bits. */
#define TA_MAX_OBJS		15
#define TA_NIBBLES_PER_WORD	(BITS_PER_LONG / 4)

/**
 * struct ta_span - header at the start of a span of pages
 * @list: on its node's partial or full list; empty while a CPU owns it
 * @rcu: once freed, gives the pages back after a grace period (tiny.c)
 * @owner: the instance the span belongs to
 * @shadow: tiny_debug only: per byte, the size of the object starting there
 * @inuse: blocks in use, but those taken by the CPU that owns it (tiny.c)
 * @node: NUMA node of the pages
 * @frozen: a CPU takes blocks from this span without the node lock
 * @counts: a 4-bit live count per usable block
 *
 * The header, the counts and padding fill the first blocks of the span,
 * so that each block stays aligned to the block size.
 */
struct ta_span {
	union {
		struct list_head list;
		struct rcu_head rcu;
	};
	struct ta_tiny *owner;
	u8 *shadow;
	atomic_t inuse;
	u16 node;
	u8 frozen;
	unsigned long counts[];
};

/* Open blocks per CPU under the best-fit policy; Go's rule keeps one. */
#define TA_MAX_OPEN		4

/**
 * struct ta_open_block - a block a CPU hands objects out of
 * @block: its address, 0 when the slot is empty; always in the span of
 *	the context the slot belongs to (ta_tiny_ctx.span)
 * @count: the word of the span's counts that holds the block's
 * @unit: 1 in the block's 4 bits of @count
 * @mask: the block's 4 bits of @count
 * @left: the bias not handed out yet, TA_MAX_OBJS less the objects handed
 *	out, in the block's bits (as @count would hold it, every object
 *	freed): a block with none left is let go
 * @off: bytes used
 * @since: objects handed out since the block last started at offset 0
 *
 * The counts are kept shifted so that the fast path only compares them.
 */
struct ta_open_block {
	unsigned long block;
	unsigned long *count;
	unsigned long unit;
	unsigned long mask;
	unsigned long left;
	unsigned int off;
	u8 since;
};

/* The bias open block @o (not empty) has not handed out, as a count. */
static inline unsigned int ta_open_left(const struct ta_open_block *o)
{
	return o->left >> __ffs(o->unit);
}

/* The largest block size (ta_tiny_create()). */
#define TA_MAX_BLOCK		32

/**
 * struct ta_shelf - blocks Go's rule let go of with room left
 * @used: a bit per slot that holds a block
 * @left: per slot, the bias the block has not handed out, as a count
 * @block: per slot, the block's address
 *
 * Where Go's rule drops the block with less room, the shelf keeps it, so
 * that smaller objects fill its hole later.  A block whose free bytes
 * start at offset off sits in one of the TA_MAX_BLOCK / block_size slots
 * from off * (TA_MAX_BLOCK / block_size): the tightest hole an object
 * fits is then the highest slot in use below a limit (tiny.c).  Shelved
 * blocks keep their bias and stay in the context's span, as open blocks.
 */
struct ta_shelf {
	u32 used;
	u8 left[TA_MAX_BLOCK];
	unsigned long block[TA_MAX_BLOCK];
};

/**
 * struct ta_tiny_ctx - what one kind of context allocates from (ctx.h)
 * @open: the open blocks; Go's rule uses only the first
 * @span: the span fresh blocks come from, owned by this CPU
 * @taken: blocks taken from @span since this CPU owns it
 * @scan: index of the count word where the search for a free block starts
 * @shelf: Go's rule: the blocks with room it has let go of
 */
struct ta_tiny_ctx {
	struct ta_open_block open[TA_MAX_OPEN];
	struct ta_span *span;
	unsigned int taken;
	unsigned int scan;
	struct ta_shelf shelf;
};

/**
 * struct ta_tiny_cpu - a CPU's tiny allocation state
 * @lock: protects @ctx, but what the fast path does with preemption off
 *	(IRQ-safe, a real lock on PREEMPT_RT)
 * @ctx: the state of each kind of context
 */
struct ta_tiny_cpu {
	local_lock_t lock;
	struct ta_tiny_ctx ctx[TA_NR_CTX];
};

/**
 * struct ta_tiny_node - per NUMA node lists of spans not owned by a CPU
 * @lock: protects the lists, the spans' @frozen and their @inuse moves
 * @partial: spans with free blocks, empty spans at the tail
 * @full: spans without a free block
 * @nr_empty: spans on @partial with no block in use
 * @nr_spans: spans on this node, wherever they are (for debugfs)
 */
struct ta_tiny_node {
	spinlock_t lock;		/* see above */
	struct list_head partial;
	struct list_head full;
	unsigned int nr_empty;
	atomic_long_t nr_spans;
} ____cacheline_aligned_in_smp;

/**
 * struct ta_tiny - a tiny allocator instance
 * @block_size: tiny block size: 8, 16 or 32
 * @block_shift: log2 of @block_size, to index blocks without a division
 * @debug: record object starts, refuse interior pointers, poison frees
 * @leaks: tell kmemleak of each object (the module's own instance only:
 *         the tests' deliberate bad frees would leave its records wrong)
 * @kasan: keep KASAN's shadow of the blocks (generic KASAN only; set by
 *         ta_tiny_set_kasan() before the first allocation): objects at
 *         granule starts (kasan.c)
 * @span_order: page order of a span
 * @first_block: offset of the first usable block in a span
 * @nr_blocks: usable blocks per span
 * @nr_words: count words per span
 * @keep_empty: empty spans kept per node for reuse
 * @nr_open: open blocks per CPU: 1 for Go's rule (and the shelf),
 *           TA_MAX_OPEN for best fit
 * @cpu: per-CPU state
 * @stats: per-CPU counters
 * @nodes: per-node span lists, nr_node_ids of them
 * @shelf_fit: per object size, the shelf's slots whose holes fit it
 * @shelf_slots: per offset, the shelf's slots of a block whose free bytes
 *               start there (none at block_size)
 */
struct ta_tiny {
	unsigned int block_size;
	unsigned int block_shift;
	bool debug;
	bool kasan;
	bool leaks;
	unsigned int span_order;
	unsigned int first_block;
	unsigned int nr_blocks;
	unsigned int nr_words;
	unsigned int keep_empty;
	unsigned int nr_open;
	struct ta_tiny_cpu __percpu *cpu;
	struct ta_stats __percpu *stats;
	struct ta_tiny_node *nodes;
	/* Last: what the fast paths read stays in the first cache line. */
	u32 shelf_fit[TA_MAX_BLOCK];
	u32 shelf_slots[TA_MAX_BLOCK + 1];
};

struct ta_tiny *ta_tiny_create(unsigned int block_size, bool debug);
void ta_tiny_destroy(struct ta_tiny *ta);
void ta_tiny_set_kasan(struct ta_tiny *ta, bool kasan);
void *__ta_tiny_alloc(struct ta_tiny *ta, size_t size, gfp_t gfp,
		      unsigned long ip);
void *ta_tiny_alloc(struct ta_tiny *ta, size_t size, gfp_t gfp);
bool ta_tiny_free(const void *obj, unsigned long ip);
bool ta_tiny_size(const void *obj, size_t *size, unsigned long ip);
struct ta_span *ta_tiny_span_of(const void *obj);
void ta_tiny_drain_cpu(struct ta_tiny *ta, unsigned int cpu);
void ta_tiny_drain_local(struct ta_tiny *ta);

/* Does the CPU hold a block or a span? (Not once drained.) */
static inline bool ta_tiny_cpu_holds(const struct ta_tiny_cpu *c)
{
	unsigned int x, i;

	for (x = 0; x < TA_NR_CTX; x++) {
		if (c->ctx[x].span || c->ctx[x].shelf.used)
			return true;
		for (i = 0; i < TA_MAX_OPEN; i++)
			if (c->ctx[x].open[i].block)
				return true;
	}
	return false;
}

/* Go's rule: 8 for multiples of 8, else 4, else 2 for even, else 1. */
static __always_inline unsigned int ta_tiny_align(size_t size)
{
	return 1U << min(__ffs(size), 3UL);
}

/* Where @ta's objects start: with KASAN's shadow kept, at its granules. */
static __always_inline bool ta_tiny_kasan(const struct ta_tiny *ta)
{
	return TA_KASAN && ta->kasan;
}

/* Does @ta tell kmemleak of its objects? (leak.h) */
static __always_inline bool ta_tiny_leaks(const struct ta_tiny *ta)
{
	return IS_ENABLED(CONFIG_DEBUG_KMEMLEAK) && ta->leaks;
}

static __always_inline unsigned int ta_obj_align(const struct ta_tiny *ta,
						 size_t size)
{
	return ta_tiny_kasan(ta) ? TA_KASAN_GRANULE : ta_tiny_align(size);
}

/*
 * Where the next object may go after one of @size at @off, and how far
 * the object reaches for the fit.  With KASAN's shadow, a whole-granule
 * object is followed by a poisoned granule of its own block, so that the
 * shadow tells where it ends (kasan.c) and a byte past it is reported.
 */
static __always_inline unsigned int ta_obj_end(const struct ta_tiny *ta,
					       unsigned int off, size_t size)
{
	return off + size + (ta_tiny_kasan(ta) && !(size % TA_KASAN_GRANULE));
}

#endif /* _TINYALLOC_TINY_H */
