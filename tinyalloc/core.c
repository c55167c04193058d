// SPDX-License-Identifier: GPL-2.0
/*
 * tinyalloc: the module, its parameters and the exported API.
 *
 * tinyalloc_alloc() sends requests smaller than the tiny block size to
 * the tiny allocator (tiny.c) and larger ones to kmalloc (large.c);
 * tinyalloc_free() tells them apart by the page the pointer is in.
 * Stacks come from stack.c.  A CPU that goes offline has its caches
 * drained; idle memory goes back to the page allocator (scavenge.c).
 */

#define pr_fmt(fmt) "tinyalloc: " fmt

#include <linux/cpuhotplug.h>
#include <linux/err.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/topology.h>

#include "compat.h"
#include "core.h"
#include "kasan.h"
#include "large.h"
#include "report.h"
#include "spanmap.h"
#include "stack.h"
#include "tiny_fast.h"
#include "tinyalloc.h"

static unsigned int tiny_block = 16;
module_param(tiny_block, uint, 0444);
MODULE_PARM_DESC(tiny_block,
		 "Tiny block size in bytes: 8, 16 (default) or 32; smaller requests are combined");

static char *tiny_policy = "go";
module_param(tiny_policy, charp, 0444);
MODULE_PARM_DESC(tiny_policy,
		 "How objects are packed into blocks: go (default: one open block per CPU, Go's rule, and a shelf of blocks with room left) or bestfit (the tightest of 4 open blocks per CPU)");

static bool tiny_debug;
module_param(tiny_debug, bool, 0444);
MODULE_PARM_DESC(tiny_debug,
		 "Record where each tiny object starts to refuse interior pointers and double frees, and poison freed bytes (costs memory)");

static bool tiny_kasan = TA_KASAN;
module_param(tiny_kasan, bool, 0444);
MODULE_PARM_DESC(tiny_kasan,
		 "On generic KASAN kernels: keep KASAN's shadow of tiny objects, so that overflows and uses after free are reported; objects then start at 8-byte granules (default on there; no effect elsewhere)");

static unsigned int fixed_stack = 2048;
module_param(fixed_stack, uint, 0444);
MODULE_PARM_DESC(fixed_stack,
		 "FIXED_STACK, the smallest stack in bytes: a power of two from 1024 to PAGE_SIZE, at most 4096 (default 2048); pools serve FIXED_STACK << 0..3");

static unsigned int scavenge_ms = 10000;
module_param(scavenge_ms, uint, 0444);
MODULE_PARM_DESC(scavenge_ms,
		 "Idle memory goes back after about this many ms: CPUs that allocated nothing in a period give up their spans and cached stacks, large stacks cached a whole period are released (default 10000; 0: only under memory pressure)");

static bool stack_debug;
module_param(stack_debug, bool, 0444);
MODULE_PARM_DESC(stack_debug,
		 "Poison freed stacks and keep a canary at lo, checked at free to report overflows");

struct ta_tiny *ta_main;
EXPORT_SYMBOL_TA_INTERNAL(ta_main);
struct ta_stack *ta_stacks;
EXPORT_SYMBOL_TA_INTERNAL(ta_stacks);
struct ta_stats __percpu *ta_global_stats;
static int ta_cpuhp_state;

/*
 * What one shared span cannot do for one object (span_gfp.h): charge it to
 * the caller's memory cgroup, never fail, take it from a zone of the
 * caller's choosing.  large.c does these per object (kmalloc, or pages of
 * ZONE_DMA32).  __GFP_HIGHMEM asks for nothing an object can use.
 */
#define TA_GFP_KMALLOC	(__GFP_ACCOUNT | __GFP_NOFAIL | __GFP_DMA | \
			 __GFP_DMA32)

/*
 * Tiny blocks are the calling CPU's, on its node (as far as the page
 * allocator had memory there, and the task did not move): a request for
 * another node's memory, or for a node's memory only, is kmalloc's, as is
 * one of a gfp a block cannot honour.
 */
static __always_inline bool ta_tiny_request(struct ta_tiny *ta, size_t size,
					    gfp_t gfp, int node)
{
	/* 1 to block_size - 1: 0 wraps. */
	return size - 1 < ta->block_size - 1 && !(gfp & TA_GFP_KMALLOC) &&
	       (node == NUMA_NO_NODE ||
		(node == numa_mem_id() && !(gfp & __GFP_THISNODE)));
}

/* A tiny request the fast path did not serve, or could not. */
static noinline void *ta_alloc_tiny_slow(struct ta_tiny *ta, size_t size,
					 gfp_t gfp, int node, unsigned long ip)
{
	void *p = ta_tiny_alloc_slow(ta, size, gfp, ip);

	/* No span to be had: kmalloc falls back to smaller orders. */
	return likely(p) ? p : ta_large_alloc(size, gfp, node);
}

