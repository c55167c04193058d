/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Run a function on every online CPU in process context: a work item
 * bound to each CPU, all flushed.  A drain needs this on PREEMPT_RT, where
 * the locks it takes sleep and may not be taken in on_each_cpu()'s IPI.
 * Static, so that each test module has its own copy.
 */
#ifndef _TINYALLOC_EACH_CPU_H
#define _TINYALLOC_EACH_CPU_H

#include <linux/cpu.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

struct each_cpu_work {
	struct work_struct work;
	void (*fn)(void);
};

static void each_cpu_work_fn(struct work_struct *work)
{
	container_of(work, struct each_cpu_work, work)->fn();
}

/* Return 0, or -ENOMEM if the work items could not be allocated. */
static int run_on_each_cpu(void (*fn)(void))
{
	struct each_cpu_work *w = kcalloc(nr_cpu_ids, sizeof(*w), GFP_KERNEL);
	unsigned int cpu;

	if (!w)
		return -ENOMEM;
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		INIT_WORK(&w[cpu].work, each_cpu_work_fn);
		w[cpu].fn = fn;
		queue_work_on(cpu, system_wq, &w[cpu].work);
	}
	for_each_online_cpu(cpu)
		flush_work(&w[cpu].work);
	cpus_read_unlock();
	kfree(w);
	return 0;
}

#endif /* _TINYALLOC_EACH_CPU_H */
