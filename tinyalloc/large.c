// SPDX-License-Identifier: GPL-2.0
/*
 * Requests of a tiny block or more go to kmalloc, behind a 16-byte header
 * that links the object into a hash table of live objects.  A free looks
 * the pointer up before touching it, so a double free or a foreign
 * pointer is refused without reading freed memory (KASAN stays quiet)
 * and without handing kfree() something it would choke on.
 *
 * Bucket locks are taken with IRQs off: tinyalloc_alloc() and
 * tinyalloc_free() work in any context.
 */

#define pr_fmt(fmt) "tinyalloc: " fmt

#include <linux/hash.h>
#include <linux/list.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "large.h"

#define TA_LARGE_BITS	14
#define TA_LARGE_LOCKS	256

struct ta_large_hdr {
	struct hlist_node node;
} __aligned(ARCH_KMALLOC_MINALIGN);

static struct hlist_head *ta_large_table;
static spinlock_t ta_large_locks[TA_LARGE_LOCKS];
static struct ta_stats __percpu *ta_large_stats;

static unsigned int ta_large_bucket(const struct ta_large_hdr *h)
{
	return hash_ptr((void *)h, TA_LARGE_BITS);
}

static spinlock_t *ta_large_lock(unsigned int bucket)
{
	return &ta_large_locks[bucket % TA_LARGE_LOCKS];
}

void *ta_large_alloc(size_t size, gfp_t gfp)
{
	struct ta_large_hdr *h;
	unsigned int bucket;
	unsigned long flags;

	h = kmalloc(size_add(sizeof(*h), size), gfp);
	if (!h) {
		ta_stat_inc(ta_large_stats, TA_KMALLOC_FAILS);
		return NULL;
	}
	bucket = ta_large_bucket(h);
	spin_lock_irqsave(ta_large_lock(bucket), flags);
	hlist_add_head(&h->node, &ta_large_table[bucket]);
	spin_unlock_irqrestore(ta_large_lock(bucket), flags);
	ta_stat_inc(ta_large_stats, TA_KMALLOC_ALLOCS);
	return h + 1;
}

/* Return false, touching nothing, if @obj is not a live large object. */
bool ta_large_free(const void *obj)
{
	const struct ta_large_hdr *h = (const struct ta_large_hdr *)obj - 1;
	unsigned int bucket = ta_large_bucket(h);
	struct ta_large_hdr *it;
	unsigned long flags;
	bool found = false;

	spin_lock_irqsave(ta_large_lock(bucket), flags);
	hlist_for_each_entry(it, &ta_large_table[bucket], node) {
		if (it == h) {
			hlist_del(&it->node);
			found = true;
			break;
		}
	}
	spin_unlock_irqrestore(ta_large_lock(bucket), flags);
	if (!found)
		return false;
	kfree(h);
	ta_stat_inc(ta_large_stats, TA_KMALLOC_FREES);
	return true;
}

int ta_large_init(struct ta_stats __percpu *stats)
{
	unsigned int i;

	ta_large_table = kvcalloc(1U << TA_LARGE_BITS,
				  sizeof(*ta_large_table), GFP_KERNEL);
	if (!ta_large_table)
		return -ENOMEM;
	for (i = 0; i < TA_LARGE_LOCKS; i++)
		spin_lock_init(&ta_large_locks[i]);
	ta_large_stats = stats;
	return 0;
}

/* Free what callers leaked, and say how much it was. */
void ta_large_exit(void)
{
	struct ta_large_hdr *h;
	struct hlist_node *next;
	unsigned long leaked = 0;
	unsigned int i;

	for (i = 0; i < 1U << TA_LARGE_BITS; i++) {
		hlist_for_each_entry_safe(h, next, &ta_large_table[i], node) {
			hlist_del(&h->node);
			kfree(h);
			leaked++;
		}
	}
	if (leaked)
		pr_err("%lu kmalloc-backed objects still live at exit; freed\n",
		       leaked);
	kvfree(ta_large_table);
}