/* All but the tiny fast path: other contexts, kmalloc's requests. */
static noinline void *ta_alloc_slow(struct ta_tiny *ta, size_t size,
				    gfp_t gfp, int node, unsigned long ip)
{
	if (unlikely(in_nmi())) {
		ta_report_nmi("allocation", ip);
		return NULL;
	}
	if (unlikely(!size))
		return ZERO_SIZE_PTR;
	if (ta_tiny_request(ta, size, gfp, node))
		return ta_alloc_tiny_slow(ta, size, gfp, node, ip);
	return ta_large_alloc(size, gfp, node);
}

/* The fast path inline, all else out of line (tail calls). */
static __always_inline void *ta_alloc(struct ta_tiny *ta, size_t size,
				      gfp_t gfp, int node, unsigned long ip)
{
	void *p;

	/* Task context also tells that this is no NMI. */
	if (likely(ta_ctx_current() == TA_CTX_TASK &&
		   ta_tiny_request(ta, size, gfp, node))) {
		p = ta_tiny_alloc_fast(ta, size, gfp, ip);
		if (likely(p))
			return p;
		return ta_alloc_tiny_slow(ta, size, gfp, node, ip);
	}
	return ta_alloc_slow(ta, size, gfp, node, ip);
}

void *tinyalloc_alloc_noprof(size_t size, gfp_t gfp)
{
	return ta_alloc(ta_main, size, gfp, NUMA_NO_NODE, _RET_IP_);
}
EXPORT_SYMBOL_GPL(tinyalloc_alloc_noprof);

/* tinyalloc_alloc() on behalf of @ip's function (the helpers of dup.c). */
void *ta_alloc_track_caller(size_t size, gfp_t gfp, unsigned long ip)
{
	return ta_alloc(ta_main, size, gfp, NUMA_NO_NODE, ip);
}

void *tinyalloc_alloc_node_noprof(size_t size, gfp_t gfp, int node)
{
	return ta_alloc(ta_main, size, gfp, node, _RET_IP_);
}
EXPORT_SYMBOL_GPL(tinyalloc_alloc_node_noprof);

/**
 * ta_alloc_from() - tinyalloc_alloc() on another tiny instance
 * @ta: the instance tiny requests go to
 * @size: size in bytes
 * @gfp: allocation flags
 *
 * Return: as tinyalloc_alloc().
 */
void *ta_alloc_from(struct ta_tiny *ta, size_t size, gfp_t gfp)
{
	return ta_alloc(ta, size, gfp, NUMA_NO_NODE, _RET_IP_);
}
EXPORT_SYMBOL_TA_INTERNAL(ta_alloc_from);

/**
 * ta_free_slow() - tinyalloc_free() of what ta_free_fast() does not free
 * @obj: the object, or any address
 * @ip: the caller, for error reports
 */
noinline void ta_free_slow(const void *obj, unsigned long ip)
{
	if (!ta_tiny_free(obj, ip) && !ta_large_free(obj))
		ta_report_invalid(ta_global_stats, obj, ip,
				  "not a live tinyalloc object");
}

void tinyalloc_free(const void *obj)
{
	if (unlikely(ZERO_OR_NULL_PTR(obj)))
		return;
	if (unlikely(in_nmi())) {
		ta_report_nmi("free", _RET_IP_);
		return;
	}
	ta_free_fast(obj, _RET_IP_);
}
EXPORT_SYMBOL_GPL(tinyalloc_free);

size_t tinyalloc_size(const void *obj)
{
	size_t size;

	if (unlikely(ZERO_OR_NULL_PTR(obj)))
		return 0;
	if (unlikely(in_nmi())) {
		ta_report_nmi("size lookup", _RET_IP_);
		return 0;
	}
	if (ta_tiny_size(obj, &size, _RET_IP_))
		return size;
	if (ta_large_size(obj, &size))
		return size;
	ta_report_size(obj, _RET_IP_, "not a live tinyalloc object");
	return 0;
}
EXPORT_SYMBOL_GPL(tinyalloc_size);

size_t tinyalloc_tiny_block_size(void)
{
	return ta_main->block_size;
}
EXPORT_SYMBOL_GPL(tinyalloc_tiny_block_size);

int tinyalloc_stack_alloc_noprof(struct tinyalloc_stack *stk, size_t size,
				 gfp_t gfp)
{
	if (unlikely(in_nmi())) {
		ta_report_nmi("stack allocation", _RET_IP_);
		memset(stk, 0, sizeof(*stk));
		return -EPERM;
	}
	return __ta_stack_alloc(ta_stacks, stk, size, gfp, _RET_IP_);
}
EXPORT_SYMBOL_GPL(tinyalloc_stack_alloc_noprof);

