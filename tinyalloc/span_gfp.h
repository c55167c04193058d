/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gfp flags of memory tinyalloc shares between callers (usage.rst has
 * the table of every flag).
 *
 * A tiny span or a stack pool span serves every caller of its CPU, so it
 * takes none of one caller's per-object flags: no zone modifier, no
 * __GFP_ACCOUNT (it would charge one cgroup for everyone's objects), no
 * __GFP_MOVABLE (a span is never movable), no __GFP_NOFAIL, no memory
 * reserves (__GFP_NOMEMALLOC: a span from the reserves would be kept for
 * ordinary callers).  As SLUB's higher-order slabs and page_frag's
 * order-3 pages, it does not reclaim, retry or warn either: when it fails
 * the request is served another way (kmalloc for a tiny object, pages of
 * its own for a stack), with the caller's own flags.
 */
#ifndef _TINYALLOC_SPAN_GFP_H
#define _TINYALLOC_SPAN_GFP_H

#include <linux/gfp.h>
#include <linux/sched/mm.h>

static inline gfp_t ta_span_gfp(gfp_t gfp)
{
	return (gfp & (__GFP_HIGH | __GFP_KSWAPD_RECLAIM)) | __GFP_COMP |
	       __GFP_NOWARN | __GFP_NORETRY | __GFP_NOMEMALLOC;
}

/*
 * tinyalloc's own bookkeeping (span descriptors, xarray nodes): it may
 * reclaim as the caller allows, but takes no per-object flag either.
 */
static inline gfp_t ta_meta_gfp(gfp_t gfp)
{
	return gfp & (GFP_KERNEL | __GFP_HIGH | __GFP_NOWARN |
		      __GFP_RETRY_MAYFAIL | __GFP_NORETRY | __GFP_NOFAIL);
}

/*
 * Pages for a span, a stack or an object of its own, as compound pages.
 * The page allocator warns of __GFP_NOFAIL above order 1: there, tinyalloc
 * retries itself, as long as @gfp may sleep.
 */
static inline struct page *ta_alloc_pages(int node, gfp_t gfp,
					  unsigned int order)
{
	bool nofail = gfp & __GFP_NOFAIL && order > 1 &&
		      gfpflags_allow_blocking(gfp);
	struct page *page;

	if (order > 1)
		gfp &= ~__GFP_NOFAIL;
	for (;;) {
		page = alloc_pages_node(node, gfp | __GFP_COMP, order);
		if (page || !nofail)
			return page;
		memalloc_retry_wait(gfp);
	}
}

#endif /* _TINYALLOC_SPAN_GFP_H */
