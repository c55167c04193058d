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

#include "compat.h"

static inline gfp_t ta_span_gfp(gfp_t gfp)
{
	return (gfp & (__GFP_HIGH | __GFP_KSWAPD_RECLAIM)) | __GFP_COMP |
	       __GFP_NOWARN | __GFP_NORETRY | __GFP_NOMEMALLOC;
}

/*
 * A span larger than it needs to be, tried before the least one (a
 * stack pool's 64 KiB span before 32 KiB): as SLUB's slabs above their
 * least order, it wakes no kswapd either, which would reclaim and compact
 * for memory the smaller span does without.
 */
static inline gfp_t ta_span_gfp_larger(gfp_t gfp)
{
	return ta_span_gfp(gfp) & ~__GFP_KSWAPD_RECLAIM;
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
 * A __GFP_NOFAIL request above order 1 that may sleep: the page allocator
 * warns of it, so tinyalloc asks without __GFP_NOFAIL and retries itself.
 * Failures are quiet, as a real __GFP_NOFAIL's are, and retries add
 * __GFP_HIGH: the reserves the page allocator opens to __GFP_NOFAIL, and
 * what makes a memory cgroup at its limit force the charge, as it does
 * for __GFP_NOFAIL.  Any other request is passed on as it is.
 */
static inline bool ta_nofail_retry(gfp_t gfp, unsigned int order)
{
	return gfp & __GFP_NOFAIL && order > 1 && gfpflags_allow_blocking(gfp);
}

static inline gfp_t ta_nofail_first(gfp_t gfp)
{
	return (gfp & ~__GFP_NOFAIL) | __GFP_NOWARN;
}

/*
 * Pages for a span, a stack or an object of its own, as compound pages,
 * charged to the caller's allocation tag (compat.h).
 */
static inline struct page *ta_alloc_pages(int node, gfp_t gfp,
					  unsigned int order)
{
	bool nofail = ta_nofail_retry(gfp, order);
	struct page *page;

	if (nofail)
		gfp = ta_nofail_first(gfp);
	for (;;) {
		page = alloc_pages_node_noprof(node, gfp | __GFP_COMP,
					       order);
		if (page || !nofail)
			return page;
		memalloc_retry_wait(gfp);
		gfp |= __GFP_HIGH;
	}
}

#endif /* _TINYALLOC_SPAN_GFP_H */