void tinyalloc_stack_free(struct tinyalloc_stack *stk)
{
	if (unlikely(in_nmi())) {
		ta_report_nmi("stack free", _RET_IP_);
		return;
	}
	if (!ta_stack_free(stk, _RET_IP_))
		ta_report_invalid_stack(ta_global_stats, stk->lo, _RET_IP_,
					"not a tinyalloc stack");
}
EXPORT_SYMBOL_GPL(tinyalloc_stack_free);

size_t tinyalloc_fixed_stack(void)
{
	return ta_stacks->fixed;
}
EXPORT_SYMBOL_GPL(tinyalloc_fixed_stack);

/* A dead CPU's caches go back, its open tiny block is settled. */
static int ta_cpu_dead(unsigned int cpu)
{
	ta_tiny_drain_cpu(ta_main, cpu);
	ta_stack_drain_cpu(ta_stacks, cpu);
	return 0;
}

/**
 * ta_global_stats_get() - the counters of the kmalloc path
 *
 * Return: the per-CPU counters shared by every instance.
 */
struct ta_stats __percpu *ta_global_stats_get(void)
{
	return ta_global_stats;
}
EXPORT_SYMBOL_TA_INTERNAL(ta_global_stats_get);

static int __init tinyalloc_init(void)
{
	int err;

	if (tiny_block != 8 && tiny_block != 16 && tiny_block != 32) {
		pr_err("tiny_block=%u is not supported: use 8, 16 or 32\n",
		       tiny_block);
		return -EINVAL;
	}
	if (strcmp(tiny_policy, "go") && strcmp(tiny_policy, "bestfit")) {
		pr_err("tiny_policy=%s is not supported: use go or bestfit\n",
		       tiny_policy);
		return -EINVAL;
	}
	if (!is_power_of_2(fixed_stack) || fixed_stack < TA_STACK_FIXED_MIN ||
	    fixed_stack > TA_STACK_FIXED_MAX) {
		pr_err("fixed_stack=%u is not supported: use a power of two from 1024 to %lu\n",
		       fixed_stack, TA_STACK_FIXED_MAX);
		return -EINVAL;
	}
	ta_global_stats = alloc_percpu(struct ta_stats);
	if (!ta_global_stats)
		return -ENOMEM;
	err = ta_large_init(ta_global_stats);
	if (err)
		goto err_stats;
	err = ta_span_map_init();
	if (err)
		goto err_large;
	ta_main = ta_tiny_create(tiny_block, tiny_debug);
	if (IS_ERR(ta_main)) {
		err = PTR_ERR(ta_main);
		goto err_map;
	}
	if (!strcmp(tiny_policy, "bestfit"))
		ta_main->nr_open = TA_MAX_OPEN;
	/* KASAN kernels watch the objects callers get (kasan.c). */
	ta_tiny_set_kasan(ta_main, tiny_kasan);
	ta_main->leaks = true;
	ta_stacks = ta_stack_create(fixed_stack, stack_debug);
	if (IS_ERR(ta_stacks)) {
		err = PTR_ERR(ta_stacks);
		goto err_tiny;
	}
	err = ta_scavenge_init(scavenge_ms);
	if (err)
		goto err_stacks;
	err = cpuhp_setup_state_nocalls(CPUHP_BP_PREPARE_DYN, "tinyalloc:dead",
					NULL, ta_cpu_dead);
	if (err < 0)
		goto err_shrinker;
	ta_cpuhp_state = err;
	ta_debugfs_init();
	pr_info("tiny blocks of %u bytes%s, stacks of %u << 0..3 bytes%s\n",
		tiny_block, tiny_debug ? " (tiny_debug)" : "", fixed_stack,
		stack_debug ? " (stack_debug)" : "");
	return 0;

err_shrinker:
	ta_scavenge_exit();
err_stacks:
	ta_stack_destroy(ta_stacks);
err_tiny:
	ta_tiny_destroy(ta_main);
err_map:
	ta_span_map_exit();
err_large:
	ta_large_exit();
err_stats:
	free_percpu(ta_global_stats);
	return err;
}

static void __exit tinyalloc_exit(void)
{
	ta_debugfs_exit();
	cpuhp_remove_state_nocalls(ta_cpuhp_state);
	ta_scavenge_exit();
	ta_stack_destroy(ta_stacks);
	ta_tiny_destroy(ta_main);
	ta_span_map_exit();
	ta_large_exit();
	free_percpu(ta_global_stats);
}

module_init(tinyalloc_init);
module_exit(tinyalloc_exit);

MODULE_DESCRIPTION("Go-style tiny-object combining and stack pool allocator");
MODULE_AUTHOR("The tinyalloc developers");
MODULE_VERSION("0.1");
MODULE_LICENSE("GPL");
