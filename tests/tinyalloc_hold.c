// SPDX-License-Identifier: GPL-2.0
/*
 * A client that holds memory, for the memory cgroup and idle memory
 * checks (scripts/guest/memcg.sh, idle_checks in common.sh).
 *
 * At load, in the insmod task, it allocates @objs objects of @size bytes
 * and @stacks stacks of @stack_size bytes (0: 2 to 64 KiB in turn), with
 * GFP_KERNEL_ACCOUNT when @account is set (else GFP_KERNEL), and
 * __GFP_RETRY_MAYFAIL so that a full cgroup makes an allocation fail
 * rather than OOM-kill the task.  It holds them until unloaded, and
 * prints how many it got.
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
MODULE_PARM_DESC(stack_size, "Bytes per stack; 0: 2 to 64 KiB in turn");

static bool account;
module_param(account, bool, 0444);
MODULE_PARM_DESC(account, "Allocate with GFP_KERNEL_ACCOUNT");

static void **obj;
static struct tinyalloc_stack *stk;
static unsigned int nr_objs, nr_stacks;

static int __init tinyalloc_hold_init(void)
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
		if (tinyalloc_stack_alloc(&stk[nr_stacks],
					  stack_size ?: 2048 << nr_stacks % 6,
					  gfp))
			break;
	pr_info("TA-HOLD objs %u stacks %u\n", nr_objs, nr_stacks);
	return 0;
}

static void __exit tinyalloc_hold_exit(void)
{
	unsigned int i;

	for (i = 0; i < nr_objs; i++)
		tinyalloc_free(obj[i]);
	for (i = 0; i < nr_stacks; i++)
		tinyalloc_stack_free(&stk[i]);
	kvfree(obj);
	kvfree(stk);
}

module_init(tinyalloc_hold_init);
module_exit(tinyalloc_hold_exit);

MODULE_DESCRIPTION("tinyalloc client that holds memory until unloaded");
MODULE_LICENSE("GPL");
