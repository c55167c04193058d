// SPDX-License-Identifier: GPL-2.0
/*
 * Requests of a tiny block or more go to kmalloc, behind a 16-byte header
 * that links the object into a hash table of live objects.  A free looks
 * the pointer up before touching it, so a double free or a foreign
 * pointer is refused without reading freed memory (KASAN stays quiet)
 * and without handing kfree() something it would choke on.
 *
 * kmalloc has no caches of ZONE_DMA32 (it warns and drops the flag), and
 * none of highmem, which an object needs no more than kmalloc gives it: a
 * GFP_DMA32 object gets pages of its own from that zone, listed in a table
 * of its own so that its free knows how to give them back (kmemleak is
 * told of them, as kmalloc tells it of its large objects).  An object is
 * never movable: __GFP_MOVABLE is dropped.  A __GFP_NOFAIL object above
 * order 1, which kmalloc would ask of the page allocator with
 * __GFP_NOFAIL and have it warn, is retried by tinyalloc (span_gfp.h).
 *
 * kmemleak scans an object's payload, not its header: the hash's links
 * would keep every object referenced, and the tables themselves are not
 * scanned (leak.h).
 *
 * Bucket locks are taken with IRQs off: tinyalloc_alloc() and
 * tinyalloc_free() work in any context.
 */

#define pr_fmt(fmt) "tinyalloc: " fmt

#include <linux/hash.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "compat.h"
#include "large.h"
#include "leak.h"
#include "span_gfp.h"

#define TA_LARGE_BITS	14
#define TA_LARGE_LOCKS	256

struct ta_large_hdr {
	struct hlist_node node;
} __aligned(ARCH_KMALLOC_MINALIGN);

static struct hlist_head *ta_large_table;	/* kmalloc'd */
static struct hlist_head *ta_page_table;	/* pages of their own */
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

static void ta_large_list(struct hlist_head *table, struct ta_large_hdr *h)
{
	unsigned int bucket = ta_large_bucket(h);
	unsigned long flags;

	spin_lock_irqsave(ta_large_lock(bucket), flags);
	hlist_add_head(&h->node, &table[bucket]);
	spin_unlock_irqrestore(ta_large_lock(bucket), flags);
	ta_stat_inc(ta_large_stats, TA_KMALLOC_ALLOCS);
}

/* Whole pages, the header first; the zone is @gfp's. */
static struct ta_large_hdr *ta_large_pages(size_t size, gfp_t gfp, int node)
{
	struct page *page;
	void *h;

	if (size > PAGE_SIZE << TA_MAX_PAGE_ORDER)
		return NULL;
	page = ta_alloc_pages(node, gfp, get_order(size));
	if (!page)
		return NULL;
	h = page_address(page);
	/* All of the pages: tinyalloc_size() gives the caller all of them. */
	kmemleak_alloc(h, page_size(page), 1, gfp);
	return h;
}

static void *ta_large_kmalloc(size_t size, gfp_t gfp, int node)
{
	void *h;

	/* kmalloc can never serve it: no retry would end. */
	if (size > KMALLOC_MAX_SIZE)
		return NULL;
	if (!ta_nofail_retry(gfp, get_order(size)))
		return kmalloc_node_noprof(size, gfp, node);
	gfp = ta_nofail_first(gfp);
	for (;;) {
		h = kmalloc_node_noprof(size, gfp, node);
		if (h)
			return h;
		memalloc_retry_wait(gfp);
		gfp |= __GFP_HIGH;
	}
}

void *ta_large_alloc(size_t size, gfp_t gfp, int node)
{
	struct ta_large_hdr *h;
	bool pages;

	size = size_add(sizeof(*h), size);
	gfp &= ~(__GFP_HIGHMEM | __GFP_MOVABLE);
	if (gfp & __GFP_DMA)
		gfp &= ~__GFP_DMA32;
	pages = IS_ENABLED(CONFIG_ZONE_DMA32) && gfp & __GFP_DMA32;
	if (pages)
		h = ta_large_pages(size, gfp, node);
	else
		h = ta_large_kmalloc(size, gfp & ~__GFP_DMA32, node);
	if (!h) {
		ta_stat_inc(ta_large_stats, TA_KMALLOC_FAILS);
		return NULL;
	}
	ta_leak_payload(h + 1, gfp);
	ta_large_list(pages ? ta_page_table : ta_large_table, h);
	if (pages)
		ta_stat_inc(ta_large_stats, TA_KMALLOC_OWN_PAGES);
	return h + 1;
}

/* Is @h listed in @table? Under its bucket's lock. */
static bool ta_large_listed(struct hlist_head *table,
			    const struct ta_large_hdr *h, unsigned int bucket)
{
	struct ta_large_hdr *it;

	hlist_for_each_entry(it, &table[bucket], node)
		if (it == h)
			return true;
	return false;
}

