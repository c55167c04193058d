// SPDX-License-Identifier: GPL-2.0
/*
 * tinyalloc: the module, its parameters and the exported API.
 *
 * tinyalloc_alloc() sends requests smaller than the tiny block size to
 * the tiny allocator (tiny.c) and larger ones to kmalloc (large.c);
 * tinyalloc_free() tells them apart by the page the pointer is in.
 */

#define pr_fmt(fmt) "tinyalloc: " fmt

#include <linux/err.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "compat.h"
#include "core.h"
#include "large.h"
#include "report.h"
#include "tinyalloc.h"

static unsigned int tiny_block = 16;
module_param(tiny_block, uint, 0444);
MODULE_PARM_DESC(tiny_block,
		 "Tiny block size in bytes: 8, 16 (default) or 32; smaller requests are combined");

static bool tiny_debug;
module_param(tiny_debug, bool, 0444);
MODULE_PARM_DESC(tiny_debug,
		 "Record where each tiny object starts to refuse interior pointers and double frees, and poison freed bytes (costs memory)");

struct ta_tiny *ta_main;
struct ta_stats __percpu *ta_global_stats;

void *tinyalloc_alloc(size_t size, gfp_t gfp)
{
	if (unlikely(!size))
		return ZERO_SIZE_PTR;
	if (likely(size < ta_main->block_size))
		return ta_tiny_alloc(ta_main, size, gfp);
	return ta_large_alloc(size, gfp);
}
EXPORT_SYMBOL_GPL(tinyalloc_alloc);

void tinyalloc_free(const void *obj)
{
	struct ta_span *span;

	if (unlikely(ZERO_OR_NULL_PTR(obj)))
		return;
	span = ta_tiny_span_of(obj);
	if (span)
		ta_tiny_free(span, obj, _RET_IP_);
	else if (!ta_large_free(obj))
		ta_report_invalid(ta_global_stats, obj, _RET_IP_,
				  "not a live tinyalloc object");
}
EXPORT_SYMBOL_GPL(tinyalloc_free);

size_t tinyalloc_tiny_block_size(void)
{
	return ta_main->block_size;
}
EXPORT_SYMBOL_GPL(tinyalloc_tiny_block_size);

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
	ta_global_stats = alloc_percpu(struct ta_stats);
	if (!ta_global_stats)
		return -ENOMEM;
	err = ta_large_init(ta_global_stats);
	if (err)
		goto err_stats;
	ta_main = ta_tiny_create(tiny_block, tiny_debug);
	if (IS_ERR(ta_main)) {
		err = PTR_ERR(ta_main);
		goto err_large;
	}
	err = ta_debugfs_init();
	if (err)
		goto err_tiny;
	pr_info("tiny blocks of %u bytes%s\n", tiny_block,
		tiny_debug ? ", tiny_debug on" : "");
	return 0;

err_tiny:
	ta_tiny_destroy(ta_main);
err_large:
	ta_large_exit();
err_stats:
	free_percpu(ta_global_stats);
	return err;
}

static void __exit tinyalloc_exit(void)
{
	ta_debugfs_exit();
	ta_tiny_destroy(ta_main);
	ta_large_exit();
	free_percpu(ta_global_stats);
}

module_init(tinyalloc_init);
module_exit(tinyalloc_exit);

MODULE_DESCRIPTION("Go-style tiny-object combining allocator");
MODULE_AUTHOR("The tinyalloc developers");
MODULE_VERSION("0.1");
MODULE_LICENSE("GPL");
