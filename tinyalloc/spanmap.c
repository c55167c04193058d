// SPDX-License-Identifier: GPL-2.0
/*
 * The span map (spanmap.h): two bits per 32 KiB of the direct map, 8 MiB
 * per TiB of its range, vmalloc-ed at load.  Memory added later (hotplug)
 * grows it: a larger copy replaces it, and the old one is kept until
 * unload, so that a reader of the map takes no lock (a stack free's
 * lookup, under RCU for the descriptor it finds, only waits out a
 * writer clearing bits: ta_stack_map_lookup()).
 */

#define pr_fmt(fmt) "tinyalloc: " fmt

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/list.h>
#include <linux/memory.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pfn.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "compat.h"
#include "spanmap.h"

struct ta_span_map *ta_span_map __read_mostly;
EXPORT_SYMBOL_TA_INTERNAL(ta_span_map);

/* A map and the maps it replaced, freed at unload. */
struct ta_span_map_node {
	struct ta_span_map map;
	struct list_head list;
};

static LIST_HEAD(ta_span_maps);
/* Serialises growth, which allocates. */
static DEFINE_MUTEX(ta_span_map_grow_lock);
/* Bits are set and cleared in the current map only, under this lock. */
static DEFINE_SPINLOCK(ta_span_map_lock);
/*
 * Bumped around clearing stack bits: see ta_stack_map_lookup().  Read by
 * every stack free: on a line of its own, not the lock's.
 */
seqcount_spinlock_t ta_stack_map_seq ____cacheline_aligned_in_smp =
	SEQCNT_SPINLOCK_ZERO(ta_stack_map_seq, &ta_span_map_lock);
EXPORT_SYMBOL_TA_INTERNAL(ta_stack_map_seq);
static atomic_long_t ta_span_map_refusals;

static unsigned long ta_span_map_index(const struct ta_span_map *m,
				       const void *span)
{
	return ((unsigned long)span - m->base) >> TA_SPAN_SHIFT;
}

/* Bit 0's address: PAGE_OFFSET rounded down to a span. */
static unsigned long ta_span_map_base(void)
{
	return PAGE_OFFSET & ~((1UL << TA_SPAN_SHIFT) - 1);
}

static struct ta_span_map_node *ta_span_map_alloc(unsigned long nr)
{
	struct ta_span_map_node *n = kzalloc(sizeof(*n), GFP_KERNEL);

	if (!n)
		return NULL;
	n->map.bits = kvcalloc(BITS_TO_LONGS(nr), sizeof(long), GFP_KERNEL);
	n->map.stack_bits = kvcalloc(BITS_TO_LONGS(nr), sizeof(long),
				     GFP_KERNEL);
	if (!n->map.bits || !n->map.stack_bits) {
		kvfree(n->map.bits);
		kvfree(n->map.stack_bits);
		kfree(n);
		return NULL;
	}
	n->map.base = ta_span_map_base();
	n->map.nr = nr;
	return n;
}

/* The pieces from the map's base to @end, an address past the memory. */
static unsigned long ta_span_map_pieces(unsigned long end)
{
	return DIV_ROUND_UP(end - ta_span_map_base(), 1UL << TA_SPAN_SHIFT);
}

/**
 * ta_span_map_grow() - cover the direct map up to an address
 * @end: the first address past the memory to cover
 *
 * Called as memory comes online; spans may be set and cleared meanwhile.
 *
 * Return: 0, or -ENOMEM (spans there are then refused, and counted).
 */
int ta_span_map_grow(unsigned long end)
{
	unsigned long nr = ta_span_map_pieces(end), flags;
	struct ta_span_map_node *n;
	int err = 0;

	mutex_lock(&ta_span_map_grow_lock);
	if (nr <= ta_span_map->nr)
		goto out;
	n = ta_span_map_alloc(nr);
	if (!n) {
		err = -ENOMEM;
		goto out;
	}
	spin_lock_irqsave(&ta_span_map_lock, flags);
	bitmap_copy(n->map.bits, ta_span_map->bits, ta_span_map->nr);
	bitmap_copy(n->map.stack_bits, ta_span_map->stack_bits,
		    ta_span_map->nr);
	/* The copy before the pointer: a reader of the new map sees it. */
	smp_store_release(&ta_span_map, &n->map);
	spin_unlock_irqrestore(&ta_span_map_lock, flags);
	list_add(&n->list, &ta_span_maps);
out:
	mutex_unlock(&ta_span_map_grow_lock);
	return err;
}
EXPORT_SYMBOL_TA_INTERNAL(ta_span_map_grow);

static int ta_span_map_memory(struct notifier_block *nb, unsigned long action,
			      void *arg)
{
	struct memory_notify *mn = arg;
	unsigned long end = (unsigned long)__va(PFN_PHYS(mn->start_pfn +
							  mn->nr_pages));

	if (action == MEM_GOING_ONLINE && ta_span_map_grow(end))
		pr_warn("no memory to cover new memory in the span map: tiny spans will not be placed there\n");
	return NOTIFY_OK;
}

