/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels tinyalloc supports (6.1 and 6.12)
 * lives here, not in #ifdefs spread through the code.
 */
#ifndef _TINYALLOC_COMPAT_H
#define _TINYALLOC_COMPAT_H

#include <linux/export.h>
#include <linux/mmzone.h>
#include <linux/shrinker.h>
#include <linux/slab.h>

/*
 * Internals the test modules call, in their own namespace so that no
 * client module links against them by accident.  (Namespaces are bare
 * tokens up to 6.12; 6.13 made them strings.)
 */
#define EXPORT_SYMBOL_TA_INTERNAL(sym) \
	EXPORT_SYMBOL_NS_GPL(sym, TINYALLOC_INTERNAL)

/* The largest page order: MAX_PAGE_ORDER since 6.8; 6.1's MAX_ORDER is one past it. */
#ifdef MAX_PAGE_ORDER
#define TA_MAX_PAGE_ORDER	MAX_PAGE_ORDER
#else
#define TA_MAX_PAGE_ORDER	(MAX_ORDER - 1)
#endif

/*
 * Shrinkers are allocated by the core since 6.7 (which added
 * SHRINKER_ALLOCATED); 6.1 embeds them.
 */
#ifdef SHRINKER_ALLOCATED
static inline struct shrinker *
ta_shrinker_register(const char *name,
		     unsigned long (*count)(struct shrinker *,
					    struct shrink_control *),
		     unsigned long (*scan)(struct shrinker *,
					   struct shrink_control *))
{
	struct shrinker *s = shrinker_alloc(0, "%s", name);

	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	shrinker_register(s);
	return s;
}

static inline void ta_shrinker_unregister(struct shrinker *s)
{
	shrinker_free(s);
}
#else
static inline struct shrinker *
ta_shrinker_register(const char *name,
		     unsigned long (*count)(struct shrinker *,
					    struct shrink_control *),
		     unsigned long (*scan)(struct shrinker *,
					   struct shrink_control *))
{
	struct shrinker *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	s->seeks = DEFAULT_SEEKS;
	if (register_shrinker(s, "%s", name)) {
		kfree(s);
		return NULL;
	}
	return s;
}

static inline void ta_shrinker_unregister(struct shrinker *s)
{
	unregister_shrinker(s);
	kfree(s);
}
#endif

/*
 * Allocation profiling (6.10+, tinyalloc.h): pages and objects made for
 * one caller (a kmalloc-backed object, a stack's pages of its own) come
 * from the _noprof allocators, which charge the tag the caller's macro
 * set; pages shared by many callers (tiny spans, pool spans, cached large
 * stacks) are charged to the line that asks for them in tinyalloc, by
 * TA_OWN_LINE().  6.1 has neither.
 */
#ifdef alloc_hooks
#define TA_OWN_LINE(call)	alloc_hooks(call)
#else
#define TA_OWN_LINE(call)	(call)
#define kmalloc_node_noprof	kmalloc_node
#define alloc_pages_node_noprof	alloc_pages_node
#endif

/*
 * Memory charged to a client's line must not be freed once the client is
 * gone: 6.12 frees a module's tag counters at its unload, and the free
 * would write into them.  At tinyalloc's exit every client is gone, so
 * what they leaked is left allocated where the kernel has profiling, as
 * kmalloc leaves a leak.  (Whether it is on is a static key modules
 * cannot read on 6.12: it may have been on when the leak was made.)
 */
static inline bool ta_profiling(void)
{
	return IS_ENABLED(CONFIG_MEM_ALLOC_PROFILING);
}

/* Benchmarks: a dedicated cache stays unmerged since 6.5's SLAB_NO_MERGE. */
#ifndef SLAB_NO_MERGE
#define SLAB_NO_MERGE		0
#endif

/* KUnit: 6.1 has no slow-test attribute; there they are plain cases. */
#if defined(KUNIT_CASE) && !defined(KUNIT_CASE_SLOW)
#define KUNIT_CASE_SLOW(test_name) KUNIT_CASE(test_name)
#define KUNIT_CASE_PARAM_SLOW(test_name, gen) KUNIT_CASE_PARAM(test_name, gen)
#elif defined(KUNIT_CASE)
#define KUNIT_CASE_PARAM_SLOW(test_name, gen)				\
	KUNIT_CASE_PARAM_ATTR(test_name, gen, { .speed = KUNIT_SPEED_SLOW })
#endif

/*
 * KASAN (generic), on 6.1 and 6.12: kasan_poison() is exported but
 * declared only in mm/kasan/kasan.h, and nothing unpoisons a range, so
 * tinyalloc writes the shadow itself through kasan_mem_to_shadow(), from
 * a file built without instrumentation (kasan.c).  The tests see reports
 * on the error_report_end tracepoint (exported on both); KASAN's
 * multi-shot switch exists for modules only in kernels built with its own
 * tests, so the test guests boot with kasan_multi_shot instead.
 */

#endif /* _TINYALLOC_COMPAT_H */
