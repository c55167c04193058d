// SPDX-License-Identifier: GPL-2.0
/*
 * Multi-CPU stress for kernels without KUnit (Debian's own kernels), as a
 * plain module: at load it runs, on the instances behind tinyalloc_alloc()
 * and tinyalloc_stack_alloc(),
 *
 *  - the handoff: every online CPU fills batches of tiny objects and
 *    stacks with a pattern, then checks and frees another CPU's;
 *  - CPU hotplug: workers allocate, check and free while CPUs 1..n-1 go
 *    offline and online @hotplug_rounds times, each offlined CPU checked
 *    to hold no block, span or cached stack;
 *
 * then drains every CPU and checks that the counters balance.  It reports
 * with "TA-CHECK PASS|FAIL:" lines that make check counts, and stays
 * loaded so that the guest script can read debugfs before unloading it.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/smp.h>

#include "core.h"
#include "each_cpu.h"
#include "smp_work.h"

MODULE_IMPORT_NS(TINYALLOC_INTERNAL);

static unsigned int hotplug_rounds = 3;
module_param(hotplug_rounds, uint, 0444);
MODULE_PARM_DESC(hotplug_rounds,
		 "times each CPU but 0 goes offline and online (default 3)");

static void check(bool ok, const char *what)
{
	pr_info("TA-CHECK %s: %s\n", ok ? "PASS" : "FAIL", what);
}

static unsigned long tiny(enum ta_stat i)
{
	return ta_stat_sum(ta_main->stats, i);
}

static unsigned long stack(enum ta_stat i)
{
	return ta_stat_sum(ta_stacks->stats, i);
}

/* An offlined CPU holds nothing: count what it still holds in @arg. */
static void check_offline(void *arg, unsigned int cpu)
{
	struct ta_tiny_cpu *c = per_cpu_ptr(ta_main->cpu, cpu);
	struct ta_stack_cpu *sc = per_cpu_ptr(ta_stacks->cpu, cpu);
	unsigned int order;

	if (ta_tiny_cpu_holds(c))
		atomic_inc(arg);
	for (order = 0; order < TA_STACK_ORDERS; order++)
		if (ta_stack_cpu_cached(sc, order))
			atomic_inc(arg);
}

/* Failed allocations and refused frees: none may happen here. */
static unsigned long failures(void)
{
	return tiny(TA_INVALID_FREES) + stack(TA_STACK_INVALID_FREES) +
	       tiny(TA_TINY_ALLOC_FAILS) + stack(TA_STACK_ALLOC_FAILS);
}

static void drain_this_cpu(void)
{
	ta_tiny_drain_local(ta_main);
	ta_stack_drain_local(ta_stacks);
}

static void run_handoff(void)
{
	unsigned long objs = tiny(TA_TINY_ALLOCS), stacks = stack(TA_STACK_ALLOCS);
	struct handoff *h = kzalloc(sizeof(*h), GFP_KERNEL);

	if (!h) {
		check(false, "handoff: state allocated");
		return;
	}
	h->ta = ta_main;
	h->st = ta_stacks;
	check(!handoff_run(h), "handoff: a worker bound to every online CPU");
	check(!atomic_read(&h->errors),
	      "handoff: every object and stack intact when another CPU freed it");
	pr_info("handoff: %u CPUs, %lu tiny objects and %lu stacks, each freed on another CPU\n",
		h->nr, tiny(TA_TINY_ALLOCS) - objs, stack(TA_STACK_ALLOCS) - stacks);
	kfree(h);
}

static void run_hotplug(void)
{
	unsigned int nr = num_online_cpus(), cycles;
	atomic_t held = ATOMIC_INIT(0);
	struct hp_stress *s;

	if (nr < 2) {
		check(false, "hotplug: needs 2 or more CPUs");
		return;
	}
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s || hotplug_start(s, nr)) {
		check(false, "hotplug: workers started");
		kfree(s);
		return;
	}
	cycles = hotplug_cycles(s, nr, hotplug_rounds, check_offline, &held);
	hotplug_stop(s);
	check(cycles == (nr - 1) * hotplug_rounds,
	      "hotplug: every CPU but 0 went offline and online each round");
	check(!atomic_read(&held), "hotplug: an offlined CPU holds no block, span or cached stack");
	check(!atomic_read(&s->errors),
	      "hotplug: every object and stack intact, every CPU back online");
	pr_info("hotplug: %u offline/online cycles under load on %u CPUs\n",
		cycles, nr);
	kfree(s);
}

static int __init tinyalloc_stress_init(void)
{
	unsigned long tiny_live = tiny(TA_TINY_ALLOCS) - tiny(TA_TINY_FREES);
	unsigned long blocks = tiny(TA_TINY_BLOCKS_TAKEN) - tiny(TA_TINY_BLOCKS_FREED);
	unsigned long stack_live = stack(TA_STACK_ALLOCS) - stack(TA_STACK_FREES);
	unsigned long failed = failures();

	run_handoff();
	run_hotplug();
	check(!run_on_each_cpu(drain_this_cpu), "stress: every CPU drained");
	check(tiny(TA_TINY_ALLOCS) - tiny(TA_TINY_FREES) == tiny_live &&
	      tiny(TA_TINY_BLOCKS_TAKEN) - tiny(TA_TINY_BLOCKS_FREED) == blocks,
	      "stress: tiny objects and blocks balance after the drain");
	check(stack(TA_STACK_ALLOCS) - stack(TA_STACK_FREES) == stack_live,
	      "stress: stacks balance after the drain");
	check(failures() == failed, "stress: no failed allocation, no refused free");
	return 0;
}
module_init(tinyalloc_stress_init);

static void __exit tinyalloc_stress_exit(void)
{
}
module_exit(tinyalloc_stress_exit);

MODULE_DESCRIPTION("tinyalloc multi-CPU stress for kernels without KUnit");
MODULE_LICENSE("GPL");