static bool ta_large_unlist(struct hlist_head *table,
			    struct ta_large_hdr *h, unsigned int bucket)
{
	if (!ta_large_listed(table, h, bucket))
		return false;
	hlist_del(&h->node);
	return true;
}

static void ta_large_release(struct ta_large_hdr *h, bool pages)
{
	if (pages) {
		kmemleak_free(h);
		__free_pages(virt_to_page(h), compound_order(virt_to_page(h)));
	} else {
		kfree(h);
	}
}

/* Return false, touching nothing, if @obj is not a live large object. */
bool ta_large_free(const void *obj)
{
	struct ta_large_hdr *h = (struct ta_large_hdr *)obj - 1;
	unsigned int bucket = ta_large_bucket(h);
	bool found, pages = false;
	unsigned long flags;

	spin_lock_irqsave(ta_large_lock(bucket), flags);
	found = ta_large_unlist(ta_large_table, h, bucket);
	if (!found) {
		pages = ta_large_unlist(ta_page_table, h, bucket);
		found = pages;
	}
	spin_unlock_irqrestore(ta_large_lock(bucket), flags);
	if (!found)
		return false;
	ta_large_release(h, pages);
	ta_stat_inc(ta_large_stats, TA_KMALLOC_FREES);
	if (pages)
		ta_stat_inc(ta_large_stats, TA_KMALLOC_OWN_PAGES_FREED);
	return true;
}

/*
 * The usable size of a live large object, as ksize() once gave it: all
 * its kmalloc object but the header, made the caller's by a krealloc() to
 * that size (which unpoisons it in every KASAN mode and moves nothing),
 * or all its own pages but the header.  Under the bucket lock, so that a
 * concurrent free cannot pull the object away meanwhile.  Return false,
 * touching nothing, if @obj is not a live large object.
 */
bool ta_large_size(const void *obj, size_t *size)
{
	struct ta_large_hdr *h = (struct ta_large_hdr *)obj - 1;
	unsigned int bucket = ta_large_bucket(h);
	unsigned long flags;
	size_t ks = 0;

	spin_lock_irqsave(ta_large_lock(bucket), flags);
	if (ta_large_listed(ta_page_table, h, bucket)) {
		ks = page_size(virt_to_page(h));
	} else if (ta_large_listed(ta_large_table, h, bucket)) {
		ks = ksize(h);
		if (ks > sizeof(*h) &&
		    krealloc(h, ks, GFP_NOWAIT | __GFP_NOWARN) != h)
			ks = 0;
	}
	spin_unlock_irqrestore(ta_large_lock(bucket), flags);
	*size = ks > sizeof(*h) ? ks - sizeof(*h) : 0;
	return ks;
}

int ta_large_init(struct ta_stats __percpu *stats)
{
	unsigned int i;

	ta_large_table = kvcalloc(1U << TA_LARGE_BITS,
				  sizeof(*ta_large_table), GFP_KERNEL);
	ta_page_table = kvcalloc(1U << TA_LARGE_BITS,
				 sizeof(*ta_page_table), GFP_KERNEL);
	if (!ta_large_table || !ta_page_table) {
		kvfree(ta_large_table);
		kvfree(ta_page_table);
		return -ENOMEM;
	}
	kmemleak_no_scan(ta_large_table);
	kmemleak_no_scan(ta_page_table);
	for (i = 0; i < TA_LARGE_LOCKS; i++)
		spin_lock_init(&ta_large_locks[i]);
	ta_large_stats = stats;
	return 0;
}

static unsigned long ta_large_drop(struct hlist_head *table, bool pages,
				   bool keep)
{
	struct ta_large_hdr *h;
	struct hlist_node *next;
	unsigned long leaked = 0;
	unsigned int i;

	for (i = 0; i < 1U << TA_LARGE_BITS; i++) {
		hlist_for_each_entry_safe(h, next, &table[i], node) {
			hlist_del(&h->node);
			if (!keep)
				ta_large_release(h, pages);
			leaked++;
		}
	}
	kvfree(table);
	return leaked;
}

/*
 * Free what callers leaked, and say how much it was; with allocation
 * profiling on, leave it allocated (compat.h, ta_profiling()).
 */
void ta_large_exit(void)
{
	bool keep = ta_profiling();
	unsigned long leaked = ta_large_drop(ta_large_table, false, keep) +
			       ta_large_drop(ta_page_table, true, keep);

	if (leaked && keep)
		pr_err("%lu kmalloc-backed objects still live at exit; left allocated (allocation profiling charges them to their callers)\n",
		       leaked);
	else if (leaked)
		pr_err("%lu kmalloc-backed objects still live at exit; freed\n",
		       leaked);
}
