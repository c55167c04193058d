// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA locality, as a plain module for a machine of 2 or more nodes.
 *
 * At load, a kthread on each CPU of node @node allocates tiny objects and
 * stacks of every pool order and keeps them; each must lie on that CPU's
 * memory node.  The guest script then reads debugfs (the nodes file) to
 * see spans on @node only.  At unload everything is freed by a kthread on
 * a CPU of another node, and the remote-free counters must count each
 * free.  Reports with "TA-CHECK PASS|FAIL:" lines.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/topology.h>

#include "core.h"

MODULE_IMPORT_NS(TINYALLOC_INTERNAL);

#define NUMA_OBJS	20000	/* tiny objects per CPU: several spans' worth */
#define NUMA_STACKS	16	/* stacks per order per CPU */

static int node = -1;
module_param(node, int, 0444);
MODULE_PARM_DESC(node, "the node whose CPUs allocate (required)");

/* What one CPU holds. */
struct numa_held {
	u8 *obj[NUMA_OBJS];
	struct tinyalloc_stack stk[TA_STACK_ORDERS][NUMA_STACKS];
};

static struct numa_held *held;		/* indexed by CPU */
static atomic_t misplaced, failed;

static void check(bool ok, const char *what)
{
	pr_info("TA-CHECK %s: %s\n", ok ? "PASS" : "FAIL", what);
}

struct numa_job {
	void (*fn)(void);
	struct completion done;
};

static int numa_job_thread(void *arg)
{
	struct numa_job *job = arg;

	job->fn();
	complete(&job->done);
	return 0;
}

/* Run @fn on @cpu in a kthread bound to it, and wait for it. */
static int run_on(unsigned int cpu, void (*fn)(void))
{
	struct numa_job job = { .fn = fn };
	struct task_struct *t;

	init_completion(&job.done);
	t = kthread_create(numa_job_thread, &job, "ta_numa/%u", cpu);
	if (IS_ERR(t))
		return PTR_ERR(t);
	kthread_bind(t, cpu);
	wake_up_process(t);
	wait_for_completion(&job.done);
	return 0;
}

static void placed(const void *p, int want)
{
	if (page_to_nid(virt_to_page(p)) != want)
		atomic_inc(&misplaced);
}

static void hold_fn(void)
{
	struct numa_held *h = &held[smp_processor_id()];
	int want = numa_mem_id();
	unsigned int i, o;

	for (i = 0; i < NUMA_OBJS; i++) {
		h->obj[i] = tinyalloc_alloc(1 + i % 15, GFP_KERNEL);
		if (h->obj[i])
			placed(h->obj[i], want);
		else
			atomic_inc(&failed);
	}
	for (o = 0; o < TA_STACK_ORDERS; o++) {
		for (i = 0; i < NUMA_STACKS; i++) {
			if (tinyalloc_stack_alloc(&h->stk[o][i],
						  tinyalloc_fixed_stack() << o,
						  GFP_KERNEL))
				atomic_inc(&failed);
			else
				placed((void *)h->stk[o][i].lo, want);
		}
	}
	/* Leave nothing in this CPU's caches: the spans are all the objects'. */
	ta_tiny_drain_local(ta_main);
	ta_stack_drain_local(ta_stacks);
}

/* On a CPU of another node: free what every CPU of @node holds. */
static void free_fn(void)
{
	unsigned int cpu, i, o;

	for_each_cpu(cpu, cpumask_of_node(node)) {
		for (i = 0; i < NUMA_OBJS; i++)
			tinyalloc_free(held[cpu].obj[i]);
		for (o = 0; o < TA_STACK_ORDERS; o++)
			for (i = 0; i < NUMA_STACKS; i++)
				tinyalloc_stack_free(&held[cpu].stk[o][i]);
	}
	ta_tiny_drain_local(ta_main);
	ta_stack_drain_local(ta_stacks);
}

static int __init tinyalloc_numa_init(void)
{
	unsigned int cpu;

	if (node < 0 || node >= nr_node_ids || !node_online(node) ||
	    num_online_nodes() < 2) {
		pr_err("node=%d: needs an online node of a machine with 2 or more\n",
		       node);
		return -EINVAL;
	}
	held = kvcalloc(nr_cpu_ids, sizeof(*held), GFP_KERNEL);
	if (!held)
		return -ENOMEM;
	cpus_read_lock();
	for_each_cpu_and(cpu, cpumask_of_node(node), cpu_online_mask)
		if (run_on(cpu, hold_fn))
			atomic_inc(&failed);
	cpus_read_unlock();
	check(!atomic_read(&failed), "numa: every allocation on the node's CPUs succeeded");
	check(!atomic_read(&misplaced),
	      "numa: every tiny object and stack is on its CPU's node");
	pr_info("node %d: %u CPUs hold %u tiny objects and %u stacks each\n",
		node, cpumask_weight(cpumask_of_node(node)), NUMA_OBJS,
		NUMA_STACKS * TA_STACK_ORDERS);
	return 0;
}
module_init(tinyalloc_numa_init);

static void __exit tinyalloc_numa_exit(void)
{
	unsigned long tiny = ta_stat_sum(ta_main->stats, TA_TINY_REMOTE_FREES);
	unsigned long stacks = ta_stat_sum(ta_stacks->stats, TA_STACK_REMOTE_FREES);
	unsigned int cpu, n = cpumask_weight(cpumask_of_node(node));
	int err = -ENODEV;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		if (cpu_to_mem(cpu) != node) {
			err = run_on(cpu, free_fn);
			break;
		}
	}
	cpus_read_unlock();
	check(!err, "numa: freed on a CPU of another node");
	check(ta_stat_sum(ta_main->stats, TA_TINY_REMOTE_FREES) - tiny ==
	      n * NUMA_OBJS, "numa: every tiny object counted as a remote free");
	check(ta_stat_sum(ta_stacks->stats, TA_STACK_REMOTE_FREES) - stacks ==
	      n * NUMA_STACKS * TA_STACK_ORDERS,
	      "numa: every stack sent home to its node's pool");
	kvfree(held);
}
module_exit(tinyalloc_numa_exit);

MODULE_DESCRIPTION("tinyalloc NUMA locality check for machines of 2 or more nodes");
MODULE_LICENSE("GPL");
