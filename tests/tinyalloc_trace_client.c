// SPDX-License-Identifier: GPL-2.0
/*
 * A known workload for the tracepoint checks (scripts/guest/trace.sh).
 * Loading it allocates, through the public API:
 *
 *   2 * pairs tiny objects of half a block: on each CPU the first opens
 *   a block and the next is combined into it, and so on;
 *   one tiny object of every other size from 1 to block - 1;
 *   a stack of (FIXED_STACK << o) - o bytes for o = 0..4, rounded up to
 *   FIXED_STACK << o (o = 4 is a large stack);
 *
 * then frees all of it, so the module holds nothing once loaded.  The
 * guest script checks the events against this list and the counters.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>

#include "tinyalloc.h"

#define TRACE_CLIENT_STACKS	5
#define TRACE_CLIENT_PAIRS_MAX	1000

static unsigned int pairs = 8;
module_param(pairs, uint, 0444);
MODULE_PARM_DESC(pairs, "Pairs of half-block objects to allocate (default 8, at most 1000)");

/*
 * Not __init: the events' call_site names this function, and init text
 * is gone (so is its symbol) by the time the trace is read.
 */
static noinline int trace_client_run(void)
{
	size_t half = tinyalloc_tiny_block_size() / 2;
	size_t fixed = tinyalloc_fixed_stack(), size;
	struct tinyalloc_stack stk[TRACE_CLIENT_STACKS] = {};
	unsigned int i, n = 0;
	void **objs;
	int err = 0;

	if (pairs > TRACE_CLIENT_PAIRS_MAX)
		return -EINVAL;
	objs = kcalloc(2 * pairs + 2 * half, sizeof(*objs), GFP_KERNEL);
	if (!objs)
		return -ENOMEM;
	for (i = 0; i < 2 * pairs; i++)
		objs[n++] = tinyalloc_alloc(half, GFP_KERNEL);
	for (size = 1; size < 2 * half; size++)
		if (size != half)
			objs[n++] = tinyalloc_alloc(size, GFP_KERNEL);
	for (i = 0; i < TRACE_CLIENT_STACKS && !err; i++)
		err = tinyalloc_stack_alloc(&stk[i], (fixed << i) - i,
					    GFP_KERNEL);
	for (i = 0; i < n; i++) {
		if (!objs[i])
			err = -ENOMEM;
		tinyalloc_free(objs[i]);
	}
	/* Bounds of a failed or untried allocation are zero: ignored. */
	for (i = 0; i < TRACE_CLIENT_STACKS; i++)
		tinyalloc_stack_free(&stk[i]);
	kfree(objs);
	if (!err)
		pr_info("allocated and freed %u tiny objects and %u stacks\n",
			n, TRACE_CLIENT_STACKS);
	return err;
}

static int __init tinyalloc_trace_client_init(void)
{
	return trace_client_run();
}

static void __exit tinyalloc_trace_client_exit(void)
{
}

module_init(tinyalloc_trace_client_init);
module_exit(tinyalloc_trace_client_exit);

MODULE_DESCRIPTION("tinyalloc test: a known workload for the tracepoint checks");
MODULE_LICENSE("GPL");