static struct notifier_block ta_span_map_nb = {
	.notifier_call = ta_span_map_memory,
};

/**
 * ta_span_map_init() - size the map for the direct map, all clear
 *
 * Return: 0 or -ENOMEM.
 */
int ta_span_map_init(void)
{
	struct ta_span_map_node *n;

	n = ta_span_map_alloc(ta_span_map_pieces((unsigned long)high_memory));
	if (!n)
		return -ENOMEM;
	list_add(&n->list, &ta_span_maps);
	ta_span_map = &n->map;
	register_memory_notifier(&ta_span_map_nb);
	return 0;
}

/** ta_span_map_exit() - free the maps, once no span is left */
void ta_span_map_exit(void)
{
	struct ta_span_map_node *n, *next;

	unregister_memory_notifier(&ta_span_map_nb);
	WARN_ON(!bitmap_empty(ta_span_map->bits, ta_span_map->nr));
	WARN_ON(!bitmap_empty(ta_span_map->stack_bits, ta_span_map->nr));
	list_for_each_entry_safe(n, next, &ta_span_maps, list) {
		kvfree(n->map.bits);
		kvfree(n->map.stack_bits);
		kfree(n);
	}
	INIT_LIST_HEAD(&ta_span_maps);
	ta_span_map = NULL;
}

/**
 * ta_span_map_set() - publish a span, its header built
 * @span: its address, aligned to a span
 *
 * Return: false if @span is beyond the map (memory the map could not grow
 * to cover): it cannot be a span.
 */
bool ta_span_map_set(const void *span)
{
	unsigned long flags, i;
	bool ok;

	spin_lock_irqsave(&ta_span_map_lock, flags);
	i = ta_span_map_index(ta_span_map, span);
	ok = i < ta_span_map->nr;
	if (ok) {
		/* The header before the bit: ta_span_map_test() acquires. */
		smp_mb__before_atomic();
		set_bit(i, ta_span_map->bits);
	}
	spin_unlock_irqrestore(&ta_span_map_lock, flags);
	if (!ok && atomic_long_inc_return(&ta_span_map_refusals) == 1)
		pr_warn("memory beyond the span map refused for tiny spans (see span_map_refused in debugfs)\n");
	return ok;
}

/**
 * ta_span_map_clear() - unpublish a span
 * @span: a span ta_span_map_set() published
 */
void ta_span_map_clear(const void *span)
{
	unsigned long flags;

	spin_lock_irqsave(&ta_span_map_lock, flags);
	clear_bit(ta_span_map_index(ta_span_map, span), ta_span_map->bits);
	spin_unlock_irqrestore(&ta_span_map_lock, flags);
}

/**
 * ta_stack_map_set() - publish stack memory, the private words that
 * name its descriptor set (stack.c)
 * @base: its address, aligned to a piece
 * @bytes: its size, a multiple of a piece
 *
 * Return: false if it is beyond the map: it is to be found another way.
 */
bool ta_stack_map_set(const void *base, unsigned long bytes)
{
	unsigned long flags, i, k, n = bytes >> TA_SPAN_SHIFT;
	bool ok;

	spin_lock_irqsave(&ta_span_map_lock, flags);
	i = ta_span_map_index(ta_span_map, base);
	ok = i < ta_span_map->nr && n <= ta_span_map->nr - i;
	if (ok) {
		/* The word before the bits: ta_stack_map_lookup() acquires. */
		smp_mb__before_atomic();
		for (k = 0; k < n; k++)
			set_bit(i + k, ta_span_map->stack_bits);
	}
	spin_unlock_irqrestore(&ta_span_map_lock, flags);
	return ok;
}

/**
 * ta_stack_map_clear() - unpublish stack memory before it is given back
 * @base: as given to ta_stack_map_set()
 * @bytes: as given to ta_stack_map_set()
 */
void ta_stack_map_clear(const void *base, unsigned long bytes)
{
	unsigned long flags, i, k, n = bytes >> TA_SPAN_SHIFT;

	spin_lock_irqsave(&ta_span_map_lock, flags);
	i = ta_span_map_index(ta_span_map, base);
	write_seqcount_begin(&ta_stack_map_seq);
	for (k = 0; k < n; k++)
		clear_bit(i + k, ta_span_map->stack_bits);
	write_seqcount_end(&ta_stack_map_seq);
	spin_unlock_irqrestore(&ta_span_map_lock, flags);
}

/**
 * ta_span_map_refused() - spans refused as beyond the map
 *
 * Return: how many, since load.
 */
unsigned long ta_span_map_refused(void)
{
	return atomic_long_read(&ta_span_map_refusals);
}
EXPORT_SYMBOL_TA_INTERNAL(ta_span_map_refused);
