// SPDX-License-Identifier: GPL-2.0
/*
 * Idle memory back to the page allocator, as Go's scavenger and SLUB's
 * min_partial do: what no caller uses goes back without waiting for
 * memory pressure.
 *
 * Every scavenge_ms a pass drains the CPUs that allocated nothing since
 * the last pass (their open blocks, spans and cached stacks), and
 * releases the large stacks that sat on the free lists a whole period.
 * What stays is the per-node keep: 2 empty tiny spans and 1 empty span
 * per stack pool order.  Under memory pressure the shrinker does the same
 * at once for every CPU and every cached large stack.
 *
 * A CPU's state is drained on that CPU, in task context (a work item):
 * from elsewhere, or from an interrupt, task context's state may be in
 * use with only preemption off (ctx.h).
 */

#define pr_fmt(fmt) "tinyalloc: " fmt

#include <linux/cpumask.h>
#include <linux/jiffies.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "core.h"

struct ta_scavenge_cpu {
	struct work_struct work;
	unsigned long allocs;		/* at the last pass */
};

static DEFINE_PER_CPU(struct ta_scavenge_cpu, ta_scavenge_cpus);
static DEFINE_MUTEX(ta_scavenge_lock);
static struct cpumask ta_scavenge_queued;
static struct workqueue_struct *ta_scavenge_wq;
static struct delayed_work ta_scavenge_dwork;
static unsigned long ta_scavenge_period;

static void ta_drain_this_cpu(struct work_struct *work)
{
	ta_tiny_drain_local(ta_main);
	ta_stack_drain_local(ta_stacks);
}

/* Allocations served on @cpu, tiny and stacks: it is idle if unchanged. */
static unsigned long ta_cpu_allocs(unsigned int cpu)
{
	return ta_stat_cpu(ta_main->stats, cpu, TA_TINY_ALLOCS) +
	       ta_stat_cpu(ta_stacks->stats, cpu, TA_STACK_ALLOCS);
}

static bool ta_cpu_holds(unsigned int cpu)
{
	struct ta_stack_cpu *sc = per_cpu_ptr(ta_stacks->cpu, cpu);
	unsigned int order;

	if (ta_tiny_cpu_holds(per_cpu_ptr(ta_main->cpu, cpu)))
		return true;
	for (order = 0; order < TA_STACK_ORDERS; order++)
		if (ta_stack_cpu_cached(sc, order))
			return true;
	return false;
}

/*
 * Drain every online CPU that holds something, or only those idle since
 * the last pass, and wait for it.  No cpus_read_lock(): the shrinker
 * calls this from reclaim, and a CPU going away meanwhile is drained by
 * its hotplug callback anyway.  Caller holds ta_scavenge_lock.
 */
static void ta_drain_cpus(bool idle_only)
{
	struct ta_scavenge_cpu *s;
	unsigned long allocs;
	unsigned int cpu;
	bool idle;

	cpumask_clear(&ta_scavenge_queued);
	for_each_online_cpu(cpu) {
		s = per_cpu_ptr(&ta_scavenge_cpus, cpu);
		allocs = ta_cpu_allocs(cpu);
		idle = allocs == s->allocs;
		s->allocs = allocs;
		if ((idle_only && !idle) || !ta_cpu_holds(cpu))
			continue;
		queue_work_on(cpu, ta_scavenge_wq, &s->work);
		cpumask_set_cpu(cpu, &ta_scavenge_queued);
	}
	for_each_cpu(cpu, &ta_scavenge_queued)
		flush_work(&per_cpu_ptr(&ta_scavenge_cpus, cpu)->work);
}

static void ta_scavenge(struct work_struct *work)
{
	mutex_lock(&ta_scavenge_lock);
	ta_drain_cpus(true);
	ta_stack_large_release_older(ta_stacks, jiffies - ta_scavenge_period);
	mutex_unlock(&ta_scavenge_lock);
	queue_delayed_work(system_unbound_wq, &ta_scavenge_dwork,
			   ta_scavenge_period);
}

/* Pages the shrinker could give back: a guess, as for every shrinker. */
static unsigned long ta_shrink_count(struct shrinker *s,
				     struct shrink_control *sc)
{
	unsigned long pages = ta_stack_large_count(ta_stacks);
	unsigned int cpu;

	for_each_online_cpu(cpu)
		if (ta_cpu_holds(cpu))
			pages += 2 * (TA_STACK_CACHE_SIZE >> PAGE_SHIFT);
	return pages ?: SHRINK_EMPTY;
}

static unsigned long ta_spans_freed(void)
{
	return (ta_stat_sum(ta_main->stats, TA_TINY_SPANS_FREED) <<
		ta_main->span_order) +
	       ta_stat_sum(ta_stacks->stats, TA_STACK_SPAN_PAGES_FREED);
}

static unsigned long ta_shrink_scan(struct shrinker *s,
				    struct shrink_control *sc)
{
	unsigned long before, freed;

	if (!mutex_trylock(&ta_scavenge_lock))
		return SHRINK_STOP;
	before = ta_spans_freed();
	ta_drain_cpus(false);
	freed = ta_spans_freed() - before;
	freed += ta_stack_large_scan(ta_stacks, ULONG_MAX);
	mutex_unlock(&ta_scavenge_lock);
	return freed ?: SHRINK_STOP;
}

static struct shrinker *ta_shrinker;

/**
 * ta_shrinker_get() - the module's shrinker
 *
 * Return: the shrinker, so tests can drive it as reclaim would.
 */
struct shrinker *ta_shrinker_get(void)
{
	return ta_shrinker;
}
EXPORT_SYMBOL_TA_INTERNAL(ta_shrinker_get);

/**
 * ta_scavenge_init() - start the scavenger and register the shrinker
 * @period_ms: the scavenger's period; 0 leaves idle memory to the shrinker
 *
 * Return: 0 or -ENOMEM.
 */
int ta_scavenge_init(unsigned int period_ms)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		INIT_WORK(&per_cpu_ptr(&ta_scavenge_cpus, cpu)->work,
			  ta_drain_this_cpu);
	/* Reclaim waits on it: it must make progress without memory. */
	ta_scavenge_wq = alloc_workqueue("tinyalloc", WQ_MEM_RECLAIM, 0);
	if (!ta_scavenge_wq)
		return -ENOMEM;
	ta_shrinker = ta_shrinker_register("tinyalloc", ta_shrink_count,
					   ta_shrink_scan);
	if (!ta_shrinker) {
		destroy_workqueue(ta_scavenge_wq);
		return -ENOMEM;
	}
	INIT_DELAYED_WORK(&ta_scavenge_dwork, ta_scavenge);
	ta_scavenge_period = msecs_to_jiffies(period_ms);
	/*
	 * The pass waits for the drains, so it runs elsewhere: on the
	 * drains' own queue it could hold the rescuer they need.
	 */
	if (period_ms)
		queue_delayed_work(system_unbound_wq, &ta_scavenge_dwork,
				   ta_scavenge_period);
	return 0;
}

/** ta_scavenge_exit() - stop the scavenger and unregister the shrinker */
void ta_scavenge_exit(void)
{
	cancel_delayed_work_sync(&ta_scavenge_dwork);
	ta_shrinker_unregister(ta_shrinker);
	destroy_workqueue(ta_scavenge_wq);
}
