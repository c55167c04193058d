// SPDX-License-Identifier: GPL-2.0
/*
 * A sample tinyalloc client for 'make demo': it stores short strings the
 * way a parser keeps keys and values, keeps them while loaded, and
 * prints what they cost next to what kmalloc would have charged.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "tinyalloc.h"

static unsigned int strings = 100000;
module_param(strings, uint, 0444);
MODULE_PARM_DESC(strings, "How many short strings to store (default 100000)");

static char **demo_strings;

static int __init tinyalloc_demo_init(void)
{
	size_t bytes = 0, kmalloc_bytes = 0, len;
	struct rnd_state rnd;
	unsigned int i;

	demo_strings = vzalloc(array_size(strings, sizeof(*demo_strings)));
	if (!demo_strings)
		return -ENOMEM;
	prandom_seed_state(&rnd, 2026);
	for (i = 0; i < strings; i++) {
		/* Mostly names of 1..15 bytes, now and then a longer one. */
		len = 1 + prandom_u32_state(&rnd) % 15;
		if (i % 50 == 0)
			len = 16 + prandom_u32_state(&rnd) % 48;
		demo_strings[i] = tinyalloc_alloc(len, GFP_KERNEL);
		if (!demo_strings[i])
			break;
		memset(demo_strings[i], 'a' + i % 26, len);
		bytes += len;
		kmalloc_bytes += kmalloc_size_roundup(len);
	}
	pr_info("stored %u strings, %zu bytes; kmalloc would charge %zu bytes\n",
		i, bytes, kmalloc_bytes);
	return 0;
}

static void __exit tinyalloc_demo_exit(void)
{
	unsigned int i;

	for (i = 0; i < strings; i++)
		tinyalloc_free(demo_strings[i]);
	vfree(demo_strings);
	pr_info("freed every string\n");
}

module_init(tinyalloc_demo_init);
module_exit(tinyalloc_demo_exit);

MODULE_DESCRIPTION("Sample tinyalloc client: a store of short strings");
MODULE_LICENSE("GPL");
