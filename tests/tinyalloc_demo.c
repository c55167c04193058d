// SPDX-License-Identifier: GPL-2.0
/*
 * A sample tinyalloc client for 'make demo': it stores short strings the
 * way a parser keeps keys and values and takes stacks of mixed sizes the
 * way a pool of workers would, keeps them while loaded, and prints what
 * the strings cost next to what kmalloc would have charged.
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

static unsigned int stacks = 2000;
module_param(stacks, uint, 0444);
MODULE_PARM_DESC(stacks, "How many stacks of 2 KiB to 64 KiB to hold (default 2000)");

static unsigned int leak;
module_param(leak, uint, 0444);
MODULE_PARM_DESC(leak, "Strings and stacks left unfreed at unload, to see tinyalloc report them (default 0)");

static char **demo_strings;
static struct tinyalloc_stack *demo_stacks;

static void tinyalloc_demo_stacks(void)
{
	unsigned int i;

	demo_stacks = vzalloc(array_size(stacks, sizeof(*demo_stacks)));
	if (!demo_stacks)
		return;
	for (i = 0; i < stacks; i++)
		if (tinyalloc_stack_alloc(&demo_stacks[i], 2048 << (i % 6),
					  GFP_KERNEL))
			break;
	pr_info("holding %u stacks of 2, 4, 8, 16, 32 and 64 KiB\n", i);
}

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
	tinyalloc_demo_stacks();
	return 0;
}

static void __exit tinyalloc_demo_exit(void)
{
	unsigned int i;

	/* The first 'leak' of each are left behind on purpose. */
	for (i = leak; i < strings; i++)
		tinyalloc_free(demo_strings[i]);
	vfree(demo_strings);
	for (i = leak; demo_stacks && i < stacks; i++)
		tinyalloc_stack_free(&demo_stacks[i]);
	vfree(demo_stacks);
	if (leak)
		pr_info("freed all but %u strings and %u stacks\n", leak, leak);
	else
		pr_info("freed every string and stack\n");
}

module_init(tinyalloc_demo_init);
module_exit(tinyalloc_demo_exit);

MODULE_DESCRIPTION("Sample tinyalloc client: a store of short strings");
MODULE_LICENSE("GPL");
