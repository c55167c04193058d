// SPDX-License-Identifier: GPL-2.0
/*
 * A client for the memory cgroup checks (scripts/guest/memcg.sh).
 *
 * At load, in the insmod task, it allocates @objs objects of @size bytes
 * and @stacks stacks of @stack_size bytes, with GFP_KERNEL_ACCOUNT when
 * @account is set (else GFP_KERNEL), and __GFP_RETRY_MAYFAIL so that a
 * full cgroup makes an allocation fail rather than OOM-kill the task.  It
 * holds them until unloaded, and prints how many it got: the guest script
 * compares that with the cgroup's memory.current.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mm.h>

#include "tinyalloc.h"

static unsigned int objs;
module_param(objs, uint, 0444);
MODULE_PARM_DESC(objs, "Objects to allocate");

static unsigned int size = 8;
module_param(size, uint, 0444);
MODULE_PARM_DESC(size, "Bytes per object");

static unsigned int stacks;
module_param(stacks, uint, 0444);
MODULE_PARM_DESC(stacks, "Stacks to allocate");

static unsigned int stack_size = 16384;
module_param(stack_size, uint, 0444);
MODULE_PARM_DESC(stack_size, "Bytes per stack");

static bool account;
module_param(account, bool, 0444);
MODULE_PARM_DESC(account, "Allocate with GFP_KERNEL_ACCOUNT");

static void **obj;
static struct tinyalloc_stack *stk;
static unsigned int nr_objs, nr_stacks;

static int __init tinyalloc_memcg_init(void)
{
	gfp_t gfp = (account ? GFP_KERNEL_ACCOUNT : GFP_KERNEL) |
		    __GFP_RETRY_MAYFAIL | __GFP_NOWARN;

	obj = kvcalloc(objs, sizeof(*obj), GFP_KERNEL);
	stk = kvcalloc(stacks, sizeof(*stk), GFP_KERNEL);
	if ((objs && !obj) || (stacks && !stk)) {
		kvfree(obj);
		kvfree(stk);
		return -ENOMEM;
	}
	for (nr_objs = 0; nr_objs < objs; nr_objs++) {
		obj[nr_objs] = tinyalloc_alloc(size, gfp);
		if (!obj[nr_objs])
			break;
	}
	for (nr_stacks = 0; nr_stacks < stacks; nr_stacks++)
		if (tinyalloc_stack_alloc(&stk[nr_stacks], stack_size, gfp))
			break;
	pr_info("TA-MEMCG objs %u stacks %u\n", nr_objs, nr_stacks);
	return 0;
}

static void __exit tinyalloc_memcg_exit(void)
{
	unsigned int i;

	for (i = 0; i < nr_objs; i++)
		tinyalloc_free(obj[i]);
	for (i = 0; i < nr_stacks; i++)
		tinyalloc_stack_free(&stk[i]);
	kvfree(obj);
	kvfree(stk);
}

module_init(tinyalloc_memcg_init);
module_exit(tinyalloc_memcg_exit);

MODULE_DESCRIPTION("tinyalloc client for the memory cgroup checks");
MODULE_LICENSE("GPL");
